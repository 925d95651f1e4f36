"""The phrasing corpus machinery: a case is chat turns plus what must (and must not) change in the CRM.

Every case runs on a fresh copy of the book below, through `assistant.conversation.respond` exactly
as a surface calls it. The check is strict: the customers whose records changed must be exactly the
ones the case expects to change, so an unexpected write anywhere fails the case; a case that expects
no write asserts the whole database unchanged. Replies that wrote must offer undo, and every date
the case expects to be written must be stated in the reply ("Tue 10 Mar").
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.conversation import Reply, State, respond
from store import Store
from tests.conftest import NOW, SAMPLE, Databases, make_ctx
from tools.context import ToolContext
from tools.dates import format_day
from tools.transfer import export_data, import_text

TODAY = NOW.date()  # Wednesday 2026-03-04; this week is Mon 2 Mar – Sun 8 Mar

# The conftest book, plus customers that exercise contacts, accents, other reps and notes to search.
EXTRA: list[dict[str, Any]] = [
    {
        "name": "Helios Labs",
        "stage": "negotiation",
        "owner": "kim",
        "contacts": [{"name": "Arjun Mehta", "role": "CTO"}],
        "interactions": [
            {
                "kind": "email",
                "body": "Asked about pricing tiers and the onboarding timeline",
                "occurred_at": "2026-02-20T10:00:00",
                "author": "kim",
            }
        ],
    },
    {
        "name": "Nordlicht GmbH",
        "stage": "lead",
        "owner": "sam",
        "contacts": [{"name": "Nina Berg", "role": "Head of Ops"}],
    },
    {
        "name": "Summit Partners",
        "stage": "qualified",
        "owner": "alex",
        "followups": [
            {"due": "2026-03-05", "description": "send the security questionnaire", "owner": "alex"}
        ],
        "interactions": [
            {
                "kind": "call",
                "body": "Worried about data residency, wants EU hosting",
                "occurred_at": "2026-02-25T15:00:00",
                "author": "alex",
            }
        ],
    },
    {
        "name": "Lumière Studio",
        "stage": "proposal",
        "owner": "sam",
        "contacts": [{"name": "Élodie Martin", "role": "Producer"}],
        "followups": [
            {"due": "2026-03-12", "description": "chase the signed quote", "owner": "sam"},
            {"due": "2026-03-20", "description": "plan the spring shoot", "owner": "sam"},
        ],
    },
]


def load_book(store: Any) -> ToolContext:
    """Import the corpus book (as an admin, so the rep's first 'undo' has nothing of theirs); act as sam."""
    data = copy.deepcopy(SAMPLE)
    data["customers"] += EXTRA
    import_text(
        make_ctx(store, actor="admin", source="import"), json.dumps(data), kind="json", label="corpus"
    )
    return make_ctx(store)


@dataclass
class Case:
    """Turns to send and what must be true afterwards (see the module docstring)."""

    turns: list[str]
    logs: list[tuple[str, str | None, str | None, str | None]] = field(
        default_factory=list
    )  # customer, kind, on, has
    fups: list[tuple[str, str, str | None]] = field(default_factory=list)  # customer, due, description has
    stages: dict[str, str] = field(default_factory=dict)
    closed: list[tuple[str, str, str]] = field(default_factory=list)  # customer, description has, new status
    moved: list[tuple[str, str, str]] = field(default_factory=list)  # customer, description has, new due
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # customer: {email|phone: v, tags: [..]}
    contacts: list[tuple[str, str, str | None]] = field(default_factory=list)  # customer, name, role
    created: list[tuple[str, str]] = field(default_factory=list)  # name, stage
    reply: list[str] = field(default_factory=list)  # substrings of the last reply (case-insensitive)
    lacks: list[str] = field(default_factory=list)
    asks: bool = False  # the last reply is a pending question
    also_changed: list[str] = field(default_factory=list)  # customers changed in ways not listed above

    def changed(self) -> set[str]:
        names = {c for c, *_ in self.logs} | {c for c, *_ in self.fups} | set(self.stages) | set(self.fields)
        names |= {c for c, *_ in self.closed} | {c for c, *_ in self.moved} | {c for c, *_ in self.contacts}
        return names | {n for n, _ in self.created} | set(self.also_changed)


def case(turns: str | list[str], *, resolver_gap: str | None = None, **expect: Any) -> Any:
    """A pytest param for one corpus case; its id is the first turn.

    `resolver_gap` marks a case the shared name resolver (tools.spotting, issue #9) does not spot yet;
    the engine then asks instead of writing, which is safe but not what the rep meant.
    """
    turns = [turns] if isinstance(turns, str) else turns
    label = " | ".join(t if len(t) <= 60 else t[:57] + "..." for t in turns)
    marks = [pytest.mark.xfail(reason=f"resolver: {resolver_gap}", strict=False)] if resolver_gap else []
    return pytest.param(Case(turns=turns, **expect), id=label, marks=marks)


def chat(ctx: ToolContext, turns: list[str]) -> list[Reply]:
    """Send the turns in order, carrying the conversation state, as `crm chat` does."""
    state, out = State(), []
    for n, turn in enumerate(turns, 1):
        reply = respond(ctx, turn, state, message_ref=f"test:{n}")
        out.append(reply)
        state = reply.state
    return out


@contextmanager
def fresh_book(
    databases: Databases, tmp_path_factory: pytest.TempPathFactory, tag: str
) -> Iterator[ToolContext]:
    """A copy of the book template of its own (one per hypothesis example), dropped afterwards."""
    db = databases.new(tmp_path_factory.mktemp(tag), template="book")
    store = Store(db)
    try:
        yield make_ctx(store)
    finally:
        store.close()
        databases.drop(db)


def _by_name(ctx: ToolContext) -> dict[str, dict[str, Any]]:
    """The database's customers by name, as `crm export` gives them (without `updated_at`).

    A fresh copy of a template is that template byte for byte, and most cases write nothing: so a
    snapshot is kept per content fingerprint (_settled_file) and a new one made only for content not
    seen yet. Each call returns objects of its own.
    """
    key = _settled_file(ctx.store)
    if key is None:
        return _export_by_name(ctx)
    if key not in _SNAPSHOTS:
        if len(_SNAPSHOTS) >= _SNAPSHOTS_KEPT:
            del _SNAPSHOTS[next(iter(_SNAPSHOTS))]
        _SNAPSHOTS[key] = json.dumps(_export_by_name(ctx))
    book: dict[str, dict[str, Any]] = json.loads(_SNAPSHOTS[key])
    return book


def _export_by_name(ctx: ToolContext) -> dict[str, dict[str, Any]]:
    book = {}
    for c in export_data(ctx)["customers"]:
        c = dict(c)
        c.pop("updated_at", None)
        book[c["name"]] = c
    return book


# A SQLite file's hash -> _by_name of it, as JSON (see _by_name); a few templates' worth per process.
_SNAPSHOTS: dict[str, str] = {}
_SNAPSHOTS_KEPT = 32


def _settled_file(store: Store) -> str | None:
    """A hash of the SQLite file when it holds every committed change itself (its WAL is empty or
    absent), else None: then the content is the file plus WAL frames (whose headers carry random
    salts), and on PostgreSQL there is no file. Equal hashes mean equal bytes, so equal content."""
    if not store.is_sqlite or not store.path:
        return None
    wal = Path(f"{store.path}-wal")

    def wal_empty() -> bool:
        try:
            return wal.stat().st_size == 0
        except FileNotFoundError:
            return True

    if not wal_empty():
        return None
    digest = hashlib.sha256(Path(store.path).read_bytes()).hexdigest()
    return digest if wal_empty() else None  # nothing was committed while the file was read


def _new(after: list[dict], before: list[dict]) -> list[dict]:
    left = list(before)
    out = []
    for item in after:
        if item in left:
            left.remove(item)
        else:
            out.append(item)
    return out


def day_of(iso: str) -> str:
    """How a reply must show an ISO date: 'Tue 10 Mar'."""
    return format_day(date.fromisoformat(iso[:10]), TODAY)


def run_case(ctx: ToolContext, c: Case) -> list[Reply]:
    """Run a case and assert everything it expects; returns the replies for extra checks."""
    before = _by_name(ctx)
    replies = chat(ctx, c.turns)
    after = _by_name(ctx)
    last = replies[-1]
    text = last.text.casefold()
    for r in replies:
        assert r.text.strip(), "every message gets an answer"
        if r.wrote:
            assert "undo" in r.text.lower(), f"a write's reply offers undo: {r.text!r}"
    changed = {n for n in after if before.get(n) != after[n]}
    assert changed == c.changed(), (
        f"changed {sorted(changed)}, expected {sorted(c.changed())}; reply: {last.text!r}"
    )
    for name, kind, on, has in c.logs:
        new = _new(after[name]["interactions"], before.get(name, {}).get("interactions", []))
        assert len(new) == 1, f"one new interaction on {name}, got {new}"
        got = new[0]
        if kind:
            assert got["kind"] == kind, f"{name}: kind {got['kind']}, want {kind}"
        if on:
            assert got["occurred_at"][:10] == on, f"{name}: occurred {got['occurred_at']}, want {on}"
            assert day_of(on).casefold() in text, f"reply states {day_of(on)}: {last.text!r}"
        if has:
            assert has.casefold() in got["body"].casefold(), f"{name}: body {got['body']!r} lacks {has!r}"
    for name in dict.fromkeys(
        n for n, *_ in c.fups
    ):  # a customer may get several follow-ups from one message
        want = sorted((due, has) for n, due, has in c.fups if n == name)
        new = sorted(
            (
                f
                for f in _new(after[name]["followups"], before.get(name, {}).get("followups", []))
                if f["status"] == "open"
            ),
            key=lambda f: f["due"],
        )
        assert [f["due"] for f in new] == [due for due, _ in want], (
            f"{name}: new follow-ups {new}, want {want}"
        )
        for (due, has), got in zip(want, new, strict=False):
            assert day_of(due).casefold() in text, f"reply states {day_of(due)}: {last.text!r}"
            if has:
                assert has.casefold() in (got["description"] or "").casefold(), f"{name}: {got}"
    for name, stage in c.stages.items():
        assert after[name]["stage"] == stage, f"{name}: stage {after[name]['stage']}, want {stage}"
    for name, has, status in c.closed:
        hits = [
            f for f in after[name]["followups"] if has in (f["description"] or "") and f["status"] == status
        ]
        assert hits, f"{name}: no {status} follow-up about {has!r}: {after[name]['followups']}"
    for name, has, due in c.moved:
        hits = [
            f for f in after[name]["followups"] if has in (f["description"] or "") and f["status"] == "open"
        ]
        assert [f["due"] for f in hits] == [due], f"{name}: {hits}"
        assert day_of(due).casefold() in text
    for name, want in c.fields.items():
        for key, value in want.items():
            if key == "tags":
                assert set(value) <= set(after[name]["tags"]), f"{name}: tags {after[name]['tags']}"
            elif key == "no_tags":
                assert not set(value) & set(after[name]["tags"]), f"{name}: tags {after[name]['tags']}"
            else:
                assert after[name][key] == value, f"{name}: {key} {after[name][key]!r}, want {value!r}"
    for name, person, role in c.contacts:
        people = {p["name"]: p for p in after[name]["contacts"]}
        assert person in people, f"{name}: contacts {list(people)}"
        if role:
            assert people[person]["role"] == role
    for name, stage in c.created:
        assert name in after and name not in before, f"{name} created"
        assert after[name]["stage"] == stage
    for want in c.reply:
        assert want.casefold() in text, f"reply lacks {want!r}: {last.text!r}"
    for unwanted in c.lacks:
        assert unwanted.casefold() not in text, f"reply has {unwanted!r}: {last.text!r}"
    if c.asks:
        assert last.state.pending and last.choices, f"expected a question: {last.text!r}"
    return replies
