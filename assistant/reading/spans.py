"""Typed spans of a message: cues from the lexicon, dates marked past or future, stage phrases from
the configured stages, shifts ("another week"), emails, phones and amounts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import cast

from assistant import lexicon
from assistant.reading.types import (
    Clause,
    Cue,
    CueKind,
    DateSpan,
    Polarity,
    ShiftSpan,
    Span,
    StageSpan,
    Tense,
    ValueSpan,
)
from tools.dates import DateMatch, When, find_dates, parse_when
from tools.names import normalize
from tools.stages import ALIASES

_TEXT_CUES: list[tuple[CueKind, re.Pattern[str]]] = [
    *[(cast(CueKind, kind), rx) for kind, rx in lexicon.KIND_CUES],
    ("event", lexicon.EVENT_RE),
    ("plan", lexicon.PLAN_RE),
    ("followup", lexicon.FOLLOWUP_CUE_RE),
    ("promise", lexicon.PROMISE_RE),
    ("obligation", lexicon.OBLIGATION_RE),
    ("past", lexicon.PAST_RE),
    ("future", lexicon.FUTURE_RE),
    ("negation", lexicon.NEGATION_RE),
    ("hedge", lexicon.HEDGE_RE),
    ("done", lexicon.DONE_RE),
    ("cancel", lexicon.CANCEL_RE),
    ("move", lexicon.MOVE_RE),
    ("followup_word", lexicon.FOLLOWUP_WORD_RE),
    ("will", lexicon.WILL_RE),
    ("their_will", lexicon.THEY_WILL_RE),
    ("owed", lexicon.OWED_RE),
]
MAX_CUE_SCAN = 4000  # cues of a long paste are read from its start only: its tail is data


def cues(text: str, clauses: list[Clause]) -> list[Cue]:
    """Every lexicon cue, with its span; clause-initial ones (imperatives) per clause."""
    head = text[:MAX_CUE_SCAN]
    out = [Cue(m.start(), m.end(), kind, m.group()) for kind, rx in _TEXT_CUES for m in rx.finditer(head)]
    out += [
        Cue(m.start("thing"), m.end("thing"), "asked_for", m.group("thing"))
        for m in lexicon.ASKED_FOR_RE.finditer(head)
    ]
    for c in clauses:
        if c.start >= MAX_CUE_SCAN:
            break
        lead = lexicon.CLAUSE_LEAD_RE.match(c.text)
        off = lead.end() if lead else 0
        leads: tuple[tuple[CueKind, re.Pattern[str]], ...] = (
            ("imperative", lexicon.IMPERATIVE_RE),
            ("their_promise", lexicon.THEIR_PROMISE_RE),
            ("subject", lexicon.THIRD_PERSON_RE),
            ("pledge", lexicon.PLEDGE_RE),
        )
        for kind, rx in leads:
            if (m := rx.match(c.text[off:])) is not None:  # (their '^' must see the clause's own start)
                at = c.start + off
                out.append(Cue(at + m.start(), at + m.end(), kind, m.group()))
    return _their_own_events(head, sorted(out, key=lambda c: c.start))


# "the board is meeting thursday", "they're presenting it internally": another party's event in the
# progressive — not a meeting the rep had or will attend ("we're meeting", "they're meeting us" are).
_THEIR_PROGRESSIVE_RE = re.compile(
    r"(?i)(?:\b(?!(?:we|i)\b)[a-z]+\s+(?:is|are)|\b(?:he|she|it|they|who)['\u2019](?:s|re))"
    r"\s+(?P<verb>meeting|presenting|demoing)\b"
    r"(?!\s+(?:(?:to|for|with)\s+)?(?:us|me|you)\b)"
)


def _their_own_events(text: str, found: list[Cue]) -> list[Cue]:
    theirs = [m.span("verb") for m in _THEIR_PROGRESSIVE_RE.finditer(text)]
    if not theirs:
        return found
    return [
        c for c in found if not (c.kind in ("event", "meeting") and any(a <= c.start < b for a, b in theirs))
    ]


def clause_tense(clause: Clause, found: list[Cue]) -> Tense:
    """'past' when the clause reports (met, called, yesterday) and plans nothing; else 'future'."""
    mine = [c for c in found if clause.start <= c.start < clause.end]
    inside = {c.kind for c in mine}
    if any(c.kind == "move" and lexicon.MOVE_VERB_RE.fullmatch(c.text) for c in mine):
        inside.add("future")  # "move the underwriting questions to friday": the new date is ahead
    if "past" in inside and not inside & {"future", "plan", "followup", "imperative", "obligation"}:
        return "past"
    return "future"


# Date shorthand tools.dates leaves alone: "wk", "mon"/"wed" (not words a rep uses otherwise), "sat"/"sun"
# only after a word that announces a day ("on sat", "next sun"), "this am" for this morning.
_DAY_LEAD = "".join(
    f"(?<=\\b{w} )" + "|" for w in ("on", "by", "next", "this", "till", "until", "from", "before")
)
_DATE_SHORTHAND_RE = re.compile(
    r"(?i)\b(?:wks?|nxt|mon|wed|2mo+r+o+w?|tmrow|yday|yest|ystrdy|yda)\b"
    r"|(?<=\d )(?:mos|mths?|mnths?|yrs?)\b|(?:" + _DAY_LEAD.rstrip("|") + r")(?:sat|sun)\b|(?<=\bthis )am\b"
)
_DATE_WORDS = {
    "wk": "week",
    "wks": "weeks",
    "nxt": "next",
    "mon": "monday",
    "wed": "wednesday",
    "sat": "saturday",
    "sun": "sunday",
    "am": "morning",
    "yday": "yesterday",
    "yest": "yesterday",
    "ystrdy": "yesterday",
    "yda": "yesterday",
    "mos": "months",
    "mth": "month",
    "mths": "months",
    "mnth": "month",
    "mnths": "months",
    "yr": "year",
    "yrs": "years",
}
_TOMORROW_RE = re.compile(r"(?i)^(?:2mo+r+o+w?|tmrow)$")


def _spelled_out(text: str) -> tuple[str, list[int]]:
    """`text` with date shorthand spelled out ("next wk" -> "next week") and, per character of the
    result, the offset it came from, so spans map back onto the rep's own words."""
    out: list[str] = []
    where: list[int] = []
    pos = 0
    for m in _DATE_SHORTHAND_RE.finditer(text):
        out.append(text[pos : m.start()])
        where += range(pos, m.start())
        said = m.group().lower()
        word = "tomorrow" if _TOMORROW_RE.match(said) else _DATE_WORDS[said]
        out.append(word)
        where += [m.start()] * (len(word) - 1) + [m.end() - 1]
        pos = m.end()
    out.append(text[pos:])
    where += range(pos, len(text))
    return "".join(out), where + [len(text)]


def _back(d: DateMatch, where: list[int], text: str) -> DateMatch:
    start, end = where[d.start], where[d.end - 1] + 1
    return DateMatch(start, end, text[start:end], d.when)


_TENSE_CUES = frozenset({"past", "future", "plan", "followup", "imperative", "obligation"})
# A subject and a verb in the present, progressive or simple: "they're reviewing it", "dana is presenting",
# "they sign", "she starts" (not "they signed", "they were reviewing").
_ADVERBS = r"(?:\w+ly|also|all|then|just|already|both|still|never|really|even|now|too)"
_OWN_PRESENT_RE = re.compile(
    r"(?i)(?:\b(?:they|he|she|we|it)|(?:^|[,;:]\s*|\b(?:and|but|so|then)\s+)(?-i:[A-Z][a-z]+))"
    rf"(?:['\u2019](?:re|s)|\s+(?:are|is))\s+(?:{_ADVERBS}\s+)*(?!going\b)[a-z]+ing\b"
    rf"|\b(?:they|he|she|we)\s+(?:{_ADVERBS}\s+)*(?!(?:{_ADVERBS}|had|did|was|were|said|got|went|came|made|sent"
    r"|saw|met|told|felt|thought|took|gave|left|ran|put|set|kept|paid|lost|won|found|bought|sold|spent|brought"
    r"|heard|meant|read|wrote|spoke|knew|chose|began|forgot|rang|drove|flew|ate|sat|stood|understood|could"
    r"|would|might|should|must|may|can't|couldn't|didn't|wasn't|weren't|haven't|hadn't)\b)"
    r"[a-z]+(?<!ed)\b(?!\s+(?:to|that|it's|its)\b)"
)
# A deadline is ahead whatever the clause reports: "need revised quote to them EOW", "by the 10th".
_DEADLINE_RE = re.compile(r"(?i)^(?:by|before|eod|eow|eom|end\s+of|until|till|til)\b")


_AHEAD_CUES = frozenset(
    {"future", "plan", "followup", "imperative", "obligation", "will", "their_will", "pledge"}
)


# A past verb that aims at something still to come: "asked to meet on friday", "wanted us to call monday".
_AIMED_RE = re.compile(
    r"(?i)\b(?:asked|wanted|wants?|offered|agreed|promised|planned|decided|arranged|hoped|hoping|expects?"
    r"|expected|would\s+like|'d\s+like|needs?|needed|invited|told)\s+(?:(?:us|me|them|him|her|you)\s+)?to\s+"
    r"[a-z]+(?:\s+(?:up|in|back|by|over))?\b[^.;!?]*$"
)


def _aimed_ahead(text: str, clause: Clause, d: DateMatch) -> bool:
    """The date belongs to an infinitive after a past verb ('Dana asked to meet on friday'): it is ahead."""
    return _AIMED_RE.search(text, clause.start, d.start) is not None and not any(
        m.end() <= d.start for m in _HELD_AFTER_RE.finditer(text[clause.start : d.start])
    )


# What another party does on a day, said in the present: "their board meets thursday", "legal reviews it
# monday", "the pilot starts monday", "the board is meeting thursday", "contract to be signed monday".
_SCHEDULED_RE = re.compile(
    r"(?i)\b(?:starts|begins|ends|meets|reviews|kicks\s+off|goes\s+live|launches|arrives|lands|closes|expires"
    r"|renews|finishes|returns|decides|votes|signs|opens|ships|happens|runs|resumes|reconvenes|convenes"
    r"|comes\s+back|gets\s+back|flies\s+in|presents|is\s+due|are\s+due)\b"
    rf"|\b(?:is|are|['\u2019]s|['\u2019]re)\s+(?:{_ADVERBS}\s+)*(?!going\b)[a-z]{{2,}}ing\b"
    r"|\bto\s+be\s+[a-z]+(?:ed|en|wn)\b"
)
_TO_BE_DONE_RE = re.compile(r"(?i)\bto\s+be\s+[a-z]+(?:ed|en|wn)\b(?:\s+(?:on|by|next|this))?\s*$")
_SEGMENT_BREAK_RE = re.compile(r"[,;:\u2013\u2014]|\s-+\s|\b(?:but|and|so)\b")


def _own_ahead(text: str, clause: Clause, d: DateMatch, found: list[Cue]) -> bool:
    """The date belongs to a later part of the clause with a present verb of its own and no past one:
    'met globex, their board meets thursday' — the board's day, ahead, not the day of the meeting."""
    start = clause.start
    for m in _SEGMENT_BREAK_RE.finditer(text, clause.start, d.start):
        start = m.end()
    whole = start == clause.start
    stop = _SEGMENT_BREAK_RE.search(text, d.end, clause.end)
    end = stop.start() if stop else clause.end
    if whole and not _TO_BE_DONE_RE.search(text, start, d.start):
        return False  # no earlier part: the clause's tense decides (but "juno: contract to be signed monday")
    passive = [(m.start(), m.end()) for m in _SCHEDULED_RE.finditer(text, start, end)]
    if any(
        c.kind == "past" and start <= c.start < end and not any(a <= c.start < b for a, b in passive)
        for c in found
    ):
        return False  # "met acme, signed friday": a past verb of its own ("to be signed" is none)
    if whole:
        return True
    said = text[start : d.start] + " " + text[d.end : end]
    return bool(_OWN_PRESENT_RE.search(said.strip()) or _SCHEDULED_RE.search(said))


def _told_before(clause: Clause, d: DateMatch, found: list[Cue]) -> bool:
    """'spoke to ruth on wednesday, expansion delayed till autumn': the verb before a date tells its tense —
    a past one, with every word of the future in the clause after the date, dates a thing that happened."""
    mine = [c for c in found if clause.start <= c.start < clause.end]
    if not any(c.kind == "past" and c.end <= d.start for c in mine):
        return False
    if any(c.kind == "move" and lexicon.MOVE_VERB_RE.fullmatch(c.text) and c.end <= d.start for c in mine):
        return False  # "it got pushed to monday": the day it was moved to is ahead
    return all(c.start >= d.end for c in mine if c.kind in _AHEAD_CUES)


def _tense_near(clause: Clause, clauses: list[Clause], found: list[Cue]) -> Tense:
    """The clause's tense; a bare fragment ("On Monday") takes its neighbour's ("we called …"), but a
    clause with a subject and a present verb of its own ("they're reviewing it friday", "next friday they
    sign") is its own: what it dates is ahead, whatever the clause before it reports."""
    if _OWN_PRESENT_RE.search(clause.text) or (
        _SCHEDULED_RE.search(clause.text)
        and not any(c.kind == "past" for c in found if clause.start <= c.start < clause.end)
    ):
        return clause_tense(clause, found)
    if any(
        c.kind in _TENSE_CUES or (c.kind == "move" and lexicon.MOVE_VERB_RE.fullmatch(c.text))
        for c in found
        if clause.start <= c.start < clause.end
    ):
        return clause_tense(clause, found)
    i = clauses.index(clause)
    for j in (i + 1, i - 1):
        if 0 <= j < len(clauses):
            return clause_tense(clauses[j], found)
    return "future"


def dates(
    text: str,
    now: datetime,
    clauses: list[Clause],
    found: list[Cue],
    quoted: list[tuple[int, int]],
    *,
    write_up: int | None = None,
) -> list[DateSpan]:
    """Each date once, read forward or backward as its clause means it (raises InvalidDate). `write_up`:
    where a heading's words of a write-up end ("acme call notes"): a day right after them, before the
    heading's mark, is when the occasion took place."""
    said, back_to = _spelled_out(text)
    ahead = [_back(d, back_to, text) for d in find_dates(said, now, prefer="future")]
    behind = {
        (d.start, d.end): d for d in (_back(x, back_to, text) for x in find_dates(said, now, prefer="past"))
    }
    for d, earlier in _ordinals(text, now, ahead):
        ahead.append(d)
        behind[(d.start, d.end)] = earlier
    ahead.sort(key=lambda d: d.start)
    today = now.date()
    out: list[DateSpan] = []
    for d in list(ahead):
        if d.start > 0 and text[d.start - 1] in "-\u2011" and text[d.start - 2 : d.start - 1].isalpha():
            # "check-in a week": the 'in' is the word's, and the rest is still the date ("[in] a week")
            rest = _GLUED_IN_RE.match(text, d.start)
            behind.pop((d.start, d.end), None)
            ahead.remove(d)
            if rest is None or _LATER_RE.match(text, d.end):
                continue  # "the check-in a week later" dates nothing
            d = DateMatch(rest.end(), d.end, text[rest.end() : d.end], d.when)
            ahead.append(d)
    ahead.sort(key=lambda d: d.start)
    for d in ahead:
        back = behind.get((d.start, d.end))
        clause = next((c for c in clauses if c.start <= d.start < c.end), None)
        when = d.when
        planned = any(
            c.kind == "event" and 0 <= d.start - c.end <= 12 and not _held(text, c, d, clause) for c in found
        )  # "kickoff on the 16th" (but "had coffee … on monday", "the demo on the 2nd went fine" happened)
        written_up = (
            clause is not None
            and any(c.kind == "event" and clause.start <= c.start < d.start for c in found)
            and bool(_WRITE_UP_RE.match(text, d.end))
        )  # "Lunch with X on Monday: she wants …" is the write-up of a lunch that happened
        if (
            back is not None
            and back.when != d.when
            and clause is not None
            and (not planned or written_up)
            and not _DEADLINE_RE.match(d.text)
            and not _aimed_ahead(text, clause, d)
            and not _own_ahead(text, clause, d, found)
            and (
                written_up or _tense_near(clause, clauses, found) == "past" or _told_before(clause, d, found)
            )
        ):
            when = back.when
        heading_day = (
            back is not None
            and write_up is not None
            and _WRITE_UP_DAY_BEFORE_RE.fullmatch(text, write_up, d.start) is not None
            and _WRITE_UP_DAY_AFTER_RE.match(text, d.end) is not None
        )
        if heading_day and back is not None:
            when = back.when  # "acme call notes monday: pricing ok": the notes of Monday's call
        since = back is not None and bool(
            _SINCE_RE.search(text[max(0, d.start - 12) : d.start])
            or _REFERS_BACK_RE.search(text, max(0, d.start - 60), d.start)
            or (heading_day and when.date == today)  # "acme mtg notes today: …" is no plan for today
        )
        if since and back is not None:
            # "seeing good results since monday": the start of a state, always behind; "as discussed on
            # monday", "per our call on friday": an earlier talk the message refers to, not when it happened
            when = back.when
        if _AFTER_RE.search(text[max(0, d.start - 8) : d.start]) and not _POSSESSIVE_RE.match(text, d.end):
            # "check back after the 15th" is the 16th on; "after today's call" is about the call
            when = When(when.date + timedelta(days=1), when.time)
        is_quoted = any(s <= d.start < e for s, e in quoted)
        span = DateSpan(d.start, d.end, d.text, when, _tense(when.date, today), is_quoted, since)
        if out and _adjacent(text, out[-1], span):
            span = _merged(text, out.pop(), span, today)
        out.append(span)
    out = [_part_of_day(text, d) for d in out]
    return sorted(out + _first_thing(text, now, out, quoted), key=lambda d: d.start)


def _first_thing(
    text: str, now: datetime, taken: list[DateSpan], quoted: list[tuple[int, int]]
) -> list[DateSpan]:
    """'ping holly re the catalog first thing': no day said, so the next morning at 9:00."""
    out: list[DateSpan] = []
    for m in lexicon.FIRST_THING_RE.finditer(text[:MAX_CUE_SCAN]):
        if any(d.start - 24 <= m.start() <= d.end + 2 for d in taken):
            continue  # "first thing tomorrow", "monday first thing": the day's own part of the day
        day = now.date() + timedelta(days=1)
        is_quoted = any(s <= m.start() < e for s, e in quoted)
        out.append(DateSpan(m.start(), m.end(), m.group(), When(day, time(9, 0)), "future", is_quoted))
    return out


def _part_of_day(text: str, d: DateSpan) -> DateSpan:
    """'first thing tomorrow', 'thursday afternoon', 'EOD friday': a date ahead with only the part of the
    day said gets that part's usual time (9:00, 14:00, 17:00 …), so the follow-up says when to act."""
    if d.when.time is not None or d.tense == "past" or re.match(r"(?i)this\b|earlier\b", d.text):
        return d  # "this morning" reports what happened earlier today
    before = lexicon.PART_BEFORE_RE.search(text[max(0, d.start - 24) : d.start])
    after = lexicon.PART_AFTER_RE.match(text, d.end)
    said = d.text + (" " + before.group() if before else "") + (" " + after.group() if after else "")
    for rx, (hour, minute) in lexicon.PART_OF_DAY:
        if rx.search(said):
            start = d.start - len(before.group()) if before else d.start
            end = after.end() if after else d.end
            # the span takes its part of the day too, so a description never keeps "pm" or "first thing"
            return replace(
                d, start=start, end=end, text=text[start:end], when=When(d.when.date, time(hour, minute))
            )
    return d


# "the 14th" alone ("no wait, the 14th", "demo's the 16th"): a day of the month when nothing after it makes
# it an ordinal of something else ("the 3rd clinic", "the 2nd floor").
_ORDINAL_RE = re.compile(
    r"(?i)\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b(?=\s*(?:$|[.,;:!?)\u2013\u2014-]|(?:at|@|of|instead|then|or|and|pls"
    r"|please|by|for|is|works|morning|afternoon|evening|\d)\b))"
)


def _ordinals(text: str, now: datetime, taken: list[DateMatch]) -> list[tuple[DateMatch, DateMatch]]:
    out = []
    for m in _ORDINAL_RE.finditer(text[:MAX_CUE_SCAN]):
        if any(d.start <= m.start() < d.end or m.start() <= d.start < m.end() for d in taken):
            continue
        ahead, back = parse_when(m.group(), now, prefer="future"), parse_when(m.group(), now, prefer="past")
        out.append(
            (DateMatch(m.start(), m.end(), m.group(), ahead), DateMatch(m.start(), m.end(), m.group(), back))
        )
    return out


_GLUED_IN_RE = re.compile(r"(?i)in\s+(?=\S)")
_LATER_RE = re.compile(r"(?i)\s+(?:later|earlier|before|after|on)\b")
_AFTER_RE = re.compile(r"(?i)\bafter\s+$")
_WRITE_UP_DAY_BEFORE_RE = re.compile(r"(?i)\s*(?:[(\[]\s*|(?:from|of|on|for)\s+)?")
_WRITE_UP_DAY_AFTER_RE = re.compile(r"\s*[)\]]?\s*(?:[:\u2013\u2014]|-+\s|$)")
_SINCE_RE = re.compile(r"(?i)\bsince\s+(?:last\s+)?$")
# At the start of a sentence or clause only: "call acme as agreed on friday" is a plan for Friday.
_REFERS_BACK_RE = re.compile(
    r"(?i)(?:^|[.,;:!?\n(\u2013\u2014-]\s*|\b(?:and|but|so)\s+)(?:as\s+(?:discussed|agreed|mentioned|said)"
    r"|per\s+(?:our|the|your|their)\s+(?:call|meeting|mtg|chat|email|convo|conversation|talk|demo))"
    r"\s+(?:(?:on|last|at)\s+)*$"
)
_POSSESSIVE_RE = re.compile(r"['\u2019]s\b")
_HELD_BEFORE_RE = re.compile(
    r"(?i)\b(?:had|held|did|gave|ran|finished|attended|after)\s+(?:a\s+|an\s+|the\s+|our\s+)?$"
)
# An event and its date as the heading of what was said there: "Lunch with Paula on Monday: she wants …".
_WRITE_UP_RE = re.compile(
    r"(?i)\s*[:\u2013\u2014]\s*(?:she|he|they|(?-i:[A-Z][a-z]+))\s+(?:wants|wanted|said|says|asked|loved|liked"
    r"|mentioned|agreed|needs|needed|was|were|is|are|seemed|seems|confirmed|told)\b"
)
_HELD_AFTER_RE = re.compile(
    r"(?i)^\W*(?:\w+\W+){0,2}?(?:went|was|were|ran|got|is\s+done|wrapped|finished|happened|took\s+place)\b"
)


def _held(text: str, event: Cue, d: DateMatch, clause: Clause | None) -> bool:
    """The event before a date took place: 'had coffee with paula on monday', 'demo on the 2nd went fine'."""
    start = clause.start if clause is not None else 0
    end = clause.end if clause is not None else len(text)
    return bool(_HELD_BEFORE_RE.search(text[start : event.start]) or _HELD_AFTER_RE.match(text[d.end : end]))


def _adjacent(text: str, a: DateSpan, b: DateSpan) -> bool:
    return re.fullmatch(r"[\s,]*(?:on\s+)?", text[a.end : b.start]) is not None


def _merged(text: str, a: DateSpan, b: DateSpan, today: date) -> DateSpan:
    """'EOD thursday', 'end of day Friday': one date, the day of the second and any time of either."""
    when = When(b.when.date, b.when.time or a.when.time)
    return DateSpan(
        a.start, b.end, text[a.start : b.end], when, _tense(when.date, today), a.quoted or b.quoted
    )


def _tense(day: date, today: date) -> Tense:
    return "past" if day < today else "future" if day > today else "today"


# ---- stages ------------------------------------------------------------------------------------------
@lru_cache(maxsize=32)
def _stage_words(configured: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """A pattern of every configured stage and alias, and the stage each names."""
    names = {normalize(s): s for s in configured}
    names |= {normalize(a): s for a, s in ALIASES.items() if s in configured and normalize(a) not in names}
    alts = sorted((re.escape(n).replace(r"\ ", r"[\s-]+") for n in names), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(alts) + r")\b", re.IGNORECASE), names


def stages(
    text: str,
    configured: list[str],
    clauses: list[Clause],
    found: list[Cue],
    *,
    loose: bool = False,
    customers: Sequence[tuple[int, int]] = (),
) -> list[StageSpan]:
    """Stage commands ("move X to proposal") and reported outcomes ("signed", "lost them to …");
    `loose` (a question): a stage named anywhere ("the qualified deals", "proposal-stage accounts").
    `customers`: where the message names a customer by its own name — right after an outcome verb it
    is the deal ("lost globex to a competitor", "won helios!")."""
    rx, names = _stage_words(tuple(configured))
    deals = dict(customers)
    out: list[StageSpan] = []
    for clause in clauses:
        if clause.quoted or clause.start >= MAX_CUE_SCAN:
            continue
        for m in rx.finditer(clause.text):
            before = clause.text[: m.start()]
            if not loose and not lexicon.STAGE_MARKER_RE.search(before):
                continue
            if not loose and _DESCRIBES_RE.search(before[-12:]):
                continue  # "questions in the proposal": a document, not the stage
            if not loose and _object_not_the_deal(text, clause, m, deals):
                continue  # "lumiere is dead busy": an intensifier, not the deal's end
            cmd = lexicon.STAGE_CMD_RE.search(before)
            command = cmd is not None
            stage = names[normalize(m.group())]
            start, end = clause.start + m.start(), clause.start + m.end()
            done = cmd is not None and cmd.group().lower().endswith("ed")  # "moved X to …": it happened
            polarity = _polarity(clause, start, found, hedged_after=not done)
            if cmd is None and _STILL_RE.search(before):
                polarity = "hedged"  # "X is still at proposal" reports no change (and may be a check)
            out.append(StageSpan(start, end, m.group(), stage, polarity, command))
        for stage, orx in lexicon.OUTCOMES:
            if stage not in configured:
                continue
            for m in orx.finditer(clause.text):
                start, end = clause.start + m.start(), clause.start + m.end()
                if any(s.start <= start < s.end or start <= s.start < end for s in out):
                    continue
                if _DESCRIBES_RE.search(clause.text[max(0, m.start() - 12) : m.start()]) and not re.match(
                    r"(?i)verbal|green", m.group()
                ):  # ("a verbal ok", "the green light" are the outcome itself)
                    continue  # "the signed quote", "chase the signed PO": a document, not an outcome
                if _object_not_the_deal(text, clause, m, deals):
                    continue  # "acme lost their CFO", "won an award", "signed the NDA": not the deal
                polarity = _polarity(clause, start, found, end=end)  # "… after all" is the outcome's own
                if polarity == "affirmed" and _NOT_YET_RE.fullmatch(m.group()):
                    polarity = "hedged"  # "next friday they sign", "a week out from signing": not yet
                winner = _winner(clause, m) if stage == "lost" else None
                out.append(StageSpan(start, end, m.group(), stage, polarity, False, winner))
    return sorted(out, key=lambda s: s.start)


def _winner(clause: Clause, m: re.Match[str]) -> Span | None:
    """Who won the deal instead, when the outcome says: 'went with GreenCo', 'chose Siemens over us',
    'lost them to Acme Corp' (a name, or 'a cheaper vendor')."""
    inside = lexicon.WINNER_IN_RE.search(m.group())
    if inside is not None:
        return Span(clause.start + m.start() + inside.start("w"), clause.start + m.start() + inside.end("w"))
    after = lexicon.WINNER_AFTER_RE.match(clause.text, m.end())
    if after is not None:
        return Span(clause.start + after.start("w"), clause.start + after.end("w"))
    return None


# Outcome verbs that take an object, and what may follow one when it is the deal that was won or lost.
_OBJECT_VERB_RE = re.compile(r"(?i)sign(?:ed|s|ing)?|inked|won|lost|lose|dead|declined|passed\s+on|churned")
_DEAL_WORDS = (
    r"contract|contracts|deal|agreement|order|po|purchase\s+order|paperwork|papers|proposal|quote|sow|msa"
    r"|renewal|offer|terms|docs|documents|dotted\s+line|business|account|pilot|trial|subscription|licen[cs]e"
    r"|bid|tender|rfp|opportunity|opp|sale|project|job|paper"
)
_AFTER_WORDS = (
    r"(?i)\s*(?:$|[.,;:!?)\u2013\u2014\U0001F300-\U0001FAFF\u2600-\u27BF-]|(?:and|but|so|then|too|again|now|today"
    r"|yesterday|yday|finally|already|just|officially|at\s+last|last\s+\w+|next\s+\w+"
    r"|this\s+(?:morning|afternoon|evening|week|month|quarter|year|time)|on\s+\w+|with|by|for|at|in|earlier"
    r"|yet|until|till|unless|either|tomorrow|tmrw|tonight|soon|later|(?:mon|tues|wednes|thurs|fri|satur|sun)day"
    r"|eod|eow|asap|\w+ly|to|out|over|in\s+the\s+end|after\s+all"
    r"|for\s+(?:good|now|real)|in\s+the\s+water"
)
_AFTER_DEAL = (
    rf"|(?:(?:the|a|an|our|their|this|that|its|his|her)\s+)?(?:[\w-]+\s+){{0,2}}(?:{_DEAL_WORDS})\b)"
)
# After the verb: those, a pronoun or a name ("we lost Juno to GreenCo").
_AFTER_OUTCOME_RE = re.compile(_AFTER_WORDS + r"|it|them|us|him|her|(?-i:[A-Z])\w*)\b" + _AFTER_DEAL)
# After the customer's own name as the verb's object ("lost globex to a competitor", "won acme back"); not
# a thing of theirs ("signed globex up for the webinar", "signed acme NDA").
_AFTER_NAME_RE = re.compile(
    _AFTER_WORDS + r"|back|as\s+(?:a\s+|an\s+)?(?:customer|client|account))\b" + _AFTER_DEAL
)


_DEAL_AFTER_RE = re.compile(rf"(?i)\s*(?:[\w-]+\s+){{0,2}}(?:{_DEAL_WORDS})\b")
_POSSESSIVE_AFTER_RE = re.compile(r"['\u2019]s?(?!\w)")


def _object_not_the_deal(text: str, clause: Clause, m: re.Match[str], deals: dict[int, int]) -> bool:
    """'acme lost their CFO', 'won an award', 'signed up for the webinar', 'dead busy': an outcome verb
    whose object (or next word) is something other than the deal — no outcome. The customer's own name
    as the object, in any case, is the deal ('lost globex to a competitor', 'won helios!'); something of
    theirs is not ('lost acme's login'), unless it is the deal ('won acme's business')."""
    if not _OBJECT_VERB_RE.fullmatch(m.group().strip()):
        return False
    after = clause.start + m.end()
    at = after + len(text[after:]) - len(text[after:].lstrip(" \t"))
    if at > after and at in deals:
        end = deals[at]
        own = _POSSESSIVE_AFTER_RE.match(text, end)
        if own is None and not text[at:end].endswith(("'s", "\u2019s")):
            return (
                _AFTER_NAME_RE.match(text, end) is None
            )  # "lost globex to a competitor", "we won juno today"
        return _DEAL_AFTER_RE.match(text, own.end() if own else end) is None  # "won acme's business"
    return _AFTER_OUTCOME_RE.match(clause.text, m.end()) is None


# An outcome in the present or as a gerund is one still to come: only a stated one ("signed", "lost
# them") moves a stage.
_NOT_YET_RE = re.compile(r"(?i)sign(?:s|ing)?|lose")
_STILL_RE = re.compile(
    r"(?i)\b(?:still|remains?|stays?|staying)\s+(?:(?:at|in|on|a|an)\s+)?(?:the\s+)?(?:stage\s+)?$"
)
_DESCRIBES_RE = re.compile(r"(?i)\b(?:the|a|an|their|our|his|her|its|my|your)\s+$")


def _polarity(
    clause: Clause, at: int, found: list[Cue], hedged_after: bool = True, end: int | None = None
) -> Polarity:
    """Negated or hoped-for when such words come before the outcome in its clause (hedges also just
    after, unless `hedged_after` is off: "moved Hooli to proposal after the call" already happened)."""
    before = [c for c in found if clause.start <= c.start < at]
    if any(c.kind == "negation" for c in before):
        return "negated"
    if any(c.kind == "hedge" for c in before) or any(
        hedged_after and c.kind == "hedge" and (end or at) < c.start <= (end or at) + 24
        for c in found
        if c.start < clause.end
    ):
        return "hedged"
    return "affirmed"


# ---- values and shifts -------------------------------------------------------------------------------
def values(text: str) -> list[ValueSpan]:
    head = text[:MAX_CUE_SCAN]
    out = [ValueSpan(m.start(), m.end(), "email", m.group()) for m in lexicon.EMAIL_RE.finditer(head)]
    masked = lexicon.EMAIL_RE.sub(lambda m: " " * len(m.group()), head)
    out += [
        ValueSpan(m.start(), m.end(), "phone", m.group().strip()) for m in lexicon.PHONE_RE.finditer(masked)
    ]
    out += [ValueSpan(m.start(), m.end(), "amount", m.group()) for m in lexicon.AMOUNT_RE.finditer(masked)]
    return sorted(out, key=lambda v: v.start)


def shifts(text: str) -> list[ShiftSpan]:
    """'another week' -> +7, 'back two days' -> +2 (pushing back is later), 'forward a day' -> -1."""
    out: list[ShiftSpan] = []
    for m in lexicon.SHIFT_RE.finditer(text[:MAX_CUE_SCAN]):
        n_said = (m.group("n") or m.group("n2") or m.group("n3") or "1").lower()
        n = int(n_said) if n_said.isdigit() else lexicon.NUMBER_WORDS.get(n_said, 1)
        unit = (m.group("unit") or m.group("unit2") or m.group("unit3")).lower()
        per = 7 if unit.startswith("w") else 30 if unit.startswith("m") else 1
        sign = -1 if re.match(r"(?i)forward|ahead|earlier", m.group()) else 1
        out.append(ShiftSpan(m.start(), m.end(), sign * n * per))
    for m in lexicon.MOVE_BY_RE.finditer(text[:MAX_CUE_SCAN]):
        if any(s.start < m.end() and m.start("n") < s.end for s in out):
            continue  # "push it back two days" is read above
        n_said = " ".join(m.group("n").lower().split())
        n = int(n_said) if n_said.isdigit() else lexicon.NUMBER_WORDS.get(n_said, 1)
        unit = m.group("unit").lower()
        per = 7 if unit.startswith("w") else 30 if unit.startswith("m") else 1
        out.append(ShiftSpan(m.start("n"), m.end(), n * per))
    return sorted(out, key=lambda s: s.start)


_TO_STAGE_RE = re.compile(
    r"(?i)\b(?:to|as|into)\s+(?:the\s+)?(?:stage\s+)?(?P<said>[^\W\d_][\w-]*(?:\s+[\w-]+)?)\s*[.!]*$"
)


def unknown_stage(
    clauses: list[Clause],
    found: list[Cue],
    known: list[StageSpan],
    days: list[DateSpan],
    followup_words: bool,
) -> list[StageSpan]:
    """'move Globex to purgatory': a stage command naming no configured stage (the tool then lists them)."""
    if known or days or followup_words:
        return []
    for c in clauses:
        lead = lexicon.CLAUSE_LEAD_RE.match(c.text)
        if c.quoted or not lexicon.STAGE_CMD_RE.match(c.text, lead.end() if lead else 0):
            continue
        if any(rx.search(c.text) for _field, rx in lexicon.FIELD_WORDS):
            continue  # "set fjord's owner to bob" sets a field, not a stage
        if (m := _TO_STAGE_RE.search(c.text)) is not None:
            start = c.start + m.start("said")
            return [
                StageSpan(
                    start, start + len(m.group("said")), m.group("said"), m.group("said"), "affirmed", True
                )
            ]
    return []
