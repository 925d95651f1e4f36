"""Splitting a message into clauses, and finding the stretches that are pasted or quoted text.

Reps write run-on sentences and dictate without punctuation, so besides sentence ends and dashes a
clause also breaks before a comma that starts something new ("…, send them the deck by Friday") and,
in unpunctuated text, before a new subject or a follow-up cue ("… rang they want … follow up …").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant import lexicon
from assistant.reading.types import Clause

# Sentence ends (not the dot of "3.5" or "e.g."), semicolons, line breaks, spaced dashes, "Name: …".
_HARD_RE = re.compile(
    r"(?<!\b[a-z]\.[a-z])(?<!\d)[.!?]+(?=\s|$)|[;\n]+|\s+[-\u2013\u2014]+\s+|(?<=\w)(?<!\bre):\s+|(?<=\w)\s*\u2014\s*"
)
_SOFT_RE = re.compile(
    r",\s+(?=(?:and\s+|but\s+|then\s+|so\s+|also\s+|plus\s+)?(?:they|we|she|he|i|i'll|we'll|they're|we're"
    r"|they'll|it's|it|send|resend|share|email|call|ring|ping|follow|f/u|remind|circle|check|chase"
    r"|nudge|try|book|re-?book|schedule|touch\s+base|reach\s+out|get\s+back|pick|no\s+need|cancel|drop|move|push|need|needs|owe|will|can|could|should"
    r"|(?:the\s+|a\s+|our\s+)?(?:kick-?off|demo|tour|site\s+visit|visit|lunch|dinner|workshop|training"
    r"|onboarding|go-?live|launch|install|next\s+call|next\s+meeting|follow-?up\s+call)"
    r"|wants|wanted|needs|needed|happy|keen|loved|loves|liked|likes|asked|asking|said|says|mentioned|seems|seemed"
    r"|sounds|sounded|looks|looked|very|really|super|pretty|quite|overall|interested|worried|concerned|positive"
    r"|[A-Z][a-z]+\s+(?:will|wants|needs|said|asked|is|has|owes))\b)"
    # "he'll review it and I'm to ring him Tuesday": the rep's own obligation after theirs
    # "… send the quote by friday and tag them as retail": a record edit or stage command after "and"
    r"|(?<=\w)\s+and\s+(?=(?:tag|untag|label|mark|set|change|update|move|bump)\s+(?:them|him|her|it|\w+)\s+(?:as|to|with)\b)"
    r"|(?<=\w)\s+and\s+(?=(?:i'm|i\s+am|we're|we\s+are)\s+to\b|(?:i|we)(?:'ll|\s+will|\s+should|\s+have\s+to"
    r"|\s+need\s+to|\s+must)\s+(?!meet\b|talk\b|speak\b|chat\b))",
    re.IGNORECASE,
)
MAX_CLAUSE_SCAN = 4000  # beyond this a long paste is one clause: nobody dictates 4,000 characters of plans


def quoted_regions(text: str) -> list[tuple[int, int]]:
    """(start, end) of quoted text and of anything after "X wrote:" / "forwarded:"."""
    out = [(m.start(), m.end()) for m in lexicon.QUOTE_RE.finditer(text)]
    lead = lexicon.PASTE_LEAD_RE.search(text)
    if lead is not None:
        out.append((lead.end(), len(text)))
    return sorted(out)


def split(text: str, quoted: list[tuple[int, int]], names: Sequence[tuple[int, int]] = ()) -> list[Clause]:
    """The clauses of `text`, left to right; a break inside quoted text does not split it."""
    head = text[:MAX_CLAUSE_SCAN]
    cuts: list[tuple[int, int]] = []
    for rx in (_HARD_RE, _SOFT_RE):
        cuts += [(m.start(), m.end()) for m in rx.finditer(head)]
    if not re.search(r"[.,;!?:]", head.strip().rstrip(".!?")):  # dictation: no punctuation at all
        cuts += [
            (m.start(), m.end())
            for m in lexicon.CLAUSE_BREAK_RE.finditer(head)
            if _breaks(head, m.start(), m.end(), names)
        ]
    cuts = [c for c in cuts if not any(s < c[0] < e - 1 for s, e in quoted)]
    clauses: list[Clause] = []
    pos = 0
    for s, e in sorted(cuts):
        if s < pos:
            continue
        _add(clauses, text, pos, s, quoted)
        pos = e
    _add(clauses, text, pos, len(text), quoted)
    return clauses or [Clause(0, len(text), text)]


_DETERMINER_RE = re.compile(r"(?i)\b(?:the|a|an|this|that|my|our|his|her|their|its|your)\s+(?:\S+\s*)?$")


def _breaks(text: str, start: int, at: int, names: Sequence[tuple[int, int]]) -> bool:
    """A dictation break at `at` starts a clause: not in "the acme follow up", not before a last word."""
    before = text[:start]
    name = next((s for s, e in names if e == start), None)  # "the kettle & crumb follow up"
    if _DETERMINER_RE.search(before if name is None else text[:name]):
        return False
    return len(text[at:].split()) >= 2


def _add(out: list[Clause], text: str, start: int, end: int, quoted: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start or not re.search(r"\w", text[start:end]):
        return
    inside = any(s <= start and end <= e + 1 for s, e in quoted)
    out.append(Clause(start, end, text[start:end], inside))
