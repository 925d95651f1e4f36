"""The message pipeline: read → frames → customers → plan → one batch → one reply.

`handle` is called for reports, outcomes, follow-up edits and questions the older intent rules do
not answer; a pending answer re-enters with what it `Settled`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from assistant import questions, replies
from assistant.acting import execute
from assistant.acting.confirm import confirm
from assistant.answers import answer
from assistant.customers import CustomerSpot, NameMatch, customer_name
from assistant.dialogue.ask import ask_reply
from assistant.dialogue.reply import Reply, State
from assistant.dialogue.state import LastWrite, Option, Pending, PendingKind, Settled
from assistant.planning import plan
from assistant.planning.plan import CustomerArg, Step
from assistant.reading import Reading, read
from assistant.reading.read import leading_word, leads_a_report, ordinary_lead
from assistant.reading.types import Span
from assistant.understanding import Frames, Happened, interpret
from assistant.understanding.frames import FollowupEdit
from tools.context import ToolContext


def handle(ctx: ToolContext, text: str, settled: Settled, ref: str | None) -> Reply:
    """Understand `text` (with what earlier answers settled) and act on it, or ask first."""
    reading = read(ctx, text)
    if not reading.customers and _LONE_WORD_RE.fullmatch(text):
        # "summit", "kettle?": one word that starts a customer's name, and nothing else, asks about it
        alone = _only_a_name(ctx, reading, settled)
        if alone is not None:
            if isinstance(alone.state.pending, Pending):
                alone.state.pending = _with(alone.state.pending, text, ref, settled)
            return alone
    frames = interpret(reading)
    if frames.question is not None:
        unsure = _unsure(reading, settled) if frames.question.topic in _ABOUT_ONE else None
        if unsure is not None:
            asked = _ask_spot(unsure)
            if isinstance(asked.state.pending, Pending):
                asked.state.pending = _with(asked.state.pending, text, ref, settled)
            return asked
        return answer(ctx, frames, _resolved(reading, settled))
    if not frames.writes:
        named = _only_a_name(ctx, reading, settled)
        if named is not None and isinstance(named.state.pending, Pending):
            named.state.pending = _with(named.state.pending, text, ref, settled)
        return named or Reply(text=replies.not_understood())
    creating = next((e for e in frames.records if e.action == "create"), None)
    if creating is not None:
        # "new lead Orchid Florals, met them today": the rest of the message is about the new customer
        ids: list[int] | Reply = []
        about: list[CustomerArg] = [creating.name] if creating.name else []
    else:
        ids = _targets(ctx, reading, frames, settled)
        if isinstance(ids, Reply):
            if isinstance(ids.state.pending, Pending):
                ids.state.pending = _with(ids.state.pending, text, ref, settled)
            return ids
        about = list(ids)
    assert not isinstance(ids, Reply)
    who = _assign(reading, frames, ids, settled) if len(ids) > 1 and not settled.customers else None
    steps = plan(ctx, frames, about, settled, who)
    if steps.ask is not None:
        kind: PendingKind = "when" if steps.ask.kind == "when" else "followup"
        pending = Pending(kind, text, ref, _keep(settled, ids), steps.ask.options)
        ask = steps.ask.text
        if kind == "when":
            names = " and ".join(customer_name(ctx, c) for c in ids)
            ask = f"When should I follow up with {names}" + ask.removeprefix("When is that due")
            if steps.steps and all(s.tool in _REPORT_TOOLS for s in steps.steps):
                return _log_then_ask(ctx, reading, steps.steps, text, ref, ask, pending, ids)
        return ask_reply(ask, pending)
    if not steps.steps:
        return Reply(text=" ".join(steps.notes) or replies.not_understood())
    done = execute(ctx, steps.steps, text, ref)
    today = ctx.today()
    lines = [confirm(s.tool, r, today, s.args) for s, r in zip(steps.steps, done.results, strict=True)]
    ids = ids or [
        r.customer.id for s, r in zip(steps.steps, done.results, strict=True) if s.tool == "create_customer"
    ]
    lines += _typo_lines(reading, ids)
    last = LastWrite(
        text,
        ref,
        _keep(settled, ids),
        done.batch,
        tuple(ids),
        tuple(
            r.followup.id
            for s, r in zip(steps.steps, done.results, strict=True)
            if s.tool == "schedule_followup"
        ),
        tuple(
            r.interaction.id
            for s, r in zip(steps.steps, done.results, strict=True)
            if s.tool == "log_interaction"
        ),
    )
    if not any(_changed(s.tool, res) for s, res in zip(steps.steps, done.results, strict=True)):
        # "lumen optics backed out" when it is already lost: say so, offer no undo of nothing
        return Reply(text=" ".join(p.rstrip(".") + "." for p in lines + steps.notes), actions=done.actions)
    return Reply(
        text=replies.written(lines + steps.notes),
        state=State(last=last),
        actions=done.actions,
        batch=done.batch,
    )


_REPORT_TOOLS = ("log_interaction", "set_stage")


def _typo_lines(reading: Reading, ids: list[int]) -> list[str]:
    """'Read “Orion Dynamcs” as Orion Dynamics': a write's reply says when a name was a corrected slip."""
    return [
        f"Read “{s.text}” as {s.matches[0].name}"
        for s in reading.customers
        if s.resolved and s.how == "typo" and s.matches[0].id in ids
    ]


_LONE_WORD_RE = re.compile(r"\s*[A-Za-z][\w&'-]+\s*[?.!]*\s*")


def _log_then_ask(
    ctx: ToolContext,
    reading: Reading,
    steps: list[Step],
    text: str,
    ref: str | None,
    ask: str,
    pending: Pending,
    ids: list[int],
) -> Reply:
    """'acme asked about a loyalty program, I'll send details': the report is written now (it needs no
    date), then the rep is asked when the promise is due; the answer schedules only the follow-up."""
    done = execute(ctx, steps, text, ref)
    today = ctx.today()
    lines = [confirm(s.tool, r, today, s.args) for s, r in zip(steps, done.results, strict=True)]
    lines += _typo_lines(reading, ids)
    last = LastWrite(
        text,
        ref,
        pending.settled,
        done.batch,
        tuple(ids),
        (),
        tuple(
            r.interaction.id for s, r in zip(steps, done.results, strict=True) if s.tool == "log_interaction"
        ),
    )
    asked = ask_reply(
        replies.written(lines) + ". " + ask,
        replace(pending, settled=replace(pending.settled, logged=True)),
    )
    asked.state.last = last
    asked.actions = done.actions
    asked.batch = done.batch
    return asked


def _changed(tool: str, result: object) -> bool:
    """Whether a tool call changed anything (a stage already set, a date already due: no)."""
    if tool == "set_stage":
        return bool(getattr(result, "changed", True))
    if tool == "reschedule_followup":
        followup = getattr(result, "followup", None)
        return followup is None or getattr(result, "previous_due", None) != followup.due
    if tool == "update_customer":
        return bool(getattr(result, "changes", True))
    return True


def _only_a_name(ctx: ToolContext, r: Reading, settled: Settled) -> Reply | None:
    """A message that is just a customer's name ("globex", "summit?", even an everyday word that starts one
    customer's name): show that customer; a name several customers share asks which first."""
    spots = list(r.customers)
    if not spots and (lead := leading_word(ctx, r.text)) is not None:
        spots = [lead]
    rest = r.text
    for s in sorted(spots, key=lambda s: -s.start):
        rest = rest[: s.start] + rest[s.end :]
    if len(spots) != 1 or not spots[0].matches or re.search(r"\w", rest):
        return None
    spot = spots[0]
    cid = spot.matches[0].id if len(spot.matches) == 1 else settled.picked(spot.text)
    if cid is None:
        return _ask_spot(spot)
    text, actions = questions.profile(ctx, cid)
    return Reply(text=text, actions=actions)


def _keep(settled: Settled, ids: list[int]) -> Settled:
    return replace(settled, customers=tuple(ids))


def _with(p: Pending, text: str, ref: str | None, settled: Settled) -> Pending:
    return replace(p, message=text, ref=ref, settled=settled)


# Questions about one customer: an ambiguous name is asked about first (the list questions need none).
_ABOUT_ONE = frozenset({"last_contact", "stage", "phone", "email", "contacts", "profile"})


def _resolved(r: Reading, settled: Settled) -> list[int]:
    if settled.customers:
        return list(settled.customers)
    ids = [s.matches[0].id if len(s.matches) == 1 else settled.picked(s.text) for s in r.customers]
    return list(dict.fromkeys(i for i in ids if i is not None))


def _unsure(r: Reading, settled: Settled) -> CustomerSpot | None:
    """The first name of a question that fits several customers and was not settled, if no other is firm."""
    if settled.customers or _resolved(r, settled):
        return None
    return next((s for s in r.customers if len(s.matches) > 1 and settled.picked(s.text) is None), None)


def _targets(ctx: ToolContext, r: Reading, frames: Frames, settled: Settled) -> list[int] | Reply:
    """The customers the message is about, or the question that settles it (which? create? both?)."""
    if settled.customers:
        return list(settled.customers)
    firm = [s.matches[0].id for s in r.customers if len(s.matches) == 1]
    lead = None if firm else leading_word(ctx, r.text)  # resolved once: both uses below need no firm name
    if lead is not None and (subject := _leading_subject(r, lead)) is not None:
        return [subject]
    ids: list[int] = list(dict.fromkeys(firm))
    for s in r.customers:
        if len(s.matches) == 1:
            continue
        picked = settled.picked(s.text)
        if picked is not None:
            ids.append(picked)
            continue
        if s.matches and any(m.id in firm for m in s.matches):
            continue  # "Holly at Juno": the contact is the customer named beside it
        meant = {f.customer_id for e in frames.edits for f in e.refs if f.score == e.refs[0].score}
        fits = [m.id for m in s.matches if m.id in meant]
        if len(fits) == 1:
            ids.append(
                fits[0]
            )  # "shelf talkers sent to holly ✅": only one Holly's customer has that follow-up
            continue
        return _ask_spot(s)
    ids = list(dict.fromkeys(ids))
    if not ids:
        refs = {f.customer_id for e in frames.edits for f in e.refs}
        if len(refs) == 1:
            return list(refs)
        per_edit = [_edit_customer(e) for e in frames.edits]
        if (
            per_edit
            and None not in per_edit
            and not frames.happened
            and not frames.promises
            and not frames.outcome
        ):
            # "seat count confirmed, move the underwriting questions to friday": each edit's own follow-up
            # is one customer's — apply each to its own (the plan assigns them per edit)
            return list(dict.fromkeys(c for c in per_edit if c is not None))
        if len(refs) > 1:
            # the topic fits follow-ups of several customers and none is named: ask, never pick
            options = tuple(Option(customer_name(ctx, c), c) for c in sorted(refs))
            text = replies.numbered("Whose follow-up do you mean?", [o.label for o in options])
            return ask_reply(text, Pending("customer", "", None, settled, options))
        if r.new_names:
            return _ask_create(r.new_names[0].text, ())
        if lead is not None:
            # Asked once already ("Which Harvest?" → "Grain"): the answer settles the word.
            picked = settled.picked(lead.text)
            if picked is not None:
                return [picked]
            if len(lead.matches) > 1:
                return _ask_spot(lead)
        return ask_reply(replies.ask_customer("is this about"), Pending("customer", "", None, settled))
    if len(ids) > 1 and _assign(r, frames, ids, settled) is None:
        options = tuple(Option(customer_name(ctx, c), c) for c in ids) + (Option("All of them", "all"),)
        text = replies.numbered(
            "This names several customers — which one is it about? (or 'both' / 'all')",
            [o.label for o in options],
        )
        return ask_reply(text, Pending("several", "", None, settled, options))
    return ids


def _assign(
    r: Reading, frames: Frames, ids: list[int], settled: Settled
) -> Callable[[object], list[int]] | None:
    """Per frame, the one customer its own clauses name (or the nearest earlier clause's); None if unclear."""

    def own(clause: Span) -> set[int]:
        found = set()
        for s in r.customers_in(clause):
            cid = s.matches[0].id if len(s.matches) == 1 else settled.picked(s.text)
            if cid is not None:
                found.add(cid)
        return found

    table: dict[int, list[int]] = {}
    reports: list[Happened | None] = list(frames.parts) or [frames.happened]
    frames_all = [
        f
        for f in (*reports, frames.outcome, *frames.promises, *frames.edits, *frames.records)
        if f is not None
    ]
    for f in frames_all:
        mine = set().union(*(own(c) for c in f.where)) if f.where else set()
        if not mine and isinstance(f, FollowupEdit) and (theirs := _edit_customer(f)) is not None:
            mine = {theirs}  # the follow-up it is about says whose it is
        if not mine and f.where:
            earlier = [c for c in r.clauses if c.end <= f.where[0].start and len(own(c)) == 1]
            mine = own(earlier[-1]) if earlier else set()
        if len(mine) != 1:
            return None
        table[id(f)] = list(mine)
    return lambda frame: table.get(id(frame), ids)


def _edit_customer(e: FollowupEdit) -> int | None:
    """The one customer whose follow-ups an edit's references are (None: none, or several — then a
    better score for one is no reason to pick it)."""
    whose = {f.customer_id for f in e.refs}
    return next(iter(whose)) if len(whose) == 1 else None


def _leading_subject(r: Reading, lead: CustomerSpot) -> int | None:
    """'Summit called, they want the DPA': the first word starts exactly one customer's name (and no
    contact's), a report's verb follows it, and no other customer is named — that customer. With two
    customers sharing the word this is None and the engine asks which."""
    if len(lead.matches) != 1 or ordinary_lead(lead.text):
        return None  # ("great call today" beside Great Lakes Co, "legal wants a copy" beside Legal Eagles)
    if not leads_a_report(r.text, lead.end):
        return None
    if any(s.matches and s.start >= lead.end for s in r.customers):
        return None  # another customer is named too: the usual rules decide
    return lead.matches[0].id


def _ask_spot(s: CustomerSpot) -> Reply:
    if s.matches:
        labels = [m.name + (f" (contact {m.via})" if m.via else "") for m in s.matches[:8]]
        options = tuple(Option(label, m.id) for label, m in zip(labels, s.matches[:8], strict=True))
        return ask_reply(
            replies.ask_which(s.text, labels), Pending("which", "", None, Settled(), options, s.text)
        )
    return _ask_create(s.text, s.suggestions)


def _ask_create(name: str, suggestions: tuple[NameMatch, ...]) -> Reply:
    labels = [m.name for m in suggestions[:3]]
    options = tuple(Option(m.name, m.id) for m in suggestions[:3])
    return ask_reply(replies.ask_create(name, labels), Pending("create", "", None, Settled(), options, name))
