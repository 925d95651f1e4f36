"""The wording of the assistant: questions it asks and confirmations of what it changed.

Short and specific; every date as "Mon 9 Mar"; every write ends with the undo hint.
"""

from __future__ import annotations

from datetime import date

from tools.dates import When, format_day, format_when

UNDO_HINT = " — say 'undo' to revert"


def day(d: date, today: date) -> str:
    """A day as "Mon 9 Mar" (with the year when it is not this year)."""
    return format_day(d, today)


def when(w: When, today: date) -> str:
    return format_when(w, today)


def numbered(
    intro: str, labels: list[str], tail: str = "Answer with a number or a name, or 'cancel'."
) -> str:
    lines = [intro] + [f"{i}. {label}" for i, label in enumerate(labels, 1)]
    return "\n".join(lines + [tail])


def ask_which(said: str, labels: list[str]) -> str:
    if len(labels) == 2:
        return numbered(
            f"Which “{said}” do you mean?", labels, "Answer with a number or a name, 'both', or 'cancel'."
        )
    return numbered(f"Which “{said}” do you mean?", labels)


def ask_create(name: str, suggestions: list[str]) -> str:
    text = f"I don't know “{name}” — create it as a new lead?"
    if suggestions:
        text += "\nOr did you mean: " + "; ".join(f"{i}. {s}" for i, s in enumerate(suggestions, 1)) + "?"
    return text + " (yes / no — or name the customer you meant)"


def ask_customer(what: str) -> str:
    return f"Which customer {what}? Give me a name (or 'cancel')."


def cancelled() -> str:
    return "OK, dropped it — nothing was saved."


def nothing_pending() -> str:
    return "Nothing to cancel."


def written(parts: list[str], warnings: list[str] | None = None) -> str:
    """One confirmation line for the writes of a message, with the undo hint."""
    text = " ".join(p.rstrip(".") + "." for p in parts if p)
    if warnings:
        text += " " + " ".join(warnings)
    return text.rstrip() + UNDO_HINT


def bad_date(reason: str) -> str:
    return f"{reason.rstrip('.')}. Nothing was saved — send it again with a real date."


def empty() -> str:
    return (
        "Say something like “Met Acme today, follow up Monday” or “who needs follow-up this week?” "
        "('help' for more)."
    )


def greeting(actor: str) -> str:
    return (
        f"Hi {actor}! Tell me what happened with a customer, or ask “who needs follow-up this week?” "
        "('help' for more)."
    )


def not_understood() -> str:
    return (
        "I'm not sure what to do with that. Name a customer (“Met Acme today…”), or ask "
        "“who needs follow-up this week?” — 'help' lists what I understand."
    )
