"""Stage outcomes in more phrasings (the configured stages): going with someone else is lost, "is a
go" is won, a past stage move ("moved X to …", "X moved to …", "bumped X up to …") is that stage even
with an "after the call" behind it (and the call is logged); hedged or negated ones move nothing.

Today is Wed 4 Mar 2026.
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext

OUTCOMES = [
    case("Nordlicht went with Salesforce in the end", stages={"Nordlicht GmbH": "lost"}),
    case("Helios Labs went with an in-house build instead", stages={"Helios Labs": "lost"}),
    case("Evergreen Landscaping opted for HubSpot after all", stages={"Evergreen Landscaping": "lost"}),
    case("Juno Pet Supplies went with Zoho.", stages={"Juno Pet Supplies": "lost"}),
    case("Helios Labs is a go!", stages={"Helios Labs": "won"}),
    case(
        "Nordlicht moved to proposal after the call today",
        stages={"Nordlicht GmbH": "proposal"},
        logs=[("Nordlicht GmbH", "call", None, None)],
    ),
    case("moved Evergreen to negotiation after the demo", stages={"Evergreen Landscaping": "negotiation"}),
    case("bumped Juno Pet Supplies up to negotiation", stages={"Juno Pet Supplies": "negotiation"}),
    # "after today's call": the day names the call; it is not "after today" (a plan for tomorrow)
    case(
        "moved Helios Labs to negotiation after today's call",
        stages={"Helios Labs": "negotiation"},
        logs=[("Helios Labs", "call", None, None)],
    ),
    case(
        "moved Evergreen Landscaping to proposal after yesterday’s meeting",
        stages={"Evergreen Landscaping": "proposal"},
        logs=[("Evergreen Landscaping", "meeting", None, None)],
    ),
]

NOT_YET = [
    case("Nordlicht might go with a competitor", logs=[("Nordlicht GmbH", None, None, "competitor")]),
    case("Café Müller is not a go yet", logs=[("Café Müller", None, None, "not a go")]),
    case("move Evergreen to won after legal signs", logs=[("Evergreen Landscaping", None, None, "legal")]),
    case("Helios Labs went with the annual plan", logs=[("Helios Labs", None, None, "annual plan")]),
]


@pytest.mark.parametrize("c", OUTCOMES)
def test_outcome_moves_the_stage(book: ToolContext, c: Case) -> None:
    run_case(book, c)


@pytest.mark.parametrize("c", NOT_YET)
def test_hedged_or_other_readings_keep_the_stage(book: ToolContext, c: Case) -> None:
    run_case(book, c)
