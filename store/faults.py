"""Storage faults in plain words: what the database driver raised, as one sentence a user can act on.

SQLite reports a locked, read-only, full or damaged file as an OperationalError/DatabaseError whose
text is written for developers ("attempt to write a readonly database"). The store translates them
here, once, so every surface (MCP, chat, Telegram, CLI) shows the same sentence and a caller knows
whether trying again can help.
"""

from __future__ import annotations

import os
from pathlib import Path


class StorageError(Exception):
    """The database cannot do what was asked, through no fault of the request. str(e) says why."""

    #: True when the same call may succeed if simply tried again later.
    retry: bool = False

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)


class DatabaseBusy(StorageError):
    retry = True


class DatabaseReadOnly(StorageError):
    pass


class DiskFull(StorageError):
    pass


class DatabaseDamaged(StorageError):
    pass


class DatabaseUnavailable(StorageError):
    """The file cannot be opened at all (missing folder, no permission)."""


BUSY_MESSAGE = "The database is busy — try again in a moment (safe to retry)."


def _name(path: str | None) -> str:
    return str(path) if path else "the database"


def classify(error: BaseException, path: str | None) -> StorageError | None:
    """The StorageError for a driver error, or None when it is not a storage fault (a bug, a constraint)."""
    orig = getattr(error, "orig", None) or error
    if type(orig).__module__.startswith("psycopg"):
        return _classify_postgres(orig, path)
    code = getattr(orig, "sqlite_errorname", "") or ""
    text = str(orig).lower()
    where = _name(path)
    if (
        code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
        or "database is locked" in text
        or "database table is locked" in text
    ):
        return DatabaseBusy(BUSY_MESSAGE, path=path)
    if code.startswith("SQLITE_READONLY") or "readonly database" in text or "read-only" in text:
        return read_only_fault(path)
    if code.startswith("SQLITE_FULL") or "disk is full" in text or "disk full" in text:
        return DiskFull(
            f"The disk holding {where} is full; nothing was saved — free some space and try again.", path=path
        )
    if (
        code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
        or "malformed" in text
        or "not a database" in text
    ):
        return DatabaseDamaged(
            f"{where} is damaged or is not a crm database; restore it from a backup "
            "(or point --db at another file).",
            path=path,
        )
    if code.startswith("SQLITE_CANTOPEN") or "unable to open database" in text:
        return DatabaseUnavailable(f"Cannot open {where}: {_why_unopenable(path)}.", path=path)
    if code.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return DatabaseUnavailable(
            f"Reading or writing {where} failed (a disk or file-system error).", path=path
        )
    return None


# SQLSTATE classes and codes of PostgreSQL (Appendix A of its manual) that are storage faults.
_PG_BUSY = {"40001", "40P01", "55P03", "55006", "57014", "53300", "57P03", "53000", "53200"}
_PG_READ_ONLY = {"25006"}
_PG_FULL = {"53100"}
_PG_DAMAGED = {"XX001", "XX002"}


def _classify_postgres(orig: BaseException, where: str | None) -> StorageError | None:
    """A psycopg error as a fault: `where` is host:port/db (a server's URL would carry its password)."""
    code = str(getattr(orig, "sqlstate", "") or "") or _connect_sqlstate(orig)
    name = f"the PostgreSQL database {where}" if where else "the PostgreSQL database"
    if code in _PG_BUSY:  # serialization failure, deadlock, lock timeout, too many connections, starting up
        return DatabaseBusy(BUSY_MESSAGE, path=where)
    if code in _PG_READ_ONLY:  # a read-only transaction: a hot standby, default_transaction_read_only
        return DatabaseReadOnly(
            f"{name} is read-only (a standby or read-only server), so nothing can be changed; "
            "reading still works.",
            path=where,
        )
    if code in _PG_FULL:
        return DiskFull(
            f"The disk holding {name} is full; nothing was saved — free some space and try again.",
            path=where,
        )
    if code in _PG_DAMAGED:
        return DatabaseDamaged(f"{name} reports damaged data; restore it from a backup.", path=where)
    if code == "3D000":
        return DatabaseUnavailable(f"Cannot open {name}: it does not exist (create it first).", path=where)
    if code.startswith("28"):
        return DatabaseUnavailable(
            f"Cannot open {name}: the server refused the user name or password.", path=where
        )
    if code == "42501":
        return DatabaseReadOnly(f"No permission to change {name}; reading may still work.", path=where)
    if code.startswith(("08", "57P")) or (not code and _is_connection_error(orig)):
        return DatabaseUnavailable(
            f"Cannot connect to {name}: the server is not running or not reachable "
            "(check the host, the port and that PostgreSQL is started), or the connection was lost.",
            path=where,
        )
    return None


def _connect_sqlstate(orig: BaseException) -> str:
    """The SQLSTATE a refused connection stands for: libpq reports those as text only."""
    text = str(orig).lower()
    if "database" in text and "does not exist" in text:
        return "3D000"
    if "password authentication failed" in text or "no pg_hba.conf entry" in text:
        return "28P01"
    if "role" in text and "does not exist" in text:
        return "28000"
    if "too many clients" in text or "remaining connection slots" in text:
        return "53300"
    if "the database system is starting up" in text or "shutting down" in text:
        return "57P03"
    return ""


def _is_connection_error(orig: BaseException) -> bool:
    # psycopg raises OperationalError with no SQLSTATE when it cannot reach the server at all.
    text = str(orig).lower()
    return type(orig).__name__ == "OperationalError" and (
        "connection" in text or "connect" in text or "server closed" in text or "timeout" in text
    )


def read_only_fault(path: str | None) -> DatabaseReadOnly:
    return DatabaseReadOnly(
        f"{_name(path)} is read-only, so nothing can be changed; reading still works.", path=path
    )


def _why_unopenable(path: str | None) -> str:
    if not path:
        return "the file cannot be opened"
    folder = Path(path).parent
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"no permission to use the folder {folder}"
    return "no permission to open it"
