"""The registry's tools as MCP tools: one generic function per ToolSpec, registered on the server.

The function registered for a tool validates the call's arguments with the tool's own pydantic
input model, calls the tool and hands back its output model as structured content; domain and
storage errors become tool errors a model can act on. Kept apart from tools/mcp_server.py because
it brings the whole tool layer (SQLAlchemy, SQLModel, the models): the server imports it only after
`initialize` has been answered.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, ValidationError

from tools.context import ToolContext
from tools.errors import USER_ERRORS, StorageError
from tools.mcp_elicit import Choice, ask_which_customer, call_arguments, chosen_customer, elicits
from tools.mcp_schemas import unstringify
from tools.registry import ToolSpec


def explain_invalid(tool: str, error: ValidationError) -> str:
    """One readable line per bad argument, for a model to fix its call (no pydantic URLs)."""
    problems = []
    for err in error.errors(include_url=False):
        where = ".".join(str(p) for p in err.get("loc", ())) or "arguments"
        if err.get("type") == "extra_forbidden":
            problems.append(f"{where}: not an argument of {tool}")
        else:
            problems.append(f"{where}: {err.get('msg')}")
    return f"Invalid arguments for {tool}: " + "; ".join(problems) + "."


def compact_result(result: BaseModel) -> CallToolResult:
    """Structured content plus the same data as one line of JSON for clients that read only text.

    The SDK would indent that text; an AI client's context is precious, so it gets no whitespace.
    """
    data = result.model_dump(mode="json")
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)


def run_tool(spec: ToolSpec, ctx: ToolContext, arguments: dict[str, Any]) -> CallToolResult:
    """Validate `arguments` with the tool's model and call it; domain errors become tool errors."""
    try:
        request = spec.input.model_validate(unstringify(spec.input, arguments))
    except ValidationError as e:
        raise ToolError(explain_invalid(spec.name, e)) from e
    try:
        return compact_result(spec.func(ctx, request))
    except StorageError as e:
        # Not the model's mistake: say so, and whether the very same call may simply be repeated.
        advice = "" if e.retry else " Retrying will not help; tell the user."
        raise ToolError(f"{e}{advice}") from e
    except USER_ERRORS as e:
        # The message names the candidates, the valid stages or the date it could not read:
        # exactly what the model needs to retry or to ask the user.
        raise ToolError(str(e)) from e
    except ValidationError as e:
        raise ToolError(explain_invalid(spec.name, e)) from e


def tool_function(spec: ToolSpec, ctx: ToolContext) -> Callable[..., CallToolResult]:
    """The function registered with the SDK for `spec`: its signature is what the SDK inspects.

    It takes the SDK's Context (for the raw arguments) and, for writes naming a customer, the
    user's pick when the name was ambiguous (asked through elicitation before the body runs). The
    return annotation gives the SDK the output model, so results are validated and structured.

    A plain function, so the SDK runs it in a worker thread: even a small read may wait (for a pooled
    connection, a PostgreSQL lock, a server that does not answer), and on the event loop that wait
    would stop every other request of the server.
    """
    asks = elicits(spec)

    def call(mcp_context: Context[Any, Any], choice: Choice = None) -> CallToolResult:
        arguments = call_arguments(mcp_context)
        if asks:
            arguments = chosen_customer(arguments, choice)
        return run_tool(spec, ctx, arguments)

    params = [inspect.Parameter("mcp_context", inspect.Parameter.KEYWORD_ONLY, annotation=Context)]
    annotations: dict[str, Any] = {"mcp_context": Context}
    if asks:
        picked = Annotated[Choice, Resolve(ask_which_customer(spec, ctx))]
        params.append(inspect.Parameter("choice", inspect.Parameter.KEYWORD_ONLY, annotation=picked))
        annotations["choice"] = picked
    returns = Annotated[CallToolResult, spec.output]
    call.__signature__ = inspect.Signature(params, return_annotation=returns)  # type: ignore[attr-defined]  # inspect reads it; functions do not declare it
    call.__annotations__ = {**annotations, "return": returns}
    call.__name__ = spec.name
    return call


def description(spec: ToolSpec) -> str:
    """What a model reads about the tool: the docstring's first paragraph, on one line.

    A client sends every tool's description to the model on every turn. The details of the later
    paragraphs (how names match, stage aliases, paging, undo's refusals) are the same for all tools
    and are said once, in the server's instructions (prompts/system.md).
    """
    return " ".join(inspect.cleandoc(spec.description).split("\n\n", 1)[0].split())


def tool_annotations(spec: ToolSpec) -> ToolAnnotations:
    """The behaviour hints. Destructive and idempotent mean something only for a tool that writes
    (so says the protocol), so a read-only tool does not spend characters on them."""
    return ToolAnnotations(
        read_only_hint=spec.read_only,
        destructive_hint=None if spec.read_only else spec.destructive,
        idempotent_hint=None if spec.read_only else spec.idempotent,
        # A closed world: the tools touch only this CRM's database.
        open_world_hint=False,
    )


def add_tools(server: MCPServer[Any], ctx: ToolContext, specs: list[ToolSpec]) -> None:
    """Register each of `specs` on `server` (the SDK's public `add_tool`), calling through `ctx`."""
    for spec in specs:
        server.add_tool(
            tool_function(spec, ctx),
            name=spec.name,
            title=spec.title,
            description=description(spec),
            annotations=tool_annotations(spec),
            structured_output=True,
        )
