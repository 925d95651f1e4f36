"""Which customers a record edit or a profile question means, or the question to ask first.

Used by the record handlers (`assistant.record_writes`) and the read questions of the older intent
rules; every name goes through the one resolver (`assistant.customers`). `Overrides` carries what
earlier answers settled for these handlers (this mention means #12; the message is about #7); their
questions are typed `assistant.dialogue.Pending`s routed back here ("intent").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant import replies
from assistant.customers import CustomerSpot, customer_name, resolve
from assistant.dialogue.ask import ask_reply
from assistant.dialogue.reply import Reply
from assistant.dialogue.state import Option, Pending, PendingKind, Settled
from assistant.reading import read
from assistant.reading.new_names import new_names
from tools.context import ToolContext
from tools.names import normalize

Overrides = dict[
    str, Any
]  # {"pick": {mention key: id}, "target": id, "only": id | "all", "due": iso, "followup": id}


@dataclass
class Mention:
    """A spotted name and the customers it may mean (one id = resolved)."""

    start: int
    end: int
    text: str
    ids: list[int]
    via: dict[int, str] = field(default_factory=dict)
    how: str | None = None

    @property
    def resolved(self) -> bool:
        return len(self.ids) == 1

    @property
    def key(self) -> str:
        return " ".join(self.text.casefold().split())


@dataclass
class Found:
    """The customers a message (or a part of it) names, in order, and their spans; or a question."""

    ids: list[int] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    ask: Reply | None = None


def settled_of(ov: Overrides) -> Settled:
    """What earlier answers settled, in the dialogue's typed form."""
    target = ov.get("target")
    return Settled(customers=(int(target),) if target else (), picks=tuple(ov.get("pick", {}).items()))


def overrides(settled: Settled) -> Overrides:
    """The record handlers' view of what answers settled."""
    ov: Overrides = {"pick": dict(settled.picks)} if settled.picks else {}
    if settled.customers:
        ov["target"] = settled.customers[0]
    return ov


def _ask(
    kind: PendingKind,
    text: str,
    ref: str | None,
    ov: Overrides,
    question: str,
    options: list[tuple[str, int]],
    said: str = "",
    may_create: bool = True,
) -> Reply:

    pending = Pending(
        kind,
        text,
        ref,
        settled_of(ov),
        tuple(Option(label, cid) for label, cid in options),
        said,
        "intent",
        may_create,
    )
    return ask_reply(question, pending)


def _mention(s: CustomerSpot) -> Mention:
    return Mention(
        s.start,
        s.end,
        s.text,
        [m.id for m in s.matches],
        {m.id: f"contact {m.via}" for m in s.matches if m.via},
        s.matches[0].how if s.matches else None,
    )


def mentions_in(ctx: ToolContext, text: str, ov: Overrides) -> tuple[list[CustomerSpot], list[Mention]]:
    """The customer mentions of `text` (known customers only), earlier answers applied, duplicates merged.

    Names are read as the pipeline reads them (`assistant.reading`), so "rosa's email is …" finds the
    contact Rosa's customer here too."""
    spots = read(ctx, text).customers
    found = [_mention(s) for s in spots if s.matches]
    picks: dict[str, int] = ov.get("pick", {})
    for m in found:
        if m.key in picks:
            m.ids = [picks[m.key]]
    firm = {m.ids[0] for m in found if m.resolved}
    out, seen = [], set()
    for m in found:
        if not m.resolved and any(c in firm for c in m.ids):
            continue  # "Holly at Juno": the contact is the customer named beside it
        if m.resolved and m.ids[0] in seen:
            continue
        if m.resolved:
            seen.add(m.ids[0])
        out.append(m)
    return spots, out


def targets(
    ctx: ToolContext,
    text: str,
    ov: Overrides,
    ref: str | None,
    *,
    region: tuple[int, int] | None = None,
    purpose: str = "is this about",
    may_create: bool = True,
    intent: str | None = None,
) -> Found:
    """Resolve every customer mention (within `region` when given) or build the question to ask."""
    spots, ms = mentions_in(ctx, text, ov)
    if region is not None:
        inside = [m for m in ms if m.start < region[1] and m.end > region[0]]
        ms = inside or ms
    for m in ms:
        if not m.resolved:
            labels = [customer_name(ctx, c) + (f" ({m.via[c]})" if c in m.via else "") for c in m.ids[:8]]
            return Found(
                ask=_ask(
                    "which",
                    text,
                    ref,
                    ov,
                    replies.ask_which(m.text, labels),
                    list(zip(labels, m.ids[:8], strict=True)),
                    m.key,
                )
            )
    ids = list(dict.fromkeys(m.ids[0] for m in ms))
    if not ids and ov.get("target"):
        return Found(ids=[int(ov["target"])])
    if ids:
        return Found(ids=ids, spans=[(m.start, m.end) for m in ms], mentions=ms)
    unknown = [
        s for s in spots if not s.matches and (region is None or (s.start < region[1] and s.end > region[0]))
    ]
    return Found(ask=_ask_unknown(ctx, text, ov, ref, unknown, region, purpose, may_create))


def _ask_unknown(
    ctx: ToolContext,
    text: str,
    ov: Overrides,
    ref: str | None,
    unknown: list[CustomerSpot],
    region: tuple[int, int] | None,
    purpose: str,
    may_create: bool,
) -> Reply:

    part = text[region[0] : region[1]] if region else text
    name = unknown[0].text if unknown else next((n.text for n in new_names(part, [])), None)
    if name is None:
        return _ask("customer", text, ref, ov, replies.ask_customer(purpose), [], may_create=may_create)
    suggestions = list(unknown[0].suggestions) if unknown else list(resolve(ctx, name).suggestions)
    options = [(m.name, m.id) for m in suggestions[:3]]
    labels = [label for label, _ in options]
    if not may_create:
        msg = f"No customer matches “{name}”."
        if labels:
            msg = replies.numbered(msg + " Did you mean:", labels)
        return _ask("customer", text, ref, ov, msg, options, may_create=False)
    return _ask("create", text, ref, ov, replies.ask_create(name, labels), options, name)


def match_option(answer: str, labels: list[str]) -> int | None:
    """The option an answer picks: its number, or (part of) its label; None when unclear."""

    a = answer.strip().strip(".!?)#").strip()
    if a.isdigit():
        n = int(a)
        return n - 1 if 1 <= n <= len(labels) else None
    words = [
        w
        for w in normalize(a).split()
        if w not in ("the", "one", "a", "at", "of", "it", "is", "that", "please")
    ]
    if not words:
        return None
    hits = [
        i
        for i, label in enumerate(labels)
        if all(any(x.startswith(w) for x in normalize(label).split()) for w in words)
    ]
    return hits[0] if len(hits) == 1 else None


def customer_by_name(ctx: ToolContext, said: str) -> tuple[int | None, list[tuple[int, str]]]:
    """A customer named on its own (an answer to "which customer?"): (id, []) or (None, candidates)."""
    r = resolve(ctx, said.strip(" .!?"))
    if r.match is not None:
        return r.match.id, []
    return None, [(m.id, m.name) for m in (r.matches or r.suggestions)][:8]
