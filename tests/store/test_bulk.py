"""The bulk import path logs exactly what one-by-one writes log, so undo treats both alike."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from store import Store
from store.models import ChangeLog
from tests.conftest import make_ctx
from tools.transfer import import_text

DOC = json.dumps(
    {
        "customers": [
            {
                "name": "Acme Corp",
                "stage": "proposal",
                "tags": ["eu", "priority"],
                "value": 1200.5,
                "created_at": "2026-01-02T03:04:05.123456+00:00",
                "updated_at": "2026-01-02T03:04:05+02:00",
            },
            {"name": "Globex", "email": "hi@globex.example", "contacts": [{"name": "Hank"}]},
            {"name": "Café Müller", "phone": "+49 30 1234", "tags": []},
        ]
    }
)


def _logged(path: Path, *, in_batch: bool) -> list[dict]:
    store = Store(path)
    try:
        ctx = make_ctx(store, source="import")
        if in_batch:  # inside a caller's batch the import writes through one ORM session instead
            with ctx.batch("import doc"):
                import_text(ctx, DOC, kind="json", label="doc")
        else:
            import_text(ctx, DOC, kind="json", label="doc")
        with store.read() as s:
            rows = s.exec(select(ChangeLog).order_by(ChangeLog.id)).all()
            return [r.model_dump(exclude={"id", "batch"}) for r in rows]
    finally:
        store.close()


def test_staged_copy_logs_the_same_rows_as_the_session_path(tmp_path: Path) -> None:
    staged = _logged(tmp_path / "a.db", in_batch=False)
    session = _logged(tmp_path / "b.db", in_batch=True)
    assert len(staged) == 3
    assert staged == session
    acme = staged[0]["after"]
    assert acme["created_at"] == "2026-01-02T03:04:05.123456+00:00"
    assert acme["updated_at"] == "2026-01-02T01:04:05+00:00"
    assert acme["tags"] == ["eu", "priority"] and acme["value"] == 1200.5


def test_customers_created_by_someone_else_meanwhile_shift_the_copy(tmp_path: Path, monkeypatch) -> None:
    import tools.transfer as transfer
    from tools.customers import create_customer, get_customer
    from tools.history import undo
    from tools.schemas import CreateCustomer, GetCustomer

    store = Store(tmp_path / "crm.db")
    importer, rep = (
        make_ctx(store, actor="kim", source="import"),
        make_ctx(Store(tmp_path / "crm.db"), actor="sam"),
    )
    planned = transfer._plan

    def plan_then_someone_writes(s, reading):
        plan = planned(s, reading)
        create_customer(rep, CreateCustomer(name="Initech"))  # takes the id the import planned for Acme
        return plan

    monkeypatch.setattr(transfer, "_plan", plan_then_someone_writes)
    import_text(importer, DOC, kind="json", label="doc")
    globex = get_customer(importer, GetCustomer(customer="Globex"))
    assert [c.name for c in globex.contacts] == ["Hank"]
    with store.read() as s:
        logged = {
            r.entity_id: r.after["name"] for r in s.exec(select(ChangeLog).where(ChangeLog.actor == "kim"))
        }
    assert (
        logged[globex.id] == "Globex"
        and logged[get_customer(importer, GetCustomer(customer="Acme")).id] == "Acme Corp"
    )
    undo(importer)
    assert (
        get_customer(rep, GetCustomer(customer="Initech")).name == "Initech"
    )  # the other rep's customer stays
    store.close()
    rep.store.close()
