"""What a question asks about, from its clauses and spans (the answer is `assistant.answers`).

The question's own words are its unquoted clauses; customers, stages and dates come from the reading.
"""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.reading.types import Reading
from assistant.understanding.frames import Question

_CONTACT_Q_RE = re.compile(
    r"(?i)\b(?:contacts?|who(?:'s|\s+is|\s+are)\s+(?:our|the|my|their)\s+(?:main\s+)?(?:contacts?|person|people|guy)"
    r"|who\s+(?:do|should|can|would)\s+(?:we|i)\s+(?:deal|talk|speak|work)\s+(?:with|to)"
    r"|who\s+(?:to\s+)?(?:call|ask|talk\s+to|email)\s+at|who\s+works\s+(?:at|for)|people\s+at)\b"
)


def question_of(r: Reading) -> Question:
    """The topic of a question: last contact, a stage check, a phone or email, deals at a stage, …"""
    said = " ".join(c.text for c in r.clauses if not c.quoted)
    stage = r.stages[0].stage if r.stages else None
    named = bool(r.customers)
    if lexicon.CHANGES_RE.search(said):
        return Question("changes")
    if (m := lexicon.SEARCH_RE.search(said)) is not None and not (named and m.group("topic")):
        return Question("search", words=m.group("topic") or m.group("topic2") or m.group("topic3"))
    if named and lexicon.LAST_CONTACT_RE.search(said):
        return Question("last_contact")
    if not named and lexicon.STALE_RE.search(said):
        return Question("stale")
    if not named and stage is not None and _asks_for_several(said):
        return Question("at_stage", stage)
    if named and lexicon.EMAIL_Q_RE.search(said) and not lexicon.PHONE_Q_RE.search(said):
        return Question("email")
    if named and lexicon.PHONE_Q_RE.search(said):
        return Question("phone")
    if named and _CONTACT_Q_RE.search(said):
        return Question("contacts")
    if named and stage is None and lexicon.OPEN_ITEMS_RE.search(said):
        return Question("followups")
    if named and stage is None and lexicon.PROFILE_RE.match(said):
        return Question("profile")
    if named and (stage is not None or lexicon.STAGE_Q_RE.search(said)):
        return Question("stage", stage)
    if lexicon.PIPELINE_RE.search(said):
        return Question("pipeline")
    day = next((d.when for d in r.dates if not d.quoted and d.tense != "past"), None)
    if (
        lexicon.FOLLOWUPS_ASKED_RE.search(said)
        or lexicon.BARE_AGENDA_RE.match(said)
        or lexicon.LIST_FOLLOWUPS_RE.match(said)
        or lexicon.AGENDA_RE.search(said)
        or (day is not None and not lexicon.LAST_CONTACT_RE.search(said))
    ):
        return Question("followups", when=day)
    if (m := lexicon.FIND_RE.match(said)) is not None:
        return Question("find", words=m.group("query"))
    if named and lexicon.LAST_CONTACT_RE.search(said):
        return Question("last_contact")
    return Question("profile" if named else "unknown")


def _asks_for_several(said: str) -> bool:
    """'which deals are in negotiation', 'who's in proposal', 'list the qualified accounts'."""
    return bool(
        lexicon.PLURAL_CUSTOMERS_RE.search(said)
        or re.match(r"(?i)^\s*(?:who|which|what|any|anyone|list|show|how\s+many)\b", said)
    )
