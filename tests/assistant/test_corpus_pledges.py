"""An undated promise of the rep's ("I'll get the onboarding pack over to X") asks when; a bare date
as the answer ("the 21st") makes the follow-up — the dialogue holds the pending promise.

Today is Wed 4 Mar 2026.
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext

PLEDGES = [
    case(
        ["I'll get the onboarding pack over to Nordlicht GmbH", "the 21st"],
        fups=[("Nordlicht GmbH", "2026-03-21", "onboarding pack")],
    ),
    case(
        ["we'll send Helios Labs the revised SOW", "Friday"],
        fups=[("Helios Labs", "2026-03-06", "revised sow")],
    ),
    case(
        ["Met Juno Pet Supplies today. I'll put together the shelf plan", "next Tuesday"],
        logs=[("Juno Pet Supplies", "meeting", None, None)],
        fups=[("Juno Pet Supplies", "2026-03-10", "shelf plan")],
    ),
]


@pytest.mark.parametrize("c", PLEDGES)
def test_an_undated_pledge_asks_when_and_the_date_makes_it(book: ToolContext, c: Case) -> None:
    run_case(book, c)
