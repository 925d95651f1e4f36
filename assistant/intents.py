"""The chat's control words: help, undo, cancel and greetings, which are answered before a message is
read. Everything else — reports, promises, outcomes, follow-up and record edits, questions — is read by
`assistant.pipeline` into clauses, typed spans and frames.
"""

from __future__ import annotations

import re
from typing import Literal

ControlWord = Literal["empty", "help", "undo", "cancel", "greeting"]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.VERBOSE)


HELP_RE = _rx(
    r"^\s*(?:help|\?+|h|commands|menu|what\s+can\s+(?:you|i)\s+do|how\s+does\s+this\s+work"
    r"|how\s+do\s+i\s+use\s+(?:this|you))\s*[?!.]*\s*$"
)
UNDO_RE = _rx(
    r"^\s*(?:undo|revert|undo\s+(?:that|it|the\s+last(?:\s+\w+)?|last(?:\s+\w+)?)|oops,?\s+undo(?:\s+that)?"
    r"|take\s+(?:that|it)\s+back|roll\s*back(?:\s+that)?|scratch\s+that)\s*[.!]*\s*$"
)
CANCEL_RE = _rx(
    r"^\s*(?:cancel|c|no|nope|never\s*mind|nevermind|nvm|forget\s+it|stop|abort|skip|none"
    r"|none\s+of\s+(?:them|these)|quit|exit)\s*[.!]*\s*$"
)
GREETING_RE = _rx(
    r"^\s*(?:hi|hello|hey|yo|good\s+(?:morning|afternoon|evening)|thanks|thank\s+you|thx|ty"
    r"|cheers)\b[\s!.,]*(?:there|bot|crm)?[\s!.]*$"
)
_CONTROL: tuple[tuple[ControlWord, re.Pattern[str]], ...] = (
    ("help", HELP_RE),
    ("undo", UNDO_RE),
    ("cancel", CANCEL_RE),
    ("greeting", GREETING_RE),
)


def control_word(text: str) -> ControlWord | None:
    """The control word `text` is ("empty" for nothing at all), or None for a message to read."""
    t = text.strip()
    if not t:
        return "empty"
    return next((name for name, rx in _CONTROL if rx.match(t)), None)
