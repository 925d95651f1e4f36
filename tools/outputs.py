"""Turning stored rows into tool outputs, with times in the acting user's zone."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from store.models import Contact, Customer, FollowUp, Interaction, StageChange
from tools.names import NameMatch
from tools.schemas import ContactOut, CustomerSummary, FollowupOut, InteractionOut, NameRead, StageChangeOut


def customer_summary(c: Customer, tz: ZoneInfo, last_contact=None) -> CustomerSummary:  # type: ignore[no-untyped-def]
    return CustomerSummary(
        id=c.id,
        name=c.name,
        stage=c.stage,
        owner=c.owner,
        email=c.email,
        phone=c.phone,  # type: ignore[arg-type]
        tags=list(c.tags or []),
        value=c.value,
        last_contact=last_contact.astimezone(tz) if last_contact else None,
    )


def contact_out(c: Contact) -> ContactOut:
    return ContactOut(id=c.id, name=c.name, role=c.role, email=c.email, phone=c.phone)  # type: ignore[arg-type]


def interaction_out(i: Interaction, customer_name: str, tz: ZoneInfo) -> InteractionOut:
    return InteractionOut(
        id=i.id,
        customer_id=i.customer_id,
        customer_name=customer_name,
        kind=i.kind,  # type: ignore[arg-type]
        body=i.body,
        occurred_at=i.occurred_at.astimezone(tz),
        author=i.author,
        source=i.source,
    )


def followup_out(f: FollowUp, customer_name: str, today: date) -> FollowupOut:
    return FollowupOut(
        id=f.id,
        customer_id=f.customer_id,
        customer_name=customer_name,
        due=f.due_date,  # type: ignore[arg-type]
        due_time=f.due_time.strftime("%H:%M") if f.due_time else None,
        description=f.description,
        status=f.status,
        owner=f.owner,
        overdue=f.status == "open" and f.due_date < today,  # type: ignore[arg-type]
    )


def stage_change_out(s: StageChange, tz: ZoneInfo) -> StageChangeOut:
    return StageChangeOut(from_stage=s.from_stage, to_stage=s.to_stage, at=s.at.astimezone(tz), by=s.by)


def matched_out(said: int | str, m: NameMatch) -> NameRead:
    """How a customer argument was read ('Orion Dynamcs' as a typo of Orion Dynamics)."""
    return NameRead(said=str(said)[:80], how=m.how, via=m.via)  # type: ignore[arg-type]
