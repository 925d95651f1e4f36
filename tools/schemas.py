"""Pydantic inputs and outputs of the tools. Field descriptions are what an AI caller reads."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CustomerRef = Annotated[
    int | str,
    Field(description="The customer: its numeric id, or its name. Names are matched forgivingly "
                      "(case, accents, typos, Corp/Inc/GmbH suffixes, a contact's name); an ambiguous "
                      "or unknown name is an error listing the candidates."),
]
Kind = Literal["note", "call", "meeting", "email"]
Scope = Literal["overdue", "today", "this_week", "next_week", "range", "all"]
Limit = Annotated[int, Field(ge=1, le=200, description="Most items to return.")]
Cursor = Annotated[str | None, Field(description="`next_cursor` from a previous result, to get the next page.")]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    pass


class Page(Output):
    has_more: bool = Field(False, description="True when more items exist beyond this page.")
    next_cursor: str | None = Field(None, description="Pass as `cursor` to get the next page.")


# ---- shared shapes -------------------------------------------------------------------------------


class ContactIn(Input):
    name: str = Field(min_length=1, max_length=200, description="The person's full name.")
    role: str | None = Field(None, description="Job title or role, e.g. 'CTO'.")
    email: str | None = Field(None, description="The person's email address.")
    phone: str | None = Field(None, description="The person's phone number, as given.")


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
        description="id, exact (full name), contact (a contact's name), partial (some of its words) or typo.")
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
    status: Literal["open", "done", "cancelled"]
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
    query: str = Field("", description="Name, part of a name, a contact's name, email or tag. Empty lists all.")
    stage: str | None = Field(None, description="Only customers in this stage.")
    owner: str | None = Field(None, description="Only customers owned by this rep.")
    limit: Limit = 10
    cursor: Cursor = None


class CustomerList(Page):
    items: list[CustomerSummary]


class GetCustomer(Input):
    customer: CustomerRef
    limit: Limit = Field(5, description="How many recent interactions to include.")


class CustomerProfile(CustomerSummary):
    created_at: datetime
    updated_at: datetime
    contacts: list[ContactOut]
    recent_interactions: list[InteractionOut]
    more_interactions: int = Field(0, description="Interactions not shown; use search_interactions to see them.")
    open_followups: list[FollowupOut]
    stage_history: list[StageChangeOut]


class CreateCustomer(Input):
    name: str = Field(min_length=1, max_length=200, description="The company (or person) name.")
    stage: str = Field("lead", description="Pipeline stage; defaults to 'lead'.")
    owner: str | None = Field(None, description="The rep who owns it; defaults to the acting user.")
    email: str | None = Field(None, description="The customer's main email address.")
    phone: str | None = Field(None, description="The customer's main phone number, as given.")
    tags: list[str] = Field([], description="Labels such as 'enterprise' or 'renewal'.")
    value: float | None = Field(None, ge=0, description="Expected deal amount.")
    contact: ContactIn | None = Field(None, description="A first contact person to add.")


class CustomerCreated(Output):
    customer: CustomerSummary
    similar: list[CandidateOut] = Field([], description="Existing customers with similar names (possible duplicates).")
    warning: str | None = None


class UpdateCustomer(Input):
    customer: CustomerRef
    name: str | None = Field(None, min_length=1, max_length=200, description="A new name.")
    owner: str | None = Field(None, description="Hand the customer to this rep.")
    email: str | None = Field(None, description="A new main email address (null clears it).")
    phone: str | None = Field(None, description="A new main phone number (null clears it).")
    value: float | None = Field(None, ge=0, description="A new expected deal amount (null clears it).")
    tags: list[str] | None = Field(None, description="Replace all tags with these.")
    add_tags: list[str] = Field([], description="Tags to add.")
    remove_tags: list[str] = Field([], description="Tags to remove.")


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


class ContactAdded(Output):
    customer_id: int
    customer_name: str
    contact: ContactOut
    matched: NameRead | None = Field(None, description="How the customer name was read.")


# ---- timeline -------------------------------------------------------------------------------------


class LogInteraction(Input):
    customer: CustomerRef
    body: str = Field(min_length=1, description="What happened, in the rep's words. Never truncated.")
    kind: Kind = Field("note", description="note, call, meeting or email.")
    occurred_at: str | None = Field(
        None, description="When it happened: ISO datetime or words like 'yesterday', 'Monday 10am'. Default: now."
    )


class InteractionLogged(Output):
    interaction: InteractionOut
    matched: NameRead | None = Field(None, description="How the customer name was read.")


class SearchInteractions(Input):
    query: str = Field(min_length=1, description="Words to find in interaction notes (full text, any order).")
    customer: CustomerRef | None = Field(None, description="Only this customer's interactions.")
    kind: Kind | None = Field(None, description="Only notes, calls, meetings or emails.")
    limit: Limit = 10
    cursor: Cursor = None


class InteractionList(Page):
    items: list[InteractionOut]


# ---- pipeline -------------------------------------------------------------------------------------


class SetStage(Input):
    customer: CustomerRef
    stage: str = Field(description="Target stage, e.g. 'proposal'; aliases like 'signed' or 'closed lost' work.")


class StageSet(Output):
    customer_id: int
    customer_name: str
    from_stage: str | None
    to_stage: str
    changed: bool = Field(description="False when the customer was already in that stage.")
    matched: NameRead | None = Field(None, description="How the customer name was read.")


class PipelineSummary(Input):
    owner: str | None = Field(None, description="Only this rep's customers.")


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
    days: int = Field(30, ge=1, le=3650, description="No interaction for at least this many days.")
    owner: str | None = Field(None, description="Only this rep's customers; omit for the whole team.")
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
    due: str = Field(description="When: ISO date/datetime or words like 'next Tuesday', 'in 2 weeks', 'end of month'.")
    description: str = Field("", max_length=2000, description="What to do, e.g. 'send pricing'.")
    owner: str | None = Field(None, description="Rep responsible; defaults to the acting user.")


class FollowupScheduled(Output):
    followup: FollowupOut
    matched: NameRead | None = Field(None, description="How the customer name was read.")


class CompleteFollowup(Input):
    followup_id: int | None = Field(None, description="The follow-up's id.")
    customer: CustomerRef | None = Field(None, description="Or the customer, when it has exactly one open follow-up.")
    status: Literal["done", "cancelled"] = Field("done", description="'done' or 'cancelled'.")


class FollowupCompleted(Output):
    followup: FollowupOut


class RescheduleFollowup(Input):
    followup_id: int | None = Field(None, description="The follow-up's id.")
    customer: CustomerRef | None = Field(None, description="Or the customer, when it has exactly one open follow-up.")
    due: str = Field(description="The new due date (ISO or natural language).")


class FollowupRescheduled(Output):
    followup: FollowupOut
    previous_due: date


class ListFollowups(Input):
    scope: Scope = Field(
        "this_week",
        description="overdue | today | this_week (Mon–Sun, plus overdue ones, flagged) | next_week | "
                    "range (give start/end) | all (every open one).",
    )
    owner: str | None = Field(None, description="Only this rep's follow-ups; omit for the whole team.")
    customer: CustomerRef | None = Field(None, description="Only this customer's follow-ups.")
    start: date | None = Field(None, description="First day (YYYY-MM-DD) when scope is 'range'.")
    end: date | None = Field(None, description="Last day (YYYY-MM-DD, inclusive) when scope is 'range'.")
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
    actor: str | None = Field(None, description="Only this user's changes.")
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
