"""The words of a follow-up the engine writes: the action of the clause ("send them the price list"),
without its date, the customer's name, or the rep's scaffolding ("remind me to", "and we").
"""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.reading.followup_refs import topic_words
from assistant.reading.types import Clause, DateSpan, Reading

MAX_DESCRIPTION = 200
_SCAFFOLD_RE = re.compile(
    r"^(?:(?:please|pls|ok|so|and|also|then|plus|oh|btw)\b[\s,]*)*"
    r"(?:(?:remind\s+me|set\s+(?:a\s+)?reminder|reminder|todo|to-?do|task)\s*(?:to|:|-|about|for|that)?\s*)?"
    r"(?:(?:i|we)\s+(?:need\s+to|have\s+to|must|should|will|'ll|want\s+to|gotta|am\s+going\s+to|are\s+going\s+to)\s+"
    r"|(?:i|we)'ll\s+|(?:i'm|i\s+am|we're|we\s+are)\s+to\s+|(?:i|we)\s+ought\s+to\s+|(?:i|we)\s+(?=owe\b)|(?:i'm|i\s+am|we're)\s+(?:going\s+to\s+|gonna\s+)?(?=\w+ing\b)"
    r"|(?:need\s+to|have\s+to|gotta|got\s+to|must)\s+)?",
    re.IGNORECASE,
)
_FOLLOW_TYPO_RE = re.compile(r"(?i)\bfol{1,3}o?w[\s-]*up\b|\bfol{1,3}o?wup\b|\bf/u\b")
# A particle of a phrasal verb stays: "check in", "drop in", "swing by", "catch up" (cut out of "check in
# in a week" the date leaves "check in", not "check").
_PHRASAL = "".join(
    rf"(?<!\b{verb})" for verb in ("check", "drop", "pop", "swing", "stop", "come", "sign", "log", "fill")
)
_DANGLING_RE = re.compile(
    r"(?i)(?:" + _PHRASAL + r"\s+(?:by|in)\b|\s+(?:with|w/|for|at|@|on|to|about|re|and|the|from|of|due|is|are"
    r"|set|booked|scheduled|after|before|until|till|first\s+thing|am|pm"
    r"|(?:got|was|been|is|has\s+been)?\s*(?:moved|pushed|rescheduled|postponed|bumped|shifted)(?:\s+(?:back|up|out))?))+\s*$"
)
# What is left of a date once it is cut out: "call paula tmrw am re renewal" -> "call paula re renewal".
_STRAY_TIME_RE = re.compile(
    r"(?i)\s+(?:am|pm|first\s+thing|(?:in\s+the\s+)?(?:morning|afternoon|evening))\b(?=\s|$)"
)
_LEADING_PREP_RE = re.compile(r"(?i)^(?:with|w/|for|at|@|on|to|by|re:?|about)\s+")


def description(r: Reading, c: Clause, due: list[DateSpan], *, names: bool = False) -> str:
    """The clause as a to-do: its date and the company name cut out, tidied; '' when nothing is left."""
    company = (
        []
        if names
        else [
            (_with_preposition(r.text, s.start, c.start), s.end)
            for s in r.customers_in(c)
            if not (s.matches and s.matches[0].via)
        ]
    )
    cut = [(d.start, d.end) for d in due] + company
    chars = list(r.text[c.start : c.end])
    for s, e in cut:
        for i in range(max(s, c.start), min(e, c.end)):
            chars[i - c.start] = " "
    said = " ".join("".join(chars).split())
    said = _SCAFFOLD_RE.sub("", said, count=1)
    said = _FOLLOW_TYPO_RE.sub("follow up", said)
    said = re.sub(r"\s+([,.;:!?])", r"\1", said)
    for _ in range(3):
        said = _DANGLING_RE.sub("", said.strip(" ,.;:-!?\u2013\u2014()\"'"))
        said = _LEADING_PREP_RE.sub("", said)
    said = _STRAY_TIME_RE.sub("", said)
    said = _their_want(said)
    said = _planned(said)
    said = lexicon.expand_shorthand(said).strip(" ,.;:-!?")
    return said[:MAX_DESCRIPTION]


_WANTS_RE = re.compile(
    r"(?i)^(?:(?:they|he|she|the\s+client|the\s+customer|(?!(?:i|we)\b)[\w'-]+(?:\s+(?!(?:i|we)\b)[\w'-]+)?)\s+)?"
    r"(?:wants?|wanted|asked\s+for|asking\s+for"
    r"|requested|would\s+(?:like|love)|['\u2019]d\s+(?:like|love)|need|needs)\s+(?:(?:to\s+)?(?:have|get|see|receive)\s+)?(?P<what>\S.*)$"
)
_ARTICLE_RE = re.compile(r"(?i)^(?:a|an|another|some)\s+")


def _their_want(said: str) -> str:
    """'wants a call' -> 'call'; 'wants the revised table' -> 'send the revised table': what the customer
    asked for is the rep's to-do — the event to hold, or the thing to send."""
    m = _WANTS_RE.match(said)
    if m is None or re.match(r"(?i)(?:to|us|me|you|more|less|it|that|this)\b", m.group("what")):
        return said
    what = _ARTICLE_RE.sub("", m.group("what"))
    event = list(lexicon.EVENT_RE.finditer(what))
    if (event and event[-1].end() == len(what.rstrip())) or lexicon.FOLLOWUP_CUE_RE.fullmatch(what.strip()):
        return what  # "a demo", "a call back": the event to hold
    return "send " + what


# A plan said in the present progressive, as the thing on the calendar: "seeing acme" -> "meeting".
_PROGRESSIVE = [
    (r"(?:seeing|meeting(?:\s+(?:with|up\s+with))?|going\s+to\s+see)", "meeting"),
    (r"visiting", "visit"),
    (r"calling", "call"),
    (r"demoing(?:\s+to)?", "demo"),
    (r"presenting(?:\s+to)?", "presentation"),
    (r"catching\s+up", "catch-up"),
    (
        r"having\s+(?:a\s+)?(lunch|coffee|dinner|drinks|breakfast|call|meeting|demo|catch-?up)",
        r"\1",
    ),
    (r"(?:popping\s+in|dropping\s+by|stopping\s+by|swinging\s+by)(?:\s+(?:at|to))?", "drop by"),
]
_PROGRESSIVE_RE = [
    (re.compile(rf"(?i)^(?:(?:i|we)(?:'m|'re|\s+am|\s+are)\s+)?{rx}\b"), to) for rx, to in _PROGRESSIVE
]
_COMING_RE = re.compile(
    r"(?i)^(?P<who>[\w'-]+(?:\s+[\w'-]+)?)\s+(?:is|are|'s|'re)\s+coming(?:\s+(?:in|over|by|round))?\b"
)


def _planned(said: str) -> str:
    for rx, to in _PROGRESSIVE_RE:
        if (m := rx.match(said)) is not None:
            return (m.expand(to) + said[m.end() :]).strip()
    m = _COMING_RE.match(said)
    if m is not None:
        return f"visit from {m.group('who')}{said[m.end() :]}".strip()
    return said


_PREP_BEFORE_RE = re.compile(r"(?i)(?:\b(?:with|for|at|to|from|of)|w/|@)\s+$")


def _with_preposition(text: str, start: int, floor: int) -> int:
    """Start of a company name together with the 'with'/'for'/'@' that introduces it."""
    m = _PREP_BEFORE_RE.search(text[floor:start])
    return floor + m.start() if m else start


def gist(r: Reading, exclude: Clause) -> str:
    """The most telling other clause, for a bare 'follow up Friday': 'they want a pilot'."""
    best, words = "", 0
    skip = {w for c in r.cues if c.kind in ("meeting", "call", "email", "past") for w in topic_words(c.text)}
    for c in r.clauses:
        if c is exclude or c.start < r.body_start - 1 or any(c.start <= x.start < c.end for x in r.records):
            continue  # (a record edit's words — "new contact Ana Ruiz" — say nothing about the follow-up)
        said = description(r, c, [d for d in r.dates if c.start <= d.start < c.end], names=True)
        n = len(topic_words(description(r, c, [])) - skip)
        if n > words:
            best, words = said, n
    return best[:120]
