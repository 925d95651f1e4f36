"""`crm telegram`: the conversation engine in reps' pockets (python-telegram-bot 22).

A thin shell: `build_application` wires the handlers (`assistant.telegram_handlers`), the command
menu and the morning digests (`assistant.telegram_digest`) around one store; `run_bot` runs it with
long polling until Ctrl-C or SIGTERM. What a pending question was is kept in memory per chat, so a restart
drops it (the rep just sends the message again); everything written, the de-duplication of updates
and the digest schedule are in the database and survive.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from datetime import timedelta

import httpx
from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from assistant import telegram_actions as actions
from assistant import telegram_handlers as h
from assistant.telegram_digest import start_digests
from assistant.telegram_send import BotApp
from assistant.telegram_store import reps_on_telegram
from assistant.telegram_webhook import WebhookSettings, serve_webhook
from tools.context import ToolContext
from tools.errors import InvalidArgument
from tools.names import build_in_background

DEFAULT_API_URL = "https://api.telegram.org/bot"
TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
API_URL_ENV = "TELEGRAM_API_URL"

log = logging.getLogger(__name__)


def file_url_for(api_url: str) -> str:
    """The file download base that goes with a Bot API base URL (`…/bot` -> `…/file/bot`)."""
    head, sep, tail = api_url.rstrip("/").rpartition("/")
    return f"{head}/file/{tail}" if sep else api_url


def build_application(base: ToolContext, token: str, *, api_url: str | None = None) -> BotApp:
    """The bot, ready to initialize: handlers, error handler, command menu and digests on start-up.

    `base` gives the store and the clock (`--now`); each update acts as the rep who sent it.
    `api_url` is python-telegram-bot's `base_url` form: the token is appended to it.
    """
    if not token:
        raise InvalidArgument(
            f"{TOKEN_ENV} is not set. Create a bot with @BotFather, then run "
            f"{TOKEN_ENV}=123456:ABC… crm telegram (see docs/telegram.md)."
        )
    url = api_url or os.environ.get(API_URL_ENV) or DEFAULT_API_URL
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(url)
        .base_file_url(file_url_for(url))
        .post_init(_post_init)
        .build()
    )
    app.bot_data["crm"] = base
    add_handlers(app)
    return app


def add_handlers(app: BotApp) -> None:
    """Gate (-2), de-duplication (-1), then messages, edits, buttons and commands (0)."""
    app.add_handler(TypeHandler(Update, h.gate), group=-2)
    app.add_handler(TypeHandler(Update, h.once), group=-1)
    # Commands only as new messages: editing "/undo" must not undo a second time.
    new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("start", h.cmd_start, filters=new))
    app.add_handler(CommandHandler("help", h.cmd_help, filters=new))
    app.add_handler(CommandHandler("due", h.cmd_due, filters=new))
    app.add_handler(CommandHandler("find", h.cmd_find, filters=new))
    app.add_handler(CommandHandler("pipeline", h.cmd_pipeline, filters=new))
    app.add_handler(CommandHandler("show", actions.cmd_show, filters=new))
    app.add_handler(CommandHandler("digest", actions.cmd_digest, filters=new))
    app.add_handler(CommandHandler(["undo", "cancel"], h.cmd_engine, filters=new))
    # MessageHandler(filters.TEXT) alone would also fire on edits: split new messages from edits.
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, h.cmd_unknown))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, h.on_text))
    app.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT & ~filters.COMMAND, h.on_edit)
    )
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, h.on_other))
    app.add_handler(CallbackQueryHandler(h.on_button))
    app.add_error_handler(h.on_error)


async def _post_init(app: BotApp) -> None:
    """Start-up: publish the command menu and schedule every rep's digest from the database."""
    await app.bot.set_my_commands([BotCommand(name, text) for name, text in h.COMMANDS])
    start_digests(app)
    base: ToolContext = app.bot_data["crm"]
    # A rep's first message does not wait for the name index (tools/names.py); set once it is built.
    app.bot_data["names_ready"] = build_in_background(base)
    if not reps_on_telegram(base.store):
        log.warning(
            "No rep has a Telegram id yet, so everyone is refused. Register one: "
            "crm users add NAME --telegram-id ID --tz ZONE (the bot's refusal tells a person their id)."
        )
    log.info("Bot @%s ready.", app.bot.username)


async def serve(
    app: BotApp, stop: asyncio.Event, *, poll_timeout: float = 10.0, ready: asyncio.Event | None = None
) -> None:
    """Run `app` with long polling until `stop` is set (what `run_bot` does; tests drive it directly).

    Raises telegram.error.InvalidToken when the Bot API rejects the token (checked by getMe first).
    """
    async with app:  # initialize (getMe) … shutdown
        if app.post_init is not None:
            await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(
            timeout=timedelta(seconds=poll_timeout), allowed_updates=Update.ALL_TYPES
        )
        await app.start()
        if ready is not None:
            ready.set()
        try:
            await stop.wait()
        finally:
            await app.updater.stop()
            await app.stop()


def run_bot(ctx: ToolContext, *, api_url: str | None = None) -> None:
    """Run the bot until Ctrl-C or SIGTERM: long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set.

    A missing or rejected token, or an unreachable Bot API, is a clear error (InvalidArgument).
    """
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    # httpx logs every request URL at INFO, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    url = api_url or os.environ.get(API_URL_ENV) or DEFAULT_API_URL
    app = build_application(ctx, os.environ.get(TOKEN_ENV, "").strip(), api_url=url)

    webhook = WebhookSettings.from_env(dict(os.environ))

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if webhook is not None:
            await serve_webhook(app, stop, webhook)
        else:
            await serve(app, stop)

    try:
        asyncio.run(main())
    except InvalidToken:
        raise InvalidArgument(
            f"The Bot API at {url} rejected {TOKEN_ENV}; check the token @BotFather gave you."
        ) from None
    except TelegramError as e:
        raise InvalidArgument(bot_api_failure(url, e)) from None


def bot_api_failure(url: str, e: TelegramError) -> str:
    """What went wrong talking to the Bot API, in plain words: no answer at all, or an error answer."""
    unreachable = isinstance(e, NetworkError) and isinstance(e.__cause__, httpx.TransportError)
    if unreachable or isinstance(e, TimedOut):
        return f"Can't reach the Bot API at {url} (no answer: check the address and the network)."
    return f"The Bot API at {url} answered with an error: {e.message}. Try again later, or check --api-url."
