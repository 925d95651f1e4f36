"""The MCP server: every tool of `tools.registry`, plus resources and prompts, for AI assistants.

`build_server(ctx)` registers each registry tool through the SDK's public `add_tool` (see
tools/mcp_tools.py: each call is validated with the tool's pydantic input model and answered with
its output model as structured content). `tools/list` shows compact schemas (tools/mcp_schemas.py)
and annotations from the ToolSpec. With `read_only` only the read-only tools are served.
`run_server` serves it over stdio or, with `--http`, over streamable HTTP at /mcp behind a bearer
token (see tools/mcp_http.py).

Over stdio the server starts lazily: `initialize` is answered from the MCP SDK alone, its
instructions read with plain `sqlite3` (or `psycopg` for a PostgreSQL URL; store/startup.py), and
the tool layer (SQLAlchemy, SQLModel, the models, every tool: about half a second) is imported and
the store opened when the first other request arrives. This module therefore imports nothing of the
tool layer at its top.
"""

from __future__ import annotations

import getpass
import os
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mcp.server import MCPServer
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR, INVALID_PARAMS, Completion
from mcp_types import Tool as MCPTool

from store.startup import env_db, start_facts_at

if TYPE_CHECKING:
    from tools.context import ToolContext
    from tools.registry import ToolSpec

SERVER_NAME = "crm-assistant"

# Requests answered before the tool layer is loaded: everything else loads it first.
_ANSWERED_UNLOADED = frozenset({"initialize", "ping"})


class Settings(Protocol):
    """The CLI's global options the instructions depend on (an argparse Namespace has them)."""

    db: str | None
    user: str | None
    now: str | None
    tz: str | None


class CrmServer(MCPServer[Any]):
    """MCPServer with compact tool schemas, a read-only mode and prompt errors as JSON-RPC errors.

    `context` is the ToolContext, or a function that opens it: then the store is opened and the
    tools, resources, prompts and completions are registered on the first request that is not
    `initialize` or `ping` (`load`), so a client's handshake does not wait for the tool layer.
    """

    def __init__(
        self,
        context: ToolContext | Callable[[], ToolContext],
        *args: Any,
        read_only: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._open: Callable[[], ToolContext] = context if callable(context) else lambda: context
        self._ctx: ToolContext | None = None
        self.read_only = read_only
        self.specs: list[ToolSpec] = []
        self._writers: frozenset[str] = frozenset()
        self._listed: list[MCPTool] | None = None
        self.names_ready: threading.Event | None = None  # set once the name index is built (see load)
        self.middleware.append(self._load_first)  # type: ignore[arg-type]  # a bound method is not seen as the Protocol
        # The completions capability is announced in the `initialize` answer, so a handler must be
        # registered before it; `load` (which runs before any handler is looked up) replaces it.
        self.completion()(self._no_completions)  # type: ignore[no-untyped-call]  # the SDK's decorator is unannotated

    @property
    def crm(self) -> ToolContext:
        """The tools' context (the store opened and everything registered on first use)."""
        return self.load()

    def load(self) -> ToolContext:
        """Open the context and register the tools, resources, prompts and completions, once."""
        if self._ctx is not None:
            return self._ctx
        # Imported here, after `initialize` was answered: these bring the tool layer with SQLAlchemy
        # and SQLModel (about half a second of a start of 1.3 s).
        from tools.mcp_complete import add_completions
        from tools.mcp_prompts import add_prompts
        from tools.mcp_resources import add_resources
        from tools.mcp_tools import add_tools
        from tools.registry import TOOLS

        ctx = self._open()
        self.specs = [spec for spec in TOOLS if spec.read_only or not self.read_only]
        self._writers = frozenset(spec.name for spec in TOOLS if not spec.read_only)
        add_tools(self, ctx, self.specs)
        add_resources(self, ctx)
        add_prompts(self, read_only=self.read_only)
        add_completions(self, ctx)
        self._ctx = ctx
        from tools.names import build_in_background  # loaded with the tools (see above)

        self.names_ready = build_in_background(ctx)
        return ctx

    async def _load_first(
        self, request: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        """Middleware: loads everything before the first request that needs it reaches its handler."""
        if self._ctx is not None or request.request_id is None or request.method in _ANSWERED_UNLOADED:
            return await call_next(request)
        before = len(self.middleware)
        try:
            self.load()
        except Exception as e:  # the store refused to open (schema too new, damaged, locked ...)
            raise MCPError(code=INTERNAL_ERROR, message=f"The CRM database could not be opened: {e}") from e
        # Middleware registered by `load` (the resources' paging) wraps this first request too.
        call = call_next
        for middleware in reversed(self.middleware[before:]):
            call = _wrapped(middleware, call)
        return await call(request)

    async def _no_completions(self, ref: Any, argument: Any, context: Any) -> Completion:
        return Completion(values=[])

    async def list_tools(self) -> list[MCPTool]:
        """The tools with compact schemas (computed once: they never change while serving)."""
        if self._listed is None:
            from tools.mcp_schemas import input_schema, output_schema  # loaded with the tools (see load)

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
        self.load()
        if self.read_only and name in self._writers:
            raise ToolError(
                f"{name} is not available: this CRM server is read-only (started with --read-only). "
                "Nothing was changed."
            )
        return await super().call_tool(name, arguments, context)

    async def get_prompt(
        self, name: str, arguments: dict[str, Any] | None = None, context: Any = None
    ) -> Any:
        """A prompt, or a JSON-RPC invalid-params error (-32602) naming what is wrong."""
        from tools.mcp_prompts import check_prompt_call  # loaded with the tools (see load)

        problem = check_prompt_call(self, name, arguments or {})
        if problem:
            raise MCPError(code=INVALID_PARAMS, message=problem)
        return await super().get_prompt(name, arguments, context)


def _wrapped(middleware: Any, call_next: CallNext) -> CallNext:
    async def call(request: ServerRequestContext[Any, Any]) -> HandlerResult:
        result: HandlerResult = await middleware(request, call_next)
        return result

    return call


def render_instructions(
    actor: str, tz: ZoneInfo, today: date, stages: list[str], *, read_only: bool, timezone: str | None = None
) -> str:
    """prompts/system.md filled in: the acting user, their zone, today and the pipeline."""
    values = {
        "actor": actor,
        "timezone": timezone or str(tz),
        "today": f"{today:%A} {today.isoformat()}",
        "stages": ", ".join(stages),
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


def instructions(ctx: ToolContext, *, read_only: bool = False) -> str:
    """The server's instructions (prompts/system.md) for the acting user, today and the pipeline."""
    return render_instructions(ctx.actor, ctx.tz, ctx.today(), _stages(ctx), read_only=read_only)


def _stages(ctx: ToolContext) -> list[str]:
    from tools.stages import stages  # the tool layer: the caller has a ToolContext, so it is loaded

    with ctx.read() as s:
        return stages(s)


def http_instructions(ctx: ToolContext, *, read_only: bool = False) -> str:
    """The instructions of one HTTP server for the whole team.

    Over HTTP each request acts as the rep whose token it carries (tools.mcp_http), but the
    instructions are one text for every client, so they name the rule rather than one rep.
    """
    return render_instructions(
        f"the rep whose token this client sends (the shared CRM_MCP_TOKEN acts as {ctx.actor})",
        ctx.tz,
        ctx.today(),
        _stages(ctx),
        read_only=read_only,
        timezone=f"that rep's own (reps without one: {ctx.tz})",
    )


def start_instructions(settings: Settings, *, read_only: bool = False) -> str | None:
    """The instructions `instructions(open_context(...))` would give, read without the tool layer.

    The same rules as tools.context.open_context (acting user, registered zone over --tz over
    CRM_TZ over the system's, --now or CRM_NOW); None whenever anything is unusual (a URL that is
    not PostgreSQL, a file not made yet, an unknown zone, an unreadable --now), and the caller
    opens the context instead, which reports it as usual.
    """
    actor = (settings.user or os.environ.get("CRM_USER") or getpass.getuser() or "me").strip()
    facts = start_facts_at(env_db(settings.db), actor)
    if facts is None:
        return None
    try:
        tz = _zone(facts.timezone or settings.tz or os.environ.get("CRM_TZ"))
        fixed = settings.now or os.environ.get("CRM_NOW")
        moment = datetime.fromisoformat(fixed) if fixed else datetime.now(UTC)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    moment = moment.replace(tzinfo=tz) if moment.tzinfo is None else moment
    return render_instructions(actor, tz, moment.astimezone(tz).date(), facts.stages, read_only=read_only)


def _zone(name: str | None) -> ZoneInfo:
    # As tools.context.zone: an IANA name, else the system's zone (/etc/localtime), else UTC.
    if name:
        return ZoneInfo(name)
    try:
        link = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in link:
            return ZoneInfo(link.split("zoneinfo/", 1)[1])
    except (OSError, ZoneInfoNotFoundError, ValueError):
        pass
    return ZoneInfo("UTC")


def build_server(
    ctx: ToolContext | Callable[[], ToolContext],
    *,
    read_only: bool = False,
    instructions_text: str | None = None,
) -> CrmServer:
    """An MCP server over `ctx`'s store, acting as `ctx.actor` (writes are recorded with `ctx.source`).

    Given a function that opens the context and the instructions read without it
    (`start_instructions`), the server loads the tool layer on its first request after `initialize`;
    otherwise everything is registered here.
    """
    lazy = callable(ctx) and instructions_text is not None
    if not lazy and callable(ctx):
        ctx = ctx()
    if instructions_text is None:
        assert not callable(ctx)  # opened just above
        instructions_text = instructions(ctx, read_only=read_only)
    server = CrmServer(
        ctx,
        SERVER_NAME,
        title="CRM assistant",
        instructions=instructions_text,
        version=_version(),
        read_only=read_only,
        # Tool errors are answers for the model, not server trouble: keep stderr for real faults.
        log_level="WARNING",
    )
    if not lazy:
        server.load()
    return server


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("crm-assistant")
    except PackageNotFoundError:
        return "0.1.0"


def run_server(
    ctx: ToolContext | Callable[[], ToolContext],
    *,
    http: bool,
    host: str,
    port: int,
    no_auth: bool,
    read_only: bool = False,
    settings: Settings | None = None,
) -> None:
    """Serve MCP over stdio, or over streamable HTTP at /mcp (`http=True`) until interrupted.

    `ctx` is the context or a function that opens it; with the latter and the CLI's `settings`,
    stdio starts lazily (see the module's docstring). HTTP needs CRM_MCP_TOKEN (clients send
    `Authorization: Bearer <token>`) unless `no_auth`, which is refused on anything but a loopback
    address. Configuration mistakes raise InvalidArgument before anything is served. `read_only`
    serves only the read-only tools.
    """
    if http:
        from tools.mcp_http import check_http_settings, serve_http

        opened = ctx() if callable(ctx) else ctx
        token = check_http_settings(host, no_auth, store=opened.store)
        team = http_instructions(opened, read_only=read_only)
        serve_http(
            build_server(opened, read_only=read_only, instructions_text=team),
            host=host,
            port=port,
            token=token,
        )
        return
    text = start_instructions(settings, read_only=read_only) if settings and callable(ctx) else None
    build_server(ctx, read_only=read_only, instructions_text=text).run("stdio")
