"""The intermediate representation of one message: clauses and the typed spans found in them.

Offsets are character positions in the original text (`text[start:end]`), so a span can be cut out
of a clause when composing a description, and the note body stays the rep's exact words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, TypeVar

from assistant.customers import CustomerSpot
from tools.dates import When

Tense = Literal["past", "today", "future"]
Polarity = Literal["affirmed", "negated", "hedged"]
CueKind = Literal[
    "meeting",
    "call",
    "email",  # interaction kinds
    "event",
    "plan",  # a planned thing the rep attends; words that make it a plan
    "followup",
    "promise",
    "imperative",
    "their_promise",  # something to do
    "obligation",  # the rep owes it: "promised", "owe", "need to", "I'll" (a future, even in a past clause)
    "past",
    "future",  # tense markers
    "negation",
    "hedge",  # outcome modifiers
    "done",
    "cancel",
    "move",
    "followup_word",  # follow-up edits
    "subject",  # a third-person subject at a clause's start ("they", "she")
    "will",  # a future of whoever is before it ("Helios will …", "they'll …")
    "their_will",  # the customer's side will act ("they'll send", "she promised to")
    "pledge",  # the rep's own action promised at a clause's start ("I'll send …")
    "owed",  # the rep's obligation said outright ("owe", "need to", "remind me")
    "asked_for",  # the thing the customer asked for ("she wants a quote": "quote")
]


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def inside(self, start: int, end: int) -> bool:
        return start <= self.start and self.end <= end


@dataclass(frozen=True)
class Clause(Span):
    """A stretch of the message that says one thing; `quoted` when it is pasted or quoted text."""

    text: str
    quoted: bool = False


@dataclass(frozen=True)
class DateSpan(Span):
    """A date said in the message, read as the past or the future by its words and its clause."""

    text: str
    when: When
    tense: Tense
    quoted: bool = False
    # "quiet since friday": where a state began; "as discussed on monday": a day referred back to —
    # never when something happened
    since: bool = False


@dataclass(frozen=True)
class StageSpan(Span):
    """A stage phrase: a configured stage (or its alias), or an outcome ("signed", "lost them to")."""

    text: str
    stage: str
    polarity: Polarity
    command: bool  # "move X to proposal" (an instruction) rather than a reported outcome
    winner: Span | None = None  # who they went with instead ("went with GreenCo", "lost them to Acme")


@dataclass(frozen=True)
class Cue(Span):
    kind: CueKind
    text: str


@dataclass(frozen=True)
class ValueSpan(Span):
    kind: Literal["email", "phone", "amount"]
    text: str


@dataclass(frozen=True)
class ShiftSpan(Span):
    """'another week', 'back two days': a follow-up moved relative to its own date."""

    days: int


@dataclass(frozen=True)
class NewName(Span):
    """A company-like name that no customer has ('Orchid Florals'): offered for creation."""

    text: str


RecordKind = Literal["create", "contact", "tags", "field"]
FieldName = Literal["email", "phone", "value", "owner", "name"]


@dataclass(frozen=True)
class RecordSpan(Span):
    """A record edit said in a clause ("add Maria Lopez as CFO at Globex", "tag Acme as vip", "Acme phone
    is …", "new customer Orchid Florals"), with the typed pieces found in its words. Offsets of the
    customer slot let the pipeline tell the customer named from the person or new name beside it."""

    kind: RecordKind
    text: str
    name: Span | None = None  # the new customer's name (create) or the person's (contact)
    role: str | None = None
    customer: Span | None = None  # where the existing customer is named (contact, tags, field)
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    field: FieldName | None = None
    value: str | None = None  # the new value as said ("info@acme.example", "+1 555 0100", "40k", "kim")
    news: bool = False  # told rather than asked for ("Orchid Florals is a new lead"), not "add …"
    exists: bool = False  # the person to add is already a contact of the customer named


AskKind = Literal[
    "changes",
    "search",  # "search notes for …", "any notes about …"
    "search_who",  # "who mentioned …" (a topic asked across customers)
    "last_contact",
    "stale",
    "email",
    "phone",
    "contacts",
    "open_items",
    "profile",
    "stage_word",
    "pipeline",
    "followups",
    "find",
    "several",  # asks for a list of customers ("which deals …", "who's in …")
]


@dataclass(frozen=True)
class AskSpan(Span):
    """What a question's words ask for ("last time we spoke", "number for", "who mentioned pricing"),
    with the words it asks about when it names some (a search topic, a name to find)."""

    kind: AskKind
    words: str = ""


S = TypeVar("S", bound=Span)


@dataclass
class Reading:
    text: str
    clauses: list[Clause]
    customers: list[CustomerSpot]
    dates: list[DateSpan]
    stages: list[StageSpan]
    cues: list[Cue]
    values: list[ValueSpan]
    shifts: list[ShiftSpan]
    new_names: list[NewName]
    body_start: int = 0  # where the note's words begin (after "note for X:")
    question: bool = False  # the message asks something
    quoted: list[tuple[int, int]] = field(default_factory=list)
    followups: list[FollowupRef] = field(default_factory=list)
    records: list[RecordSpan] = field(default_factory=list)
    asks: list[AskSpan] = field(default_factory=list)  # a question's own words (only when it asks)

    def within(self, spans: list[S], clause: Span) -> list[S]:
        return [s for s in spans if clause.start <= s.start < clause.end]

    def has(self, clause: Span, *kinds: CueKind) -> bool:
        return any(c.kind in kinds and clause.start <= c.start < clause.end for c in self.cues)

    def cues_in(self, clause: Span, *kinds: CueKind) -> list[Cue]:
        return [c for c in self.cues if c.kind in kinds and clause.start <= c.start < clause.end]

    def customers_in(self, clause: Span) -> list[CustomerSpot]:
        return [c for c in self.customers if clause.start <= c.start < clause.end]

    def is_quoted(self, pos: int) -> bool:
        return any(s <= pos < e for s, e in self.quoted)

    def clause_of(self, pos: int) -> Clause | None:
        return next((c for c in self.clauses if c.start <= pos < c.end), None)

    def words_between(self, start: int, end: int) -> list[str]:
        """The words between two spans, lower-cased ('has', 'just' in "Acme has just sent …")."""
        return self.text[start:end].lower().split() if start <= end else []


@dataclass(frozen=True)
class FollowupRef(Span):
    """An open follow-up a clause talks about, found by the words of its description."""

    followup_id: int
    customer_id: int
    customer_name: str
    description: str
    due: date
    score: float  # share of the description's topic words the clause says
