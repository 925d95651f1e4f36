"""Change-log reads for undo: one batch's rows, and what undoing a customer's creation takes with it."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func
from sqlmodel import Session, col, select

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
