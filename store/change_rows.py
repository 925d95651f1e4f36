"""Change-log reads: the latest changes; for undo, one batch's rows and what undoing a customer's creation
takes with it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Integer, Select, Table, bindparam, func
from sqlmodel import Session, col, select

from store.driver_query import DriverQuery, Reader
from store.models import ChangeLog, Contact, FollowUp, Interaction

# Rows that go with their customer (ON DELETE CASCADE), by table name.
_CHILDREN: dict[str, type[Contact] | type[Interaction] | type[FollowUp]] = {
    "contact": Contact,
    "interaction": Interaction,
    "followup": FollowUp,
}
_CHUNK = 500  # ids per IN (...): well under SQLite's bound-parameter limit


def batch_rows(session: Session, *, batch: str) -> list[ChangeLog]:
    """The change-log rows of `batch`, newest first."""
    return list(
        session.exec(select(ChangeLog).where(ChangeLog.batch == batch).order_by(col(ChangeLog.id).desc()))
    )


def rows_under_customers(session: Session, *, customer_ids: Collection[int]) -> dict[str, int]:
    """How many contacts, interactions and follow-ups the customers have, by table name."""
    ids = list(customer_ids)
    counts = dict.fromkeys(_CHILDREN, 0)
    for table, model in _CHILDREN.items():
        for start in range(0, len(ids), _CHUNK):
            query = (
                select(func.count())
                .select_from(model)
                .where(col(model.customer_id).in_(ids[start : start + _CHUNK]))
            )
            counts[table] += session.exec(query).one()
    return counts


# ---- the latest changes: plain rows through prebuilt statements --------------------------------------
# `recent_changes` is the MCP server's smallest tool call; built once here, its statement skips the
# ORM's per-call work (building and cache-keying the statement, loading ChangeLog objects).


class ChangeRow(NamedTuple):
    id: int
    batch: str
    at: datetime
    actor: str
    source: str
    summary: str
    entity: str
    entity_id: int
    op: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    undone_at: datetime | None


_LOG: Table = ChangeLog.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it
_LATEST: Select[Any] = (
    select(*(_LOG.c[name] for name in ChangeRow._fields))
    .order_by(_LOG.c.id.desc())
    .offset(bindparam("offset", type_=Integer))
    .limit(bindparam("limit", type_=Integer))
)
_LATEST_BY = _LATEST.where(_LOG.c.actor == bindparam("actor"))


_LATEST_ROWS, _LATEST_BY_ROWS = DriverQuery(_LATEST), DriverQuery(_LATEST_BY)


def recent_changes(
    session: Session | Reader, *, actor: str | None, offset: int, limit: int
) -> tuple[list[ChangeRow], bool]:
    """The change-log rows (of `actor`, when given) newest first from `offset`, at most `limit`, and
    whether more follow."""
    params: dict[str, Any] = {"offset": offset, "limit": limit + 1}
    if actor is not None:
        params["actor"] = actor
    query = _LATEST_ROWS if actor is None else _LATEST_BY_ROWS
    rows, read = query.rows(session, params, keep=limit)  # the one row past the page: only counted
    return [ChangeRow._make(r) for r in rows], read > limit
