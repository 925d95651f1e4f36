"""The layers, read from the source: `store` ← `tools` ← `assistant`, and all SQL lives in store/.

So the two backends (SQLite, PostgreSQL) differ in one place: tools/ and assistant/ may name a
Session in a type and catch a database error, but never build a query, run one, or hold SQL text.
store/ never imports the layers above it; tools/ never imports the assistant or Telegram.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What tools/ and assistant/ may take from SQLAlchemy and SQLModel: types to annotate with, errors to
# catch. Everything else there (select, text, func, col, delete, cast, or_, …) builds SQL.
ALLOWED_FROM = {
    "sqlmodel": {"Session", "SQLModel"},
    "sqlalchemy.orm": {"Session"},
    "sqlalchemy.engine": {"Connection", "Engine"},
    "sqlalchemy.exc": None,  # any error class
}
# Methods that run a statement, whatever object they are called on.
RUNS_SQL = {"exec", "execute", "exec_driver_sql", "scalar", "scalars"}
# SQL written out as text (upper-case keywords, as SQL is written; prose says "select" in lower case).
RAW_SQL = re.compile(
    r"\b(SELECT\b.*\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
    r"|(CREATE|DROP|ALTER)\s+(TABLE|INDEX|TRIGGER|VIEW)|PRAGMA\s+\w|BEGIN\s+IMMEDIATE)\b",
    re.DOTALL,
)

# Modules that still hold SQL or reach up a layer, each with the owner moving it. This list must only
# shrink: a module that is clean again fails `test_the_allow_list_only_shrinks` until its line goes.
ALLOWED: dict[str, str] = {}


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def sql_uses(tree: ast.Module) -> list[str]:
    """Each place a module builds, runs or writes out SQL, as 'line: what'."""
    out = []
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("sqlalchemy", "sqlmodel") and alias.name not in ALLOWED_FROM:
                    out.append(f"{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
            "sqlalchemy",
            "sqlmodel",
        ):
            allowed = ALLOWED_FROM.get(node.module or "", set())
            for alias in node.names:
                if allowed is not None and alias.name not in allowed:
                    out.append(f"{node.lineno}: from {node.module} import {alias.name}")
        elif (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RUNS_SQL
        ):
            out.append(f"{node.lineno}: .{node.func.attr}(…)")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and RAW_SQL.search(node.value)
        ):
            out.append(f"{node.lineno}: SQL text {node.value[:40]!r}")
    return sorted(out, key=lambda p: int(p.split(":")[0]))


def imports_of(tree: ast.Module, roots: set[str]) -> list[str]:
    """Each import (at the top or inside a function) of a package in `roots`, as 'line: module'."""
    out = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        out += [f"{node.lineno}: {name}" for name in names if name.split(".")[0] in roots]
    return sorted(out, key=lambda p: int(p.split(":")[0]))


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@functools.cache  # both tests read the same parse of every source file (~1.5 s of CPU)
def _problems() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for package, roots in (("tools", {"assistant", "telegram"}), ("assistant", set())):
        for path in _modules(package):
            tree = _tree(path)
            problems = sql_uses(tree) + [f"{p} (a layer above)" for p in imports_of(tree, roots)]
            if problems:
                found[path.relative_to(ROOT).as_posix()] = problems
    for path in _modules("store"):
        problems = [f"{p} (a layer above)" for p in imports_of(_tree(path), {"tools", "assistant"})]
        if problems:
            found[path.relative_to(ROOT).as_posix()] = problems
    return found


def test_sql_lives_in_store_and_imports_point_down() -> None:
    problems = {path: p for path, p in _problems().items() if path not in ALLOWED}
    report = "\n".join(f"{path}:\n  " + "\n  ".join(p) for path, p in sorted(problems.items()))
    assert not problems, f"SQL outside store/, or an import up a layer:\n{report}"


def test_the_allow_list_only_shrinks() -> None:
    clean = sorted(set(ALLOWED) - set(_problems()))
    assert not clean, f"clean now, remove from ALLOWED in tests/test_layering.py: {clean}"


@pytest.mark.parametrize(
    "source",
    [
        "from sqlmodel import select",
        "from sqlalchemy import func",
        "from sqlmodel import Session, col",
        "import sqlalchemy",
        "def f(s):\n    return s.exec(q)",
        "def f(conn):\n    conn.exec_driver_sql('x')",
        "Q = 'SELECT value FROM meta WHERE key = ?'",
        "def f(n):\n    return f\"UPDATE customer SET name = '{n}'\"",
        "def f():\n    from sqlalchemy import text",
    ],
)
def test_the_check_sees_sql(source: str) -> None:
    assert sql_uses(ast.parse(source))


@pytest.mark.parametrize(
    "source",
    [
        "from sqlmodel import Session",
        "from sqlalchemy.exc import IntegrityError, OperationalError",
        "def f(s, row):\n    s.add(row)\n    s.delete(row)\n    return s.get(type(row), 1)",
        '"""Run SELECT … FROM customer, as the docstring explains."""',
        "HELP = 'select a customer from the list'",
    ],
)
def test_the_check_allows_types_errors_and_prose(source: str) -> None:
    assert not sql_uses(ast.parse(source))


def test_the_check_sees_imports_up_a_layer() -> None:
    tree = ast.parse("import os\nfrom tools.names import x\ndef f():\n    import assistant.engine")
    assert imports_of(tree, {"tools", "assistant"}) == ["2: tools.names", "4: assistant.engine"]
