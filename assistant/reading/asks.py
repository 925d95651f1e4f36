"""What a question asks for, as typed spans of its own (unquoted) words: the lexicon's question
vocabulary found once, so `assistant.understanding.questions` only weighs the spans."""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.reading.types import AskKind, AskSpan, Clause

_SEVERAL_START_RE = re.compile(
    r"(?i)^\s*(?:who|who's|whos|which|what|what's|whats|any|anyone|list|show|how\s+many)\b"
)
_FOUND: tuple[tuple[AskKind, re.Pattern[str], bool], ...] = (  # (kind, pattern, anchored at the start)
    ("changes", lexicon.CHANGES_RE, False),
    ("last_contact", lexicon.LAST_CONTACT_RE, False),
    ("last_contact", lexicon.NOBODY_RE, True),
    ("stale", lexicon.STALE_RE, False),
    ("email", lexicon.EMAIL_Q_RE, False),
    ("phone", lexicon.PHONE_Q_RE, False),
    ("contacts", lexicon.CONTACT_Q_RE, False),
    ("open_items", lexicon.OPEN_ITEMS_RE, False),
    ("profile", lexicon.PROFILE_RE, True),
    ("stage_word", lexicon.STAGE_Q_RE, False),
    ("pipeline", lexicon.PIPELINE_RE, False),
    ("followups", lexicon.FOLLOWUPS_ASKED_RE, False),
    ("followups", lexicon.AGENDA_RE, False),
    ("followups", lexicon.BARE_AGENDA_RE, True),
    ("followups", lexicon.LIST_FOLLOWUPS_RE, True),
    ("several", lexicon.PLURAL_CUSTOMERS_RE, False),
    ("several", _SEVERAL_START_RE, True),
)


def asks(text: str, clauses: list[Clause]) -> list[AskSpan]:
    """The ask spans of a question's unquoted clauses (read as one run of words, as the rep wrote them)."""
    own = [c for c in clauses if not c.quoted]
    said = " ".join(c.text for c in own)
    where: list[int] = []  # said offset -> message offset
    for i, c in enumerate(own):
        where += range(c.start, c.end)
        if i < len(own) - 1:
            where.append(c.end)
    where.append(own[-1].end if own else len(text))

    def span(start: int, end: int, kind: AskKind, words: str = "") -> AskSpan:
        return AskSpan(where[start], where[max(start, end - 1)] + 1, kind, words)

    out: list[AskSpan] = []
    for kind, rx, anchored in _FOUND:
        m = rx.match(said) if anchored else rx.search(said)
        if m is not None:
            out.append(span(m.start(), m.end(), kind))
    if (m := lexicon.SEARCH_RE.search(said)) is not None:
        topic = m.group("topic") or m.group("topic2") or m.group("topic3") or ""
        out.append(span(m.start(), m.end(), "search_who" if m.group("topic") else "search", topic))
    if (m := lexicon.FIND_RE.match(said)) is not None:
        out.append(span(m.start(), m.end(), "find", m.group("query")))
    return sorted(out, key=lambda a: a.start)
