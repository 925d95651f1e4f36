"""Pydantic inputs and outputs of the tools. Field descriptions are what an AI caller reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.fields import (
    Body,
    Description,
    Email,
    Id,
    Money,
    Name,
    NulFree,
    Phone,
    Query,
    Ref,
    StageWord,
    Tags,
    Text,
    When,
)
from tools.fields import (
    Cursor as CursorText,
)

CustomerRef = Annotated[
    Ref,
    # Short on purpose: every tool repeats it, and the MCP server's instructions explain once how
    # names are matched (forgivingly; an ambiguous or unknown name is an error listing candidates).
    Field(description="Customer id or name."),
]
Kind = Literal["note", "call", "meeting", "email"]
FollowupStatus = Literal["open", "done", "cancelled"]
Scope = Literal["overdue", "today", "this_week", "next_week", "range", "all"]
Limit = Annotated[int, Field(ge=1, le=200, description="Page size.")]
Cursor = Annotated[CursorText, Field(description="From next_cursor.")]
# On creating writes: a retry with the same key by the same user writes nothing and returns the first result.
IdempotencyKey = Annotated[
    Annotated[str, NulFree] | None,
    Field(min_length=1, max_length=200, description="Retry key; a repeat writes nothing."),
]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    pass


class Page(Output):
    has_more: bool = Field(False, description="True when more items exist beyond this page.")
    next_cursor: str | None = Field(None, description="Pass as `cursor` to get the next page.")


# ---- shared shapes -------------------------------------------------------------------------------


class ContactIn(Input):
    name: Name = Field(description="Full name.")
    role: Text | None = Field(None, description="Job title.")
    email: Email | None = Field(None, description="Email.")
    phone: Phone | None = Field(None, description="Phone.")


class ContactOut(Output):
    id: int
    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None


class NameRead(Output):
    """How the customer argument was read, so a typo correction is visible."""

    said: str
    how: Literal["id", "exact", "contact", "partial", "typo"] = Field(
        description="id, exact (full name), contact (a contact's name), partial (some of its words) or typo."
    )
    via: str | None = Field(None, description="The contact whose name matched.")


class CustomerSummary(Output):
    id: int
    name: str
    stage: str
    owner: str | None = None
    email: str | None = None
    phone: str | None = None
    tags: list[str] = []
    value: float | None = None
    last_contact: datetime | None = Field(None, description="When the latest interaction happened.")


class InteractionOut(Output):
    id: int
    customer_id: int
    customer_name: str
    kind: Kind
    body: str
    occurred_at: datetime
    author: str | None = None
    source: str


class FollowupOut(Output):
    id: int
    customer_id: int
    customer_name: str
    due: date
    due_time: str | None = Field(None, description="Local time of day, HH:MM, when one was given.")
    description: str
    status: FollowupStatus
    owner: str | None = None
    overdue: bool = Field(False, description="Open and due before today.")


class StageChangeOut(Output):
    from_stage: str | None
    to_stage: str
    at: datetime
    by: str | None = None


class CandidateOut(Output):
    id: int
    name: str
    score: float
    via: str | None = None


# ---- customers ------------------------------------------------------------------------------------


class FindCustomers(Input):
    query: Query = Field("", description="Name, contact, email or tag; empty: all.")
    stage: StageWord | None = Field(None, description="Only this stage.")
    owner: Text | None = Field(None, description="Only this rep's.")
    limit: Limit = 10
    cursor: Cursor = None


class CustomerList(Page):
    items: list[CustomerSummary]


class GetCustomer(Input):
    customer: CustomerRef
    limit: Limit = Field(5, description="Interactions to show.")


class CustomerProfile(CustomerSummary):
    created_at: datetime
    updated_at: datetime
    contacts: list[ContactOut]
    recent_interactions: list[InteractionOut]
    more_interactions: int = Field(
        0, description="Interactions not shown; use search_interactions to see them."
    )
    open_followups: list[FollowupOut]
    stage_history: list[StageChangeOut]


class CreateCustomer(Input):
    name: Name = Field(description="Company or person name.")
    stage: StageWord = Field("lead", description="Pipeline stage.")
    owner: Text | None = Field(None, description="Owner; default: you.")
    email: Email | None = Field(None, description="Email.")
    phone: Phone | None = Field(None, description="Phone.")
    tags: Tags = Field([], description="Labels, e.g. enterprise.")
    value: Money | None = Field(None, description="Deal amount.")
    contact: ContactIn | None = Field(None, description="First contact.")
    idempotency_key: IdempotencyKey = None


class CustomerCreated(Output):
    customer: CustomerSummary
    similar: list[CandidateOut] = Field(
        [], description="Existing customers with similar names (possible duplicates)."
    )
    warning: str | None = None


class UpdateCustomer(Input):
    customer: CustomerRef
    name: Name | None = Field(None, description="New name.")
    owner: Text | None = Field(None, description="New owner.")
    email: Email | None = Field(None, description="New email; null clears.")
    phone: Phone | None = Field(None, description="New phone; null clears.")
    value: Money | None = Field(None, description="Amount; null clears.")
    tags: Tags | None = Field(None, description="Replace all tags.")
    add_tags: Tags = Field([], description="Tags to add.")
    remove_tags: Tags = Field([], description="Tags to remove.")


class FieldChange(Output):
    field: str
    old: Any = None
    new: Any = None


class CustomerUpdated(Output):
    customer: CustomerSummary
    changes: list[FieldChange]
    matched: NameRead | None = Field(None, description="How the customer name was read.")


class AddContact(ContactIn):
    customer: CustomerRef
    idempotency_key: IdempotencyKey = None


class ContactAdded(Output):
    customer_id: int
    customer_name: str
    contact: ContactOut
    matched: NameRead | None = Field(None, description="How the customer name was read.")


# ---- timeline -------------------------------------------------------------------------------------


class LogInteraction(Input):
    customer: CustomerRef
    body: Body = Field(min_length=1, description="In the rep's own words.")
    kind: Kind = Field("note", description="Kind of interaction.")
    occurred_at: When | None = Field(None, description="ISO or words ('yesterday 3pm'); default now.")
    idempotency_key: IdempotencyKey = None


class InteractionLogged(Output):
    interaction: InteractionOut
    matched: NameRead | None = Field(None, description="How the customer name was read.")


class SearchInteractions(Input):
    query: Query = Field(min_length=1, description="Words; all must appear.")
    customer: CustomerRef | None = Field(None, description="Only this customer's.")
    kind: Kind | None = Field(None, description="Only this kind.")
    limit: Limit = 10
    cursor: Cursor = None


class InteractionList(Page):
    items: list[InteractionOut]


# ---- pipeline -------------------------------------------------------------------------------------


class SetStage(Input):
    customer: CustomerRef
    stage: StageWord = Field(description="Stage; aliases like 'signed' work.")


class StageSet(Output):
    customer_id: int
    customer_name: str
    from_stage: str | None
    to_stage: str
    changed: bool = Field(description="False when the customer was already in that stage.")
    matched: NameRead | None = Field(None, description="How the customer name was read.")


class PipelineSummary(Input):
    owner: Text | None = Field(None, description="Only this rep's.")


class StageTotal(Output):
    stage: str
    count: int
    value: float


class Pipeline(Output):
    stages: list[StageTotal]
    open_count: int
    open_value: float
    total_count: int


class StaleCustomers(Input):
    days: int = Field(30, ge=1, le=3650, description="Days without contact.")
    owner: Text | None = Field(None, description="Only this rep's.")
    limit: Limit = 20
    cursor: Cursor = None


class StaleCustomer(Output):
    id: int
    name: str
    stage: str
    owner: str | None = None
    last_contact: datetime | None = None
    days_since: int | None = Field(None, description="Days since last contact; null when never contacted.")


class StaleList(Page):
    days: int
    items: list[StaleCustomer]


# ---- follow-ups -----------------------------------------------------------------------------------


class ScheduleFollowup(Input):
    customer: CustomerRef
    due: When = Field(description="ISO or words ('next Tuesday').")
    description: Description = Field("", description="What to do.")
    owner: Text | None = Field(None, description="Rep; default: you.")
    idempotency_key: IdempotencyKey = None


class FollowupScheduled(Output):
    followup: FollowupOut
    matched: NameRead | None = Field(None, description="How the customer name was read.")


class CompleteFollowup(Input):
    followup_id: Id | None = Field(None, description="Follow-up id.")
    customer: CustomerRef | None = Field(None, description="Or its customer (one open).")
    status: Literal["done", "cancelled"] = Field("done", description="New status.")


class FollowupCompleted(Output):
    followup: FollowupOut


class RescheduleFollowup(Input):
    followup_id: Id | None = Field(None, description="Follow-up id.")
    customer: CustomerRef | None = Field(None, description="Or its customer (one open).")
    due: When = Field(description="New date: ISO or words.")


class FollowupRescheduled(Output):
    followup: FollowupOut
    previous_due: date


class ListFollowups(Input):
    scope: Scope = Field(
        "this_week",
        description="today/this_week (Mon-Sun) add overdue; range: start+end.",
    )
    owner: Text | None = Field(None, description="Only this rep's.")
    customer: CustomerRef | None = Field(None, description="Only this customer's.")
    start: date | None = Field(None, description="Range start.")
    end: date | None = Field(None, description="Range end (inclusive).")
    limit: Limit = 20
    cursor: Cursor = None


class FollowupList(Page):
    scope: Scope
    start: date | None = Field(None, description="First day of the period (overdue ones may be earlier).")
    end: date | None = None
    total: int
    items: list[FollowupOut]


# ---- history ------------------------------------------------------------------------------------


class RecentChanges(Input):
    actor: Text | None = Field(None, description="Only this user's.")
    limit: Limit = 20
    cursor: Cursor = None


class ChangeOut(Output):
    batch: str
    at: datetime
    actor: str
    source: str
    summary: str
    entity: str
    entity_id: int
    op: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    undone: bool = False


class ChangeList(Page):
    items: list[ChangeOut]


class Undo(Input):
    pass


class Undone(Output):
    summary: str = Field(description="What was undone.")
    reverted: int = Field(description="How many rows were restored.")
