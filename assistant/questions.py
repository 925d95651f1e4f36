"""Answers to questions: follow-ups due, profiles, note search, quiet customers, pipeline, find, changes.

Read-only: each answer is one or two tool calls and a plain-text view from `assistant.render`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from assistant import render
from assistant.customers import customer_name
from assistant.lexicon import MINE_RE, NUMBER_WORDS
from tools.context import ToolContext
from tools.customers import find_customers, get_customer
from tools.dates import format_day, week_bounds
from tools.followups import list_followups
from tools.history import recent_changes
from tools.pipeline import pipeline_summary, stale_customers
from tools.schemas import (
    FindCustomers,
    GetCustomer,
    ListFollowups,
    PipelineSummary,
    RecentChanges,
    SearchInteractions,
    StaleCustomers,
)
from tools.timeline import search_interactions
from tools.users import list_users

HELP = """I keep your CRM up to date from plain sentences. Try:
• Met Acme today, they want pricing. Follow up Monday
• Called Globex yesterday - legal wants a DPA
• note for Initech: budget frozen until Q3
• follow up with Acme in 2 weeks about the renewal
• move Acme to proposal · mark Globex as won
• done with the Acme follow-up · push the Acme follow-up to Friday
• add a new customer Orchid Florals, contact Jane Roe jane@orchid.example
• add Maria Lopez as CFO at Acme, maria@acme.example · Acme email is hello@acme.example
• tag Acme as enterprise · remove the vip tag from Acme · Acme deal value is 40k
• who needs follow-up this week? · my follow-ups today · anything overdue?
• tell me about Acme · who mentioned pricing? · who has gone quiet? · pipeline · find acme
• undo · cancel"""

_STOP_TOPIC = frozenset(
    [
        "the",
        "a",
        "an",
        "our",
        "my",
        "any",
        "anything",
        "something",
        "some",
        "recently",
        "lately",
        "this",
        "last",
        "week",
        "month",
        "year",
        "ever",
        "in",
        "of",
        "for",
        "with",
        "to",
        "about",
        "please",
        "customers",
        "customer",
        "clients",
        "client",
        "notes",
    ]
)


def _action(tool: str, args: dict[str, Any], result: Any) -> dict[str, Any]:
    return {
        "tool": tool,
        "args": args,
        "result": result.model_dump(mode="json") if hasattr(result, "model_dump") else result,
    }


def owner_words(text: str) -> list[str]:
    """Words that may name a rep: "kim's follow-ups", "follow-ups for kim", "what does kim have"."""
    pats = [
        r"\b(\w+)['\u2019]s\b",
        r"\bfor\s+(\w+)\b",
        r"\b(?:does|has|did)\s+(\w+)\s+(?:have|need|got|own)",
        r"\bowned\s+by\s+(\w+)",
        r"\b(\w+)\s+(?:has|have|needs?|owes?)\b",
        r"\bwhat(?:'s|\s+has|\s+does|\s+is)\s+(\w+)\s+(?:got|have|has|on|doing)\b",
    ]
    out: list[str] = []
    for p in pats:
        out += [w.lower() for w in re.findall(p, text, re.IGNORECASE)]
    return list(dict.fromkeys(out))


def owner_in(ctx: ToolContext, text: str) -> str | None:
    """The rep a question is about: the actor for "my/mine", a named rep ("kim's"), else None (team)."""

    users = {u.name.lower(): u.name for u in list_users(ctx.store)}
    for word in owner_words(text):
        if word in ("my", "me", "i", "the", "this", "next", "team", "us", "we", "everyone", "week", "today"):
            continue
        if word in users:
            return users[word]
        if list_followups(ctx, ListFollowups(scope="all", owner=word, limit=1)).total:
            return word
    if MINE_RE.search(text):
        return ctx.actor
    return None


def followups(
    ctx: ToolContext, text: str, customer: int | None = None, day: date | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Open follow-ups for the period the question names (this week by default, overdue flagged);
    `day` is a single day the question names ("what's due tomorrow", "anything on the 12th")."""
    low = text.lower()
    scope = "this_week"
    if re.search(r"\b(?:overdue|late|past\s+due|missed|behind|slipping|slipped|slip)\b", low):
        scope = "overdue"
    elif re.search(r"\btoday\b|\btonight\b", low):
        scope = "today"
    elif re.search(r"\bnext\s+(?:week|wk)\b", low):
        scope = "next_week"
    elif re.search(r"\bthis\s+week\b", low):
        scope = "this_week"
    elif day is not None and day != ctx.today():
        scope = "range"
    elif re.search(r"\b(?:all|every|open|everything)\b", low) or (customer is not None and day is None):
        scope = "all"  # "anything still open with Acme?": every open one of that customer
    owner = owner_in(ctx, text)
    args: dict[str, Any] = {"scope": scope, "owner": owner, "customer": customer, "limit": 30}
    if scope == "range" and day is not None:
        args |= {"start": day, "end": day}
    result = list_followups(ctx, ListFollowups(**args))
    today = ctx.today()
    who = "yours" if owner == ctx.actor else owner if owner else "whole team"
    if customer is not None and owner is None:
        who = customer_name(ctx, customer)
    period = (
        f"due {format_day(day, today)}" if scope == "range" and day is not None else _period(scope, today)
    )
    if not result.items:
        return f"No follow-ups {period} ({who}).", [_action("list_followups", args, result)]
    head = f"{result.total} follow-up{'s' if result.total != 1 else ''} {period} ({who}):"
    lines = [render.followup_line(f, today, with_owner=owner is None) for f in result.items]
    if result.has_more:
        lines.append(f"… and {result.total - len(result.items)} more")
    return head + "\n" + "\n".join(lines), [_action("list_followups", args, result)]


def _period(scope: str, today: date) -> str:
    if scope == "today":
        return f"due today ({format_day(today)}) or overdue"
    if scope in ("this_week", "next_week"):
        monday, sunday = week_bounds(today + timedelta(days=7 if scope == "next_week" else 0))
        extra = " or overdue" if scope == "this_week" else ""
        return f"due {scope.replace('_', ' ')} ({format_day(monday)} – {format_day(sunday)}){extra}"
    return "overdue" if scope == "overdue" else "open"


def profile(ctx: ToolContext, customer_id: int) -> tuple[str, list[dict[str, Any]]]:
    """Everything about one customer, as a short card."""

    result = get_customer(ctx, GetCustomer(customer=customer_id))
    return render.profile(result, ctx.today()), [_action("get_customer", {"customer": customer_id}, result)]


def search_notes(ctx: ToolContext, topic: str) -> tuple[str, list[dict[str, Any]]]:
    """Who mentioned a topic: matching notes, newest first, grouped by customer."""

    words = [w for w in re.findall(r"[\w'-]+", topic.lower()) if w not in _STOP_TOPIC]
    query = " ".join(words) or topic.strip()
    if not re.search(r"\w", query):
        return "What should I look for in the notes? e.g. 'who mentioned pricing?'", []
    result = search_interactions(ctx, SearchInteractions(query=query, limit=15))
    action = [_action("search_interactions", {"query": query}, result)]
    if not result.items:
        return f"No notes mention “{query}”.", action
    names = list(dict.fromkeys(i.customer_name for i in result.items))
    head = f"“{query}” comes up with {', '.join(names)}:"
    lines = [render.interaction_line(i, ctx.today(), width=120) for i in result.items]
    return head + "\n" + "\n".join(lines) + ("\n… more in older notes" if result.has_more else ""), action


def stale_days(text: str) -> int:
    """Days of silence the question means: '30 days', '3 weeks', 'a month'; 30 by default."""
    m = re.search(
        r"\b(\d{1,4}|a|one|two|three|four|five|six|ten|couple|few)\s+(?:of\s+)?(days?|weeks?|months?|years?)\b",
        text,
        re.IGNORECASE,
    )
    if m is None:
        return 30
    n = int(m.group(1)) if m.group(1).isdigit() else NUMBER_WORDS[m.group(1).lower()]
    per = {"d": 1, "w": 7, "m": 30, "y": 365}[m.group(2)[0].lower()]
    return max(1, min(3650, n * per))


def stale(ctx: ToolContext, text: str) -> tuple[str, list[dict[str, Any]]]:
    """Customers in open stages with no contact for N days."""

    args: dict[str, Any] = {"days": stale_days(text), "owner": owner_in(ctx, text), "limit": 20}
    result = stale_customers(ctx, StaleCustomers(**args))
    out = render.stale(result, ctx.today())
    return out + ("\n… and more" if result.has_more else ""), [_action("stale_customers", args, result)]


def pipeline(ctx: ToolContext, text: str) -> tuple[str, list[dict[str, Any]]]:
    """Customers and deal value per stage."""

    owner = owner_in(ctx, text)
    result = pipeline_summary(ctx, PipelineSummary(owner=owner))
    head = f"Pipeline ({'yours' if owner == ctx.actor else owner or 'team'}):\n"
    return head + render.pipeline(result), [_action("pipeline_summary", {"owner": owner}, result)]


def find(ctx: ToolContext, query: str) -> tuple[str, list[dict[str, Any]]]:
    """Customers matching a name, contact or email."""

    q = query.strip().strip("?.!\"'“”")
    if not q:
        return "Find whom? e.g. 'find acme'", []
    result = find_customers(ctx, FindCustomers(query=q, limit=10))
    action = [_action("find_customers", {"query": q}, result)]
    if not result.items:
        return f"No customer matches “{q}”.", action
    lines = [
        f"{c.name} (#{c.id}) — {c.stage}"
        + (f", {c.owner}" if c.owner else "")
        + (f", last contact {format_day(c.last_contact.date(), ctx.today())}" if c.last_contact else "")
        for c in result.items
    ]
    return "\n".join(lines) + ("\n… more match; be more specific" if result.has_more else ""), action


def changes(ctx: ToolContext) -> tuple[str, list[dict[str, Any]]]:
    """The latest changes in the CRM."""

    result = recent_changes(ctx, RecentChanges(limit=10))
    lines = [
        f"{c.at.strftime('%a %d %b %H:%M')} {c.actor}: {c.summary}" + (" (undone)" if c.undone else "")
        for c in result.items
    ]
    # One batch writes several rows; show each change once.
    unique = list(dict.fromkeys(lines))
    return ("Recent changes:\n" + "\n".join(unique)) if unique else "No changes yet.", [
        _action("recent_changes", {"limit": 10}, result)
    ]
