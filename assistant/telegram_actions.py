"""What the bot's buttons and its /undo, /show and /digest commands do.

Undo: a change that would remove more than one record (or an import) is confirmed first with a
button, and says what it removes; a message's Undo also undoes what the rep's edits of that
message changed since, so their own edit never blocks it.
"""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import CallbackQuery, Update
from telegram.ext import ContextTypes

from assistant import render
from assistant.telegram_digest import sync_digests
from assistant.telegram_followups import act
from assistant.telegram_format import ButtonPress, confirm_undo_buttons, keyboard
from assistant.telegram_send import ALERT_LIMIT, edit_markup, send, without_rows
from assistant.telegram_store import digest_settings, edits_of, rep_context, set_digest_settings
from tools.context import ToolContext
from tools.errors import USER_ERRORS, NothingToUndo, UndoConflict
from tools.history import UndoPlan, plan_undo, undo_change
from tools.notes import get_interaction
from tools.users import UserOut, add_user

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE


def _ctx(context: Context) -> ToolContext:
    return rep_context(context.bot_data["crm"], context.user_data["rep"])  # type: ignore[index]  # set by the gate


def _chat(update: Update) -> int:
    return update.effective_chat.id  # type: ignore[union-attr]  # every update handled here is in a chat


# ---- undo ---------------------------------------------------------------------------------------------
def _plan(ctx: ToolContext, batch: str | None) -> UndoPlan:
    follow_ons = edits_of(ctx.store, batch) if batch else []
    return plan_undo(ctx, batch, follow_ons=follow_ons)


async def undo_latest(update: Update, context: Context) -> None:
    """/undo (or "undo" typed): the rep's latest change, confirmed first when it removes several records."""
    ctx = _ctx(context)
    try:
        plan = await asyncio.to_thread(_plan, ctx, None)
    except (NothingToUndo, UndoConflict) as e:
        await send(context, _chat(update), str(e))
        return
    await _undo_or_ask(update, context, plan)


async def undo_pressed(update: Update, context: Context, query: CallbackQuery, press: ButtonPress) -> None:
    """An Undo button (or its confirmation) under one of the bot's messages."""
    ctx = _ctx(context)
    try:
        plan = await asyncio.to_thread(_plan, ctx, press.batch)
    except NothingToUndo as e:
        await query.answer(str(e)[:ALERT_LIMIT], show_alert=True)
        await edit_markup(query, without_rows(query, lambda d: d.endswith(press.batch)))
        return
    except UndoConflict as e:  # someone else's, or changed since: the reason is worth a message
        await query.answer("Not undone — see why below.")
        await send(context, _chat(update), str(e))
        return
    if press.kind == "undo" and plan.needs_confirmation:
        await query.answer()
        await send(context, _chat(update), plan.question(), confirm_undo_buttons(plan.batch))
        return
    await query.answer()
    # Take the pressed button away (the Undo, or the question's Yes/No) so it can't be pressed twice.
    await edit_markup(query, without_rows(query, lambda d: d.endswith(press.batch) or d == "x"))
    await _undo(update, context, plan)


async def keep_pressed(query: CallbackQuery) -> None:
    """'No, keep it' on an undo question."""
    await query.answer("Kept — nothing was undone.")
    await edit_markup(query, None)


async def _undo_or_ask(update: Update, context: Context, plan: UndoPlan) -> None:
    if plan.needs_confirmation:
        await send(context, _chat(update), plan.question(), confirm_undo_buttons(plan.batch))
    else:
        await _undo(update, context, plan)


async def _undo(update: Update, context: Context, plan: UndoPlan) -> None:
    ctx = _ctx(context)
    try:
        result = await asyncio.to_thread(undo_change, ctx, plan.batch, follow_ons=plan.follow_ons)
    except (NothingToUndo, UndoConflict) as e:
        await send(context, _chat(update), str(e))
        return
    removed = f" Removed {plan.removed}." if plan.needs_confirmation and plan.removed else ""
    await send(context, _chat(update), f"Undone: {result.summary}.{removed}")


# ---- follow-up buttons --------------------------------------------------------------------------------
async def followup_pressed(
    update: Update, context: Context, query: CallbackQuery, press: ButtonPress
) -> None:
    """Done / Tomorrow / Next week under a follow-up in /due, the digest or a reminder."""
    try:
        text, batch = await asyncio.to_thread(act, _ctx(context), press.action, press.item)
    except USER_ERRORS as e:
        await query.answer(_plain(str(e))[:ALERT_LIMIT], show_alert=True)
        await edit_markup(
            query, without_rows(query, lambda d: d.endswith(f":{press.item}") and d.startswith("f:"))
        )
        return
    await query.answer(text[:ALERT_LIMIT])
    await edit_markup(
        query, without_rows(query, lambda d: d.startswith("f:") and d.endswith(f":{press.item}"))
    )
    await send(context, _chat(update), text, keyboard(None, [], batch))


def _plain(message: str) -> str:
    """A tool's refusal about one follow-up, without its id.

    'Follow-up #12 with Acme is done' -> 'Follow-up with Acme is done'.
    """
    return re.sub(r"\s*#\d+", "", message)


# ---- whole notes --------------------------------------------------------------------------------------
async def show_note(update: Update, context: Context, note_id: int) -> None:
    """Send one note in full (a profile or a list shows long notes shortened)."""
    ctx = _ctx(context)
    try:
        note = await asyncio.to_thread(get_interaction, ctx, note_id)
    except USER_ERRORS as e:
        await send(context, _chat(update), str(e))
        return
    await send(context, _chat(update), render.note(note, ctx.today()))


async def cmd_show(update: Update, context: Context) -> None:
    """/show N: the whole of note N."""
    arg = (context.args or [""])[0].lstrip("#")
    if not arg.isdigit():
        await send(
            context, _chat(update), "Usage: /show N — the number after “/show” under a shortened note."
        )
        return
    await show_note(update, context, int(arg))


async def show_pressed(update: Update, context: Context, query: CallbackQuery, press: ButtonPress) -> None:
    await query.answer()
    await show_note(update, context, press.item)


# ---- the digest's settings -----------------------------------------------------------------------------
DIGEST_USAGE = "/digest off · /digest on · /digest 07:30 · /digest weekends · /digest weekdays"


async def cmd_digest(update: Update, context: Context) -> None:
    """/digest [off|on|HH:MM|weekends|weekdays]: the morning digest's settings; alone, what they are."""
    rep: UserOut = context.user_data["rep"]  # type: ignore[index]  # set by the access gate
    store = context.bot_data["crm"].store
    word = (context.args or [""])[0].lower()
    try:
        if word in ("off", "stop", "no"):
            await asyncio.to_thread(set_digest_settings, store, rep.name, on=False)
        elif word in ("on", "start", "yes"):
            await asyncio.to_thread(set_digest_settings, store, rep.name, on=True)
        elif word in ("weekends", "weekend", "daily"):
            await asyncio.to_thread(set_digest_settings, store, rep.name, on=True, weekends=True)
        elif word in ("weekdays", "weekday"):
            await asyncio.to_thread(set_digest_settings, store, rep.name, weekends=False)
        elif re.fullmatch(r"\d{1,2}[:.]\d{2}", word):
            rep = await asyncio.to_thread(add_user, store, rep.name, digest_time=word.replace(".", ":"))
            await asyncio.to_thread(set_digest_settings, store, rep.name, on=True)
            context.user_data["rep"] = rep  # type: ignore[index]  # the gate made it
        elif word:
            await send(context, _chat(update), f"I didn't get “{word}”. Try: {DIGEST_USAGE}")
            return
    except USER_ERRORS as e:
        await send(context, _chat(update), str(e))
        return
    if word:
        sync_digests(context.application)
    settings = await asyncio.to_thread(digest_settings, store, rep.name)
    await send(context, _chat(update), digest_status(rep, settings))


def digest_status(rep: UserOut, settings: dict[str, bool]) -> str:
    if not settings["on"]:
        return f"Your morning digest is off. Turn it back on with /digest on (it comes at {rep.digest_time})."
    days = "every day" if settings["weekends"] else "Monday to Friday"
    return (
        f"Your morning digest comes at {rep.digest_time} ({rep.timezone}), {days}, when something is due.\n"
        f"Change it: {DIGEST_USAGE}"
    )
