"""`crm users` (reps and their MCP tokens) and `crm copy` (a whole database into another).

The team commands: who the reps are, the bearer token each rep's MCP client sends to
`crm mcp --http`, and moving the CRM between SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant import terminal
from assistant.cli_common import GLOBALS_NOTE, check_db_folder, database

if TYPE_CHECKING:
    from store import Store
    from store.copy import CopyResult

# The commands import the store and tool layers when they run, not when the parser is built:
# `crm --help`, `crm --version` and shell completion stay fast (assistant.render alone takes ~1 s).

Command = Callable[..., argparse.ArgumentParser]

TOKEN_HELP = (
    "make NAME's bearer token for crm mcp --http (printed once, stored only as a hash); "
    "--rotate replaces it, --revoke removes it"
)
TOKEN_EPILOG = (
    "The token is printed alone on stdout (the explanation goes to stderr), so "
    "TOKEN=$(crm users token kim) works. The rep's MCP client sends 'Authorization: Bearer <token>'; "
    "its writes are recorded as that rep, and its undo reverts only that rep's changes. " + GLOBALS_NOTE
)


def _open(db: str | None) -> Store:
    """The store at `db`; a file in a folder that does not exist is a typo, not a request to create one."""
    from store import Store  # start-up, as above

    check_db_folder(db)
    return Store(db)


# ---- crm users ----------------------------------------------------------------------------------------


def cmd_users(args: argparse.Namespace) -> None:
    from assistant.render import table  # start-up, as above
    from tools import tokens, users

    store = _open(database(args))
    if args.users_cmd == "add":
        u = users.add_user(
            store,
            args.name,
            timezone=args.tz_name,
            telegram_id=args.telegram_id,
            digest_time=args.digest_time,
        )
        print(f"{u.name}: timezone {u.timezone}, telegram id {u.telegram_id or '—'}, digest {u.digest_time}")
    elif args.users_cmd == "remove":
        users.remove_user(store, args.name)
        print(f"Removed {args.name}.")
    elif args.users_cmd == "token":
        _token(args, store)
    else:
        listed = users.list_users(store)
        if args.json:
            print(json.dumps([u.model_dump() for u in listed], indent=1))
            return
        made = tokens.token_dates(store)
        print(
            table(
                ["name", "timezone", "telegram id", "digest", "MCP token"],
                [
                    [
                        u.name,
                        u.timezone,
                        str(u.telegram_id or ""),
                        u.digest_time,
                        f"made {made[u.name]:%Y-%m-%d}" if u.name in made else "",
                    ]
                    for u in listed
                ],
            )
            if listed
            else "No users registered. Add one: crm users add NAME --tz Europe/Berlin"
        )


def _token(args: argparse.Namespace, store: Store) -> None:
    from tools import tokens  # start-up, as above

    done = (
        tokens.revoke_token(store, args.name)
        if args.revoke
        else tokens.create_token(store, args.name, rotate=args.rotate)
    )
    if args.json:
        print(json.dumps(done.model_dump(mode="json"), indent=1))
    elif done.token is None:
        print(f"Revoked {done.name}'s MCP token: a client still sending it is refused from now on.")
    else:
        print(done.token)
        old = " The old one no longer works." if done.action == "rotated" else ""
        note = (
            f"crm: {done.action} {done.name}'s MCP token (above; shown only now, keep it secret).{old}\n"
            "crm: their client sends 'Authorization: Bearer <token>' to crm mcp --http "
            f"and acts as {done.name}."
        )
        print(note, file=sys.stderr)


def add_users_command(command: Command, common: argparse.ArgumentParser) -> None:
    """`crm users ACTION`; `common` holds the global options, so `crm users list --db X` works too.

    Not for `add`, whose --tz is the rep's timezone (the global one: `crm --tz Z users add …`).
    """
    p = command(
        "users", cmd_users, "manage reps: timezones, Telegram ids, digest times, MCP tokens", json_flag=False
    )
    sub = p.add_subparsers(dest="users_cmd", metavar="ACTION")
    add = sub.add_parser("add", help="register a rep or change their settings")
    add.add_argument("name")
    add.add_argument("--tz", dest="tz_name", help="IANA timezone, e.g. Europe/Berlin")
    add.add_argument("--telegram-id", type=int, help="numeric Telegram user id")
    add.add_argument("--digest-time", help="local time of the morning digest, HH:MM (default 08:00)")
    rm = sub.add_parser(
        "remove",
        parents=[common],
        epilog=GLOBALS_NOTE,
        help="unregister a rep (their MCP token stops working)",
    )
    rm.add_argument("name")
    ls = sub.add_parser("list", parents=[common], epilog=GLOBALS_NOTE, help="list reps")
    ls.add_argument("--json", action="store_true", help="print JSON for scripts")
    tok = sub.add_parser(
        "token", parents=[common], help=TOKEN_HELP, description=TOKEN_HELP, epilog=TOKEN_EPILOG
    )
    tok.add_argument("name", help="a registered rep (crm users add NAME)")
    which = tok.add_mutually_exclusive_group()
    which.add_argument(
        "--rotate", action="store_true", help="replace the rep's token (the old one stops working)"
    )
    which.add_argument(
        "--revoke", action="store_true", help="remove the rep's token (their client is refused)"
    )
    tok.add_argument("--json", action="store_true", help="print JSON for scripts (with the token)")
    p.set_defaults(users_cmd="list", json=False)


# ---- crm copy -----------------------------------------------------------------------------------------

COPY_HELP = "copy the whole database to another one (SQLite <-> PostgreSQL), ids and all"
COPY_EPILOG = (
    "crm copy --to URL copies the current database (--db / CRM_DB) into URL; --from URL copies URL into "
    "the current one; give both to copy between two others. A URL is a SQLite path or "
    "postgresql+psycopg://user:password@host/dbname. The target must be empty (or --replace), the copy "
    "is all or nothing, and it prints the rows copied per table."
)


def cmd_copy(args: argparse.Namespace) -> None:
    from store.copy import CopyRefused, copy_database  # start-up, as above
    from tools.errors import InvalidArgument

    if not args.to and not args.from_:
        raise InvalidArgument("say where to copy: crm copy --to URL (or --from URL)")
    source_db = args.from_ if args.from_ else database(args)
    target_db = args.to if args.to else database(args)
    source, target = _open(source_db), _open(target_db)
    try:
        try:
            with terminal.progress(f"Copying {source_db or 'the default database'}") as report:
                result = copy_database(source, target, replace=args.replace, progress=report)
        except CopyRefused as e:
            raise InvalidArgument(f"nothing copied: {e}") from None
    finally:
        source.close()
        target.close()
    if args.json:
        print(json.dumps({"source": result.source, "target": result.target, "rows": result.rows}, indent=1))
        return
    print(_copied(result))


def _copied(result: CopyResult) -> str:
    from assistant.render import table  # start-up, as above

    removed = sum(result.replaced.values())
    lines = [
        f"Copied {result.source} to {result.target}" + (f" (replacing {removed:,} rows)" if removed else "")
    ]
    lines.append(table(["table", "rows"], [[name, f"{n:,}"] for name, n in result.rows.items()]))
    return "\n".join(lines)


def add_copy_command(command: Command) -> None:
    p = command("copy", cmd_copy, COPY_HELP)
    p.epilog = COPY_EPILOG
    p.add_argument("--to", metavar="URL", help="the database to copy into")
    p.add_argument("--from", dest="from_", metavar="URL", help="the database to copy from")
    p.add_argument(
        "--replace",
        action="store_true",
        help="empty a target that already holds data first (in the same transaction)",
    )
