"""What a conversation remembers between messages, typed.

`Settled` is what earlier answers decided about a message (which customer, the date, which
follow-up, the kind); the message is re-read with it. `Pending` is the question waiting for an
answer; `LastWrite` is the message that wrote last, so the next one can correct it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from tools.dates import When

PendingKind = Literal["which", "create", "customer", "when", "followup", "several"]
Route = Literal["pipeline"]  # who re-reads the message (only the pipeline since record edits joined it)


@dataclass(frozen=True)
class Settled:
    customers: tuple[int, ...] = ()  # the message is about these (all of them)
    picks: tuple[tuple[str, int], ...] = ()  # an ambiguous spot's text -> the customer it means
    due: When | None = None  # the date of a promise said without one
    followup: int | None = None
    kind: Literal["note", "call", "meeting", "email"] | None = None  # a corrected interaction kind
    occurred: When | None = None  # a corrected interaction date
    created: tuple[int, ...] = ()  # customers created for this message (answers "yes, create it")
    logged: bool = False  # the message's report (and outcome) is already written; only the rest is left

    def pick(self, said: str, cid: int) -> Settled:
        return replace(self, picks=(*self.picks, (said.casefold(), cid)))

    def picked(self, said: str) -> int | None:
        return next((cid for s, cid in self.picks if s == said.casefold()), None)


@dataclass(frozen=True)
class Option:
    label: str
    value: int | str  # a customer or follow-up id, or "all"


@dataclass(frozen=True)
class Pending:
    """A question the engine asked about `message`; answering it re-reads the message with `settled`."""

    kind: PendingKind
    message: str
    ref: str | None
    settled: Settled
    options: tuple[Option, ...] = ()
    said: str = ""  # the words asked about ("Orion", "Bramble Labs")
    route: Route = "pipeline"
    may_create: bool = True  # an unknown name given as the answer is offered for creation

    def get(self, key: str, default: object = None) -> object:  # old surfaces peek at dict-like pending
        return getattr(self, key, default)


@dataclass(frozen=True)
class LastWrite:
    """The last message that wrote, and what it wrote, for "no wait, the 14th" and "wrong customer"."""

    message: str
    ref: str | None
    settled: Settled
    batch: str
    customers: tuple[int, ...]
    followups: tuple[int, ...] = ()
    interactions: tuple[int, ...] = ()
    kinds: tuple[str, ...] = field(default=())
