"""A message that names a customer the resolver cannot settle never writes to anyone else.

Today is Wed 4 Mar 2026. "Brightline" fits Brightline Media and Brightline Motors; the open
follow-ups of other customers (Acme "send pricing", Lumière "chase the signed quote" and "plan the
spring shoot", Kettle & Crumb "quarterly check-in", Summit "send the security questionnaire") share
topic words with these messages. Each must ask (or write to a Brightline only after the rep says
which) — never complete, cancel or move another customer's follow-up by topic.
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, chat, run_case
from tools.context import ToolContext
from tools.customers import create_customer, get_customer
from tools.followups import list_followups
from tools.schemas import CreateCustomer, GetCustomer, ListFollowups

AMBIGUOUS_NEVER_ELSEWHERE = [
    case("Brightline sent over their spring shoot plans"),
    case("Brightline sent the signed quote back ✅"),
    case("Brightline pricing sent"),
    case("Brightline: quarterly check-in done"),
    case("drop the Brightline spring shoot plan"),
    case("move the Brightline security questionnaire to Friday"),
    case("Brightline got the pricing, done"),
]

BOTH = [
    # a sentence-initial everyday word that begins two customers' names: which one? -> both
    case(
        ["Brightline sent the new brochure over", "both"],
        logs=[
            ("Brightline Media", None, None, "brochure"),
            ("Brightline Motors", None, None, "brochure"),
        ],
    ),
    case(
        ["Brightline loved the spring shoot plans", "both"],
        logs=[
            ("Brightline Media", None, None, "spring shoot"),
            ("Brightline Motors", None, None, "spring shoot"),
        ],
    ),
    case(
        ["Brightline asked for the pricing again", "2"],
        logs=[("Brightline Motors", None, None, "pricing")],
    ),
]

WEAK_TOPIC_ONLY = [
    # no customer named, one everyday word shared with one follow-up: not a reference, so no write
    case("the plans went over today ✅"),
    case("shoot done"),
]


@pytest.mark.parametrize("c", AMBIGUOUS_NEVER_ELSEWHERE)
def test_an_ambiguous_name_never_edits_a_third_customer(book: ToolContext, c: Case) -> None:
    run_case(book, c)


@pytest.mark.parametrize("c", BOTH)
def test_both_answers_a_leading_shared_word(book: ToolContext, c: Case) -> None:
    run_case(book, c)


@pytest.mark.parametrize("c", WEAK_TOPIC_ONLY)
def test_a_weak_topic_match_with_no_customer_writes_nothing(book: ToolContext, c: Case) -> None:
    run_case(book, c)


@pytest.mark.parametrize(
    "text",
    [
        "Brightline sent over their spring shoot plans",
        "Brightline pricing sent",
        "cancel the Brightline quarterly check-in",
        "Brightline's signed quote is in, mark it done",
    ],
)
@pytest.mark.parametrize("answer", ["both", "Brightline Media", "cancel"])
def test_whatever_the_answer_no_other_customer_changes(book: ToolContext, text: str, answer: str) -> None:
    """Property: after a message naming an ambiguous customer and any answer to the question, every
    open follow-up outside the two Brightlines is as it was."""

    def others() -> list[tuple[int, str, object]]:
        items = list_followups(book, ListFollowups(scope="all", limit=100)).items
        return sorted((f.id, f.status, f.due) for f in items if not f.customer_name.startswith("Brightline"))

    before = others()
    chat(book, [text, answer])
    assert others() == before


@pytest.mark.parametrize(
    ("answer", "meant"),
    [("Grain", "Harvest Grain Co"), ("2", "Harvest Kitchen"), ("harvest kitchen", "Harvest Kitchen")],
)
def test_an_everyday_first_word_shared_by_two_customers_takes_the_answer(
    book: ToolContext, answer: str, meant: str
) -> None:
    """'Harvest asked for …' (an everyday word the spotter leaves alone at a sentence start) asks which
    Harvest; the answer — a distinguishing word, a number, a name — settles it, and only that one is
    written (it used to ask the same question again)."""
    for name in ("Harvest Grain Co", "Harvest Kitchen"):
        create_customer(book, CreateCustomer(name=name))
    asked, done = chat(book, ["Harvest asked for the allergen sheet", answer])
    assert "Which “Harvest”" in asked.text and not asked.wrote
    assert done.wrote and meant in done.text, done.text
    notes = {
        name: [i.body for i in get_customer(book, GetCustomer(customer=name)).recent_interactions]
        for name in ("Harvest Grain Co", "Harvest Kitchen")
    }
    assert notes[meant] == ["Harvest asked for the allergen sheet"]
    assert [n for name, bodies in notes.items() if name != meant for n in bodies] == []
