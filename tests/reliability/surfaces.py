"""Driving the real surfaces for the reliability tests: `crm` as a subprocess, `crm mcp` with the SDK
client. Both are forks of a warm `crm` (tests/e2e/crm_zygote.py: a process of its own on the test's
pipes, without the import cost); `crm mcp` on a read-only mount runs `python -m assistant` itself.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.conftest import run_sql
from tests.e2e.crm_zygote import command

REPO = Path(__file__).resolve().parents[2]
NOW = "2026-03-04T14:00:00+00:00"
TABLES = ("customer", "contact", "interaction", "followup", "stage_change", "change_log", "user", "meta")


def crm_env(db: str | Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env.update({"CRM_USER": "sam", "CRM_NOW": NOW, "CRM_TZ": "UTC"})
    if db is not None:
        env["CRM_DB"] = str(db)
    env.update(extra)
    return env


def run_crm(
    *args: str, db: str | Path | None, stdin: str | None = None, timeout: float = 120, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command(), *args],
        cwd=REPO,
        env=crm_env(db, **extra),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """A refusal as a user sees it: non-zero exit, one line on stderr, no traceback."""
    assert result.returncode != 0, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def mcp_calls(
    db: str | Path,
    calls: list[tuple[str, dict[str, Any]]],
    *,
    read_only_folder: Path | None = None,
    **extra: str,
) -> list[Any]:
    """Start `crm mcp` (stdio) on `db` and make `calls` with the SDK client; the results, in order.

    With `read_only_folder`, the server runs where that folder is mounted read-only.
    """
    warm = command()
    program, args = warm[0], [*warm[1:], "mcp"]
    if read_only_folder is not None:  # a mount namespace of its own: the real `crm`, not a fork
        program, args = (
            "unshare",
            [
                "-rm",
                "sh",
                "-c",
                read_only_mount(read_only_folder) + f" && exec {sys.executable} -m assistant mcp",
            ],
        )
    params = StdioServerParameters(command=program, args=args, env=crm_env(db, **extra), cwd=REPO)

    async def main() -> list[Any]:
        with anyio.fail_after(90):
            async with Client(params) as client:
                return [await client.call_tool(name, args) for name, args in calls]

    return anyio.run(main)


def text_of(result: Any) -> str:
    return " ".join(block.text for block in result.content if block.type == "text")


def fingerprint(db: str | Path) -> dict[str, Any]:
    """Every table's row count and content hash: equal fingerprints mean nothing was written."""
    out: dict[str, Any] = {}
    for table in TABLES:
        rows = run_sql(db, f'SELECT * FROM "{table}" ORDER BY 1')
        out[table] = (len(rows), hash(tuple(map(repr, rows))))
    return out


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def read_only_mount(folder: Path) -> str:
    """Shell commands (for `unshare -rm sh -c`) that remount `folder` read-only in a private namespace.

    Unlike chmod, a read-only mount stops root too, as a read-only medium would; no privileges needed.
    """
    return f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder}"
