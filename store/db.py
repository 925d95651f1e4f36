"""Opening the database: engine, SQLite pragmas, sessions, schema upgrades, storage faults."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from store import bulk, migrations, postgres
from store.driver_query import Reader, run_sql
from store.faults import (
    BUSY_MESSAGE,
    DatabaseBusy,
    DatabaseReadOnly,
    DatabaseUnavailable,
    StorageError,
    classify,
    read_only_fault,
)
from store.migrations import SchemaTooNew

BUSY_TIMEOUT_MS = 30_000


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("crm-assistant", appauthor=False)) / "crm.db"


def _private_dirs(folder: Path) -> None:
    """Create `folder` and any missing parents owner-only (0700): a CRM holds people's details."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        with suppress(FileExistsError):
            path.mkdir(mode=0o700)


def _private_file(path: Path) -> None:
    # SQLite would create the file with the umask's mode (usually 0644) and gives its -wal and -shm
    # files the same mode; an empty file made 0600 first is a valid empty database.
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def database_url(db: str | os.PathLike[str] | None) -> str:
    """A SQLAlchemy URL from a path, a URL, or None (the user's data directory)."""
    if db is None or str(db) == "":
        db = default_db_path()
    text = str(db)
    if "://" in text:
        # A plain PostgreSQL URL (as psql and most tools spell it) means the driver we support.
        for plain in ("postgresql://", "postgres://"):
            if text.startswith(plain):
                return "postgresql+psycopg://" + text.removeprefix(plain)
        return text
    if text == ":memory:":
        return "sqlite://"
    path = Path(text).expanduser().resolve()
    _private_dirs(path.parent)
    return f"sqlite:///{path}"


def database_label(url: str) -> str:
    """How messages name a database: a SQLite file's path, or a server's host:port/name (no password)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or "the in-memory database"
    where = parsed.host or "localhost"
    if parsed.port:
        where += f":{parsed.port}"
    return f"{where}/{parsed.database or ''}"


def _busy_timeout_ms() -> int:
    # CRM_BUSY_TIMEOUT_MS lets an operator (or a test) choose how long a writer queues for the lock.
    try:
        return max(0, int(os.environ.get("CRM_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)))
    except ValueError:
        return BUSY_TIMEOUT_MS


# The full-text index (FTS5) keeps its postings in tables of its own (interaction_fts_data, _idx,
# _docsize, _config) that grow with every note. ANALYZE of a new database records
# interaction_fts_data at its 2 rows, and SQLite then plans FTS5's own "DELETE FROM
# interaction_fts_data WHERE id >= ? AND id <= ?" of a segment merge as a scan of the whole table:
# at 1,000,000 notes one note in ~15 took 0.4-0.9 s to commit instead of ~1 ms. With no figures
# for those tables SQLite plans them by their shape (a rowid range), which is right at every size.
_SEARCH_TABLES = "tbl LIKE 'interaction\\_fts\\_%' ESCAPE '\\'"


def _configure_sqlite(engine: Engine, *, busy_ms: int, read_only: bool) -> None:
    db = engine.url.database
    # The side file a writer announces itself on (store/bulk.py), named by the file's real path.
    file = os.path.realpath(db) if db and db != ":memory:" and not read_only else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: object) -> None:  # the sqlite3 connection
        # Let SQLAlchemy's "begin" event issue BEGIN itself, so writes can use BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = NORMAL")
        if not read_only and engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that reads and then writes can fail with SQLITE_BUSY at once when
        # another process committed in between (the busy timeout does not apply); taking the write
        # lock up front makes concurrent writers queue instead.
        if conn.get_execution_options().get("crm_write"):
            # Announced while it waits, so a bulk import between two chunks lets it in (store/bulk.py).
            with bulk.waiting_for_the_lock(file):
                run_sql(conn, "BEGIN IMMEDIATE")
        else:
            run_sql(conn, "BEGIN")


def _cannot_write(path: Path) -> bool:
    """True when an existing database file (or its folder, where SQLite keeps -wal/-shm) is read-only."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK))


def _read_only_url(path: Path) -> str:
    # With no -wal file nobody is mid-write, and in a folder we cannot write SQLite could not create
    # the -shm it needs to read a WAL database: `immutable` reads the file as it stands.
    wal = Path(f"{path}-wal")
    immutable = not wal.exists() and not os.access(path.parent, os.W_OK)
    return f"sqlite:///file:{path}?mode=ro{'&immutable=1' if immutable else ''}&uri=true"


class Store:
    """One database. Cheap to keep for a process's lifetime; sessions are per operation.

    A SQLite file that cannot be written (a read-only folder or medium) is opened read-only, so
    reads still work; a write then fails with DatabaseReadOnly. Driver errors that are storage
    faults (busy, read-only, full, damaged) leave every session as a `StorageError` in plain words.
    """

    def __init__(
        self, db: str | os.PathLike[str] | None = None, *, upgrade: bool = True, read_only: bool = False
    ) -> None:
        self.url = database_url(db)
        url = make_url(self.url)
        self.is_sqlite = url.get_backend_name() == "sqlite"
        self.is_postgres = url.get_backend_name() == "postgresql"
        #: How messages name this database (a path, or host:port/db with no password).
        self.label = database_label(self.url)
        self.path: str | None = (
            url.database if self.is_sqlite and url.database not in (None, "", ":memory:") else None
        )
        if self.path is not None and not read_only and _cannot_write(Path(self.path)):
            read_only = True
        self.read_only = read_only
        try:
            self._open(upgrade)
        except StorageError as e:
            # A read-only medium shows up as a refused write (WAL set-up) on first use: read instead.
            if (
                self.read_only
                or self.path is None
                or not Path(self.path).exists()
                or not isinstance(e, DatabaseReadOnly | DatabaseUnavailable)
            ):
                raise
            self.engine.dispose()
            self.read_only = True
            self._open(upgrade)

    def _open(self, upgrade: bool) -> None:
        kwargs: dict[str, object] = {}
        target = self.url
        if self.is_postgres:
            kwargs = postgres.engine_options()
            if self.read_only:
                # Every transaction read-only on the server: a read never writes, nor takes the write lock.
                connect_args = dict(kwargs["connect_args"])  # type: ignore[call-overload]  # engine_options' connect_args is a dict
                # Added to the URL's own options (a search_path, say), which connect_args would replace.
                given = make_url(self.url).query.get("options")
                given = given[-1] if isinstance(given, tuple) else given
                read_only_option = "-c default_transaction_read_only=on"
                connect_args["options"] = f"{given} {read_only_option}" if given else read_only_option
                kwargs["connect_args"] = connect_args
        elif self.is_sqlite and self.path is None:
            kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        elif self.is_sqlite:
            kwargs = {"connect_args": {"timeout": _busy_timeout_ms() / 1000, "check_same_thread": False}}
            if self.read_only:
                target = _read_only_url(Path(self.path))  # type: ignore[arg-type]  # self.path is set for every SQLite file (checked above)
        if self.path is not None and not self.read_only:
            _private_file(Path(self.path))
        try:
            self.engine = create_engine(target, **kwargs)
        except ModuleNotFoundError as e:  # the optional driver of a server database
            raise DatabaseUnavailable(
                f"Cannot open {self.label}: its driver ({e.name}) is not installed; "
                'pip install "crm-assistant[postgres]"',
                path=self.label,
            ) from e
        if self.is_sqlite:
            _configure_sqlite(
                self.engine, busy_ms=_busy_timeout_ms() if self.path else 0, read_only=self.read_only
            )
        elif self.is_postgres:
            postgres.configure(self.engine, busy_ms=_busy_timeout_ms())
        self._write_engine = self.engine.execution_options(crm_write=True)
        if not upgrade:
            return
        try:
            with self._faults():
                migrations.upgrade(self.engine, read_only=self.read_only, label=self.label)
                if self.is_sqlite and self.path is not None and not self.read_only:
                    if not self._has_statistics():
                        self.refresh_statistics()
                    elif self._has_search_statistics():
                        self._drop_search_statistics()
            # An import that died part-way (kill -9) left its marker: remove what it wrote.
            bulk.recover_crashed_imports(self)
        except (SchemaTooNew, StorageError):
            self.engine.dispose()
            raise

    @property
    def stages_imports(self) -> bool:
        """True when a bulk import writes in short transactions (store/bulk.import_customers).

        A SQLite file and a PostgreSQL database: writers queue on one lock in both, so each write
        is kept short. An in-memory SQLite database has one connection and no one else to wait.
        """
        return self.is_postgres or (self.is_sqlite and self.path is not None)

    def _has_statistics(self) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first()
                is not None
            )

    def _has_search_statistics(self) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.exec_driver_sql(f"SELECT 1 FROM sqlite_stat1 WHERE {_SEARCH_TABLES}").first() is not None
            )

    def _drop_search_statistics(self) -> None:
        """Forget what ANALYZE said about the full-text index's own tables (see _SEARCH_TABLES)."""
        with self._faults(), self._write_engine.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM sqlite_stat1 WHERE {_SEARCH_TABLES}")
        # A connection reads the statistics when it loads the schema: the pooled ones still hold
        # the old figures, so they are closed (the next checkout opens a fresh one).
        self.engine.dispose()

    def refresh_statistics(self) -> None:
        """Gather SQLite's query-planner statistics (a sample of each index, milliseconds).

        Without them SQLite picks an index by its shape alone: one customer's follow-ups were read by
        walking every open follow-up in due order (80 ms at 200,000) instead of that customer's few.
        Run once per database and after a bulk import. PostgreSQL's autovacuum gathers its own in
        time; after a bulk import ANALYZE brings them up to date at once (it takes no write lock).
        """
        if self.read_only:
            return
        if not self.is_sqlite:
            with self._faults(), self.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
            return
        with self._faults(), self._write_engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA analysis_limit = 400")
            conn.exec_driver_sql("ANALYZE")
        self._drop_search_statistics()

    @contextmanager
    def _faults(self) -> Iterator[None]:
        try:
            yield
        except PoolTimeout as e:  # every pooled connection in use for the pool's whole timeout
            raise DatabaseBusy(BUSY_MESSAGE, path=self.path or self.label) from e
        except Exception as e:
            # SQLAlchemy's error, or the driver's own from a connection the pool opens (`raw_connection`,
            # store.quick_read): a server refusing, a file that is not a database.
            if not isinstance(e, DBAPIError | self.engine.dialect.loaded_dbapi.Error):
                raise
            fault = classify(e, self.path or self.label)
            if fault is None:
                raise
            raise fault from e

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; nothing it does is committed."""
        with self._faults(), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def quick_read(self) -> Iterator[Reader]:
        """A pooled connection for prebuilt reads (store/driver_query.py) without an ORM session: for
        the smallest reads, where the session's setup cost more than the SELECT. Nothing is committed.
        """
        with self._faults():
            raw = self.engine.raw_connection()
            try:
                yield Reader(self.engine.dialect, raw)
            finally:
                raw.close()  # back to the pool, which rolls back whatever the driver began

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session holding the write lock; committed on success, rolled back on any error."""
        if self.read_only:
            raise read_only_fault(self.path or self.label)
        with self._faults(), Session(self._write_engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """One connection for work that spans transactions (a bulk import stages rows, then writes)."""
        with self._faults(), self.engine.connect() as conn:
            yield conn

    def schema_version(self) -> int:
        with self._faults():
            return migrations.current_version(self.engine)

    def close(self) -> None:
        self.engine.dispose()
