"""End to end: the real bot against a fake Bot API over HTTP.

Logging, buttons, undo, edits, re-deliveries, strangers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest
from sqlmodel import col, select

from store import Store
from store.models import ChangeLog, Customer, FollowUp, InboundMessage, Interaction
from tests.conftest import make_ctx
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import SAM, STRANGER, Bot, buttons, call_text, counts, until
from tools.context import ToolContext
from tools.followups import reschedule_followup
from tools.name_index import NameIndex
from tools.schemas import RescheduleFollowup

pytestmark = pytest.mark.e2e


def run(fake: FakeBotApi, base: ToolContext, scenario: Callable[[Bot], Awaitable[Any]]) -> Any:
    """Start the bot, play `scenario`, stop the bot (also when the scenario fails)."""

    async def main() -> Any:
        bot = Bot(fake, base)
        await bot.start()
        try:
            return await scenario(bot)
        finally:
            await bot.stop()

    return asyncio.run(main())


def notes_matching(store: Store, words: str) -> list[Interaction]:
    with store.read() as s:
        return list(s.exec(select(Interaction).where(col(Interaction.body).contains(words))))


def customer_id(store: Store, name: str) -> int:
    with store.read() as s:
        return s.exec(select(Customer.id).where(Customer.name == name)).one()


def test_rep_logs_a_meeting_with_a_follow_up(fake: FakeBotApi, base: ToolContext, team: Store) -> None:
    async def scenario(bot: Bot) -> tuple[dict[str, Any], Any]:
        update = bot.text(SAM, "Met Acme, they want a proposal by Friday, follow up Tuesday")
        return update, (await bot.replies(SAM, 0))[-1]

    update, reply = run(fake, base, scenario)
    text = call_text(reply)
    assert "Logged meeting with Acme Corp" in text and "Tue 10 Mar" in text and "tap Undo" in text
    [(label, data)] = buttons(reply)
    assert "Undo" in label and data.startswith("u:")
    ref = f"telegram:{SAM}:{update['message']['message_id']}"
    with team.read() as s:
        note = s.exec(select(Interaction).where(Interaction.source_ref == ref)).one()
        # "follow up Tuesday" (a reading may also make "a proposal by Friday" one of its own)
        followup = next(
            f
            for f in s.exec(select(FollowUp).where(FollowUp.source_ref == ref))
            if f.due_date == date(2026, 3, 10)
        )
        changes = s.exec(select(ChangeLog).where(ChangeLog.batch == data[2:])).all()
    assert (note.kind, note.author, note.source, note.customer_id) == (
        "meeting",
        "sam",
        "telegram",
        customer_id(team, "Acme Corp"),
    )
    assert "proposal" in note.body
    assert (followup.due_date, followup.owner, followup.status) == (date(2026, 3, 10), "sam", "open")
    # The Undo button names exactly the change this message made.
    assert {c.entity for c in changes} == {"interaction", "followup"} and followup.id in {
        c.entity_id for c in changes
    }
    assert {(c.actor, c.source) for c in changes} == {("sam", "telegram")}
    # The command menu was published at start-up.
    [menu] = fake.calls_to("setMyCommands")
    assert [c["command"] for c in menu.params["commands"]] == [
        "start",
        "help",
        "due",
        "find",
        "pipeline",
        "show",
        "digest",
        "undo",
        "cancel",
    ]


def test_ambiguous_customer_is_resolved_by_pressing_a_button(
    fake: FakeBotApi, base: ToolContext, team: Store
) -> None:
    async def scenario(bot: Bot) -> tuple[Any, Any, int]:
        question = await bot.say(SAM, "Called Brightline about the fleet deal")
        assert notes_matching(team, "fleet deal") == []  # a write never guesses
        before = len(bot.sent_to(SAM))
        bot.press(SAM, bot.message(question), dict(buttons(question))["Brightline Motors"])
        answer = (await bot.replies(SAM, before))[-1]
        # The same button again (the old message still shows it on a slow phone): refused, nothing
        # logged twice.
        answered = len(fake.calls_to("answerCallbackQuery"))
        bot.press(SAM, bot.message(question), dict(buttons(question))["Brightline Media"])
        await until(lambda: len(fake.calls_to("answerCallbackQuery")) > answered, "the second press answered")
        return question, answer, answered

    question, answer, answered = run(fake, base, scenario)
    assert [label for label, _ in buttons(question)] == ["Brightline Media", "Brightline Motors", "Cancel"]
    assert "Logged call with Brightline Motors" in call_text(answer)
    assert any("Undo" in label for label, _ in buttons(answer))
    [note] = notes_matching(team, "fleet deal")
    assert note.customer_id == customer_id(team, "Brightline Motors")
    # The question now shows what was picked, without its buttons.
    picked = [
        c for c in fake.calls_to("editMessageText") if c.params["message_id"] == question.result["message_id"]
    ]
    assert (
        picked
        and "→ Brightline Motors" in picked[0].result["text"]
        and "reply_markup" not in picked[0].result
    )
    late = fake.calls_to("answerCallbackQuery")[answered]
    assert late.params.get("show_alert") is True and "already answered" in late.params["text"]


def test_undo_button_reverts_that_change_only_once(fake: FakeBotApi, base: ToolContext, team: Store) -> None:
    async def scenario(bot: Bot) -> tuple[Any, Any]:
        first = await bot.say(SAM, "Called Acme about the pricing sheet")
        await bot.say(SAM, "Met Globex to review the contract draft")
        undo_first = dict(buttons(first))["↩ Undo"]
        before = len(bot.sent_to(SAM))
        bot.press(SAM, bot.message(first), undo_first)  # not the latest change: this one
        undone = (await bot.replies(SAM, before))[-1]
        rows = counts(team, data_only=True)
        answered = len(fake.calls_to("answerCallbackQuery"))
        bot.press(SAM, bot.message(first), undo_first)  # pressed again
        await until(lambda: len(fake.calls_to("answerCallbackQuery")) > answered, "the second press answered")
        assert counts(team, data_only=True) == rows  # nothing reverted twice, nothing logged
        return undone, fake.calls_to("answerCallbackQuery")[-1]

    undone, again = run(fake, base, scenario)
    assert call_text(undone).startswith("Undone:")
    assert notes_matching(team, "pricing sheet") == []
    assert len(notes_matching(team, "contract draft")) == 1  # the later change stays
    assert again.params.get("show_alert") is True and "already undone" in again.params["text"]
    # The Undo button was taken off the message it belonged to.
    assert any(c.method == "editMessageReplyMarkup" for c in fake.calls)


def test_edited_message_corrects_its_note(fake: FakeBotApi, base: ToolContext, team: Store) -> None:
    async def scenario(bot: Bot) -> tuple[dict[str, Any], Any, Any]:
        original = bot.text(SAM, "Met Acme, they loved the demo")
        await bot.replies(SAM, 0)
        question = await bot.say(SAM, "Called Brightline about the van order")  # left open while editing
        bot.edit(original, "Met Acme, they loved the demo and want a pilot")
        corrected = (await bot.replies(SAM, 2))[-1]
        bot.press(SAM, bot.message(question), dict(buttons(question))["Brightline Media"])
        return original, corrected, (await bot.replies(SAM, 3))[-1]

    original, corrected, answered = run(fake, base, scenario)
    assert "Corrected the note on Acme Corp" in call_text(corrected)
    ref = f"telegram:{SAM}:{original['message']['message_id']}"
    with team.read() as s:
        [note] = s.exec(select(Interaction).where(Interaction.source_ref == ref)).all()
    assert note.body.endswith("want a pilot")
    assert notes_matching(team, "loved the demo") == [note]  # no second note
    # The edit did not disturb the question still pending in the chat.
    assert "Logged call with Brightline Media" in call_text(answered)


def test_redelivered_update_is_applied_once_also_after_a_restart(
    fake: FakeBotApi, base: ToolContext, team: Store
) -> None:
    async def scenario(bot: Bot) -> dict[str, Any]:
        update = bot.text(SAM, "Called Globex about the seat count")
        bot.push(update)  # Telegram delivers it again
        await bot.settle()
        await bot.restart()
        bot.push(update)  # …and once more to the new process
        await bot.settle()
        return update

    update = run(fake, base, scenario)
    assert len(notes_matching(team, "about the seat count")) == 1
    confirmations = [c for c in fake.sent() if "Logged call with Globex" in call_text(c)]
    assert len(confirmations) == 1
    with team.read() as s:
        seen = s.exec(select(InboundMessage).where(InboundMessage.key == str(update["update_id"]))).one()
    assert seen.source == "telegram" and seen.batch is not None


def test_strangers_are_refused_and_nothing_of_theirs_is_stored(
    fake: FakeBotApi, base: ToolContext, team: Store
) -> None:
    async def scenario(bot: Bot) -> tuple[dict[str, int], dict[str, int], Any, Any]:
        mine = await bot.say(SAM, "Called Acme about the renewal terms")
        before = counts(team)
        bot.text(STRANGER, "Met Acme, they want a discount, follow up Monday")
        refusal = (await bot.replies(STRANGER, 0))[-1]
        # A stranger pressing sam's Undo button (e.g. from a forwarded message).
        press = bot.press(STRANGER, bot.message(mine), dict(buttons(mine))["↩ Undo"])
        answer = await until(
            lambda: [
                c
                for c in fake.calls_to("answerCallbackQuery")
                if c.params["callback_query_id"] == press["callback_query"]["id"]
            ],
            "the stranger's press answered",
        )
        assert STRANGER not in bot.app.chat_data or not bot.app.chat_data[STRANGER]
        return before, counts(team), refusal, answer[0]

    before, after, refusal, answer = run(fake, base, scenario)
    assert after == before  # no note, no follow-up, no change log, no de-duplication record
    assert "not registered" in call_text(refusal) and f"--telegram-id {STRANGER}" in call_text(refusal)
    assert answer.params.get("show_alert") is True and "registered" in answer.params["text"]
    assert len(notes_matching(team, "renewal terms")) == 1  # sam's note was not undone
    assert notes_matching(team, "discount") == []


def test_undo_refuses_when_a_later_change_depends_on_it(
    fake: FakeBotApi, base: ToolContext, team: Store
) -> None:
    async def scenario(bot: Bot) -> tuple[Any, dict[str, int], dict[str, int]]:
        first = await bot.say(SAM, "Met Acme about the rollout, follow up Tuesday")
        with team.read() as s:
            [made] = s.exec(
                select(FollowUp).where(col(FollowUp.source_ref).startswith(f"telegram:{SAM}:"))
            ).all()
        # A teammate moves that follow-up to Friday: undoing sam's message would throw that away.
        reschedule_followup(
            make_ctx(team, actor="kim"), RescheduleFollowup(followup_id=made.id, due="2026-03-06")
        )
        rows = counts(team, data_only=True)
        before = len(bot.sent_to(SAM))
        bot.press(SAM, bot.message(first), dict(buttons(first))["↩ Undo"])
        refused = (await bot.replies(SAM, before))[-1]
        return refused, rows, counts(team, data_only=True)

    refused, before, after = run(fake, base, scenario)
    assert "Can't undo" in call_text(refused) and "not undone" in call_text(refused)
    assert after == before
    assert len(notes_matching(team, "about the rollout")) == 1
    with team.read() as s:
        [followup] = s.exec(
            select(FollowUp).where(col(FollowUp.source_ref).startswith(f"telegram:{SAM}:"))
        ).all()
    assert followup.due_date == date(2026, 3, 6)  # kim's later move to Friday stays


def test_the_name_index_is_built_at_start_before_the_first_message_needs_it(
    fake: FakeBotApi, base: ToolContext, team: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_build(cls: type[NameIndex], *args: Any, **kwargs: Any) -> NameIndex:
        raise AssertionError("the first message built the name index itself")

    async def scenario(bot: Bot) -> Any:
        ready = bot.app.bot_data["names_ready"]
        await until(ready.is_set, "the name index built at start")
        monkeypatch.setattr(NameIndex, "build", classmethod(no_build))
        bot.text(SAM, "Called Acme about the renewal")
        return (await bot.replies(SAM, 0))[-1]

    reply = run(fake, base, scenario)
    assert "Logged call with Acme Corp" in call_text(reply)
    assert len(notes_matching(team, "about the renewal")) == 1
