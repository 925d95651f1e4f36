"""Which customers a message means, or the question to ask before anything is written.

A message is re-read from scratch after each answer; `Overrides` carries what the answers settled
(this mention means #12; the message is about #7; create "Orchid Florals"), so the second reading
resolves where the first one asked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant import replies
from assistant.conversation import Reply
from assistant.mentions import Mention, find_mentions, merge, unknown_name
from tools.context import ToolContext
from tools.names import NameIndex, SUGGEST_SCORE, name_index, normalize, rank_customers

Overrides = dict[str, Any]  # {"pick": {mention key: id}, "target": id, "only": id | "all", "due": iso, "followup": id}


@dataclass
class Found:
    """The customers a message (or a part of it) names, in order, and their spans; or a question."""

    ids: list[int] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    ask: Reply | None = None


def index(ctx: ToolContext) -> NameIndex:
    with ctx.read() as s:
        return name_index(s)


def name_of(idx: NameIndex, cid: int) -> str:
    entry = idx.customers.get(cid)
    return entry.name if entry else f"#{cid}"


def pending_base(kind: str, text: str, ref: str | None, ov: Overrides, intent: str | None = None) -> dict[str, Any]:
    return {"type": kind, "text": text, "ref": ref, "ov": ov, "intent": intent}


def mentions_in(ctx: ToolContext, text: str, ov: Overrides) -> tuple[NameIndex, list[Mention]]:
    """The customer mentions of `text`, with earlier answers applied and duplicates merged."""
    idx = index(ctx)
    found = find_mentions(idx, text)
    picks: dict[str, int] = ov.get("pick", {})
    for m in found:
        if m.key in picks:
            m.ids = [picks[m.key]]
    return idx, merge(found)


def targets(ctx: ToolContext, text: str, ov: Overrides, ref: str | None, *, region: tuple[int, int] | None = None,
            purpose: str = "is this about", may_create: bool = True, intent: str | None = None) -> Found:
    """Resolve every customer mention (within `region` when given) or build the question to ask."""
    idx, ms = mentions_in(ctx, text, ov)
    if region is not None:
        inside = [m for m in ms if m.start < region[1] and m.end > region[0]]
        ms = inside or ms
    for m in ms:
        if not m.resolved:
            labels = [name_of(idx, c) + (f" ({m.via[c]})" if c in m.via else "") for c in m.ids[:8]]
            pending = pending_base("pick", text, ref, ov, intent) | {"key": m.key, "ids": m.ids[:8], "labels": labels}
            opts = [(label, str(i)) for i, label in enumerate(labels, 1)]
            return Found(ask=replies.question(replies.ask_which(m.text, labels), pending, opts))
    ids = list(dict.fromkeys(m.ids[0] for m in ms))
    spans = [(m.start, m.end) for m in ms]
    if not ids and ov.get("target"):
        return Found(ids=[int(ov["target"])], spans=[], mentions=[])
    if ids:
        return Found(ids=ids, spans=spans, mentions=ms)
    return Found(ask=_ask_unknown(idx, text, ov, ref, region, purpose, may_create, intent))


def _ask_unknown(idx: NameIndex, text: str, ov: Overrides, ref: str | None, region: tuple[int, int] | None,
                 purpose: str, may_create: bool, intent: str | None) -> Reply:
    part = text[region[0]:region[1]] if region else text
    name = unknown_name(part)
    if name is None:
        pending = pending_base("customer", text, ref, ov, intent)
        return replies.question(replies.ask_customer(purpose), pending, [])
    cands, _sure = rank_customers(idx, name)
    suggestions = [c for c in cands if c.score >= SUGGEST_SCORE][:3]
    labels = [c.name for c in suggestions]
    if not may_create:
        pending = pending_base("customer", text, ref, ov, intent) | {"ids": [c.id for c in suggestions],
                                                                     "labels": labels}
        msg = f"No customer matches “{name}”."
        if labels:
            msg = replies.numbered(msg + " Did you mean:", labels)
        return replies.question(msg, pending, [(label, str(i)) for i, label in enumerate(labels, 1)])
    pending = pending_base("create", text, ref, ov, intent) | {"name": name, "ids": [c.id for c in suggestions],
                                                               "labels": labels}
    opts = [("Yes, create it", "yes"), ("No", "no")] + [(label, str(i)) for i, label in enumerate(labels, 1)]
    return replies.question(replies.ask_create(name, labels), pending, opts)


def match_option(answer: str, labels: list[str]) -> int | None:
    """The option an answer picks: its number, or (part of) its label; None when unclear."""
    a = answer.strip().strip(".!?)#").strip()
    if a.isdigit():
        n = int(a)
        return n - 1 if 1 <= n <= len(labels) else None
    words = [w for w in normalize(a).split() if w not in ("the", "one", "a", "at", "of", "it", "is", "that", "please")]
    if not words:
        return None
    hits = []
    for i, label in enumerate(labels):
        lw = normalize(label).split()
        if all(any(x.startswith(w) for x in lw) for w in words):
            hits.append(i)
    if len(hits) == 1:
        return hits[0]
    from rapidfuzz import fuzz

    scored = sorted(((fuzz.partial_ratio(" ".join(words), normalize(label)), i) for i, label in enumerate(labels)),
                    reverse=True)
    if scored and scored[0][0] >= 85 and (len(scored) == 1 or scored[1][0] < scored[0][0] - 8):
        return scored[0][1]
    return None


def customer_by_name(ctx: ToolContext, said: str) -> tuple[int | None, list[tuple[int, str]]]:
    """A customer named on its own (an answer to "which customer?"): (id, []) or (None, candidates)."""
    idx = index(ctx)
    cands, sure = rank_customers(idx, said)
    if sure:
        return cands[0].id, []
    return None, [(c.id, c.name) for c in cands if c.score >= SUGGEST_SCORE][:8]
