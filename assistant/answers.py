"""Answers to the questions the pipeline reads (`understanding.questions`): last contact, a stage
check, a phone or email, deals at a stage. Read-only: a question never writes.
"""

from __future__ import annotations

from typing import Any

from assistant import questions, replies
from assistant.conversation import Reply
from assistant.understanding import Frames
from tools.context import ToolContext
from tools.dates import format_day


def answer(ctx: ToolContext, frames: Frames, ids: list[int]) -> Reply:
    """The answer to a question about customers `ids` (resolved names only; nothing is written)."""
    q = frames.question
    assert q is not None
    if q.topic == "at_stage" and q.stage:
        return _at_stage(ctx, q.stage)
    if q.topic == "followups":
        text, actions = questions.followups(ctx, frames.reading.text, ids[0] if len(ids) == 1 else None)
        return Reply(text=text, actions=actions)
    if len(ids) != 1:
        ambiguous = [s for s in frames.reading.customers if len(s.matches) > 1]
        if ambiguous:
            names = [m.name for m in ambiguous[0].matches[:8]]
            return Reply(
                text=f"“{ambiguous[0].text}” could be "
                + ", ".join(names)
                + " — ask again with the full name."
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
    text, actions = questions.profile(ctx, ids[0])
    return Reply(text=text, actions=actions)


def _profile(ctx: ToolContext, cid: int) -> Any:
    from tools.customers import get_customer
    from tools.schemas import GetCustomer

    return get_customer(ctx, GetCustomer(customer=cid, limit=3))


def _last_contact(p: Any, ctx: ToolContext) -> str:
    if not p.recent_interactions:
        return f"Nobody has logged anything with {p.name} yet."
    i = p.recent_interactions[0]
    who = f" by {i.author}" if i.author else ""
    body = i.body if len(i.body) <= 120 else i.body[:119] + "…"
    return f"Last contact with {p.name}: {i.kind} on {format_day(ctx.local(i.occurred_at).date(), ctx.today())}{who} — {body}"


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


def _at_stage(ctx: ToolContext, stage: str) -> Reply:
    from tools.customers import find_customers
    from tools.schemas import FindCustomers

    result = find_customers(ctx, FindCustomers(stage=stage, limit=20))
    action = [{"tool": "find_customers", "args": {"stage": stage}, "result": result.model_dump(mode="json")}]
    if not result.items:
        return Reply(text=f"No customers are in {stage}.", actions=action)
    names = ", ".join(c.name for c in result.items) + (" …" if result.has_more else "")
    return Reply(text=f"In {stage}: {names}.", actions=action)
