"""The change log at the store level: batches record before/after, undo replays them backwards."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from store import Store, changelog
from store.changelog import Batch, UndoError, last_batch, snapshot, undo_batch
from store.models import ChangeLog, Contact, Customer, FollowUp
from tests import pgserver
from tests.conftest import make_ctx
from tests.store.backends import BACKENDS, both_backends, open_store  # noqa: F401  (both_backends: the fixture)
from tools.transfer import import_text

AT = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)


def _create_customer(store: Store, actor: str = "sam", name: str = "Acme") -> tuple[int, str]:
    with store.write() as s:
        batch = Batch(s, actor, "cli", f"create {name}", at=AT)
        c = Customer(name=name, name_key=name.lower(), value=100.0, tags=["a"])
        s.add(c)
        batch.created(c)
        contact = Contact(customer_id=c.id, name="Dana", name_key="dana")
        s.add(contact)
        batch.created(contact)
        return c.id, batch.id


def _update(store: Store, cid: int, actor: str = "sam", **values: object) -> str:
    with store.write() as s:
        c = s.get(Customer, cid)
        batch = Batch(s, actor, "mcp", "update", at=AT)
        before = snapshot(c, list(values) + ["updated_at"])
        for k, v in values.items():
            setattr(c, k, v)
        s.add(c)
        batch.updated(c, before)
        return batch.id


def _undo(store: Store, actor: str = "sam") -> Batch:
    with store.write() as s:
        return undo_batch(s, last_batch(s, actor), actor=actor, source="cli", at=AT)


def test_a_batch_records_actor_source_and_after_values(store: Store) -> None:
    cid, batch = _create_customer(store)
    with store.read() as s:
        rows = s.exec(select(ChangeLog).order_by(ChangeLog.id)).all()
    assert [(r.entity, r.op, r.batch, r.actor, r.source) for r in rows] == [
        ("customer", "create", batch, "sam", "cli"),
        ("contact", "create", batch, "sam", "cli"),
    ]
    assert rows[0].entity_id == cid and rows[0].before is None
    assert rows[0].after["name"] == "Acme" and rows[0].after["tags"] == ["a"]


def test_an_update_records_only_what_changed(store: Store) -> None:
    cid, _ = _create_customer(store)
    _update(store, cid, value=250.0, email=None, owner="kim")
    with store.read() as s:
        row = s.exec(select(ChangeLog).where(ChangeLog.op == "update")).one()
    assert row.before == {"value": 100.0, "owner": None}
    assert row.after == {"value": 250.0, "owner": "kim"}


def test_an_update_that_changes_nothing_is_not_logged(store: Store) -> None:
    cid, _ = _create_customer(store)
    _update(store, cid, value=100.0)
    with store.read() as s:
        assert s.exec(select(ChangeLog).where(ChangeLog.op == "update")).all() == []


def test_undo_of_an_update_restores_the_exact_values_and_is_logged(store: Store) -> None:
    cid, _ = _create_customer(store)
    updated_batch = _update(store, cid, value=250.0, tags=["a", "b"])
    undo = _undo(store)
    with store.read() as s:
        c = s.get(Customer, cid)
        assert (c.value, c.tags) == (100.0, ["a"])
        reverted = s.exec(select(ChangeLog).where(ChangeLog.batch == updated_batch)).all()
        assert all(r.undone_at is not None for r in reverted)
        logged = s.exec(select(ChangeLog).where(ChangeLog.batch == undo.id)).all()
    assert [(r.op, r.undoes) for r in logged] == [("update", updated_batch)]
    assert logged[0].summary.startswith("undo:")


def test_undo_of_a_creation_removes_the_row_and_its_children(store: Store) -> None:
    cid, _ = _create_customer(store)
    with store.write() as s:
        s.add(FollowUp(customer_id=cid, due_date=date(2026, 3, 6), description="call"))
    _undo(store)
    with store.read() as s:
        assert s.get(Customer, cid) is None
        assert s.exec(select(Contact)).all() == []
        assert s.exec(select(FollowUp)).all() == []
        deleted = {r.entity for r in s.exec(select(ChangeLog).where(ChangeLog.op == "delete"))}
    # What the cascade removed is in the log too: nothing leaves unrecorded.
    assert deleted == {"customer", "contact", "followup"}


def test_undo_walks_back_one_batch_at_a_time(store: Store) -> None:
    cid, _ = _create_customer(store)
    _update(store, cid, value=1.0)
    _update(store, cid, value=2.0)
    _undo(store)
    with store.read() as s:
        assert s.get(Customer, cid).value == 1.0
    _undo(store)
    with store.read() as s:
        assert s.get(Customer, cid).value == 100.0
    _undo(store)
    with store.read() as s:
        assert s.get(Customer, cid) is None
    with store.write() as s:
        assert last_batch(s, "sam") == []
    with pytest.raises(UndoError, match="nothing"):
        _undo(store)


def test_undo_is_per_actor(store: Store) -> None:
    cid, _ = _create_customer(store, actor="sam")
    _create_customer(store, actor="kim", name="Globex")
    _undo(store, actor="sam")  # sam's change, although kim's is newer
    with store.read() as s:
        assert s.get(Customer, cid) is None
        assert [c.name for c in s.exec(select(Customer))] == ["Globex"]


def test_undo_refuses_to_overwrite_a_newer_change_and_changes_nothing(store: Store) -> None:
    cid, _ = _create_customer(store)
    _update(store, cid, actor="sam", value=250.0)
    _update(store, cid, actor="kim", value=300.0)
    with pytest.raises(UndoError, match="changed again"):
        _undo(store, actor="sam")
    with store.read() as s:
        assert s.get(Customer, cid).value == 300.0
        assert all(r.undone_at is None for r in s.exec(select(ChangeLog)))


def test_an_unrelated_field_changed_since_does_not_block_undo(store: Store) -> None:
    cid, _ = _create_customer(store)
    _update(store, cid, actor="sam", value=250.0)
    _update(store, cid, actor="kim", owner="kim")
    _undo(store, actor="sam")
    with store.read() as s:
        c = s.get(Customer, cid)
        assert (c.value, c.owner) == (100.0, "kim")


@pytest.mark.parametrize("backend", BACKENDS)
def test_undoing_a_big_import_set_wise_logs_what_row_by_row_logs(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = {
        "customers": [
            {
                "name": f"Customer {n}",
                "tags": ["t"],
                "contacts": [{"name": f"Person {n}"}],
                "interactions": [{"body": f"note {n}", "occurred_at": "2026-03-01T10:00:00"}],
            }
            for n in range(25)
        ]
    }
    logged = []
    # Small thresholds instead of 200+ customers: the same two paths, and the set-wise one in 3 chunks.
    monkeypatch.setattr(changelog, "_CHUNK", 10)
    for setwise in (True, False):
        monkeypatch.setattr(changelog, "SETWISE_MIN", 20 if setwise else 10**9)
        (tmp_path / str(setwise)).mkdir()
        s, name = open_store(backend, tmp_path / str(setwise))
        try:
            import_text(make_ctx(s, source="import"), json.dumps(doc), kind="json", label="doc")
            undone = _undo(s)
            with s.read() as r:
                left = [r.exec(select(func.count()).select_from(m)).one() for m in (Customer, Contact)]
                rows = r.exec(select(ChangeLog).order_by(col(ChangeLog.id))).all()
                logged.append(
                    [x.model_dump(exclude={"id", "batch", "undoes", "at", "undone_at"}) for x in rows]
                )
                marks = {(x.undoes is not None, x.undone_at is not None) for x in rows}
            assert left == [0, 0] and undone.count == 3 * len(doc["customers"])
            assert marks == {(False, True), (True, False)}  # the import's rows undone; the undo's rows say so
        finally:
            s.close()
            if name:
                pgserver.shared().drop_database(name)
    for log in logged:  # children's created_at is the real clock of each run
        for row in log:
            (row["before"] or {}).pop("created_at", None)
    assert logged[0] == logged[1]


def test_a_big_import_edited_since_is_not_undone_set_wise(store: Store) -> None:
    doc = {"customers": [{"name": f"Customer {n}"} for n in range(changelog.SETWISE_MIN + 5)]}
    import_text(make_ctx(store, source="import"), json.dumps(doc), kind="json", label="doc")
    with store.read() as s:
        cid = s.exec(select(Customer.id).where(Customer.name == "Customer 7")).one()
    _update(store, cid, actor="kim", stage="won")
    with pytest.raises(UndoError, match="changed again since"):
        _undo(store)
    with store.read() as s:
        assert s.exec(select(func.count()).select_from(Customer)).one() == len(doc["customers"])
        assert all(r.undone_at is None for r in s.exec(select(ChangeLog)))
