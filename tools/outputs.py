"""Turning stored rows into tool outputs, with times in the acting user's zone."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast
from zoneinfo import ZoneInfo

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

# The columns below are plain strings in the database; the output models check the values again
# when built, so the casts only tell the type checker what the store already guarantees.


def customer_summary(c: Customer, tz: ZoneInfo, last_contact: datetime | None = None) -> CustomerSummary:
    return CustomerSummary(
        id=saved_id(c),
        name=c.name,
        stage=c.stage,
        owner=c.owner,
        email=c.email,
        phone=c.phone,
        tags=list(c.tags or []),
        value=c.value,
        last_contact=last_contact.astimezone(tz) if last_contact else None,
    )


def contact_out(c: Contact) -> ContactOut:
    return ContactOut(id=saved_id(c), name=c.name, role=c.role, email=c.email, phone=c.phone)


def interaction_out(i: Interaction, customer_name: str, tz: ZoneInfo) -> InteractionOut:
    return InteractionOut(
        id=saved_id(i),
        customer_id=i.customer_id,
        customer_name=customer_name,
        kind=cast(Kind, i.kind),
        body=i.body,
        occurred_at=i.occurred_at.astimezone(tz),
        author=i.author,
        source=i.source,
    )


def followup_out(f: FollowUp, customer_name: str, today: date) -> FollowupOut:
    return FollowupOut(
        id=saved_id(f),
        customer_id=f.customer_id,
        customer_name=customer_name,
        due=f.due_date,
        due_time=f.due_time.strftime("%H:%M") if f.due_time else None,
        description=f.description,
        status=cast(FollowupStatus, f.status),
        owner=f.owner,
        overdue=f.status == "open" and f.due_date < today,
    )


def stage_change_out(s: StageChange, tz: ZoneInfo) -> StageChangeOut:
    return StageChangeOut(from_stage=s.from_stage, to_stage=s.to_stage, at=s.at.astimezone(tz), by=s.by)


def matched_out(said: int | str, m: NameMatch) -> NameRead:
    """How a customer argument was read ('Orion Dynamcs' as a typo of Orion Dynamics)."""
    # A resolved match: its `how` is a MatchHow ("similar" belongs to suggestions only).
    return NameRead(said=str(said)[:80], how=cast(MatchHow, m.how), via=m.via)
