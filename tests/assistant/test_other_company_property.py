"""A known customer's first word followed by a business noun its name lacks ('harbor estates' beside Harbor
Vineyards, 'nordlicht farms' beside Nordlicht GmbH) names another company: a write never guesses, so the
engine asks (create it, or did you mean the near one?) and writes nothing to any customer."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import lexicon
from assistant.conversation import respond
from tests.assistant.corpus import _by_name
from tools.context import ToolContext
from tools.name_index import LEGAL_SUFFIXES, fold

# customer name -> the first word a rep types for it (lower case, accents dropped)
FIRST_WORDS = {
    "Juno Pet Supplies": "juno",
    "Helios Labs": "helios",
    "Nordlicht GmbH": "nordlicht",
    "Evergreen Landscaping": "evergreen",
    "Lumière Studio": "lumiere",
    "Summit Partners": "summit",
    "Globex Corporation": "globex",
    "Acme Corp": "acme",
    "Kettle & Crumb Bakery": "kettle",
}
# A legal form is not another company's word: names are matched ignoring it (SPEC), so "acme gmbh" is
# Acme Corp — the name rules decide those, not this property.
NOUNS = sorted(lexicon.COMPANY_WORDS - LEGAL_SUFFIXES)
REPORTS = [
    "call with {} went fine",
    "annual review with {} went well",
    "{} called about pricing",
    "met {} today, all good",
    "{} asked about a loyalty program",
    "talked to {} about the renewal",
    "{} signed the contract",
    "spoke with {} yesterday, they want a demo next week",
    # edits of the book's own follow-ups (Acme: send pricing, Globex: confirm seat count, Lumière: chase
    # the signed quote, Kettle & Crumb: quarterly check-in) by topic
    "push the {} pricing to monday",
    "{} seat count confirmed",
    "cancel the {} signed quote chase",
    "{} quarterly check-in done",
]


def _other(name: str, noun: str) -> bool:
    return not lexicon.word_forms(noun) & set(fold(name).split())


@st.composite
def messages(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(sorted(FIRST_WORDS)))
    noun = draw(st.sampled_from([n for n in NOUNS if _other(name, n)]))
    return draw(st.sampled_from(REPORTS)).format(f"{FIRST_WORDS[name]} {noun}")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=messages())
def test_first_word_and_a_business_noun_writes_nothing(book: ToolContext, text: str) -> None:
    before = _by_name(book)
    reply = respond(book, text)
    assert not reply.wrote, (text, reply.text)
    assert _by_name(book) == before, text


@pytest.mark.parametrize(
    ("text", "near"),
    [
        ("call with juno estates went fine", "Juno Pet Supplies"),
        ("nordlicht farms called about pricing", "Nordlicht GmbH"),
        ("annual review with helios ventures went fine", "Helios Labs"),
        ("evergreen homes signed the contract", "Evergreen Landscaping"),
        ("met globex industries today", "Globex Corporation"),
        ("helios dynamics called", "Helios Labs"),
        ("met nordlicht brothers, all fine", "Nordlicht GmbH"),
    ],
)
def test_the_reply_asks_and_offers_the_near_customer(book: ToolContext, text: str, near: str) -> None:
    reply = respond(book, text)
    assert not reply.wrote and reply.state is not None, reply.text
    assert near in reply.text, reply.text


def test_answering_with_the_near_customer_logs_there(book: ToolContext) -> None:
    asked = respond(book, "call with juno estates went fine")
    done = respond(book, "Juno Pet Supplies", asked.state)
    assert done.wrote and "Juno Pet Supplies" in done.text, done.text


@pytest.mark.parametrize(
    ("text", "whose"),
    [
        ("call with juno went fine", "Juno Pet Supplies"),  # the first word alone still names it
        ("nordlicht called about pricing", "Nordlicht GmbH"),
        ("met helios labs today, all good", "Helios Labs"),  # the noun is the name's own
        ("lumiere studios called about the quote", "Lumière Studio"),  # a plural of the name's own noun
        ("juno pet supplies called about pricing", "Juno Pet Supplies"),
    ],
)
def test_a_noun_of_the_customers_own_name_still_writes(book: ToolContext, text: str, whose: str) -> None:
    before = _by_name(book)
    reply = respond(book, text)
    assert reply.wrote, reply.text
    after = _by_name(book)
    assert [n for n in after if after[n] != before.get(n)] == [whose]


@pytest.mark.parametrize(
    "text",
    [
        "push the juno estates walkthrough to monday",
        "cancel the juno farms walkthrough",
        "juno estates walkthrough done",
        "move the helios ventures walkthrough back two days",
    ],
)
def test_another_companys_follow_up_is_never_edited(book: ToolContext, text: str) -> None:
    for line in ("walkthrough with juno on friday", "walkthrough prep for Helios Labs on monday"):
        assert respond(book, line).wrote
    before = _by_name(book)
    reply = respond(book, text)
    assert not reply.wrote and reply.state is not None, reply.text
    assert _by_name(book) == before, text
