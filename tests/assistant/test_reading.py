"""The reading stage: clauses, pasted text, dates marked past or future, stages, cues, follow-up refs."""

from __future__ import annotations

import pytest

from assistant.reading import read
from tools.context import ToolContext
from tools.dates import InvalidDate


def test_clauses_break_at_commas_that_start_something_new(book: ToolContext) -> None:
    r = read(book, "Met Acme, send them the deck by Friday")
    assert [c.text for c in r.clauses] == ["Met Acme", "send them the deck by Friday"]


def test_dictation_without_punctuation_breaks_before_a_new_subject_and_a_cue(book: ToolContext) -> None:
    r = read(book, "rosa rang they want the spring quote follow up next tuesday")
    assert [c.text for c in r.clauses] == [
        "rosa rang",
        "they want the spring quote",
        "follow up next tuesday",
    ]


def test_a_noun_follow_up_is_not_a_clause_break(book: ToolContext) -> None:
    assert len(read(book, "finished the globex follow up").clauses) == 1


def test_a_weekday_in_a_plan_is_the_next_one_and_in_a_report_the_last_one(book: ToolContext) -> None:
    plan = read(book, "site tour with Acme on thurs")
    report = read(book, "met Acme on thurs")
    assert [(str(d.when.date), d.tense) for d in plan.dates] == [("2026-03-05", "future")]
    assert [(str(d.when.date), d.tense) for d in report.dates] == [("2026-02-26", "past")]


def test_a_date_fragment_takes_the_tense_of_its_neighbour(book: ToolContext) -> None:
    r = read(book, "On Monday we called Kettle & Crumb about the invoice")
    assert [str(d.when.date) for d in r.dates] == ["2026-03-02"]


def test_dates_inside_pasted_text_are_marked_quoted(book: ToolContext) -> None:
    r = read(book, 'Dana wrote: "as agreed on Monday, we go ahead"')
    assert [d.quoted for d in r.dates] == [True]
    assert r.clauses[-1].quoted


def test_stage_phrases_carry_negation_and_hedging(book: ToolContext) -> None:
    def polarity(text: str) -> list[tuple[str, str]]:
        return [(s.stage, s.polarity) for s in read(book, text).stages]

    assert polarity("Globex signed the contract") == [("won", "affirmed")]
    assert polarity("Globex has not signed yet") == [("won", "negated")]
    assert polarity("hoping Globex signs next week") == [("won", "hedged")]
    assert polarity("we lost Acme to a cheaper vendor") == [("lost", "affirmed")]
    assert [(s.stage, s.command) for s in read(book, "move Acme to proposal").stages] == [("proposal", True)]


def test_the_signed_quote_is_a_document_not_an_outcome_reading_only_flags_it(book: ToolContext) -> None:
    assert [s.stage for s in read(book, "Budget signed off at Acme").stages] == []


def test_shorthand_cues(book: ToolContext) -> None:
    r = read(book, "mtg w/ dana @ acme tmrw 9am")
    kinds = {c.kind for c in r.cues}
    assert {"meeting", "event"} <= kinds
    assert [(str(d.when.date), str(d.when.time)) for d in r.dates] == [("2026-03-05", "09:00:00")]


def test_follow_ups_are_found_by_their_topic(book: ToolContext) -> None:
    r = read(book, "sent Acme the pricing ✅")
    assert [f.description for f in r.followups] == ["send pricing"]


def test_questions_are_recognised_with_or_without_a_question_mark(book: ToolContext) -> None:
    assert read(book, "Acme is still in qualified, right?").question
    assert read(book, "what did Dana say last time").question
    assert not read(book, "Dana asked what the price is").question
    assert not read(book, 'Dana wrote: "can we get a discount?"').question


def test_an_impossible_date_is_refused(book: ToolContext) -> None:
    with pytest.raises(InvalidDate):
        read(book, "follow up with Acme on April 31")
