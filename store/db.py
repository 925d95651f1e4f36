"""Opening the database: engine, SQLite pragmas, sessions, schema upgrades."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from store import migrations

BUSY_TIMEOUT_MS = 30_000


class SchemaTooNew(RuntimeError):
    """The database was written by a newer crm-assistant; this one refuses to touch it."""


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("crm-assistant", appauthor=False)) / "crm.db"


def database_url(db: str | os.PathLike[str] | None) -> str:
    """A SQLAlchemy URL from a path, a URL, or None (the user's data directory)."""
    if db is None or str(db) == "":
        db = default_db_path()
    text = str(db)
    if "://" in text:
        return text
    if text == ":memory:":
        return "sqlite://"
    path = Path(text).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event issue BEGIN itself, so writes can use BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = NORMAL")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # A deferred transaction that reads and then writes can fail with SQLITE_BUSY at once when
        # another process committed in between (the busy timeout does not apply); taking the write
        # lock up front makes concurrent writers queue instead.
        if conn.get_execution_options().get("crm_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class Store:
    """One database. Cheap to keep for a process's lifetime; sessions are per operation."""

    def __init__(self, db: str | os.PathLike[str] | None = None, *, upgrade: bool = True) -> None:
        self.url = database_url(db)
        url = make_url(self.url)
        self.is_sqlite = url.get_backend_name() == "sqlite"
        kwargs: dict = {}
        if self.is_sqlite and url.database in (None, "", ":memory:"):
            kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        elif self.is_sqlite:
            kwargs = {"connect_args": {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}}
        self.engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._write_engine = self.engine.execution_options(crm_write=True)
        if upgrade:
            try:
                migrations.upgrade(self.engine)
            except RuntimeError as e:  # the only refusal upgrade() raises: a newer schema
                self.engine.dispose()
                raise SchemaTooNew(str(e)) from None

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; nothing it does is committed."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session holding the write lock; committed on success, rolled back on any error."""
        with Session(self._write_engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def schema_version(self) -> int:
        return migrations.current_version(self.engine)

    def close(self) -> None:
        self.engine.dispose()
