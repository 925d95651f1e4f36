"""Picking a conversation up again on a date is a plan (a follow-up on the next such day), not a note.

Today is Wed 4 Mar 2026: "the 2nd" in a plan is Thu 2 Apr.
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext

PLANS = [
    case(
        "pick up the conversation with Nordlicht GmbH again on the 2nd",
        fups=[("Nordlicht GmbH", "2026-04-02", "pick up the conversation")],
    ),
    case("resume talks with Helios Labs on the 20th", fups=[("Helios Labs", "2026-03-20", "resume talks")]),
    case(
        "pick the thread back up with Juno Pet Supplies on the 3rd",
        fups=[("Juno Pet Supplies", "2026-04-03", "thread")],
    ),
]


@pytest.mark.parametrize("c", PLANS)
def test_picking_up_again_is_a_followup(book: ToolContext, c: Case) -> None:
    run_case(book, c)
