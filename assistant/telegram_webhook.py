"""Webhook mode: Telegram POSTs updates to us instead of being polled (optional; polling is the default).

Enabled by `TELEGRAM_WEBHOOK_URL` (the public HTTPS address Telegram should call, e.g. behind a
reverse proxy). Every request must carry the secret token given to `setWebhook` in the
`X-Telegram-Bot-Api-Secret-Token` header; anything else gets 403 and is never looked at. The secret
is `TELEGRAM_WEBHOOK_SECRET`, or a fresh random one per start (setWebhook is called at each start,
so nothing needs to remember it). Served with starlette + uvicorn, which the MCP server already
brings, rather than python-telegram-bot's tornado extra.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update

from assistant.telegram_send import BotApp

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1_000_000  # an update is a few KB; refuse anything absurd before parsing it


@dataclass(frozen=True)
class WebhookSettings:
    """Where Telegram calls (`url`), where we listen (`host`:`port`), and the shared secret."""

    url: str
    host: str = "127.0.0.1"
    port: int = 8443
    secret: str = ""

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    @classmethod
    def from_env(cls, env: dict[str, str]) -> WebhookSettings | None:
        """From TELEGRAM_WEBHOOK_URL / _LISTEN (host:port) / _SECRET; None when no URL is set (polling)."""
        url = env.get("TELEGRAM_WEBHOOK_URL", "").strip()
        if not url:
            return None
        host, _, port = env.get("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1:8443").rpartition(":")
        secret = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or secrets.token_urlsafe(32)
        return cls(url=url, host=host or "127.0.0.1", port=int(port), secret=secret)


def web_app(app: BotApp, settings: WebhookSettings) -> Starlette:
    """The ASGI app receiving Telegram's POSTs: check the secret, queue the update, answer at once."""

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), settings.secret.encode()):
            return Response(status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY:
            return Response(status_code=413)
        try:
            update = Update.de_json(json.loads(body), app.bot)
        except (ValueError, TypeError, KeyError):
            return Response(status_code=400)
        # Same path as polling from here on: gate, de-duplication, handlers.
        await app.update_queue.put(update)
        return Response()

    return Starlette(routes=[Route(settings.path, receive, methods=["POST"])])


async def serve_webhook(
    app: BotApp, stop: asyncio.Event, settings: WebhookSettings, *, ready: asyncio.Event | None = None
) -> None:
    """Register the webhook with Telegram and serve it until `stop` is set."""
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        await app.bot.set_webhook(
            settings.url, secret_token=settings.secret, allowed_updates=Update.ALL_TYPES
        )
        await app.start()
        server = uvicorn.Server(
            uvicorn.Config(
                web_app(app, settings),
                host=settings.host,
                port=settings.port,
                log_level="warning",
                lifespan="off",
            )
        )
        serving = asyncio.create_task(server.serve())
        try:
            while not server.started and not serving.done():
                await asyncio.sleep(0.01)
            if serving.done():
                serving.result()  # e.g. the port is taken: raise it
                raise OSError(f"The webhook server on {settings.host}:{settings.port} stopped at once.")
            log.info(
                "Receiving updates at %s (listening on %s:%s).", settings.url, settings.host, settings.port
            )
            if ready is not None:
                ready.set()
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait([serving, stopping], return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
        finally:
            # The webhook stays registered: Telegram keeps updates until we are back.
            server.should_exit = True
            await serving
            await app.stop()
