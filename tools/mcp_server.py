"""The MCP server: every tool of `tools.registry`, plus resources and prompts, for AI assistants.

`build_server(ctx)` adapts the registry once, generically: each tool's input schema is its pydantic
input model's own JSON schema (field descriptions included), its output schema is the output
model, and its annotations come from the ToolSpec. `run_server` serves it over stdio or, with
`--http`, over streamable HTTP at /mcp behind a bearer token (see tools/mcp_http.py).
"""
from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, ConfigDict, ValidationError

from tools.context import ToolContext
from tools.errors import USER_ERRORS, StorageError
from tools.registry import TOOLS, ToolSpec
from tools.schemas import Output

SERVER_NAME = "crm-assistant"


class _RawArguments(ArgModelBase):
    """Hands the call's arguments through untouched, as one `arguments` dict.

    The SDK would otherwise rebuild every argument from a signature and fill in defaults, which
    loses the difference between "not given" and "given as null": `update_customer` relies on
    `exclude_unset` to change only the fields a caller named. The tool's own input model (strict:
    unknown arguments are refused) does the validation instead, in `_adapt`.
    """

    model_config = ConfigDict(extra="allow")

    def model_dump_one_level(self) -> dict[str, Any]:
        return {"arguments": dict(self.__pydantic_extra__ or {})}


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


def _unstringify(model: type[BaseModel], arguments: dict[str, Any]) -> dict[str, Any]:
    # Some clients send lists and objects as JSON text ('["a","b"]'); accept them where the field
    # is not a plain string, as the SDK's own adapter does.
    fixed = dict(arguments)
    for name, value in arguments.items():
        field = model.model_fields.get(name)
        if field is None or field.annotation is str or not isinstance(value, str):
            continue
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            continue
        if isinstance(parsed, list | dict):
            fixed[name] = parsed
    return fixed


def compact_result(result: Output) -> CallToolResult:
    """Structured content plus the same data as one line of JSON for clients that read only text.

    The SDK would indent that text; an AI client's context is precious, so it gets no whitespace.
    """
    data = result.model_dump(mode="json")
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)


def _adapt(spec: ToolSpec, ctx: ToolContext) -> Callable[..., CallToolResult]:
    """The tool's function bound to `ctx`, with domain errors turned into MCP tool errors."""

    def call(arguments: dict[str, Any]) -> CallToolResult:
        try:
            request = spec.input.model_validate(_unstringify(spec.input, arguments))
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

    call.__name__ = spec.name
    call.__doc__ = description(spec)
    return call


def description(spec: ToolSpec) -> str:
    """The tool's docstring as a model reads it: without the source code's indentation."""
    return inspect.cleandoc(spec.description)


def mcp_tool(spec: ToolSpec, ctx: ToolContext) -> Tool:
    """The MCP registration of one registry tool: schemas from its models, hints from its spec."""
    return Tool(
        fn=_adapt(spec, ctx),
        name=spec.name,
        title=spec.title,
        description=description(spec),
        parameters=spec.input.model_json_schema(),
        fn_metadata=FuncMetadata(arg_model=_RawArguments, output_model=spec.output),
        is_async=False,
        annotations=ToolAnnotations(
            title=spec.title,
            read_only_hint=spec.read_only,
            destructive_hint=spec.destructive,
            idempotent_hint=spec.idempotent,
            # A closed world: the tools touch only this CRM's database.
            open_world_hint=False,
        ),
    )


def instructions() -> str:
    """The system prompt (prompts/system.md), sent to clients as the server's instructions."""
    from importlib.resources import files

    return files("prompts").joinpath("system.md").read_text(encoding="utf-8")


def build_server(ctx: ToolContext) -> MCPServer:
    """An MCP server over `ctx`'s store, acting as `ctx.actor` (writes are recorded with `ctx.source`)."""
    from tools.mcp_prompts import add_prompts
    from tools.mcp_resources import CrmServer, add_resources

    server = CrmServer(
        ctx,
        SERVER_NAME,
        title="CRM assistant",
        instructions=instructions(),
        version=_version(),
        tools=[mcp_tool(spec, ctx) for spec in TOOLS],
        # Tool errors are answers for the model, not server trouble: keep stderr for real faults.
        log_level="WARNING",
    )
    add_resources(server, ctx)
    add_prompts(server)
    return server


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("crm-assistant")
    except PackageNotFoundError:
        return "0.1.0"


def run_server(ctx: ToolContext, *, http: bool, host: str, port: int, no_auth: bool) -> None:
    """Serve MCP over stdio, or over streamable HTTP at /mcp (`http=True`) until interrupted.

    HTTP needs CRM_MCP_TOKEN (clients send `Authorization: Bearer <token>`) unless `no_auth`, which
    is refused on anything but a loopback address. Configuration mistakes raise InvalidArgument
    before anything is served.
    """
    if http:
        from tools.mcp_http import check_http_settings, serve_http

        token = check_http_settings(host, no_auth)
        serve_http(build_server(ctx), host=host, port=port, token=token)
    else:
        build_server(ctx).run("stdio")
