"""Messages that change the CRM: reports (log + follow-up + stage), follow-up upkeep, customer edits.

Each handler resolves every customer and date first, then makes all its tool calls inside one
`ctx.batch`, so a single Undo reverts the whole message. Nothing is written while a question is open.
"""
from __future__ import annotations

import re
from typing import Any

from assistant import replies
from assistant.conversation import Reply
from assistant.intents import EMAIL_RE, PHONE_RE, STAGE_CMD_RE, stage_command
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
    stage_op = _stage_in_report(ctx, text, ids)
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
    actions, batch, results = execute(ctx, ops, ref, _summary(ctx, text))
    for op, result in zip(ops, results):
        parts.append(_confirm(op, result, today))
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


def _summary(ctx: ToolContext, text: str) -> str:
    short = " ".join(text.split())
    return "chat: " + (short if len(short) <= 80 else short[:79] + "…")


def _stage_in_report(ctx: ToolContext, text: str, ids: list[int]) -> Op | None:
    """'… moved them to negotiation' inside a report also moves the deal (explicit verbs only)."""
    m = STAGE_CMD_RE.search(text)
    if m is None or len(ids) != 1 or re.search(r"(?i)follow[\s-]*up|meeting|call\b", m.group("between")):
        return None
    stage = _canonical(ctx, m.group("stage"))
    return Op("set_stage", {"customer": ids[0], "stage": stage})


def _canonical(ctx: ToolContext, said: str) -> str:
    from tools.stages import canonical_stage

    with ctx.read() as s:
        return canonical_stage(s, " ".join(said.lower().replace("-", " ").split()))


def _confirm(op: Op, result: Any, today: Any) -> str:
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
    region = (int(slots["span_start"]), int(slots["span_end"]))
    found = targets(ctx, text, ov, ref, region=region, purpose="should I move")
    if found.ask is not None:
        return found.ask
    target = _canonical(ctx, slots["stage"])
    inside = [m.ids[0] for m in found.mentions if m.start < region[1] and m.end > region[0]]
    cid = (inside or found.ids)[0]
    ops = [Op("set_stage", {"customer": cid, "stage": target})]
    actions, batch, results = execute(ctx, ops, ref, _summary(ctx, text))
    line = _confirm(ops[0], results[0], ctx.today())
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
    actions, batch, results = execute(ctx, ops, ref, _summary(ctx, text))
    return Reply(text=replies.written([_confirm(ops[0], results[0], ctx.today())]), actions=actions, batch=batch)


def reschedule(ctx: ToolContext, text: str, ov: Overrides, ref: str | None) -> Reply:
    """Move a customer's open follow-up to a new date ("push the Acme follow-up to Friday")."""
    found = targets(ctx, text, ov, ref, purpose="is the follow-up with", may_create=False, intent="reschedule_followup")
    if found.ask is not None:
        return found.ask
    dates = [d for d in find_dates(text, ctx.now(), prefer="future") if d.when.date >= ctx.today()]
    to = [d for d in dates if re.match(r"(?i)\s*(?:to|until|till|for|->)\s*$", text[max(0, d.start - 6):d.start])]
    new: When | None = (to or dates[-1:] or [None])[-1].when if (to or dates) else None  # type: ignore[union-attr]
    if ov.get("due"):
        new = parse_when(ov["due"], ctx.now())
    if new is None:
        pending = pending_base("when", text, ref, ov, "reschedule_followup") | {"ids": found.ids}
        return replies.question("To when? (e.g. 'Friday', 'next week')", pending,
                                [("Tomorrow", "tomorrow"), ("Next week", "next week")])
    f = _pick_followup(ctx, text, ov, ref, found.ids[0], "reschedule_followup")
    if isinstance(f, Reply):
        return f
    ops = [Op("reschedule_followup", {"followup_id": f.id, "due": due_iso(new)})]
    actions, batch, results = execute(ctx, ops, ref, _summary(ctx, text))
    return Reply(text=replies.written([_confirm(ops[0], results[0], ctx.today())]), actions=actions, batch=batch)


def update_field(ctx: ToolContext, text: str, slots: dict[str, str], ov: Overrides, ref: str | None) -> Reply:
    """Set a customer's email or phone ("Helios Labs email is arjun@helios.example")."""
    value = slots["value"]
    masked = text.replace(value, " " * len(value))
    found = targets(ctx, masked, ov, ref, purpose=f"gets this {slots['field']}", may_create=False)
    if found.ask is not None:
        found.ask.state.pending["text"] = text  # type: ignore[union-attr]
        return found.ask
    ops = [Op("update_customer", {"customer": found.ids[0], slots["field"]: value})]
    actions, batch, results = execute(ctx, ops, ref, _summary(ctx, text))
    return Reply(text=replies.written([_confirm(ops[0], results[0], ctx.today())]), actions=actions, batch=batch)


def _split_tags(said: str) -> list[str]:
    parts = re.split(r"\s*(?:,|;|\band\b|\+)\s*", said.strip().strip(".!"))
    return [p.strip().strip("#\"'") for p in parts if p.strip().strip("#\"'")]


def tags(ctx: ToolContext, text: str, slots: dict[str, str], ov: Overrides, ref: str | None) -> Reply:
    """Add or remove tags ("tag Acme as enterprise, priority", "remove tag vip from Acme")."""
    start = text.find(slots["customer"])
    region = (start, start + len(slots["customer"])) if start >= 0 else None
    found = targets(ctx, text, ov, ref, region=region, purpose="should I tag", may_create=False)
    if found.ask is not None:
        return found.ask
    said = _split_tags(slots["tags"])
    if not said:
        return Reply(text="Which tags? e.g. 'tag Acme as enterprise'.")
    key = "add_tags" if slots["op"] == "add" else "remove_tags"
    ops = [Op("update_customer", {"customer": found.ids[0], key: said})]
    actions, batch, results = execute(ctx, ops, ref, _summary(ctx, text))
    return Reply(text=replies.written([_confirm(ops[0], results[0], ctx.today())]), actions=actions, batch=batch)


def add_contact(ctx: ToolContext, text: str, slots: dict[str, str], ov: Overrides, ref: str | None) -> Reply:
    """Add a person at a customer ("add Maria Lopez as CFO at Acme, maria@acme.example")."""
    start = text.find(slots["customer"])
    region = (start, start + len(slots["customer"])) if start >= 0 else None
    found = targets(ctx, text, ov, ref, region=region, purpose="does this person work at")
    if found.ask is not None:
        return found.ask
    args: dict[str, Any] = {"customer": found.ids[0], "name": " ".join(slots["person"].split()).strip(" ,")}
    if slots.get("role"):
        args["role"] = slots["role"].strip(" ,")
    if (m := EMAIL_RE.search(text)) is not None:
        args["email"] = m.group()
    if (m := PHONE_RE.search(slots.get("rest", ""))) is not None:
        args["phone"] = m.group().strip()
    ops = [Op("add_contact", args)]
    actions, batch, results = execute(ctx, ops, ref, _summary(ctx, text))
    return Reply(text=replies.written([_confirm(ops[0], results[0], ctx.today())]), actions=actions, batch=batch)


_NEW_NAME_RE = re.compile(r"^(?P<name>.+?)(?=\s*(?:,|;|\(|\bwith\b|\bcontact\b|\bstage\b|\bowned\b|\bemail\b|\bphone\b"
                          r"|\s[-\u2013\u2014]\s|[\w.+-]+@|$))", re.IGNORECASE)
_NEW_CONTACT_RE = re.compile(r"\b(?:contact(?:\s+person)?(?:\s+is)?|with|person)\s*:?\s+(?P<person>[^\W\d_][\w'.-]*"
                             r"(?:\s+[^\W\d_][\w'.-]*){0,3}?)(?=\s*(?:,|;|\(|<|[\w.+-]+@|\bas\b|\bthe\b|\bwho\b|$))",
                             re.IGNORECASE)
_ROLE_RE = re.compile(r"\((?P<role>[^)@]+)\)|\bas\s+(?:the\s+|their\s+)?(?P<role2>[A-Za-z][\w &/-]{1,40}?)(?=\s*(?:,|;|$|[\w.+-]+@))",
                      re.IGNORECASE)


def create_customer(ctx: ToolContext, text: str, rest: str, ref: str | None) -> Reply:
    """'add a new customer Orchid Florals, contact Jane Roe jane@orchid.example'."""
    m = _NEW_NAME_RE.match(rest.strip())
    name = (m.group("name") if m else rest).strip(" ,.:;\"'")
    if not re.search(r"\w", name):
        return Reply(text="What's the new customer called? e.g. 'add a new customer Orchid Florals'.")
    tail = rest.strip()[len(m.group("name")) if m else len(rest):]
    args: dict[str, Any] = {"name": name}
    email = EMAIL_RE.search(tail)
    phone = PHONE_RE.search(EMAIL_RE.sub(" ", tail))
    stage_m = re.search(r"(?i)\b(?:stage|as\s+a|in)\s+(\w+(?:\s+\w+)?)", tail)
    if (c := _NEW_CONTACT_RE.search(tail)) is not None:
        contact: dict[str, Any] = {"name": c.group("person").strip()}
        if (r := _ROLE_RE.search(tail)) is not None:
            contact["role"] = (r.group("role") or r.group("role2")).strip()
        if email:
            contact["email"] = email.group()
        if phone:
            contact["phone"] = phone.group().strip()
        args["contact"] = contact
    else:
        if email:
            args["email"] = email.group()
        if phone:
            args["phone"] = phone.group().strip()
    if stage_m is not None:
        try:
            args["stage"] = _canonical(ctx, stage_m.group(1))
        except InvalidStage:  # "in Berlin" is not a stage: keep the default
            pass
    ops = [Op("create_customer", args)]
    actions, batch, results = execute(ctx, ops, ref, _summary(ctx, text))
    line = _confirm(ops[0], results[0], ctx.today())
    if "contact" in args:
        line += f", contact {args['contact']['name']}" + (f" <{args['contact']['email']}>" if "email" in args["contact"] else "")
    return Reply(text=replies.written([line]), actions=actions, batch=batch)


def stage_phrase(text: str) -> dict[str, str] | None:
    """Re-exported for the engine: the stage phrase of a message, if any."""
    return stage_command(text)
