"""Drive the real bot (`assistant.telegram_bot`) against the fake Bot API: send updates, wait for effects."""

from __future__ import annotations

import asyncio
import html
import itertools
import re
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from assistant.telegram_bot import build_application, serve
from store import Store
from store.models import TABLES, ChangeLog, InboundMessage
from tests.telegram.fake_bot_api import Call, FakeBotApi
from tools.context import ToolContext

SAM, KIM, STRANGER = 1001, 1002, 5555
WAIT = 10.0  # seconds: generous, only ever reached when a test fails
_update_ids = itertools.count(100)


async def until(check: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    """Poll `check` until it returns something truthy (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def user(telegram_id: int) -> dict[str, Any]:
    return {"id": telegram_id, "is_bot": False, "first_name": f"User{telegram_id}"}


class Bot:
    """One running Application on the fake server; `restart()` makes a fresh one (same database)."""

    def __init__(self, fake: FakeBotApi, base: ToolContext) -> None:
        self.fake, self.base = fake, base
        self.app: Any = None
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.app = build_application(self.base, self.fake.token, api_url=self.fake.url)
        self._stop, ready = asyncio.Event(), asyncio.Event()
        self._task = asyncio.create_task(serve(self.app, self._stop, poll_timeout=1, ready=ready))
        await asyncio.wait(
            [self._task, asyncio.create_task(ready.wait())], timeout=WAIT, return_when=asyncio.FIRST_COMPLETED
        )
        if self._task.done():
            self._task.result()  # raises what went wrong
        assert ready.is_set(), "bot did not start"

    async def stop(self) -> None:
        assert self._stop is not None and self._task is not None
        self._stop.set()
        await asyncio.wait_for(self._task, WAIT)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    # ---- updates in ---------------------------------------------------------------------------------
    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        self.fake.push(update)
        return update

    def text(self, sender: int, text: str) -> dict[str, Any]:
        """A new text message from `sender` in their private chat."""
        msg: dict[str, Any] = {
            "message_id": self.fake.new_message_id(),
            "date": int(time.time()),
            "chat": {"id": sender, "type": "private"},
            "from": user(sender),
            "text": text,
        }
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.push({"update_id": next(_update_ids), "message": msg})

    def edit(self, original: dict[str, Any], text: str) -> dict[str, Any]:
        """The same message edited to `text`."""
        msg = dict(original["message"], text=text, edit_date=int(time.time()))
        return self.push({"update_id": next(_update_ids), "edited_message": msg})

    def press(self, sender: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        """`sender` presses the button with `data` under a message the bot sent."""
        query = {
            "id": f"cq{next(_update_ids)}",
            "from": user(sender),
            "chat_instance": "ci",
            "data": data,
            "message": message,
        }
        return self.push({"update_id": next(_update_ids), "callback_query": query})

    # ---- effects out --------------------------------------------------------------------------------
    async def replies(self, chat_id: int, after: int, count: int = 1) -> list[Call]:
        """Wait for `count` more sendMessage calls to `chat_id` than `after` (see `sent_to`)."""
        await until(lambda: len(self.sent_to(chat_id)) >= after + count, f"{count} message(s) to {chat_id}")
        return self.sent_to(chat_id)[after:]

    def sent_to(self, chat_id: int) -> list[Call]:
        return [c for c in self.fake.sent() if int(c.params["chat_id"]) == chat_id]

    async def say(self, sender: int, text: str) -> Call:
        """Send a message and wait for the (last part of the) answer."""
        before = len(self.sent_to(sender))
        self.text(sender, text)
        return (await self.replies(sender, before))[-1]

    async def settle(self, sender: int = SAM) -> None:
        """Wait until every update pushed so far was handled: updates are handled in order, so a
        /help sent now is answered only after them."""
        before = len(self.sent_to(sender))
        self.text(sender, "/help")
        await self.replies(sender, before)

    @staticmethod
    def message(call: Call) -> dict[str, Any]:
        """The Message the server returned for a send (what a later button press carries)."""
        assert isinstance(call.result, dict), call.result
        return call.result


def call_text(call: Call) -> str:
    """The text a user sees for a sendMessage call (HTML parsed out)."""
    text = call.params.get("text", "")
    return (
        html.unescape(re.sub(r"</?\w+[^>]*>", "", text)) if call.params.get("parse_mode") == "HTML" else text
    )


def buttons(call: Call) -> list[tuple[str, str]]:
    """(label, callback_data) of the inline keyboard of a sent message."""
    markup = call.params.get("reply_markup") or {}
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]


def counts(store: Store, *, data_only: bool = False) -> dict[str, int]:
    """Rows per table, with the change log and (unless `data_only`) the de-duplication records."""
    with store.read() as s:
        tables = {
            **TABLES,
            "change_log": ChangeLog,
            **({} if data_only else {"inbound_message": InboundMessage}),
        }
        return {name: s.exec(select(func.count()).select_from(model)).one() for name, model in tables.items()}
