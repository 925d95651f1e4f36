"""What a process reads before it opens the store: the standard library's `sqlite3`, nothing else.

`crm mcp` answers `initialize` with instructions that name the acting rep's timezone and the
configured pipeline stages. Opening the store for them would import SQLAlchemy, SQLModel and the
models (about half a second) before the first answer; these two reads need none of it. Anything
unusual (not a plain SQLite file, a file not there yet, a damaged or locked one) gives None, and the
caller opens the store properly instead, which creates, upgrades or refuses the file as usual.
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
        rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('stages', 'schema_version')"))
        if "schema_version" not in rows:
            return None  # a file that was never set up (or lost its record): the store decides
        found = conn.execute("SELECT timezone FROM user WHERE name = ?", (actor,)).fetchone()
        stages = (list(json.loads(rows["stages"])) if rows.get("stages") else []) or list(DEFAULT_STAGES)
    except (sqlite3.Error, ValueError, TypeError):
        return None
    finally:
        conn.close()
    if not all(isinstance(s, str) for s in stages):
        return None
    return StartFacts(timezone=found[0] if found else None, stages=stages)


def env_db(db: str | None) -> str | None:
    """`--db`, else CRM_DB (as the CLI's context does)."""
    return db if db is not None else os.environ.get("CRM_DB")
