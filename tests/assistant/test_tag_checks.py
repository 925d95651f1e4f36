"""Checks said as statements — tag endings typed without '?' or apostrophes ("isnt it", "yet right"),
and "nobody/no one has …" — are questions: answered, never written (corpus cases and a property)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.conversation import respond
from tests.assistant.corpus import Case, _by_name, case, fresh_book, run_case
from tests.conftest import Databases
from tools.context import ToolContext

CASES = [
    case("Lumiere is still at proposal isnt it", reply=["proposal"]),
    case("helios is in negotiation right", reply=["negotiation"]),
    case("acme's still qualified yeah", reply=["qualified"]),
    case("nobody's followed up with Nordlicht yet right", reply=["Nordlicht"]),
    case("no one has called Evergreen this week", reply=["Evergreen"]),
    case("Globex signed already didnt they", reply=["Globex"]),
    case("we lost Juno didnt we", reply=["Juno"]),
    # a stage said with "still" reports no change: nothing moves, it is checked
    case("Lumiere is still at proposal", reply=["proposal"]),
    case("Acme is still in negotiation", reply=["qualified"]),
    # "still" with no stage is news
    case("Acme is still keen", logs=[("Acme Corp", "note", None, "still keen")]),
    # a report that ends in "right" as an adverb is still a report
    case("Met Acme, everything went right", logs=[("Acme Corp", "meeting", None, "went right")]),
]


@pytest.mark.parametrize("c", CASES)
def test_checks(book: ToolContext, c: Case) -> None:
    run_case(book, c)


SUBJECTS = ["Acme", "helios labs", "Globex", "lumiere", "Kettle & Crumb", "summit partners"]
CLAIMS = [
    "is still at proposal",
    "is in negotiation",
    "signed last week",
    "went with a competitor",
    "is a lead",
    "moved to won",
    "got the deck",
]
ENDINGS = [
    " isnt it",
    " isn't it",
    " right",
    ", right",
    " yeah",
    " correct",
    " didnt they",
    " arent they",
    ", no?",
]


@st.composite
def checks(draw: st.DrawFn) -> str:
    return (
        f"{draw(st.sampled_from(SUBJECTS))} {draw(st.sampled_from(CLAIMS))}{draw(st.sampled_from(ENDINGS))}"
    )


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(checks(), st.sampled_from(["nobody's called acme yet", "no one has emailed globex"])))
def test_a_check_never_writes(databases: Databases, tmp_path_factory, text: str) -> None:
    with fresh_book(databases, tmp_path_factory, "t") as ctx:
        before = _by_name(ctx)
        reply = respond(ctx, text)
        assert not reply.wrote, (text, reply.text)
        assert _by_name(ctx) == before, text
