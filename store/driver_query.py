"""Prebuilt statements run straight on the DBAPI cursor: SELECTs for the smallest and most frequent
reads, single-row INSERTs for the busiest write (a logged note and its change-log row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Table, insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

# The SQL, its positional parameter names (None: named), the values compiled into it, and each
# selected column's result converter (None until the statement first ran on the dialect).
_Plan = tuple[str, list[str] | None, dict[str, Any], list[Any] | None]


@dataclass(frozen=True)
class Reader:
    """A DBAPI connection to read on without an ORM session (`Store.quick_read`), or a session's own
    (`Reader.of`): prebuilt reads on it skip the session's setup, ~60-80 µs of a small read's ~200."""

    dialect: Dialect
    connection: Any  # the driver's connection (sqlite3 / psycopg)

    @classmethod
    def of(cls, session: Session) -> Reader:
        """The connection of `session`'s transaction (begun if it has none)."""
        conn = session.connection()
        return cls(conn.dialect, conn.connection)


def run_sql(conn: Connection, sql: str) -> None:
    """Run `sql` (plain SQL, no parameters, no rows) straight on `conn`'s DBAPI cursor: for the BEGIN
    every session issues (`exec_driver_sql` cost ~35 µs of it). Errors are raised as SQLAlchemy's."""
    _plain(conn, sql, fetch=False)


def first_row(conn: Connection, sql: str) -> tuple[Any, ...] | None:
    """The first row of `sql` (plain SQL, no parameters) run straight on `conn`'s DBAPI cursor, values
    as the driver gives them: for a one-row read made on every lookup (the names version), where
    `exec_driver_sql` cost ~35 µs against ~4 µs for the read. Errors are raised as SQLAlchemy's."""
    return _plain(conn, sql, fetch=True)


def _plain(conn: Connection, sql: str, *, fetch: bool) -> tuple[Any, ...] | None:
    with executed(conn.dialect, conn.connection, sql, ()) as cursor:
        row = cursor.fetchone() if fetch else None
    return None if row is None else tuple(row)


@contextmanager
def executed(dialect: Dialect, dbapi_conn: Any, sql: str, args: Any) -> Iterator[Any]:
    """A cursor of `dbapi_conn` that has run `sql` with `args`, closed afterwards; a driver error (in
    the statement or in reading its result) is raised as SQLAlchemy's, so the store names the fault."""
    dbapi_error = dialect.loaded_dbapi.Error
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(sql, args)
        yield cursor
    except dbapi_error as e:
        raise DBAPIError.instance(sql, args, e, dbapi_error) from e
    finally:
        cursor.close()


class DriverQuery:
    """A prebuilt SELECT compiled once per dialect and run straight on the DBAPI cursor of the session's
    connection (in the session's transaction), its values converted by the columns' own types.

    For the smallest, most frequent reads: SQLAlchemy's per-execute work (execution context, result
    object, row processing) was most of what an MCP `recent_changes` call cost, ~0.7 ms of CPU in
    the server against 0.1 ms for the SELECT, and half of `get_customer`'s six reads. Only for
    statements whose parameters need no conversion (ints and strings; a value written into the
    statement, such as `status == "open"`, is passed as compiled); errors are raised as SQLAlchemy's,
    so the store reports them as usual.
    """

    def __init__(self, statement: Select[Any]) -> None:
        self._statement = statement
        self._plans: dict[str, _Plan] = {}

    def _plan(self, dialect: Dialect) -> _Plan:
        compiled = self._statement.compile(dialect=dialect)
        names = list(compiled.positiontup or []) if compiled.positional else None
        fixed = {name: value for name, value in compiled.params.items() if value is not None}
        return compiled.string, names, fixed, None

    def _converters(self, dialect: Dialect, description: Any) -> list[Any]:
        """Each column's result converter, given the driver's type code (PostgreSQL's numeric columns
        convert by the type the server sent; SQLite sends none)."""
        return [
            c.type.dialect_impl(dialect).result_processor(dialect, d[1])
            for c, d in zip(self._statement.selected_columns, description, strict=True)
        ]

    def rows(
        self, session: Session | Reader, params: dict[str, Any], keep: int | None = None
    ) -> tuple[list[tuple[Any, ...]], int]:
        """The first `keep` rows (all when None) with their values converted, and how many were read.

        On a `Reader`'s connection; in the session's transaction when it has one; else (one statement
        reads one consistent state) on a pooled connection of its engine, without BEGIN and ROLLBACK.
        """
        if isinstance(session, Session) and session.in_transaction():
            session = Reader.of(session)
        if isinstance(session, Reader):
            return self._run(session.dialect, session.connection, params, keep)
        engine = session.get_bind().engine
        raw = engine.raw_connection()
        try:
            return self._run(engine.dialect, raw, params, keep)
        finally:
            raw.close()  # back to the pool, which rolls back whatever the driver began

    def _run(
        self, dialect: Dialect, dbapi_conn: Any, params: dict[str, Any], keep: int | None
    ) -> tuple[list[tuple[Any, ...]], int]:
        plan = self._plans.get(dialect.name)
        if plan is None:
            plan = self._plans[dialect.name] = self._plan(dialect)
        sql, names, fixed, convert = plan
        values = {**fixed, **params} if fixed else params
        args: Any = tuple(values[n] for n in names) if names is not None else values
        with executed(dialect, dbapi_conn, sql, args) as cursor:
            found = cursor.fetchall()
            if convert is None:  # the first run on this dialect: the column types are known now
                convert = self._converters(dialect, cursor.description)
                self._plans[dialect.name] = (sql, names, fixed, convert)
        kept = found if keep is None else found[:keep]
        rows = [tuple(v if f is None else f(v) for f, v in zip(convert, row, strict=True)) for row in kept]
        return rows, len(found)


class DriverInsert:
    """A single-row INSERT of every column but the id (the new id: RETURNING, or SQLite's lastrowid
    before 3.35), compiled once per dialect and run straight on the DBAPI cursor of a write session's
    connection (in its transaction).

    Each value goes through its column's own bind conversion (the UTC datetimes, JSON), so the row is
    exactly what SQLAlchemy would write; errors are raised as SQLAlchemy's, so the store reports
    them as usual. SQLAlchemy's per-execute work was ~70 µs of each INSERT's ~90 µs (FTS trigger
    included); a logged note makes two.
    """

    def __init__(self, table: Table) -> None:
        self._table = table
        self._keys = [c.key for c in table.columns if c.key != "id"]
        # The SQL, the parameter order (None: named), each column's bind converter and whether the
        # id comes back as a row (RETURNING) or as the cursor's lastrowid, per dialect.
        self._plans: dict[str, tuple[str, list[str] | None, dict[str, Any], bool]] = {}

    def _plan(self, dialect: Dialect) -> tuple[str, list[str] | None, dict[str, Any], bool]:
        # SQLite before 3.35 has no RETURNING (SQLAlchemy then says insert_returning is False).
        returning = bool(dialect.insert_returning)
        statement = insert(self._table)
        if returning:
            statement = statement.returning(self._table.c.id)
        compiled = statement.compile(dialect=dialect, column_keys=self._keys)
        names = list(compiled.positiontup or []) if compiled.positional else None
        convert = {
            c.key: c.type.dialect_impl(dialect).bind_processor(dialect)
            for c in self._table.columns
            if c.key != "id"
        }
        return compiled.string, names, convert, returning

    def insert(self, conn: Connection, values: dict[str, Any]) -> int:
        """Insert one row of `values` (every column but the id) on `conn`; the new row's id."""
        dialect = conn.dialect
        plan = self._plans.get(dialect.name)
        if plan is None:
            plan = self._plans[dialect.name] = self._plan(dialect)
        sql, names, convert, returning = plan
        if missing := set(self._keys) - values.keys():
            raise KeyError(f"{self._table.name}: no value for {', '.join(sorted(missing))}")
        bound = {k: (v if (f := convert[k]) is None else f(v)) for k, v in values.items() if k in convert}
        args: Any = tuple(bound[n] for n in names) if names is not None else bound
        with executed(dialect, conn.connection, sql, args) as cursor:
            row = cursor.fetchone() if returning else (cursor.lastrowid,)
        new_id = None if row is None else row[0]
        if new_id is None:  # never for a single-row INSERT into a table with an integer key
            raise RuntimeError(f"the new {self._table.name} row's id was not returned")
        return int(new_id)
