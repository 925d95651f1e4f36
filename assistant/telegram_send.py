"""Sending to a chat: plain text escaped and split under Telegram's limit, buttons on the last part."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, ContextTypes, ExtBot, JobQueue

from assistant.telegram_format import html_parts

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
# What ApplicationBuilder().build() makes: the default bot, context and data types, with a job queue.
BotApp = Application[ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[Context]]
ALERT_LIMIT = 200  # answerCallbackQuery text


async def send(
    context: Context,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    pre: bool = False,
) -> Message | None:
    """Send plain `text` as one or more HTML messages; buttons go on the last one, which is returned."""
    parts = html_parts(text, pre=pre)
    sent = None
    for i, part in enumerate(parts):
        sent = await context.bot.send_message(
            chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup if i == len(parts) - 1 else None
        )
    return sent


def buttons_of(query: CallbackQuery) -> list[list[InlineKeyboardButton]]:
    markup = getattr(query.message, "reply_markup", None)
    return [list(row) for row in markup.inline_keyboard] if markup else []


def without_rows(query: CallbackQuery, drop: Callable[[str], bool]) -> InlineKeyboardMarkup | None:
    """The pressed message's keyboard minus the rows holding a button whose callback_data `drop` accepts."""
    rows = [row for row in buttons_of(query) if not any(drop(str(b.callback_data)) for b in row)]
    return InlineKeyboardMarkup(rows) if rows else None


async def edit_markup(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as e:  # "message is not modified", or too old to edit: the buttons just stay
        log.debug("Could not edit buttons: %s", e)
