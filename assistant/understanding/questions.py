"""What a question asks about, from its clauses and spans (the answer is `assistant.answers`)."""

from __future__ import annotations

from assistant import lexicon
from assistant.reading.types import Reading
from assistant.understanding.frames import Question


def question_of(r: Reading) -> Question:
    """The topic of a question: last contact, a stage check, a phone or email, deals at a stage, …"""
    said = " ".join(c.text for c in r.clauses if not c.quoted)
    stage = r.stages[0].stage if r.stages else None
    if lexicon.LAST_CONTACT_RE.search(said):
        return Question("last_contact")
    if not r.customers and stage is not None and lexicon.WHICH_STAGE_Q_RE.search(said):
        return Question("at_stage", stage)
    if lexicon.EMAIL_Q_RE.search(said) and not lexicon.PHONE_Q_RE.search(said):
        return Question("email")
    if lexicon.PHONE_Q_RE.search(said):
        return Question("phone")
    if stage is not None or lexicon.STAGE_Q_RE.search(said) or r.stages:
        return Question("stage", stage)
    if lexicon.FOLLOWUP_WORD_RE.search(said) or any(d.tense == "future" for d in r.dates):
        return Question("followups")
    return Question("profile" if r.customers else "unknown")
