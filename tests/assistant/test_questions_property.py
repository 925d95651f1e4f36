"""A message read as a question writes nothing, whatever else it says (property test)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.conversation import respond
from assistant.reading import read
from tests.assistant.corpus import _by_name, fresh_book
from tests.conftest import Databases

NAMES = ["Acme", "Globex", "Helios Labs", "Nordlicht", "Kettle & Crumb", "Juno Pet Supplies", "Bramble Labs"]
OPENERS = [
    "is",
    "has",
    "did",
    "what's",
    "when did we last talk to",
    "who owns",
    "any news from",
    "",
    "so",
    "show me",
    "tell me about",
    "when was the last call with",
]
MIDDLES = [
    "signed",
    "still in proposal",
    "lost to a competitor",
    "send the deck by Friday",
    "follow up tomorrow",
    "met yesterday",
    "moved to won",
    "number for dana",
    "cancel the check-in",
    "price list sent ✅",
    "email is info@acme.example",
    "phone number is 555-0100",
    "tag as vip",
    "went with a competitor",
    "new contact Dana Roe",
    "",
]
TAGS = [
    "?",
    ", right?",
    ", hasn't it?",
    " isn't it?",
    " — did they?",
    "??",
    " didn't they",
    ", wasn't it",
    ", right",
]


@st.composite
def questions(draw: st.DrawFn) -> str:
    parts = [draw(st.sampled_from(OPENERS)), draw(st.sampled_from(NAMES)), draw(st.sampled_from(MIDDLES))]
    return " ".join(p for p in parts if p).strip() + draw(st.sampled_from(TAGS))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=questions())
def test_no_message_read_as_a_question_writes(databases: Databases, tmp_path_factory, text: str) -> None:
    with fresh_book(databases, tmp_path_factory, "q") as ctx:
        assert read(ctx, text).question, text
        before = _by_name(ctx)
        reply = respond(ctx, text)
        assert not reply.wrote and reply.batch is None, (text, reply.text)
        assert _by_name(ctx) == before, text
