"""The typed spans the later stages read instead of the raw text: what a question asks for, the
clause-initial subject / pledge and the customer's 'will', what the customer asked for, who won a lost
deal, the part of the day of a date ahead, and a move by an amount."""

from __future__ import annotations

from datetime import time

import pytest

from assistant.reading import read
from assistant.understanding import interpret
from tools.context import ToolContext


@pytest.mark.parametrize(
    ("text", "kind", "words"),
    [
        ("when did we last speak with Acme?", "last_contact", ""),
        ("who mentioned data residency?", "search_who", "data residency"),
        ("search notes for onboarding", "search", "onboarding"),
        ("number for Dana?", "phone", ""),
        ("anything still open with Acme?", "open_items", ""),
        ("find Globex", "find", "Globex"),
        ("which deals are in negotiation?", "several", ""),
    ],
)
def test_a_question_reads_as_ask_spans(book: ToolContext, text: str, kind: str, words: str) -> None:
    r = read(book, text)
    assert r.question
    found = [a for a in r.asks if a.kind == kind]
    assert found, r.asks
    if words:
        assert found[0].words == words
    assert text[found[0].start : found[0].end].strip()  # the span is the question's own words


def test_a_statement_has_no_ask_spans(book: ToolContext) -> None:
    assert read(book, "Met Acme, they want the onboarding plan").asks == []


def test_clause_initial_cues_after_a_lead_word(book: ToolContext) -> None:
    r = read(book, "Met Acme. btw I'll send Dana the deck. and they emailed the brief")
    kinds = {c.kind for c in r.cues}
    assert {"pledge", "subject"} <= kinds


def test_the_customers_will_is_their_news_not_a_promise(book: ToolContext) -> None:
    f = interpret(read(book, "Helios will send the signed DPA by Friday"))
    assert not f.promises and f.happened is not None


def test_their_deed_closes_no_follow_up_of_ours(book: ToolContext) -> None:
    """'Summit has just sent the questionnaire': they sent it — our 'send the security questionnaire'
    stays open (words between the subject and the deed are only fillers)."""
    f = interpret(read(book, "Summit Partners has just sent the security questionnaire back"))
    assert not [e for e in f.edits if e.action == "done"]


def test_what_was_asked_for_names_the_it_of_a_promise(book: ToolContext) -> None:
    r = read(book, "Met Acme, Dana wants a quote. I'll have it to her by Friday")
    assert [c.text for c in r.cues if c.kind == "asked_for"] == ["quote"]
    (p,) = interpret(r).promises
    assert "the quote" in p.description


@pytest.mark.parametrize(
    ("text", "winner"),
    [
        ("Evergreen went with GreenCo", "GreenCo"),
        ("Nordlicht chose Siemens over us", "Siemens"),
        ("we lost Globex to Initech", "Initech"),
        ("lost Juno to a cheaper vendor", "a cheaper vendor"),
    ],
)
def test_a_lost_outcome_knows_who_won(book: ToolContext, text: str, winner: str) -> None:
    (s,) = [s for s in read(book, text).stages if s.stage == "lost"]
    assert s.winner is not None and text[s.winner.start : s.winner.end] == winner


def test_the_winner_is_not_a_customer_of_the_message(book: ToolContext) -> None:
    r = read(book, "Summit went with Acme Corp")
    assert not [s for s in r.customers if s.text == "Acme Corp"]


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("call Acme first thing tomorrow", time(9, 0)),
        ("ping Globex thursday afternoon", time(14, 0)),
        ("send it EOD friday", time(17, 0)),
        ("call them friday in the morning", time(9, 0)),
        ("ring Nordlicht tonight", time(18, 0)),
        ("call Helios tomorrow morning at 10:30", time(10, 30)),
    ],
)
def test_the_part_of_the_day_of_a_date_ahead_is_its_time(book: ToolContext, text: str, at: time) -> None:
    (d,) = read(book, text).dates
    assert d.when.time == at


def test_a_past_part_of_the_day_stays_a_date(book: ToolContext) -> None:
    (d,) = read(book, "met Acme this morning").dates
    assert d.when.time is None


@pytest.mark.parametrize(
    ("text", "days"),
    [("push the call two days", 2), ("move the demo a week", 7), ("bump the Acme check-in 3 days", 3)],
)
def test_a_move_by_an_amount_is_a_shift(book: ToolContext, text: str, days: int) -> None:
    assert [s.days for s in read(book, text).shifts] == [days]
