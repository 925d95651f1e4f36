"""The bot's handlers: a gate, de-duplication, then free text, edits, buttons and commands.

Order of groups: -2 the access gate (strangers stop there, nothing of theirs stored), -1 the
de-duplication of re-delivered updates, 0 the handlers proper. Everything a message means is the
engine's business (`assistant.conversation`); handlers only adapt Telegram to it. The engine and
the tools are synchronous, so they run in a worker thread.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from assistant import render
from assistant import telegram_actions as actions
from assistant.conversation import Reply, respond, respond_to_edit
from assistant.questions import HELP
from assistant.replies import UNDO_HINT
from assistant.telegram_followups import buttons_for, due_message
from assistant.telegram_format import keyboard, parse_button, show_buttons
from assistant.telegram_send import buttons_of, edit_markup, send
from assistant.telegram_store import (
    claim_update,
    note_batch,
    note_edit_change,
    note_message_change,
    rep_context,
    rep_for,
)
from tools.context import ToolContext
from tools.customers import find_customers
from tools.pipeline import pipeline_summary
from tools.schemas import FindCustomers, PipelineSummary
from tools.users import UserOut

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

REFUSAL = (
    "Sorry, this is a private CRM assistant and your Telegram account is not registered. "
    "If you work with this team, ask whoever runs it to add you:\n"
    "crm users add YOUR_NAME --telegram-id {id} --tz YOUR/TIMEZONE"
)
REFUSAL_SHORT = "Sorry, this bot is only for registered reps."
TAP_UNDO = " — tap Undo to revert"
SHOW_HINT = re.compile(r"\(/show (\d+)\)")


def message_ref(chat_id: int, message_id: int) -> str:
    """The engine's handle on a Telegram message, so an edit finds what the message wrote."""
    return f"telegram:{chat_id}:{message_id}"


def _base(context: Context) -> ToolContext:
    base: ToolContext = context.bot_data["crm"]
    return base


def _rep(context: Context) -> UserOut:
    """The rep the access gate (group -2) found for this update's sender."""
    rep: UserOut = context.user_data["rep"]  # type: ignore[index]  # the gate only passes a user's updates
    return rep


def _chat_id(update: Update) -> int:
    return update.effective_chat.id  # type: ignore[union-attr]  # every update handled here is in a chat


def _chat_data(context: Context) -> dict[str, Any]:
    data: dict[str, Any] = context.chat_data  # type: ignore[assignment]  # an update in a chat has its data
    return data


def _rep_ctx(context: Context) -> ToolContext:
    rep = _rep(context)
    return rep_context(_base(context), rep)


# ---- group -2 and -1: who may talk, and only once per update --------------------------------------------
async def gate(update: Update, context: Context) -> None:
    """Let registered reps through; refuse anyone else politely, storing nothing of theirs."""
    user = update.effective_user
    rep = await asyncio.to_thread(rep_for, _base(context).store, user.id if user else None)
    if rep is not None:
        context.user_data["rep"] = rep  # type: ignore[index]  # fresh each update: settings may change
        return
    if user is not None:
        await _refuse(update, user.id)
    raise ApplicationHandlerStop


async def _refuse(update: Update, telegram_id: int) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(REFUSAL_SHORT, show_alert=True)
    elif (
        update.effective_message is not None
        and update.effective_chat is not None
        and update.effective_chat.type == ChatType.PRIVATE
    ):
        # Only in private chats: in a group the bot would otherwise answer every stranger's message.
        await update.effective_message.reply_text(REFUSAL.format(id=telegram_id))


async def once(update: Update, context: Context) -> None:
    """Skip an update that was already applied (Telegram re-delivers after a crash or a slow confirm)."""
    if not await asyncio.to_thread(claim_update, _base(context).store, update.update_id):
        log.info("Update %s was already applied; skipped.", update.update_id)
        raise ApplicationHandlerStop


# ---- sending replies -----------------------------------------------------------------------------------
async def deliver(
    update: Update,
    context: Context,
    reply: Reply,
    *,
    keep_pending: bool = False,
    message: str | None = None,
    edit: bool = False,
) -> None:
    """Send an engine reply: the text split and escaped, choices as buttons, Undo when it wrote.

    `keep_pending`: a reply that asks nothing leaves the chat's pending question (and its buttons) alone.
    `message`: the rep's message it answers, whose Undo then also covers that message's later `edit`s.
    """
    chat_data = _chat_data(context)
    question: int | None = None
    if reply.choices:
        chat_data["state"] = reply.state
        # Numbered per chat so a button of an older, superseded question can't answer this one.
        question = chat_data.get("next_question", 0) + 1
        chat_data["next_question"] = question
        chat_data["question"] = {
            "id": question,
            "answers": [c.answer for c in reply.choices],
            "labels": [c.label for c in reply.choices],
        }
    elif not keep_pending:
        chat_data["state"] = reply.state
        chat_data.pop("question", None)
    text = reply.text
    if reply.batch and text.endswith(UNDO_HINT):
        text = text[: -len(UNDO_HINT)] + TAP_UNDO  # there is a button for it
    markup = keyboard(question, reply.choices, reply.batch)
    shortened = [int(n) for n in SHOW_HINT.findall(text)]
    if shortened:  # a long note was cut: a button reads it whole
        markup = InlineKeyboardMarkup([*(markup.inline_keyboard if markup else ()), *show_buttons(shortened)])
    if reply.batch:  # recorded before the reply goes out, so a quick Undo press finds it
        store = _base(context).store
        await asyncio.to_thread(note_batch, store, update.update_id, reply.batch)
        if message is not None:
            await asyncio.to_thread(
                note_edit_change if edit else note_message_change, store, message, reply.batch
            )
    await send(context, _chat_id(update), text, markup)


async def _engine(func: Any, *args: Any, **kwargs: Any) -> Reply:
    return await asyncio.to_thread(func, *args, **kwargs)


# ---- messages ------------------------------------------------------------------------------------------
async def on_text(update: Update, context: Context) -> None:
    """Free text: the engine, acting as the rep, with the chat's pending question."""
    msg: Message = update.message  # type: ignore[assignment]  # the text filter passes only messages
    if (msg.text or "").strip().lower().rstrip(".!") == "undo":
        await actions.undo_latest(update, context)  # asks first when it would remove several records
        return
    state = _chat_data(context).get("state")
    ref = message_ref(msg.chat_id, msg.message_id)
    reply = await _engine(respond, _rep_ctx(context), msg.text or "", state, message_ref=ref)
    await deliver(update, context, reply, message=ref)


async def on_edit(update: Update, context: Context) -> None:
    """An edited message corrects what the original wrote (no second note)."""
    msg: Message = update.edited_message  # type: ignore[assignment]  # the edit filter passes only edits
    ref = message_ref(msg.chat_id, msg.message_id)
    reply = await _engine(respond_to_edit, _rep_ctx(context), msg.text or "", message_ref=ref)
    # An edit answers nothing: a question the rep is still answering stays open.
    await deliver(update, context, reply, keep_pending=True, message=ref, edit=True)


async def on_other(update: Update, context: Context) -> None:
    """Photos, voice notes, stickers…: say what works instead of staying silent."""
    await send(
        context,
        _chat_id(update),
        "I can only read text for now, not voice notes, photos or files. Type what happened instead, "
        "e.g. “Met Acme today, follow up Monday” "
        "(on a phone, the keyboard's microphone can type it for you).",
    )


# ---- buttons -------------------------------------------------------------------------------------------
async def on_button(update: Update, context: Context) -> None:
    """A pressed inline button: an answer, Undo (or its confirmation), a follow-up's action, a whole note."""
    query: CallbackQuery = update.callback_query  # type: ignore[assignment]  # a button update has one
    press = parse_button(query.data)
    if press is None:
        await query.answer("This button no longer works.")
        return
    if press.kind in ("undo", "undo_confirmed"):
        await actions.undo_pressed(update, context, query, press)
    elif press.kind == "keep":
        await actions.keep_pressed(query)
    elif press.kind == "followup":
        await actions.followup_pressed(update, context, query, press)
    elif press.kind == "show":
        await actions.show_pressed(update, context, query, press)
    else:
        await _choice_pressed(update, context, query, press.question, press.index)


async def _choice_pressed(
    update: Update, context: Context, query: CallbackQuery, question: int, index: int
) -> None:
    pending = _chat_data(context).get("question")
    if not pending or pending["id"] != question or index >= len(pending["answers"]):
        await query.answer(
            "That question was already answered or has expired — please send your message again.",
            show_alert=True,
        )
        await edit_markup(query, _undo_only(query))
        return
    await query.answer()
    label = pending["labels"][index]
    text = getattr(query.message, "text", None)
    if text:
        # Show what was picked where it was asked, and take the buttons away so it can't be pressed twice.
        await _edit_text(
            query,
            html.escape(text, quote=False) + f"\n→ <b>{html.escape(label, quote=False)}</b>",
            _undo_only(query),
        )
    reply = await _engine(
        respond,
        _rep_ctx(context),
        pending["answers"][index],
        _chat_data(context).get("state"),
        message_ref=message_ref(query.message.chat.id, query.message.message_id),  # type: ignore[union-attr]  # our button's
    )
    await deliver(update, context, reply)


def _undo_only(query: CallbackQuery) -> InlineKeyboardMarkup | None:
    rows = [row for row in buttons_of(query) if all(str(b.callback_data).startswith("u:") for b in row)]
    return InlineKeyboardMarkup(rows) if rows else None


async def _edit_text(query: CallbackQuery, text_html: str, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await query.edit_message_text(text_html, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as e:
        log.debug("Could not edit the question: %s", e)
        await edit_markup(query, markup)


# ---- commands ------------------------------------------------------------------------------------------
async def cmd_start(update: Update, context: Context) -> None:
    """/start: who I am and what to type."""
    rep = _rep(context)
    await send(
        context,
        _chat_id(update),
        f"Hi {rep.name}! I'm your CRM assistant. Your digest of due follow-ups comes at "
        f"{rep.digest_time} ({rep.timezone}).\n\n{HELP}\n\n{COMMANDS_HELP}",
    )


async def cmd_help(update: Update, context: Context) -> None:
    """/help: example sentences and the commands."""
    await send(context, _chat_id(update), f"{HELP}\n\n{COMMANDS_HELP}")


async def cmd_due(update: Update, context: Context) -> None:
    """/due: my follow-ups this week and overdue ones; `/due team` for everyone's."""
    args = context.args or []
    team = bool(args) and args[0].lower() in ("team", "all", "everyone")
    text, ids = await asyncio.to_thread(due_message, _rep_ctx(context), team)
    await send(context, _chat_id(update), text, buttons_for(ids))


async def cmd_find(update: Update, context: Context) -> None:
    """/find NAME: customers matching a name, contact or email."""
    query = " ".join(context.args or []).strip()
    if not query:
        await send(context, _chat_id(update), "Usage: /find NAME — e.g. /find acme")
        return
    text = await asyncio.to_thread(find_text, _rep_ctx(context), query)
    await send(context, _chat_id(update), text)


async def cmd_pipeline(update: Update, context: Context) -> None:
    """/pipeline: customers and deal value per stage."""
    result = await asyncio.to_thread(pipeline_summary, _rep_ctx(context), PipelineSummary())
    await send(context, _chat_id(update), render.pipeline(result), pre=True)


async def cmd_engine(update: Update, context: Context) -> None:
    """/undo and /cancel: the same words typed as text, so they behave exactly alike."""
    if update.message and (update.message.text or "").startswith("/undo"):
        await actions.undo_latest(update, context)
        return
    reply = await _engine(respond, _rep_ctx(context), "cancel", _chat_data(context).get("state"))
    await deliver(update, context, reply)


async def cmd_unknown(update: Update, context: Context) -> None:
    """An unknown /command."""
    await send(context, _chat_id(update), f"I don't know that command.\n\n{COMMANDS_HELP}")


def find_text(ctx: ToolContext, query: str) -> str:
    """The /find answer: one line per matching customer."""
    result = find_customers(ctx, FindCustomers(query=query, limit=20))
    if not result.items:
        return f"No customer matches “{query}”."
    me = ctx.actor  # the rep's own name is left out: "yours" is the default
    lines = [
        f"• {c.name} — {c.stage}{', ' + c.owner if c.owner and c.owner != me else ''}" for c in result.items
    ]
    return "\n".join(lines + (["… more: refine the name."] if result.has_more else []))


COMMANDS = [
    ("start", "Introduction and examples"),
    ("help", "What I understand"),
    ("due", "Your follow-ups this week and overdue (/due team for everyone)"),
    ("find", "Find a customer: /find NAME"),
    ("pipeline", "Customers and value per stage"),
    ("show", "A whole note: /show N"),
    ("digest", "Morning digest: /digest off, on, 07:30, weekends"),
    ("undo", "Undo your last change"),
    ("cancel", "Drop the question I asked"),
]
COMMANDS_HELP = "Commands: " + " · ".join(f"/{name}" for name, _ in COMMANDS)


async def on_error(update: object, context: Context) -> None:
    """Log any exception a handler raised, and tell the rep something went wrong."""
    log.error("Handler failed on update %s", getattr(update, "update_id", "?"), exc_info=context.error)
    if (
        isinstance(update, Update)
        and update.effective_chat is not None
        and context.user_data
        and "rep" in context.user_data
    ):
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                "Sorry — something went wrong on my side. Please try again in a moment.",
            )
        except TelegramError as e:  # the network may be what failed; the log above has the cause
            log.warning("Could not tell the rep about the failure: %s", e)
