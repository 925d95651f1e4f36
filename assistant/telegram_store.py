"""The bot's uses of the database: who a Telegram user is, updates already applied, undoing one change.

Synchronous on purpose: the handlers run these (and the engine) in a worker thread so a slow
SQLite lock never stalls polling.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select

from store import Store
from store.models import InboundMessage
from tools.context import ToolContext, zone
from tools.users import UserOut, list_users, user_by_telegram_id

SOURCE = "telegram"
KEEP_INBOUND = timedelta(days=7)  # Telegram re-delivers for at most a day; a week is ample


def rep_for(store: Store, telegram_id: int | None) -> UserOut | None:
    """The registered rep with this Telegram user id, or None for a stranger."""
    if telegram_id is None:
        return None
    return user_by_telegram_id(store, telegram_id)


def reps_on_telegram(store: Store) -> list[UserOut]:
    """Every rep with a Telegram id (the ones who get a digest)."""
    return [u for u in list_users(store) if u.telegram_id is not None]


def rep_context(base: ToolContext, rep: UserOut) -> ToolContext:
    """A context acting as `rep`, in their timezone, on the bot's store and clock."""
    return ToolContext(store=base.store, actor=rep.name, source=SOURCE, tz=zone(rep.timezone),
                       fixed_now=base.fixed_now)


def claim_update(store: Store, update_id: int) -> bool:
    """Record that this update is being applied; False when it already was (a re-delivery).

    Claimed before applying, so a crash half-way loses that one message rather than applying it twice.
    """
    try:
        with store.write() as s:
            s.add(InboundMessage(source=SOURCE, key=str(update_id)))
    except IntegrityError:
        return False
    return True


def note_batch(store: Store, update_id: int, batch: str) -> None:
    """Remember which change an update made (for tracing a message to its writes)."""
    with store.write() as s:
        row = s.exec(select(InboundMessage).where(InboundMessage.source == SOURCE,
                                                  InboundMessage.key == str(update_id))).first()
        if row is not None:
            row.batch = batch
            s.add(row)


def forget_old_updates(store: Store, now: datetime | None = None) -> None:
    """Drop de-duplication records older than any re-delivery could be."""
    cutoff = (now or datetime.now(UTC)) - KEEP_INBOUND
    with store.write() as s:
        s.exec(delete(InboundMessage).where(col(InboundMessage.source) == SOURCE,  # type: ignore[call-overload]
                                            col(InboundMessage.at) < cutoff))
