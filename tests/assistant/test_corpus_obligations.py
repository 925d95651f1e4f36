"""The rep's own obligation, however said ("I'm to …", "I should …", "I have to …", "will ring him"),
even after the contact's ("he'll review it and I'm to ring him Tuesday"), is a follow-up on its date,
described by the action; the report beside it is still logged.

Today is Wed 4 Mar 2026.
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext

OBLIGATIONS = [
    case(
        "Emailed Arjun at Helios Labs the pricing this morning. He'll review it and I'm to ring him Tuesday",
        logs=[("Helios Labs", "email", None, "pricing")],
        fups=[("Helios Labs", "2026-03-10", "ring him")],
    ),
    case(
        "Called Nordlicht GmbH. I should send Nina the SLA draft on Friday",
        logs=[("Nordlicht GmbH", "call", None, None)],
        fups=[("Nordlicht GmbH", "2026-03-06", "send nina the sla draft")],
    ),
    case(
        "Met Juno Pet Supplies today. We're to send the shelf plan on Monday",
        logs=[("Juno Pet Supplies", "meeting", None, None)],
        fups=[("Juno Pet Supplies", "2026-03-09", "send the shelf plan")],
    ),
    case(
        "Called Café Müller. Jonas will check the menu and I'll send the order form Monday",
        logs=[("Café Müller", "call", None, None)],
        fups=[("Café Müller", "2026-03-09", "send the order form")],
    ),
]


@pytest.mark.parametrize("c", OBLIGATIONS)
def test_the_reps_obligation_is_a_followup(book: ToolContext, c: Case) -> None:
    run_case(book, c)
