"""A local fake of the Telegram Bot API over real HTTP, for running the real bot against.

It speaks the Bot API's wire format at `http://127.0.0.1:PORT/bot<token>/<method>`: form-encoded
parameters in, `{"ok": …, "result": …}` out. `getUpdates` long-polls with Telegram's offset
semantics (an update stays until a later offset confirms it, so an unconfirmed one comes again
after a restart). It checks what Telegram checks and a test would otherwise miss: the token (401),
message length (4096), callback_data size (64 bytes) and that HTML parse mode text parses.
Every call is recorded.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER = {
    "id": 4242,
    "is_bot": True,
    "first_name": "CRM",
    "username": "crm_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_JSON_PARAMS = {
    "chat_id",
    "message_id",
    "reply_markup",
    "commands",
    "allowed_updates",
    "offset",
    "timeout",
    "limit",
    "show_alert",
    "drop_pending_updates",
    "reply_parameters",
}
_TAG = re.compile(r"</?(b|strong|i|em|u|ins|s|strike|del|code|pre|a|tg-spoiler|blockquote)(\s[^>]*)?>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None  # what the server answered (e.g. the Message sent)


@dataclass
class _Queued:
    update: dict[str, Any]
    delivered: bool = False


@dataclass
class FakeBotApi:
    """The fake server; `url` is the `base_url` to give python-telegram-bot."""

    token: str = "123456:TEST-fake-token"
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[int, int], dict[str, Any]] = field(
        default_factory=dict
    )  # what the bot sent, as stored

    def __post_init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: list[_Queued] = []
        self._ids = itertools.count(1)
        self._commands: list[dict[str, Any]] = []
        self._closed = False
        api = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # TCP_NODELAY: the body is a write of its own after the headers

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                status, body = api._dispatch(self.path, raw)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # The client gave up a long poll (the bot is stopping): as Telegram would, move on.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()

    # ---- what tests use ----------------------------------------------------------------------------
    def push(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (pushing the same update twice is a re-delivery)."""
        with self._cond:
            self._queue.append(_Queued(json.loads(json.dumps(update))))
            self._cond.notify_all()

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def sent(self) -> list[Call]:
        return self.calls_to("sendMessage")

    def new_message_id(self) -> int:
        """A message id for a user's message (one sequence per bot, like a private chat's)."""
        with self._cond:
            return next(self._ids)

    def pending_updates(self) -> int:
        with self._cond:
            return sum(1 for q in self._queue if not q.delivered)

    # ---- the API -----------------------------------------------------------------------------------
    def _dispatch(self, path: str, raw: str) -> tuple[int, dict[str, Any]]:
        m = re.fullmatch(r"/bot([^/]+)/(\w+)", path.split("?", 1)[0])
        if not m:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, method = m.groups()
        params: dict[str, Any] = {}
        for key, values in parse_qs(raw, keep_blank_values=True).items():
            params[key] = json.loads(values[0]) if key in _JSON_PARAMS else values[0]
        call = Call(method, params)
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            result = getattr(self, f"_{method}", self._default)(params)
            call.result = json.loads(json.dumps(result))
            status, body = 200, {"ok": True, "result": result}
        except ApiError as e:
            call.result = e
            status, body = e.code, {"ok": False, "error_code": e.code, "description": e.description}
        if method != "getUpdates":  # polling is noise; everything else is what the bot did
            with self._cond:
                self.calls.append(call)
        return status, body

    def _default(self, params: dict[str, Any]) -> Any:
        return True

    def _getMe(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    def _getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        with self._cond:
            while True:
                # Telegram forgets an update once a later offset confirms it was received.
                self._queue = [q for q in self._queue if not (q.delivered and q.update["update_id"] < offset)]
                ready = self._queue[:limit]
                left = deadline - time.monotonic()
                if ready or left <= 0 or self._closed:
                    break
                self._cond.wait(left)
            for q in ready:
                q.delivered = True
            return [q.update for q in ready]

    def _sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        text = self._checked_text(params)
        self._check_markup(params.get("reply_markup"))
        message = {
            "message_id": self.new_message_id(),
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "text": text,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        with self._cond:
            self.messages[(chat_id, message["message_id"])] = message
        return message

    def _editMessageText(self, params: dict[str, Any]) -> Any:
        message = self._stored(params)
        text = self._checked_text(params)
        self._check_markup(params.get("reply_markup"))
        message["text"] = text
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        message = self._stored(params)
        self._check_markup(params.get("reply_markup"))
        if message.get("reply_markup") == params.get("reply_markup") or (
            not message.get("reply_markup") and not params.get("reply_markup")
        ):
            raise ApiError(400, "Bad Request: message is not modified")
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _setMyCommands(self, params: dict[str, Any]) -> Any:
        self._commands = params.get("commands") or []
        return True

    def _getMyCommands(self, params: dict[str, Any]) -> Any:
        return self._commands

    # ---- Telegram's checks -------------------------------------------------------------------------
    def _stored(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    @staticmethod
    def _checked_text(params: dict[str, Any]) -> str:
        """The text as a client would see it (entities parsed out), refusing what Telegram refuses."""
        text = str(params.get("text", ""))
        if params.get("parse_mode") == "HTML":
            stripped = _TAG.sub("", text)
            if "<" in stripped or ">" in stripped or "&" in _ENTITY.sub("", stripped):
                raise ApiError(400, "Bad Request: can't parse entities: unsupported start tag or entity")
            text = html.unescape(stripped)
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    @staticmethod
    def _check_markup(markup: Any) -> None:
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if len(str(button.get("callback_data", "")).encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
