"""What a question asks about, from its ask spans, stage spans, customers and dates (the answer is
`assistant.answers`). Only the representation is read; the order of the checks is the priority.
"""

from __future__ import annotations

from assistant.reading.types import AskKind, Reading
from assistant.understanding.frames import Question


def question_of(r: Reading) -> Question:
    """The topic of a question: last contact, a stage check, a phone or email, deals at a stage, …"""
    said: set[AskKind] = {a.kind for a in r.asks}
    # "anything new from helios" asks for the latest, not whether Helios is a (new) lead
    stages = [s for s in r.stages if not ("profile" in said and s.text.lower() == "new")]
    stage = stages[0].stage if stages else None
    named = bool(r.customers)
    if "changes" in said:
        return Question("changes")
    if "search" in said or ("search_who" in said and not named):
        return Question("search", words=_words(r, "search", "search_who"))
    if named and "last_contact" in said:
        return Question("last_contact")
    if not named and "stale" in said:
        return Question("stale")
    if not named and stage is not None and "several" in said:
        return Question("at_stage", stage)
    if named and "email" in said and "phone" not in said:
        return Question("email")
    if named and "phone" in said:
        return Question("phone")
    if named and "contacts" in said:
        return Question("contacts")
    if named and stage is None and "open_items" in said:
        return Question("followups")
    if named and stage is None and "profile" in said:
        return Question("profile")
    if named and (stage is not None or "stage_word" in said):
        return Question("stage", stage)
    if "pipeline" in said:
        return Question("pipeline")
    day = next((d.when for d in r.dates if not d.quoted and d.tense != "past"), None)
    if "followups" in said or (day is not None and "last_contact" not in said):
        return Question("followups", when=day)
    if "find" in said:
        return Question("find", words=_words(r, "find"))
    return Question("profile" if named else "unknown")


def _words(r: Reading, *kinds: AskKind) -> str:
    return next((a.words for a in r.asks if a.kind in kinds), "")
