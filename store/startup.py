"""What a process reads before it opens the store: the standard library's `sqlite3`, nothing else.

`crm mcp` answers `initialize` with instructions that name the acting rep's timezone and the
configured pipeline stages. Opening the store for them would import SQLAlchemy, SQLModel and the
models (about half a second) before the first answer; these two reads need none of it. Anything
unusual (not a plain SQLite file, a file not there yet, a damaged or locked one) gives None, and the
caller opens the store properly instead, which creates, upgrades or refuses the file as usual.
A PostgreSQL URL is read the same way with `psycopg` alone.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

# The same as store.models (kept there for the ORM); tests/bench/test_mcp_start.py checks they agree.
DEFAULT_STAGES: tuple[str, ...] = ("lead", "qualified", "proposal", "negotiation", "won", "lost")


@dataclass(frozen=True)
class StartFacts:
    """The acting rep's registered timezone (None when not registered) and the pipeline stages."""

    timezone: str | None
    stages: list[str]


def sqlite_file(db: str | None) -> Path | None:
    """The existing SQLite file `db` names (None: the default one), or None for a URL, memory or no file."""
    if db is None or db == "":
        from platformdirs import user_data_dir  # as store.db.default_db_path

        path = Path(user_data_dir("crm-assistant", appauthor=False)) / "crm.db"
    elif "://" in db or db == ":memory:":
        return None
    else:
        path = Path(db).expanduser()
    return path if path.is_file() else None


def start_facts(path: Path, actor: str) -> StartFacts | None:
    """The rep's timezone and the stages from the file at `path`, read-only; None when unsure."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
    except (sqlite3.Error, OSError, ValueError):
        return None
    try:
        rows: dict[str, str] = dict(
            conn.execute("SELECT key, value FROM meta WHERE key IN ('stages', 'schema_version')")
        )
        if "schema_version" not in rows:
            return None  # a file that was never set up (or lost its record): the store decides
        found = conn.execute("SELECT timezone FROM user WHERE name = ?", (actor,)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return _facts(rows, found)


def start_facts_at(db: str | None, actor: str) -> StartFacts | None:
    """`start_facts` for whatever `db` names: a SQLite file, or a PostgreSQL URL (read with psycopg
    alone, about 0.2 s to import against 0.5 s for SQLAlchemy and the models); None when unsure."""
    path = sqlite_file(db)
    if path is not None:
        return start_facts(path, actor)
    if db is None or not db.startswith(_PG_SCHEMES):
        return None
    try:
        import psycopg  # only for a PostgreSQL URL, and only then (an optional extra)
    except ImportError:
        return None
    conninfo = "postgresql://" + db.split("://", 1)[1]
    try:
        with psycopg.connect(conninfo, connect_timeout=2) as conn, conn.cursor() as cur:
            cur.execute("SELECT key, value FROM meta WHERE key IN ('stages', 'schema_version')")
            rows: dict[str, str] = dict(cur.fetchall())
            if "schema_version" not in rows:
                return None
            cur.execute('SELECT timezone FROM "user" WHERE name = %s', (actor,))
            found = cur.fetchone()
    except (psycopg.Error, OSError, ValueError):
        return None
    return _facts(rows, found)


_PG_SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")


def _facts(rows: dict[str, str], found: tuple[str] | None) -> StartFacts | None:
    try:
        stages = (list(json.loads(rows["stages"])) if rows.get("stages") else []) or list(DEFAULT_STAGES)
    except (ValueError, TypeError):
        return None
    if not all(isinstance(s, str) for s in stages):
        return None
    return StartFacts(timezone=found[0] if found else None, stages=stages)


def env_db(db: str | None) -> str | None:
    """`--db`, else CRM_DB (as the CLI's context does)."""
    return db if db is not None else os.environ.get("CRM_DB")
