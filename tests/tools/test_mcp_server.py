"""The MCP adapter in-process: schemas, argument handling, errors, resources, prompts, HTTP guards.

The wire (stdio, HTTP) is covered by tests/e2e; these run the same server through the SDK's
in-process client, so they are fast and can look at the database directly.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import ElicitResult, PromptReference
from starlette.testclient import TestClient

from tools.context import ToolContext
from tools.customers import find_customers
from tools.errors import InvalidArgument
from tools.mcp_http import BearerTokenGate, allowed_hosts, check_http_settings, is_loopback, listen
from tools.mcp_prompts import parse_template
from tools.mcp_server import build_server
from tools.mcp_tools import description
from tools.name_index import NameIndex
from tools.registry import TOOLS, TOOLS_BY_NAME
from tools.schemas import FindCustomers
from tools.transfer import import_text

MCP_CTX_SOURCE = "mcp"


def talk(ctx: ToolContext, conversation: Callable[[Client], Awaitable[Any]]) -> Any:
    """Run `conversation` against a fresh server over `ctx` (as an MCP server sees it: source mcp)."""
    ctx.source = MCP_CTX_SOURCE

    async def main() -> Any:
        async with Client(build_server(ctx)) as client:
            return await conversation(client)

    return anyio.run(main)


def call(ctx: ToolContext, name: str, arguments: dict[str, Any]) -> Any:
    return talk(ctx, lambda c: c.call_tool(name, arguments))


def test_every_registry_tool_is_served_with_its_models_schemas(ctx: ToolContext) -> None:
    listed = {t.name: t for t in talk(ctx, lambda c: c.list_tools()).tools}
    assert set(listed) == {spec.name for spec in TOOLS}
    for spec in TOOLS:
        tool = listed[spec.name]
        assert tool.description == description(spec) and tool.title == spec.title
        assert spec.description.startswith(tool.description.split(".")[0])
        assert "\n    " not in tool.description, "docstring indentation leaked into the description"
        assert (
            tool.input_schema["properties"].keys()
            == spec.input.model_json_schema().get("properties", {}).keys()
        )
        assert tool.output_schema is not None
        assert tool.output_schema["properties"].keys() == spec.output.model_json_schema()["properties"].keys()
        hints = tool.annotations
        assert hints.read_only_hint is spec.read_only and hints.open_world_hint is False
        if not spec.read_only:  # the protocol gives the other two a meaning only for tools that write
            assert (hints.destructive_hint, hints.idempotent_hint) == (spec.destructive, spec.idempotent)
    # What a model reads to fill the arguments in.
    customer = listed["log_interaction"].input_schema["properties"]["customer"]
    assert "id or name" in customer["description"]
    # Unknown arguments are still refused (the schema no longer repeats additionalProperties: false).
    refused = call(ctx, "log_interaction", {"customer": 1, "body": "x", "colour": "red"})
    assert refused.is_error and "colour: not an argument of log_interaction" in refused.content[0].text


def test_update_changes_only_the_fields_given(crm: ToolContext) -> None:
    result = call(crm, "update_customer", {"customer": "Acme Corp", "phone": "+1 555 0100"})
    assert not result.is_error
    customer = result.structured_content["customer"]
    # Email, owner and value were not mentioned, so they are kept.
    assert (customer["phone"], customer["email"], customer["owner"], customer["value"]) == (
        "+1 555 0100",
        "hello@acme.example",
        "sam",
        48000,
    )
    assert [c["field"] for c in result.structured_content["changes"]] == ["phone"]


def test_writes_are_recorded_as_mcp_by_the_acting_user(crm: ToolContext) -> None:
    logged = call(
        crm, "log_interaction", {"customer": "Globex", "body": "Call about seat count", "kind": "call"}
    )
    assert logged.structured_content["interaction"]["source"] == "mcp"
    assert logged.structured_content["interaction"]["author"] == "sam"
    change = call(crm, "recent_changes", {"limit": 1}).structured_content["items"][0]
    assert (change["actor"], change["source"]) == ("sam", "mcp")


def test_bad_arguments_are_explained_not_crashes(crm: ToolContext) -> None:
    result = call(crm, "update_customer", {"customer": "Acme", "value": -5, "colour": "red"})
    assert result.is_error
    text = result.content[0].text
    assert "value: Input should be greater than or equal to 0" in text
    assert "colour: not an argument of update_customer" in text
    assert "errors.pydantic.dev" not in text
    missing = call(crm, "log_interaction", {"customer": "Acme"})
    assert missing.is_error and "body: Field required" in missing.content[0].text


def test_domain_errors_carry_what_the_model_needs(crm: ToolContext) -> None:
    ambiguous = call(crm, "log_interaction", {"customer": "Brightline", "body": "hello"})
    assert ambiguous.is_error
    assert (
        "Brightline Media" in ambiguous.content[0].text and "Brightline Motors" in ambiguous.content[0].text
    )
    stage = call(crm, "set_stage", {"customer": "Acme", "stage": "sleeping"})
    assert stage.is_error and "lead, qualified, proposal, negotiation, won, lost" in stage.content[0].text
    # Nothing was written by the refused calls.
    assert call(crm, "recent_changes", {"limit": 5}).structured_content["items"][0]["source"] == "import"


def test_lists_sent_as_json_text_are_accepted(crm: ToolContext) -> None:
    # Some clients stringify arrays; the tool should still get a list, not one odd tag.
    result = call(crm, "update_customer", {"customer": "Acme", "add_tags": '["renewal", "q2"]'})
    assert result.structured_content["customer"]["tags"] == ["enterprise", "renewal", "q2"]


def test_resources_read_the_same_data_as_the_tools(crm: ToolContext) -> None:
    async def conversation(c: Client) -> tuple[Any, ...]:
        listed = await c.list_resources()
        profile = await c.read_resource("crm://customers/1")
        week = await c.read_resource("crm://followups/this-week")
        with pytest.raises(MCPError, match="No customer with id 404"):
            await c.read_resource("crm://customers/404")
        with pytest.raises(MCPError, match="numeric id"):
            await c.read_resource("crm://customers/acme")
        return listed, profile, week

    listed, profile, week = talk(crm, conversation)
    uris = {str(r.uri) for r in listed.resources}
    assert {"crm://pipeline", "crm://followups/this-week", "crm://customers/1"} <= uris
    assert json.loads(profile.contents[0].text)["name"] == "Acme Corp"
    due = json.loads(week.contents[0].text)
    assert {f["description"] for f in due["items"]} == {"send pricing", "confirm seat count"}
    assert [f["overdue"] for f in due["items"] if f["description"] == "confirm seat count"] == [True]


def test_prompts_fill_in_their_arguments(crm: ToolContext) -> None:
    async def conversation(c: Client) -> tuple[Any, ...]:
        listed = await c.list_prompts()
        notes = await c.get_prompt(
            "log_meeting_notes", {"customer": "Acme", "notes": "They want {SSO} by May."}
        )
        review = await c.get_prompt("weekly_followup_review", {"owner": "kim"})
        return listed, notes, review

    listed, notes, review = talk(crm, conversation)
    args = {p.name: {a.name: a.required for a in p.arguments or []} for p in listed.prompts}
    assert args["meeting_brief"] == {"customer": True}
    assert args["weekly_followup_review"] == {"owner": False}
    assert args["log_meeting_notes"] == {"customer": True, "notes": True}
    text = notes.messages[0].content.text
    assert "They want {SSO} by May." in text and "Acme" in text
    for tool in ("get_customer", "log_interaction", "schedule_followup", "set_stage"):
        assert tool in text
    assert "Whose: kim." in review.messages[0].content.text


def test_a_template_without_a_header_is_refused() -> None:
    with pytest.raises(ValueError, match="header"):
        parse_template("broken", "Just text {customer}")
    t = parse_template(
        "x", "---\nargument who (optional): a rep\ndefault who: everyone\n---\nFor {who} {other}\n"
    )
    assert t.render({}) == "For everyone {other}\n"


def test_http_refuses_unsafe_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_MCP_TOKEN", raising=False)
    with pytest.raises(InvalidArgument, match="CRM_MCP_TOKEN"):
        check_http_settings("127.0.0.1", no_auth=False)
    with pytest.raises(InvalidArgument, match="loopback"):
        check_http_settings("0.0.0.0", no_auth=True)
    assert check_http_settings("::1", no_auth=True) is None
    monkeypatch.setenv("CRM_MCP_TOKEN", "t0k")
    assert check_http_settings("0.0.0.0", no_auth=False) == "t0k"
    assert is_loopback("127.0.0.2") and is_loopback("localhost") and not is_loopback("192.168.1.5")


def test_allowed_hosts_are_the_bound_address() -> None:
    assert allowed_hosts("127.0.0.1", 8765) == ["127.0.0.1:8765", "localhost:8765"]
    assert "[::1]:9000" in allowed_hosts("::1", 9000)
    assert allowed_hosts("10.0.0.7", 80) == ["10.0.0.7:80"]


def test_http_connections_send_replies_without_waiting_for_an_ack() -> None:
    # The listening socket is TCP by protocol number, so asyncio (as uvicorn serves it) turns Nagle off
    # on every connection it accepts: with it on, each reply after a connection's first sat ~40 ms
    # in the kernel waiting for the client's delayed ACK.
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    seen: list[int] = []

    async def main() -> None:
        def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.append(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(accepted, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            while not seen:
                await asyncio.sleep(0.01)
            writer.close()

    asyncio.run(main())
    assert seen == [1]


def test_bearer_gate_needs_the_exact_token() -> None:
    async def ok(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"in"})

    client = TestClient(BearerTokenGate(ok, "s3cret"))
    assert client.get("/mcp").status_code == 401
    assert client.get("/mcp", headers={"Authorization": "Bearer s3cre"}).status_code == 401
    wrong = client.get("/mcp", headers={"Authorization": "Basic s3cret"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "unauthorized"
    assert client.get("/mcp", headers={"Authorization": "Bearer s3cret"}).text == "in"


def test_every_argument_is_described_for_the_model(ctx: ToolContext) -> None:
    for tool in talk(ctx, lambda c: c.list_tools()).tools:
        for name, field in tool.input_schema.get("properties", {}).items():
            assert field.get("description"), f"{tool.name}.{name} has no description"


def test_list_tools_page_with_a_cursor_and_say_when_more_exist(crm: ToolContext) -> None:
    list_tools = {spec.name for spec in TOOLS if "cursor" in spec.input.model_fields}
    assert list_tools == {
        "find_customers",
        "search_interactions",
        "stale_customers",
        "list_followups",
        "recent_changes",
    }
    for name in list_tools:
        assert {"has_more", "next_cursor"} <= TOOLS_BY_NAME[name].output.model_fields.keys(), name
        assert TOOLS_BY_NAME[name].input.model_fields["limit"].default <= 20, name

    async def conversation(c: Client) -> list[dict[str, Any]]:
        pages, cursor = [], None
        while True:
            result = await c.call_tool(
                "find_customers", {"limit": 3, **({"cursor": cursor} if cursor else {})}
            )
            pages.append(result.structured_content)
            cursor = result.structured_content["next_cursor"]
            if not cursor:
                return pages

    pages = talk(crm, conversation)
    assert [len(p["items"]) for p in pages] == [3, 3, 2]
    assert [p["has_more"] for p in pages] == [True, True, False]
    names = [c["name"] for p in pages for c in p["items"]]
    assert len(names) == len(set(names)) == 8


def test_the_server_uses_only_the_sdks_public_api() -> None:
    """Tools are registered with MCPServer.add_tool: no SDK internals that an upgrade may move."""
    internals = (
        "func_metadata",
        "ArgModelBase",
        "FuncMetadata",
        "mcpserver.tools import",
        "_tool_manager",
        "_lowlevel_server",
        "_handle_",
        "mcp.types",
    )
    for path in sorted(Path(__file__).resolve().parents[2].joinpath("tools").glob("mcp_*.py")):
        source = path.read_text(encoding="utf-8")
        for name in internals:
            assert name not in source, f"{path.name} uses {name}"


def test_completions_are_capped_and_say_when_more_exist(ctx: ToolContext) -> None:
    rows = [{"name": f"Harbor Freight {i:03d}"} for i in range(120)]
    import_text(
        ctx, json.dumps({"format": "crm-export", "version": 1, "customers": rows}), kind="json", label="x"
    )

    async def conversation(c: Client) -> tuple[Any, Any]:
        ref = PromptReference(name="meeting_brief")
        everyone = await c.complete(ref, {"name": "customer", "value": ""})
        one = await c.complete(ref, {"name": "customer", "value": "harbor freight 042"})
        return everyone.completion, one.completion

    everyone, one = talk(ctx, conversation)
    assert len(everyone.values) == 100 and everyone.has_more is True
    assert one.values[0] == "Harbor Freight 042"


def test_a_bad_resources_cursor_is_an_invalid_params_error(crm: ToolContext) -> None:
    async def conversation(c: Client) -> MCPError:
        with pytest.raises(MCPError) as refused:
            await c.list_resources(cursor="not-a-cursor")
        return refused.value

    assert talk(crm, conversation).error.code == -32602


def test_read_only_instructions_and_tools(crm: ToolContext) -> None:
    crm.source = MCP_CTX_SOURCE

    async def conversation(c: Client) -> tuple[Any, Any]:
        return await c.list_tools(), await c.call_tool("undo", {})

    async def main() -> Any:
        async with Client(build_server(crm, read_only=True)) as client:
            return client.instructions, await conversation(client)

    instructions, (tools, undo) = anyio.run(main)
    assert {t.name for t in tools.tools} == {s.name for s in TOOLS if s.read_only}
    assert undo.is_error and "read-only" in undo.content[0].text
    assert "READ-ONLY" in instructions and "Acting user: sam" in instructions


def test_elicitation_asks_only_about_calls_that_would_run(crm: ToolContext) -> None:
    asked: list[Any] = []

    async def pick_media(context: Any, params: Any) -> ElicitResult:
        asked.append(params)
        options = params.requested_schema["properties"]["customer"]["enum"]
        return ElicitResult(action="accept", content={"customer": next(o for o in options if "Media" in o)})

    async def main() -> tuple[Any, Any, Any]:
        crm.source = MCP_CTX_SOURCE
        async with Client(build_server(crm), elicitation_callback=pick_media) as client:
            bad = await client.call_tool("log_interaction", {"customer": "Brightline"})  # no body
            read = await client.call_tool("search_interactions", {"query": "demo", "customer": "Brightline"})
            good = await client.call_tool("set_stage", {"customer": "Brightline", "stage": "proposal"})
            return bad, read, good

    bad, read, good = anyio.run(main)
    assert bad.is_error and "body" in bad.content[0].text
    assert read.is_error and "Brightline Motors" in read.content[0].text  # reads never ask
    assert not good.is_error and good.structured_content["customer_name"] == "Brightline Media"
    assert len(asked) == 1


def test_the_name_index_is_built_before_the_first_lookup_asks_for_it(
    crm: ToolContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading the tool layer starts the index build, so a client's first lookup does not wait for it."""
    crm.source = MCP_CTX_SOURCE
    listed = find_customers(crm, FindCustomers(limit=1)).items  # a listing: no name index involved
    server = build_server(crm)
    assert server.names_ready is not None and server.names_ready.wait(30)

    def no_build(cls: type[NameIndex], *args: Any, **kwargs: Any) -> NameIndex:
        raise AssertionError("the lookup built the index itself")

    monkeypatch.setattr(NameIndex, "build", classmethod(no_build))

    async def main() -> Any:
        async with Client(server) as client:
            return await client.call_tool("find_customers", {"query": listed[0].name})

    found = anyio.run(main)
    assert not found.is_error, found.content
    assert found.structured_content["items"][0]["name"] == listed[0].name


def test_a_tool_call_that_waits_does_not_hold_up_the_server(crm: ToolContext) -> None:
    """Every pooled connection taken (a busy server): a read waits for one. Meanwhile the server still
    answers other requests: tool bodies run in worker threads, never on its event loop."""
    crm.source = MCP_CTX_SOURCE
    pool = crm.store.engine.pool
    order: list[str] = []

    async def main() -> None:
        async with Client(build_server(crm)) as client:
            await client.list_tools()  # the tool layer loaded
            held = [crm.store.engine.raw_connection() for _ in range(pool.size() + pool._max_overflow)]  # type: ignore[attr-defined]  # QueuePool's overflow limit

            async def read() -> None:
                result = await client.call_tool("recent_changes", {"limit": 1})
                assert not result.is_error, result.content
                order.append("read")

            async with anyio.create_task_group() as tg:
                tg.start_soon(read)
                await anyio.sleep(0.2)  # the read is waiting for a connection
                try:
                    with anyio.fail_after(20):
                        await client.list_prompts()
                    order.append("prompts")
                finally:
                    for conn in held:
                        conn.close()

    anyio.run(main)
    assert order == ["prompts", "read"]
