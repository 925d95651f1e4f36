"""A question the engine asks: its text, its pending state, and its answers as buttons."""

from __future__ import annotations

from assistant.dialogue.reply import Choice, Reply, State
from assistant.dialogue.state import Pending


def ask_reply(text: str, pending: Pending) -> Reply:
    """A reply that waits for an answer to `pending` (numbered options, yes/no, a date, cancel)."""
    choices = [Choice(o.label, str(i)) for i, o in enumerate(pending.options, 1)]
    if pending.kind == "create":
        choices = [Choice("Yes, create it", "yes"), Choice("No", "no")] + choices
    if pending.kind == "when":
        choices = [Choice("Tomorrow", "tomorrow"), Choice("Next week", "next week")]
    choices.append(Choice("Cancel", "cancel"))
    return Reply(text=text, state=State(pending=pending), choices=choices)
