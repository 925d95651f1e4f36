"""Turning a rep's report into tool calls: what to log, when it happened, what to follow up and when.

Pure functions of the text, the clock and the customer spans already found; nothing here reads or
writes the database. Dates come from `tools.dates.find_dates`, which raises InvalidDate for a date
that cannot exist, so a message with "April 31" produces no plan at all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from assistant.intents import FOLLOWUP_CUE_RE, IMPERATIVE_RE, NOTE_PREFIX_RE, kind_of
from tools.dates import DateMatch, When, find_dates, format_day

# A date said with these words is when something should happen, never when it did.
_FUTURE_WORDS_RE = re.compile(
    r"^(?:by|before|until|till|til|due|no\s+later|starting|from|in|within|after|next|coming|tomorrow|tmrw|tmr"
    r"|later|the\s+day\s+after|the\s+following|end|eo[wmqy]|this\s+coming)\b", re.IGNORECASE)
_SENTENCE_RE = re.compile(r"[.!?;\n]+\s*|\s+[-\u2013\u2014]+\s+|,\s+(?=(?:and\s+)?(?:follow|remind|ping|call\s+back"
                          r"|circle|check\s+in|touch|reach|chase|nudge)\b)", re.IGNORECASE)
_ABOUT_RE = re.compile(r"\b(?:about|regarding|re:?|concerning|on\s+the\s+topic\s+of)\s+(?P<what>.+)", re.IGNORECASE)
_TO_RE = re.compile(r"^\s*(?:please\s+)?(?:remind\s+me|set\s+(?:a\s+)?reminder|reminder|todo|to-?do|task)\s*(?:to|:|-)?"
                    r"\s*(?P<what>.+)", re.IGNORECASE)
_FILLER_RE = re.compile(r"^[\s,.;:!?\-\u2013\u2014()'\"]*$")
_GLUE_RE = re.compile(r"(?i)\b(?:follow[\s-]*up|followup|with|on|for|please|pls|and|the|a|an|re|to|reminder|remind\s+me"
                      r"|by|due|at|wants?|asked|asks|needs?|them|us|me|we|i|he|she|they|should|will|would|like|let'?s"
                      r"|can|could|give|get|got|have|has|do|us|again|him|her|so|then|just|maybe|probably)\b")


@dataclass
class Op:
    """One tool call to make: its registry name and its arguments."""

    tool: str
    args: dict[str, Any]
    label: str = ""  # how the reply will describe it once done


@dataclass
class Reading:
    """What a report says: the body to log (if any), its kind and moment, and the follow-up (if any)."""

    body: str | None
    kind: str
    occurred: When | None
    due: When | None
    description: str
    wants_followup: bool  # a follow-up was asked for (maybe without a date yet)
    notes: list[str] = field(default_factory=list)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause: split at sentence ends, dashes, and ', follow up …'."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_RE.finditer(text):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out or [(0, len(text))]


def read_report(text: str, now: datetime, mention_spans: list[tuple[int, int]]) -> Reading:
    """Understand a report or request about one customer. Raises InvalidDate for impossible dates."""
    future = find_dates(text, now, prefer="future")
    past = find_dates(text, now, prefer="past")
    today = now.date()
    cue = FOLLOWUP_CUE_RE.search(text)
    body_text = strip_note_prefix(text, mention_spans)
    imperative = bool(IMPERATIVE_RE.match(body_text)) and not NOTE_PREFIX_RE.match(text)
    clause = (0, len(text))
    if cue is not None and not imperative:
        clause = next((s for s in sentences(text) if s[0] <= cue.start() < s[1]), clause)
    due_match = _due_in(future, clause, today) if (cue is not None or imperative) else None
    bare = False
    if due_match is None and cue is None and not imperative:
        due_match = _bare_date_request(text, future, mention_spans, today)
        bare = due_match is not None  # "Acme — end of month": nothing but a name and a date
    wants = cue is not None or imperative or due_match is not None
    schedule_only = imperative or _only_glue(text, cue, mention_spans, due_match)
    occurred = None if schedule_only else _occurred(past, clause if wants else None, today)
    description = _description(text, clause, due_match, mention_spans, imperative) if wants and not bare else ""
    if bare:
        description = "follow up"
    kind = kind_of(body_text)
    return Reading(
        body=None if schedule_only else body_text, kind=kind, occurred=occurred,
        due=due_match.when if due_match else None, description=description, wants_followup=wants,
    )


def strip_note_prefix(text: str, mention_spans: list[tuple[int, int]]) -> str:
    """The rep's words without a leading 'note for X:' (the rest is kept whole, never truncated)."""
    m = NOTE_PREFIX_RE.match(text)
    if m is None:
        return text.strip()
    after = m.end()
    span = next((s for s in mention_spans if s[0] == after), None)
    if span is not None:
        after = span[1]
    rest = re.match(r"\s*[:,\-\u2013\u2014]?\s*", text[after:])
    body = text[after + (rest.end() if rest else 0):].strip()
    return body or text.strip()


def _due_in(found: list[DateMatch], clause: tuple[int, int], today: date) -> DateMatch | None:
    inside = [d for d in found if clause[0] <= d.start < clause[1] and d.when.date >= today]
    return inside[0] if inside else None


def _bare_date_request(text: str, found: list[DateMatch], spans: list[tuple[int, int]], today: date) -> DateMatch | None:
    """'Acme — end of month': a customer and a future date, nothing else, is a follow-up."""
    if len(found) != 1 or found[0].when.date < today or not spans:
        return None
    rest = _cut(text, [(found[0].start, found[0].end), *spans])
    return found[0] if _FILLER_RE.match(_GLUE_RE.sub(" ", rest)) else None


def _only_glue(text: str, cue: re.Match[str] | None, spans: list[tuple[int, int]], due: DateMatch | None) -> bool:
    """True when the message is nothing but a follow-up request, with or without its date (no report to log)."""
    if due is None and cue is None:
        return False
    cut = ([(due.start, due.end)] if due is not None else []) + [*spans] + (
        [(cue.start(), cue.end())] if cue is not None else [])
    rest = _cut(text, cut)
    return bool(_FILLER_RE.match(_GLUE_RE.sub(" ", rest)))


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for s, e in spans:
        for i in range(max(0, s), min(len(chars), e)):
            chars[i] = " "
    return "".join(chars)


def _occurred(past: list[DateMatch], clause: tuple[int, int] | None, today: date) -> When | None:
    """When the reported thing happened: the first date said about the past, outside the follow-up clause."""
    for d in past:
        if clause is not None and clause[0] <= d.start < clause[1]:
            continue
        if _FUTURE_WORDS_RE.match(d.text) or d.when.date > today:
            continue
        return d.when
    return None


def _description(text: str, clause: tuple[int, int], due: DateMatch | None, spans: list[tuple[int, int]],
                 imperative: bool) -> str:
    """What to do: the 'about …' part, the 'remind me to …' part, or the request itself."""
    cut = [(due.start, due.end)] if due else []
    part = _cut(text, cut)[clause[0]:clause[1]]
    part = " ".join(part.split()).strip(" ,.;:-")
    part = re.sub(r"(?i)^(?:and|then|also|&)\s+", "", part)
    if (m := _ABOUT_RE.search(part)) is not None:
        return _tidy(m.group("what"))
    if (m := _TO_RE.match(part)) is not None:
        return _tidy(m.group("what"))
    cue = FOLLOWUP_CUE_RE.search(part)
    if imperative or (cue is not None and cue.start() == 0):
        lead = cue.group() if cue is not None and cue.start() == 0 else part.split(" ", 1)[0]
        lead = re.sub(r"(?i)^fol{1,3}o?w[\s-]*up$", "follow up", lead)  # "folow up" typed in a hurry
        return _tidy(lead.lower()) if cue is not None else _tidy(part)
    return _tidy(part)


def _tidy(s: str) -> str:
    s = " ".join(s.split()).strip(" ,.;:-!?")
    return s[:200]


def occurred_iso(when: When | None, now: datetime) -> str | None:
    """The `occurred_at` argument: None for 'now' (today without a time), else a local ISO moment."""
    if when is None or (when.time is None and when.date == now.date()):
        return None
    return datetime.combine(when.date, when.time or time(12, 0), tzinfo=now.tzinfo).isoformat()


def due_iso(when: When) -> str:
    """The `due` argument: an ISO date, with the time of day when one was said."""
    return when.date.isoformat() + (f"T{when.time.hour:02d}:{when.time.minute:02d}" if when.time else "")


def narrative_description(reading: Reading, today: date) -> str:
    """A follow-up description when the rep gave none: what it follows up on."""
    if reading.description and reading.description.lower() not in ("follow up", "follow-up", "followup"):
        return reading.description
    day = format_day(reading.occurred.date if reading.occurred else today, today)
    if reading.kind != "note":
        return f"follow up on the {reading.kind} of {day}"
    first = sentences(reading.body or "")[0]
    gist = (reading.body or "")[first[0]:first[1]].strip()
    return "follow up: " + (gist if len(gist) <= 80 else gist[:79] + "…")
