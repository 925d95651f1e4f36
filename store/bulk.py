"""Bulk writes for large imports: plain rows, one executemany per table, no ORM objects.

Building and flushing a SQLModel object costs a few hundred microseconds; at 100,000 customers
that alone took most of a minute. Rows written here still go through the column types (UTC
datetimes, JSON) and the database's triggers (full-text index, names version), inside the caller's
write session, so they commit or roll back with everything else. Every created row can be given
its change-log row exactly as `Batch.created` writes it, so undo treats a bulk import like any
other change.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import func, insert, select
from sqlmodel import Session, SQLModel

# The change log's own JSON spelling of values, so bulk-logged rows read like Batch.created's.
from store.changelog import Batch, plain
from store.models import ChangeLog
from store.types import utcnow


def _defaults(model: type[SQLModel]) -> dict[str, Callable[[], Any]]:
    """Per column, what the model fills in when a value is not given (None when it has no default)."""
    out: dict[str, Callable[[], Any]] = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        field = model.model_fields.get(column.key)
        if field is not None and field.default_factory is not None:
            out[column.key] = field.default_factory  # type: ignore[assignment]
        else:
            default = None if field is None or field.default is PydanticUndefined else field.default
            out[column.key] = lambda d=default: d
    return out


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
    table = model.__table__  # type: ignore[attr-defined]
    return int(session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def insert_rows(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """INSERT `rows` with one executemany in the session's transaction; returns them completed.

    (Handing the driver pre-converted tuples, bypassing SQLAlchemy's parameter processing, was
    measured: no faster at 40,000 rows, so the column types stay in charge of storage formats.)
    """
    full = complete_rows(model, rows)
    if full:
        session.connection().execute(insert(model.__table__), full)  # type: ignore[attr-defined]
    return full


def record_created(batch: Batch, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Change-log rows saying `batch` created `rows` (complete rows with their ids), as Batch.created does."""
    at = batch.at or utcnow()
    table = model.__tablename__
    logs = [
        {"batch": batch.id, "at": at, "actor": batch.actor, "source": batch.source, "summary": batch.summary,
         "entity": table, "entity_id": row["id"], "op": "create", "before": None,
         "after": {k: plain(v) for k, v in row.items()}, "undoes": None, "undone_at": None}
        for row in rows
    ]
    insert_rows(batch.session, ChangeLog, logs)
    batch.count += len(logs)
