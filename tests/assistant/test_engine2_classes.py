"""Lead's remaining classes (session 5, engine2): contact details asked with a bare possessive, the
overdue list asked without a customer, a contact's first name that is also a verb, an edit whose topic is
said in the clause before it, what a customer asked for as the rep's to-do, and tags said the other way
round. Each is a general rule; positives and negatives side by side."""

from __future__ import annotations

import pytest

from assistant.conversation import respond
from tests.assistant.corpus import _by_name
from tools.context import ToolContext


def _changed(ctx: ToolContext, before: dict) -> list[str]:
    after = _by_name(ctx)
    return [n for n in after if after[n] != before.get(n)]


def _setup(ctx: ToolContext, *lines: str) -> None:
    for line in lines:
        assert respond(ctx, line).wrote, line


# ---- contact details: "jurgens phone?", "number for arjun" ---------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "jurgens phone?",
        "jurgens number pls",
        "Jurgens phone",
        "whats the number for jurgen?",
        "number for jürgen",
    ],
)
def test_a_contacts_phone_asked_without_apostrophe_or_accent(book: ToolContext, text: str) -> None:
    _setup(book, "add contact Jürgen Böhm to Helios Labs, phone +49 30 1234567")
    before = _by_name(book)
    reply = respond(book, text)
    assert "+49 30 1234567" in reply.text and not reply.wrote, reply.text
    assert _by_name(book) == before


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("arjuns number?", "Arjun Mehta"),
        ("rosas number", "Rosa Diaz"),
        ("number for arjun", "Arjun Mehta"),
        ("arjun's email?", "Arjun Mehta"),
        ("jonass email", "Jonas Müller"),
    ],
)
def test_a_detail_asked_about_a_contact_names_that_contact(book: ToolContext, text: str, who: str) -> None:
    reply = respond(book, text)
    assert who in reply.text and not reply.wrote, reply.text


def test_a_word_that_is_a_name_of_its_own_keeps_it(book: ToolContext) -> None:
    reply = respond(book, "helios email?")  # Helios, not "Helio's"
    assert "Helios Labs" in reply.text and not reply.wrote, reply.text


def test_a_bare_possessive_of_two_customers_contact_asks(book: ToolContext) -> None:
    reply = respond(book, "hollys phone?")
    assert not reply.wrote and "Brightline Media" in reply.text and "Juno Pet Supplies" in reply.text


# ---- overdue / slipping / late / behind with no customer -------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "anything slipping? whats overdue",
        "anything slipping?",
        "whats slipping through the cracks",
        "anything late?",
        "what am i behind on",
        "anything slipping? anything overdue?",
        "am i behind on anything",
        "are we behind on anything",
        "is anything slipping",
    ],
)
def test_slipping_or_overdue_without_a_customer_lists_overdue(book: ToolContext, text: str) -> None:
    before = _by_name(book)
    reply = respond(book, text)
    assert "overdue" in reply.text.lower() and not reply.wrote, reply.text
    assert "Which customer" not in reply.text
    assert _by_name(book) == before


def test_overdue_for_a_named_customer_is_theirs(book: ToolContext) -> None:
    reply = respond(book, "is anything overdue for acme")
    assert "Acme Corp" in reply.text and not reply.wrote, reply.text


# ---- a contact's first name that is also a verb ----------------------------------------------------
@pytest.mark.parametrize("first", ["Chase", "Mark", "Will"])
def test_which_person_answered_logs_the_report(book: ToolContext, first: str) -> None:
    _setup(
        book, f"add contact {first} Young to Acme Corp", f"add contact {first} Utley to Globex Corporation"
    )
    asked = respond(book, f"{first.lower()} asked about a loyalty program")
    assert not asked.wrote and asked.state is not None, asked.text
    before = _by_name(book)
    done = respond(book, "acme", asked.state)
    assert done.wrote and "Logged" in done.text and "When should" not in done.text, done.text
    assert _changed(book, before) == ["Acme Corp"]
    notes = _by_name(book)["Acme Corp"]["interactions"]
    assert any("loyalty program" in (i["body"] or "") for i in notes)


def test_a_promise_beside_the_report_is_logged_and_scheduled(book: ToolContext) -> None:
    _setup(book, "add contact Chase Young to Acme Corp", "add contact Chase Utley to Globex Corporation")
    asked = respond(book, "chase asked about a loyalty program, I'll send the brochure friday")
    done = respond(book, "globex", asked.state)
    assert done.wrote and "Logged" in done.text and "send the brochure" in done.text, done.text


# ---- the topic said in the clause before the edit ----------------------------------------------------
SAMPLES = ("acme: send finish samples by friday", "acme: site measure follow-up next tuesday")


@pytest.mark.parametrize(
    ("text", "moved", "due"),
    [
        ("acme finish samples - give it another week", "finish samples", "2026-03-13"),
        ("acme site measure, push it a week", "site measure", "2026-03-17"),
        ("acme finish samples: push to monday", "finish samples", "2026-03-09"),
    ],
)
def test_the_topic_before_the_edit_picks_the_follow_up(
    book: ToolContext, text: str, moved: str, due: str
) -> None:
    _setup(book, *SAMPLES)
    reply = respond(book, text)
    assert reply.wrote, reply.text
    fups = _by_name(book)["Acme Corp"]["followups"]
    assert [f["due"][:10] for f in fups if moved in f["description"]] == [due], fups


def test_no_topic_before_the_edit_still_asks_which(book: ToolContext) -> None:
    _setup(book, *SAMPLES)
    reply = respond(book, "acme - give it another week")
    assert not reply.wrote and "Which follow-up" in reply.text, reply.text


# ---- what a customer asked for is the rep's to-do ------------------------------------------------
@pytest.mark.parametrize(
    ("text", "customer", "desc"),
    [
        ("helios wants a call next week", "Helios Labs", "call"),
        ("acme wants a demo friday", "Acme Corp", "demo"),
        ("helios asked for a site visit next tuesday", "Helios Labs", "site visit"),
        ("acme wants the revised table by monday", "Acme Corp", "send the revised table"),
        ("globex asked for updated pricing by thursday", "Globex Corporation", "send updated pricing"),
    ],
)
def test_a_requested_event_or_thing_is_a_follow_up_not_a_meeting(
    book: ToolContext, text: str, customer: str, desc: str
) -> None:
    before = _by_name(book)[customer]
    reply = respond(book, text)
    assert reply.wrote, reply.text
    after = _by_name(book)[customer]
    new = [f for f in after["followups"] if f not in before["followups"]]
    assert [f["description"] for f in new] == [desc], new
    logged = [i for i in after["interactions"] if i not in before["interactions"]]
    assert all(i["kind"] == "note" for i in logged), logged


def test_an_event_that_happened_keeps_its_kind(book: ToolContext) -> None:
    reply = respond(book, "met acme, they want a follow-up call next week")
    assert "Logged meeting" in reply.text and "follow up call" in reply.text, reply.text


# ---- tags said the other way round -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "add wholesale as a tag to kettle & crumb",
        "tag kettle & crumb wholesale",
        "add wholesale as tag on Kettle & Crumb Bakery",
    ],
)
def test_reversed_tag_wording_adds_the_tag(book: ToolContext, text: str) -> None:
    reply = respond(book, text)
    assert reply.wrote, reply.text
    assert "wholesale" in _by_name(book)["Kettle & Crumb Bakery"]["tags"]


def test_tag_with_only_a_customer_name_adds_no_tag(book: ToolContext) -> None:
    respond(book, "tag Acme Corp")
    assert _by_name(book)["Acme Corp"]["tags"] == ["enterprise"]


# ---- a report beside an undated promise is logged before the date is asked -------------------------
def _notes(ctx: ToolContext, customer: str, has: str) -> int:
    return sum(has in (i["body"] or "") for i in _by_name(ctx)[customer]["interactions"])


def test_the_report_is_logged_then_the_promise_date_asked(book: ToolContext) -> None:
    asked = respond(book, "acme asked about a loyalty program, I'll send details")
    assert asked.wrote and "Logged" in asked.text and "When should I follow up" in asked.text, asked.text
    assert _notes(book, "Acme Corp", "loyalty program") == 1
    done = respond(book, "friday", asked.state)
    assert done.wrote and "Fri 6 Mar" in done.text and "Logged" not in done.text, done.text
    assert _notes(book, "Acme Corp", "loyalty program") == 1  # the answer does not log it again
    assert any("send details" in f["description"] for f in _by_name(book)["Acme Corp"]["followups"])


def test_which_person_then_undated_promise_logs_then_asks_when(book: ToolContext) -> None:
    asked = respond(book, "holly asked about a loyalty program, I'll get back to her")
    when = respond(book, "juno", asked.state)
    assert when.wrote and "Logged" in when.text and "When should" in when.text, when.text
    assert _notes(book, "Juno Pet Supplies", "loyalty program") == 1
    done = respond(book, "next tuesday", when.state)
    assert done.wrote and "Tue 10 Mar" in done.text, done.text
    assert _notes(book, "Juno Pet Supplies", "loyalty program") == 1


def test_a_promise_alone_writes_nothing_until_dated(book: ToolContext) -> None:
    before = _by_name(book)
    asked = respond(book, "I'll send acme the deck")
    assert not asked.wrote and "When should" in asked.text, asked.text
    assert _by_name(book) == before


def test_undo_after_the_date_question_removes_the_report(book: ToolContext) -> None:
    asked = respond(book, "acme asked about a loyalty program, I'll send details")
    undone = respond(book, "undo", asked.state)
    assert "Undone" in undone.text, undone.text
    assert _notes(book, "Acme Corp", "loyalty program") == 0
