"""Session 7's classes, in fresh phrasings with the near-misses that must not write: "next <weekday>" is
that day of next week, durations as reps type them, a day's tense decided by its clause, a customer's
lower-case name alone or before a dash, a bare answer to "when?", a contact added after the customer's
name, a request without a date, and a rename used in the same message.

Book: tests/assistant/corpus.py. Now is Wed 4 Mar 2026 14:00 UTC (this week Mon 2 - Sun 8 Mar).
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext

# ---- 1. "next <weekday>" is that weekday of next week (Mon 9 - Sun 15), said on any day ---------------
NEXT_WEEKDAY = [
    case("call Acme next thursday", fups=[("Acme Corp", "2026-03-12", "call")]),
    case("follow up with Helios next Friday", fups=[("Helios Labs", "2026-03-13", None)]),
    case("ping juno nxt thurs re the catalog", fups=[("Juno Pet Supplies", "2026-03-12", "catalog")]),
    case("send Globex the seat count next fri", fups=[("Globex Corporation", "2026-03-13", "seat count")]),
    case("demo for Summit Partners next sunday", fups=[("Summit Partners", "2026-03-15", "demo")]),
    case("call Acme next monday", fups=[("Acme Corp", "2026-03-09", "call")]),  # the same either way
    # "this coming" / a bare weekday is the nearest one ahead
    case("call Acme this coming thursday", fups=[("Acme Corp", "2026-03-05", "call")]),
    case("call Acme thursday", fups=[("Acme Corp", "2026-03-05", "call")]),
    case("ping Helios coming friday", fups=[("Helios Labs", "2026-03-06", None)]),
    # a past "last <weekday>" is the last one before today
    case("met Acme last thursday", logs=[("Acme Corp", "meeting", "2026-02-26", None)]),
    case("Globex - Holly wants to meet next Thursday at 2", asks=True),  # Holly is not at Globex: ask
]

# ---- 2. durations --------------------------------------------------------------------------------
DURATIONS = [
    case("acme check-in a week", fups=[("Acme Corp", "2026-03-11", "check-in")]),
    case("check in with acme in a week", fups=[("Acme Corp", "2026-03-11", "check in")]),
    case("globex check in in a week", fups=[("Globex Corporation", "2026-03-11", "check in")]),
    case("follow up with Helios a week from now", fups=[("Helios Labs", "2026-03-11", None)]),
    case("ping juno in 2 wks", fups=[("Juno Pet Supplies", "2026-03-18", None)]),
    case("ping juno in 2wks", fups=[("Juno Pet Supplies", "2026-03-18", None)]),
    case("nudge helios in ten days", fups=[("Helios Labs", "2026-03-14", None)]),
    case("follow up with Summit Partners in a fortnight", fups=[("Summit Partners", "2026-03-18", None)]),
    case("call Acme in like a week", fups=[("Acme Corp", "2026-03-11", "call")]),
    case("call Nordlicht in about 10 days", fups=[("Nordlicht GmbH", "2026-03-14", "call")]),
    case("Evergreen: follow up a couple weeks out", fups=[("Evergreen Landscaping", "2026-03-18", None)]),
    case("call Acme in 10d", fups=[("Acme Corp", "2026-03-14", "call")]),
    # a duration that is no date writes no follow-up
    case("met Acme, the rollout took 10 days", logs=[("Acme Corp", "meeting", None, "rollout")]),
    case(
        "globex: the check-in a week later went fine",
        logs=[("Globex Corporation", None, None, "went fine")],
        lacks=["Follow-up"],
        also_changed=[],
    ),
]


@pytest.mark.parametrize("c", NEXT_WEEKDAY + DURATIONS)
def test_session7_dates(book: ToolContext, c: Case) -> None:
    run_case(book, c)
