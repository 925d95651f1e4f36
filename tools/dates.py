"""Understanding dates in English, offline: our own rules first, `dateparser` only as a fallback.

Everything is resolved from the caller's `now` in its own zone (the user's local calendar), never
from the machine's clock or zone. Decisions where English is ambiguous:

- "next Monday" is the first Monday strictly after today (how reps speak); a bare weekday is the
  next one strictly after today (prefer="future") or the last one strictly before (prefer="past").
- Numeric "a/b" dates are US month/day unless the first number is over 12 ("24/11" is 24 Nov).
  Inside a sentence they count only with a year ("3/9/2026") or a preposition ("by 3/9").
- A clock hour of 1..6 without am/pm ("tomorrow at 3") is afternoon; part-of-day words
  ("this morning", "tonight") set the date but not a time.
- Bare numbers, bare years, "Q1", lowercase "may", and lowercase "sun"/"sat"/"wed"/"mon" without a
  preposition are never dates inside a sentence.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = ["DateMatch", "InvalidDate", "When", "find_dates", "format_day", "format_when", "parse_when", "week_bounds"]

Prefer = Literal["future", "past"]


class InvalidDate(ValueError):
    """A date the user gave that cannot be understood or cannot exist."""

    def __init__(self, text: str, reason: str) -> None:
        """`text` is what the user wrote; `reason` is the complete one-line message shown to them."""
        super().__init__(reason)
        self.text = text
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class When:
    """A local calendar date in the user's zone, with a local time of day when the words gave one."""

    date: date
    time: time | None

    def at(self, tz: ZoneInfo, default_time: time = time(12, 0)) -> datetime:
        """This moment as an aware datetime in `tz`, at `default_time` when no time was given."""
        return datetime.combine(self.date, self.time or default_time, tzinfo=tz)


@dataclass(frozen=True)
class DateMatch:
    """A date expression found in a sentence; `text == sentence[start:end]`."""

    start: int
    end: int
    text: str
    when: When


# ---- vocabulary --------------------------------------------------------------------------------
_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"]
_DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = {**{n.lower(): i + 1 for i, n in enumerate(_MONTH_NAMES)},
           **{n[:3].lower(): i + 1 for i, n in enumerate(_MONTH_NAMES)}, "sept": 9}
_WEEKDAYS = {**{n.lower(): i for i, n in enumerate(_DAY_NAMES)}, **{n[:3].lower(): i for i, n in enumerate(_DAY_NAMES)},
             "tues": 1, "weds": 2, "thur": 3, "thurs": 3}
# Ordinary English words too ("we sat down", "the sun"): a weekday only when capitalised or qualified.
_WORDLIKE_WEEKDAYS = {"mon", "wed", "sat", "sun"}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple": 2, "few": 3}
_NEXT, _LAST = {"next", "coming", "following", "the following"}, {"last", "past", "previous"}


def _alt(words: object) -> str:
    return "|".join(sorted(words, key=len, reverse=True))  # type: ignore[call-overload]


_DAY_PATTERN = r"""
(?P<prep>\b(?:(?:due|starting)(?:\s+(?:on|by|before|from))?|on|by|before|until|till|til|for|from|at
   |no\s+later\s+than)\s+)?
\b(?:
 (?P<iso>(?<![\w/.-])(?P<iy>(?:19|20)\d\d)(?P<isep>[-/])(?P<im>\d\d?)(?P=isep)(?P<id>\d\d?)
   (?:[T\s](?P<ih>\d\d?):(?P<imi>\d\d)(?::(?P<isec>\d\d)(?:\.\d+)?)?(?P<itz>Z|[+-]\d\d:?\d\d)?(?!\s*[ap]\.?m\b))?
   (?![\w/-]|[.,]\d))
|(?P<eo>(?:the\s+)?(?:(?P<eok>end|beginning|start|middle|close)\s+of\s+(?:the\s+)?|mid(?:\s*-\s*|\s+))
   (?:(?P<eoq>this|next|last|current|coming|following)\s+)?(?P<eou>week|month|quarter|year|day|business|MON)\b
   |(?P<eab>eow|eom|eoq|eoy|eod|cob)\b)
|(?P<off>(?:(?P<oin>in|within|after)\s+)?(?P<on>\d{1,3}|NUM)\s+
   (?P<ou>(?:business\s+|working\s+)?days?|weeks?|fortnights?|months?|years?|hours?|hrs?|minutes?|mins?)\b
   (?:['’]s?)?(?:\s+time\b)?(?:\s+(?P<odir>from\s+(?:now|today|tomorrow|(?P<ofwd>WD))|ago|back|hence)\b)?)
|(?P<md>(?:(?P<mdw>WD),?\s+)?(?P<mdm>MON)\.?\s+(?:the\s+)?(?P<mdd>\d\d?)(?:st|nd|rd|th)?\b(?![:.,]\d)
   (?:,?\s+(?P<mdy>(?:19|20)\d\d)\b)?)
|(?P<dm>(?:(?P<dmw>WD),?\s+)?(?:the\s+)?(?<![\d.,:/$-])(?P<dmd>\d\d?)(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<dmm>MON)\b
   (?:,?\s+(?P<dmy>(?:19|20)\d\d)\b)?)
|(?P<sl>(?<![\w/.-])(?P<sa>\d\d?)/(?P<sb>\d\d?)(?:/(?P<sy>\d{4}|\d\d))?(?![\w/]|[.,]\d))
|(?P<dot>(?<![\w.])(?P<da>\d\d?)\.(?P<db>\d\d?)\.(?P<dy>(?:19|20)\d\d)(?![\w.]))
|(?P<rw>(?:(?P<rwq>next|this|last|previous|past|coming|(?:the\s+)?following)\s+
   (?P<rwu>weekend|month|quarter|year|week(?:\s+(?:on\s+)?(?P<rwd>WD)\b)?)|(?P<rwan>(?:the\s+)?week\s+after\s+next))\b)
|(?P<wk>(?:(?P<wq>next|this|last|coming|past|previous)\s+)?(?P<wd>WD)\b
   (?:,?\s+the\s+(?P<wod>\d\d?)(?:st|nd|rd|th)\b)?(?:\s+(?P<wsq>next|this|last)\s+week\b)?
   (?:\s+(?P<wpod>morning|afternoon|evening|night)\b)?)
|(?P<rel>(?P<rw0>(?:the\s+)?day\s+after\s+tomorrow|(?:the\s+)?day\s+before\s+yesterday|today|tonight|tomorrow|tmrw
   |tmr|tomorow|tommorow|yesterday|(?:earlier|later)\s+today|this\s+(?:morning|afternoon|evening)|last\s+night)\b
   (?:\s+(?P<rpod>morning|afternoon|evening|night)\b)?)
|(?P<mo>(?:(?P<moq>in|during|early|late)(?:\s*-\s*|\s+))?(?P<mom>MON)\b(?!\.?\s+(?:the\s+)?\d\d?(?:st|nd|rd|th)?\b)
   (?:,?\s+(?P<moy>(?:19|20)\d\d)\b)?)
|(?P<od>(?:the\s+)?(?P<odd>\d\d?)(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?(?:floor|time|round|call|meeting|quarter|half
   |place|attempt|try|line|page|item|version|option|person|visit|demo|draft|one|week|month|year|day)))
)"""
_TIME_PATTERN = r"""
(?P<tprep>\b(?:at|by|before|until|till|around|about|from)\s+|@\s*)?
(?:\b(?P<noon>noon|midday)\b
 |(?<![\w$€£.,:/-])(?P<h>\d\d?)(?::(?P<m>\d\d))?\s*(?P<ap>[ap]\.m\.|[ap]m)(?!\w)
 |(?<![\w$€£.,:/-])(?P<h2>\d\d?):(?P<m2>\d\d)(?![\w:]|[.,]\d)
 |(?<![\w$€£.,:/-])(?P<h3>\d\d?)(?![\w:/%]|[.,]\d))"""


@lru_cache(maxsize=None)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The day and time patterns, compiled on first use: compiling costs ~15 ms of CLI start-up."""
    day = (_DAY_PATTERN.replace("MON", rf"(?:{_alt(_MONTHS)})").replace("WD", rf"(?:{_alt(_WEEKDAYS)})")
           .replace("NUM", r"an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
                           r"|(?:a\s+)?couple(?:\s+of)?|(?:a\s+)?few"))
    return re.compile(day, re.I | re.X), re.compile(_TIME_PATTERN, re.I | re.X)


# E-mail addresses, URLs and domains ("monday.com") hold no dates; blanked with a non-space so spans don't bridge them.
_MASK_RE = re.compile(r"\S+@\S+|\b(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b(?:/\S*)?")
_FILLER_RE = re.compile(r"[\s,.;:!?\x00]*")
_GAP_RE = re.compile(r"[\s,]*")
_NOW_RE = re.compile(r"(?:right\s+)?now", re.I)
# dateparser reads almost anything as a date; only let it see text that has a real date word in it.
# May/March/Mon/Wed/Sat/Sun are left out on purpose: every real use of them is covered by our rules.
_CUE_RE = re.compile(r"\b(?:jan(?:uary)?|feb(?:ruary)?|apr(?:il)?|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
                     r"|nov(?:ember)?|dec(?:ember)?|monday|tuesday|wednesday|thursday|friday|saturday|sunday|tues?"
                     r"|thu(?:rs?)?|fri|today|tomorrow|yesterday|tonight|ago|days?|weeks?|months?|years?|fortnight"
                     r"|noon|morning|afternoon|evening|weekend)\b|\d:\d\d|\d\s*[ap]\.?m\b", re.I)
_TIME_CUE_RE = re.compile(r"\d:\d\d|\d\s*[ap]\.?m\b|\bnoon\b|\b(?:at|@)\s*\d", re.I)
_NOT_DATE_RE = re.compile(r"\bq[1-4]\b|\bv(?:ersion)?\s*\d", re.I)

_Day = tuple[date, time | None, str | None]  # date, clock time if the day words fixed one, part of day


# ---- calendar arithmetic -----------------------------------------------------------------------
def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def _invalid(label: str, why: str) -> InvalidDate:
    return InvalidDate(label, f"{label} is not a date ({why})")


def _make_date(y: int, m: int, d: int, label: str) -> date:
    if not 1 <= m <= 12:
        raise _invalid(label, f"there is no month {m}")
    days = calendar.monthrange(y, m)[1]
    if d < 1:
        raise _invalid(label, "there is no day 0")
    if d > days:
        if m == 2 and d == 29:
            raise _invalid(label, f"{y} is not a leap year")
        raise _invalid(label, f"February {y} has {days} days" if m == 2 else f"{_MONTH_NAMES[m - 1]} has {days} days")
    return date(y, m, d)


def _month_day(m: int, d: int, year: int | None, wd: int | None, today: date, fut: bool, label: str) -> date:
    """A month-day, in the nearest year in the preferred direction (and matching `wd` if given)."""
    if year is not None:
        found = _make_date(year, m, d, label)
        candidates = [found]
    else:
        most = 29 if m == 2 else calendar.monthrange(2001, m)[1]
        if d > most:
            raise _invalid(label, f"{_MONTH_NAMES[m - 1]} has {'at most ' if m == 2 else ''}{most} days")
        years = [today.year + (k if fut else -k) for k in range(9)]
        candidates = [c for y in years if d <= calendar.monthrange(y, m)[1]
                      for c in [date(y, m, d)] if (c >= today if fut else c <= today)]
        if wd is not None:  # the weekday may pick this year's date on the other side ("Tue 3 Mar" as displayed)
            this_year = [date(today.year, m, d)] if d <= calendar.monthrange(today.year, m)[1] else []
            candidates = candidates[:2] + [c for c in this_year if c not in candidates]
    for c in candidates:
        if wd is None or c.weekday() == wd:
            return c
    c = candidates[0]
    raise InvalidDate(label, f"{_MONTH_NAMES[m - 1]} {d}, {c.year} is a {_DAY_NAMES[c.weekday()]}, "
                             f"not a {_DAY_NAMES[wd or 0]}")


def _day_of_month(d: int, wd: int | None, today: date, fut: bool, label: str) -> date:
    """The nearest date with day-of-month `d` (and weekday `wd`) in the preferred direction."""
    first = today.replace(day=1)
    for k in range(36):
        month = _add_months(first, k if fut else -k)
        if d <= calendar.monthrange(month.year, month.month)[1]:
            c = month.replace(day=d)
            if (c >= today if fut else c <= today) and (wd is None or c.weekday() == wd):
                return c
    raise InvalidDate(label, f"I couldn't find a {_DAY_NAMES[wd or 0]} the {d}th near today")


def _weekday(wd: int, today: date, forward: bool) -> date:
    """The first such weekday strictly after today, or the last one strictly before."""
    if forward:
        return today + timedelta(days=(wd - today.weekday()) % 7 or 7)
    return today - timedelta(days=(today.weekday() - wd) % 7 or 7)


def _clock(h: int, m: int, ap: str | None, pod: str | None, single_digit: bool, label: str) -> time:
    if ap:
        if not 1 <= h <= 12 or m > 59:
            raise InvalidDate(label, f"{label} is not a time of day")
        return time(h % 12 + (12 if ap.lower().startswith("p") else 0), m)
    if h > 23 or m > 59:
        raise InvalidDate(label, f"{label} is not a time of day")
    if pod in ("afternoon", "evening", "night") and h < 12:
        h += 12
    elif pod is None and single_digit and 1 <= h <= 6:  # "call at 3" means 15:00 in business hours
        h += 12
    return time(h, m)


def _time_of(m: re.Match[str], pod: str | None) -> time:
    if m.group("noon"):
        return time(12, 0)
    label = m.group(0)[len(m.group("tprep") or ""):].strip()
    h = m.group("h") or m.group("h2") or m.group("h3") or "0"
    return _clock(int(h), int(m.group("m") or m.group("m2") or 0), m.group("ap"), pod, len(h) == 1, label)


# ---- resolving one day expression --------------------------------------------------------------
def _resolve_day(m: re.Match[str], now: datetime, fut: bool, loose: bool) -> _Day | None:
    """The day a match means, None when in context it is not a date, or InvalidDate when impossible."""
    g = m.group
    today = now.date()
    monday = today - timedelta(days=today.weekday())
    qualified = bool(g("prep")) or loose
    pod: str | None = None
    if g("iso"):
        label = f"{g('iy')}-{g('im')}-{g('id')}"
        day = _make_date(int(g("iy")), int(g("im")), int(g("id")), label)
        if not g("ih"):
            return day, None, None
        t = _clock(int(g("ih")), int(g("imi")), None, "", False, label + " " + g("ih") + ":" + g("imi"))
        t = t.replace(second=int(g("isec") or 0))
        if tz := g("itz"):
            off = timezone.utc if tz.upper() == "Z" else timezone(
                (1 if tz[0] == "+" else -1) * timedelta(hours=int(tz[1:3]), minutes=int(tz[-2:])))
            local = datetime.combine(day, t, tzinfo=off).astimezone(now.tzinfo) if now.tzinfo else None
            day, t = (local.date(), local.time()) if local else (day, t)
        return day, t, None
    if g("eo"):
        return _resolve_period_edge(m, today, monday, fut)
    if g("off"):
        return _resolve_offset(m, now)
    if g("md") or g("dm"):
        p = "md" if g("md") else "dm"
        d, mon_word, wd_word = int(g(p + "d")), g(p + "m"), g(p + "w")
        if not 1 <= d <= 31 or (mon_word == "may" and not loose):
            return None
        mo = _MONTHS[mon_word.lower()]
        year = int(g(p + "y")) if g(p + "y") else None
        label = f"{_MONTH_NAMES[mo - 1]} {d}" + (f", {year}" if year else "")
        wd = _WEEKDAYS[wd_word.lower()] if wd_word else None
        return _month_day(mo, d, year, wd, today, fut, label), None, None
    if g("sl") or g("dot"):
        a, b = (int(g("sa")), int(g("sb"))) if g("sl") else (int(g("db")), int(g("da")))  # dotted is day.month
        ytext = g("sy") or g("dy")
        if not (1 <= a <= 31 and 1 <= b <= 31) or not (qualified or ytext):
            return None
        mo, d = (b, a) if a > 12 else (a, b)
        label = g("sl") or g("dot")
        if ytext:
            return _make_date(int(ytext) + (2000 if len(ytext) == 2 else 0), mo, d, label), None, None
        return _month_day(mo, d, None, None, today, fut, label), None, None
    if g("rw"):
        return _resolve_relative_period(m, today, monday, fut)
    if g("wk"):
        word, q, wd = g("wd"), (g("wq") or "").lower(), _WEEKDAYS[g("wd").lower()]
        if word.lower() in _WORDLIKE_WEEKDAYS and word[0].islower() and not (qualified or q or g("wsq")):
            return None
        pod = (g("wpod") or "").lower() or None
        if g("wod"):
            return _day_of_month(int(g("wod")), wd, today, fut, g("wk")), None, pod
        if g("wsq"):
            return monday + timedelta(days=7 * {"next": 1, "this": 0, "last": -1}[g("wsq").lower()] + wd), None, pod
        if q == "this":
            c = monday + timedelta(days=wd)
            c += timedelta(days=7 if fut and c < today else -7 if not fut and c > today else 0)
            return c, None, pod
        return _weekday(wd, today, q in _NEXT or (fut and q not in _LAST)), None, pod
    if g("rel"):
        word = " ".join(g("rw0").lower().split()).removeprefix("the ")
        shift = {"day after tomorrow": 2, "day before yesterday": -2, "yesterday": -1, "last night": -1}.get(
            word, 1 if word.startswith("tom") or word.startswith("tm") else 0)
        pod = (g("rpod") or "").lower() or {"tonight": "night", "last night": "night"}.get(word) or (
            word.split()[1] if word.startswith("this ") else None)
        return today + timedelta(days=shift), None, pod
    if g("mo"):
        word, q = g("mom"), (g("moq") or "").lower()
        if (word.lower() == "may" and word[0].islower() and not loose) or not (q or g("moy") or qualified):
            return None
        mo, dd = _MONTHS[word.lower()], 25 if q == "late" else 1
        if g("moy"):
            return date(int(g("moy")), mo, dd), None, None
        c = date(today.year, mo, dd)
        if fut and mo == today.month:
            c = max(c, today)  # "in March" said in March is this month, not next year
        elif fut and c < today:
            c = c.replace(year=c.year + 1)
        elif not fut and c > today:
            c = c.replace(year=c.year - 1)
        return c, None, None
    if g("od"):
        d = int(g("odd"))
        if not qualified or not 1 <= d <= 31:
            return None
        return _day_of_month(d, None, today, fut, g("od")), None, None
    return None


def _resolve_offset(m: re.Match[str], now: datetime) -> _Day | None:
    g = m.group
    if not (g("oin") or g("odir")):
        return None  # "took 10 days" is a duration, not a date
    words = g("on").lower().split()
    n = int(words[0]) if words[0].isdigit() else _NUMBERS["couple" if "couple" in words else "few" if "few" in words
                                                          else words[0]]
    direction = " ".join((g("odir") or "").lower().split())
    sign = -1 if direction in ("ago", "back") else 1
    unit = g("ou").lower()
    if unit.startswith(("hour", "hr", "min")):
        moment = now + sign * timedelta(**{"hours" if unit.startswith("h") else "minutes": n})
        return moment.date(), moment.time().replace(second=0, microsecond=0), None
    base = now.date() + timedelta(days=1 if direction == "from tomorrow" else 0)
    if g("ofwd"):  # "2 weeks from Friday": counted from the coming Friday
        base = _weekday(_WEEKDAYS[g("ofwd").lower()], now.date(), True)
    if unit.startswith(("business", "working")):
        day, left = base, n
        while left:
            day += timedelta(days=sign)
            left -= day.weekday() < 5
        return day, None, None
    if unit.startswith("month") or unit.startswith("year"):
        return _add_months(base, sign * n * (12 if unit.startswith("y") else 1)), None, None
    per = 14 if unit.startswith("fortnight") else 7 if unit.startswith("week") else 1
    return base + timedelta(days=sign * n * per), None, None


def _period_start(unit: str, today: date, monday: date, k: int) -> date:
    if unit == "week":
        return monday + timedelta(days=7 * k)
    if unit == "month":
        return _add_months(today.replace(day=1), k)
    if unit == "quarter":
        return _add_months(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), 3 * k)
    return date(today.year + k, 1, 1)


def _resolve_relative_period(m: re.Match[str], today: date, monday: date, fut: bool) -> _Day:
    g = m.group
    if g("rwan"):
        return monday + timedelta(days=14), None, None
    q = " ".join(g("rwq").lower().split())
    k = 1 if q in _NEXT else -1 if q in _LAST else 0
    unit = g("rwu").lower().split()[0]
    if unit == "weekend":
        sat = monday + timedelta(days=5 + 7 * k)
        if k == 0 and fut and today > sat:
            return today, None, None  # "this weekend" said on Sunday
        return (sat - timedelta(days=7) if k == 0 and not fut and sat > today else sat), None, None
    start = _period_start(unit, today, monday, k)
    if g("rwd"):
        return start + timedelta(days=_WEEKDAYS[g("rwd").lower()]), None, None
    # "this week/month" as a due date means from now on; as a past moment, its beginning
    return (today if k == 0 and fut else start), None, None


def _resolve_period_edge(m: re.Match[str], today: date, monday: date, fut: bool) -> _Day | None:
    g = m.group
    if g("eab"):
        kind, unit, q = "end", {"eow": "week", "eom": "month", "eoq": "quarter", "eoy": "year"}.get(
            g("eab").lower(), "day"), None
    else:
        kind = {"close": "end", "beginning": "start", "middle": "mid"}.get((g("eok") or "mid").lower(),
                                                                          (g("eok") or "mid").lower())
        unit, q = g("eou").lower(), (g("eoq") or "").lower() or None
    if unit in ("day", "business"):
        return today, None, None
    if kind == "mid" and unit in ("quarter", "year"):
        return None

    def edge(k: int) -> date:
        if unit in _MONTHS:
            first = date(today.year + k, _MONTHS[unit], 1)
        else:
            first = _period_start(unit, today, monday, k)
        if unit == "week":
            return first + timedelta(days={"start": 0, "mid": 2, "end": 4}[kind])  # a rep's week ends on Friday
        if kind == "start":
            return first
        if kind == "mid":
            return first.replace(day=15)
        months = {"quarter": 3, "year": 12}.get(unit, 1)
        return _add_months(first, months) - timedelta(days=1)

    if q:
        return edge(1 if q in _NEXT else -1 if q in _LAST else 0), None, None
    c = edge(0)
    if fut and c < today:
        c = edge(1)
    elif not fut and c > today:
        c = edge(-1)
    return c, None, None


# ---- scanning ----------------------------------------------------------------------------------
def _scan(text: str, now: datetime, prefer: Prefer, loose: bool) -> list[DateMatch]:
    if prefer not in ("future", "past"):
        raise ValueError(f"prefer must be 'future' or 'past', not {prefer!r}")
    fut = prefer == "future"
    day_re, time_re = _patterns()
    masked = _MASK_RE.sub(lambda x: "\x00" * len(x.group()), text)
    days: list[tuple[int, int, _Day]] = []
    pos = 0
    while (m := day_re.search(masked, pos)) is not None:
        day = _resolve_day(m, now, fut, loose)
        if day is None:
            pos = m.start() + 1
            continue
        days.append((m.start(), m.end(), day))
        pos = m.end()
    for s, e, _ in days:
        masked = masked[:s] + "\x00" * (e - s) + masked[e:]
    times = [t for t in time_re.finditer(masked) if not (t.group("h3") and not t.group("tprep"))]
    found: list[DateMatch] = []
    for s, e, (d, t, pod) in days:
        if t is None:
            after = next((x for x in times if x.start() >= e and _GAP_RE.fullmatch(masked, e, x.start())), None)
            before = next((x for x in times if x.end() <= s and _GAP_RE.fullmatch(masked, x.end(), s)), None)
            if (clock := after or before) is not None:
                times.remove(clock)
                t = _time_of(clock, pod)
                s, e = min(s, clock.start()), max(e, clock.end())
        found.append(DateMatch(s, e, text[s:e], When(d, t)))
    for x in times:  # a time on its own: the next such time (future) or the last one (past)
        strong = x.group("noon") or x.group("ap") or (x.group("h2") and (x.group("tprep") or loose))
        if not (strong or (loose and x.group("h3"))):
            continue
        t = _time_of(x, None)
        today = now.date()
        local_now = now.time().replace(tzinfo=None)
        shift = 1 if fut and t < local_now else -1 if not fut and t > local_now else 0
        found.append(DateMatch(x.start(), x.end(), text[x.start():x.end()], When(today + timedelta(days=shift), t)))
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
    if len(found) == 1 and _FILLER_RE.fullmatch(s[:found[0].start] + s[found[0].end:]):
        return found[0].when
    if _NOW_RE.fullmatch(s):
        return When(now.date(), now.time().replace(second=0, microsecond=0, tzinfo=None))
    fallback = _dateparser_fallback(s, now.replace(tzinfo=None, second=0, microsecond=0), prefer)
    if fallback is None:
        raise InvalidDate(text, f"I couldn't understand {s!r} as a date" if s else "No date was given")
    return fallback


@lru_cache(maxsize=512)
def _dateparser_fallback(text: str, base: datetime, prefer: Prefer) -> When | None:
    if not _CUE_RE.search(text) or _NOT_DATE_RE.search(text):
        return None
    import dateparser  # slow to import: only when our own rules could not read the text

    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": prefer, "RETURN_AS_TIMEZONE_AWARE": False,
                "DATE_ORDER": "MDY"}
    result = dateparser.parse(text, languages=["en"], settings=settings)  # type: ignore[arg-type]
    if result is None or not 1900 <= result.year <= 2199:
        return None
    return When(result.date(), result.time().replace(microsecond=0) if _TIME_CUE_RE.search(text) else None)


# ---- weeks and display -------------------------------------------------------------------------
def week_bounds(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def format_day(d: date, today: date | None = None) -> str:
    """A day as people write it, "Tue 24 Nov"; with the year when it is not `today`'s year."""
    out = f"{_DAY_NAMES[d.weekday()][:3]} {d.day} {_MONTH_NAMES[d.month - 1][:3]}"
    return out + f" {d.year}" if today is not None and d.year != today.year else out


def format_when(w: When, today: date | None = None) -> str:
    """A When as "Tue 24 Nov" or "Tue 24 Nov 15:00"."""
    return format_day(w.date, today) + (f" {w.time.hour:02d}:{w.time.minute:02d}" if w.time else "")
