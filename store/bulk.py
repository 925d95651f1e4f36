"""Bulk writes for large imports: plain rows, one executemany per table, no ORM objects.

Building and flushing a SQLModel object costs a few hundred microseconds; at 100,000 customers
that alone took most of a minute. Rows written here still go through the column types (UTC
datetimes, JSON) and the database's triggers (full-text index, names version), inside the caller's
write session, so they commit or roll back with everything else. Every created row can be given
its change-log row exactly as `Batch.created` writes it, so undo treats a bulk import like any
other change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import MetaData, bindparam, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel

# The change log's own JSON spelling of values, so bulk-logged rows read like Batch.created's.
from store import postgres
from store.changelog import Batch, plain
from store.models import ChangeLog
from store.types import UTCDateTime, utcnow


def _defaults(model: type[SQLModel]) -> dict[str, Callable[[], Any]]:
    """Per column, what the model fills in when a value is not given (None when it has no default)."""
    out: dict[str, Callable[[], Any]] = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it
        field = model.model_fields.get(column.key)
        if field is not None and field.default_factory is not None:
            out[column.key] = field.default_factory  # type: ignore[assignment]  # pydantic's factory may take the data dict; ours take none
        else:
            default = None if field is None or field.default is PydanticUndefined else field.default
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
    """INSERT `rows` with one executemany in the session's transaction; returns them completed.

    (Handing the driver pre-converted tuples, bypassing SQLAlchemy's parameter processing, was
    measured: no faster at 40,000 rows, so the column types stay in charge of storage formats.)
    """
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


# ---- staging: rows checked and converted with no lock held, then copied in one short write --------
#
# SQLite has one writer at a time. Converting 100,000 rows through the column types takes seconds;
# done inside the write transaction, every other writer (a rep's note from Telegram) would wait
# for all of it. So the rows go first into TEMP tables of the importing connection — private to
# it, no lock on the main database — and the write transaction only copies them across with
# INSERT … SELECT, which SQLite does in C, building the change-log snapshots as it goes. Staged
# customers carry the ids they would get; if another writer created customers meanwhile, the copy
# shifts them (and the ids their children and change-log rows point at) past the ids in use.
# PostgreSQL does the same with its own TEMP tables: there other writers would not wait for the
# inserts (MVCC), but crm writers queue on one lock (store/postgres.py), so the write stays short.


def _is_pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _temp(conn: Connection, name: str) -> str:
    """A staged table's qualified name (TEMP tables live in schema pg_temp on PostgreSQL)."""
    return f'pg_temp."{name}"' if _is_pg(conn) else f'temp."{name}"'


def _main(conn: Connection, name: str) -> str:
    return f'"{name}"' if _is_pg(conn) else f'main."{name}"'


def _staged_order(conn: Connection) -> str:
    # Staged rows are copied in the order they were staged (the file's): a fresh TEMP table's
    # physical order on PostgreSQL, its rowid on SQLite.
    return "ctid" if _is_pg(conn) else "rowid"


STAGE_PREFIX = "crm_import_"


def stage(
    conn: Connection, model: type[SQLModel], rows: list[dict[str, Any]], *, complete: bool = True
) -> str:
    """Put `rows` (completed as the ORM would) in a TEMP table shaped like `model`'s; returns its name.

    `complete=False` when the rows already have every column (as `complete_rows` makes them).
    """
    table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it
    name = f"{STAGE_PREFIX}{table.name}"
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_temp(conn, name)}")
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    conn.exec_driver_sql(
        f'CREATE TEMP TABLE "{name}" AS SELECT {columns} FROM {_main(conn, table.name)} WHERE 1 = 0'
    )
    # The same columns and types, so values are stored exactly as an ORM write would store them.
    schema = "pg_temp" if _is_pg(conn) else "temp"
    staging = table.to_metadata(MetaData(), schema=schema, name=name)
    full = complete_rows(model, rows) if complete else rows
    if full:
        conn.execute(insert(staging), full)
    if _is_pg(conn):
        conn.info[postgres.STAGED] = True  # this connection's next write copies: see postgres.configure
    return name


def drop_staged(conn: Connection, names: list[str]) -> None:
    for name in names:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_temp(conn, name)}")
    for key in (postgres.STAGED, postgres.LOCK_PENDING, postgres.NAMES_PENDING):
        conn.info.pop(key, None)


def copy_staged(
    conn: Connection,
    model: type[SQLModel],
    name: str,
    *,
    shift: dict[str, int],
    keep_id: bool = False,
    shift_json_id: str | None = None,
) -> int:
    """INSERT … SELECT the staged rows into the real table, adding `shift[column]` to those columns.

    Without `keep_id` the rows get fresh ids. `shift_json_id` names a JSON column whose "id" is
    shifted like `entity_id` (a change-log row's snapshot of the row it created).
    """
    table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it
    columns = [c.name for c in table.columns if keep_id or c.name != "id"]
    exprs = []
    for col_name in columns:
        quoted = f'"{col_name}"'
        off = int(shift.get("entity_id", 0)) if col_name == shift_json_id else 0
        if off and _is_pg(conn):
            exprs.append(
                f"jsonb_set({quoted}::jsonb, '{{id}}', to_jsonb(({quoted}->>'id')::bigint + {off}))::json"
            )
        elif off:
            exprs.append(f"json_set({quoted}, '$.id', json_extract({quoted}, '$.id') + {off})")
        else:
            exprs.append(f"{quoted} + {int(shift[col_name])}" if shift.get(col_name) else quoted)
    result = conn.exec_driver_sql(
        f"INSERT INTO {_main(conn, table.name)} ({', '.join(chr(34) + c + chr(34) for c in columns)}) "
        f"SELECT {', '.join(exprs)} FROM {_temp(conn, name)} ORDER BY {_staged_order(conn)}"
    )
    if keep_id and _is_pg(conn):
        postgres.advance_id_sequence(conn, table.name)
    if model is ChangeLog and _is_pg(conn):
        # The change log is an import's last copy; what follows (merging into customers that exist)
        # reads and changes rows others may write, so from here it holds the write lock.
        postgres.take_deferred_lock(conn)
    return int(result.rowcount or 0)


def staged_keys_taken(conn: Connection, name: str) -> list[str]:
    """Names of staged customers that exist in the database by now (created since the file was read)."""
    rows = conn.exec_driver_sql(
        f"SELECT s.name_key FROM {_temp(conn, name)} s JOIN {_main(conn, 'customer')} c "
        "ON c.name_key = s.name_key LIMIT 20"
    )
    return [r[0] for r in rows]


def max_id(conn: Connection, model: type[SQLModel]) -> int:
    """The highest id in use; the staged rows are numbered from the next one on.

    On PostgreSQL, inside an import's copy (which holds no write lock yet), the ids the staged rows
    need are reserved from the table's sequence at the same time, so no other writer takes them.
    """
    table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it
    if _is_pg(conn) and postgres.LOCK_PENDING in conn.info:
        staged = conn.exec_driver_sql(f"SELECT COUNT(*) FROM {_temp(conn, STAGE_PREFIX + table.name)}")
        return postgres.reserve_ids(conn, table.name, int(staged.scalar_one()))
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())


def created_log_rows(batch: Batch, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The change-log rows `record_created` would write for `rows`, to stage instead."""
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


@contextmanager
def names_version_once(conn: Connection, tables: tuple[str, ...] = ("customer", "contact")) -> Iterator[None]:
    """Bump the names version once for a bulk copy instead of once per row (a trigger costs ~2 µs a row).

    The insert triggers are dropped and re-created inside the caller's transaction, so no other
    connection ever sees the schema without them.
    """
    if _is_pg(conn):  # its triggers run once per transaction already; a lock-free copy bumps later
        postgres.defer_names_version(conn)
        yield
        return
    marks = ", ".join(f"'{t}_names_ai'" for t in tables)
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
    if triggers:
        conn.exec_driver_sql("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'names_version'")


def _snapshot_sql(model: type[SQLModel], shift_id: int, *, pg: bool = False) -> str:
    """SQL building, from a staged row, the JSON `Batch.created` writes for it (as `plain` spells values).

    Building 100,000 snapshots in Python and staging them took seconds; SQLite builds them in the copy.
    """
    parts = []
    for column in model.__table__.columns:  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it
        ref = f'"{column.name}"'
        if column.name == "id":
            expr = f"{ref} + {int(shift_id)}"
        elif pg and isinstance(column.type, UTCDateTime):
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
            expr = (
                f"CASE WHEN {ref} IS NULL THEN NULL ELSE replace(substr({ref}, 1, 19), ' ', 'T') || "
                f"CASE WHEN substr({ref}, 21, 6) IN ('', '000000') THEN '' "
                f"ELSE '.' || substr({ref}, 21, 6) END "
                f"|| '+00:00' END"
            )
        elif column.type.__class__.__name__ == "JSON":
            expr = f"json({ref})"
        else:
            expr = ref
        parts.append(f"'{column.name}', {expr}")
    return f"{'json_build_object' if pg else 'json_object'}({', '.join(parts)})"


def stage_created_log(conn: Connection, batch: Batch, model: type[SQLModel], name: str) -> str:
    """Stage the change-log rows saying `batch` created each staged row of `name` (as `record_created`
    writes them), built by SQLite outside the write lock; copy them with `copy_staged(…, shift_json_id=…)`."""
    log = f"{STAGE_PREFIX}change_log"
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_temp(conn, log)}")
    conn.exec_driver_sql(
        f'CREATE TEMP TABLE "{log}" AS SELECT * FROM {_main(conn, "change_log")} WHERE 1 = 0'
    )
    pg = _is_pg(conn)
    statement = text(
        f"INSERT INTO {_temp(conn, log)} (batch, at, actor, source, summary, entity, entity_id, op, "
        "before, after, undoes, undone_at) "
        "SELECT CAST(:batch AS TEXT), :at, CAST(:actor AS TEXT), CAST(:source AS TEXT), "
        "CAST(:summary AS TEXT), CAST(:entity AS TEXT), id, 'create', 'null', "
        f"{_snapshot_sql(model, 0, pg=pg)}, NULL, NULL "
        f"FROM {_temp(conn, name)} ORDER BY {_staged_order(conn)}"
    ).bindparams(bindparam("at", type_=UTCDateTime))
    result = conn.execute(
        statement,
        {
            "batch": batch.id,
            "at": batch.at or utcnow(),
            "actor": batch.actor,
            "source": batch.source,
            "summary": batch.summary,
            "entity": model.__tablename__,
        },
    )
    batch.count += int(result.rowcount or 0)
    return log
