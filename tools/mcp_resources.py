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
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp.types import Resource as MCPResource

from tools.context import ToolContext
from tools.errors import USER_ERRORS, CustomerNotFound
from tools.schemas import FindCustomers, GetCustomer, ListFollowups, Output, PipelineSummary

JSON = "application/json"
# resources/list names this many customers (most recently updated first would be ideal; the list
# order is find_customers'); the template reaches every other one by id.
LISTED_CUSTOMERS = 50


def _json(result: Output) -> str:
    # Compact, like the tools' text: a resource goes into a model's context whole.
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))


class CrmServer(MCPServer[Any]):
    """MCPServer whose resources/list also names customers, so a user can pick one to attach."""

    def __init__(self, ctx: ToolContext, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crm = ctx

    async def list_resources(self) -> list[MCPResource]:
        """The fixed resources, then one profile resource per customer (the first LISTED_CUSTOMERS)."""
        from tools.customers import find_customers

        listed = await super().list_resources()
        page = await anyio.to_thread.run_sync(find_customers, self.crm, FindCustomers(limit=LISTED_CUSTOMERS))
        return listed + [
            MCPResource(
                uri=f"crm://customers/{c.id}", name=f"customer-{c.id}", title=c.name,
                description=f"Profile of {c.name} ({c.stage}{', owner ' + c.owner if c.owner else ''}).",
                mime_type=JSON,
            )
            for c in page.items
        ]


def add_resources(server: MCPServer[Any], ctx: ToolContext) -> None:
    """Register the CRM resources on `server`, reading through `ctx`."""
    from tools.customers import get_customer
    from tools.followups import list_followups
    from tools.pipeline import pipeline_summary

    @server.resource(
        "crm://customers/{id}", name="customer", title="Customer profile", mime_type=JSON,
        description="One customer's profile by numeric id: details, contacts, recent interactions, "
                    "open follow-ups and stage history.",
    )
    def customer_profile(id: str) -> str:  # noqa: A002 - the URI template's variable name
        if not id.isdigit():
            raise ResourceNotFoundError(f"No customer {id!r}: use a numeric id, e.g. crm://customers/12.")
        try:
            return _json(get_customer(ctx, GetCustomer(customer=int(id), limit=10)))
        except CustomerNotFound:
            raise ResourceNotFoundError(f"No customer with id {id}.") from None
        except USER_ERRORS as e:
            raise ResourceError(str(e)) from None

    @server.resource(
        "crm://pipeline", name="pipeline", title="Pipeline", mime_type=JSON,
        description="How many customers and how much deal value sit in each pipeline stage (whole team).",
    )
    def pipeline() -> str:
        return _json(pipeline_summary(ctx, PipelineSummary()))

    @server.resource(
        "crm://followups/this-week", name="followups-this-week", title="Follow-ups this week", mime_type=JSON,
        description="Open follow-ups due this week (Monday to Sunday, the acting user's zone) and overdue "
                    "ones (flagged), for the whole team.",
    )
    def followups_this_week() -> str:
        return _json(list_followups(ctx, ListFollowups(scope="this_week", limit=100)))
