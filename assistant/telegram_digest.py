"""The morning digest: each rep's overdue and today's follow-ups, at their local digest time.

Jobs live only in memory (the JobQueue); they are rebuilt from the `user` table at start-up and
re-synced every few minutes, so a restart loses nothing and `crm users add` takes effect without one.
Weekdays only unless the rep asks for weekends too; `/digest off` stops it (settings in the database).
Each follow-up in it has Done / Tomorrow / Next week buttons.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import time
from typing import Any

from telegram.constants import ParseMode
from telegram.error import Forbidden
from telegram.ext import Application, ContextTypes, Job

from assistant import render
from assistant.telegram_followups import buttons_for, numbered, start_reminders
from assistant.telegram_format import html_parts
from assistant.telegram_send import BotApp
from assistant.telegram_store import digest_settings, forget_old_updates, rep_context, reps_on_telegram
from tools.context import ToolContext, zone
from tools.followups import list_followups
from tools.schemas import ListFollowups
from tools.users import UserOut, get_user

log = logging.getLogger(__name__)

RESYNC_SECONDS = 300
DIGEST_LIMIT = 50


def digest_text(ctx: ToolContext) -> tuple[str, list[int]] | None:
    """The acting rep's digest as text and the follow-ups its buttons act on; None when nothing is due."""
    result = list_followups(ctx, ListFollowups(scope="today", owner=ctx.actor, limit=DIGEST_LIMIT))
    if not result.items:
        return None
    today = ctx.today()
    overdue = [f for f in result.items if f.overdue]
    due_today = [f for f in result.items if not f.overdue]
    lines = [f"Good morning! Your follow-ups for {render.day(today, today)}:"]
    if overdue:  # the heading says they are overdue; each line need not
        lines += ["", f"Overdue ({len(overdue)}):", *numbered(overdue, today, ctx.actor, flag_overdue=False)]
    if due_today:
        lines += [
            "",
            f"Today ({len(due_today)}):",
            *numbered(due_today, today, ctx.actor, start=len(overdue) + 1),
        ]
    if result.has_more:
        lines.append(f"… and {result.total - len(result.items)} more — send /due for the full list.")
    return "\n".join(lines), [f.id for f in overdue + due_today]


def job_name(rep: UserOut) -> str:
    return f"digest:{rep.name}"


def digest_time(rep: UserOut) -> time:
    """The rep's local digest time as an aware `time` (the JobQueue fires it in that zone)."""
    hour, minute = (int(x) for x in rep.digest_time.split(":"))
    return time(hour, minute, tzinfo=zone(rep.timezone))


def _wanted(rep: UserOut) -> dict[str, Any]:
    return {"rep": rep.name, "chat_id": rep.telegram_id, "tz": rep.timezone, "at": rep.digest_time}


def sync_digests(app: Application[Any, Any, Any, Any, Any, Any]) -> list[Job[Any]]:
    """Make the scheduled digests match the registered reps: add new, move changed, drop removed."""
    base: ToolContext = app.bot_data["crm"]
    jq = app.job_queue
    if jq is None:  # python-telegram-bot installed without the job-queue extra
        log.warning("No JobQueue: morning digests are off (install python-telegram-bot[job-queue]).")
        return []
    wanted = {job_name(rep): rep for rep in reps_on_telegram(base.store)}
    for job in jq.jobs():
        if job.name and job.name.startswith("digest:"):
            rep = wanted.get(job.name)
            if rep is None or job.data != _wanted(rep):
                job.schedule_removal()
            else:
                del wanted[job.name]  # already scheduled as it should be
    for name, rep in wanted.items():
        jq.run_daily(
            send_digest, time=digest_time(rep), name=name, data=_wanted(rep), chat_id=rep.telegram_id
        )
    return [j for j in jq.jobs() if j.name and j.name.startswith("digest:")]


async def send_digest(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job callback: send one rep their digest (nothing when nothing is due — no empty pings)."""
    job = context.job
    assert job is not None and isinstance(job.data, dict)
    base: ToolContext = context.application.bot_data["crm"]
    rep = await asyncio.to_thread(get_user, base.store, job.data["rep"])
    if rep is None or rep.telegram_id is None:
        job.schedule_removal()  # unregistered since the last sync
        return
    ctx = rep_context(base, rep)
    settings = await asyncio.to_thread(digest_settings, base.store, rep.name)
    if not settings["on"] or (ctx.today().weekday() >= 5 and not settings["weekends"]):
        return  # turned off with /digest off, or a weekend
    digest = await asyncio.to_thread(digest_text, ctx)
    if digest is None:
        return
    text, ids = digest
    try:
        parts = html_parts(text)
        for i, part in enumerate(parts):
            await context.bot.send_message(
                rep.telegram_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=buttons_for(ids) if i == len(parts) - 1 else None,
            )
    except Forbidden:
        # Telegram lets a bot write only to people who have started a chat with it (or blocked it since).
        log.warning("No digest for %s: they haven't started a chat with the bot, or blocked it.", rep.name)


async def resync(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Periodic job: pick up reps added or changed with `crm users`, and prune old de-dup records."""
    sync_digests(context.application)
    base: ToolContext = context.application.bot_data["crm"]
    await asyncio.to_thread(forget_old_updates, base.store)


def start_digests(app: BotApp) -> None:
    """Schedule every rep's digest from the database, and the periodic re-sync."""
    sync_digests(app)
    start_reminders(app)
    if app.job_queue is not None:
        app.job_queue.run_repeating(resync, interval=RESYNC_SECONDS, first=RESYNC_SECONDS, name="resync")
