"""Webhook mode end to end: Telegram's POSTs with the secret are handled like polled updates.

Requests without the secret are refused.
"""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import httpx
import pytest

from assistant.telegram_bot import build_application
from assistant.telegram_webhook import SECRET_HEADER, WebhookSettings, serve_webhook
from store import Store
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import SAM, STRANGER, WAIT, call_text, counts, until, user
from tests.telegram.test_bot_conversation import notes_matching
from tools.context import ToolContext

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def message_update(update_id: int, sender: int, message_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "date": int(time.time()),
            "text": text,
            "chat": {"id": sender, "type": "private"},
            "from": user(sender),
        },
    }


def test_webhook_takes_updates_with_the_secret_only(fake: FakeBotApi, base: ToolContext, team: Store) -> None:
    port = free_port()
    settings = WebhookSettings(url=f"http://127.0.0.1:{port}/telegram/hook", port=port, secret="s3cret-token")
    logged = message_update(9001, SAM, 501, "Called Globex about the webhook pilot")

    async def scenario() -> tuple[list[int], dict[str, int], dict[str, int]]:
        app = build_application(base, fake.token, api_url=fake.url)
        stop, ready = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(serve_webhook(app, stop, settings, ready=ready))
        await asyncio.wait_for(ready.wait(), WAIT)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                ok = {SECRET_HEADER: settings.secret}
                statuses = [(await http.post(settings.path, json=logged, headers=ok)).status_code]
                await until(lambda: fake.sent(), "the reply")
                statuses.append(
                    (await http.post(settings.path, json=logged, headers=ok)).status_code
                )  # re-delivered
                statuses.append(
                    (
                        await http.post(
                            settings.path, json=message_update(9002, SAM, 502, "/help"), headers=ok
                        )
                    ).status_code
                )
                await until(lambda: len(fake.sent()) >= 2, "the /help answer")
                before = counts(team)
                forged = message_update(9003, SAM, 503, "Met Globex, mark them as won")  # claims to be sam
                statuses.append((await http.post(settings.path, json=forged)).status_code)
                statuses.append(
                    (
                        await http.post(settings.path, json=forged, headers={SECRET_HEADER: "guess"})
                    ).status_code
                )
                stranger = message_update(9004, STRANGER, 504, "hello")
                statuses.append((await http.post(settings.path, json=stranger, headers=ok)).status_code)
                await until(
                    lambda: any(int(c.params["chat_id"]) == STRANGER for c in fake.sent()), "the refusal"
                )
                return statuses, before, counts(team)
        finally:
            stop.set()
            await asyncio.wait_for(task, WAIT)

    statuses, before, after = asyncio.run(scenario())
    [hook] = fake.calls_to("setWebhook")
    assert hook.params["url"] == settings.url and hook.params["secret_token"] == settings.secret
    assert statuses == [200, 200, 200, 403, 403, 200]
    assert after == before  # neither the forged requests nor the stranger stored anything
    assert len(notes_matching(team, "webhook pilot")) == 1  # the re-delivery was not applied again
    assert "Logged call with Globex Corporation" in call_text(fake.sent()[0])


def test_webhook_settings_from_the_environment() -> None:
    assert WebhookSettings.from_env({}) is None
    s = WebhookSettings.from_env(
        {"TELEGRAM_WEBHOOK_URL": "https://crm.example.com/tg", "TELEGRAM_WEBHOOK_LISTEN": "0.0.0.0:9000"}
    )
    assert s is not None and (s.path, s.host, s.port) == ("/tg", "0.0.0.0", 9000)
    assert len(s.secret) >= 32  # a random secret when none is configured
