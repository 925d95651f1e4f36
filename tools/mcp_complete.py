"""`completion/complete`: suggestions for prompt arguments and resource-template parameters.

A client's picker asks as the user types. Customers come from `find_customers` (the same ranking
as every read: prefix and typo tolerant, best match first); the `crm://customers/{id}` template
gets those customers' ids. Stages are the configured pipeline; owners the reps the CRM knows.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from mcp.server import MCPServer
from mcp_types import (
    Completion,
    CompletionArgument,
    CompletionContext,
    PromptReference,
    ResourceTemplateReference,
)

from store.customer_rows import rep_names
from store.models import Customer
from tools.context import ToolContext
from tools.customers import find_customers
from tools.errors import USER_ERRORS
from tools.schemas import FindCustomers
from tools.stages import stages as configured

# The protocol's ceiling on values in one completion.
MAX_VALUES = 100
CUSTOMER_TEMPLATE = "crm://customers/{id}"


def customers(ctx: ToolContext, typed: str) -> tuple[list[str], list[int], bool]:
    """Names and ids of the customers best matching `typed` (all of them, first page, when empty)."""
    try:
        page = find_customers(ctx, FindCustomers(query=typed.strip()[:200], limit=MAX_VALUES))
    except USER_ERRORS:
        return [], [], False
    return [c.name for c in page.items], [c.id for c in page.items], page.has_more


def stages(ctx: ToolContext, typed: str) -> list[str]:
    with ctx.read() as s:
        names = configured(s)
    return _starting(names, typed)


def owners(ctx: ToolContext, typed: str) -> list[str]:
    """Registered reps and every owner named on a customer, the acting user first."""
    with ctx.read() as s:
        names = rep_names(s)
    return _starting(list(dict.fromkeys([ctx.actor, *sorted(names)])), typed)


def _starting(values: list[str], typed: str) -> list[str]:
    """Values starting with what was typed first, then those containing it (case-insensitive)."""
    t = typed.strip().casefold()
    first = [v for v in values if v.casefold().startswith(t)]
    rest = [v for v in values if t in v.casefold() and v not in first]
    return (first + rest)[:MAX_VALUES]


def complete(
    ctx: ToolContext, ref: PromptReference | ResourceTemplateReference, argument: CompletionArgument
) -> Completion:
    """The suggestions for one argument; none for arguments with free text (notes)."""
    name, typed = argument.name, argument.value or ""
    if isinstance(ref, ResourceTemplateReference):
        if ref.uri != CUSTOMER_TEMPLATE or name != "id":
            return Completion(values=[])
        _, ids, more = customers(ctx, "" if typed.isdigit() else typed)
        values = [str(i) for i in ids]
        if typed.isdigit():  # an id being typed: the ids that start with it
            values = [v for v in values if v.startswith(typed)] or (
                [typed] if _exists(ctx, int(typed)) else []
            )
        return Completion(values=values[:MAX_VALUES], has_more=more)
    if name == "customer":
        names, _, more = customers(ctx, typed)
        return Completion(values=names, has_more=more)
    if name == "stage":
        return Completion(values=stages(ctx, typed))
    if name == "owner":
        return Completion(values=owners(ctx, typed))
    return Completion(values=[])


def _exists(ctx: ToolContext, customer_id: int) -> bool:
    with ctx.read() as s:
        return s.get(Customer, customer_id) is not None


def add_completions(server: MCPServer[Any], ctx: ToolContext) -> None:
    """Register the completion handler (the SDK's public decorator) on `server`."""

    @server.completion()  # type: ignore[no-untyped-call, untyped-decorator]  # the SDK's decorator is unannotated
    async def handle(
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        context: CompletionContext | None,
    ) -> Completion:
        return await anyio.to_thread.run_sync(complete, ctx, ref, argument)
