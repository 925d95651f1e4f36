"""Turning stored rows into tool outputs, with times in the acting user's zone."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast
from zoneinfo import ZoneInfo

from sqlmodel import SQLModel

from store.customer_rows import ContactRow, CustomerRow, FollowupRow, InteractionRow, StageChangeRow
from store.models import Contact, Customer, FollowUp, Interaction, StageChange, saved_id
from tools.names import MatchHow, NameMatch
from tools.schemas import (
    ContactOut,
    CustomerSummary,
    FollowupOut,
    FollowupStatus,
    InteractionOut,
    Kind,
    NameRead,
    StageChangeOut,
)

# Each takes an ORM row or the store's plain row of the same columns (store.customer_rows).
# kind, status and how are plain strings in the database; the output models check the values again
# when built, so the casts only tell the type checker what the store already guarantees.


def _id(row: SQLModel | CustomerRow | ContactRow | InteractionRow | FollowupRow) -> int:
    return saved_id(row) if isinstance(row, SQLModel) else row.id


def customer_summary(
    c: Customer | CustomerRow, tz: ZoneInfo, last_contact: datetime | None = None
) -> CustomerSummary:
    return CustomerSummary(
        id=_id(c),
        name=c.name,
        stage=c.stage,
        owner=c.owner,
        email=c.email,
        phone=c.phone,
        tags=list(c.tags or []),
        value=c.value,
        last_contact=last_contact.astimezone(tz) if last_contact else None,
    )


def contact_out(c: Contact | ContactRow) -> ContactOut:
    return ContactOut(id=_id(c), name=c.name, role=c.role, email=c.email, phone=c.phone)


def interaction_out(i: Interaction | InteractionRow, customer_name: str, tz: ZoneInfo) -> InteractionOut:
    return InteractionOut(
        id=_id(i),
        customer_id=i.customer_id,
        customer_name=customer_name,
        kind=cast(Kind, i.kind),
        body=i.body,
        occurred_at=i.occurred_at.astimezone(tz),
        author=i.author,
        source=i.source,
    )


def followup_out(f: FollowUp | FollowupRow, customer_name: str, today: date) -> FollowupOut:
    return FollowupOut(
        id=_id(f),
        customer_id=f.customer_id,
        customer_name=customer_name,
        due=f.due_date,
        due_time=f.due_time.strftime("%H:%M") if f.due_time else None,
        description=f.description,
        status=cast(FollowupStatus, f.status),
        owner=f.owner,
        overdue=f.status == "open" and f.due_date < today,
    )


def stage_change_out(s: StageChange | StageChangeRow, tz: ZoneInfo) -> StageChangeOut:
    return StageChangeOut(from_stage=s.from_stage, to_stage=s.to_stage, at=s.at.astimezone(tz), by=s.by)


def matched_out(said: int | str, m: NameMatch) -> NameRead:
    """How a customer argument was read ('Orion Dynamcs' as a typo of Orion Dynamics)."""
    # A resolved match: its `how` is a MatchHow ("similar" belongs to suggestions only).
    return NameRead(said=str(said)[:80], how=cast(MatchHow, m.how), via=m.via)
