"""The engine's contract with its surfaces: edits correct instead of duplicating, replies carry the
change batch and the actions, dates follow the rep's timezone, and state lives only in the Reply.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from assistant.conversation import State, respond, respond_to_edit
from store import Store
from tests.assistant.corpus import Case, run_case
from tests.conftest import make_ctx
from tools.context import ToolContext
from tools.transfer import export_data


def _customer(ctx: ToolContext, name: str) -> dict:
    return next(c for c in export_data(ctx)["customers"] if c["name"] == name)


def test_an_edited_message_corrects_its_note_and_follow_up(book: ToolContext) -> None:
    first = respond(book, "Met Nordlicht today, they want a pilot. Follow up Friday", message_ref="tg:1:10")
    assert first.wrote
    fixed = respond_to_edit(
        book, "Met Nordlicht today, they want a paid pilot. Follow up Monday", message_ref="tg:1:10"
    )
    assert "undo" in fixed.text and "Mon 9 Mar" in fixed.text
    nord = _customer(book, "Nordlicht GmbH")
    assert [i["body"] for i in nord["interactions"]] == [
        "Met Nordlicht today, they want a paid pilot. Follow up Monday"
    ]
    assert [f["due"] for f in nord["followups"] if f["status"] == "open"] == ["2026-03-09"]


def test_an_edit_of_a_message_that_wrote_nothing_is_read_as_new(book: ToolContext) -> None:
    reply = respond_to_edit(book, "Called Juno about the spring catalogue", message_ref="tg:1:11")
    assert "Logged call with Juno Pet Supplies" in reply.text
    assert len(_customer(book, "Juno Pet Supplies")["interactions"]) == 1


def test_writes_carry_one_batch_and_their_actions_reads_carry_none(book: ToolContext) -> None:
    wrote = respond(book, "Met Acme yesterday, follow up Friday")
    assert wrote.batch and [a["tool"] for a in wrote.actions] == ["log_interaction", "schedule_followup"]
    assert all("result" in a and "args" in a for a in wrote.actions)
    read = respond(book, "who needs follow-up this week?")
    assert read.batch is None and not read.wrote and read.actions[0]["tool"] == "list_followups"


def test_state_is_only_what_the_reply_returns(book: ToolContext) -> None:
    asked = respond(book, "Brightline asked for references")
    assert asked.state.pending
    # Without the returned state, "2" is a fresh (meaningless) message, not an answer.
    alone = respond(book, "2", State())
    assert not alone.wrote
    answered = respond(book, "2", asked.state)
    assert answered.wrote and "Brightline Motors" in answered.text
    # The same state can be answered again by another surface call: the engine does not consume it.
    again = respond(book, "1", asked.state)
    assert "Brightline Media" in again.text


def test_dates_are_the_reps_local_dates(store: Store) -> None:
    from tests.assistant.corpus import load_book

    load_book(store)
    # 23:30 UTC on Wed 4 Mar is already Thu 5 Mar 12:30 in Auckland.
    kiwi = make_ctx(store, tz="Pacific/Auckland", now=datetime(2026, 3, 4, 23, 30, tzinfo=ZoneInfo("UTC")))
    reply = respond(kiwi, "Met Acme yesterday, follow up tomorrow")
    assert "Wed 4 Mar" in reply.text and "Fri 6 Mar" in reply.text
    acme = _customer(kiwi, "Acme Corp")
    assert "2026-03-06" in [f["due"] for f in acme["followups"]]


def test_another_rep_acts_as_themselves(store: Store) -> None:
    from tests.assistant.corpus import load_book

    load_book(store)
    kim = make_ctx(store, actor="kim")
    run_case(kim, Case(turns=["my follow-ups this week"], reply=["Globex"], lacks=["Acme"]))
    respond(kim, "follow up with Helios on Friday")
    helios = _customer(kim, "Helios Labs")
    assert [f["owner"] for f in helios["followups"]] == ["kim"]
    assert "nothing of yours" in respond(make_ctx(store), "undo").text.lower()
