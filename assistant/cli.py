"""The `crm` command: a thin shell over the tool layer.

Each command builds a context from the global settings, calls one library function and prints the
result (a table on a terminal, JSON with --json). A user mistake is one line on stderr and exit 1.
Heavy modules (the MCP SDK, python-telegram-bot) are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from assistant import terminal
from assistant.cli_common import GLOBALS_NOTE
from assistant.cli_common import context as _context
from assistant.cli_common import emit as _emit
from assistant.cli_completion import add_completion_command
from assistant.cli_read import add_read_commands
from assistant.cli_stages import add_stages_command
from assistant.cli_teams import add_copy_command, add_users_command

GLOBAL_HELP = {
    "db": "SQLite path or SQLAlchemy URL (env CRM_DB; default: a file in your data directory)",
    "user": "acting user / rep (env CRM_USER; default: your OS user name)",
    "now": "ISO datetime taken as 'now', for tests and demos (env CRM_NOW)",
    "tz": "timezone of the acting user when not registered with `crm users` (env CRM_TZ)",
}


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors, and a guess for a mistyped command."""

    def error(self, message: str) -> NoReturn:
        bad = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if bad and self.prog == "crm":
            word, names = bad.group(1), re.findall(r"'?([\w-]+)'?", bad.group(2))
            close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
            hint = f", did you mean {close[0]}?" if close else " (crm --help lists them)"
            message = f"unknown command {word!r}{hint}"
        else:
            message += f" (see {self.prog} --help)"
        self.exit(2, f"crm: {message}\n")


def _globals_parser(suppress: bool) -> _Parser:
    # The same options on the main parser and on every command, so `crm --db X find Y` and
    # `crm find Y --db X` both work. A command's --help leaves them out (they are the same
    # everywhere); its epilog says they apply.
    p = _Parser(add_help=False)
    default = argparse.SUPPRESS if suppress else None
    for name, text in GLOBAL_HELP.items():
        p.add_argument(f"--{name}", default=default, help=argparse.SUPPRESS if suppress else text)
    return p


# ---- commands -------------------------------------------------------------------------------------
# Each command imports the tool modules it calls itself, when it runs: start-up stays fast for
# `crm --help`, shell completion and an MCP client's `initialize` (the tool layer takes ~1 s to load).


def cmd_tool(args: argparse.Namespace) -> None:
    """Call any tool by its MCP name with JSON arguments: the scripting escape hatch."""
    from tools.errors import InvalidArgument
    from tools.registry import TOOLS_BY_NAME

    spec = TOOLS_BY_NAME.get(args.name)
    if spec is None:
        raise InvalidArgument(f"No tool {args.name!r}. Tools: {', '.join(sorted(TOOLS_BY_NAME))}.")
    try:
        arguments = json.loads(args.arguments or "{}")
    except json.JSONDecodeError as e:
        raise InvalidArgument(f"Arguments are not valid JSON: {e.msg} (column {e.colno}).") from None
    result = spec.func(_context(args), spec.input.model_validate(arguments))
    print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=1))


def cmd_undo(args: argparse.Namespace) -> None:
    """Undo the last change; one that removes several records (or an import) asks first, or needs --yes."""
    from tools.errors import InvalidArgument
    from tools.history import plan_undo, undo_change

    ctx = _context(args)
    plan = plan_undo(ctx)
    if plan.needs_confirmation and not args.yes and not terminal.confirm(plan.question()):
        raise InvalidArgument(
            f"not undone: “{plan.summary}” would remove {plan.removed or 'imported records'}; "
            "run crm undo --yes to remove them"
        )
    result = undo_change(ctx, plan.batch)
    _emit(
        args,
        result,
        lambda: f"Undone: {result.summary}." + (f" Removed {plan.removed}." if plan.removed else ""),
    )


def _with_progress(label: str, work: Callable[..., Any], *args: Any) -> Any:
    """Run `work`, showing progress on a terminal; passes a `progress` callback when `work` takes one."""
    import inspect  # start-up: ~20 ms that only import and export need

    with terminal.progress(label) as report:
        if "progress" in inspect.signature(work).parameters:
            return work(*args, progress=report)
        return work(*args)


def cmd_import(args: argparse.Namespace) -> None:
    from tools.transfer import import_file

    result = _with_progress(
        f"Importing {args.file}{_rows_in(args.file)}", import_file, _context(args, source="import"), args.file
    )
    for warning in getattr(result, "warnings", []):  # e.g. a column it does not know, so left out
        print(f"crm: note: {warning}", file=sys.stderr)
    _emit(
        args,
        result,
        lambda: (
            f"Imported {result.customers_created} new and {result.customers_updated} updated customers, "
            f"{result.contacts} contacts, {result.interactions} interactions, {result.followups} follow-ups."
        ),
    )


def _rows_in(path: str) -> str:
    """' (50,000 rows)' for a CSV file on a terminal, so a long import says how big it is; '' otherwise."""
    if not sys.stderr.isatty() or not path.lower().endswith((".csv", ".tsv", ".txt")):
        return ""
    try:
        with open(path, "rb") as f:
            lines = sum(1 for _ in f)
    except OSError:
        return ""  # the import itself says what is wrong with the file
    return f" ({max(lines - 1, 0):,} rows)"


def cmd_export(args: argparse.Namespace) -> None:
    from tools.transfer import export_csv, export_data

    ctx = _context(args)
    with terminal.progress("Exporting"):
        text = (
            export_csv(ctx)
            if args.format == "csv"
            else json.dumps(export_data(ctx), ensure_ascii=False, indent=1) + "\n"
        )
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def cmd_demo(args: argparse.Namespace) -> None:
    from tools.demo import load_demo

    ctx = _context(args, source="import")
    with terminal.progress("Adding demo data"):
        result = load_demo(ctx, force=args.force)
    where = ctx.store.label  # a file path, or host:port/db without the password
    if isinstance(result, int):
        print(f"{where} already has {result} customers; demo data not added (--force adds it anyway).")
    else:
        print(
            f"Added {result.customers_created} demo customers with {result.interactions} interactions and "
            f"{result.followups} follow-ups to {where}."
        )


def cmd_chat(args: argparse.Namespace) -> None:
    from assistant.chat_cli import run_chat

    sys.exit(run_chat(_context(args, source="cli"), as_json=args.json))


def cmd_mcp(args: argparse.Namespace) -> None:
    from tools.mcp_server import run_server

    # A factory and the settings: over stdio the server answers `initialize` before it opens the store.
    run_server(
        lambda: _context(args, source="mcp"),
        settings=args,
        http=args.http,
        host=args.host,
        port=args.port,
        no_auth=args.no_auth,
        read_only=args.read_only,
    )


def cmd_telegram(args: argparse.Namespace) -> None:
    from assistant.telegram_bot import run_bot

    run_bot(_context(args, source="telegram"), api_url=args.api_url)


# ---- parser ---------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="crm",
        parents=[_globals_parser(suppress=False)],
        description="A conversational CRM: chat, MCP server, Telegram bot and scripts over one database.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _globals_parser(suppress=True)

    def command(
        name: str, func: Callable[[argparse.Namespace], None], help: str, json_flag: bool = True
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help, description=help, epilog=GLOBALS_NOTE)
        p.set_defaults(func=func)
        if json_flag:
            p.add_argument("--json", action="store_true", help="print JSON for scripts")
        return p

    p = command("chat", cmd_chat, "talk to the assistant (one message per line when piped)", json_flag=False)
    p.add_argument("--json", action="store_true", help="one JSON object per input line, with 'reply'")
    p = command("mcp", cmd_mcp, "run the MCP server (stdio; --http for streamable HTTP)", json_flag=False)
    p.add_argument("--http", action="store_true", help="serve streamable HTTP at /mcp instead of stdio")
    p.add_argument("--host", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="HTTP port (default 8765)")
    p.add_argument("--no-auth", action="store_true", help="serve HTTP without a bearer token (loopback only)")
    p.add_argument("--read-only", action="store_true", help="serve only the read-only tools (no writes)")
    p = command("telegram", cmd_telegram, "run the Telegram bot (needs TELEGRAM_BOT_TOKEN)", json_flag=False)
    p.add_argument("--api-url", default=None, help="Bot API base URL (env TELEGRAM_API_URL)")
    p = command("import", cmd_import, "import a crm-export JSON file or a customer CSV (all or nothing)")
    p.add_argument("file")
    p = command("export", cmd_export, "export everything as JSON (or customers as CSV)", json_flag=False)
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p = command("demo", cmd_demo, "fill the database with realistic sample data", json_flag=False)
    p.add_argument(
        "--force", action="store_true", help="add the sample data even if the database has customers"
    )
    add_read_commands(command)
    p = command("undo", cmd_undo, "undo your last change")
    p.add_argument(
        "-y",
        "--yes",
        action="store_true",
        help="undo without asking, even when it removes several records (e.g. an import)",
    )
    add_stages_command(command)
    add_completion_command(command, parser)
    p = command("tool", cmd_tool, "call a tool by name with JSON arguments (prints JSON)", json_flag=False)
    p.add_argument("name")
    p.add_argument("arguments", nargs="?", default="{}")
    add_users_command(command, common)
    add_copy_command(command)
    return parser


class _Version(argparse.Action):
    """--version, looked up only when asked: importlib.metadata costs every other command ~0.1 s."""

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"crm {_version()}")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # start-up: only for --version

    try:
        return version("crm-assistant")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown (not installed)"


def _failed(e: Exception) -> int:
    """A command's failure as one line on stderr and exit 1; anything unexpected is raised again.

    The error types are imported only here, once something failed: `crm mcp` must not load
    SQLAlchemy and the tool layer before it answers `initialize`.
    """
    from pydantic import ValidationError
    from sqlalchemy.exc import SQLAlchemyError

    from tools.errors import USER_ERRORS

    if isinstance(e, USER_ERRORS):
        print(f"crm: {e}", file=sys.stderr)
    elif isinstance(e, ValidationError):
        first = e.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "input"
        print(f"crm: {where}: {first.get('msg')}", file=sys.stderr)
    elif isinstance(e, SQLAlchemyError):
        detail = str(e.orig if hasattr(e, "orig") else e).splitlines()[0]
        print(f"crm: database error: {detail}", file=sys.stderr)
    elif isinstance(e, OSError):  # a path the user gave (--db, -o) that cannot be used
        where = f": {e.filename}" if getattr(e, "filename", None) else ""
        print(f"crm: {e.strerror or e}{where}", file=sys.stderr)
    else:
        raise e
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # sorted out by _failed, which raises again what it does not know
        return _failed(e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
