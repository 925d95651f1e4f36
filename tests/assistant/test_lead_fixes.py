"""Two classes a blind set found after the engine work of session 5 (the lead's fixes): a one-word
customer name followed by a business noun it lacks is another company ("evergreen nurseries" beside
Evergreen), and a positive tag after a negative statement asks ("… hasn't signed yet has it")."""

from __future__ import annotations

import pytest

from assistant.conversation import respond
from tests.assistant.corpus import _by_name
from tools.context import ToolContext
from tools.customers import create_customer
from tools.schemas import CreateCustomer


@pytest.fixture
def one_word(book: ToolContext) -> ToolContext:
    for name in ("Evergreen", "Summit"):
        create_customer(book, CreateCustomer(name=name))
    return book


@pytest.mark.parametrize(
    "text",
    [
        "evergreen nurseries asked for a hedge planting quote",
        "Evergreen Nurseries asked for a hedge planting quote",
        "met summit roofing about the gutter job",
        "call with summit dental went well, they want a quote",
        "summit homes signed the contract",
    ],
)
def test_a_one_word_name_and_a_business_noun_it_lacks_is_another_company(
    one_word: ToolContext, text: str
) -> None:
    before = _by_name(one_word)
    reply = respond(one_word, text)
    assert not reply.wrote, reply.text
    assert _by_name(one_word) == before


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("evergreen asked for a hedge planting quote", "Evergreen"),
        ("met evergreen's nursery team about the hedges", "Evergreen"),
        ("summit called about the gutter job", "Summit"),
    ],
)
def test_the_one_word_name_alone_or_possessive_is_still_that_customer(
    one_word: ToolContext, text: str, who: str
) -> None:
    reply = respond(one_word, text)
    assert reply.wrote and who in reply.text, reply.text


@pytest.mark.parametrize(
    "text",
    [
        "acme hasn't signed yet has it",
        "acme corp havent paid the invoice have they",
        "globex didn't sign did they.",
        "acme isnt at proposal is it",
    ],
)
def test_a_positive_tag_after_a_negative_statement_is_a_question(book: ToolContext, text: str) -> None:
    before = _by_name(book)
    reply = respond(book, text)
    assert not reply.wrote, reply.text
    assert _by_name(book) == before


@pytest.mark.parametrize(
    "text",
    [
        "called acme, they didn't sign, not sure why they did it",
        "met acme, they haven't decided, the cfo has it",
    ],
)
def test_a_statement_ending_in_a_subject_and_verb_is_still_logged(book: ToolContext, text: str) -> None:
    reply = respond(book, text)
    assert reply.wrote and "Acme" in reply.text, reply.text
