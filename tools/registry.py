"""Every tool with its input, output and behaviour hints: the one list the surfaces adapt."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_type_hints

from tools import customers, followups, history, pipeline, timeline
from tools.schemas import (
    AddContact,
    CompleteFollowup,
    CreateCustomer,
    FindCustomers,
    GetCustomer,
    Input,
    ListFollowups,
    LogInteraction,
    Output,
    PipelineSummary,
    RecentChanges,
    RescheduleFollowup,
    ScheduleFollowup,
    SearchInteractions,
    SetStage,
    StaleCustomers,
    Undo,
    UpdateCustomer,
)


@dataclass(frozen=True)
class ToolSpec:
    name: str
    title: str
    func: Callable[..., Output]
    input: type[Input]
    read_only: bool
    destructive: bool = False
    idempotent: bool = False
    # A partial update: an argument given as null means "clear it", unlike one left out.
    partial: bool = False

    @property
    def output(self) -> type[Output]:
        return _ret(self.func)

    @property
    def description(self) -> str:
        return inspect.cleandoc(self.func.__doc__ or "")


def _ret(func: Callable[..., Any]) -> type[Output]:
    returns = get_type_hints(func)["return"]
    if not (isinstance(returns, type) and issubclass(returns, Output)):
        raise TypeError(f"{func.__qualname__} must be annotated to return an Output model, not {returns!r}")
    return returns


TOOLS: list[ToolSpec] = [
    ToolSpec(
        "find_customers",
        "Find customers",
        customers.find_customers,
        FindCustomers,
        read_only=True,
        idempotent=True,
    ),
    ToolSpec(
        "get_customer",
        "Customer profile",
        customers.get_customer,
        GetCustomer,
        read_only=True,
        idempotent=True,
    ),
    ToolSpec(
        "create_customer", "Create a customer", customers.create_customer, CreateCustomer, read_only=False
    ),
    ToolSpec(
        "update_customer",
        "Update a customer",
        customers.update_customer,
        UpdateCustomer,
        read_only=False,
        destructive=True,
        idempotent=True,
        partial=True,
    ),
    ToolSpec("add_contact", "Add a contact person", customers.add_contact, AddContact, read_only=False),
    ToolSpec(
        "log_interaction",
        "Log a call, meeting, email or note",
        timeline.log_interaction,
        LogInteraction,
        read_only=False,
    ),
    ToolSpec(
        "set_stage",
        "Move a deal to a pipeline stage",
        pipeline.set_stage,
        SetStage,
        read_only=False,
        destructive=True,
        idempotent=True,
    ),
    ToolSpec(
        "schedule_followup",
        "Schedule a follow-up",
        followups.schedule_followup,
        ScheduleFollowup,
        read_only=False,
    ),
    ToolSpec(
        "complete_followup",
        "Complete or cancel a follow-up",
        followups.complete_followup,
        CompleteFollowup,
        read_only=False,
        destructive=True,
    ),
    ToolSpec(
        "reschedule_followup",
        "Reschedule a follow-up",
        followups.reschedule_followup,
        RescheduleFollowup,
        read_only=False,
        destructive=True,
        idempotent=True,
    ),
    ToolSpec(
        "list_followups",
        "List follow-ups",
        followups.list_followups,
        ListFollowups,
        read_only=True,
        idempotent=True,
    ),
    ToolSpec(
        "search_interactions",
        "Search interaction notes",
        timeline.search_interactions,
        SearchInteractions,
        read_only=True,
        idempotent=True,
    ),
    ToolSpec(
        "pipeline_summary",
        "Pipeline summary",
        pipeline.pipeline_summary,
        PipelineSummary,
        read_only=True,
        idempotent=True,
    ),
    ToolSpec(
        "stale_customers",
        "Customers gone quiet",
        pipeline.stale_customers,
        StaleCustomers,
        read_only=True,
        idempotent=True,
    ),
    ToolSpec(
        "recent_changes",
        "Recent changes",
        history.recent_changes,
        RecentChanges,
        read_only=True,
        idempotent=True,
    ),
    ToolSpec("undo", "Undo my last change", history.undo, Undo, read_only=False, destructive=True),
]
TOOLS_BY_NAME: dict[str, ToolSpec] = {t.name: t for t in TOOLS}
