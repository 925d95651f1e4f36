"""A plan: the tool calls a message means, as the tools' own pydantic inputs, in the order they run.

Nothing here writes. When the plan cannot be made without the rep (a promise without a date, an
edit that fits several follow-ups) it is an `Ask` instead, and nothing is written until answered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel

from assistant.dialogue.state import Option, Settled
from assistant.reading.followup_refs import open_followups
from assistant.understanding.frames import FollowupEdit, Frames, RecordEdit
from tools.context import ToolContext
from tools.dates import When, format_day
from tools.schemas import (
    AddContact,
    CompleteFollowup,
    ContactIn,
    CreateCustomer,
    LogInteraction,
    RescheduleFollowup,
    ScheduleFollowup,
    SetStage,
    UpdateCustomer,
)

CustomerArg = int | str  # an existing customer's id, or the name of one this message creates first


@dataclass(frozen=True)
class Step:
    tool: str  # the registry name, e.g. "log_interaction"
    args: BaseModel  # that tool's input model


@dataclass(frozen=True)
class Ask:
    kind: Literal["when", "followup"]
    text: str
    options: tuple[Option, ...] = ()


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    ask: Ask | None = None
    notes: list[str] = field(default_factory=list)  # things to say that are not writes


def due_iso(when: When) -> str:
    return when.date.isoformat() + (f"T{when.time.hour:02d}:{when.time.minute:02d}" if when.time else "")


def occurred_iso(when: When | None, now: datetime) -> str | None:
    """None for 'now' (today without a time), else a local ISO moment (noon when no time was said)."""
    if when is None or (when.time is None and when.date == now.date()):
        return None
    return datetime.combine(when.date, when.time or time(12, 0), tzinfo=now.tzinfo).isoformat()


def plan(
    ctx: ToolContext,
    frames: Frames,
    ids: Sequence[CustomerArg],
    settled: Settled,
    who: Callable[[object], Sequence[CustomerArg]] | None = None,
) -> Plan:
    """The steps for `frames` about customers `ids` (or per frame `who(frame)`), or what to ask first.
    A customer the message creates comes first, and the rest of the message is about it (by name)."""
    out = Plan()
    now = ctx.now()
    whom = who or (lambda _frame: ids)
    for e in frames.records:
        if e.missing is not None:
            out.notes.append(_MISSING[e.missing])
            out.steps = []
            return out
        if e.action == "create":
            out.steps.append(Step("create_customer", _create(e)))
    reports = frames.parts if who is not None and frames.parts else [frames.happened]
    if settled.logged:
        reports = []  # written before the rep was asked when the promise is due
    for h in reports:
        if h is None:
            continue
        when = settled.occurred or h.when
        for cid in whom(h):
            out.steps.append(
                Step(
                    "log_interaction",
                    LogInteraction(
                        customer=cid,
                        body=h.body,
                        kind=settled.kind or h.kind,
                        occurred_at=occurred_iso(when, now),
                    ),
                )
            )
    if frames.outcome is not None and not settled.logged:
        for cid in whom(frames.outcome):
            out.steps.append(Step("set_stage", SetStage(customer=cid, stage=frames.outcome.stage)))
    for p in frames.promises:
        due = settled.due or p.due  # a date the rep gave since (an answer, a correction) wins
        if due is None:
            what = "" if p.description in ("follow up", "") else f" — “{p.description}”"
            out.ask = Ask("when", f"When is that due{what}? (e.g. 'Friday', 'next Tuesday 10am')")
            return out
        for cid in whom(p):
            out.steps.append(
                Step(
                    "schedule_followup",
                    ScheduleFollowup(customer=cid, due=due_iso(due), description=p.description),
                )
            )
    for edit in frames.edits:
        step = _edit_step(ctx, edit, [c for c in whom(edit) if isinstance(c, int)], settled, out)
        if out.ask is not None:
            return out
        if step is not None:
            out.steps.append(step)
    for e in frames.records:
        if e.action != "create":
            out.steps += [_record_step(e, cid) for cid in whom(e)]
    return out


_MISSING = {
    "name": "What's the new customer called? e.g. 'add a new customer Orchid Florals'.",
    "person": "Who is the contact? e.g. 'add Maria Lopez as CFO at Acme'.",
    "tags": "Which tags? e.g. 'tag Acme as enterprise'.",
    "owner": "That is not a rep I know, so I changed nothing — the new owner must be a rep ('crm users').",
    "exists": "That person is already a contact there, so I added nothing (a contact's details can't be "
    "changed from the chat yet).",
}


def _create(e: RecordEdit) -> CreateCustomer:
    contact = None
    if e.contact is not None:
        contact = ContactIn(
            name=e.contact.name, role=e.contact.role, email=e.contact.email, phone=e.contact.phone
        )
    return CreateCustomer(
        name=e.name,
        stage=e.stage or "lead",
        email=e.email,
        phone=e.phone,
        value=e.value,
        contact=contact,
        tags=list(e.add_tags),
    )


def _record_step(e: RecordEdit, cid: CustomerArg) -> Step:
    if e.action == "contact" and e.contact is not None:
        c = e.contact
        return Step(
            "add_contact", AddContact(customer=cid, name=c.name, role=c.role, email=c.email, phone=c.phone)
        )
    fields: dict[str, object] = {
        k: v
        for k, v in (
            ("email", e.email),
            ("phone", e.phone),
            ("value", e.value),
            ("owner", e.owner),
            ("name", e.rename),
        )
        if v is not None
    }
    fields |= {"customer": cid, "add_tags": list(e.add_tags), "remove_tags": list(e.remove_tags)}
    return Step("update_customer", UpdateCustomer.model_validate(fields))  # only the fields said are set


def _edit_step(
    ctx: ToolContext, edit: FollowupEdit, ids: list[int], settled: Settled, out: Plan
) -> Step | None:
    today = ctx.today()
    refs = [r for r in edit.refs if not ids or r.customer_id in ids]
    chosen = None
    if settled.followup is not None:
        chosen = settled.followup
    elif refs:
        top = [r for r in refs if r.score == refs[0].score]
        if len({r.followup_id for r in top}) == 1:
            chosen = top[0].followup_id
        else:
            out.ask = _which(top_desc=[(r.followup_id, r.due, r.description) for r in top], today=today)
            return None
    else:
        taken = {
            getattr(st.args, "followup_id", None) for st in out.steps if st.tool.endswith("_followup")
        }  # one the message already completes or moves is not also "the only one" left
        fups = [f for f in (open_followups(ctx, ids[:1]) if ids else []) if f.id not in taken]
        if len(fups) == 1:
            chosen = fups[0].id
        elif len(fups) > 1:
            out.ask = _which([(f.id, f.due, f.description) for f in fups[:8]], today)
            return None
        else:
            out.notes.append("There is no open follow-up to change" + (" for that customer." if ids else "."))
            return None
    if edit.action in ("done", "cancelled"):
        return Step("complete_followup", CompleteFollowup(followup_id=chosen, status=edit.action))
    to = edit.to
    if to is None and edit.shift_days is not None:
        current = next((r.due for r in edit.refs if r.followup_id == chosen), None)
        if current is None:
            current = next((f.due for f in open_followups(ctx, ids[:1]) if f.id == chosen), today)
        to = When(max(current + timedelta(days=edit.shift_days), today), None)
    if to is None:
        out.notes.append("To when? Say e.g. 'move it to Friday'.")
        return None
    return Step("reschedule_followup", RescheduleFollowup(followup_id=chosen, due=due_iso(to)))


def _which(top_desc: list[tuple[int, date, str]], today: date) -> Ask:
    labels = [f"{format_day(due, today)} — {desc or 'follow-up'}" for _fid, due, desc in top_desc]
    text = "\n".join(
        ["Which follow-up do you mean?"]
        + [f"{i}. {lab}" for i, lab in enumerate(labels, 1)]
        + ["Answer with a number, or 'cancel'."]
    )
    return Ask(
        "followup", text, tuple(Option(lab, fid) for (fid, _d, _s), lab in zip(top_desc, labels, strict=True))
    )
