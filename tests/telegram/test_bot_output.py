"""End to end: what the bot sends — the morning digest in the rep's zone, long replies, HTML safety,
buttons."""

from __future__ import annotations

import os
import subprocess
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from assistant.conversation import Choice
from assistant.telegram_digest import sync_digests
from assistant.telegram_format import MAX_CALLBACK_DATA, html_parts, keyboard, parse_button, split_plain
from store import Store
from tests.conftest import NewDb, make_ctx
from tests.e2e.crm_zygote import REAL, command
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import KIM, SAM, Bot, buttons, call_text
from tests.telegram.test_bot_conversation import notes_matching, run
from tools.context import ToolContext
from tools.customers import create_customer
from tools.followups import schedule_followup
from tools.schemas import CreateCustomer, ScheduleFollowup
from tools.users import add_user, remove_user

ROOT = Path(__file__).resolve().parents[2]
NEW_YORK = ZoneInfo("America/New_York")
# Tuesday 3 March, 22:00 in New York — already Wednesday 4 March in UTC.
NY_EVENING = datetime(2026, 3, 4, 3, 0, tzinfo=ZoneInfo("UTC"))


@pytest.mark.e2e
def test_morning_digest_in_the_reps_own_timezone(fake: FakeBotApi, team: Store) -> None:
    kim = make_ctx(team, actor="kim", tz="America/New_York", now=NY_EVENING)
    schedule_followup(
        kim,
        ScheduleFollowup(
            customer="Juno Pet Supplies", due="2026-03-03", description="call back about the invoice"
        ),
    )
    schedule_followup(
        kim,
        ScheduleFollowup(
            customer="Juno Pet Supplies", due="2026-03-04", description="send the spring catalogue"
        ),
    )
    base = make_ctx(team, actor="operator", source="telegram", now=NY_EVENING)

    async def scenario(bot: Bot) -> tuple[Any, Any, Any]:
        [kims] = bot.app.job_queue.get_jobs_by_name("digest:kim")
        [sams] = bot.app.job_queue.get_jobs_by_name("digest:sam")
        await sams.run(bot.app)  # nothing due for sam today: no empty ping
        await kims.run(bot.app)  # fire it now instead of waiting for 07:30
        digest = (await bot.replies(KIM, 0))[-1]
        assert bot.sent_to(SAM) == []
        return kims, sams, digest

    kims, sams, digest = run(fake, base, scenario)
    at = kims.next_t.astimezone(NEW_YORK)
    assert (at.hour, at.minute) == (7, 30)  # kim's configured local time
    assert (sams.next_t.astimezone(ZoneInfo("UTC")).hour, sams.next_t.minute) == (8, 0)  # the default
    text = call_text(digest)
    assert "Tue 3 Mar" in text  # kim's today, not UTC's
    overdue, today = text.split("Today (1):")
    assert "Overdue (1):" in overdue and "Globex Corporation — confirm seat count" in overdue
    assert "call back about the invoice" in today
    assert "spring catalogue" not in text  # due tomorrow where kim is
    assert "Acme" not in text  # sam's follow-ups are sam's


@pytest.mark.e2e
def test_digest_schedule_follows_crm_users_without_a_restart(
    fake: FakeBotApi, base: ToolContext, team: Store
) -> None:
    async def scenario(bot: Bot) -> dict[str, Any]:
        add_user(team, "lee", timezone="Asia/Tokyo", telegram_id=1003, digest_time="06:45")
        add_user(team, "kim", digest_time="09:15")
        remove_user(team, "sam")
        sync_digests(bot.app)  # what the periodic re-sync does
        return {job.name: job for job in bot.app.job_queue.jobs()}

    jobs = run(fake, base, scenario)
    lee = jobs["digest:lee"].next_t.astimezone(ZoneInfo("Asia/Tokyo"))
    kim = jobs["digest:kim"].next_t.astimezone(NEW_YORK)
    assert (lee.hour, lee.minute, kim.hour, kim.minute) == (6, 45, 9, 15)
    assert "digest:sam" not in jobs


@pytest.mark.e2e
def test_long_reply_is_split_on_line_boundaries(fake: FakeBotApi, base: ToolContext, team: Store) -> None:
    sam = make_ctx(team)
    with sam.batch("many follow-ups"):
        for i in range(60):
            schedule_followup(
                sam,
                ScheduleFollowup(
                    customer="Kettle & Crumb Bakery",
                    due="2026-03-05",
                    description=f"item {i:02d}: " + "bring samples of the new range " * 3,
                ),
            )

    async def scenario(bot: Bot) -> list[Any]:
        bot.text(SAM, "/due")
        parts = await bot.replies(SAM, 0, count=2)
        await bot.settle()
        return [c for c in bot.sent_to(SAM) if c in parts or "item " in call_text(c)]

    parts = run(fake, base, scenario)
    assert len(parts) >= 3
    assert all(isinstance(c.result, dict) for c in parts)  # the fake accepted every part (≤ 4096, valid HTML)
    lines = [line for c in parts for line in call_text(c).split("\n")]
    for i in range(60):  # every line whole, each exactly once
        assert sum(1 for line in lines if f"item {i:02d}: " in line and line.endswith("new range")) == 1


@pytest.mark.e2e
def test_names_and_notes_with_html_specials_are_shown_as_typed(
    fake: FakeBotApi, base: ToolContext, team: Store
) -> None:
    create_customer(make_ctx(team), CreateCustomer(name="O'Brien & Sons <Ltd>"))

    async def scenario(bot: Bot) -> tuple[Any, Any]:
        found = await bot.say(SAM, "/find O'Brien")
        logged = await bot.say(SAM, "note for O'Brien & Sons: price *firm* until_Q3, <b>really</b> & more")
        return found, logged

    found, logged = run(fake, base, scenario)
    assert "O'Brien & Sons <Ltd>" in call_text(found)
    assert "&amp;" in found.params["text"] and "&lt;Ltd&gt;" in found.params["text"]
    assert "Logged note with O'Brien & Sons <Ltd>" in call_text(logged)
    [note] = notes_matching(team, "until_Q3")
    assert note.body == "price *firm* until_Q3, <b>really</b> & more"


@pytest.mark.e2e
def test_buttons_for_very_long_names_fit_telegrams_limit(
    fake: FakeBotApi, base: ToolContext, team: Store
) -> None:
    long = "Northwind International Logistics and Supply Chain Solutions Holding Group"
    for region in ("Europe, Middle East and Africa Division", "North and South America Division"):
        create_customer(make_ctx(team), CreateCustomer(name=f"{long} {region}"))

    async def scenario(bot: Bot) -> tuple[Any, Any]:
        question = await bot.say(SAM, "Called Northwind International about the tender")
        choice = next(data for label, data in buttons(question) if label.startswith("Northwind"))
        before = len(bot.sent_to(SAM))
        bot.press(SAM, bot.message(question), choice)
        return question, (await bot.replies(SAM, before))[-1]

    question, answer = run(fake, base, scenario)
    assert all(len(data.encode()) <= MAX_CALLBACK_DATA for _, data in buttons(question) + buttons(answer))
    assert "Logged call with Northwind" in call_text(answer)


def test_keyboard_data_stays_within_64_bytes() -> None:
    choices = [Choice("Ünïcödé Customer " * 20, "1"), Choice("x" * 500, "2"), Choice("Cancel", "cancel")]
    markup = keyboard(123456789, choices, uuid.uuid4().hex)
    assert markup is not None
    datas = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert len(datas) == 4 and all(len(str(d).encode()) <= MAX_CALLBACK_DATA for d in datas)
    assert all(len(b.text) <= 60 for row in markup.inline_keyboard for b in row)
    assert parse_button(str(datas[1])) is not None and parse_button(str(datas[1])).index == 1
    assert parse_button(str(datas[-1])).kind == "undo"
    assert parse_button("garbage") is None


def test_split_keeps_lines_whole_and_counts_escapes_and_emoji() -> None:
    text = "\n".join(f"line {i} " + "&" * 40 for i in range(200))  # each & becomes &amp; (5 characters)
    parts = html_parts(text)
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert "\n".join(split_plain(text)) == text
    one_long_line = "😀" * 5000  # 2 UTF-16 units each
    pieces = split_plain(one_long_line)
    assert "".join(pieces) == one_long_line and all(len(p) * 2 <= 4096 for p in pieces)


def _crm(*args: str, env: dict[str, str], real: bool = False) -> subprocess.CompletedProcess[str]:
    """`crm ARGS`: a fork of a warm `crm` (tests/e2e/crm_zygote.py), or `python -m assistant` with `real`."""
    return subprocess.run(
        [*(REAL if real else command()), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.e2e
def test_missing_or_rejected_token_is_one_clear_line(fake: FakeBotApi, new_db: NewDb) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "CRM_"))}
    env["CRM_DB"] = str(new_db())
    missing = _crm("telegram", env=env, real=True)
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in missing.stderr and "Traceback" not in missing.stderr
    # --api-url wins over TELEGRAM_API_URL (which points nowhere here).
    env |= {"TELEGRAM_BOT_TOKEN": "999:not-the-token", "TELEGRAM_API_URL": "http://127.0.0.1:9/bot"}
    rejected = _crm("telegram", "--api-url", fake.url, env=env)
    assert rejected.returncode == 1 and rejected.stderr.count("\n") == 1
    assert f"The Bot API at {fake.url} rejected TELEGRAM_BOT_TOKEN" in rejected.stderr
    [asked] = fake.calls_to("getMe")  # it really asked the server named by --api-url
    assert isinstance(asked.result, Exception)
