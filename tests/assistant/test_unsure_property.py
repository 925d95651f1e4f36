"""A message whose customer is ambiguous or unknown writes nothing to any customer until the rep answers
(property test): reports, promises, outcomes, follow-up edits and record edits alike."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.conversation import respond
from tests.assistant.corpus import _by_name, fresh_book
from tests.conftest import Databases

# Brightline: Media and Motors; Holly: a contact at two customers; the others exist nowhere.
UNSURE = ["Brightline", "brightline", "Holly", "Bramble Labs", "Zorblax Industries", "Orion Freight"]
SAYINGS = [
    "{} called, they want the deck",
    "met {} yesterday, budget approved",
    "send {} the price list by Friday",
    "follow up with {} tomorrow morning",
    "{} signed the contract",
    "{} went with a competitor",
    "we lost {} to Initech",
    "push the {} check-in two days",
    "done with the {} follow-up",
    "tag {} as vip",
    "{} email is hello@unsure.example",
    "{}'s phone number is 555-0199",
    "add Dana Roe as buyer at {}",
    "new contact at {}: Lee Park, buyer",
    "{} deal value is 40k",
    "reassign {} to kim",
    "note for {}: wants a call",
    "move {} to proposal",
]


@st.composite
def messages(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(SAYINGS)).format(draw(st.sampled_from(UNSURE)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=messages())
def test_an_unsure_customer_writes_nothing(databases: Databases, tmp_path_factory, text: str) -> None:
    with fresh_book(databases, tmp_path_factory, "u") as ctx:
        before = _by_name(ctx)
        reply = respond(ctx, text)
        assert not reply.wrote and reply.batch is None, (text, reply.text)
        assert _by_name(ctx) == before, text
