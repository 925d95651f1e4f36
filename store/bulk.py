"""Bulk writes for large imports: plain rows, one executemany per table and chunk, no ORM objects.

Building and flushing a SQLModel object costs a few hundred microseconds; at 100,000 customers
that alone took most of a minute. Rows written here still go through the column types' own
conversions (UTC datetimes, JSON) and the database's triggers (full-text index), and every created
customer gets its change-log row exactly as `Batch.created` writes it, so undo treats a bulk import
like any other change.

**A big import in short transactions** (`import_customers`). SQLite has one writer at a time and
crm writers on PostgreSQL queue on one lock (store/postgres.py), so one long write would make a
rep's note from Telegram wait for the whole import. The new customers are written instead in
chunks of about `CHUNK_ROWS` rows (customers and their contacts, notes, …), each its own short
write transaction, and other writers get the lock between chunks. On SQLite, whose waiting writers
poll for the lock, crm's writers say they wait (a shared `flock` on ``<file>-writers`` around their
BEGIN IMMEDIATE, `waiting_for_the_lock`, on a database an import has run on); between two chunks
the importer keeps the lock free while one does, and otherwise goes straight on, but leaves it free
`_GAP` long at least every `_QUIET_EVERY` seconds for writers that do not say so (the sqlite3
shell, other programs). The import stays all-or-nothing:

- the first chunk records a *pending import* row in `meta` (``import_pending:<batch>``, naming
  its change-log batch); the last transaction (the merge into customers that existed, and the
  users) deletes it;
- every chunk writes its customers' change-log rows in the same transaction, so the batch's log
  always lists exactly the customers written so far;
- a failure removes what the earlier chunks wrote (in short transactions) before it is raised;
  a process that dies (kill -9, power) leaves the marker behind, and the next `Store` opened on
  the database — or the next import — removes the rows of that batch and says so once (a
  warning on the `store.bulk` logger, which reaches stderr). A customer another writer added to
  or changed in the meantime is kept (their work is not thrown away) and counted in that line.
- one import runs at a time per database (a lock that dies with its process: `flock` on
  ``<file>-import`` for SQLite, a session advisory lock on PostgreSQL), which is also how a
  `Store` tells a live import's marker from a dead one's.

Mid-import, readers see the chunks already written (for the few seconds a 100,000-row import
writes): a customer list or `get_customer` by id shows them; the names version (what each process's
name index watches) is bumped once, at the end, so name lookups see the whole import at once. A
same-named customer created by a rep while the import runs is not a failure: the chunk that would
create it finds the name taken, leaves that record out, and the final transaction merges it into
the rep's customer (`Written.taken`).
"""

from __future__ import annotations

import bisect
import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

from pydantic_core import PydanticUndefined
from sqlalchemy import bindparam, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel

# The change log's own JSON spelling of values, so bulk-logged rows read like Batch.created's.
from store import postgres, tag_names
from store.changelog import IMPORT_PENDING_PREFIX, Batch, plain
from store.faults import DatabaseBusy, read_only_fault
from store.models import ChangeLog, Contact, Customer, FollowUp, Interaction, StageChange
from store.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from store.db import Store

log = logging.getLogger(__name__)

#: Rows (customers plus their children) per write transaction of a big import. At ~10,000 rows a
#: second under load that keeps each lock hold to a fraction of a second.
CHUNK_ROWS = 10_000
MARKER_PREFIX = IMPORT_PENDING_PREFIX
IMPORT_LOCK_KEY = postgres.WRITE_LOCK_KEY + 1  # PostgreSQL: "an import is running" (session lock)
_CHILD_MODELS: tuple[type[SQLModel], ...] = (Contact, Interaction, FollowUp, StageChange)
_IN = 500  # ids per IN (…) list


def _defaults(model: type[SQLModel]) -> dict[str, Callable[[], Any]]:
    """Per column, what the model fills in when a value is not given (None when it has no default)."""
    out: dict[str, Callable[[], Any]] = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it
        field_ = model.model_fields.get(column.key)
        if field_ is not None and field_.default_factory is not None:
            out[column.key] = field_.default_factory  # type: ignore[assignment]  # pydantic's factory may take the data dict; ours take none
        else:
            default = None if field_ is None or field_.default is PydanticUndefined else field_.default
            out[column.key] = _constant(default)
    return out


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def complete_rows(model: type[SQLModel], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with every column: given values, else the model's defaults (as the ORM would)."""
    defaults = _defaults(model)
    out = []
    for row in rows:
        unknown = set(row) - set(defaults)
        if unknown:
            raise ValueError(f"{model.__name__} has no column(s) {', '.join(sorted(unknown))}")
        out.append({name: row[name] if name in row else make() for name, make in defaults.items()})
    return out


def next_id(session: Session, model: type[SQLModel]) -> int:
    """The first free id of `model`'s table. Safe to hand out in a write session (it holds the lock)."""
    table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it
    return int(session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def insert_rows(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """INSERT `rows` with one executemany in the session's transaction; returns them completed."""
    full = complete_rows(model, rows)
    if full:
        conn = session.connection()
        table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it
        if not _is_pg(conn):
            conn.execute(insert(table), full)  # SQLite numbers a NULL id itself
        elif full[0].get("id") is None:  # PostgreSQL numbers only a missing id (from its sequence)
            conn.execute(insert(table), [{k: v for k, v in row.items() if k != "id"} for row in full])
        else:
            conn.execute(insert(table), full)
            # Explicit ids bypass the id sequence; the next ORM insert must not reuse one of them.
            postgres.advance_id_sequence(conn, table.name)
    return full


def record_created(batch: Batch, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Change-log rows saying `batch` created `rows` (complete rows with their ids), as Batch.created does."""
    logs = created_log_rows(batch, model, rows)
    insert_rows(batch.session, ChangeLog, logs)
    batch.count += len(logs)


def created_log_rows(batch: Batch, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The change-log rows `record_created` writes for `rows`."""
    at = batch.at or utcnow()
    return [
        {
            "batch": batch.id,
            "at": at,
            "actor": batch.actor,
            "source": batch.source,
            "summary": batch.summary,
            "entity": model.__tablename__,
            "entity_id": row["id"],
            "op": "create",
            "before": None,
            "after": {k: plain(v) for k, v in row.items()},
            "undoes": None,
            "undone_at": None,
        }
        for row in rows
    ]


def _is_pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


# ---- rows as the driver takes them ---------------------------------------------------------------


class _Converter:
    """Rows of one table as DBAPI parameter tuples, for a plain executemany.

    Each value goes through its column type's bind processor — the very conversion SQLAlchemy
    applies (UTC datetimes, JSON text, date text on SQLite) — but without its per-row parameter
    handling, which cost more than the insert itself. A value repeated across rows (the import's
    timestamp, a tag list) is converted once.
    """

    def __init__(self, conn: Connection, model: type[SQLModel], lead: tuple[str, ...]) -> None:
        table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it
        dialect = conn.dialect
        names = [c.name for c in table.columns if c.name not in lead and c.name != "id"]
        defaults = _defaults(model)
        self._constants: dict[str, Any] = {}
        self._factories: list[tuple[str, Callable[[], Any]]] = []
        per_row = _per_row_defaults(model)
        for name in names:
            if name in per_row:
                self._factories.append((name, defaults[name]))  # e.g. utcnow: per row, as the ORM calls it
            else:
                self._constants[name] = defaults[name]()
        self._get = itemgetter(*names) if len(names) > 1 else (lambda row, n=names[0]: (row[n],))
        self._convert = [
            (position, _memoised(process))
            for position, name in enumerate(names)
            if (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None
        ]
        mark = "%s" if dialect.paramstyle in ("format", "pyformat") else "?"
        columns = [*lead, *names]
        self.sql = (
            f'INSERT INTO "{table.name}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) '
            f"VALUES ({', '.join([mark] * len(columns))})"
        )

    def values(self, row: dict[str, Any]) -> tuple[Any, ...]:
        full = {**self._constants, **row}
        for name, make in self._factories:
            if name not in full:
                full[name] = make()
        values = self._get(full)
        if not self._convert:
            return tuple(values)
        out = list(values)
        for position, convert in self._convert:
            out[position] = convert(out[position])
        return tuple(out)


def _per_row_defaults(model: type[SQLModel]) -> set[str]:
    """Columns whose default is made per row (a clock), not one value for all (a constant, an empty list)."""
    return {
        name
        for name, field_ in model.model_fields.items()
        if field_.default_factory is not None and field_.default_factory not in (list, dict)
    }


_MEMO = 4096  # distinct values remembered per column
_MISSING = object()


def _memoised(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`process` (a bind processor) remembering what it made of values seen before."""
    memo: dict[Any, Any] = {}
    last: list[Any] = [_MISSING, None]  # the previous value (often the very same object: the import's clock)

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if value is last[0]:
            return last[1]
        key = _memo_key(value)
        if key is None:
            return process(value)
        found = memo.get(key, _MISSING)
        if found is _MISSING:
            found = process(value)
            if len(memo) < _MEMO:
                memo[key] = found
        if key[0] != "list":  # a list could change in place; a str, number or moment cannot
            last[0], last[1] = value, found
        return found

    return convert


def _memo_key(value: Any) -> Any:
    # Keyed by type too: 1 == 1.0 == True, but they may be stored differently.
    if type(value) is list:
        return ("list", *value) if all(type(v) is str for v in value) else None
    if isinstance(value, str | int | float) or hasattr(value, "isoformat"):
        return (type(value), value)
    return None


# ---- a big import in short transactions ------------------------------------------------------------


@dataclass
class NewRows:
    """What an import creates: new customers and their children, as plain column values.

    `customers`: one dict per new customer, every column but `id` that is given (the model's
    defaults fill the rest); `children`: per child model, (index of its customer in `customers`,
    its columns but `id` and `customer_id`), in customer order. `names_version`: the names version
    (store/queries.names_version) read before the file's names were looked up: while the database
    still holds it, no customer was created or renamed since, and a chunk need not look whether
    one of its names was taken meanwhile.
    """

    customers: list[dict[str, Any]]
    children: dict[type[SQLModel], list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    names_version: str | None = None


@dataclass
class Written:
    """What the chunks wrote, handed to the import's final step."""

    customers: int = 0
    children: dict[type[SQLModel], int] = field(default_factory=dict)
    #: index in `NewRows.customers` -> id of the same-named customer another writer created meanwhile
    taken: dict[int, int] = field(default_factory=dict)


class _Abandoned(Exception):
    """The final step asked to start over (a customer it merges into vanished)."""


def import_customers(
    store: Store,
    new: NewRows,
    *,
    batch: Batch,
    label: str,
    finish: Callable[[Batch, Written], bool],
) -> bool:
    """Write `new` in short transactions, then run `finish(batch, written)` in the last one.

    `batch` (its session is set here) names the change-log batch; `finish` merges into existing
    customers through `batch.session` and returns False to abandon the import. All or nothing: on
    False or any error, what the chunks wrote is removed again (False is returned, the error
    re-raised). See the module's docstring for crashes and what readers see meanwhile.
    """
    if store.read_only:
        raise read_only_fault(store.path or store.label)
    with (
        store.connection() as conn,
        _import_lock(store, conn, wait=True),
        _page_cache(conn),
        _Turns.of(store) as turns,
    ):
        _recover(conn)
        marker = MARKER_PREFIX + batch.id
        written = Written(children={model: 0 for model in new.children})
        chunks = _chunks(new)
        committed = 0
        try:
            ready = [_prepare(conn, new, *chunks[0])] if chunks else []
            for n in range(len(chunks)):
                with _write(conn):
                    if n == 0:
                        _set_marker(conn, marker, batch, label)
                    _write_chunk(conn, new, ready.pop(), batch, written)
                committed += 1
                released = time.monotonic()
                _after_chunk(written)
                if n + 1 < len(chunks):  # the next one's rows are converted while others write
                    ready.append(_prepare(conn, new, *chunks[n + 1]))
                    turns.let_others_in(released)
            with _write(conn), Session(bind=conn, expire_on_commit=False) as session:
                batch.session = session
                if not finish(batch, written):
                    raise _Abandoned
                session.flush()
                if chunks:
                    _bump_names_version(conn)
                    conn.execute(text("DELETE FROM meta WHERE key = :k"), {"k": marker})
            return True
        except BaseException as e:
            if committed:
                _undo_chunks(conn, marker, batch)
            if isinstance(e, _Abandoned):
                return False
            raise
        finally:
            conn.info.pop(_CONVERTERS, None)


#: SQLite page cache of the importing connection while it imports (KiB). The default (2 MiB) is less
#: than one chunk dirties (its rows, the change log, and leaves all over the name-key indexes), so
#: SQLite spilled pages to the WAL mid-transaction and read them back: about twice the page writes
#: and three times the reads of a 100,000-row import. Durability is unchanged (each chunk commits as
#: before); the cache is set back when the import ends, so a long-lived process keeps its memory.
_IMPORT_CACHE_KIB = 64 * 1024


@contextmanager
def _page_cache(conn: Connection) -> Iterator[None]:
    """A bigger SQLite page cache on `conn` for the import's duration (PostgreSQL: nothing to do)."""
    if _is_pg(conn):
        yield
        return
    # The DBAPI connection directly: a PRAGMA through SQLAlchemy would open a transaction.
    raw = conn.connection.driver_connection
    assert raw is not None
    before = int(raw.execute("PRAGMA cache_size").fetchone()[0])
    raw.execute(f"PRAGMA cache_size = {-_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with suppress(Exception):  # a broken connection: the pool discards it with its cache
            raw.execute(f"PRAGMA cache_size = {before}")


def _after_chunk(written: Written) -> None:
    """Runs after each chunk's commit, with no transaction open: other writers' turn (a seam for tests)."""


@contextmanager
def _write(conn: Connection) -> Iterator[None]:
    """One write transaction on `conn` (taking the write lock), committed on success."""
    conn.execution_options(crm_write=True)
    try:
        with conn.begin():
            yield
    finally:
        conn.execution_options(crm_write=False)


def _chunks(new: NewRows) -> list[tuple[int, int]]:
    """Customer index ranges [lo, hi) of about CHUNK_ROWS rows each, children included."""
    weight = [1] * len(new.customers)
    for rows in new.children.values():
        for index, _values in rows:
            weight[index] += 1
    out: list[tuple[int, int]] = []
    lo, size = 0, 0
    for index, w in enumerate(weight):
        size += w
        if size >= CHUNK_ROWS:
            out.append((lo, index + 1))
            lo, size = index + 1, 0
    if lo < len(weight):
        out.append((lo, len(weight)))
    return out


@dataclass
class _Chunk:
    """One transaction's rows, converted for the driver before the lock is taken (all but the customer id)."""

    lo: int
    hi: int
    customers: list[tuple[Any, ...]]
    children: dict[type[SQLModel], list[tuple[int, tuple[Any, ...]]]]


def _prepare(conn: Connection, new: NewRows, lo: int, hi: int) -> _Chunk:
    customers = _converter(conn, Customer, ("id",))
    children: dict[type[SQLModel], list[tuple[int, tuple[Any, ...]]]] = {}
    for model, rows in new.children.items():
        convert = _converter(conn, model, ("customer_id",))
        children[model] = [(index, convert.values(values)) for index, values in _slice(rows, lo, hi)]
    return _Chunk(lo, hi, [customers.values(new.customers[i]) for i in range(lo, hi)], children)


def _write_chunk(conn: Connection, new: NewRows, chunk: _Chunk, batch: Batch, written: Written) -> None:
    taken: dict[str, int] = {}
    if new.names_version is None or _names_version(conn) != new.names_version:
        taken = _existing_keys(conn, [new.customers[i]["name_key"] for i in range(chunk.lo, chunk.hi)])
    live = [i for i in range(chunk.lo, chunk.hi) if new.customers[i]["name_key"] not in taken]
    for i in range(chunk.lo, chunk.hi):
        cid = taken.get(new.customers[i]["name_key"])
        if cid is not None:
            written.taken[i] = cid
    if not live:
        return
    ids = _new_ids(conn, len(live))
    id_of = dict(zip(live, ids, strict=True))
    params = [(cid, *chunk.customers[i - chunk.lo]) for i, cid in id_of.items()]
    # The names version is bumped once at the end; the chunk's tags are listed in one statement.
    with _names_version_held(conn), tag_names.held(conn, ids[0], ids[-1]):
        conn.exec_driver_sql(_converter(conn, Customer, ("id",)).sql, params)
        for model, rows in chunk.children.items():
            params = [(id_of[index], *row) for index, row in rows if index in id_of]
            if params:
                conn.exec_driver_sql(_converter(conn, model, ("customer_id",)).sql, params)
            written.children[model] = written.children.get(model, 0) + len(params)
    _log_created(conn, batch, ids[0], ids[-1])
    written.customers += len(live)


# ---- other writers' turn between chunks (SQLite) -----------------------------------------------------

#: A writer waiting for SQLite's lock polls (its busy handler) at intervals that grow to 100 ms, so
#: the lock must stay free about that long for such a writer to notice; back-to-back chunks would
#: starve it. crm's own writers say they are waiting (`waiting_for_the_lock`): the importer keeps the
#: lock free only while one does, up to `_TURN_MAX` per gap.
_GAP = 0.1
_TURN_MAX = 0.5
#: A writer that does not say so (the sqlite3 shell, another program, a crm process on older code)
#: still gets a gap of `_GAP` at least every `_QUIET_EVERY` seconds of import: it waits about that
#: long plus one chunk (~0.2-0.4 s) at most, within the SPEC's 1 s for "another writer".
_QUIET_EVERY = 0.5
_POLL = 0.002  # how often the importer looks whether an announced writer got the lock


def import_lock_file(db_path: str) -> str:
    """The file beside a SQLite database whose `flock` says an import runs (`_import_lock`).

    `db_path` as `os.path.realpath` gives it (as for `writers_file`), so every process opening the
    database by another path (a symlink) uses the same side files.
    """
    return f"{db_path}-import"


def writers_file(db_path: str) -> str:
    """The file beside a SQLite database (`db_path` a realpath) on which crm writers announce they wait."""
    return f"{db_path}-writers"


@contextmanager
def waiting_for_the_lock(db_path: str | None) -> Iterator[None]:
    """Around a crm writer's BEGIN IMMEDIATE on a SQLite file (`db_path`: its realpath, worked out once
    by the caller): "a writer waits for the lock".

    A shared `flock` on `writers_file`, held until the body returns (the lock taken, or the busy
    timeout spent) and released by the kernel if the process dies. An import looks at it between
    its chunks (`_Turns`). Only on a database an import has run on (its ``-import`` lock file is
    there; an import creates it before its first chunk), so other databases get no extra file. A
    few microseconds per write. Nothing here ever fails or holds up a write: a file that cannot be
    opened or locked (a read-only folder, a file system without flock: ENOLCK) just means no
    announcement.
    """
    if db_path is None or not os.path.exists(import_lock_file(db_path)):
        yield
        return
    try:
        fd = os.open(writers_file(db_path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        yield
        return
    try:
        _share(fd)
        yield
    finally:
        os.close(fd)  # releases the lock


def _share(fd: int) -> None:
    """A shared flock on `fd`, not waiting more than a few milliseconds for it.

    Only an importer looking (`_Turns.someone_waits`, an instant) holds it exclusively; an importer
    stopped right then (SIGSTOP, a debugger) must not hang this writer: it goes on unannounced.
    """
    for _ in range(20):
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            time.sleep(0.001)
        except OSError:  # ENOLCK (a network or FUSE mount): no announcement, the write goes on
            return


class _Turns:
    """When an import on a SQLite file leaves the write lock free between two chunks.

    PostgreSQL queues the waiters of its lock fairly by itself, and an in-memory database has no
    other writer: there nothing is done (`of` gives an instance with no file).
    """

    def __init__(self, fd: int | None, *, gaps: bool) -> None:
        self._fd = fd
        self._gaps = gaps
        self._gap_at = time.monotonic()  # the last time the lock stayed free `_GAP` long (the start)

    @classmethod
    @contextmanager
    def of(cls, store: Store) -> Iterator[_Turns]:
        fd = None
        path = os.path.realpath(store.path) if store.is_sqlite and store.path is not None else None
        if path is not None:
            with suppress(OSError):  # no file: no announcements to see, the periodic gaps remain
                fd = os.open(writers_file(path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            yield cls(fd, gaps=path is not None)
        finally:
            if fd is not None:
                os.close(fd)

    def someone_waits(self) -> bool:
        """True while a crm writer announces it waits for the lock (its shared flock is held)."""
        fd = self._fd
        if fd is None:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return False
        except BlockingIOError:
            return True
        except OSError:  # ENOLCK: no announcements on this file system; the periodic gaps remain
            self._fd = None
            os.close(fd)
            return False
        finally:  # let go at once, whatever interrupts (unlocking a lock not held does nothing)
            if self._fd is not None:
                with suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)

    def let_others_in(self, released: float) -> None:
        """After a chunk committed at `released` (monotonic): keep the lock free while it is needed."""
        if not self._gaps:
            return
        if self.someone_waits():
            until = released + _TURN_MAX
            while self.someone_waits() and time.monotonic() < until:
                time.sleep(_POLL)
        elif time.monotonic() - self._gap_at >= _QUIET_EVERY:
            time.sleep(max(0.0, _GAP - (time.monotonic() - released)))
        now = time.monotonic()
        if now - released >= _GAP:
            self._gap_at = now


_CONVERTERS = "crm_import_converters"


def _converter(conn: Connection, model: type[SQLModel], lead: tuple[str, ...]) -> _Converter:
    # One per table and connection for the whole import, so its memo carries across chunks.
    cache: dict[tuple[type[SQLModel], tuple[str, ...]], _Converter] = conn.info.setdefault(_CONVERTERS, {})
    if (model, lead) not in cache:
        cache[model, lead] = _Converter(conn, model, lead)
    return cache[model, lead]


def _slice(rows: list[tuple[int, dict[str, Any]]], lo: int, hi: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows whose customer index is in [lo, hi) (rows are in customer order)."""
    start = bisect.bisect_left(rows, lo, key=itemgetter(0))
    for k in range(start, len(rows)):
        if rows[k][0] >= hi:
            return
        yield rows[k]


def _existing_keys(conn: Connection, keys: list[str]) -> dict[str, int]:
    """Which of these name keys a customer has by now (created by another writer since the file was read).

    One statement for the whole chunk: the keys as one JSON array (SQLite) or array (PostgreSQL).
    """
    if _is_pg(conn):
        rows = conn.exec_driver_sql("SELECT name_key, id FROM customer WHERE name_key = ANY(%s)", (keys,))
    else:
        rows = conn.exec_driver_sql(
            "SELECT name_key, id FROM customer WHERE name_key IN (SELECT value FROM json_each(?))",
            (json.dumps(keys),),
        )
    return {str(key): int(cast(int, cid)) for key, cid in rows}


def _names_version(conn: Connection) -> str | None:
    row = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'names_version'").first()
    return None if row is None else str(row[0])


def _new_ids(conn: Connection, count: int) -> list[int]:
    """`count` consecutive free customer ids (the write lock is held: nobody else takes ids now)."""
    if _is_pg(conn):
        postgres.advance_id_sequence(conn, "customer")  # past any explicit id inserted without it
        rows = conn.execute(
            text("SELECT nextval(pg_get_serial_sequence('customer', 'id')) FROM generate_series(1, :n)"),
            {"n": count},
        )
        return sorted(int(r[0]) for r in rows)
    top = int(conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM customer").scalar_one())
    return list(range(top + 1, top + 1 + count))


@contextmanager
def _names_version_held(conn: Connection) -> Iterator[None]:
    """No names-version bump for this chunk's inserts: `import_customers` bumps once at the end.

    On SQLite the per-row insert triggers are dropped and re-created inside the transaction (no
    other connection ever sees the schema without them); on PostgreSQL the statement trigger is
    told this transaction has bumped already (see crm_bump_names_version in store/postgres.py).
    """
    if _is_pg(conn):
        conn.exec_driver_sql("SELECT set_config('crm.names_bumped', txid_current()::text, true)")
        yield
        return
    marks = "'customer_names_ai', 'contact_names_ai'"
    triggers = list(
        conn.exec_driver_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})"
        )
    )
    for name, _sql in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in triggers:
        conn.exec_driver_sql(str(sql))


def _bump_names_version(conn: Connection) -> None:
    cast = "(CAST(value AS BIGINT) + 1)::text" if _is_pg(conn) else "CAST(value AS INTEGER) + 1"
    conn.exec_driver_sql(f"UPDATE meta SET value = {cast} WHERE key = 'names_version'")


def _log_created(conn: Connection, batch: Batch, lo: int, hi: int) -> None:
    """The change-log rows saying `batch` created customers lo..hi, built by the database from the rows."""
    pg = _is_pg(conn)
    params: dict[str, Any] = {
        "batch": batch.id,
        "at": batch.at or utcnow(),
        "actor": batch.actor,
        "source": batch.source,
        "summary": batch.summary,
        "lo": lo,
        "hi": hi,
    }
    if not pg:
        # An import's customers mostly share their timestamps (the import's moment): the first row's
        # are spelled once, by the same SQL, and a row holding the same stored text takes that spelling.
        moments = [c.name for c in _columns(Customer) if isinstance(c.type, UTCDateTime)]
        refs = [(name, f'"{name}"') for name in moments]
        spelled = ", ".join(f"{ref}, {_moment_json(ref)}" for _, ref in refs)
        first = conn.exec_driver_sql(f"SELECT {spelled} FROM customer WHERE id = ?", (lo,)).first()
        for n, name in enumerate(moments):
            params[f"s_{name}"], params[f"j_{name}"] = (
                (first[2 * n], first[2 * n + 1]) if first else (None, None)
            )
    statement = text(
        "INSERT INTO change_log (batch, at, actor, source, summary, entity, entity_id, op, "
        "before, after, undoes, undone_at) "
        "SELECT CAST(:batch AS TEXT), :at, CAST(:actor AS TEXT), CAST(:source AS TEXT), "
        "CAST(:summary AS TEXT), 'customer', id, 'create', 'null', "
        f"{_snapshot_sql(Customer, pg=pg, shared=not pg)}, NULL, NULL "
        "FROM customer WHERE id BETWEEN :lo AND :hi ORDER BY id"
    ).bindparams(bindparam("at", type_=UTCDateTime))
    result = conn.execute(statement, params)
    batch.count += int(result.rowcount or 0)


def _columns(model: type[SQLModel]) -> list[Any]:
    return list(model.__table__.columns)  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it


def _moment_json(ref: str) -> str:
    """SQLite: the stored UTC moment `ref` ('YYYY-MM-DD HH:MM:SS.ffffff', naive) as `plain` writes it."""
    return (
        f"CASE WHEN {ref} IS NULL THEN NULL ELSE replace(substr({ref}, 1, 19), ' ', 'T') || "
        f"CASE WHEN substr({ref}, 21, 6) IN ('', '000000') THEN '' "
        f"ELSE '.' || substr({ref}, 21, 6) END "
        f"|| '+00:00' END"
    )


def _snapshot_sql(model: type[SQLModel], *, pg: bool = False, shared: bool = False) -> str:
    """SQL building, from a stored row, the JSON `Batch.created` writes for it (as `plain` spells values).

    Building 100,000 snapshots in Python took seconds; the database builds them in the insert.
    `shared` (SQLite): a moment whose stored text is :s_<column> takes the spelling :j_<column>.
    """
    parts = []
    for column in _columns(model):
        ref = f'"{column.name}"'
        if pg and isinstance(column.type, UTCDateTime):
            # isoformat(): microseconds only when there are any.
            expr = (
                f"CASE WHEN {ref} IS NULL THEN NULL ELSE to_char({ref}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
                f"CASE WHEN to_char({ref}, 'US') = '000000' THEN '' ELSE '.' || to_char({ref}, 'US') END "
                f"|| '+00:00' END"
            )
        elif pg:
            expr = ref  # a json column stays json inside json_build_object
        elif isinstance(column.type, UTCDateTime):
            # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (naive UTC); `plain` writes isoformat() in UTC.
            expr = _moment_json(ref)
            if shared:
                name = column.name
                expr = f"CASE WHEN {ref} = :s_{name} THEN :j_{name} ELSE {expr} END"
        elif column.type.__class__.__name__ == "JSON":
            expr = f"json({ref})"
        else:
            expr = ref
        parts.append(f"'{column.name}', {expr}")
    return f"{'json_build_object' if pg else 'json_object'}({', '.join(parts)})"


# ---- the pending-import marker, and removing what a crashed import wrote ----------------------------


def _set_marker(conn: Connection, key: str, batch: Batch, label: str) -> None:
    value = json.dumps({"actor": batch.actor, "label": label[:200], "at": plain(batch.at or utcnow())})
    conn.execute(text("INSERT INTO meta (key, value) VALUES (:k, :v)"), {"k": key, "v": value})


def _markers(conn: Connection) -> list[tuple[str, dict[str, Any]]]:
    rows = conn.execute(
        text("SELECT key, value FROM meta WHERE key >= :lo AND key < :hi ORDER BY key"),
        {"lo": MARKER_PREFIX, "hi": MARKER_PREFIX[:-1] + chr(ord(MARKER_PREFIX[-1]) + 1)},
    ).all()
    out = []
    for key, value in rows:
        try:
            info = json.loads(str(value))
        except ValueError:
            info = {}
        out.append((str(key), info if isinstance(info, dict) else {}))
    return out


def recover_crashed_imports(store: Store) -> None:
    """Remove what an import that died part-way wrote (its marker is left behind), if nobody is importing.

    Called on opening a store: a cheap look at `meta` when there is nothing to do.
    """
    if store.read_only or not store.stages_imports:
        return
    try:
        with store.connection() as conn:
            found = bool(_markers(conn))
            conn.rollback()
            if not found:
                return
            with _import_lock(store, conn, wait=False) as held:
                if held:
                    _recover(conn)
    except DatabaseBusy:
        # Other writers kept the lock: opening still works; the next open (or import) tries again.
        log.warning("an unfinished import's rows could not be removed yet (the database is busy)")


def _recover(conn: Connection) -> None:
    """Remove the rows of every import whose marker is left (the caller holds the import lock)."""
    markers = _markers(conn)
    conn.rollback()
    for key, info in markers:
        batch_id = key.removeprefix(MARKER_PREFIX)
        removed, kept = _remove_batch(conn, batch_id, str(info.get("actor", "")))
        with _write(conn):
            conn.execute(text("DELETE FROM meta WHERE key = :k"), {"k": key})
        note = (
            f"; kept {kept} that others had added to or changed meanwhile (undo them by hand if unwanted)"
            if kept
            else ""
        )
        log.warning(
            "an import (%s, started %s) did not finish; removed the %d customers it had written%s",
            info.get("label", "unnamed"),
            info.get("at", "at an unknown time"),
            removed,
            note,
        )


def _undo_chunks(conn: Connection, marker: str, batch: Batch) -> None:
    """After a failed import: remove what its chunks wrote. If that fails too, the marker stays for later."""
    try:
        with suppress(Exception):
            conn.rollback()
        _remove_batch(conn, batch.id, batch.actor)
        with _write(conn):
            conn.execute(text("DELETE FROM meta WHERE key = :k"), {"k": marker})
    except Exception:  # noqa: BLE001 - the import's own error is the one to report
        log.warning("could not remove a failed import's rows now; the next open of the database will")


def _remove_batch(conn: Connection, batch_id: str, actor: str) -> tuple[int, int]:
    """Delete the customers (their children by cascade) `batch_id` created, and their change-log rows,
    a chunk per transaction. Returns (removed, kept): kept ones were added to or changed by others."""
    first = conn.execute(
        text("SELECT MIN(id) FROM change_log WHERE actor = :a AND batch = :b"), {"a": actor, "b": batch_id}
    ).scalar()
    conn.rollback()
    if first is None:
        return 0, 0
    removed = kept = 0
    below: int | None = None
    while True:
        with _write(conn):
            rows = conn.execute(
                text(
                    "SELECT id, entity_id FROM change_log WHERE actor = :a AND batch = :b "
                    "AND entity = 'customer' AND op = 'create'"
                    + ("" if below is None else " AND id < :below")
                    + " ORDER BY id DESC LIMIT :n"
                ),
                {"a": actor, "b": batch_id, "below": below, "n": 2 * _IN},
            ).all()
            if not rows:
                break
            below = int(cast(int, rows[-1][0]))
            pairs = [(int(cast(int, log_id)), int(cast(int, cid))) for log_id, cid in rows]
            touched = _touched(conn, batch_id, int(first), [cid for _, cid in pairs])
            gone = [(log_id, cid) for log_id, cid in pairs if cid not in touched]
            kept += len(rows) - len(gone)
            for start in range(0, len(gone), _IN):
                part = gone[start : start + _IN]
                _delete_in(conn, "customer", [cid for _, cid in part])  # the cascade takes the children
                _delete_in(conn, "change_log", [log_id for log_id, _ in part])
            removed += len(gone)
    return removed, kept


def _delete_in(conn: Connection, table: str, ids: list[int]) -> None:
    if ids:
        query = text(f'DELETE FROM "{table}" WHERE id IN :ids').bindparams(bindparam("ids", expanding=True))
        conn.execute(query, {"ids": ids})


def _touched(conn: Connection, batch_id: str, first: int, customer_ids: list[int]) -> set[int]:
    """Which of these customers another batch changed, or added a contact, note, … to, since `first`."""
    out: set[int] = set()
    for start in range(0, len(customer_ids), _IN):
        part = customer_ids[start : start + _IN]
        params = {"b": batch_id, "first": first, "ids": part}
        own = text(
            "SELECT entity_id FROM change_log WHERE id > :first AND batch <> :b "
            "AND entity = 'customer' AND entity_id IN :ids"
        ).bindparams(bindparam("ids", expanding=True))
        out |= {int(r[0]) for r in conn.execute(own, params)}
        for model in _CHILD_MODELS:
            name = model.__tablename__
            added = text(
                f'SELECT x.customer_id FROM change_log l JOIN "{name}" x ON x.id = l.entity_id '
                f"WHERE l.id > :first AND l.batch <> :b AND l.entity = '{name}' AND x.customer_id IN :ids"
            ).bindparams(bindparam("ids", expanding=True))
            out |= {int(r[0]) for r in conn.execute(added, params)}
    return out


# ---- one import at a time ----------------------------------------------------------------------------


@contextmanager
def _import_lock(store: Store, conn: Connection, *, wait: bool) -> Iterator[bool]:
    """Hold the database's import lock (yields False when `wait` is False and another process holds it).

    The lock belongs to the process (SQLite: `flock` on a side file) or the connection (PostgreSQL:
    a session advisory lock), so it is released when the importer dies, however it dies.
    """
    if store.is_postgres:
        call = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
        got = conn.exec_driver_sql(f"SELECT {call}({IMPORT_LOCK_KEY})").scalar()
        conn.commit()
        held = got is not False
        try:
            yield held
        finally:
            if held:
                try:
                    conn.rollback()
                    conn.exec_driver_sql(f"SELECT pg_advisory_unlock({IMPORT_LOCK_KEY})")
                    conn.commit()
                except Exception:  # noqa: BLE001 - a broken connection: closing it releases the lock
                    conn.invalidate()
        return
    if store.path is None:
        yield True
        return
    fd = os.open(import_lock_file(os.path.realpath(store.path)), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock
