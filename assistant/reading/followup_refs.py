"""References to existing open follow-ups by what they are about ("price list sent ✅",
"drop the orion check-in"): a clause's topic words against each follow-up's description.
"""

from __future__ import annotations

import re
from typing import Any

from assistant import lexicon
from assistant.customers import CustomerSpot
from assistant.reading.types import Clause, FollowupRef
from tools.context import ToolContext
from tools.followups import list_followups
from tools.schemas import ListFollowups

MIN_SCORE = 0.5  # half the description's topic words said, or two of them
MAX_OPEN = 200  # open follow-ups considered when the message names no customer


def topic_words(text: str) -> set[str]:
    """Topic stems of `text`: 'Sent the price-list' -> {'pric', 'list'} (check-in and checkin agree)."""
    low = re.sub(r"\bcheck[\s-]+in", "checkin", text.lower())
    words = re.findall(r"[a-z0-9]+", low)
    return {w[:4] if len(w) > 4 else w.rstrip("s") for w in words if w not in lexicon.GLUE and len(w) > 1}


def _events(text: str) -> set[str]:
    """The planned-event words of `text` ('call', 'demo', 'site visit'), which topic words leave out."""
    return {" ".join(m.group().lower().split()) for m in lexicon.EVENT_RE.finditer(text)} - {"review"}


def open_followups(ctx: ToolContext, customer_ids: list[int]) -> list[Any]:
    if not customer_ids:
        return list(list_followups(ctx, ListFollowups(scope="all", owner=ctx.actor, limit=100)).items)
    out: list[Any] = []
    for cid in customer_ids[:4]:
        out += list_followups(ctx, ListFollowups(scope="all", customer=cid, limit=50)).items
    return out


def find_refs(
    ctx: ToolContext, clauses: list[Clause], spots: list[CustomerSpot], wanted: bool
) -> list[FollowupRef]:
    """The follow-ups each clause may mean; looked up only when the message has an edit cue (`wanted`)."""
    if not wanted:
        return []
    ids = list(dict.fromkeys(s.matches[0].id for s in spots if len(s.matches) == 1))
    fups = open_followups(ctx, ids)
    if not fups:
        return []
    name_words = set().union(*(topic_words(s.text) for s in spots)) if spots else set()
    out: list[FollowupRef] = []
    for clause in clauses:
        if clause.quoted:
            continue
        said = topic_words(clause.text) - name_words
        said_events = _events(clause.text)
        for f in fups:
            desc = topic_words(f.description or "") - topic_words(f.customer_name)
            shared = said & desc
            same_event = bool(said_events & _events(f.description or ""))
            if not (desc and shared) and not same_event:
                continue
            score = max(len(shared) / len(desc) if desc else 0.0, MIN_SCORE if len(shared) >= 2 else 0.0)
            if same_event:  # "the evergreen call moved to wednesday": the call it has planned
                score = max(score, MIN_SCORE)
            if score > 0:  # weak ones (below MIN_SCORE) only count when nothing stronger is said
                out.append(
                    FollowupRef(
                        clause.start,
                        clause.end,
                        f.id,
                        f.customer_id,
                        f.customer_name,
                        f.description or "",
                        f.due,
                        score,
                    )
                )
    return out
