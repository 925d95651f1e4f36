"""Understanding dates in English, offline: our own rules (`tools._date_rules`) first, `dateparser`
only as a fallback for whole strings our rules cannot read.

Everything is resolved from the caller's `now`, in its own zone (the user's local calendar), never
from the machine's clock or zone. Where English is ambiguous:

- "next Thursday" is the Thursday of next week (weeks run Monday–Sunday, as "this week" does): said
  on a Wednesday it is eight days ahead, not tomorrow; "this coming Thursday" / "coming Thursday" is
  the first one strictly after today. A bare weekday is the next one strictly after today
  (prefer="future") or the last one strictly before (prefer="past"); "last Thursday" is the last one
  strictly before today.
- Numeric "a/b" dates are US month/day unless the first number is over 12 ("24/11" is 24 Nov);
  "24.11.2026" is day.month.year. In a sentence "a/b" counts only with a year, a preposition or a
  weekday ("3/9/2026", "by 3/9", "Fri 3/13") so that "1/2 of the team" stays a fraction.
- A clock hour of 1..6 without am/pm ("tomorrow at 3") is afternoon. Part-of-day words ("this
  morning", "tonight") set the date, not a time.
- Inside a sentence, bare numbers and years, "Q1", lowercase "may", and lowercase "sun"/"sat"/
  "wed"/"mon" without a preposition are never dates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from tools._date_rules import (
    DAY_NAMES,
    MONTH_NAMES,
    RULES,
    Ctx,
    Day,
    InvalidDate,
    patterns,
    status_out,
    time_of,
)

__all__ = [
    "DateMatch",
    "InvalidDate",
    "When",
    "find_dates",
    "format_day",
    "format_when",
    "parse_when",
    "week_bounds",
]

Prefer = Literal["future", "past"]


@dataclass(frozen=True)
class When:
    """A local calendar date in the user's zone, with a local time of day when the words gave one."""

    date: dt.date
    time: dt.time | None

    def at(self, tz: ZoneInfo, default_time: dt.time = dt.time(12, 0)) -> dt.datetime:
        """This moment as an aware datetime in `tz`, at `default_time` when no time was given."""
        return dt.datetime.combine(self.date, self.time or default_time, tzinfo=tz)


@dataclass(frozen=True)
class DateMatch:
    """A date expression found in a sentence; `text == sentence[start:end]`."""

    start: int
    end: int
    text: str
    when: When


# E-mail addresses, URLs and domains ("monday.com") hold no dates; they are blanked with a non-space so
# that no span bridges them.
_MASK_RE = re.compile(r"\S+@\S+|\b(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b(?:/\S*)?")
_FILLER_RE = re.compile(r"[\s,.;:!?\x00]*")
_GAP_RE = re.compile(r"[\s,]*")
_NOW_RE = re.compile(r"(?:right\s+)?now", re.IGNORECASE)
# dateparser reads almost anything as a date ("2027", "march on"): it only sees text with a real date word.
# May/March/Mon/Wed/Sat/Sun are left out on purpose: every real use of them is covered by our own rules.
_CUE_RE = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|apr(?:il)?|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|tues?|thu(?:rs?)?|fri|today|tomorrow|yesterday|tonight|ago|days?|weeks?"
    r"|months?|years?|fortnight|noon|morning|afternoon|evening|weekend)\b|\d:\d\d|\d\s*[ap]\.?m\b",
    re.IGNORECASE,
)
_TIME_CUE_RE = re.compile(r"\d:\d\d|\d\s*[ap]\.?m\b|\bnoon\b|\b(?:at|@)\s*\d", re.IGNORECASE)
_NOT_DATE_RE = re.compile(r"\bq[1-4]\b|\bv(?:ersion)?\s*\d", re.IGNORECASE)


# ---- scanning -------------------------------------------------------------------------------------------
def _scan(text: str, now: datetime, prefer: Prefer, loose: bool) -> list[DateMatch]:
    if prefer not in ("future", "past"):
        raise ValueError(f"prefer must be 'future' or 'past', not {prefer!r}")
    today = now.date()
    c = Ctx(now, today, today - timedelta(days=today.weekday()), prefer == "future", loose)
    day_re, time_re = patterns()
    masked = _MASK_RE.sub(lambda x: "\x00" * len(x.group()), text)
    days: list[tuple[int, int, Day]] = []
    pos = 0
    while (m := day_re.search(masked, pos)) is not None:
        day = next(rule(m.group, c) for name, rule in RULES.items() if m.group(name))
        if day is None or status_out(m):
            pos = m.start() + 1  # not a date here; a shorter reading may start inside it
            continue
        days.append((m.start(), m.end(), day))
        pos = m.end()
    for s, e, _ in days:
        masked = masked[:s] + "\x00" * (e - s) + masked[e:]
    times = [x for x in time_re.finditer(masked) if not (x.group("h3") and not x.group("tprep"))]
    found: list[DateMatch] = []
    for s, e, (d, clock, pod) in days:
        if clock is None:  # "tomorrow at 3pm", "3pm tomorrow"
            after = (x for x in times if x.start() >= e and _GAP_RE.fullmatch(masked, e, x.start()))
            before = (x for x in times if x.end() <= s and _GAP_RE.fullmatch(masked, x.end(), s))
            if (near := next(after, None) or next(before, None)) is not None:
                times.remove(near)
                clock = time_of(near, pod)
                s, e = min(s, near.start()), max(e, near.end())
        found.append(DateMatch(s, e, text[s:e], When(d, clock)))
    for x in times:  # a time on its own: the next such time (future) or the last one (past)
        if not (
            x.group("noon")
            or x.group("ap")
            or ((x.group("tprep") or loose) and x.group("h2"))
            or (loose and x.group("h3"))
        ):
            continue  # "the 10:30 train", "at 3 people"
        clock = time_of(x, None)
        local_now = now.time()
        shift = 1 if c.fut and clock < local_now else -1 if not c.fut and clock > local_now else 0
        when = When(today + timedelta(days=shift), clock)
        found.append(DateMatch(x.start(), x.end(), text[x.start() : x.end()], when))
    return sorted(found, key=lambda f: f.start)


def find_dates(text: str, now: datetime, *, prefer: Prefer = "future") -> list[DateMatch]:
    """Find date expressions inside a free-text sentence, left to right, non-overlapping.

    A span includes a leading preposition that belongs to the date ("by Friday", "in 10 days",
    "on April 31") so callers can cut the date words out of a note. Raises InvalidDate when the
    sentence names a date that cannot exist ("on April 31", "2026-02-30").
    """
    return _scan(text, now, prefer, loose=False)


def parse_when(text: str, now: datetime, *, prefer: Prefer = "future") -> When:
    """Parse a whole string that should be a date: ISO ("2026-11-24", "2026-11-24T15:00",
    "2026-11-24 15:00"), or natural language ("next Tuesday", "in 2 weeks", "end of month").

    `now` is timezone-aware; everything resolves in its own zone. Raises InvalidDate when the
    text is not a date or names one that cannot exist.
    """
    s = text.strip()
    found = _scan(s, now, prefer, loose=True)
    if len(found) == 1 and _FILLER_RE.fullmatch(s[: found[0].start] + s[found[0].end :]):
        return found[0].when
    if _NOW_RE.fullmatch(s):
        return When(now.date(), now.time().replace(second=0, microsecond=0))
    fallback = _dateparser_fallback(s, now.replace(tzinfo=None, second=0, microsecond=0), prefer)
    if fallback is None:
        raise InvalidDate(text, f"I couldn't understand {s!r} as a date" if s else "No date was given")
    return fallback


@lru_cache(maxsize=512)
def _dateparser_fallback(text: str, base: datetime, prefer: Prefer) -> When | None:
    if not _CUE_RE.search(text) or _NOT_DATE_RE.search(text):
        return None
    # Slow to import, so only when our own rules could not read the text.
    import dateparser

    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": prefer,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "DATE_ORDER": "MDY",
    }
    result = dateparser.parse(text, languages=["en"], settings=settings)
    if result is None or not 1900 <= result.year <= 2199:
        return None
    return When(result.date(), result.time().replace(microsecond=0) if _TIME_CUE_RE.search(text) else None)


# ---- weeks and display ----------------------------------------------------------------------------------
def week_bounds(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def format_day(d: date, today: date | None = None) -> str:
    """A day as people write it, "Tue 24 Nov"; with the year when it is not `today`'s year."""
    out = f"{DAY_NAMES[d.weekday()][:3]} {d.day} {MONTH_NAMES[d.month - 1][:3]}"
    return out + f" {d.year}" if today is not None and d.year != today.year else out


def format_when(w: When, today: date | None = None) -> str:
    """A When as "Tue 24 Nov" or "Tue 24 Nov 15:00"."""
    return format_day(w.date, today) + (f" {w.time.hour:02d}:{w.time.minute:02d}" if w.time else "")
