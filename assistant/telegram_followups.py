"""Follow-ups on Telegram: /due with Done / Tomorrow / Next week buttons, the buttons' actions, and a
reminder at a follow-up's time.

The functions here are synchronous (the handlers run them in a worker thread) and call only tools.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import Forbidden
from telegram.ext import ContextTypes

from assistant import render
from assistant.telegram_format import MAX_ITEM_BUTTONS, followup_buttons, html_parts
from assistant.telegram_send import BotApp
from assistant.telegram_store import claim_reminder, rep_context, reps_on_telegram
from tools.context import ToolContext
from tools.followups import complete_followup, list_followups, reschedule_followup
from tools.notes import get_followup
from tools.schemas import CompleteFollowup, FollowupOut, ListFollowups, RescheduleFollowup

log = logging.getLogger(__name__)

REMINDER_SECONDS = 60  # how often the reminder job looks for follow-ups whose time has come
REMINDER_WINDOW = timedelta(
    minutes=90
)  # after a restart, remind of what came due this recently; older is the digest's


def numbered(
    items: list[FollowupOut], today: date, me: str, *, start: int = 1, flag_overdue: bool = True
) -> list[str]:
    """'1. Fri 27 Feb, overdue: Acme Corp — send pricing' — the rep's own name and ids left out."""
    lines = []
    for n, f in enumerate(items, start):
        line = render.followup_line(
            f if flag_overdue else f.model_copy(update={"overdue": False}), today, me=me
        )
        lines.append(f"{n}. {line}" if n - 1 < MAX_ITEM_BUTTONS else f"• {line}")
    return lines


def due_message(ctx: ToolContext, team: bool) -> tuple[str, list[int]]:
    """The /due answer and the follow-ups its buttons act on, in the order listed."""
    result = list_followups(
        ctx, ListFollowups(scope="this_week", owner=None if team else ctx.actor, limit=100)
    )
    head = "Team follow-ups this week (and overdue):" if team else "Your follow-ups this week (and overdue):"
    if not result.items:
        return (
            "Nothing open this week for the team."
            if team
            else "Nothing due this week, and nothing overdue. 🎉"
        ), []
    lines = [head, *numbered(result.items, ctx.today(), ctx.actor)]
    if result.has_more:
        lines.append(f"… and {result.total - len(result.items)} more.")
    return "\n".join(lines), [f.id for f in result.items]


def buttons_for(ids: list[int], *, numbered_rows: bool = True) -> InlineKeyboardMarkup | None:
    return InlineKeyboardMarkup(followup_buttons(ids, numbered=numbered_rows)) if ids else None


def next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def act(ctx: ToolContext, action: str, followup_id: int) -> tuple[str, str]:
    """Do what a follow-up's button says, as one undoable change; (what was done, change batch)."""
    today = ctx.today()
    current = get_followup(ctx, followup_id)
    if action == "d":
        with ctx.batch(f"mark follow-up with {current.customer_name} done") as batch:
            done = complete_followup(ctx, CompleteFollowup(followup_id=followup_id)).followup
        return f"Done: {_what(done)}.", batch
    day = today + timedelta(days=1) if action == "t" else next_monday(today)
    due = day.isoformat() + (f"T{current.due_time}" if current.due_time else "")  # keep its time of day
    with ctx.batch(f"move follow-up with {current.customer_name} to {render.day(day, today)}") as batch:
        moved = reschedule_followup(ctx, RescheduleFollowup(followup_id=followup_id, due=due)).followup
    return f"Moved to {render.followup_when(moved, today)}: {_what(moved)}.", batch


def _what(f: FollowupOut) -> str:
    return f.customer_name + (f" — {f.description}" if f.description else "")


def reminders_due(ctx: ToolContext) -> list[FollowupOut]:
    """The rep's open follow-ups whose time today has come (within the window), not yet reminded of."""
    now = ctx.now()
    result = list_followups(ctx, ListFollowups(scope="today", owner=ctx.actor, limit=200))
    due = []
    for f in result.items:
        if f.due != now.date() or not f.due_time:
            continue
        hour, minute = (int(x) for x in f.due_time.split(":"))
        at = datetime.combine(f.due, datetime.min.time(), tzinfo=ctx.tz).replace(hour=hour, minute=minute)
        if now - REMINDER_WINDOW <= at <= now and claim_reminder(ctx.store, f"{f.id}@{f.due}T{f.due_time}"):
            due.append(f)
    return due


async def send_reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job callback: remind each rep of follow-ups whose time has come, with the follow-up's buttons."""
    base: ToolContext = context.application.bot_data["crm"]
    for rep in await asyncio.to_thread(reps_on_telegram, base.store):
        if rep.telegram_id is None:  # reps_on_telegram gives only reps with one
            continue
        items = await asyncio.to_thread(reminders_due, rep_context(base, rep))
        for f in items:
            text = f"⏰ Now: {_what(f)} ({f.due_time})."
            try:
                for part in html_parts(text):
                    await context.bot.send_message(
                        rep.telegram_id,
                        part,
                        parse_mode=ParseMode.HTML,
                        reply_markup=buttons_for([f.id], numbered_rows=False),
                    )
            except Forbidden:
                log.warning(
                    "No reminder for %s: they haven't started a chat with the bot, or blocked it.", rep.name
                )


def start_reminders(app: BotApp) -> None:
    """Look for follow-ups whose time has come every minute (PTB's job queue)."""
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            send_reminders, interval=REMINDER_SECONDS, first=REMINDER_SECONDS, name="reminders"
        )
