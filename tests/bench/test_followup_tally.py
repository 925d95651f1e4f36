"""`list_followups`' total is the number of follow-ups it lists, whatever wrote them.

On SQLite the total of a team-wide list comes from a per-(status, due date) tally kept by triggers
(store/followup_tally.py) instead of counting the follow-ups; these tests page through every list
after each kind of write (schedule, complete, cancel, reschedule, undo, removing customers, a bulk
import and its undo, a copy into a new database) and check the total against what was listed.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from store.copy import copy_database
from store.db import Store
from tests.conftest import make_ctx
from tools.context import ToolContext
from tools.customers import create_customer
from tools.followups import complete_followup, list_followups, reschedule_followup, schedule_followup
from tools.history import undo
from tools.schemas import (
    CompleteFollowup,
    CreateCustomer,
    ListFollowups,
    RescheduleFollowup,
    ScheduleFollowup,
)
from tools.transfer import import_text

LISTS: list[dict[str, object]] = [
    {"scope": "overdue"},
    {"scope": "today"},
    {"scope": "this_week"},
    {"scope": "next_week"},
    {"scope": "all"},
    {"scope": "range", "start": date(2026, 3, 3), "end": date(2026, 3, 12)},
    {"scope": "range", "start": date(2026, 3, 20), "end": date(2026, 4, 30)},
    {"scope": "this_week", "owner": "sam"},
]


def _listed(ctx: ToolContext, **kw: object) -> tuple[int, list[int]]:
    """(total, ids of every follow-up listed across its pages)."""
    ids: list[int] = []
    cursor = None
    total = -1
    while True:
        page = list_followups(ctx, ListFollowups(limit=2, cursor=cursor, **kw))  # type: ignore[arg-type]  # scope and dates from LISTS
        assert total in (-1, page.total)
        total = page.total
        ids += [f.id for f in page.items]
        if not page.has_more:
            return total, ids
        cursor = page.next_cursor


def _check(ctx: ToolContext) -> dict[str, int]:
    totals = {}
    for kw in LISTS:
        total, ids = _listed(ctx, **kw)
        assert total == len(ids) == len(set(ids)), kw
        totals[repr(kw)] = total
    return totals


def test_totals_follow_every_kind_of_write(crm: ToolContext) -> None:
    start = _check(crm)
    made = [
        schedule_followup(
            crm, ScheduleFollowup(customer="Juno", due=due, description=f"task {i}")
        ).followup.id
        for i, due in enumerate(
            ["2026-02-20", "today", "tomorrow", "2026-03-08", "next Tuesday", "2026-03-10"]
        )
    ]
    grown = _check(crm)
    assert grown[repr({"scope": "all"})] == start[repr({"scope": "all"})] + 6
    complete_followup(crm, CompleteFollowup(followup_id=made[0]))
    complete_followup(crm, CompleteFollowup(followup_id=made[1], status="cancelled"))
    reschedule_followup(crm, RescheduleFollowup(followup_id=made[2], due="2026-03-30"))
    reschedule_followup(crm, RescheduleFollowup(followup_id=made[3], due="2026-03-08"))  # the same day
    moved = _check(crm)
    assert moved[repr({"scope": "all"})] == start[repr({"scope": "all"})] + 4
    undo(crm)  # the last reschedule
    undo(crm)  # the one before
    _check(crm)


def test_totals_after_customers_are_removed_and_after_a_copy(ctx: ToolContext, tmp_path: Path) -> None:
    create_customer(ctx, CreateCustomer(name="Tally Test Ltd"))
    for due in ["2026-03-02", "2026-03-05", "2026-03-05", "2026-03-11"]:
        schedule_followup(ctx, ScheduleFollowup(customer="Tally Test", due=due, description="x"))
    assert _check(ctx)[repr({"scope": "all"})] == 4
    undo(ctx)  # the last follow-up
    undo(ctx)
    assert _check(ctx)[repr({"scope": "all"})] == 2
    copy = Store(tmp_path / "copy.db")
    try:
        copy_database(ctx.store, copy, replace=True)
        assert _check(make_ctx(copy))[repr({"scope": "all"})] == 2
    finally:
        copy.close()
    undo(ctx)
    undo(ctx)
    undo(ctx)  # the customer itself
    assert _check(ctx)[repr({"scope": "all"})] == 0


def test_totals_after_a_bulk_import_and_its_undo(ctx: ToolContext) -> None:
    # 250 customers: the import's chunked INSERTs write the follow-ups, and its undo deletes the
    # customers set-wise (the follow-ups go by ON DELETE CASCADE).
    book = {
        "format": "crm-export",
        "version": 1,
        "customers": [
            {
                "name": f"Tally Bulk {i:03d}",
                "owner": "sam" if i % 2 else "kim",
                "followups": [
                    {"due": f"2026-03-{1 + i % 14:02d}", "description": "call", "owner": "sam"},
                    *([{"due": "2026-02-27", "description": "late"}] if i % 3 == 0 else []),
                ],
            }
            for i in range(250)
        ],
    }
    import_text(make_ctx(ctx.store, source="import"), json.dumps(book), kind="json", label="bulk")
    assert _check(ctx)[repr({"scope": "all"})] == 250 + 84
    undo(make_ctx(ctx.store, source="import"))
    assert _check(ctx)[repr({"scope": "all"})] == 0
