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
from tools.name_index import common_words
from tools.schemas import ListFollowups

MIN_SCORE = 0.5  # half the description's topic words said, or two of them


def topic_words(text: str) -> set[str]:
    """Topic stems of `text`: 'Sent the price-list' -> {'pric', 'list'} (check-in and checkin agree)."""
    low = re.sub(r"\bcheck[\s-]+in", "checkin", text.lower())
    words = re.findall(r"[a-z0-9]+", low)
    return {w[:4] if len(w) > 4 else w.rstrip("s") for w in words if w not in lexicon.GLUE and len(w) > 1}


def _events(text: str) -> set[str]:
    """The planned-event words of `text` ('call', 'demo', 'site visit'), which topic words leave out."""
    return {" ".join(m.group().lower().split()) for m in lexicon.EVENT_RE.finditer(text)} - {"review"}


def _strong(shared: set[str], desc: set[str], counts: dict[str, int], said: str) -> bool:
    """A topic match strong enough with no customer named: two or more content words, all of the
    follow-up's words, or a rare word ('questionnaire') that no other open follow-up has."""
    if len(shared) >= 2 or (shared and shared == desc):
        return True
    rare = {w for w in re.findall(r"[a-z0-9]+", said.lower()) if w not in common_words()}
    return any(counts.get(w, 0) == 1 and w in topic_words(" ".join(rare)) for w in shared)


def open_followups(ctx: ToolContext, customer_ids: list[int]) -> list[Any]:
    if not customer_ids:
        return list(list_followups(ctx, ListFollowups(scope="all", owner=ctx.actor, limit=100)).items)
    out: list[Any] = []
    for cid in customer_ids[:4]:
        out += list_followups(ctx, ListFollowups(scope="all", customer=cid, limit=50)).items
    return out


def find_refs(
    ctx: ToolContext,
    clauses: list[Clause],
    spots: list[CustomerSpot],
    wanted: bool,
    hints: list[CustomerSpot] | None = None,
) -> list[FollowupRef]:
    """The follow-ups each clause may mean; looked up only when the message has an edit cue (`wanted`).

    Only the settled customers' follow-ups are candidates. A message that names a customer the
    resolver cannot settle and no settled one is never matched by topic against the rest of the
    book: an ambiguous name looks only at its candidates' follow-ups (strongly), an unknown one at
    none (the engine asks which customer). With no customer named at all, a topic match must be
    strong too: two or more content words, all of the follow-up's words, or a rare word only that
    one open follow-up has.
    """
    if not wanted:
        return []
    ids = list(dict.fromkeys(s.matches[0].id for s in spots if len(s.matches) == 1))
    unsettled = any(len(s.matches) != 1 for s in spots)
    if not ids and not unsettled and hints:
        # "push the summit walkthrough": a word that starts customers' names narrows the search to them
        ids = list(dict.fromkeys(m.id for h in hints for m in h.matches))
        spots = [*spots, *hints]
    strict = not ids  # no settled customer: only a strong topic match counts
    if not ids and unsettled:
        # "shelf talkers sent to holly" (two customers' contact): only the candidates' follow-ups
        ids = list(dict.fromkeys(m.id for s in spots if len(s.matches) > 1 for m in s.matches))
        if not ids:
            return []  # an unknown name: ask, never match the rest of the book by topic
    fups = open_followups(ctx, ids)
    if not fups:
        return []
    bookwide = strict
    counts: dict[str, int] = {}
    if bookwide:
        for f in fups:
            for w in topic_words(f.description or "") - topic_words(f.customer_name):
                counts[w] = counts.get(w, 0) + 1
    name_words = set().union(*(topic_words(s.text) for s in spots)) if spots else set()
    out = _refs(clauses, fups, name_words, counts if bookwide else None)
    if bookwide and out:
        # No customer named: a weaker match on another customer's follow-up makes the reference unsure,
        # so every candidate is kept and the engine asks whose ("push the walkthrough" beside two).
        weak = _refs(clauses, fups, name_words, None)
        if {r.customer_id for r in weak} - {r.customer_id for r in out}:
            found = {(r.start, r.followup_id) for r in out}
            return sorted(
                out + [r for r in weak if (r.start, r.followup_id) not in found], key=lambda r: r.start
            )
    if bookwide and len(whose := {r.customer_id for r in out}) == 1:
        # "done with the deck, push the call two days": the deck settles the customer, so that
        # customer's call is the one meant (a weak match, but only among that customer's follow-ups)
        theirs = [f for f in fups if f.customer_id in whose]
        found = {(r.start, r.followup_id) for r in out}
        out += [r for r in _refs(clauses, theirs, name_words, None) if (r.start, r.followup_id) not in found]
    return sorted(out, key=lambda r: r.start)


def _refs(
    clauses: list[Clause], fups: list[Any], name_words: set[str], counts: dict[str, int] | None
) -> list[FollowupRef]:
    """Per clause, the follow-ups its topic words or planned-event words point at; `counts` (the
    book-wide word counts) when no customer is named, so only strong matches count."""
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
            if counts is not None and not _strong(shared, desc, counts, clause.text):
                continue  # "Beacon sent their floor plans": one everyday word is no reference
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
