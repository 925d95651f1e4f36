"""End to end: Undo on Telegram as a rep expects it — confirmed when it removes a lot, covering the
message's own edits; whole notes with /show; Bot API failures in plain words."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlmodel import select

from store import Store
from store.models import Customer
from tests.conftest import NewDb, make_ctx
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import SAM, Bot, buttons, call_text, counts
from tests.telegram.test_bot_conversation import notes_matching, run
from tests.telegram.test_bot_output import _crm
from tools.context import ToolContext
from tools.schemas import LogInteraction
from tools.timeline import log_interaction
from tools.transfer import import_text

pytestmark = pytest.mark.e2e


def customers(store: Store) -> set[str]:
    with store.read() as s:
        return set(s.exec(select(Customer.name)))


def test_undo_of_an_import_asks_first_and_says_what_it_removes(
    fake: FakeBotApi, base: ToolContext, team: Store
) -> None:
    rows = "name,stage\nOrchid Florals,lead\nPine Hardware,lead\nQuill & Ink,qualified\n"
    import_text(make_ctx(team, actor="sam", source="import"), rows, kind="csv", label="shops.csv")

    async def scenario(bot: Bot) -> dict[str, Any]:
        asked = await bot.say(SAM, "/undo")
        kept_answers = len(fake.calls_to("answerCallbackQuery"))
        bot.press(SAM, bot.message(asked), dict(buttons(asked))["No, keep it"])
        await bot.settle()
        after_no = customers(team)
        again = await bot.say(SAM, "undo")  # typed, not the command: the same question
        before = len(bot.sent_to(SAM))
        bot.press(SAM, bot.message(again), dict(buttons(again))["Yes, undo it"])
        done = (await bot.replies(SAM, before))[-1]
        return {
            "asked": asked,
            "after_no": after_no,
            "kept": fake.calls_to("answerCallbackQuery")[kept_answers],
            "again": again,
            "done": done,
        }

    out = run(fake, base, scenario)
    assert call_text(out["asked"]) == "Undo “import shops.csv”? It removes 3 customers."
    assert {"Orchid Florals", "Pine Hardware", "Quill & Ink"} <= out["after_no"]  # "No" kept everything
    assert "nothing was undone" in out["kept"].params["text"]
    assert call_text(out["again"]) == call_text(out["asked"])
    assert call_text(out["done"]) == "Undone: import shops.csv. Removed 3 customers."
    assert not {"Orchid Florals", "Pine Hardware", "Quill & Ink"} & customers(team)


def test_a_messages_undo_covers_its_own_later_edit(fake: FakeBotApi, base: ToolContext, team: Store) -> None:
    async def scenario(bot: Bot) -> tuple[Any, dict[str, int], dict[str, int]]:
        before = counts(team, data_only=True)
        original = bot.text(SAM, "Met Acme, they loved the demo")
        first = (await bot.replies(SAM, 0))[-1]
        bot.edit(original, "Met Acme, they loved the demo and want a pilot")
        await bot.replies(SAM, 1)
        n = len(bot.sent_to(SAM))
        bot.press(SAM, bot.message(first), dict(buttons(first))["↩ Undo"])
        undone = (await bot.replies(SAM, n))[-1]
        return undone, before, counts(team, data_only=True)

    undone, before, after = run(fake, base, scenario)
    text = call_text(undone)
    assert text.startswith("Undone:") and "changed again" not in text and "followup" not in text
    assert notes_matching(team, "loved the demo") == []  # the note and its edit, both gone
    assert {k: v for k, v in after.items() if k != "change_log"} == {
        k: v for k, v in before.items() if k != "change_log"
    }


def test_show_sends_a_long_note_whole(fake: FakeBotApi, base: ToolContext, team: Store) -> None:
    body = "Budget review. " + " ".join(f"point {n} about the rollout plan" for n in range(40)) + " THE END"
    note = log_interaction(make_ctx(team), LogInteraction(customer="Acme Corp", body=body)).interaction

    async def scenario(bot: Bot) -> tuple[Any, Any, Any]:
        shown = await bot.say(SAM, f"/show {note.id}")
        profile = await bot.say(SAM, "tell me about Acme")
        n = len(bot.sent_to(SAM))
        bot.press(SAM, bot.message(profile), dict(buttons(profile))[f"Show note {note.id} in full"])
        pressed = (await bot.replies(SAM, n))[-1]
        return shown, profile, pressed

    shown, profile, pressed = run(fake, base, scenario)
    assert call_text(shown).endswith(body) and "Acme Corp" in call_text(shown)
    assert f"(/show {note.id})" in call_text(profile) and "THE END" not in call_text(profile)
    assert call_text(pressed) == call_text(shown)


class _ErrorServer(ThreadingHTTPServer):
    """A 'Bot API' that answers every call with a server error."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.dumps(
                    {"ok": False, "error_code": 500, "description": "Internal Server Error"}
                ).encode()
                self.send_response(500)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


def test_a_bot_api_error_is_not_called_unreachable(new_db: NewDb) -> None:
    server = _ErrorServer()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "CRM_"))}
        env |= {"CRM_DB": str(new_db()), "TELEGRAM_BOT_TOKEN": "123:abc"}
        url = f"http://127.0.0.1:{server.server_address[1]}/bot"
        answered = _crm("telegram", "--api-url", url, env=env)
        nobody = _crm("telegram", "--api-url", "http://127.0.0.1:9/bot", env=env)
    finally:
        server.shutdown()
    assert answered.returncode == 1 and answered.stderr.count("\n") == 1, answered.stderr
    assert (
        f"The Bot API at {url} answered with an error" in answered.stderr and "reach" not in answered.stderr
    )
    assert nobody.returncode == 1 and "Can't reach the Bot API" in nobody.stderr
