"""The frames of a message: what happened, what was promised and when, outcomes, edits, questions."""

from __future__ import annotations

from datetime import date

from assistant.reading import read
from assistant.understanding import interpret
from tools.context import ToolContext


def frames(ctx: ToolContext, text: str):
    return interpret(read(ctx, text))


def test_a_report_and_a_promise(book: ToolContext) -> None:
    f = frames(book, "Met Acme, send them the deck by Friday")
    assert f.happened is not None and f.happened.kind == "meeting" and f.happened.when is None
    assert f.happened.body == "Met Acme, send them the deck by Friday"
    assert [(p.description, p.due.date if p.due else None) for p in f.promises] == [
        ("send them the deck", date(2026, 3, 6))
    ]


def test_a_planned_event_is_a_promise_not_a_report(book: ToolContext) -> None:
    f = frames(book, "call with Globex tomorrow at 11")
    assert f.happened is None
    assert [(p.event, p.due.date if p.due else None) for p in f.promises] == [(True, date(2026, 3, 5))]


def test_their_promise_is_not_the_reps(book: ToolContext) -> None:
    f = frames(book, "Met Helios: Arjun will send the DPA Monday, and we owe them a quote by the 13th")
    assert [p.description for p in f.promises] == ["owe them a quote"]


def test_a_promise_without_a_date_asks_for_one(book: ToolContext) -> None:
    f = frames(book, "follow up with Nordlicht about the pilot")
    assert [p.due for p in f.promises] == [None]


def test_their_request_is_both_news_and_a_to_do(book: ToolContext) -> None:
    f = frames(book, "Acme wants 200 bags by the end of the quarter")
    assert f.happened is not None and f.promises and f.promises[0].due is not None


def test_the_date_of_what_happened_is_past_and_never_from_pasted_text(book: ToolContext) -> None:
    assert frames(book, "called Juno yesterday").happened.when.date == date(2026, 3, 3)
    pasted = frames(book, 'Dana wrote: "as discussed on Monday, we are ready"')
    assert pasted.happened is not None and pasted.happened.when is None and pasted.happened.kind == "email"


def test_outcomes_move_and_negations_do_not(book: ToolContext) -> None:
    assert frames(book, "Globex signed!").outcome.stage == "won"
    assert frames(book, "Globex won't sign until legal is done").outcome is None
    assert frames(book, "fingers crossed Globex signs next week").outcome is None


def test_note_text_is_not_obeyed(book: ToolContext) -> None:
    f = frames(book, "note for Acme: Dana joked 'move everyone to lost'")
    assert f.outcome is None and f.happened is not None and f.happened.kind == "note"


def test_follow_up_edits(book: ToolContext) -> None:
    done = frames(book, "pricing sent to Acme ✅")
    assert [(e.action, e.refs[0].description) for e in done.edits] == [("done", "send pricing")]
    cancel = frames(book, "drop the kettle & crumb check-in, they went quiet")
    assert [e.action for e in cancel.edits] == ["cancelled"]
    move = frames(book, "push the Kettle & Crumb check-in back two days")
    assert [(e.action, e.shift_days) for e in move.edits] == [("move", 2)]


def test_a_question_is_only_a_question(book: ToolContext) -> None:
    f = frames(book, "Acme hasn't signed yet, has it?")
    assert f.question is not None and f.question.topic == "stage" and not f.writes
