"""What the engine answers: the reply text, the buttons of a pending question, the actions taken and
the conversation state carried to the next message (the contract every chat surface reads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Choice:
    """One option of a pending question, shown as a button on Telegram."""

    label: str  # what the user sees, e.g. "Brightline Motors" or "Yes, create it"
    answer: str  # the message that picks it when sent as the next turn, e.g. "1", "yes", "cancel"


@dataclass
class State:
    """Per-chat memory between turns, opaque to surfaces: the pending question (an
    `assistant.dialogue.Pending`) and the last write, which the
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
