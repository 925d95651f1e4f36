"""The bot's uses of the database: who a Telegram user is, updates already applied, undoing one change.

Synchronous on purpose: the handlers run these (and the engine) in a worker thread so a slow
SQLite lock never stalls polling.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from store import Store
from store.inbound_messages import batch_of, claim, forget_before, keys_of_batch, set_batch
from store.models import Meta
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
    return ToolContext(
        store=base.store, actor=rep.name, source=SOURCE, tz=zone(rep.timezone), fixed_now=base.fixed_now
    )


def claim_update(store: Store, update_id: int) -> bool:
    """Record that this update is being applied; False when it already was (a re-delivery).

    Claimed before applying, so a crash half-way loses that one message rather than applying it twice.
    """
    return claim(store, source=SOURCE, key=str(update_id))


def note_batch(store: Store, update_id: int, batch: str) -> None:
    """Remember which change an update made (for tracing a message to its writes)."""
    with store.write() as s:
        set_batch(s, source=SOURCE, key=str(update_id), batch=batch)


def forget_old_updates(store: Store, now: datetime | None = None) -> None:
    """Drop de-duplication records older than any re-delivery could be."""
    cutoff = (now or datetime.now(UTC)) - KEEP_INBOUND
    with store.write() as s:
        forget_before(s, source=SOURCE, cutoff=cutoff)


# ---- a message's changes: what it wrote, and what its edits wrote since ------------------------------
# Kept beside the de-duplication records (other `source`s, never pruned with them): the message's
# first change, keyed by the message, and each edit's change, pointing at that first one.
MESSAGE = "telegram-message"
EDIT = "telegram-edit"


def _record(store: Store, source: str, key: str, batch: str) -> None:
    # A message answered twice keeps its first change: the second claim records nothing.
    claim(store, source=source, key=key, batch=batch)


def note_message_change(store: Store, message_ref: str, batch: str) -> None:
    """Remember the change a rep's message made, so its edits can be undone with it."""
    _record(store, MESSAGE, message_ref, batch)


def note_edit_change(store: Store, message_ref: str, batch: str) -> None:
    """Remember that an edit of `message_ref` made `batch`: the message's Undo undoes it too."""
    with store.read() as s:
        first = batch_of(s, source=MESSAGE, key=message_ref)
    if first:
        _record(store, EDIT, batch, first)
    else:  # the message wrote nothing itself; its first edit that writes becomes its change
        note_message_change(store, message_ref, batch)


def edits_of(store: Store, batch: str) -> list[str]:
    """The changes later edits of the same message made, oldest first."""
    with store.read() as s:
        return keys_of_batch(s, source=EDIT, batch=batch)


# ---- reminders sent -----------------------------------------------------------------------------------
def claim_reminder(store: Store, key: str) -> bool:
    """True the first time a reminder `key` (follow-up, date and time) is claimed; False after."""
    return claim(store, source="telegram-reminder", key=key)


# ---- digest settings ----------------------------------------------------------------------------------
def digest_settings(store: Store, rep: str) -> dict[str, bool]:
    """{'on': …, 'weekends': …} for a rep: on, weekdays only, unless they said otherwise."""
    with store.read() as s:
        row = s.get(Meta, f"telegram_digest:{rep}")
    saved = json.loads(row.value) if row else {}
    return {"on": bool(saved.get("on", True)), "weekends": bool(saved.get("weekends", False))}


def set_digest_settings(store: Store, rep: str, **changes: bool) -> dict[str, bool]:
    settings = {**digest_settings(store, rep), **changes}
    with store.write() as s:
        row = s.get(Meta, f"telegram_digest:{rep}") or Meta(key=f"telegram_digest:{rep}", value="")
        row.value = json.dumps(settings)
        s.add(row)
    return settings
