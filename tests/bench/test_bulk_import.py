"""The bulk import path (store/bulk.py), used by `crm import` for new customers: the same result as
one-by-one writes — findable customers, change-log rows, undo, idempotent re-import."""

from __future__ import annotations

import json

from store import Store
from tests.conftest import NewDb, make_ctx
from tools.context import ToolContext
from tools.customers import create_customer, find_customers, get_customer
from tools.history import undo
from tools.schemas import CreateCustomer, FindCustomers, GetCustomer
from tools.transfer import export_data, import_text


def _csv(rows: int) -> str:
    lines = ["name,email,phone,stage,owner,tags,contact,contact_role"]
    for i in range(rows):
        lines.append(
            f"Bulkco {i:04d} Ltd,info{i}@bulk{i}.example,,Proposal Sent,kim,eu;priority,Person {i} Doe,CTO"
        )
    return "\n".join(lines) + "\n"


def test_a_csv_of_many_customers_imports_findable_and_undoes_as_one_change(ctx: ToolContext) -> None:
    create_customer(ctx, CreateCustomer(name="Acme Corp"))
    result = import_text(ctx, _csv(1200), kind="csv", label="big.csv")
    assert (result.customers_created, result.contacts) == (1200, 1200)

    profile = get_customer(ctx, GetCustomer(customer="bulkco 0042"))  # the name index saw them
    assert profile.name == "Bulkco 0042 Ltd"
    assert (profile.stage, profile.owner, profile.tags) == ("proposal", "kim", ["eu", "priority"])
    assert [(c.name, c.role) for c in profile.contacts] == [("Person 42 Doe", "CTO")]
    assert find_customers(ctx, FindCustomers(query="Person 7 Doe")).items[0].name == "Bulkco 0007 Ltd"

    undo(ctx)
    names = [c.name for c in find_customers(ctx, FindCustomers(limit=50)).items]
    assert names == ["Acme Corp"]


def test_reimporting_the_same_file_adds_nothing(ctx: ToolContext) -> None:
    import_text(ctx, _csv(50), kind="csv")
    again = import_text(ctx, _csv(50), kind="csv")
    assert (again.customers_created, again.customers_updated, again.contacts) == (0, 0, 0)


def test_json_round_trip_through_the_bulk_path_loses_nothing(crm: ToolContext, new_db: NewDb) -> None:
    exported = export_data(crm)
    fresh = Store(new_db("copy.db"))
    try:
        copy = make_ctx(fresh)
        import_text(copy, json.dumps(exported), kind="json")
        again = export_data(copy)
    finally:
        fresh.close()

    def without_ids(doc: dict) -> list[dict]:
        return [{k: v for k, v in c.items() if k != "id"} for c in doc["customers"]]

    assert without_ids(again) == without_ids(exported)
    assert sum(len(c["interactions"]) + len(c["followups"]) for c in again["customers"]) > 0


def test_bulk_rows_are_stored_exactly_as_the_orm_stores_them(store: Store) -> None:
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from sqlalchemy import text

    from store import bulk
    from store.models import Customer, FollowUp, Interaction, StageChange

    berlin = datetime(2026, 3, 4, 9, 30, 15, 250, tzinfo=ZoneInfo("Europe/Berlin"))
    rows = [
        (
            Customer,
            {
                "name": "Ørsted A/S",
                "name_key": "orsted a s",
                "tags": ["eu", "energy"],
                "value": 1500.5,
                "email": None,
                "created_at": berlin,
                "updated_at": berlin,
            },
        ),
        (
            Interaction,
            {
                "customer_id": 1,
                "kind": "call",
                "body": "Ja, sehr gut",
                "occurred_at": berlin,
                "created_at": berlin,
            },
        ),
        (
            FollowUp,
            {
                "customer_id": 1,
                "due_date": date(2026, 3, 9),
                "due_time": time(9, 30),
                "description": "call",
                "created_at": berlin,
            },
        ),
        (
            FollowUp,
            {"customer_id": 1, "due_date": date(2026, 3, 10), "description": "no time", "created_at": berlin},
        ),
        (StageChange, {"customer_id": 1, "from_stage": None, "to_stage": "lead", "at": berlin, "by": "sam"}),
    ]
    with store.write() as s:
        for model, values in rows:  # through the ORM ...
            s.add(model(**values))
        s.flush()
        for model, values in rows:  # ... and through the bulk path
            bulk.insert_rows(s, model, [{**values, "name_key": "orsted 2"} if model is Customer else values])
    with store.read() as s:
        for table in ("customer", "interaction", "followup", "stage_change"):
            stored = [
                tuple((v, type(v).__name__) for v in r[1:])
                for r in s.exec(text(f"SELECT * FROM {table} ORDER BY id"))
            ]
            half = len(stored) // 2
            if table == "customer":
                stored = [
                    tuple(x for k, x in enumerate(r) if k != 1) for r in stored
                ]  # name_key differs on purpose
            assert stored[:half] == stored[half:], table


def test_the_change_log_records_a_bulk_created_customer_as_it_records_one_created_by_hand(
    ctx: ToolContext,
) -> None:
    from sqlmodel import select

    from store.models import ChangeLog

    create_customer(ctx, CreateCustomer(name="Hand Made Ltd"))
    import_text(ctx, "name\nBulk Made Ltd\n", kind="csv")
    with ctx.read() as s:
        logs = s.exec(select(ChangeLog).where(ChangeLog.entity == "customer").order_by(ChangeLog.id)).all()
    by_hand, bulk_row = (log.after for log in logs)
    differ = {k for k in by_hand if by_hand[k] != bulk_row[k]}
    assert differ == {"id", "name", "name_key"}, (by_hand, bulk_row)
    assert (logs[0].before, logs[1].before, logs[1].op, logs[1].actor) == (None, None, "create", "sam")
