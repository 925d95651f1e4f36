"""The conversation engine's contract: what every chat surface (crm chat, Telegram) calls.

The engine is pure: (text, acting user + clock + store in a ToolContext, conversation state) ->
Reply (text, choices, actions, new state). It calls only the tool layer; surfaces only adapt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.context import ToolContext


@dataclass(frozen=True)
class Choice:
    """One option of a pending question, shown as a button on Telegram."""

    label: str  # what the user sees, e.g. "Brightline Motors" or "Yes, create it"
    answer: str  # the message that picks it when sent as the next turn, e.g. "1", "yes", "cancel"


@dataclass
class State:
    """Per-chat memory between turns, opaque to surfaces: the pending question (an
    `assistant.dialogue.Pending`, or the older record handlers' dict) and the last write, which the
    next message may correct ("no wait, the 14th")."""

    pending: Any = None
    last: Any = None  # assistant.dialogue.LastWrite | None


@dataclass
class Reply:
    text: str
    state: State = field(default_factory=State)
    choices: list[Choice] = field(default_factory=list)  # non-empty while a question is pending
    actions: list[dict[str, Any]] = field(
        default_factory=list
    )  # {"tool": name, "args": {...}, "result": {...}}
    batch: str | None = None  # change-log batch of the writes made; set => the reply offers Undo

    @property
    def wrote(self) -> bool:
        return self.batch is not None


def respond(
    ctx: ToolContext, text: str, state: State | None = None, *, message_ref: str | None = None
) -> Reply:
    """Understand one message, act through the tools, and answer.

    `message_ref` identifies the surface message (e.g. "telegram:<chat>:<message_id>"); writes made
    for it carry it so an edit of that message can correct them (see `respond_to_edit`).
    """
    from assistant.engine import respond as _respond

    return _respond(ctx, text, state, message_ref=message_ref)


def respond_to_edit(ctx: ToolContext, text: str, *, message_ref: str) -> Reply:
    """An edited message: correct what the original message wrote instead of writing again."""
    from assistant.engine import respond_to_edit as _respond_to_edit

    return _respond_to_edit(ctx, text, message_ref=message_ref)
