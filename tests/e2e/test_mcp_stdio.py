"""`crm mcp` over stdio, as an MCP client such as Claude Desktop starts it: a subprocess, the SDK client.

Every tool is called with good arguments and with the mistakes a model makes; the server must
answer each with a result or a tool error it can act on, and stay up. The listing test starts
`python -m assistant mcp` itself; the others a fork of a warm `crm` (tests/e2e/crm_zygote.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError
from sqlmodel import select

from store.models import FollowUp, Interaction
from tests.conftest import db_of
from tests.e2e.crm_zygote import REAL, command
from tools.context import ToolContext
from tools.registry import TOOLS

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def server_params(db: Path, real: bool = False) -> StdioServerParameters:
    # `python -m assistant` is `crm`, whether the package is installed (CI) or run from the checkout;
    # without `real`, a warm fork of it.
    env = {
        "CRM_DB": str(db),
        "CRM_USER": "sam",
        "CRM_NOW": "2026-03-04T14:00:00+00:00",
        "CRM_TZ": "UTC",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    crm = REAL if real else command()
    return StdioServerParameters(command=crm[0], args=[*crm[1:], "mcp"], env=env, cwd=REPO)


def session(crm: ToolContext, conversation: Callable[[Client], Awaitable[Any]], real: bool = False) -> Any:
    """Start `crm mcp` on the sample database and run `conversation` with the SDK client."""
    db = db_of(crm.store)

    async def main() -> Any:
        with anyio.fail_after(60):
            async with Client(server_params(db, real)) as client:
                return await conversation(client)

    return anyio.run(main)


def text(result: Any) -> str:
    return " ".join(block.text for block in result.content if block.type == "text")


def test_tools_are_listed_with_schemas_and_annotations(crm: ToolContext) -> None:
    tools = session(crm, lambda c: c.list_tools(), real=True).tools
    assert sorted(t.name for t in tools) == sorted(spec.name for spec in TOOLS)
    for tool in tools:
        assert tool.description and len(tool.description) > 20, tool.name
        assert tool.input_schema["type"] == "object", tool.name
        assert tool.output_schema and tool.output_schema["type"] == "object", tool.name
        assert tool.annotations is not None and tool.annotations.read_only_hint is not None, tool.name
    by_name = {t.name: t for t in tools}
    assert by_name["get_customer"].annotations.read_only_hint is True
    assert by_name["undo"].annotations.destructive_hint is True
    assert "next Tuesday" in by_name["schedule_followup"].input_schema["properties"]["due"]["description"]


# Every tool, in an order where each call's data exists; (name, arguments, check of structuredContent).
GOOD_CALLS: list[tuple[str, dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
    ("find_customers", {"query": "acme"}, lambda r: r["items"][0]["name"] == "Acme Corp"),
    ("get_customer", {"customer": "globex"}, lambda r: r["name"] == "Globex Corporation" and r["contacts"]),
    (
        "create_customer",
        {"name": "Northwind Traders", "value": 9000, "contact": {"name": "Ana Trujillo"}},
        lambda r: r["customer"]["stage"] == "lead" and r["customer"]["owner"] == "sam",
    ),
    (
        "update_customer",
        {"customer": "Northwind", "email": "ana@northwind.example"},
        lambda r: r["customer"]["email"] == "ana@northwind.example" and r["customer"]["value"] == 9000,
    ),
    (
        "add_contact",
        {"customer": "Northwind", "name": "Maria Anders", "role": "Buyer"},
        lambda r: r["contact"]["role"] == "Buyer",
    ),
    (
        "log_interaction",
        {"customer": "Northwind", "body": "Intro meeting, want a pilot in April", "kind": "meeting"},
        lambda r: r["interaction"]["source"] == "mcp" and r["interaction"]["author"] == "sam",
    ),
    ("set_stage", {"customer": "Northwind", "stage": "proposal sent"}, lambda r: r["to_stage"] == "proposal"),
    (
        "schedule_followup",
        {"customer": "Northwind", "due": "next Tuesday", "description": "send pilot plan"},
        lambda r: r["followup"]["due"] == "2026-03-10",
    ),
    (
        "schedule_followup",
        {"customer": "Northwind", "due": "2026-03-20", "description": "check pilot"},
        lambda r: r["followup"]["due"] == "2026-03-20",
    ),
    (
        "reschedule_followup",
        {"customer": "Acme Corp", "due": "2026-03-12"},
        lambda r: r["previous_due"] == "2026-03-06" and r["followup"]["due"] == "2026-03-12",
    ),
    ("complete_followup", {"customer": "Globex"}, lambda r: r["followup"]["status"] == "done"),
    ("list_followups", {"scope": "next_week", "limit": 1}, lambda r: len(r["items"]) == 1 and r["has_more"]),
    (
        "search_interactions",
        {"query": "pilot"},
        lambda r: r["items"][0]["customer_name"] == "Northwind Traders",
    ),
    ("pipeline_summary", {}, lambda r: r["total_count"] == 9),
    ("stale_customers", {"days": 30}, lambda r: "Evergreen Landscaping" in [i["name"] for i in r["items"]]),
    ("recent_changes", {"limit": 3}, lambda r: {i["source"] for i in r["items"]} == {"mcp"}),
    ("undo", {}, lambda r: "Globex" in r["summary"] and r["reverted"] >= 1),
]


def test_every_tool_answers_with_structured_content(crm: ToolContext) -> None:
    async def conversation(c: Client) -> list[tuple[str, Any]]:
        return [(name, await c.call_tool(name, args)) for name, args, _ in GOOD_CALLS]

    results = session(crm, conversation)
    assert {name for name, _ in results} == {spec.name for spec in TOOLS}
    for (name, result), (_, args, check) in zip(results, GOOD_CALLS, strict=True):
        assert not result.is_error, f"{name}: {text(result)}"
        assert check(result.structured_content), f"{name}({args}) -> {result.structured_content}"
        # The text block carries the same data for clients that ignore structured content, compactly.
        assert json.loads(text(result)) == result.structured_content
        assert "\n" not in text(result) and '", "' not in text(result)
    # Undo reverted the completion: Globex's follow-up is open again.
    with crm.read() as s:
        notes = s.exec(select(Interaction).where(Interaction.source == "mcp")).all()
        globex = s.exec(select(FollowUp).where(FollowUp.description == "confirm seat count")).one()
    assert [n.body for n in notes] == ["Intro meeting, want a pilot in April"]
    assert globex.status == "open"


BAD_CALLS: list[tuple[str, dict[str, Any], list[str]]] = [
    ("log_interaction", {"customer": "Brightline", "body": "hi"}, ["Brightline Media", "Brightline Motors"]),
    ("get_customer", {"customer": "Holly Park"}, ["Brightline Media", "Juno Pet Supplies"]),
    ("get_customer", {"customer": "Zyxwv Unknown"}, ["No customer matches 'Zyxwv Unknown'"]),
    (
        "set_stage",
        {"customer": "Acme", "stage": "hibernating"},
        ["lead, qualified, proposal, negotiation, won, lost"],
    ),
    ("schedule_followup", {"customer": "Acme", "due": "2026-02-30"}, ["2026-02-30"]),
    ("reschedule_followup", {"followup_id": 9999, "due": "tomorrow"}, ["9999"]),
    ("complete_followup", {"followup_id": 9999}, ["9999"]),
    ("update_customer", {"customer": "Acme", "value": "lots"}, ["value"]),
    ("log_interaction", {"customer": "Acme", "body": "x", "kind": "telegram"}, ["kind"]),
    ("find_customers", {"query": "a", "limit": 0}, ["limit"]),
    ("list_followups", {"cursor": "garbage"}, ["cursor"]),
    ("create_customer", {"name": "ACME corp"}, ["already exists", "Acme Corp"]),
    ("create_customer", {"name": "Zeta Labs", "stage": "zombie"}, ["lead, qualified, proposal"]),
    ("add_contact", {"customer": "Brightline", "name": "Zed"}, ["Brightline Media", "Brightline Motors"]),
    ("search_interactions", {"query": ""}, ["query"]),
    ("pipeline_summary", {"group_by": "region"}, ["group_by: not an argument of pipeline_summary"]),
    ("stale_customers", {"days": 0}, ["days"]),
    ("recent_changes", {"limit": 500}, ["limit"]),
    ("undo", {"all": True}, ["all: not an argument of undo"]),
    ("no_such_tool", {}, ["no_such_tool"]),
]


def test_mistakes_are_tool_errors_the_model_can_act_on(crm: ToolContext) -> None:
    async def conversation(c: Client) -> tuple[list[Any], Any]:
        answers = [await c.call_tool(name, args) for name, args, _ in BAD_CALLS]
        return answers, await c.call_tool("pipeline_summary", {})

    answers, after = session(crm, conversation)
    assert {name for name, _, _ in BAD_CALLS} >= {spec.name for spec in TOOLS}
    for (name, args, expected), result in zip(BAD_CALLS, answers, strict=True):
        assert result.is_error, f"{name}({args}) should fail"
        for needle in expected:
            assert needle in text(result), f"{name}({args}): {text(result)!r} lacks {needle!r}"
    # Still serving after all that, and nothing was written.
    assert not after.is_error and after.structured_content["total_count"] == 8


def test_resources_are_listed_and_readable(crm: ToolContext) -> None:
    async def conversation(c: Client) -> tuple[Any, ...]:
        listed = await c.list_resources()
        templates = await c.list_resource_templates()
        contents = {
            uri: await c.read_resource(uri)
            for uri in ("crm://pipeline", "crm://followups/this-week", "crm://customers/2")
        }
        try:
            await c.read_resource("crm://customers/99999")
            missing: str | None = None
        except MCPError as e:
            missing = str(e)
        return listed, templates, contents, missing

    listed, templates, contents, missing = session(crm, conversation)
    names = {str(r.uri): r.title for r in listed.resources}
    assert names["crm://customers/2"] == "Globex Corporation" and "crm://pipeline" in names
    assert [t.uri_template for t in templates.resource_templates] == ["crm://customers/{id}"]
    pipeline = json.loads(contents["crm://pipeline"].contents[0].text)
    assert {s["stage"]: s["count"] for s in pipeline["stages"]}["qualified"] == 3
    week = json.loads(contents["crm://followups/this-week"].contents[0].text)
    assert week["start"] == "2026-03-02" and week["end"] == "2026-03-08"
    profile = json.loads(contents["crm://customers/2"].contents[0].text)
    assert profile["contacts"][0]["name"] == "Hank Scorpio"
    assert missing is not None and "99999" in missing


def test_prompts_are_listed_and_rendered(crm: ToolContext) -> None:
    async def conversation(c: Client) -> tuple[Any, ...]:
        listed = await c.list_prompts()
        brief = await c.get_prompt("meeting_brief", {"customer": "Globex"})
        review = await c.get_prompt("weekly_followup_review", {})
        notes = await c.get_prompt(
            "log_meeting_notes", {"customer": "Acme", "notes": "Budget ok, proposal Friday"}
        )
        return listed, brief, review, notes

    listed, brief, review, notes = session(crm, conversation)
    assert {p.name for p in listed.prompts} >= {
        "meeting_brief",
        "weekly_followup_review",
        "log_meeting_notes",
    }
    assert all(p.description for p in listed.prompts)
    assert 'customer "Globex"' in brief.messages[0].content.text
    assert "the whole team" in review.messages[0].content.text
    body = notes.messages[0].content.text
    assert "Budget ok, proposal Friday" in body and "schedule_followup" in body
