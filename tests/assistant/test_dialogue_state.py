"""Typed dialogue state: pending questions answered by number, name, date or "both"; corrections of the
last write."""

from __future__ import annotations

from assistant.conversation import State, respond
from assistant.dialogue import LastWrite, Pending
from tests.assistant.corpus import _by_name
from tools.context import ToolContext


def _open(ctx: ToolContext, name: str) -> list[tuple[str, str]]:
    return [(f["due"], f["description"]) for f in _by_name(ctx)[name]["followups"] if f["status"] == "open"]


def test_a_write_leaves_the_last_write_and_a_question_a_typed_pending(book: ToolContext) -> None:
    wrote = respond(book, "remind me to call Nordlicht on Thursday")
    assert isinstance(wrote.state.last, LastWrite) and wrote.state.pending is None
    asked = respond(book, "follow up with Nordlicht about the pilot")
    assert isinstance(asked.state.pending, Pending) and asked.state.pending.kind == "when"
    assert not asked.wrote


def test_a_date_answer_completes_the_message(book: ToolContext) -> None:
    asked = respond(book, "follow up with Nordlicht about the pilot")
    done = respond(book, "next tuesday", asked.state)
    assert done.wrote and ("2026-03-10", "follow up about the pilot") in _open(book, "Nordlicht GmbH")


def test_no_wait_moves_the_follow_up_just_made(book: ToolContext) -> None:
    first = respond(book, "remind me to call Nordlicht on Thursday")
    fixed = respond(book, "no wait, friday", first.state)
    assert "Corrected" in fixed.text and [d for d, _ in _open(book, "Nordlicht GmbH")] == ["2026-03-06"]


def test_the_kind_and_the_customer_of_the_last_note_can_be_corrected(book: ToolContext) -> None:
    first = respond(book, "Called Nordlicht about the pilot scope")
    kind = respond(book, "that was an email, not a call", first.state)
    assert [i["kind"] for i in _by_name(book)["Nordlicht GmbH"]["interactions"]] == ["email"]
    respond(book, "wrong customer, it was Summit Partners", kind.state)
    book_now = _by_name(book)
    assert not book_now["Nordlicht GmbH"]["interactions"]
    assert any("pilot scope" in i["body"] for i in book_now["Summit Partners"]["interactions"])


def test_both_answers_a_question_about_two_customers(book: ToolContext) -> None:
    asked = respond(book, "Nordlicht and Summit Partners both asked for the security whitepaper")
    assert isinstance(asked.state.pending, Pending) and asked.state.pending.kind == "several"
    respond(book, "both", asked.state)
    now = _by_name(book)
    assert all(
        any("whitepaper" in i["body"] for i in now[n]["interactions"])
        for n in ("Nordlicht GmbH", "Summit Partners")
    )


def test_a_correction_without_a_last_write_is_a_fresh_message(book: ToolContext) -> None:
    reply = respond(book, "no wait, friday", State())
    assert not reply.wrote


def test_record_edits_ask_typed_questions_too(book: ToolContext) -> None:
    asked = respond(book, "add Maria Lopez as CFO at Brightline, maria@brightline.example")
    assert isinstance(asked.state.pending, Pending) and asked.state.pending.route == "pipeline"
    respond(book, "motors", asked.state)
    assert [p["name"] for p in _by_name(book)["Brightline Motors"]["contacts"]][-1] == "Maria Lopez"


def test_an_unknown_name_given_as_the_answer_is_offered_for_creation(book: ToolContext) -> None:
    asked = respond(book, "it went well, they want a pilot")
    offer = respond(book, "Zephyr Inc", asked.state)
    assert isinstance(offer.state.pending, Pending) and offer.state.pending.kind == "create"
    assert not offer.wrote
    created = respond(book, "yes", offer.state)
    assert created.wrote and any("pilot" in i["body"] for i in _by_name(book)["Zephyr Inc"]["interactions"])
