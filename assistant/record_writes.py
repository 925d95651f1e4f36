"""Messages that edit a customer record: create a customer, set its email or phone, tags, add a contact.

Like the pipeline, each resolves the customer first and makes its tool call inside one batch.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import replace
from typing import Any

from assistant import replies
from assistant.acting.confirm import confirm
from assistant.acting.execute import execute
from assistant.dialogue.reply import Reply
from assistant.intents import EMAIL_RE, PHONE_RE
from assistant.planning.plan import Step
from assistant.resolve import Overrides, targets
from tools.context import ToolContext
from tools.errors import InvalidStage
from tools.registry import TOOLS_BY_NAME
from tools.stages import canonical_stage


def _run(ctx: ToolContext, tool: str, args: dict[str, Any], text: str, ref: str | None) -> tuple[Reply, Any]:
    """One tool call as one undoable change, and its confirmation line."""

    done = execute(ctx, [Step(tool, TOOLS_BY_NAME[tool].input(**args))], text, ref)
    line = confirm(tool, done.results[0], ctx.today())
    return Reply(text=replies.written([line]), actions=done.actions, batch=done.batch), done.results[0]


def canonical(ctx: ToolContext, said: str) -> str:
    """The configured stage a phrase names ('closed won' -> won); InvalidStage lists the valid ones."""

    with ctx.read() as s:
        return canonical_stage(s, " ".join(said.lower().replace("-", " ").split()))


def update_field(ctx: ToolContext, text: str, slots: dict[str, str], ov: Overrides, ref: str | None) -> Reply:
    """Set a customer's email or phone ("Helios Labs email is arjun@helios.example")."""
    value = slots["value"]
    masked = text.replace(value, " " * len(value))
    found = targets(ctx, masked, ov, ref, purpose=f"gets this {slots['field']}", may_create=False)
    if found.ask is not None:
        found.ask.state.pending = replace(
            found.ask.state.pending, message=text
        )  # the answer re-reads the whole message
        return found.ask
    return _run(ctx, "update_customer", {"customer": found.ids[0], slots["field"]: value}, text, ref)[0]


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
    return _run(ctx, "update_customer", {"customer": found.ids[0], key: said}, text, ref)[0]


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
    return _run(ctx, "add_contact", args, text, ref)[0]


_NEW_NAME_RE = re.compile(
    r"^(?P<name>.+?)(?=\s*(?:,|;|\(|\bwith\b|\bcontact\b|\bstage\b|\bowned\b|\bemail\b|\bphone\b"
    r"|\s[-\u2013\u2014]\s|[\w.+-]+@|$))",
    re.IGNORECASE,
)
_NEW_CONTACT_RE = re.compile(
    r"\b(?:contact(?:\s+person)?(?:\s+is)?|with|person)\s*:?\s+(?P<person>[^\W\d_][\w'.-]*"
    r"(?:\s+[^\W\d_][\w'.-]*){0,3}?)(?=\s*(?:,|;|\(|<|[\w.+-]+@|\bas\b|\bthe\b|\bwho\b|$))",
    re.IGNORECASE,
)
_ROLE_RE = re.compile(
    r"\((?P<role>[^)@]+)\)"
    r"|\bas\s+(?:the\s+|their\s+)?(?P<role2>[A-Za-z][\w &/-]{1,40}?)(?=\s*(?:,|;|$|[\w.+-]+@))",
    re.IGNORECASE,
)


def create_customer(ctx: ToolContext, text: str, rest: str, ref: str | None) -> Reply:
    """'add a new customer Orchid Florals, contact Jane Roe jane@orchid.example'."""
    m = _NEW_NAME_RE.match(rest.strip())
    name = (m.group("name") if m else rest).strip(" ,.:;\"'")
    if not re.search(r"\w", name):
        return Reply(text="What's the new customer called? e.g. 'add a new customer Orchid Florals'.")
    tail = rest.strip()[len(m.group("name")) if m else len(rest) :]
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
        with suppress(InvalidStage):  # "in Berlin" is not a stage: keep the default
            args["stage"] = canonical(ctx, stage_m.group(1))
    reply, _result = _run(ctx, "create_customer", args, text, ref)
    if "contact" in args:
        extra = f", contact {args['contact']['name']}" + (
            f" <{args['contact']['email']}>" if "email" in args["contact"] else ""
        )
        reply.text = reply.text.replace(" (", extra + " (", 0)  # keep the wording of one sentence
        head, _sep, tail = reply.text.partition(replies.UNDO_HINT)
        reply.text = head.rstrip(".") + extra + "." + replies.UNDO_HINT
    return reply
