"""What the Telegram bot sends: HTML-escaped text split under Telegram's limit, and inline keyboards.

Every reply goes out in HTML parse mode. The engine's text is plain, so all of it is escaped — a
customer called `O'Brien & Sons <Ltd>` or a note full of `*` and `_` is shown as typed, never
parsed as markup. Button data stays within Telegram's 64-byte limit: a choice is `c:<question>:<n>`
(the answer text stays in the chat's memory), an Undo is `u:<change-log batch id>` (`U:` once
confirmed), a follow-up action `f:<d|t|w>:<follow-up id>` (done, tomorrow, next week), a whole note
`s:<interaction id>`, and "keep it" on an undo question `x`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from assistant.conversation import Choice

MAX_MESSAGE = 4096  # Telegram's limit on a message's text, in UTF-16 code units
MAX_CALLBACK_DATA = 64  # bytes
MAX_LABEL = 60  # longer button labels are cut; Telegram would clip them anyway


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def split_plain(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split plain text into parts whose *escaped* form fits in one message, on line boundaries.

    A single line longer than a message is cut between characters (never inside an HTML entity,
    because the cut happens before escaping).
    """
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in (text or " ").split("\n"):
        for piece in _cut_line(line, limit):
            cost = telegram_length(html.escape(piece)) + (1 if current else 0)
            if current and size + cost > limit:
                parts.append("\n".join(current))
                current, size = [], 0
                cost -= 1
            current.append(piece)
            size += cost
    if current:
        parts.append("\n".join(current))
    # Telegram refuses empty and whitespace-only messages.
    return [p if p.strip() else "…" for p in parts]


def _cut_line(line: str, limit: int) -> list[str]:
    if telegram_length(html.escape(line)) <= limit:
        return [line]
    pieces, start, size = [], 0, 0
    for i, ch in enumerate(line):
        cost = telegram_length(html.escape(ch))
        if size + cost > limit:
            pieces.append(line[start:i])
            start, size = i, 0
        size += cost
    pieces.append(line[start:])
    return pieces


def html_parts(text: str, limit: int = MAX_MESSAGE, *, pre: bool = False) -> list[str]:
    """The messages to send for `text`: split, then escaped for HTML parse mode.

    `pre`: each part monospaced, for tables.
    """
    parts = [html.escape(part, quote=False) for part in split_plain(text, limit)]
    return [f"<pre>{p}</pre>" for p in parts] if pre else parts


@dataclass(frozen=True)
class ButtonPress:
    """A decoded callback_data: a choice of question `question`, or an Undo of `batch`."""

    kind: str  # "choice" | "undo" | "undo_confirmed" | "followup" | "show" | "keep"
    question: int = 0
    index: int = 0
    batch: str = ""
    action: str = ""  # a follow-up's: "d" done, "t" tomorrow, "w" next week
    item: int = 0  # the follow-up or interaction id


def choice_data(question: int, index: int) -> str:
    return f"c:{question}:{index}"


def undo_data(batch: str) -> str:
    return f"u:{batch}"


def parse_button(data: str | None) -> ButtonPress | None:
    """Decode callback_data made by `choice_data` / `undo_data`; None for anything else."""
    if not data:
        return None
    kind, _, rest = data.partition(":")
    if kind == "u" and rest:
        return ButtonPress("undo", batch=rest)
    if kind == "U" and rest:
        return ButtonPress("undo_confirmed", batch=rest)
    if kind == "x":
        return ButtonPress("keep")
    if kind == "s" and rest.isdigit():
        return ButtonPress("show", item=int(rest))
    if kind == "f":
        action, _, item = rest.partition(":")
        if action in FOLLOWUP_ACTIONS and item.isdigit():
            return ButtonPress("followup", action=action, item=int(item))
    if kind == "c":
        q, _, i = rest.partition(":")
        if q.isdigit() and i.isdigit():
            return ButtonPress("choice", question=int(q), index=int(i))
    return None


FOLLOWUP_ACTIONS = {"d": "✓ Done", "t": "Tomorrow", "w": "Next week"}
MAX_ITEM_BUTTONS = 20  # follow-ups with buttons per message; the rest are listed without


def followup_buttons(ids: list[int], *, numbered: bool = True) -> list[list[InlineKeyboardButton]]:
    """One row per follow-up: Done, Snooze to tomorrow, Next week (numbered like the lines of the list)."""
    rows = []
    for n, fid in enumerate(ids[:MAX_ITEM_BUTTONS], 1):
        prefix = f"{n}: " if numbered else ""
        rows.append(
            [
                InlineKeyboardButton(f"{prefix}{label}" if i == 0 else label, callback_data=f"f:{a}:{fid}")
                for i, (a, label) in enumerate(FOLLOWUP_ACTIONS.items())
            ]
        )
    return _checked(rows)


def confirm_undo_buttons(batch: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        _checked(
            [
                [
                    InlineKeyboardButton("Yes, undo it", callback_data=f"U:{batch}"),
                    InlineKeyboardButton("No, keep it", callback_data="x"),
                ]
            ]
        )
    )


def show_buttons(ids: list[int]) -> list[list[InlineKeyboardButton]]:
    """A "Show note N" button per shortened note."""
    return _checked(
        [[InlineKeyboardButton(f"Show note {i} in full", callback_data=f"s:{i}")] for i in ids[:10]]
    )


def _checked(rows: list[list[InlineKeyboardButton]]) -> list[list[InlineKeyboardButton]]:
    for row in rows:
        for button in row:
            if len(str(button.callback_data).encode()) > MAX_CALLBACK_DATA:
                raise ValueError(f"callback_data over {MAX_CALLBACK_DATA} bytes: {button.callback_data!r}")
    return rows


def keyboard(question: int | None, choices: list[Choice], batch: str | None) -> InlineKeyboardMarkup | None:
    """Buttons for a reply: one row per choice (names can be long), then Undo when it wrote something."""
    rows: list[list[InlineKeyboardButton]] = []
    if question is not None:
        for i, choice in enumerate(choices):
            label = choice.label if len(choice.label) <= MAX_LABEL else choice.label[: MAX_LABEL - 1] + "…"
            rows.append([InlineKeyboardButton(label, callback_data=choice_data(question, i))])
    if batch:
        rows.append([InlineKeyboardButton("↩ Undo", callback_data=undo_data(batch))])
    for row in rows:
        for button in row:
            # A batch id is 32 hex characters, so this holds by construction; checked, not assumed.
            if len(str(button.callback_data).encode()) > MAX_CALLBACK_DATA:
                raise ValueError(f"callback_data over {MAX_CALLBACK_DATA} bytes: {button.callback_data!r}")
    return InlineKeyboardMarkup(rows) if rows else None
