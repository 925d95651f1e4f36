"""MCP resources: read-only documents a client can attach to a conversation.

`crm://customers/{id}` is a customer's profile, `crm://pipeline` the pipeline summary and
`crm://followups/this-week` this week's (and overdue) open follow-ups: each the JSON of the tool that
answers the same question, so a resource and a tool call never disagree.
"""

from __future__ import annotations

import json
from typing import Any

import anyio.to_thread
from mcp.server import MCPServer
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR, INVALID_PARAMS, ListResourcesResult
from mcp_types import Resource as MCPResource
from pydantic import ValidationError

from tools.context import ToolContext
from tools.customers import find_customers, get_customer
from tools.errors import USER_ERRORS, CustomerNotFound, InvalidArgument
from tools.followups import list_followups
from tools.pipeline import pipeline_summary
from tools.schemas import FindCustomers, GetCustomer, ListFollowups, Output, PipelineSummary

JSON = "application/json"
# Customers per resources/list page; `nextCursor` leads to the next page until every one is listed.
CUSTOMERS_PER_PAGE = 50


def _json(result: Output) -> str:
    # Compact, like the tools' text: a resource goes into a model's context whole.
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))


def customer_resources(ctx: ToolContext, cursor: str | None) -> tuple[list[MCPResource], str | None]:
    """One page of customer profile resources (find_customers' order) and the cursor of the next."""
    page = find_customers(ctx, FindCustomers(limit=CUSTOMERS_PER_PAGE, cursor=cursor))
    resources = [
        MCPResource(
            uri=f"crm://customers/{c.id}",
            name=f"customer-{c.id}",
            title=c.name,
            description=f"Profile of {c.name} ({c.stage}{', owner ' + c.owner if c.owner else ''}).",
            mime_type=JSON,
        )
        for c in page.items
    ]
    return resources, page.next_cursor


def paginate_resources(tool_ctx: ToolContext) -> ServerMiddleware[Any]:
    """Middleware for resources/list: the fixed resources, then every customer, page by page.

    The SDK's resources/list has no cursor; this answers the request it produced with one page of
    customers added and `nextCursor` set while more remain (later pages hold customers only).
    """

    # Parameters named as in the SDK's ServerMiddleware protocol, so it type-checks as one.
    async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method != "resources/list":
            return await call_next(ctx)
        cursor = (ctx.params or {}).get("cursor") or None
        try:
            page, next_cursor = await anyio.to_thread.run_sync(customer_resources, tool_ctx, cursor)
        except (ValidationError, InvalidArgument):
            raise MCPError(
                code=INVALID_PARAMS,
                message=f"Invalid cursor {str(cursor)[:40]!r}: pass the "
                "nextCursor of a previous resources/list.",
            ) from None
        except USER_ERRORS as e:  # e.g. a busy database: says so, and whether to retry
            raise MCPError(code=INTERNAL_ERROR, message=str(e)) from None
        result = await call_next(ctx)
        listed = (
            result if isinstance(result, ListResourcesResult) else ListResourcesResult.model_validate(result)
        )
        fixed = [] if cursor else list(listed.resources)
        return listed.model_copy(update={"resources": fixed + page, "next_cursor": next_cursor})

    return middleware


def add_resources(server: MCPServer[Any], ctx: ToolContext) -> None:
    """Register the CRM resources on `server`, reading through `ctx`."""
    server.middleware.append(paginate_resources(ctx))

    @server.resource(
        "crm://customers/{id}",
        name="customer",
        title="Customer profile",
        mime_type=JSON,
        description="One customer's profile by numeric id: details, contacts, recent interactions, "
        "open follow-ups and stage history.",
    )
    def customer_profile(id: str) -> str:  # `id`, shadowing the builtin: the URI template's variable name
        if not id.isdigit():
            raise ResourceNotFoundError(f"No customer {id!r}: use a numeric id, e.g. crm://customers/12.")
        try:
            return _json(get_customer(ctx, GetCustomer(customer=int(id), limit=10)))
        except CustomerNotFound:
            raise ResourceNotFoundError(f"No customer with id {id}.") from None
        except USER_ERRORS as e:
            raise ResourceError(str(e)) from None

    @server.resource(
        "crm://pipeline",
        name="pipeline",
        title="Pipeline",
        mime_type=JSON,
        description="How many customers and how much deal value sit in each pipeline stage (whole team).",
    )
    def pipeline() -> str:
        return _json(pipeline_summary(ctx, PipelineSummary()))

    @server.resource(
        "crm://followups/this-week",
        name="followups-this-week",
        title="Follow-ups this week",
        mime_type=JSON,
        description="Open follow-ups due this week (Monday to Sunday, the acting user's zone) and overdue "
        "ones (flagged), for the whole team.",
    )
    def followups_this_week() -> str:
        return _json(list_followups(ctx, ListFollowups(scope="this_week", limit=100)))
