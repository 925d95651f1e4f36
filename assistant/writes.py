"""Messages that change the CRM: reports (log + follow-up + stage), follow-up upkeep, customer edits.

Each handler resolves every customer and date first, then makes all its tool calls inside one
`ctx.batch`, so a single Undo reverts the whole message. Nothing is written while a question is open.
"""
from __future__ import annotations

import re
from typing import Any

from assistant import replies
from assistant.conversation import Reply
from assistant.intents import FOLLOWUP_CUE_RE, kind_of, stage_command
from assistant.plans import Op, due_iso, narrative_description, occurred_iso, read_report
from assistant.resolve import Overrides, name_of, pending_base, targets
from tools.context import ToolContext
from tools.dates import When, find_dates, parse_when
from tools.errors import InvalidStage

_SOURCE_REF_TOOLS = frozenset({"log_interaction", "schedule_followup"})


def execute(ctx: ToolContext, ops: list[Op], ref: str | None, summary: str) -> tuple[list[dict[str, Any]], str, list[Any]]:
    """Run `ops` through the tool registry as one undoable change; (actions, batch id, results)."""
    from tools.registry import TOOLS_BY_NAME

    actions: list[dict[str, Any]] = []
    results: list[Any] = []
    with ctx.batch(summary) as batch_id:
        for op in ops:
            spec = TOOLS_BY_NAME[op.tool]
            extra = {"source_ref": ref} if op.tool in _SOURCE_REF_TOOLS and ref else {}
            result = spec.func(ctx, spec.input(**op.args), **extra)
            results.append(result)
            actions.append({"tool": op.tool, "args": op.args, "result": result.model_dump(mode="json")})
    return actions, batch_id, results


def _multi_question(ctx: ToolContext, text: str, ov: Overrides, ref: str | None, ids: list[int]) -> Reply:
    from assistant.resolve import index

    idx = index(ctx)
    labels = [name_of(idx, c) for c in ids] + ["All of them"]
    pending = pending_base("only", text, ref, ov) | {"ids": ids + ["all"], "labels": labels}
    opts = [(label, str(i)) for i, label in enumerate(labels, 1)]
    return replies.question(replies.numbered("This names several customers — which one is it about?", labels),
                            pending, opts)


def report(ctx: ToolContext, text: str, ov: Overrides, ref: str | None) -> Reply:
    """A report about a customer: log it (kind and date from the wording), plus a follow-up and a stage move."""
    found = targets(ctx, text, ov, ref)
    if found.ask is not None:
        return found.ask
    ids = found.ids
    only = ov.get("only")
    if len(ids) > 1 and only is None:
        return _multi_question(ctx, text, ov, ref, ids)
    if only not in (None, "all"):
        ids = [int(only)]
    now, today = ctx.now(), ctx.today()
    reading = read_report(text, now, found.spans)
    if ov.get("due"):
        reading.due = parse_when(ov["due"], now)
    if reading.body is not None and _only_names(text, found.spans) and reading.due is None:
        from assistant import questions

        answer, actions = questions.profile(ctx, ids[0])
        return Reply(text=answer, actions=actions)
    if reading.wants_followup and reading.due is None and reading.body is None:
        pending = pending_base("when", text, ref, ov) | {"ids": ids}
        return replies.question(f"When should I follow up with {_names(ctx, ids)}? (e.g. 'Friday', 'in 2 weeks')",
                                pending, [("Tomorrow", "tomorrow"), ("Next week", "next week"), ("In 2 weeks", "in 2 weeks")])
    stage_op, stage_span = _stage_in_report(ctx, text, ids)
    if stage_span is not None:  # "move Acme to proposal and follow up Friday": the move is neither note nor to-do
        blanked = text[:stage_span[0]] + " " * (stage_span[1] - stage_span[0]) + text[stage_span[1]:]
        body, kind, occurred = reading.body, reading.kind, reading.occurred
        reading = read_report(blanked, now, found.spans)
        if reading.body is not None:  # the rep's own words, stage phrase included
            reading.body, reading.kind, reading.occurred = body, kind, occurred
        if ov.get("due"):
            reading.due = parse_when(ov["due"], now)
    ops: list[Op] = [stage_op] if stage_op is not None else []
    parts: list[str] = []
    for cid in ids:
        if reading.body is not None:
            ops.append(Op("log_interaction", {"customer": cid, "body": reading.body, "kind": reading.kind,
                                              "occurred_at": occurred_iso(reading.occurred, now)}))
        if reading.due is not None:
            desc = reading.description if reading.body is None else narrative_description(reading, today)
            ops.append(Op("schedule_followup", {"customer": cid, "due": due_iso(reading.due), "description": desc}))
    if not ops:
        return Reply(text=replies.not_understood())
    actions, batch, results = execute(ctx, ops, ref, summary_of(ctx, text))
    for op, result in zip(ops, results):
        parts.append(confirm(op, result, today))
    return Reply(text=replies.written(parts), actions=actions, batch=batch)


def _only_names(text: str, spans: list[tuple[int, int]]) -> bool:
    rest = list(text)
    for s, e in spans:
        rest[s:e] = " " * (e - s)
    return not re.search(r"\w", "".join(rest))


def _names(ctx: ToolContext, ids: list[int]) -> str:
    from assistant.resolve import index

    idx = index(ctx)
    return " and ".join(name_of(idx, c) for c in ids)


def summary_of(ctx: ToolContext, text: str) -> str:
    """The change-log summary of a message's batch: 'chat: ' and the message, cut at 80 characters."""
    short = " ".join(text.split())
    return "chat: " + (short if len(short) <= 80 else short[:79] + "…")


def _stage_in_report(ctx: ToolContext, text: str, ids: list[int]) -> tuple[Op | None, tuple[int, int] | None]:
    """'… moved them to negotiation' inside a report also moves the deal; (op, span of the stage words)."""
    said = stage_command(text)
    if said is None or len(ids) != 1:
        return None, None
    try:
        stage = canonical(ctx, said["stage"])
    except InvalidStage:
        return None, None
    return Op("set_stage", {"customer": ids[0], "stage": stage}), (int(said["whole_start"]), int(said["whole_end"]))


def _more_than_a_move(text: str, slots: dict[str, str]) -> bool:
    """True when a stage message also reports something ('Met Acme, moved them to negotiation, follow up Tue')."""
    between = text[int(slots["span_start"]):int(slots["span_end"])]
    rest = text[:int(slots["whole_start"])] + " " + between + " " + text[int(slots["whole_end"]):]
    return bool(FOLLOWUP_CUE_RE.search(rest) or kind_of(rest) != "note")


def canonical(ctx: ToolContext, said: str) -> str:
    """The configured stage a phrase names ('closed won' -> won); InvalidStage lists the valid ones."""
    from tools.stages import canonical_stage

    with ctx.read() as s:
        return canonical_stage(s, " ".join(said.lower().replace("-", " ").split()))


def confirm(op: Op, result: Any, today: Any) -> str:
    """One sentence per tool call made."""
    if op.tool == "log_interaction":
        i = result.interaction
        return f"Logged {i.kind} with {i.customer_name} ({replies.day(i.occurred_at.date(), today)})"
    if op.tool == "schedule_followup":
        f = result.followup
        at = f" {f.due_time}" if f.due_time else ""
        what = f": {f.description}" if f.description else ""
        return f"Follow-up with {f.customer_name} {replies.day(f.due, today)}{at}{what}"
    if op.tool == "set_stage":
        if not result.changed:
            return f"{result.customer_name} is already in {result.to_stage}"
        return f"Moved {result.customer_name}: {result.from_stage} → {result.to_stage}"
    if op.tool == "complete_followup":
        f = result.followup
        return (f"Marked {f.status} the follow-up with {f.customer_name}"
                + (f" ({f.description}, due {replies.day(f.due, today)})" if f.description else
                   f" (due {replies.day(f.due, today)})"))
    if op.tool == "reschedule_followup":
        f = result.followup
        if result.previous_due == f.due:
            return f"The follow-up with {f.customer_name} is already due {replies.day(f.due, today)}"
        return (f"Moved the follow-up with {f.customer_name} from {replies.day(result.previous_due, today)} "
                f"to {replies.day(f.due, today)}" + (f" ({f.description})" if f.description else ""))
    if op.tool == "update_customer":
        c = result.customer
        if not result.changes:
            return f"{c.name} already had that"
        return "Updated " + c.name + ": " + ", ".join(
            f"{ch.field} {_show(ch.new)}" for ch in result.changes)
    if op.tool == "add_contact":
        p = result.contact
        extra = ", ".join(x for x in (p.role, p.email, p.phone) if x)
        return f"Added {p.name}" + (f" ({extra})" if extra else "") + f" at {result.customer_name}"
    if op.tool == "create_customer":
        c = result.customer
        return f"Created {c.name} ({c.stage})" + (f" — note: {result.warning}" if result.warning else "")
    return op.tool


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value) or "(none)"
    return "(none)" if value in (None, "") else str(value)


def stage(ctx: ToolContext, text: str, slots: dict[str, str], ov: Overrides, ref: str | None) -> Reply:
    """Move a deal to a stage ("move kettle & crumb to proposal", "Acme signed")."""
    if _more_than_a_move(text, slots):
        return report(ctx, text, ov, ref)
    region = (int(slots["span_start"]), int(slots["span_end"]))
    found = targets(ctx, text, ov, ref, region=region, purpose="should I move")
    if found.ask is not None:
        return found.ask
    target = canonical(ctx, slots["stage"])
    inside = [m.ids[0] for m in sorted(found.mentions, key=lambda m: m.start) if m.start < region[1] and m.end > region[0]]
    # "Met Acme; Globex is now won": when the name comes before the outcome, its subject is the nearest name.
    subject_first = slots["span_start"] == slots["whole_start"]
    cid = (inside[-1] if inside and subject_first else (inside or found.ids)[0])
    ops = [Op("set_stage", {"customer": cid, "stage": target})]
    actions, batch, results = execute(ctx, ops, ref, summary_of(ctx, text))
    line = confirm(ops[0], results[0], ctx.today())
    if not results[0].changed:
        return Reply(text=line + ".", actions=actions)
    return Reply(text=replies.written([line]), actions=actions, batch=batch)


def _open_followups(ctx: ToolContext, cid: int) -> list[Any]:
    from tools.customers import get_customer
    from tools.schemas import GetCustomer

    return list(get_customer(ctx, GetCustomer(customer=cid, limit=1)).open_followups)


def _pick_followup(ctx: ToolContext, text: str, ov: Overrides, ref: str | None, cid: int, intent: str) -> Any:
    """The one open follow-up a message means (by its words or date), or a question Reply."""
    open_ = _open_followups(ctx, cid)
    if ov.get("followup"):
        chosen = [f for f in open_ if f.id == int(ov["followup"])]
        if chosen:
            return chosen[0]
    if not open_:
        return Reply(text=f"{name_of_ctx(ctx, cid)} has no open follow-up.")
    if len(open_) == 1:
        return open_[0]
    words = set(re.findall(r"[a-z]{4,}", text.lower()))
    hits = [f for f in open_ if words & set(re.findall(r"[a-z]{4,}", (f.description or "").lower()))]
    if len(hits) == 1:
        return hits[0]
    today = ctx.today()
    labels = [f"{replies.day(f.due, today)} — {f.description or 'follow-up'}" for f in open_[:8]]
    pending = pending_base("followup", text, ref, ov, intent) | {"ids": [f.id for f in open_[:8]], "labels": labels}
    return replies.question(replies.numbered(f"{open_[0].customer_name} has {len(open_)} open follow-ups — which one?",
                                             labels), pending, [(lab, str(i)) for i, lab in enumerate(labels, 1)])


def name_of_ctx(ctx: ToolContext, cid: int) -> str:
    from assistant.resolve import index

    return name_of(index(ctx), cid)


def complete(ctx: ToolContext, text: str, status: str, ov: Overrides, ref: str | None) -> Reply:
    """Mark a customer's follow-up done (or cancelled)."""
    found = targets(ctx, text, ov, ref, purpose="is the follow-up with", may_create=False, intent="complete_followup")
    if found.ask is not None:
        return found.ask
    f = _pick_followup(ctx, text, ov, ref, found.ids[0], "complete_followup")
    if isinstance(f, Reply):
        return f
    ops = [Op("complete_followup", {"followup_id": f.id, "status": status})]
    actions, batch, results = execute(ctx, ops, ref, summary_of(ctx, text))
    return Reply(text=replies.written([confirm(ops[0], results[0], ctx.today())]), actions=actions, batch=batch)


def reschedule(ctx: ToolContext, text: str, ov: Overrides, ref: str | None) -> Reply:
    """Move a customer's open follow-up to a new date ("push the Acme follow-up to Friday")."""
    found = targets(ctx, text, ov, ref, purpose="is the follow-up with", may_create=False, intent="reschedule_followup")
    if found.ask is not None:
        return found.ask
    dates = [d for d in find_dates(text, ctx.now(), prefer="future") if d.when.date >= ctx.today()]
    to = [d for d in dates if re.match(r"(?i)\s*(?:to|until|till|for|->)\s*$", text[max(0, d.start - 6):d.start])]
    new: When | None = (to or dates[-1:] or [None])[-1].when if (to or dates) else None  # type: ignore[union-attr]
    tail = None
    if new is None and (tail := re.search(r"(?i)\b(?:to|until|till)\s+(\S.*?)\s*[.!]*$", text)) is not None:
        new = _whole_date(tail.group(1), ctx)  # "to 31/04": an impossible date is reported, not asked again
    if ov.get("due"):
        new = parse_when(ov["due"], ctx.now())
    if new is None and tail is not None and not re.search(r"(?i)follow|remind|check[\s-]*in|task", text):
        canonical(ctx, tail.group(1))  # "move Globex to purgatory": InvalidStage names the real stages
    if new is None:
        pending = pending_base("when", text, ref, ov, "reschedule_followup") | {"ids": found.ids}
        return replies.question("To when? (e.g. 'Friday', 'next week')", pending,
                                [("Tomorrow", "tomorrow"), ("Next week", "next week")])
    f = _pick_followup(ctx, text, ov, ref, found.ids[0], "reschedule_followup")
    if isinstance(f, Reply):
        return f
    ops = [Op("reschedule_followup", {"followup_id": f.id, "due": due_iso(new)})]
    actions, batch, results = execute(ctx, ops, ref, summary_of(ctx, text))
    return Reply(text=replies.written([confirm(ops[0], results[0], ctx.today())]), actions=actions, batch=batch)


def _whole_date(said: str, ctx: ToolContext) -> When | None:
    """`said` read as one date; None when it is no date at all (InvalidDate when it is an impossible one)."""
    from tools.dates import InvalidDate

    try:
        return parse_when(said, ctx.now(), prefer="future")
    except InvalidDate as e:
        if re.search(r"\d", said) and "not a date" in str(e):
            raise
        return None


def stage_phrase(text: str) -> dict[str, str] | None:
    """Re-exported for the engine: the stage phrase of a message, if any."""
    return stage_command(text)
