"""What every `crm` command shares: the acting context from the global settings, the --db check.

Light on purpose (imported when the parser is built): the tool layer is imported when a command runs.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tools.context import ToolContext

GLOBALS_NOTE = "--db, --user, --now and --tz work with every command (see crm --help)."


def context(args: argparse.Namespace, source: str = "cli") -> ToolContext:
    """The acting context of a command: --db/--user/--now/--tz, else CRM_* variables, else defaults."""
    from tools.context import open_context  # start-up: the tool layer loads when a command runs

    check_db_folder(args.db)
    return open_context(db=args.db, user=args.user, now=args.now, tz=args.tz, source=source)


def database(args: argparse.Namespace) -> str | None:
    """The --db given, else CRM_DB, else None (the default file)."""
    db: str | None = args.db if args.db is not None else os.environ.get("CRM_DB")
    return db


def check_db_folder(db: str | None) -> None:
    """A --db (or CRM_DB) file in a folder that does not exist is a typo, not a request to create folders."""
    from tools.errors import InvalidArgument  # start-up, as above

    db = db if db is not None else os.environ.get("CRM_DB")
    if not db or "://" in db or db == ":memory:":
        return  # the default data directory is created on first use; URLs are the driver's business
    folder = Path(db).expanduser().parent
    if not folder.is_dir():
        raise InvalidArgument(
            f"no folder {folder} for the database {db}; create it first, or give another --db"
        )


def emit(args: argparse.Namespace, result: Any, text: Callable[[], str]) -> None:
    """Print `result` (a tool's pydantic output, or plain data) as JSON with --json, else `text()`."""
    if getattr(args, "json", False):
        # Duck-typed, not isinstance(BaseModel): pydantic stays out of `crm --help`'s start-up.
        data = result.model_dump(mode="json") if hasattr(result, "model_dump") else result
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print(text())
