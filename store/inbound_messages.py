"""Surface messages already seen (the `inbound_message` table): de-duplication and a message's changes.

A row is (source, key) → batch: an update id already applied, a reminder already sent, the change a
chat message made, or the change one of its edits made. (source, key) is unique, so claiming a key is
one insert that fails for the second claimant, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from store.db import Store
from store.models import InboundMessage


def claim(store: Store, *, source: str, key: str, batch: str | None = None) -> bool:
    """Record (source, key) in its own transaction; False when it was already recorded."""
    try:
        with store.write() as s:
            s.add(InboundMessage(source=source, key=key, batch=batch))
    except IntegrityError:
        return False
    return True


def set_batch(session: Session, *, source: str, key: str, batch: str) -> None:
    """Note which change the message (source, key) made; nothing when it is not recorded."""
    row = session.exec(
        select(InboundMessage).where(InboundMessage.source == source, InboundMessage.key == key)
    ).first()
    if row is not None:
        row.batch = batch
        session.add(row)


def batch_of(session: Session, *, source: str, key: str) -> str | None:
    """The change recorded for (source, key), or None."""
    return session.exec(
        select(InboundMessage.batch).where(InboundMessage.source == source, InboundMessage.key == key)
    ).first()


def keys_of_batch(session: Session, *, source: str, batch: str) -> list[str]:
    """The keys of `source` recorded with `batch`, in the order they were recorded."""
    return list(
        session.exec(
            select(InboundMessage.key)
            .where(InboundMessage.source == source, InboundMessage.batch == batch)
            .order_by(col(InboundMessage.id))
        )
    )


def forget_before(session: Session, *, source: str, cutoff: datetime) -> None:
    """Delete the records of `source` made before `cutoff`."""
    session.exec(
        delete(InboundMessage).where(col(InboundMessage.source) == source, col(InboundMessage.at) < cutoff)
    )
