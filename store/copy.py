"""Copying a whole database into another (SQLite and PostgreSQL, either way), ids and all.

Every table of the schema is copied row for row with its ids, in one transaction on the target:
a failure anywhere leaves the target as it was. The source is read in one snapshot, so writers
busy on it meanwhile cannot make the copy half old, half new. A target that already holds data is
refused unless `replace`, which empties it first (inside the same transaction). What is derived is
not copied but rebuilt by the target itself: the full-text index (SQLite's FTS5 triggers,
PostgreSQL's generated column), the names-version counter and its change history, id sequences
(advanced past the copied ids on PostgreSQL) and SQLite's planner statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, delete, func, inspect, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, StatementError
from sqlmodel import SQLModel

from store import postgres
from store.db import Store
from store.faults import classify
from store.models import Meta

CHUNK = 2_000
# Meta rows that belong to the database, not to its contents: each side keeps its own.
OWN_META = frozenset({"schema_version", "names_version"})


class CopyRefused(RuntimeError):
    """The copy cannot be made as asked; nothing was written."""


@dataclass
class CopyResult:
    source: str
    target: str
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied, in copy order
    replaced: dict[str, int] = field(default_factory=dict)  # table -> target rows removed first


def tables() -> list[Table]:
    """The schema's tables, parents before children."""
    return list(SQLModel.metadata.sorted_tables)


def _derived(name: str) -> bool:
    """Tables a database keeps for itself (SQLite's FTS5 shadow tables, statistics, follow-up tally,
    name-change history, the tags in use)."""
    return name.startswith(("sqlite_", "interaction_fts", "followup_tally", "name_change", "tag_name"))


def _unknown_tables(conn: Connection) -> list[str]:
    known = {t.name for t in tables()}
    return sorted(n for n in inspect(conn).get_table_names() if n not in known and not _derived(n))


def _content_only(table: Table) -> list[ColumnElement[bool]]:
    """The condition picking the rows of `table` that are data (for meta: not the database's own)."""
    return [table.c.key.not_in(OWN_META)] if table.name == Meta.__tablename__ else []


def _count(conn: Connection, table: Table) -> int:
    query = select(func.count()).select_from(table).where(*_content_only(table))
    return int(conn.execute(query).scalar_one())


def counts(conn: Connection) -> dict[str, int]:
    """Rows per table (meta: only its content rows)."""
    return {t.name: _count(conn, t) for t in tables()}


@contextmanager
def _snapshot(store: Store) -> Iterator[Connection]:
    """A read of `store` that sees one moment: writers committing meanwhile are not seen."""
    with store.connection() as conn:
        if store.is_postgres:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            if not store.is_postgres:
                # SQLite's snapshot starts with the first read: make it now, before anything is counted.
                conn.exec_driver_sql("SELECT 1 FROM meta LIMIT 1").first()
            yield conn


def _rows_of(table: Table) -> Select[Any]:
    return select(table).where(*_content_only(table)).order_by(*table.primary_key.columns)


Progress = Callable[[int, int], None]


def _silent(done: int, total: int) -> None:
    pass


def copy_database(
    source: Store, target: Store, *, replace: bool = False, progress: Progress = _silent
) -> CopyResult:
    """Copy every row of `source` into `target` (both at the same schema version); see the module doc.

    `progress(rows copied, rows in all)` is called after each chunk.
    """
    if source.url == target.url:
        raise CopyRefused("the source and the target are the same database")
    if target.read_only:
        raise CopyRefused(f"{_label(target)} is read-only")
    if source.schema_version() != target.schema_version():
        raise CopyRefused(
            f"{_label(source)} is at schema version {source.schema_version()} but {_label(target)} "
            f"at {target.schema_version()}; open both with the same crm-assistant first"
        )
    result = CopyResult(source=_label(source), target=_label(target))
    with _snapshot(source) as src:
        unknown = _unknown_tables(src)
        if unknown:
            raise CopyRefused(
                f"{_label(source)} has tables this crm-assistant does not know ({', '.join(unknown)}); "
                "copy it with the release that made them"
            )
        wanted = counts(src)
        with target.connection() as dst, dst.execution_options(crm_write=True).begin():
            present = {name: n for name, n in counts(dst).items() if n}
            if present and not replace:
                held = ", ".join(f"{n:,} {name}" for name, n in present.items())
                raise CopyRefused(
                    f"{_label(target)} is not empty ({held}); copy into an empty database, "
                    "or replace what it holds with --replace"
                )
            for table in reversed(tables()):
                if present.get(table.name):
                    dst.execute(delete(table).where(*_content_only(table)))
            result.replaced = present
            total, before = sum(wanted.values()), 0
            for table in tables():
                start = before

                def step(done: int, start: int = start) -> None:
                    progress(start + done, total)

                result.rows[table.name] = _copy_table(src, dst, table, source, target, step)
                before += result.rows[table.name]
            landed = counts(dst)
            if landed != wanted or result.rows != wanted:
                # Never expected; rolls the whole copy back rather than leave a partial one.
                raise CopyRefused(
                    f"the copy does not add up (read {wanted}, wrote {landed}); nothing was kept"
                )
    target.refresh_statistics()
    return result


def _copy_table(
    src: Connection, dst: Connection, table: Table, source: Store, target: Store, step: Callable[[int], None]
) -> int:
    """Copy the rows of one table; a row the target cannot take stops the whole copy, in one line."""
    copied = 0
    try:
        # Streamed (a server-side cursor on PostgreSQL): a big table is never all in memory.
        rows = src.execution_options(stream_results=True).execute(_rows_of(table)).mappings()
        while chunk := rows.fetchmany(CHUNK):
            dst.execute(table.insert(), [dict(r) for r in chunk])
            copied += len(chunk)
            step(copied)
        if target.is_postgres and "id" in table.c:
            postgres.advance_id_sequence(dst, table.name)
    except (StatementError, ValueError, TypeError) as e:
        if isinstance(e, DBAPIError):
            fault = classify(e, _label(target))  # busy, full, read-only: said as such
            if fault is not None:
                raise fault from e
        cause = e.orig if isinstance(e, StatementError) and e.orig is not None else e
        detail = str(cause).strip().splitlines()[0][:200] if str(cause).strip() else type(cause).__name__
        raise CopyRefused(
            f"the {table.name} table of {_label(source)} could not be copied after {copied:,} rows ({detail})"
        ) from e
    return copied


def _label(store: Store) -> str:
    """Where a store is, fit to print: a file path, or its URL without a password."""
    if store.path is not None:
        return store.path
    return make_url(store.url).render_as_string(hide_password=True)
