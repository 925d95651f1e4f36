"""The read-only commands: find, customer, due, pipeline, stale, search, changes.

Each prints a table on a terminal (JSON with --json) and changes nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from assistant import terminal
from assistant.cli_common import context as _context
from assistant.cli_common import emit as _emit

# Each command imports the tool modules it calls itself, when it runs: start-up stays fast for
# `crm --help`, shell completion and an MCP client's `initialize` (the tool layer takes ~1 s to load).

Command = Callable[..., argparse.ArgumentParser]


def cmd_find(args: argparse.Namespace) -> None:
    from assistant import render
    from tools.customers import find_customers
    from tools.schemas import FindCustomers

    ctx = _context(args)
    result = find_customers(
        ctx,
        FindCustomers(
            query=" ".join(args.query),
            stage=args.stage,
            owner=args.owner,
            limit=args.limit,
            cursor=args.cursor,
        ),
    )
    _emit(args, result, lambda: render.customers(result, ctx.today(), width=terminal.width()))


def cmd_customer(args: argparse.Namespace) -> None:
    from assistant import render
    from tools.customers import get_customer
    from tools.schemas import GetCustomer

    ctx = _context(args)
    result = get_customer(ctx, GetCustomer(customer=" ".join(args.customer), limit=args.limit))
    _emit(args, result, lambda: render.profile(result, ctx.today(), width=terminal.width(), more=False))


def cmd_due(args: argparse.Namespace) -> None:
    from assistant import render
    from tools.followups import list_followups
    from tools.schemas import ListFollowups

    ctx = _context(args)
    owner = ctx.actor if args.mine else args.owner
    result = list_followups(ctx, ListFollowups(scope=args.scope, owner=owner, limit=args.limit))
    _emit(args, result, lambda: render.followups(result, ctx.today(), width=terminal.width()))


def cmd_pipeline(args: argparse.Namespace) -> None:
    from assistant import render
    from tools.pipeline import pipeline_summary
    from tools.schemas import PipelineSummary

    result = pipeline_summary(_context(args), PipelineSummary(owner=args.owner))
    _emit(args, result, lambda: render.pipeline(result))


def cmd_stale(args: argparse.Namespace) -> None:
    from assistant import render
    from tools.pipeline import stale_customers
    from tools.schemas import StaleCustomers

    ctx = _context(args)
    result = stale_customers(ctx, StaleCustomers(days=args.days, owner=args.owner, limit=args.limit))
    _emit(args, result, lambda: render.stale(result, ctx.today(), width=terminal.width()))


def cmd_search(args: argparse.Namespace) -> None:
    from assistant import render
    from tools.schemas import SearchInteractions
    from tools.timeline import search_interactions

    ctx = _context(args)
    result = search_interactions(
        ctx, SearchInteractions(query=" ".join(args.query), customer=args.customer, limit=args.limit)
    )
    _emit(args, result, lambda: render.interactions(result, ctx.today(), width=terminal.width(), more=False))


def cmd_changes(args: argparse.Namespace) -> None:
    from assistant import render
    from tools.history import recent_changes
    from tools.schemas import RecentChanges

    result = recent_changes(_context(args), RecentChanges(actor=args.actor, limit=args.limit))
    _emit(args, result, lambda: render.changes(result, width=terminal.width()))


def add_read_commands(command: Command) -> None:
    """Register the read-only commands with the parser's `command` factory."""
    p = command("find", cmd_find, "find customers by name, contact or email (typos forgiven)")
    p.add_argument("query", nargs="*", help="words of the name (quotes optional)")
    p.add_argument("--stage", help="only customers in this stage (e.g. proposal)")
    p.add_argument("--owner", help="only this rep's customers")
    p.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    p.add_argument("--cursor", help="continue a longer list (the cursor the previous page printed)")
    p = command("customer", cmd_customer, "show one customer's profile")
    p.add_argument("customer", nargs="+", help="id or name (quotes optional)")
    p.add_argument("--limit", type=int, default=5, help="recent interactions to show")
    p = command("due", cmd_due, "follow-ups due (this week and overdue by default)")
    p.add_argument(
        "--scope",
        default="this_week",
        choices=["overdue", "today", "this_week", "next_week", "all"],
        help="which follow-ups (default this_week, which includes overdue ones)",
    )
    p.add_argument("--owner", help="one rep's follow-ups")
    p.add_argument("--mine", action="store_true", help="only the acting user's follow-ups")
    p.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    p = command("pipeline", cmd_pipeline, "customers and deal value per stage")
    p.add_argument("--owner", help="only this rep's customers")
    p = command("stale", cmd_stale, "customers with no contact for N days")
    p.add_argument("--days", type=int, default=30, help="days without contact (default 30)")
    p.add_argument("--owner", help="only this rep's customers")
    p.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    p = command("search", cmd_search, "full-text search of interaction notes")
    p.add_argument("query", nargs="+", help="words to look for")
    p.add_argument("--customer", help="only this customer's notes (id or name)")
    p.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    p = command("changes", cmd_changes, "recent changes (who changed what)")
    p.add_argument("--actor", help="only this rep's changes")
    p.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
