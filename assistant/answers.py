"""Answers to the questions the pipeline reads (`understanding.questions`): last contact, a stage
check, a phone or email, contacts, deals at a stage, follow-ups due, quiet customers, the pipeline,
note search, find, recent changes. Read-only: a question never writes.
"""

from __future__ import annotations

from typing import Any

from assistant import questions, replies
from assistant.dialogue.reply import Reply
from assistant.understanding import Frames
from tools.context import ToolContext
from tools.customers import find_customers, get_customer
from tools.dates import format_day
from tools.schemas import FindCustomers, GetCustomer


def answer(ctx: ToolContext, frames: Frames, ids: list[int]) -> Reply:
    """The answer to a question about customers `ids` (resolved names only; nothing is written)."""
    q = frames.question
    assert q is not None
    text = frames.reading.text
    if q.topic == "at_stage" and q.stage:
        return _at_stage(ctx, q.stage)
    listed: tuple[str, list[dict[str, Any]]] | None = None
    if q.topic == "followups":
        day = q.when.date if q.when is not None else None
        listed = questions.followups(ctx, text, ids[0] if len(ids) == 1 else None, day)
    elif q.topic == "changes":
        listed = questions.changes(ctx)
    elif q.topic == "search":
        listed = questions.search_notes(ctx, q.words)
    elif q.topic == "stale":
        listed = questions.stale(ctx, text)
    elif q.topic == "pipeline":
        listed = questions.pipeline(ctx, text)
    elif q.topic == "find":
        listed = questions.find(ctx, q.words)
    if listed is not None:
        return Reply(text=listed[0], actions=listed[1])
    if len(ids) != 1:
        ambiguous = [s for s in frames.reading.customers if len(s.matches) > 1]
        if ambiguous:
            names = [m.name for m in ambiguous[0].matches[:8]]
            return Reply(
                text=f"“{ambiguous[0].text}” could be "
                + ", ".join(names)
                + " — ask again with the full name."
            )
        unknown = [s for s in frames.reading.customers if not s.matches]
        said = unknown[0].text if unknown else next((n.text for n in frames.reading.new_names), None)
        if said is not None and not ids:
            near = [m.name for m in unknown[0].suggestions[:3]] if unknown else []
            return Reply(
                text=f"No customer matches “{said}”." + (f" Did you mean {', '.join(near)}?" if near else "")
            )
        return Reply(text=replies.not_understood())
    profile = _profile(ctx, ids[0])
    action = [
        {"tool": "get_customer", "args": {"customer": ids[0]}, "result": profile.model_dump(mode="json")}
    ]
    if q.topic == "last_contact":
        return Reply(text=_last_contact(profile, ctx), actions=action)
    if q.topic == "stage":
        said = f" (not {q.stage})" if q.stage and q.stage != profile.stage else ""
        return Reply(
            text=f"{profile.name} is in {profile.stage}{said}." + _last_line(profile, ctx), actions=action
        )
    if q.topic in ("phone", "email"):
        return Reply(text=_reach(profile, q.topic, frames), actions=action)
    if q.topic == "contacts":
        return Reply(text=_contacts(profile), actions=action)
    text, actions = questions.profile(ctx, ids[0])
    return Reply(text=text, actions=actions)


def _profile(ctx: ToolContext, cid: int) -> Any:
    return get_customer(ctx, GetCustomer(customer=cid, limit=3))


def _last_contact(p: Any, ctx: ToolContext) -> str:
    if not p.recent_interactions:
        return f"Nobody has logged anything with {p.name} yet."
    i = p.recent_interactions[0]
    who = f" by {i.author}" if i.author else ""
    body = i.body if len(i.body) <= 120 else i.body[:119] + "…"
    day = format_day(ctx.local(i.occurred_at).date(), ctx.today())
    return f"Last contact with {p.name}: {i.kind} on {day}{who} — {body}"


def _last_line(p: Any, ctx: ToolContext) -> str:
    return ("\n" + _last_contact(p, ctx)) if p.recent_interactions else ""


def _reach(p: Any, field: str, frames: Frames) -> str:
    via = {m.via for s in frames.reading.customers for m in s.matches if m.via}
    people = [c for c in p.contacts if c.name in via] or p.contacts
    lines = [f"{c.name}: {getattr(c, field)}" for c in people if getattr(c, field)]
    if getattr(p, field):
        lines.insert(0, f"{p.name}: {getattr(p, field)}")
    if not lines:
        who = ", ".join(c.name for c in people) or p.name
        return f"I have no {field} for {who} ({p.name})."
    return "\n".join(lines)


def _contacts(p: Any) -> str:
    if not p.contacts:
        return f"I have no contacts at {p.name}."
    lines = [c.name + "".join(f", {x}" for x in (c.role, c.email, c.phone) if x) for c in p.contacts]
    return f"Contacts at {p.name}:\n" + "\n".join(lines)


def _at_stage(ctx: ToolContext, stage: str) -> Reply:
    result = find_customers(ctx, FindCustomers(stage=stage, limit=20))
    action = [{"tool": "find_customers", "args": {"stage": stage}, "result": result.model_dump(mode="json")}]
    if not result.items:
        return Reply(text=f"No customers are in {stage}.", actions=action)
    names = ", ".join(c.name for c in result.items) + (" …" if result.has_more else "")
    return Reply(text=f"In {stage}: {names}.", actions=action)
