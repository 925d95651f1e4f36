"""Dates read where none was said are wrong writes: a figure glued to one letter inside ordinary words
("the renders in 3d", "the charger in 65w", "samples in 4h grade") and "N out" said of a state ("launch is
3 weeks out") move no follow-up; the same forms a rep types as a date still do.

Book: tests/assistant/corpus.py. Now is Wed 4 Mar 2026 14:00 UTC.
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext

NO_DATE = ["Follow-up"]

CASES = [
    # a glued unit inside ordinary words: 3-D, a battery size, watts, a pencil grade
    case("acme wants the renders in 3d", logs=[("Acme Corp", "note", "2026-03-04", None)], lacks=NO_DATE),
    case("send acme the drawings in 3d", asks=True, lacks=NO_DATE),
    case(
        "acme wants the batteries in 2d size", logs=[("Acme Corp", "note", "2026-03-04", None)], lacks=NO_DATE
    ),
    case("acme wants the charger in 65w", logs=[("Acme Corp", "note", "2026-03-04", None)], lacks=NO_DATE),
    case("acme needs the adapter in 10w", logs=[("Acme Corp", "note", "2026-03-04", None)], lacks=NO_DATE),
    case("send acme the led panels in 40w", asks=True, lacks=NO_DATE),
    case(
        "acme wants samples in 4h grade",
        logs=[("Acme Corp", "note", "2026-03-04", None)],
        asks=True,
        lacks=NO_DATE,
    ),
    # "N out" after a form of "be", or "out from ...": a status report
    case("acme is 2 weeks out from go-live", logs=[("Acme Corp", "note", "2026-03-04", None)], lacks=NO_DATE),
    case(
        "globex: launch is 3 weeks out",
        logs=[("Globex Corporation", "note", "2026-03-04", None)],
        lacks=NO_DATE,
    ),
    # still dates: the rep's own action
    case("Evergreen: follow up a couple weeks out", fups=[("Evergreen Landscaping", "2026-03-18", None)]),
    case("ping juno in 3w", fups=[("Juno Pet Supplies", "2026-03-25", None)]),
    case("call Acme in 10d", fups=[("Acme Corp", "2026-03-14", "call")]),
    case("ping juno in 2wks", fups=[("Juno Pet Supplies", "2026-03-18", None)]),
]


@pytest.mark.parametrize("c", CASES)
def test_no_date_where_none_was_said(book: ToolContext, c: Case) -> None:
    run_case(book, c)
