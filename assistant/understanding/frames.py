"""Frames: what a message means, built from its `Reading` — what happened, what was promised and when,
the stage outcome, follow-up edits, or the question asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from assistant.reading.types import Clause, FollowupRef, Reading
from tools.dates import When

Kind = Literal["note", "call", "meeting", "email"]
QuestionTopic = Literal[
    "last_contact",
    "stage",
    "phone",
    "email",
    "at_stage",
    "followups",
    "profile",
    "stale",
    "pipeline",
    "search",
    "find",
    "changes",
    "contacts",
    "unknown",
]


@dataclass(frozen=True)
class Happened:
    """An interaction to log: its kind, when it happened (None = now) and the rep's words, verbatim."""

    kind: Kind
    when: When | None
    body: str
    where: tuple[Clause, ...] = ()  # the clauses that report it (whose customers it is about)


@dataclass(frozen=True)
class Promise:
    """Something the rep must do or attend; `due` None means the date is still to be asked."""

    description: str
    due: When | None
    event: bool = False  # a planned call/meeting/demo rather than a task
    where: tuple[Clause, ...] = ()


@dataclass(frozen=True)
class Outcome:
    stage: str
    command: bool  # "move X to proposal" rather than a reported outcome
    where: tuple[Clause, ...] = ()


@dataclass(frozen=True)
class FollowupEdit:
    """Complete, cancel or move an open follow-up found by what it is about (or the only one)."""

    action: Literal["done", "cancelled", "move"]
    refs: tuple[FollowupRef, ...]  # the candidates its words point at (best first); empty = by customer
    to: When | None = None
    shift_days: int | None = None
    where: tuple[Clause, ...] = ()


@dataclass(frozen=True)
class NewContact:
    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class RecordEdit:
    """A change to the customer record: a new customer (with its details), a contact added, tags, fields.
    `missing` names what must be asked before anything is written (the new customer's or person's name)."""

    action: Literal["create", "contact", "update"]
    where: tuple[Clause, ...] = ()
    name: str = ""  # create: the new customer's name
    stage: str | None = None
    contact: NewContact | None = None
    email: str | None = None
    phone: str | None = None
    value: float | None = None
    owner: str | None = None
    rename: str | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    missing: Literal["name", "person", "tags", "owner", "exists"] | None = None


@dataclass(frozen=True)
class Question:
    topic: QuestionTopic
    stage: str | None = None
    words: str = ""  # what to look for: a search topic, a name to find
    when: When | None = None  # a day asked about ("what's due tomorrow")


@dataclass
class Frames:
    reading: Reading
    question: Question | None = None
    happened: Happened | None = None
    # The same report cut where it turns to another customer ("Met Copperfield, they want X. Helios signed
    # the MSA."): one piece per customer, each naming exactly one; empty when the message is about one.
    parts: list[Happened] = field(default_factory=list)
    promises: list[Promise] = field(default_factory=list)
    outcome: Outcome | None = None
    edits: list[FollowupEdit] = field(default_factory=list)
    records: list[RecordEdit] = field(default_factory=list)

    @property
    def writes(self) -> bool:
        return bool(self.happened or self.promises or self.outcome or self.edits or self.records)
