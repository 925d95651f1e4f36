"""A promise that says 'it' after the customer's request is described by the thing asked for:
"she wants a quote. I'll have it to her by the 15th" -> "have the quote to her".

Today is Wed 4 Mar 2026.
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext

IT_IS_THE_REQUEST = [
    case(
        "Call with Helios Labs: Arjun asked for the price list. I'll send it Friday",
        logs=[("Helios Labs", "call", None, None)],
        fups=[("Helios Labs", "2026-03-06", "send the price list")],
    ),
    case(
        "Met Nordlicht GmbH today, Nina wants a revised quote. I'll have it to her by the 12th",
        logs=[("Nordlicht GmbH", "meeting", None, None)],
        fups=[("Nordlicht GmbH", "2026-03-12", "the revised quote")],
    ),
]


@pytest.mark.parametrize("c", IT_IS_THE_REQUEST)
def test_it_is_the_thing_asked_for(book: ToolContext, c: Case) -> None:
    run_case(book, c)


WRITE_UPS = [
    # an event and its weekday as the heading of what was said there: it happened (last Monday)
    case(
        "Lunch with Nina (Nordlicht GmbH) on Monday: she wants a quote. I'll have it to her by the 12th",
        logs=[("Nordlicht GmbH", None, "2026-03-02", None)],
        fups=[("Nordlicht GmbH", "2026-03-12", "the quote")],
    ),
    case(
        "Coffee with Arjun at Helios Labs on Tuesday: he said they need 20 seats",
        logs=[("Helios Labs", None, "2026-03-03", "20 seats")],
    ),
]


@pytest.mark.parametrize("c", WRITE_UPS)
def test_an_event_headed_write_up_happened(book: ToolContext, c: Case) -> None:
    run_case(book, c)
