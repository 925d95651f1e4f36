"""The rules that read one date expression: vocabulary, patterns, and one resolver per kind of expression.

Private to `tools.dates`, which scans text with `patterns()` and resolves each match with `RULES`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from typing import Any


class InvalidDate(ValueError):
    """A date the user gave that cannot be understood or cannot exist."""

    def __init__(self, text: str, reason: str) -> None:
        """`text` is what the user wrote; `reason` is the complete one-line message shown to them."""
        super().__init__(reason)
        self.text = text
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


# ---- vocabulary and patterns ------------------------------------------------------------------------
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = {name.lower()[:size]: i + 1 for i, name in enumerate(MONTH_NAMES) for size in (None, 3)}
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower()[:size]: i for i, name in enumerate(DAY_NAMES) for size in (None, 3)}
_WEEKDAYS |= {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
# Also ordinary words ("we sat down", "the sun"): weekdays only when capitalised or after a preposition.
_WORDLIKE_WEEKDAYS = {"mon", "wed", "sat", "sun"}
# Number words a rep writes for a count ("in two weeks", "a couple of days"); the engine reads them too.
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "couple": 2,
    "few": 3,
}
_NEXT, _LAST = {"next", "coming", "following", "the following"}, {"last", "past", "previous"}

# One alternative per kind of day expression; `RULES` below resolves each by its group name.
_DAY_PATTERN = r"""
(?P<prep>\b(?:(?:due|starting)(?:\s+(?:on|by|before|from))?|on|by|before|until|till|til|for|from|at
   |no\s+later\s+than)\s+)?
\b(?:
 (?P<iso>(?<![\w/.-])(?P<iy>(?:19|20)\d\d)(?P<isep>[-/])(?P<im>\d\d?)(?P=isep)(?P<id>\d\d?)
   (?:[T\s](?P<ih>\d\d?):(?P<imi>\d\d)(?::(?P<isec>\d\d)(?:\.\d+)?)?(?P<itz>Z|[+-]\d\d:?\d\d)?
   (?!\s*[ap]\.?m\b))?(?![\w/-]|[.,]\d))
|(?P<eo>(?:the\s+)?(?:(?P<eok>end|beginning|start|middle|close)\s+of\s+(?:the\s+)?|mid(?:\s*-\s*|\s+))
   (?:(?P<eoq>this|next|last|current|coming|following)\s+)?(?P<eou>week|month|quarter|year|day|business|MON)\b
   |(?P<eab>eow|eom|eoq|eoy|eod|cob)\b)
|(?P<off>(?:(?P<oin>in|within|after)\s+(?:(?:about|around|roughly|approximately|approx\.?|like|maybe|just
   |only|say|~)\s*)?)?(?P<on>\d{1,3}(?=\s*(?:d|w|h|hrs?|wks?|mos?|mths?)\b)|\d{1,3}\s|(?:NUM)\s)\s*
   (?P<ou>(?:business\s+|working\s+)?days?|weeks?|fortnights?|months?|years?|hours?|hrs?|minutes?|mins?
   |wks?|mos|mths?|(?P<og>[wdh])\b(?=[^\S\n]*(?:$|\n|[.,;:!?)])|\s+(?:and|then|from\s+now|out|ago|back|hence)\b))\b
   (?:['\u2019]s?)?(?:\s+time\b)?
   (?:\s+(?P<odir>from\s+(?:now|today|tomorrow|(?P<ofwd>WD))|ago|back|hence|out\b(?!\s+from\b))\b)?)
|(?P<md>(?:(?P<mdw>WD),?\s+)?(?P<mdm>MON)\.?\s+(?:the\s+)?(?P<mdd>\d\d?)(?:st|nd|rd|th)?\b(?![:.,]\d)
   (?:,?\s+(?P<mdy>(?:19|20)\d\d)\b)?)
|(?P<dm>(?:(?P<dmw>WD),?\s+)?(?:the\s+)?(?<![\d.,:/$-])(?P<dmd>\d\d?)(?:st|nd|rd|th)?(?:\s+of)?\s+
   (?P<dmm>MON)\b(?:,?\s+(?P<dmy>(?:19|20)\d\d)\b)?)
|(?P<sl>(?:(?P<slw>WD),?\s+)?(?<![\w/.-])(?P<sa>\d\d?)/(?P<sb>\d\d?)(?:/(?P<sy>\d{4}|\d\d))?(?![\w/]|[.,]\d))
|(?P<dot>(?<![\w.])(?P<da>\d\d?)\.(?P<db>\d\d?)\.(?P<dy>(?:19|20)\d\d)(?![\w.]))
|(?P<rw>(?:(?P<rwq>next|this|last|previous|past|coming|(?:the\s+)?following)\s+
   (?P<rwu>weekend|month|quarter|year|week(?:\s+(?:on\s+)?(?P<rwd>WD)\b)?)
   |(?P<rwan>(?:the\s+)?week\s+after\s+next))\b)
|(?P<wk>(?:(?P<wq>next|this\s+coming|this|last|coming|past|previous)\s+)?(?P<wd>WD)\b
   (?:,?\s+the\s+(?P<wod>\d\d?)(?:st|nd|rd|th)\b)?(?:\s+(?P<wsq>next|this|last)\s+week\b)?
   (?:\s+(?P<wpod>morning|afternoon|evening|night)\b)?)
|(?P<rel>(?P<rw0>(?:the\s+)?day\s+after\s+tomorrow|(?:the\s+)?day\s+before\s+yesterday|today|tonight|tomorrow
   |tmrw|tmr|tomorow|tommorow|yesterday|(?:earlier|later)\s+today|this\s+(?:morning|afternoon|evening)
   |last\s+night)\b(?:\s+(?P<rpod>morning|afternoon|evening|night)\b)?)
|(?P<mo>(?:(?P<moq>(?:in\s+)?early|(?:in\s+)?late|in|during)(?:\s*-\s*|\s+))?(?P<mom>MON)\b
   (?!\.?\s+(?:the\s+)?\d\d?(?:st|nd|rd|th)?\b)(?:,?\s+(?P<moy>(?:19|20)\d\d)\b)?)
|(?P<od>(?:the\s+)?(?P<odd>\d\d?)(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?(?:floor|time|round|call|meeting|quarter
   |half|place|attempt|try|line|page|item|version|option|person|party|parties|visit|demo|draft|one|week|month
   |year|day)))
)"""
_TIME_PATTERN = r"""
(?P<tprep>\b(?:at|by|before|until|till|around|about|from)\s+|@\s*)?
(?:\b(?P<noon>noon|midday)\b
 |(?<![\w$€£.,:/-])(?P<h>\d\d?)(?::(?P<m>\d\d))?\s*(?P<ap>[ap]\.m\.|[ap]m)(?!\w)
 |(?<![\w$€£.,:/-])(?P<h2>\d\d?):(?P<m2>\d\d)(?![\w:]|[.,]\d)
 |(?<![\w$€£.,:/-])(?P<h3>\d\d?)(?![\w:/%]|[.,]\d))"""


def _alt(words: dict[str, int]) -> str:
    return "(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")"


@cache
def patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The day and time patterns, compiled on first use: compiling them costs CLI start-up ~5 ms."""
    day = (
        _DAY_PATTERN.replace("MON", _alt(_MONTHS))
        .replace("WD", _alt(_WEEKDAYS))
        .replace(
            "NUM",
            "|".join(w for w in NUMBER_WORDS if w not in ("couple", "few"))
            + r"|(?:a\s+)?couple(?:\s+of)?|(?:a\s+)?few",
        )
    )
    return re.compile(day, re.IGNORECASE | re.VERBOSE), re.compile(_TIME_PATTERN, re.IGNORECASE | re.VERBOSE)


@dataclass(frozen=True)
class Ctx:
    """What every rule needs to know about the moment of speaking."""

    now: datetime
    today: date
    monday: date  # of today's week
    fut: bool
    loose: bool  # the whole string must be a date (parse_when), so lookalikes need no context


Day = tuple[date, time | None, str | None]  # date, clock time if the day words fixed one, part of day
_Group = Callable[[str], Any]  # Match.group: a named group's text, or None


# ---- calendar arithmetic -------------------------------------------------------------------------------
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
    if d > days and m == 2 and d == 29:
        raise _invalid(label, f"{y} is not a leap year")
    if d > days:
        raise _invalid(label, f"{MONTH_NAMES[m - 1]}{f' {y}' if m == 2 else ''} has {days} days")
    return date(y, m, d)


def _month_day(m: int, d: int, year: int | None, wd: int | None, c: Ctx, label: str) -> date:
    """A month-day in the nearest year in the preferred direction (and on weekday `wd` if given)."""
    if year is not None:
        candidates = [_make_date(year, m, d, label)]
    else:
        most = 29 if m == 2 else calendar.monthrange(2001, m)[1]
        if d > most:
            raise _invalid(label, f"{MONTH_NAMES[m - 1]} has {'at most ' if m == 2 else ''}{most} days")
        years = [c.today.year + (k if c.fut else -k) for k in range(9)]  # 9 years always hold a 29 February
        candidates = [
            day
            for y in years
            if d <= calendar.monthrange(y, m)[1]
            for day in [date(y, m, d)]
            if (day >= c.today if c.fut else day <= c.today)
        ]
        if m == 2 and d == 29 and wd is None and candidates and abs((candidates[0] - c.today).days) > 366:
            # "Feb 29" in a year without one is a slip, not a wish for a date years away.
            raise _invalid(
                label,
                f"{c.today.year} is not a leap year; the nearest 29 February is in {candidates[0].year}",
            )
        if wd is not None:  # the weekday may pick this year's date on the other side, as format_day shows it
            this_year = [date(c.today.year, m, d)] if d <= calendar.monthrange(c.today.year, m)[1] else []
            candidates = candidates[:2] + [day for day in this_year if day not in candidates]
    for day in candidates:
        if wd is None or day.weekday() == wd:
            return day
    day = candidates[0]
    raise InvalidDate(
        label,
        f"{MONTH_NAMES[m - 1]} {d}, {day.year} is a {DAY_NAMES[day.weekday()]}, not a {DAY_NAMES[wd or 0]}",
    )


def _day_of_month(d: int, wd: int | None, c: Ctx, label: str) -> date:
    """The nearest date with day-of-month `d` (and weekday `wd`) in the preferred direction."""
    first = c.today.replace(day=1)
    for k in range(36):
        month = _add_months(first, k if c.fut else -k)
        if d <= calendar.monthrange(month.year, month.month)[1]:
            day = month.replace(day=d)
            if (day >= c.today if c.fut else day <= c.today) and (wd is None or day.weekday() == wd):
                return day
    raise InvalidDate(label, f"There is no {DAY_NAMES[wd or 0]} the {d} in the next three years")


def _weekday(wd: int, today: date, forward: bool) -> date:
    """The first such weekday strictly after today, or the last one strictly before."""
    if forward:
        return today + timedelta(days=(wd - today.weekday()) % 7 or 7)
    return today - timedelta(days=(today.weekday() - wd) % 7 or 7)


def _period_start(unit: str, c: Ctx, k: int) -> date:
    if unit == "week":
        return c.monday + timedelta(days=7 * k)
    if unit == "month":
        return _add_months(c.today.replace(day=1), k)
    if unit == "quarter":
        return _add_months(date(c.today.year, 3 * ((c.today.month - 1) // 3) + 1, 1), 3 * k)
    return date(c.today.year + k, 1, 1)


def _clock(h: int, m: int, ap: str | None, pod: str | None, single_digit: bool, label: str) -> time:
    if (ap and not 1 <= h <= 12) or h > 23 or m > 59:
        raise InvalidDate(label, f"{label} is not a time of day")
    if ap:
        return time(h % 12 + (12 if ap.lower().startswith("p") else 0), m)
    late = pod in ("afternoon", "evening", "night")
    if (late and h < 12) or (pod is None and single_digit and 1 <= h <= 6):
        h += 12  # "tonight at 8" is 20:00, and "call at 3" means 15:00 in business hours
    return time(h, m)


def time_of(m: re.Match[str], pod: str | None) -> time:
    if m.group("noon"):
        return time(12, 0)
    label = m.group(0)[len(m.group("tprep") or "") :].strip()
    h = m.group("h") or m.group("h2") or m.group("h3") or "0"
    return _clock(int(h), int(m.group("m") or m.group("m2") or 0), m.group("ap"), pod, len(h) == 1, label)


# ---- one rule per kind of day expression: the day, None when not a date here, or InvalidDate --------------
def _iso(g: _Group, c: Ctx) -> Day | None:
    label = f"{g('iy')}-{g('im')}-{g('id')}"
    day = _make_date(int(g("iy")), int(g("im")), int(g("id")), label)
    if not g("ih"):
        return day, None, None
    clock = _clock(int(g("ih")), int(g("imi")), None, "", False, f"{g('ih')}:{g('imi')}")
    clock = clock.replace(second=int(g("isec") or 0))
    if (tz := g("itz")) and c.now.tzinfo is not None:
        offset = (
            UTC
            if tz.upper() == "Z"
            else timezone((1 if tz[0] == "+" else -1) * timedelta(hours=int(tz[1:3]), minutes=int(tz[-2:])))
        )
        local = datetime.combine(day, clock, tzinfo=offset).astimezone(c.now.tzinfo)
        day, clock = local.date(), local.time()
    return day, clock, None


def _period_edge(g: _Group, c: Ctx) -> Day | None:
    if g("eab"):
        units = {"eow": "week", "eom": "month", "eoq": "quarter", "eoy": "year"}
        kind, unit, q = "end", units.get(g("eab").lower(), "day"), ""
    else:
        kind = (g("eok") or "mid").lower()
        kind = {"close": "end", "beginning": "start", "middle": "mid"}.get(kind, kind)
        unit, q = g("eou").lower(), (g("eoq") or "").lower()
    if unit in ("day", "business"):
        return c.today, None, None
    if kind == "mid" and unit in ("quarter", "year"):
        return None

    def edge(k: int) -> date:
        first = date(c.today.year + k, _MONTHS[unit], 1) if unit in _MONTHS else _period_start(unit, c, k)
        if unit == "week":
            return first + timedelta(days={"start": 0, "mid": 2, "end": 4}[kind])  # a rep's week ends Friday
        if kind != "end":
            return first if kind == "start" else first.replace(day=15)
        return _add_months(first, {"quarter": 3, "year": 12}.get(unit, 1)) - timedelta(days=1)

    if q:
        return edge(1 if q in _NEXT else -1 if q in _LAST else 0), None, None
    day = edge(0)
    if c.fut and day < c.today:
        day = edge(1)
    elif not c.fut and day > c.today:
        day = edge(-1)
    return day, None, None


# Units shortened the way reps type them after a number ("in 2wks", "in 10d", "3 mos out").
_UNIT_SHORT = {"wk": "week", "wks": "weeks", "w": "week", "d": "days", "h": "hours", "mos": "months"}
_UNIT_SHORT |= {"mth": "month", "mths": "months"}
_FIGURE_ONLY = frozenset({"w", "d", "h", "mos", "mth", "mths"})  # "in a d…" is no date; "in a wk" is
# A figure glued to one letter is often no duration: "in 3d" (3-D), "in 65w" (watts), "in 4h grade". Unless
# a direction says so ("2d ago") or the whole text is the date, it counts only within these figures.
_GLUED_FIGURES = {"d": range(5, 100), "w": range(1, 9), "h": range(1, 25)}
# "acme is 2 weeks out", "they're about a week out": a status report, not a date for the rep.
_BE_BEFORE = re.compile(
    r"(?:\b(?:is|are|was|were|am|be|been|being)|['\u2019](?:re|s))\s+"
    r"(?:(?:about|around|roughly|approximately|like|maybe|only|just)\s+)?$",
    re.IGNORECASE,
)


def status_out(m: re.Match[str]) -> bool:
    """Whether a matched duration is "N out" right after a form of "be": said of a state, no date to write."""
    if not m.group("off") or (m.group("odir") or "").lower() != "out":
        return False
    return _BE_BEFORE.search(m.string, 0, m.start()) is not None


def _offset(g: _Group, c: Ctx) -> Day | None:
    if not (g("oin") or g("odir")):
        return None  # "took 10 days" is a duration, not a date
    words = g("on").lower().split()  # "2", "a", "couple of" ("2wks": the number glued to its unit)
    n = (
        int(words[0])
        if words[0].isdigit()
        else NUMBER_WORDS[next((w for w in words if w in ("couple", "few")), words[0])]
    )
    direction = " ".join((g("odir") or "").lower().split())
    sign = -1 if direction in ("ago", "back") else 1
    unit = g("ou").lower()
    if unit in _FIGURE_ONLY and not words[0].isdigit():
        return None
    if g("og") and not (direction or c.loose) and n not in _GLUED_FIGURES[unit]:
        return None
    unit = _UNIT_SHORT.get(unit, unit)
    if unit.startswith(("hour", "hr", "min")):
        moment = c.now + sign * timedelta(**{"hours" if unit.startswith("h") else "minutes": n})
        return moment.date(), moment.time().replace(second=0, microsecond=0), None
    base = c.today + timedelta(days=1 if direction == "from tomorrow" else 0)
    if g("ofwd"):  # "2 weeks from Friday" counts from the coming Friday
        base = _weekday(_WEEKDAYS[g("ofwd").lower()], c.today, True)
    if unit.startswith(("business", "working")):
        day, left = base, n
        while left:
            day += timedelta(days=sign)
            left -= day.weekday() < 5
        return day, None, None
    if unit.startswith(("month", "year")):
        return _add_months(base, sign * n * (12 if unit.startswith("y") else 1)), None, None
    per = 14 if unit.startswith("fortnight") else 7 if unit.startswith("week") else 1
    return base + timedelta(days=sign * n * per), None, None


def _calendar_day(g: _Group, c: Ctx) -> Day | None:
    p = "md" if g("md") else "dm"
    d, month_word, wd_word = int(g(p + "d")), g(p + "m"), g(p + "w")
    if not 1 <= d <= 31 or (month_word == "may" and not c.loose):  # "we may 10x it"
        return None
    month = _MONTHS[month_word.lower()]
    year = int(g(p + "y")) if g(p + "y") else None
    label = f"{MONTH_NAMES[month - 1]} {d}" + (f", {year}" if year else "")
    wd = _WEEKDAYS[wd_word.lower()] if wd_word else None
    return _month_day(month, d, year, wd, c, label), None, None


def _numeric(g: _Group, c: Ctx) -> Day | None:
    a, b = (int(g("sa")), int(g("sb"))) if g("sl") else (int(g("db")), int(g("da")))  # dotted is day.month
    year, wd = g("sy") or g("dy"), g("slw")
    if not (1 <= a <= 31 and 1 <= b <= 31) or not (year or wd or g("prep") or c.loose):
        return None
    month, d = (b, a) if a > 12 else (a, b)
    label = f"{a}/{b}" + (f"/{year}" if year else "") if g("sl") else g("dot")
    full_year = int(year) + (2000 if len(year) == 2 else 0) if year else None
    return _month_day(month, d, full_year, _WEEKDAYS[wd.lower()] if wd else None, c, label), None, None


def _relative_period(g: _Group, c: Ctx) -> Day | None:
    if g("rwan"):
        return c.monday + timedelta(days=14), None, None
    q = " ".join(g("rwq").lower().split())
    k = 1 if q in _NEXT else -1 if q in _LAST else 0
    unit = g("rwu").lower().split()[0]
    if unit == "weekend":
        sat = c.monday + timedelta(days=5 + 7 * k)
        if k == 0 and c.fut and c.today > sat:
            return c.today, None, None  # "this weekend" said on Sunday
        return (sat - timedelta(days=7) if k == 0 and not c.fut and sat > c.today else sat), None, None
    start = _period_start(unit, c, k)
    if g("rwd"):
        return start + timedelta(days=_WEEKDAYS[g("rwd").lower()]), None, None
    # "this week/month" as a due date means from now on; as a past moment, its beginning
    return (c.today if k == 0 and c.fut else start), None, None


def _weekday_rule(g: _Group, c: Ctx) -> Day | None:
    word, q, wd = g("wd"), " ".join((g("wq") or "").lower().split()), _WEEKDAYS[g("wd").lower()]
    q = "coming" if q == "this coming" else q
    qualified = g("prep") or c.loose or q or g("wsq")
    if word.lower() in _WORDLIKE_WEEKDAYS and word[0].islower() and not qualified:
        return None
    pod = (g("wpod") or "").lower() or None
    if g("wod"):
        return _day_of_month(int(g("wod")), wd, c, g("wk")), None, pod
    if g("wsq"):
        weeks = {"next": 1, "this": 0, "last": -1}[g("wsq").lower()]
        return c.monday + timedelta(days=7 * weeks + wd), None, pod
    if q == "this":
        day = c.monday + timedelta(days=wd)
        day += timedelta(days=7 if c.fut and day < c.today else -7 if not c.fut and day > c.today else 0)
        return day, None, pod
    if q == "next":  # "next Thursday" is Thursday of next week (Monday-Sunday), even said on a Wednesday
        return c.monday + timedelta(days=7 + wd), None, pod
    return _weekday(wd, c.today, q in _NEXT or (c.fut and q not in _LAST)), None, pod


def _day_word(g: _Group, c: Ctx) -> Day | None:
    word = " ".join(g("rw0").lower().split()).removeprefix("the ")
    shifts = {"day after tomorrow": 2, "day before yesterday": -2, "yesterday": -1, "last night": -1}
    shift = shifts.get(word, 1 if word.startswith(("tom", "tm")) else 0)
    pod = (
        (g("rpod") or "").lower()
        or {"tonight": "night", "last night": "night"}.get(word)
        or (word.split()[1] if word.startswith("this ") else None)
    )
    return c.today + timedelta(days=shift), None, pod


def _month_rule(g: _Group, c: Ctx) -> Day | None:
    word, q = g("mom"), (g("moq") or "").lower()
    if word == "may" and not c.loose:  # "they may buy"
        return None
    if not (q or g("moy") or g("prep") or c.loose):  # a bare "March" is more often not a date
        return None
    month, d = _MONTHS[word.lower()], 25 if q.endswith("late") else 1
    if g("moy"):
        return date(int(g("moy")), month, d), None, None
    day = date(c.today.year, month, d)
    if c.fut and month == c.today.month:
        day = max(day, c.today)  # "in March" said in March is this month, not next year
    elif c.fut and day < c.today:
        day = day.replace(year=day.year + 1)
    elif not c.fut and day > c.today:
        day = day.replace(year=day.year - 1)
    return day, None, None


def _ordinal(g: _Group, c: Ctx) -> Day | None:
    d, prep = int(g("odd")), (g("prep") or "").lower().split()
    # In a sentence only "on the 9th", "by the 9th", "by 9th": not "the 2nd meeting", "for 3rd parties".
    dated = prep and (g("od")[:3].lower() == "the" or prep[-1] in ("on", "by", "until", "till", "before"))
    if not (dated or c.loose) or not 1 <= d <= 31:
        return None
    return _day_of_month(d, None, c, g("od")), None, None


# Keyed by the pattern's group name of each alternative.
RULES: dict[str, Callable[[_Group, Ctx], Day | None]] = {
    "iso": _iso,
    "eo": _period_edge,
    "off": _offset,
    "md": _calendar_day,
    "dm": _calendar_day,
    "sl": _numeric,
    "dot": _numeric,
    "rw": _relative_period,
    "wk": _weekday_rule,
    "rel": _day_word,
    "mo": _month_rule,
    "od": _ordinal,
}
