"""End to end: follow-ups a rep can act on from Telegram — /due and digest buttons, reminders, /digest."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from store import Store
from store.models import FollowUp
from tests.conftest import make_ctx
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import SAM, Bot, buttons, call_text, until
from tests.telegram.test_bot_conversation import run
from tools.context import ToolContext
from tools.followups import schedule_followup
from tools.schemas import ScheduleFollowup

pytestmark = pytest.mark.e2e
UTC = ZoneInfo("UTC")


def followup(store: Store, description: str) -> FollowUp:
    with store.read() as s:
        return s.exec(select(FollowUp).where(FollowUp.description == description)).one()


def schedule(
    store: Store, due: str, description: str, customer: str = "Acme Corp", now: datetime | None = None
) -> None:
    ctx = make_ctx(store, actor="sam", **({"now": now} if now else {}))
    schedule_followup(ctx, ScheduleFollowup(customer=customer, due=due, description=description))


def test_due_has_done_tomorrow_and_next_week_buttons(
    fake: FakeBotApi, base: ToolContext, team: Store
) -> None:
    schedule(team, "2026-03-03", "chase the signed order", customer="Brightline Motors")
    schedule(team, "2026-03-05T09:30", "call about the invoice", customer="Juno Pet Supplies")

    async def scenario(bot: Bot) -> dict[str, Any]:
        due = await bot.say(SAM, "/due")
        out: dict[str, Any] = {"due": due, "labels": [label for label, _ in buttons(due)]}
        for key, action, description in (
            ("done", "d", "chase the signed order"),
            ("tomorrow", "t", "call about the invoice"),
            ("next", "w", "send pricing"),
        ):
            data = f"f:{action}:{followup(team, description).id}"
            assert data in [d for _, d in buttons(due)]
            before = len(bot.sent_to(SAM))
            bot.press(SAM, bot.message(due), data)
            out[key] = (await bot.replies(SAM, before))[-1]
        before = len(bot.sent_to(SAM))
        bot.press(SAM, bot.message(out["done"]), dict(buttons(out["done"]))["↩ Undo"])
        out["undone"] = (await bot.replies(SAM, before))[-1]
        return out

    out = run(fake, base, scenario)
    text = call_text(out["due"])
    assert text.splitlines()[0] == "Your follow-ups this week (and overdue):"
    assert "1. Tue 3 Mar, overdue: Brightline Motors — chase the signed order" in text
    assert "sam" not in text and "#" not in text  # not the rep's own name, no raw ids
    assert out["labels"][:3] == ["1: ✓ Done", "Tomorrow", "Next week"]
    assert call_text(out["done"]) == "Done: Brightline Motors — chase the signed order."
    assert [label for label, _ in buttons(out["done"])] == ["↩ Undo"]
    assert call_text(out["undone"]) == "Undone: mark follow-up with Brightline Motors done."
    assert followup(team, "chase the signed order").status == "open"  # done, then undone
    moved = followup(team, "call about the invoice")
    assert (moved.due_date, moved.due_time) == (date(2026, 3, 5), time(9, 30))  # tomorrow is Thu 5, time kept
    assert (
        call_text(out["tomorrow"]) == "Moved to Thu 5 Mar 09:30: Juno Pet Supplies — call about the invoice."
    )
    assert followup(team, "send pricing").due_date == date(2026, 3, 9)  # next week: Monday
    # The acted-on follow-up's row of buttons is taken off the /due message.
    edits = [
        c
        for c in fake.calls_to("editMessageReplyMarkup")
        if c.params["message_id"] == out["due"].result["message_id"]
    ]
    assert edits and all(len(d) <= 64 for _, d in buttons(out["due"]))


def test_digest_has_buttons_weekdays_only_and_can_be_turned_off(fake: FakeBotApi, team: Store) -> None:
    schedule(team, "2026-03-04", "send the spring catalogue")
    saturday = datetime(2026, 3, 7, 9, 0, tzinfo=UTC)

    async def scenario(bot: Bot) -> dict[str, Any]:
        [job] = bot.app.job_queue.get_jobs_by_name("digest:sam")
        await job.run(bot.app)
        digest = (await bot.replies(SAM, 0))[-1]
        off = await bot.say(SAM, "/digest off")
        n = len(bot.sent_to(SAM))
        await job.run(bot.app)  # off: nothing (the job sends before it returns)
        silent = len(bot.sent_to(SAM)) == n
        on = await bot.say(SAM, "/digest 07:15")
        [moved] = bot.app.job_queue.get_jobs_by_name("digest:sam")
        return {"digest": digest, "off": off, "silent": silent, "on": on, "at": moved.next_t.astimezone(UTC)}

    base = make_ctx(team, actor="operator", source="telegram")
    out = run(fake, base, scenario)
    text = call_text(out["digest"])
    assert text.startswith("Good morning! Your follow-ups for Wed 4 Mar:")
    assert "sam" not in text and "OVERDUE" not in text and "(#" not in text
    assert "1. Wed 4 Mar: Acme Corp — send the spring catalogue" in text
    sent_pricing = followup(team, "send the spring catalogue").id
    assert buttons(out["digest"])[:3] == [
        ("1: ✓ Done", f"f:d:{sent_pricing}"),
        ("Tomorrow", f"f:t:{sent_pricing}"),
        ("Next week", f"f:w:{sent_pricing}"),
    ]
    assert "off" in call_text(out["off"]) and out["silent"]
    assert "07:15" in call_text(out["on"]) and "Monday to Friday" in call_text(out["on"])
    assert (out["at"].hour, out["at"].minute) == (7, 15)

    async def weekend(bot: Bot) -> int:
        [job] = bot.app.job_queue.get_jobs_by_name("digest:sam")
        before = len(bot.sent_to(SAM))
        await job.run(bot.app)
        await bot.settle()
        return len(bot.sent_to(SAM)) - before - 1  # minus the /help of settle()

    schedule(team, "2026-03-07", "weekend thing", now=saturday)
    assert run(fake, make_ctx(team, actor="operator", source="telegram", now=saturday), weekend) == 0


def test_a_follow_up_with_a_time_reminds_at_that_time(
    fake: FakeBotApi, base: ToolContext, team: Store
) -> None:
    schedule(team, "2026-03-04T13:45", "call Dana back")  # 15 minutes ago
    schedule(team, "2026-03-04T16:00", "send the deck")  # later today

    async def scenario(bot: Bot) -> list[Any]:
        [job] = bot.app.job_queue.get_jobs_by_name("reminders")
        await job.run(bot.app)
        await until(lambda: bot.sent_to(SAM), "the reminder")
        await job.run(bot.app)  # again: no second reminder
        await bot.settle()
        return [c for c in bot.sent_to(SAM) if "⏰" in call_text(c)]

    [reminder] = run(fake, base, scenario)
    assert call_text(reminder) == "⏰ Now: Acme Corp — call Dana back (13:45)."
    assert [label for label, _ in buttons(reminder)] == ["✓ Done", "Tomorrow", "Next week"]
