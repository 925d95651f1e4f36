"""Full-text search through the store, the same on SQLite (FTS5) and PostgreSQL (tsvector + GIN)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from store import Store, queries
from store.models import Customer, Interaction
from tests.store.backends import both_backends  # noqa: F401  (the fixture: both backends)

BODIES = [
    "Budget approved for the warehouse rollout",  # 1
    "Sent the pricing sheet to hello@acme.example",  # 2
    "Meetings with the Café team about invoices",  # 3
    "Budget review postponed; pricing to follow",  # 4
    "Call: budget & pricing | next steps (urgent!)",  # 5
]


def _book(store: Store) -> tuple[int, int, list[int]]:
    """Two customers; the interactions of BODIES, logged in order (ids ascending), alternating customers."""
    at = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with store.write() as s:
        acme, globex = Customer(name="Acme", name_key="acme"), Customer(name="Globex", name_key="globex")
        s.add_all([acme, globex])
        s.flush()
        ids = []
        for n, body in enumerate(BODIES):
            kind = "call" if body.startswith("Call") else "note"
            owner = acme if n % 2 == 0 else globex
            row = Interaction(
                customer_id=owner.id,
                body=body,
                kind=kind,
                # occurred_at deliberately out of order: results follow the logging order (ids).
                occurred_at=at - timedelta(days=n),
            )
            s.add(row)
            s.flush()
            ids.append(row.id)
        return acme.id, globex.id, ids


def _found(store: Store, words: str, **kw: object) -> list[int]:
    with store.read() as s:
        rows, _more = queries.search_interactions(s, words, **kw)
        return [r.id for r in rows]


def test_every_word_must_match_newest_logged_first(store: Store) -> None:
    _, _, ids = _book(store)
    assert _found(store, "budget") == [ids[4], ids[3], ids[0]]
    assert _found(store, "budget pricing") == [ids[4], ids[3]]
    assert _found(store, "pricing BUDGET review") == [ids[3]]
    assert _found(store, "budget nowhere") == []


def test_stems_fold_accents_and_split_on_punctuation(store: Store) -> None:
    _, _, ids = _book(store)
    assert _found(store, "meeting invoice") == [ids[2]]  # stemmed
    assert _found(store, "cafe") == [ids[2]]  # accents folded
    assert _found(store, "acme") == [ids[1]]  # an e-mail address is words
    assert _found(store, "postpone") == [ids[3]]


@pytest.mark.parametrize(
    "typed",
    [
        "budget & !pricing",
        "budget | nothing",
        "budget:*",
        "budget <-> approved",
        "'budget'",
        '"budget',
        "(budget",
    ],
)
def test_operators_in_what_the_user_typed_are_just_words(store: Store, typed: str) -> None:
    _, _, ids = _book(store)
    # Each is read as its words, all required: never as a query language, never an error.
    words = {
        "budget & !pricing": [ids[4], ids[3]],
        "budget | nothing": [],
        "budget <-> approved": [ids[0]],
    }
    assert _found(store, typed) == words.get(typed, [ids[4], ids[3], ids[0]])


def test_nothing_to_search_for_finds_nothing(store: Store) -> None:
    _book(store)
    assert _found(store, "") == []
    assert _found(store, "&|!:*()") == []


def test_customer_kind_and_paging(store: Store) -> None:
    acme, globex, ids = _book(store)
    assert _found(store, "budget", customer_id=acme) == [ids[4], ids[0]]
    assert _found(store, "budget", customer_id=globex) == [ids[3]]
    assert _found(store, "budget", kind="call") == [ids[4]]
    with store.read() as s:
        first, more = queries.search_interactions(s, "budget", limit=2)
        rest, more_after = queries.search_interactions(s, "budget", offset=2, limit=2)
    assert [r.id for r in first] == [ids[4], ids[3]] and more
    assert [r.id for r in rest] == [ids[0]] and not more_after
