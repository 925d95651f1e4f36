"""Follow-ups: scheduling in words or ISO, completing, rescheduling, and the lists reps live by.

The sample book (today is Wednesday 2026-03-04): Acme due Fri 03-06 (sam), Globex due Mon 03-02 (kim,
overdue), Kettle & Crumb due Tue 03-10 (sam, next week).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from tests.conftest import make_ctx
from tools.context import ToolContext
from tools.customers import get_customer
from tools.errors import CustomerNotFound, InvalidArgument, InvalidDate, NotFound
from tools.followups import (
    complete_followup,
    followups_by_ref,
    list_followups,
    reschedule_followup,
    schedule_followup,
)
from tools.schemas import CompleteFollowup, GetCustomer, ListFollowups, RescheduleFollowup, ScheduleFollowup


def due(ctx: ToolContext, **kw: object) -> list[tuple[str, str, bool]]:
    result = list_followups(ctx, ListFollowups(**kw))
    return [(f.customer_name, f.due.isoformat(), f.overdue) for f in result.items]


def schedule(ctx: ToolContext, customer: str, when: str, what: str = "", **kw: object) -> date:
    return schedule_followup(
        ctx, ScheduleFollowup(customer=customer, due=when, description=what, **kw)
    ).followup.due


# ---- scheduling -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("2026-03-20", date(2026, 3, 20)),
        ("tomorrow", date(2026, 3, 5)),
        ("next Tuesday", date(2026, 3, 10)),
        ("Friday", date(2026, 3, 6)),
        ("in 2 weeks", date(2026, 3, 18)),
        ("end of month", date(2026, 3, 31)),
    ],
)
def test_schedule_understands_iso_and_words(crm: ToolContext, said: str, expected: date) -> None:
    assert schedule(crm, "Juno", said, "call back") == expected


def test_schedule_with_a_time_keeps_the_local_time(crm: ToolContext) -> None:
    f = schedule_followup(
        crm, ScheduleFollowup(customer="Juno", due="tomorrow 3pm", description="demo")
    ).followup
    assert (f.due, f.due_time, f.owner, f.status, f.overdue) == (
        date(2026, 3, 5),
        "15:00",
        "sam",
        "open",
        False,
    )


def test_schedule_uses_the_reps_calendar(crm: ToolContext) -> None:
    # 14:00 UTC on Wednesday is already Thursday in Auckland: "tomorrow" there is Friday.
    auckland = make_ctx(crm.store, tz="Pacific/Auckland")
    assert schedule(auckland, "Juno", "tomorrow") == date(2026, 3, 6)


def test_schedule_for_another_rep(crm: ToolContext) -> None:
    schedule(crm, "Juno", "2026-03-05", "samples", owner="kim")
    assert ("Juno Pet Supplies", "2026-03-05", False) in due(crm, owner="kim")


@pytest.mark.parametrize("said", ["February 30", "2026-02-30", "banana", "the 45th"])
def test_a_bad_date_is_refused_and_nothing_scheduled(crm: ToolContext, said: str) -> None:
    with pytest.raises(InvalidDate):
        schedule(crm, "Juno", said)
    assert get_customer(crm, GetCustomer(customer="Juno")).open_followups == []


def test_february_30_says_why(crm: ToolContext) -> None:
    with pytest.raises(InvalidDate, match="February"):
        schedule(crm, "Juno", "February 30")


def test_schedule_for_unknown_customer(crm: ToolContext) -> None:
    with pytest.raises(CustomerNotFound):
        schedule(crm, "Zebra Unlimited", "tomorrow")


def test_source_ref_finds_the_followup(crm: ToolContext) -> None:
    f = schedule_followup(crm, ScheduleFollowup(customer="Juno", due="tomorrow"), source_ref="tg:7").followup
    assert followups_by_ref(crm, "tg:7") == [f.id]


# ---- complete / reschedule --------------------------------------------------------------------------


def test_complete_by_customer_with_one_open_followup(crm: ToolContext) -> None:
    done = complete_followup(crm, CompleteFollowup(customer="Acme")).followup
    assert (done.customer_name, done.status, done.description) == ("Acme Corp", "done", "send pricing")
    assert get_customer(crm, GetCustomer(customer="Acme")).open_followups == []
    assert "Acme Corp" not in [n for n, _, _ in due(crm)]


def test_cancel_by_id(crm: ToolContext) -> None:
    fid = get_customer(crm, GetCustomer(customer="Globex")).open_followups[0].id
    assert (
        complete_followup(crm, CompleteFollowup(followup_id=fid, status="cancelled")).followup.status
        == "cancelled"
    )
    with pytest.raises(InvalidArgument, match="already cancelled"):
        complete_followup(crm, CompleteFollowup(followup_id=fid))


def test_complete_needs_to_know_which(crm: ToolContext) -> None:
    schedule(crm, "Acme", "next Tuesday", "security review")
    with pytest.raises(InvalidArgument) as err:
        complete_followup(crm, CompleteFollowup(customer="Acme"))
    assert "send pricing" in str(err.value) and "security review" in str(err.value)
    with pytest.raises(NotFound):
        complete_followup(crm, CompleteFollowup(customer="Juno"))  # none open
    with pytest.raises(NotFound):
        complete_followup(crm, CompleteFollowup(followup_id=9999))
    with pytest.raises(InvalidArgument):
        complete_followup(crm, CompleteFollowup())
    with pytest.raises(ValidationError):
        CompleteFollowup(followup_id=1, status="maybe")


def test_reschedule_moves_the_date_and_says_from_where(crm: ToolContext) -> None:
    moved = reschedule_followup(crm, RescheduleFollowup(customer="Globex", due="next Monday"))
    assert moved.previous_due == date(2026, 3, 2)
    assert (moved.followup.due, moved.followup.overdue) == (date(2026, 3, 9), False)
    assert due(crm, scope="overdue") == []


def test_reschedule_refuses_a_closed_followup_or_a_bad_date(crm: ToolContext) -> None:
    with pytest.raises(InvalidDate):
        reschedule_followup(crm, RescheduleFollowup(customer="Acme", due="February 30"))
    assert get_customer(crm, GetCustomer(customer="Acme")).open_followups[0].due == date(2026, 3, 6)
    fid = complete_followup(crm, CompleteFollowup(customer="Acme")).followup.id
    with pytest.raises(InvalidArgument, match="done"):
        reschedule_followup(crm, RescheduleFollowup(followup_id=fid, due="tomorrow"))


# ---- lists ------------------------------------------------------------------------------------------


def test_this_week_includes_overdue_flagged_for_the_whole_team(crm: ToolContext) -> None:
    assert due(crm) == [("Globex Corporation", "2026-03-02", True), ("Acme Corp", "2026-03-06", False)]
    result = list_followups(crm, ListFollowups(scope="this_week"))
    assert (result.start, result.end, result.total) == (date(2026, 3, 2), date(2026, 3, 8), 2)


def test_overdue_from_weeks_ago_is_in_this_week(crm: ToolContext) -> None:
    schedule(crm, "Juno", "2026-01-15", "old promise")
    assert due(crm)[0] == ("Juno Pet Supplies", "2026-01-15", True)


def test_this_week_runs_monday_to_sunday(crm: ToolContext) -> None:
    schedule(crm, "Juno", "2026-03-08", "sunday")
    schedule(crm, "Evergreen", "2026-03-09", "next monday")
    assert [d for _, d, _ in due(crm)] == ["2026-03-02", "2026-03-06", "2026-03-08"]


def test_one_owner(crm: ToolContext) -> None:
    assert due(crm, owner="sam") == [("Acme Corp", "2026-03-06", False)]
    assert due(crm, owner="kim") == [("Globex Corporation", "2026-03-02", True)]
    assert due(crm, owner="nobody") == []


def test_today_lists_due_today_and_overdue(crm: ToolContext) -> None:
    schedule(crm, "Juno", "today", "ring")
    assert due(crm, scope="today") == [
        ("Globex Corporation", "2026-03-02", True),
        ("Juno Pet Supplies", "2026-03-04", False),
    ]


def test_overdue_only(crm: ToolContext) -> None:
    assert due(crm, scope="overdue") == [("Globex Corporation", "2026-03-02", True)]


def test_next_week_has_no_overdue(crm: ToolContext) -> None:
    assert due(crm, scope="next_week") == [("Kettle & Crumb Bakery", "2026-03-10", False)]
    result = list_followups(crm, ListFollowups(scope="next_week"))
    assert (result.start, result.end) == (date(2026, 3, 9), date(2026, 3, 15))


def test_range_and_all(crm: ToolContext) -> None:
    assert due(crm, scope="range", start=date(2026, 3, 5), end=date(2026, 3, 10)) == [
        ("Acme Corp", "2026-03-06", False),
        ("Kettle & Crumb Bakery", "2026-03-10", False),
    ]
    assert len(due(crm, scope="all")) == 3
    with pytest.raises(InvalidArgument, match="start and end"):
        due(crm, scope="range", start=date(2026, 3, 5))
    with pytest.raises(InvalidArgument, match="before it starts"):
        due(crm, scope="range", start=date(2026, 3, 10), end=date(2026, 3, 5))


def test_the_week_is_the_users_week(crm: ToolContext) -> None:
    # Sunday 22:00 in Los Angeles is already Monday in UTC: the LA rep still sees their own week.
    sunday_night = datetime(2026, 3, 9, 5, 0, tzinfo=ZoneInfo("UTC"))
    la = make_ctx(crm.store, tz="America/Los_Angeles", now=sunday_night)
    assert list_followups(la, ListFollowups()).start == date(2026, 3, 2)
    utc = make_ctx(crm.store, now=sunday_night)
    assert list_followups(utc, ListFollowups()).start == date(2026, 3, 9)


def test_done_ones_leave_the_lists(crm: ToolContext) -> None:
    complete_followup(crm, CompleteFollowup(customer="Globex"))
    assert due(crm) == [("Acme Corp", "2026-03-06", False)]


def test_lists_page_and_are_soonest_first(crm: ToolContext) -> None:
    for day in (7, 5, 3):
        schedule(crm, "Juno", f"2026-03-0{day}", f"d{day}")
    first = list_followups(crm, ListFollowups(limit=3))
    assert [f.due.day for f in first.items] == [2, 3, 5]
    assert first.has_more and first.total == 5
    rest = list_followups(crm, ListFollowups(limit=3, cursor=first.next_cursor))
    assert [f.due.day for f in rest.items] == [6, 7] and not rest.has_more


def test_list_for_one_customer(crm: ToolContext) -> None:
    assert due(crm, scope="all", customer="Kettle") == [("Kettle & Crumb Bakery", "2026-03-10", False)]
