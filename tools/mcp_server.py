"""The MCP server: every tool of `tools.registry`, plus resources and prompts, for AI assistants.

`build_server(ctx)` registers each registry tool through the SDK's public `add_tool`, generically:
the function it registers validates the call's arguments with the tool's own pydantic input model,
calls the tool and hands back its output model as structured content. `tools/list` shows compact
schemas (tools/mcp_schemas.py) and annotations from the ToolSpec. With `read_only` only the
read-only tools are served. `run_server` serves it over stdio or, with `--http`, over streamable
HTTP at /mcp behind a bearer token (see tools/mcp_http.py).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, CallToolResult, GetPromptResult, TextContent, ToolAnnotations
from mcp_types import Tool as MCPTool
from pydantic import BaseModel, ValidationError

from tools.context import ToolContext
from tools.errors import USER_ERRORS, StorageError
from tools.mcp_elicit import Choice, ask_which_customer, chosen_customer, elicits
from tools.mcp_schemas import input_schema, output_schema
from tools.registry import TOOLS, ToolSpec

SERVER_NAME = "crm-assistant"


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


def compact_result(result: BaseModel) -> CallToolResult:
    """Structured content plus the same data as one line of JSON for clients that read only text.

    The SDK would indent that text; an AI client's context is precious, so it gets no whitespace.
    """
    data = result.model_dump(mode="json")
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)


def call_arguments(context: Context[Any, Any]) -> dict[str, Any]:
    """The arguments exactly as the client sent them.

    Not the SDK's per-parameter values: those would fill in every default, which loses the
    difference between "not given" and "given as null" (`update_customer` changes only the fields
    a caller named) and silently drops unknown arguments, which the tool's strict model refuses.
    """
    params = context.request_context.params or {}
    arguments = params.get("arguments") or {}
    return dict(arguments) if isinstance(arguments, dict) else {}


def run_tool(spec: ToolSpec, ctx: ToolContext, arguments: dict[str, Any]) -> CallToolResult:
    """Validate `arguments` with the tool's model and call it; domain errors become tool errors."""
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


def tool_function(spec: ToolSpec, ctx: ToolContext) -> Callable[..., CallToolResult]:
    """The function registered with the SDK for `spec`: its signature is what the SDK inspects.

    It takes the SDK's Context (for the raw arguments) and, for writes naming a customer, the
    user's pick when the name was ambiguous (asked through elicitation before the body runs). The
    return annotation gives the SDK the output model, so results are validated and structured.
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
    call.__signature__ = inspect.Signature(params, return_annotation=returns)  # type: ignore[attr-defined]
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


def annotations(spec: ToolSpec) -> ToolAnnotations:
    """The behaviour hints. Destructive and idempotent mean something only for a tool that writes
    (so says the protocol), so a read-only tool does not spend characters on them."""
    return ToolAnnotations(
        read_only_hint=spec.read_only,
        destructive_hint=None if spec.read_only else spec.destructive,
        idempotent_hint=None if spec.read_only else spec.idempotent,
        # A closed world: the tools touch only this CRM's database.
        open_world_hint=False,
    )


class CrmServer(MCPServer[Any]):
    """MCPServer with compact tool schemas, a read-only mode and prompt errors as JSON-RPC errors."""

    def __init__(self, ctx: ToolContext, *args: Any, read_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crm = ctx
        self.read_only = read_only
        self.specs = [spec for spec in TOOLS if spec.read_only or not read_only]
        for spec in self.specs:
            self.add_tool(
                tool_function(spec, ctx),
                name=spec.name,
                title=spec.title,
                description=description(spec),
                annotations=annotations(spec),
                structured_output=True,
            )
        self._listed: list[MCPTool] | None = None

    async def list_tools(self) -> list[MCPTool]:
        """The tools with compact schemas (computed once: they never change while serving)."""
        if self._listed is None:
            by_name = {spec.name: spec for spec in self.specs}
            self._listed = [
                tool.model_copy(
                    update={
                        "input_schema": input_schema(
                            by_name[tool.name].input, keep_null=by_name[tool.name].partial
                        ),
                        "output_schema": output_schema(by_name[tool.name].output),
                    }
                )
                for tool in await super().list_tools()
            ]
        return self._listed

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        if self.read_only and name in {spec.name for spec in TOOLS if not spec.read_only}:
            raise ToolError(
                f"{name} is not available: this CRM server is read-only (started with --read-only). "
                "Nothing was changed."
            )
        return await super().call_tool(name, arguments, context)

    async def get_prompt(
        self, name: str, arguments: dict[str, Any] | None = None, context: Any = None
    ) -> Any:
        """A prompt, or a JSON-RPC invalid-params error (-32602) naming what is wrong."""
        from tools.mcp_prompts import check_prompt_call

        problem = check_prompt_call(self, name, arguments or {})
        if problem:
            raise MCPError(code=INVALID_PARAMS, message=problem)
        result: GetPromptResult = await super().get_prompt(name, arguments, context)
        return result


def instructions(ctx: ToolContext, *, read_only: bool = False) -> str:
    """The server's instructions (prompts/system.md) for the acting user, today and the pipeline."""
    from importlib.resources import files

    from tools.stages import stages

    with ctx.read() as s:
        pipeline = stages(s)
    today = ctx.today()
    values = {
        "actor": ctx.actor,
        "timezone": str(ctx.tz),
        "today": f"{today:%A} {today.isoformat()}",
        "stages": ", ".join(pipeline),
        "mode": (
            "READ-ONLY: this server offers only the read-only tools; it cannot change anything."
            if read_only
            else "Writes are allowed; each is recorded under the acting user and can be undone."
        ),
    }
    text = files("prompts").joinpath("system.md").read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def build_server(ctx: ToolContext, *, read_only: bool = False) -> CrmServer:
    """An MCP server over `ctx`'s store, acting as `ctx.actor` (writes are recorded with `ctx.source`)."""
    from tools.mcp_complete import add_completions
    from tools.mcp_prompts import add_prompts
    from tools.mcp_resources import add_resources

    server = CrmServer(
        ctx,
        SERVER_NAME,
        title="CRM assistant",
        instructions=instructions(ctx, read_only=read_only),
        version=_version(),
        read_only=read_only,
        # Tool errors are answers for the model, not server trouble: keep stderr for real faults.
        log_level="WARNING",
    )
    add_resources(server, ctx)
    add_prompts(server, read_only=read_only)
    add_completions(server, ctx)
    return server


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("crm-assistant")
    except PackageNotFoundError:
        return "0.1.0"


def run_server(
    ctx: ToolContext, *, http: bool, host: str, port: int, no_auth: bool, read_only: bool = False
) -> None:
    """Serve MCP over stdio, or over streamable HTTP at /mcp (`http=True`) until interrupted.

    HTTP needs CRM_MCP_TOKEN (clients send `Authorization: Bearer <token>`) unless `no_auth`, which
    is refused on anything but a loopback address. Configuration mistakes raise InvalidArgument
    before anything is served. `read_only` serves only the read-only tools.
    """
    if http:
        from tools.mcp_http import check_http_settings, serve_http

        token = check_http_settings(host, no_auth, store=ctx.store)
        serve_http(build_server(ctx, read_only=read_only), host=host, port=port, token=token)
    else:
        build_server(ctx, read_only=read_only).run("stdio")
