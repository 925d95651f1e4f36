"""'This morning', 'this am', 'earlier today' with an event report (a past verb or just the noun) is
something that happened: logged as an interaction today, not scheduled as a follow-up.

Today is Wed 4 Mar 2026, 14:00.
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext

PAST_TODAY = [
    case(
        "meeting w/ Nordlicht this am re the rollout", logs=[("Nordlicht GmbH", "meeting", None, "rollout")]
    ),
    case("call with Helios Labs this am about the pricing tiers", logs=[("Helios Labs", "call", None, None)]),
    case(
        "meeting with Juno Pet Supplies earlier today about shelf space",
        logs=[("Juno Pet Supplies", "meeting", None, "shelf space")],
    ),
    case("demo for Café Müller this a.m. went fine", logs=[("Café Müller", None, None, "went fine")]),
]


@pytest.mark.parametrize("c", PAST_TODAY)
def test_this_morning_is_past(book: ToolContext, c: Case) -> None:
    run_case(book, c)
