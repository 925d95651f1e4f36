"""The tables. Every timestamp is timezone-aware UTC; follow-up due dates are the owner's local dates."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel, col

from store.types import UTCDateTime, utcnow

DEFAULT_STAGES: tuple[str, ...] = ("lead", "qualified", "proposal", "negotiation", "won", "lost")
CLOSED_STAGES: frozenset[str] = frozenset({"won", "lost"})
INTERACTION_KINDS: tuple[str, ...] = ("note", "call", "meeting", "email")
FOLLOWUP_STATUSES: tuple[str, ...] = ("open", "done", "cancelled")
SOURCES: tuple[str, ...] = ("telegram", "mcp", "cli", "import")


# Ids and other whole numbers are 64-bit on both backends: SQLite's INTEGER is, PostgreSQL's is not
# (a Telegram user id, or an id a client typed, can pass 2**31). On SQLite the type stays INTEGER,
# so an `INTEGER PRIMARY KEY` is still the rowid that numbers new rows itself.
ID = BigInteger().with_variant(Integer(), "sqlite")


def _fk(target: str) -> Any:
    # ON DELETE CASCADE so undoing a customer's creation takes its timeline with it; the
    # change log keeps what was removed.
    return Column(ID, ForeignKey(target, ondelete="CASCADE"), nullable=False, index=False)


class Customer(SQLModel, table=True):
    __table_args__ = (
        Index("ix_customer_stage", "stage"),
        Index("ix_customer_owner", "owner"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    name: str
    # Case- and accent-folded name; unique so "ACME corp" cannot be created beside "Acme Corp".
    name_key: str = Field(unique=True)
    stage: str = "lead"
    owner: str | None = None
    email: str | None = None
    phone: str | None = None
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    value: float | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Contact(SQLModel, table=True):
    __table_args__ = (Index("ix_contact_customer", "customer_id"), Index("ix_contact_name_key", "name_key"))

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    customer_id: int = Field(sa_column=_fk("customer.id"))
    name: str
    name_key: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None


class Interaction(SQLModel, table=True):
    __table_args__ = (
        Index("ix_interaction_customer_time", "customer_id", "occurred_at"),
        Index("ix_interaction_occurred", "occurred_at"),
        Index("ix_interaction_source_ref", "source_ref"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    customer_id: int = Field(sa_column=_fk("customer.id"))
    kind: str = "note"
    body: str = Field(sa_column=Column(Text, nullable=False))
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    author: str | None = None
    source: str = "cli"
    # Where the note came from on its surface (e.g. a chat message id), so an edited message
    # can correct the note it created instead of adding another.
    source_ref: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FollowUp(SQLModel, table=True):
    __tablename__ = "followup"
    # The indexes are declared after the class: they end in the lists' full sort order (due date,
    # timed before untimed, time), so "this week" reads the first page straight off the index
    # instead of sorting every overdue follow-up, and one customer's list is read off its own index
    # (with a shorter customer index, SQLite took the status index to skip the sort and walked
    # every open follow-up of the book).

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    customer_id: int = Field(sa_column=_fk("customer.id"))
    due_date: date
    due_time: time | None = None
    description: str = ""
    status: str = "open"
    owner: str | None = None
    source_ref: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


_due_order = (col(FollowUp.due_date), col(FollowUp.due_time).is_(None), col(FollowUp.due_time))
Index("ix_followup_status_due", col(FollowUp.status), *_due_order)
Index("ix_followup_owner_status_due", col(FollowUp.owner), col(FollowUp.status), *_due_order)
FOLLOWUP_CUSTOMER_INDEX = Index(
    "ix_followup_customer", col(FollowUp.customer_id), col(FollowUp.status), *_due_order
)


class StageChange(SQLModel, table=True):
    __tablename__ = "stage_change"
    __table_args__ = (Index("ix_stage_change_customer", "customer_id", "at"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    customer_id: int = Field(sa_column=_fk("customer.id"))
    from_stage: str | None = None
    to_stage: str
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    by: str | None = None


class ChangeLog(SQLModel, table=True):
    """One row per changed row. Rows written by one user action share a batch, undone together."""

    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_actor_batch", "actor", "batch"),
        Index("ix_change_log_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    batch: str
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str
    source: str
    summary: str = ""
    entity: str  # table name
    entity_id: int = Field(sa_type=ID)
    op: str  # create | update | delete
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # For the rows of an undo: the batch it reverted. For reverted rows: when they were undone.
    undoes: str | None = None
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class User(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("telegram_id"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    name: str = Field(unique=True)
    timezone: str = "UTC"
    telegram_id: int | None = Field(default=None, sa_type=ID)
    digest_time: str = "08:00"  # local HH:MM of the morning digest
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class McpToken(SQLModel, table=True):
    """A rep's MCP bearer token, kept only as its sha256 (hex).

    One per rep; rotating replaces it, revoking deletes it.
    """

    __tablename__ = "mcp_token"

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    user_id: int = Field(
        sa_column=Column(ID, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    token_hash: str = Field(unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InboundMessage(SQLModel, table=True):
    """Surface messages already applied (e.g. Telegram update ids), so a re-delivery is not applied twice."""

    __tablename__ = "inbound_message"
    __table_args__ = (UniqueConstraint("source", "key"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    source: str
    key: str
    batch: str | None = None
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class IdempotencyKey(SQLModel, table=True):
    """A creating write's key and its result, so a retry with the same key returns it and writes nothing.

    Scoped by actor and tool: two reps (or two tools) may use the same key without meeting.
    `request` is a digest of the call's other arguments, to refuse a key reused for a different write.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("actor", "tool", "key"), Index("ix_idempotency_key_at", "at"))

    id: int | None = Field(default=None, primary_key=True, sa_type=ID)
    actor: str
    tool: str
    key: str
    request: str
    result: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Meta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


TABLES: dict[str, type[SQLModel]] = {
    "customer": Customer,
    "contact": Contact,
    "interaction": Interaction,
    "followup": FollowUp,
    "stage_change": StageChange,
    "user": User,
}


def saved_id(row: SQLModel) -> int:
    """The id of a row that has been written (flushed); a RuntimeError for one that never was."""
    value = getattr(row, "id", None)
    if not isinstance(value, int):
        raise RuntimeError(f"{type(row).__name__} has no id yet: it was never flushed")
    return value


# One rep's changes newest first (recent_changes by actor, undo's last batch): without it a big log
# sorted all of that rep's rows for each page (~1 s at 1,000,000 rows). Schema step 9.
CHANGE_LOG_ACTOR_INDEX = Index("ix_change_log_actor_id", col(ChangeLog.actor), col(ChangeLog.id))
