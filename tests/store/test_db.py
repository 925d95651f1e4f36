"""Connection settings and the full-text index, read back from the database itself (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from store import Store, queries
from store.db import BUSY_TIMEOUT_MS
from store.models import Contact, Customer, Interaction
from tests.store.backends import both_backends, fts_ids  # noqa: F401  (the fixture: both backends)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "crm.db")
    yield s
    s.close()


def _pragma(store: Store, name: str) -> object:
    with store.read() as s:
        return s.exec(text(f"PRAGMA {name}")).one()[0]


def test_wal_foreign_keys_and_busy_timeout_are_on(sqlite_store: Store) -> None:
    assert str(_pragma(sqlite_store, "journal_mode")).lower() == "wal"
    assert _pragma(sqlite_store, "foreign_keys") == 1
    assert _pragma(sqlite_store, "busy_timeout") == BUSY_TIMEOUT_MS >= 5000


def test_write_sessions_use_the_same_settings(sqlite_store: Store) -> None:
    with sqlite_store.write() as s:
        assert s.exec(text("PRAGMA foreign_keys")).one()[0] == 1


def test_wal_is_persistent_in_the_file(sqlite_store: Store) -> None:
    # Another program (sqlite3, a backup tool) sees WAL mode without our connection settings.
    path = sqlite_store.url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_in_memory_store_works() -> None:
    store = Store(":memory:")
    try:
        with store.write() as s:
            s.add(Customer(name="Acme", name_key="acme"))
        with store.read() as s:
            assert [c.name for c in s.exec(select(Customer))] == ["Acme"]
    finally:
        store.close()


def test_foreign_keys_refuse_an_orphan_and_cascade_on_delete(store: Store) -> None:
    with pytest.raises(IntegrityError), store.write() as s:
        s.add(Contact(customer_id=999, name="Nobody", name_key="nobody"))
    with store.write() as s:
        c = Customer(name="Acme", name_key="acme")
        s.add(c)
        s.flush()
        s.add(Contact(customer_id=c.id, name="Dana", name_key="dana"))
        cid = c.id
    with store.write() as s:
        s.exec(text("DELETE FROM customer WHERE id = :id").bindparams(id=cid))
    with store.read() as s:
        assert s.exec(select(Contact)).all() == []


def test_customer_names_are_unique_ignoring_case(store: Store) -> None:
    with store.write() as s:
        s.add(Customer(name="Acme", name_key="acme"))
    with pytest.raises(IntegrityError), store.write() as s:
        s.add(Customer(name="ACME", name_key="acme"))


def test_a_failed_write_leaves_nothing_behind(store: Store) -> None:
    with pytest.raises(ZeroDivisionError), store.write() as s:
        s.add(Customer(name="Acme", name_key="acme"))
        s.flush()
        1 / 0  # noqa: B018
    with store.read() as s:
        assert s.exec(select(Customer)).all() == []


def test_timestamps_come_back_aware_utc(store: Store) -> None:
    berlin = datetime(2026, 3, 4, 15, 0).astimezone()  # any aware value
    with store.write() as s:
        c = Customer(name="Acme", name_key="acme", created_at=berlin)
        s.add(c)
    with store.read() as s:
        got = s.exec(select(Customer)).one().created_at
    assert got.tzinfo is not None and got.utcoffset() == UTC.utcoffset(None)
    assert got == berlin


# ---- full-text index ------------------------------------------------------------------------------


def _fts(store: Store, words: str) -> list[int]:
    return fts_ids(store, words)


def _customer(store: Store) -> int:
    with store.write() as s:
        c = Customer(name="Acme", name_key="acme")
        s.add(c)
        s.flush()
        return c.id


def _interaction(store: Store, cid: int, body: str) -> int:
    with store.write() as s:
        i = Interaction(customer_id=cid, body=body, occurred_at=datetime.now(UTC))
        s.add(i)
        s.flush()
        return i.id


def test_fts_follows_insert_update_and_delete(store: Store) -> None:
    cid = _customer(store)
    iid = _interaction(store, cid, "Budget approved for the warehouse rollout")
    other = _interaction(store, cid, "Sent the pricing sheet")
    assert _fts(store, "budget") == [iid]
    assert _fts(store, "pricing") == [other]

    with store.write() as s:
        i = s.get(Interaction, iid)
        i.body = "Legal is reviewing the contract"
        s.add(i)
    assert _fts(store, "budget") == []
    assert _fts(store, "legal") == [iid]

    with store.write() as s:
        s.delete(s.get(Interaction, iid))
    assert _fts(store, "legal") == []
    assert _fts(store, "pricing") == [other]


def test_fts_stems_and_folds_accents(store: Store) -> None:
    cid = _customer(store)
    iid = _interaction(store, cid, "Meetings with the Café team about invoices")
    assert _fts(store, "meeting") == [iid]
    assert _fts(store, "cafe") == [iid]
    assert _fts(store, "invoice") == [iid]


def test_fts_drops_the_rows_of_a_deleted_customer(store: Store) -> None:
    cid = _customer(store)
    _interaction(store, cid, "Renewal signed")
    with store.write() as s:
        s.delete(s.get(Customer, cid))
    assert _fts(store, "renewal") == []


def test_names_version_moves_with_every_name_change(store: Store) -> None:
    def version() -> int:
        with store.read() as s:
            return int(s.exec(text("SELECT value FROM meta WHERE key='names_version'")).one()[0])

    v0 = version()
    cid = _customer(store)
    v1 = version()
    assert v1 > v0
    with store.write() as s:
        c = s.get(Customer, cid)
        c.stage = "won"
        s.add(c)
    assert version() == v1  # not a name change
    with store.write() as s:
        c = s.get(Customer, cid)
        c.name, c.name_key = "Acme Corp", "acme corp"
        s.add(c)
    v2 = version()
    assert v2 > v1
    with store.write() as s:
        s.add(Contact(customer_id=cid, name="Dana", name_key="dana"))
    assert version() > v2


def test_text_sorts_by_its_bytes_on_every_backend(store: Store) -> None:
    # SQLite's BINARY order; PostgreSQL's text columns are COLLATE "C", whatever the server's locale.
    keys = ["abc", "ab c", "Abd", "abd", "Zed", "_x", "émile"]
    with store.write() as s:
        s.add_all([Customer(name=k, name_key=k) for k in keys])
    with store.read() as s:
        listed, total = queries.list_customers(s, limit=50)
    assert [c.name_key for c in listed] == sorted(keys, key=lambda k: k.encode()) and total == len(keys)
