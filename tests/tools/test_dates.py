"""Dates in English: whole strings (parse_when), dates inside chat sentences (find_dates), display."""

from __future__ import annotations

import os
import subprocess
import sys
import time as clock
from collections.abc import Iterator
from dataclasses import FrozenInstanceError
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tools.dates import (
    DateMatch,
    InvalidDate,
    When,
    find_dates,
    format_day,
    format_when,
    parse_when,
    week_bounds,
)

UTC = ZoneInfo("UTC")
LA = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")
# Wednesday 2026-03-04 14:00 UTC.
NOW = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
# Local dates that differ from the UTC date: Tuesday 3 March 21:00 in LA, Thursday 5 March 05:00 in Tokyo.
LA_NOW = datetime(2026, 3, 4, 5, 0, tzinfo=UTC).astimezone(LA)
TOKYO_NOW = datetime(2026, 3, 4, 20, 0, tzinfo=UTC).astimezone(TOKYO)


def d(iso: str) -> date:
    return date.fromisoformat(iso)


def t(hhmm: str | None) -> time | None:
    return time.fromisoformat(hhmm) if hhmm else None


FUTURE = [
    # ISO
    ("2026-11-24", "2026-11-24", None),
    ("2026-11-24T15:00", "2026-11-24", "15:00"),
    ("2026-11-24 15:00", "2026-11-24", "15:00"),
    ("2026-11-24T15:00:30", "2026-11-24", "15:00:30"),
    ("2027-03-09", "2027-03-09", None),
    ("2026-11-24T15:00+09:00", "2026-11-24", "06:00"),
    ("  tomorrow  ", "2026-03-05", None),
    # words for days
    ("today", "2026-03-04", None),
    ("tomorrow", "2026-03-05", None),
    ("Tomorrow", "2026-03-05", None),
    ("yesterday", "2026-03-03", None),
    ("day after tomorrow", "2026-03-06", None),
    ("the day after tomorrow", "2026-03-06", None),
    ("tonight", "2026-03-04", None),
    ("this morning", "2026-03-04", None),
    ("this afternoon", "2026-03-04", None),
    ("earlier today", "2026-03-04", None),
    ("tomorrow morning", "2026-03-05", None),
    ("EOD", "2026-03-04", None),
    # weekdays (today is Wednesday 4 March)
    ("Monday", "2026-03-09", None),
    ("on Monday", "2026-03-09", None),
    ("next Monday", "2026-03-09", None),
    ("next Tuesday", "2026-03-10", None),
    ("this Friday", "2026-03-06", None),
    ("by Friday", "2026-03-06", None),
    ("Tue", "2026-03-10", None),
    ("tues", "2026-03-10", None),
    ("thurs", "2026-03-05", None),
    ("Wednesday", "2026-03-11", None),
    ("next Wednesday", "2026-03-11", None),
    # "next <weekday>" is that day of next week (Mon 9 - Sun 15), even when it comes later this week
    ("next Thursday", "2026-03-12", None),
    ("next thurs", "2026-03-12", None),
    ("next Friday", "2026-03-13", None),
    ("next Sunday", "2026-03-15", None),
    ("this coming Thursday", "2026-03-05", None),
    ("coming Friday", "2026-03-06", None),
    ("last Thursday", "2026-02-26", None),
    ("this Wednesday", "2026-03-04", None),
    ("Sunday", "2026-03-08", None),
    ("sat", "2026-03-07", None),
    ("Tuesday next week", "2026-03-10", None),
    ("next week Friday", "2026-03-13", None),
    ("last Monday", "2026-03-02", None),
    ("Tuesday the 24th", "2026-03-24", None),
    # offsets
    ("in 10 days", "2026-03-14", None),
    ("in 2 weeks", "2026-03-18", None),
    ("in a week", "2026-03-11", None),
    ("in 3 months", "2026-06-04", None),
    ("in two weeks", "2026-03-18", None),
    ("in a couple of days", "2026-03-06", None),
    ("in a fortnight", "2026-03-18", None),
    ("within 2 weeks", "2026-03-18", None),
    ("10 days from now", "2026-03-14", None),
    ("2 weeks from today", "2026-03-18", None),
    ("a week from tomorrow", "2026-03-12", None),
    ("a week from Monday", "2026-03-16", None),
    ("3 business days from now", "2026-03-09", None),
    # durations as reps type them: glued or shortened units, a hedge, "out"
    ("in 2wks", "2026-03-18", None),
    ("in 2 wks", "2026-03-18", None),
    ("in a wk", "2026-03-11", None),
    ("in 10d", "2026-03-14", None),
    ("in 3w", "2026-03-25", None),
    ("in 3 mos", "2026-06-04", None),
    ("in ten days", "2026-03-14", None),
    ("in about a week", "2026-03-11", None),
    ("in like a week", "2026-03-11", None),
    ("in roughly 2 weeks", "2026-03-18", None),
    ("in ~2 weeks", "2026-03-18", None),
    ("a week out", "2026-03-11", None),
    ("two weeks out", "2026-03-18", None),
    ("a fortnight from now", "2026-03-18", None),
    ("in a fortnight's time", "2026-03-18", None),
    ("in 2h", "2026-03-04", "16:00"),
    ("2 days ago", "2026-03-02", None),
    ("a week ago", "2026-02-25", None),
    ("in 2 hours", "2026-03-04", "16:00"),
    ("in 11 hours", "2026-03-05", "01:00"),
    # whole periods
    ("next week", "2026-03-09", None),
    ("the week after next", "2026-03-16", None),
    ("next month", "2026-04-01", None),
    ("next quarter", "2026-04-01", None),
    ("next year", "2027-01-01", None),
    ("last week", "2026-02-23", None),
    ("last month", "2026-02-01", None),
    ("this week", "2026-03-04", None),
    ("this weekend", "2026-03-07", None),
    ("next weekend", "2026-03-14", None),
    # edges of periods
    ("end of week", "2026-03-06", None),
    ("end of the week", "2026-03-06", None),
    ("end of next week", "2026-03-13", None),
    ("end of month", "2026-03-31", None),
    ("end of the month", "2026-03-31", None),
    ("EOM", "2026-03-31", None),
    ("end of next month", "2026-04-30", None),
    ("end of quarter", "2026-03-31", None),
    ("end of next quarter", "2026-06-30", None),
    ("end of the year", "2026-12-31", None),
    ("beginning of next month", "2026-04-01", None),
    ("start of next week", "2026-03-09", None),
    ("beginning of the month", "2026-04-01", None),
    ("mid next week", "2026-03-11", None),
    ("mid-month", "2026-03-15", None),
    ("end of May", "2026-05-31", None),
    ("end of February", "2027-02-28", None),
    ("mid-May", "2026-05-15", None),
    # times of day
    ("tomorrow 3pm", "2026-03-05", "15:00"),
    ("tomorrow at 15:00", "2026-03-05", "15:00"),
    ("tomorrow at 3", "2026-03-05", "15:00"),
    ("tomorrow at 9", "2026-03-05", "09:00"),
    ("Monday 10am", "2026-03-09", "10:00"),
    ("Monday at 10:30 a.m.", "2026-03-09", "10:30"),
    ("9am on Friday", "2026-03-06", "09:00"),
    ("at 10:30 tomorrow", "2026-03-05", "10:30"),
    ("tonight at 8", "2026-03-04", "20:00"),
    ("at 3pm", "2026-03-04", "15:00"),  # still ahead today
    ("at 1pm", "2026-03-05", "13:00"),  # already past today
    ("3:30 pm", "2026-03-04", "15:30"),
    ("noon", "2026-03-05", "12:00"),
    ("12am", "2026-03-05", "00:00"),
    ("12pm", "2026-03-05", "12:00"),
    ("March 9 at 2pm", "2026-03-09", "14:00"),
    # calendar dates
    ("March 9", "2026-03-09", None),
    ("9 March", "2026-03-09", None),
    ("Mar 9th", "2026-03-09", None),
    ("the 9th of March", "2026-03-09", None),
    ("march 9", "2026-03-09", None),
    ("March 3", "2027-03-03", None),  # already past this year
    ("March 9 2027", "2027-03-09", None),
    ("March 9, 2027", "2027-03-09", None),
    ("9 March 2027", "2027-03-09", None),
    ("May 5", "2026-05-05", None),
    ("in May", "2026-05-01", None),
    ("in January", "2027-01-01", None),
    ("May 2027", "2027-05-01", None),
    ("on the 9th", "2026-03-09", None),
    ("on the 3rd", "2026-04-03", None),
    ("the 31st", "2026-03-31", None),
    ("9/3", "2026-09-03", None),  # US month/day
    ("24/11", "2026-11-24", None),  # day first when it cannot be a month
    ("24/11/2026", "2026-11-24", None),
    ("3/9/27", "2027-03-09", None),
    ("24.11.2026", "2026-11-24", None),
    ("Tue 24 Nov", "2026-11-24", None),
    ("Tuesday, November 24", "2026-11-24", None),
    ("Tue 3 Mar", "2026-03-03", None),  # the weekday picks this year's (past) date
    # phrasings left to dateparser
    ("November 24th at 3 in the afternoon", "2026-11-24", "15:00"),
    ("now", "2026-03-04", "14:00"),
]


@pytest.mark.parametrize(("text", "day", "hhmm"), FUTURE)
def test_parse_when_future(text: str, day: str, hhmm: str | None) -> None:
    assert parse_when(text, NOW) == When(d(day), t(hhmm))


PAST = [
    ("Monday", "2026-03-02", None),
    ("on Monday", "2026-03-02", None),
    ("Wednesday", "2026-02-25", None),
    ("Friday", "2026-02-27", None),
    ("this Friday", "2026-02-27", None),
    ("this Monday", "2026-03-02", None),
    ("next Monday", "2026-03-09", None),  # an explicit "next" wins over prefer
    ("yesterday", "2026-03-03", None),
    ("last night", "2026-03-03", None),
    ("yesterday at 4pm", "2026-03-03", "16:00"),
    ("March 9", "2025-03-09", None),
    ("March 3", "2026-03-03", None),
    ("on the 9th", "2026-02-09", None),
    ("on the 3rd", "2026-03-03", None),
    ("at 3pm", "2026-03-03", "15:00"),
    ("at 1pm", "2026-03-04", "13:00"),
    ("end of week", "2026-02-27", None),
    ("end of month", "2026-02-28", None),
    ("in May", "2025-05-01", None),
    ("this week", "2026-03-02", None),
    ("last week", "2026-02-23", None),
    ("2 days ago", "2026-03-02", None),
    ("Mon 24 Nov", "2025-11-24", None),
    ("Tue 24 Nov", "2026-11-24", None),  # 24 Nov 2025 was a Monday: the weekday picks this year's
]


@pytest.mark.parametrize(("text", "day", "hhmm"), PAST)
def test_parse_when_past(text: str, day: str, hhmm: str | None) -> None:
    assert parse_when(text, NOW, prefer="past") == When(d(day), t(hhmm))


@pytest.mark.parametrize(
    ("now", "text", "day"),
    [
        (datetime(2026, 3, 7, 10, 0, tzinfo=UTC), "end of week", "2026-03-13"),  # Saturday: Friday is gone
        (datetime(2026, 3, 6, 10, 0, tzinfo=UTC), "end of week", "2026-03-06"),  # Friday itself
        (datetime(2026, 3, 8, 10, 0, tzinfo=UTC), "this weekend", "2026-03-08"),  # Sunday
        (datetime(2026, 5, 10, 10, 0, tzinfo=UTC), "in May", "2026-05-10"),  # in May, said in May
        (datetime(2026, 12, 30, 10, 0, tzinfo=UTC), "next month", "2027-01-01"),
        (datetime(2026, 1, 31, 10, 0, tzinfo=UTC), "in 1 month", "2026-02-28"),
        (datetime(2026, 2, 10, 10, 0, tzinfo=UTC), "on the 30th", "2026-03-30"),
        (datetime(2031, 6, 2, 9, 0, tzinfo=UTC), "tomorrow", "2031-06-03"),  # nothing from the real clock
        (datetime(2026, 3, 6, 10, 0, tzinfo=UTC), "in 2 business days", "2026-03-10"),
    ],
)
def test_parse_when_depends_on_now(now: datetime, text: str, day: str) -> None:
    assert parse_when(text, now).date == d(day)


INVALID = [
    ("February 30", "February 30 is not a date (February has at most 29 days)"),
    ("February 30th", "February 30 is not a date (February has at most 29 days)"),
    ("April 31", "April 31 is not a date (April has 30 days)"),
    ("31 April", "April 31 is not a date (April has 30 days)"),
    ("on April 31", "April 31 is not a date (April has 30 days)"),
    ("2026-02-30", "2026-02-30 is not a date (February 2026 has 28 days)"),
    ("Feb 29 2027", "February 29, 2027 is not a date (2027 is not a leap year)"),
    ("Feb 29", "February 29 is not a date (2026 is not a leap year; the nearest 29 February is in 2028)"),
    ("2026-13-01", "2026-13-01 is not a date (there is no month 13)"),
    ("2/30", "2/30 is not a date (February has at most 29 days)"),
    ("Thursday 3/13", "March 13, 2026 is a Friday, not a Thursday"),
    ("Mon 24 Nov 2026", "November 24, 2026 is a Tuesday, not a Monday"),
    ("Tue 25 Nov", "November 25, 2026 is a Wednesday, not a Tuesday"),
    ("tomorrow at 25:00", "25:00 is not a time of day"),
    ("13pm", "13pm is not a time of day"),
    ("blorp", "I couldn't understand 'blorp' as a date"),
    ("next Tuesday blorp", "I couldn't understand 'next Tuesday blorp' as a date"),
]


def test_feb_29_in_a_year_without_one_is_refused_both_ways() -> None:
    with pytest.raises(InvalidDate, match="2026 is not a leap year; the nearest 29 February is in 2024"):
        parse_when("Feb 29", NOW, prefer="past")
    assert parse_when("Feb 29", datetime(2027, 12, 1, 9, 0, tzinfo=UTC)).date == d(
        "2028-02-29"
    )  # within the year


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_parse_when_rejects_impossible_or_unknown(text: str, message: str) -> None:
    with pytest.raises(InvalidDate) as info:
        parse_when(text, NOW)
    assert str(info.value) == message
    assert info.value.reason == message
    assert isinstance(info.value, ValueError)


def test_invalid_date_keeps_the_words() -> None:
    with pytest.raises(InvalidDate) as info:
        parse_when("blorp", NOW)
    assert info.value.text == "blorp"
    with pytest.raises(InvalidDate) as info:
        find_dates("see you on April 31", NOW)
    assert (info.value.text, info.value.reason) == ("April 31", "April 31 is not a date (April has 30 days)")


NOT_DATES = [
    "they may buy",
    "May I",
    "may I ask",
    "Q1",
    "Q3 budget",
    "200 bags",
    "3 seats",
    "10",
    "$5,000",
    "version 2.1",
    "2027",
    "in 2027 they plan",
    "555-0134",
    "second meeting",
    "march on",
    "we sat in the sun",
    "",
    "   ",
    "dana@monday.com",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_parse_when_refuses_non_dates(text: str) -> None:
    with pytest.raises(InvalidDate):
        parse_when(text, NOW)


@pytest.mark.parametrize(
    "text",
    [
        *[x for x in NOT_DATES if x.strip()],
        "They may buy 200 bags if the Q3 budget allows",
        "May I ask about the 3 seats at $5,000 each?",
        "version 2.1 ships in 2027",
        "call 555-0134 about the second meeting",
        "they will march on regardless",
        "now is a good time to talk",
        "emails: dana@monday.com, see monday.com and https://example.com/2026-03-09/friday",
        "took 10 days to sign, for 3 days of training",
        "they have 3 weeks to decide, it ran 2 d over",
        "in a d minor key",
        "1/2 of the team and 24/7 support",
        "the 2nd meeting was on the 2nd floor",
        "reserved for 3rd parties",
        "c'mon, the wed reception was fun",
        "the 10:30 train, score 2:1, 15:00 works",
    ],
)
def test_find_dates_ignores_non_dates(text: str) -> None:
    assert find_dates(text, NOW) == []


SPANS = [
    (
        "Met Globex, they want a proposal by Friday, follow up Tuesday",
        [("by Friday", "2026-03-06", None), ("Tuesday", "2026-03-10", None)],
    ),
    (
        "Met with Fjord Outfitters this morning, they liked the winter catalog. Follow up on Monday.",
        [("this morning", "2026-03-04", None), ("on Monday", "2026-03-09", None)],
    ),
    ("follow up with Lumen Optics in 10 days about a win-back offer", [("in 10 days", "2026-03-14", None)]),
    (
        "call tomorrow at 3pm and again Monday 10am",
        [("tomorrow at 3pm", "2026-03-05", "15:00"), ("Monday 10am", "2026-03-09", "10:00")],
    ),
    ("demo at 3pm on Friday with Dana", [("at 3pm on Friday", "2026-03-06", "15:00")]),
    ("send the deck by EOM", [("by EOM", "2026-03-31", None)]),
    ("proposal due end of month", [("due end of month", "2026-03-31", None)]),
    ("wrap up by the end of next month", [("by the end of next month", "2026-04-30", None)]),
    ("They may buy in May", [("in May", "2026-05-01", None)]),
    ("May I call you on May 5?", [("on May 5", "2026-05-05", None)]),
    ("renewal 2026-11-24 15:00 confirmed", [("2026-11-24 15:00", "2026-11-24", "15:00")]),
    ("check back in a couple of weeks", [("in a couple of weeks", "2026-03-18", None)]),
    ("Sat 7 Mar works for them", [("Sat 7 Mar", "2026-03-07", None)]),
    ("see you on sun", [("on sun", "2026-03-08", None)]),
    ("Wed works", [("Wed", "2026-03-11", None)]),
    ("pay by 3/9", [("by 3/9", "2026-03-09", None)]),
    ("meeting 24/11/2026 in Paris", [("24/11/2026", "2026-11-24", None)]),
    ("ping them the week after next", [("the week after next", "2026-03-16", None)]),
    ("Arjun says the PO is coming next week", [("next week", "2026-03-09", None)]),
    ("invoice by the 9th please", [("by the 9th", "2026-03-09", None)]),
    ("ship on 21st", [("on 21st", "2026-03-21", None)]),
    ("meeting moved to Friday 3/13 at 2", [("Friday 3/13 at 2", "2026-03-13", "14:00")]),
    ("follow up in early April", [("in early April", "2026-04-01", None)]),
    ("lunch w/ Rosa next Thurs at 12:30", [("next Thurs at 12:30", "2026-03-12", "12:30")]),
    ("see them this coming Friday at 3", [("this coming Friday at 3", "2026-03-06", "15:00")]),
    ("Demo Tuesday @ 10", [("Tuesday @ 10", "2026-03-10", "10:00")]),
    ("Call back Hank in an hour", [("in an hour", "2026-03-04", "15:00")]),
    ("call at 5pm", [("at 5pm", "2026-03-04", "17:00")]),
    ("lunch at noon", [("at noon", "2026-03-05", "12:00")]),
    ("March 9 is fine, march on", [("March 9", "2026-03-09", None)]),
    ("email dana@acme.example on Monday", [("on Monday", "2026-03-09", None)]),
    ("budget review in March 2027 with 200 seats", [("in March 2027", "2027-03-01", None)]),
    ("'; DELETE FROM customers; -- follow up tomorrow", [("tomorrow", "2026-03-05", None)]),
    ("decision 2 weeks from Friday", [("2 weeks from Friday", "2026-03-20", None)]),
    ("follow up tues", [("tues", "2026-03-10", None)]),
]


@pytest.mark.parametrize(("text", "expected"), SPANS)
def test_find_dates_spans(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    found = find_dates(text, NOW)
    want = [(words, d(day), t(hhmm)) for words, day, hhmm in expected]
    assert [(m.text, m.when.date, m.when.time) for m in found] == want
    for m in found:
        assert text[m.start : m.end] == m.text


def test_find_dates_lets_callers_cut_the_date_out() -> None:
    text = "send pricing by Friday"
    (m,) = find_dates(text, NOW)
    assert (text[: m.start] + text[m.end :]).strip() == "send pricing"
    assert isinstance(m, DateMatch)


def test_find_dates_past() -> None:
    found = find_dates("met them on Monday, called again yesterday and Friday", NOW, prefer="past")
    assert [(m.text, m.when.date) for m in found] == [
        ("on Monday", d("2026-03-02")),
        ("yesterday", d("2026-03-03")),
        ("Friday", d("2026-02-27")),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("follow up with Kettle & Crumb on April 31", "April 31 is not a date (April has 30 days)"),
        ("renewal on February 30th, as agreed", "February 30 is not a date (February has at most 29 days)"),
        ("contract starts 2026-02-30 they said", "2026-02-30 is not a date (February 2026 has 28 days)"),
        ("invoice due 2/30", "2/30 is not a date (February has at most 29 days)"),
        ("kickoff Feb 29 2027 in Berlin", "February 29, 2027 is not a date (2027 is not a leap year)"),
        ("call Monday at 25:00", "25:00 is not a time of day"),
    ],
)
def test_find_dates_raises_on_impossible_dates(text: str, message: str) -> None:
    with pytest.raises(InvalidDate, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        find_dates(text, NOW)


# ---- time zones: everything happens on the user's local calendar --------------------------------------
@pytest.mark.parametrize(
    ("now", "text", "day", "hhmm"),
    [
        (LA_NOW, "today", "2026-03-03", None),
        (LA_NOW, "tomorrow", "2026-03-04", None),
        (LA_NOW, "yesterday", "2026-03-02", None),
        (LA_NOW, "Tuesday", "2026-03-10", None),
        (LA_NOW, "Friday", "2026-03-06", None),
        (LA_NOW, "at 3pm", "2026-03-04", "15:00"),
        (LA_NOW, "2026-03-04T20:00Z", "2026-03-04", "12:00"),
        (LA_NOW, "end of month", "2026-03-31", None),
        (LA_NOW, "in 10 days", "2026-03-13", None),
        (TOKYO_NOW, "today", "2026-03-05", None),
        (TOKYO_NOW, "Thursday", "2026-03-12", None),
        (TOKYO_NOW, "Friday", "2026-03-06", None),
        (TOKYO_NOW, "at 3pm", "2026-03-05", "15:00"),
        (TOKYO_NOW, "2026-03-04T20:00Z", "2026-03-05", "05:00"),
        (TOKYO_NOW, "next week", "2026-03-09", None),
        (TOKYO_NOW, "in 10 days", "2026-03-15", None),
        (TOKYO_NOW, "in 2 hours", "2026-03-05", "07:00"),
    ],
)
def test_parse_when_uses_the_local_calendar_of_now(
    now: datetime, text: str, day: str, hhmm: str | None
) -> None:
    assert parse_when(text, now) == When(d(day), t(hhmm))


def test_find_dates_in_tokyo() -> None:
    found = find_dates("follow up tomorrow, met them yesterday", TOKYO_NOW)
    assert [m.when.date for m in found] == [d("2026-03-06"), d("2026-03-04")]


@pytest.fixture
def odd_machine_zone() -> Iterator[None]:
    if not hasattr(clock, "tzset"):
        pytest.skip("needs time.tzset")
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Pacific/Kiritimati"  # UTC+14: any leak of the machine's zone shows
    clock.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    clock.tzset()


def test_results_do_not_depend_on_the_machine_zone(odd_machine_zone: None) -> None:
    assert parse_when("today", LA_NOW) == When(d("2026-03-03"), None)
    assert parse_when("at 3pm", LA_NOW) == When(d("2026-03-04"), time(15, 0))
    assert parse_when("2026-03-04T20:00Z", LA_NOW) == When(d("2026-03-04"), time(12, 0))
    assert [m.when.date for m in find_dates("call Friday", LA_NOW)] == [d("2026-03-06")]


# ---- When, weeks, display ---------------------------------------------------------------------------------
def test_when_at_gives_an_aware_local_moment() -> None:
    assert When(d("2026-03-09"), time(15, 0)).at(LA) == datetime(2026, 3, 9, 15, 0, tzinfo=LA)
    noon = When(d("2026-03-09"), None).at(LA)
    assert noon.utcoffset() == timedelta(hours=-7)  # after the DST switch on 8 March
    assert noon.astimezone(UTC) == datetime(2026, 3, 9, 19, 0, tzinfo=UTC)
    nine = When(d("2026-03-09"), None).at(TOKYO, default_time=time(9, 0))
    assert nine == datetime(2026, 3, 9, 9, 0, tzinfo=TOKYO)


def test_when_is_frozen() -> None:
    w = When(d("2026-03-09"), None)
    with pytest.raises(FrozenInstanceError):
        w.date = d("2026-03-10")


@pytest.mark.parametrize(
    ("day", "monday", "sunday"),
    [
        ("2026-03-04", "2026-03-02", "2026-03-08"),
        ("2026-03-02", "2026-03-02", "2026-03-08"),
        ("2026-03-08", "2026-03-02", "2026-03-08"),
        ("2026-01-01", "2025-12-29", "2026-01-04"),
    ],
)
def test_week_bounds(day: str, monday: str, sunday: str) -> None:
    assert week_bounds(d(day)) == (d(monday), d(sunday))


@pytest.mark.parametrize(
    ("day", "today", "shown"),
    [
        ("2026-11-24", None, "Tue 24 Nov"),
        ("2026-11-24", "2026-03-04", "Tue 24 Nov"),
        ("2027-11-24", "2026-03-04", "Wed 24 Nov 2027"),
        ("2025-12-31", "2026-03-04", "Wed 31 Dec 2025"),
        ("2026-03-01", "2026-03-04", "Sun 1 Mar"),
    ],
)
def test_format_day(day: str, today: str | None, shown: str) -> None:
    assert format_day(d(day), d(today) if today else None) == shown


def test_format_when() -> None:
    assert format_when(When(d("2026-11-24"), None)) == "Tue 24 Nov"
    assert format_when(When(d("2026-11-24"), time(15, 0))) == "Tue 24 Nov 15:00"
    assert format_when(When(d("2026-11-24"), time(9, 5)), d("2025-01-01")) == "Tue 24 Nov 2026 09:05"


@pytest.mark.parametrize("prefer", ["future", "past"])
def test_what_we_display_reads_back_as_the_same_day(prefer: str) -> None:
    today = NOW.date()
    for offset in range(-400, 400):
        day = today + timedelta(days=offset)
        assert parse_when(format_day(day, today), NOW, prefer=prefer).date == day


def test_prefer_must_be_future_or_past() -> None:
    with pytest.raises(ValueError, match="prefer"):
        parse_when("tomorrow", NOW, prefer="soon")


@pytest.mark.e2e  # a subprocess
def test_find_dates_does_not_load_dateparser(pytestconfig: pytest.Config) -> None:
    root = Path(pytestconfig.rootpath)
    code = (
        "import sys\nfrom datetime import UTC, datetime\nfrom tools.dates import find_dates, parse_when\n"
        "now = datetime(2026, 3, 4, 14, tzinfo=UTC)\n"
        "assert find_dates('proposal by Friday, follow up in 10 days at 3pm', now)\n"
        "assert parse_when('end of month', now)\n"
        "print('dateparser' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# A figure glued to one letter inside ordinary words (3-D, watts, a pencil grade) and "N out" said of a
# state ("launch is 3 weeks out") are no dates: a write never guesses.
@pytest.mark.parametrize(
    "text",
    [
        "acme wants the renders in 3d",
        "send acme the drawings in 3d",
        "acme wants the batteries in 2d size",
        "acme wants the charger in 65w",
        "acme needs the adapter in 10w",
        "send acme the led panels in 40w",
        "acme wants samples in 4h grade",
        "the tour is filmed in 360d",
        "acme is 2 weeks out from go-live",
        "globex: launch is 3 weeks out",
        "met acme, they're about a week out from signing",
        "we were like 2 weeks out",
    ],
)
def test_find_dates_ignores_glued_units_and_status_out(text: str) -> None:
    assert find_dates(text, NOW) == []


@pytest.mark.parametrize(
    ("text", "said", "day", "hhmm"),
    [
        ("ping juno in 2wks", "in 2wks", "2026-03-18", None),
        ("ping juno in 2 wks", "in 2 wks", "2026-03-18", None),
        ("call acme in 10 days", "in 10 days", "2026-03-14", None),
        ("ping juno in 3w", "in 3w", "2026-03-25", None),
        ("ping juno in 3w and globex", "in 3w", "2026-03-25", None),
        ("call Acme in 10d", "in 10d", "2026-03-14", None),
        ("call Acme in 10d, then email Dana", "in 10d", "2026-03-14", None),
        ("call Acme in 2h.", "in 2h", "2026-03-04", "16:00"),
        ("met acme 2d ago", "2d ago", "2026-03-02", None),
        ("Evergreen: follow up a couple weeks out", "a couple weeks out", "2026-03-18", None),
        ("check in with acme a week out", "a week out", "2026-03-11", None),
    ],
)
def test_find_dates_reads_glued_units_and_out_that_are_dates(
    text: str, said: str, day: str, hhmm: str | None
) -> None:
    (found,) = find_dates(text, NOW, prefer="past" if "ago" in text else "future")
    assert found.text == said
    assert found.when.date == date.fromisoformat(day)
    assert found.when.time == (time.fromisoformat(hhmm) if hhmm else None)


def test_parse_when_reads_a_glued_unit_when_the_whole_text_is_the_date() -> None:
    assert parse_when("in 3d", NOW).date == date(2026, 3, 7)
    assert parse_when("2 weeks out", NOW).date == date(2026, 3, 18)
