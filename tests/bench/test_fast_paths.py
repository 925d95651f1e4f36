"""The fast paths made for scale answer exactly as the plain ones: what a user sees does not depend on them.

The name index keeps names by position and finds a customer from its id by arithmetic, bisection
or a dict depending on how the ids came; word postings are arrays turned into cached sets. The
busiest write (log_interaction) and the smallest read (recent_changes) use prebuilt statements and
must still see, and be undone with, the rest of a chat message's transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from store import changelog, interaction_rows
from store.changelog import snapshot
from store.models import Interaction
from tests.conftest import run_sql
from tools.context import ToolContext
from tools.customers import create_customer, find_customers, get_customer
from tools.history import recent_changes, undo
from tools.name_index import NameIndex
from tools.names import rank_customers, resolve_in
from tools.schemas import CreateCustomer, FindCustomers, GetCustomer, LogInteraction, RecentChanges
from tools.timeline import log_interaction

NAMES = [
    ("Acme Corp", ["Tamsin Reed"]),
    ("Acme Inc", []),
    ("Orion Dynamics", ["Dr. J. Alvarez"]),
    ("Quill & Ink Stationers Ltd", []),
    ("Thistle Bakery", ["Holly Park"]),
    ("Halcyon Labs", ["Holly Park", "Ben Ng"]),
    ("Café Müller", []),
    ("Blue North Dental Inc 1234", []),
    ("Blue North Dental Inc 1235", []),
    ("Tip Top Tip", []),
]
QUERIES = [
    "acme",
    "Acme Corp",
    "orion dynamcs",
    "quill & ink",
    "thistel bakery",
    "Holly Park",
    "tamsin",
    "J. Alvarez",
    "cafe muller",
    "blue north dental",
    "blue north dentl 1235",
    "tip top",
    "zebra",
    "halcyon gmbh",
]


def _index(ids: list[int]) -> NameIndex:
    idx = NameIndex()
    for cid, (name, people) in zip(ids, NAMES, strict=True):  # in the order given
        idx.add_customer(cid, name)
        for person in people:
            idx.add_contact(cid, person)
    return idx


def _answers(idx: NameIndex, ids: list[int]) -> list[object]:
    """What each query resolves to and ranks, with ids named by their customer's position in NAMES."""
    back = {cid: i for i, cid in enumerate(ids)}
    out: list[object] = []
    for q in QUERIES:
        r = resolve_in(idx, q)
        out.append([(back[m.id], m.name, m.how, m.via) for m in (*r.matches, *r.suggestions)])
        cands, sure = rank_customers(idx, q)
        out.append(([(back[c.id], c.name, c.score) for c in cands], sure))
    for i, cid in enumerate(ids):
        out.append((i, idx.name_of(cid), idx.words_of(cid), idx.suffixed(cid)))
    return out


@pytest.mark.parametrize(
    "ids",
    [
        [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],  # gaps: found by bisection
        [10, 9, 8, 7, 6, 5, 4, 3, 2, 1],  # added against id order: found by a dict
        [3, 1, 2, 4, 5, 6, 7, 8, 9, 10],  # out of order once
    ],
)
def test_the_index_answers_the_same_however_ids_come(ids: list[int]) -> None:
    dense = list(range(1, len(NAMES) + 1))  # 1..n in order: the id gives the position
    assert _answers(_index(ids), ids) == _answers(_index(dense), dense)
    idx = _index(ids)
    assert len(idx) == len(NAMES)
    with pytest.raises(KeyError):
        idx.name_of(999)


def test_a_name_added_after_a_lookup_is_found_by_its_words() -> None:
    idx = _index(list(range(1, len(NAMES) + 1)))
    assert idx.customers_with_word("acme") == {1, 2}  # now held as a set
    idx.add_customer(11, "Acme Labs")
    assert idx.customers_with_word("acme") == {1, 2, 11}
    assert [m.id for m in resolve_in(idx, "acme labs").matches] == [11]


def test_log_and_recent_changes_inside_one_transaction(ctx: ToolContext) -> None:
    with ctx.transaction("chat: new customer and a note"):
        create_customer(ctx, CreateCustomer(name="Fresh Produce Co"))
        logged = log_interaction(
            ctx, LogInteraction(customer="Fresh Produce", kind="call", body="first call")
        )
        seen = recent_changes(ctx, RecentChanges(limit=5))  # the transaction's own writes
    assert logged.interaction.customer_name == "Fresh Produce Co"
    assert [(c.entity, c.op) for c in seen.items] == [("interaction", "create"), ("customer", "create")]
    assert len({c.batch for c in seen.items}) == 1
    assert seen.items[0].after is not None and seen.items[0].after["body"] == "first call"
    undone = undo(ctx)
    assert undone.reverted == 2
    after = recent_changes(ctx, RecentChanges(limit=5))
    assert [c.op for c in after.items[:2]] == ["delete", "delete"]  # the undo, logged
    assert all(c.undone for c in after.items[2:4])


def test_a_failed_transaction_leaves_no_note_and_no_change(ctx: ToolContext) -> None:
    before = recent_changes(ctx, RecentChanges(limit=50)).items
    with pytest.raises(RuntimeError), ctx.transaction("chat: fails"):
        create_customer(ctx, CreateCustomer(name="Gone Again Ltd"))
        log_interaction(ctx, LogInteraction(customer="Gone Again", kind="note", body="never kept"))
        raise RuntimeError("the second action failed")
    assert recent_changes(ctx, RecentChanges(limit=50)).items == before


def test_a_note_written_by_the_prebuilt_insert_reads_back_as_the_orm_writes_it(ctx: ToolContext) -> None:
    """The note and its change-log row go straight to the driver (store/driver_query.DriverInsert): the
    stored row must be the one the ORM would write: the moment in UTC, the text as given, the
    change-log snapshot equal to the row's own."""
    create_customer(ctx, CreateCustomer(name="Ōsaka Trading 株式会社"))
    said = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    body = "called — they'd like “pricing” by Friday; 50% off? 🚀"
    logged = log_interaction(
        ctx, LogInteraction(customer="Osaka Trading", kind="meeting", body=body, occurred_at=said.isoformat())
    )
    with ctx.read() as s:
        row = s.get(Interaction, logged.interaction.id)
        assert row is not None
        stored = snapshot(row)
    log = [c for c in recent_changes(ctx, RecentChanges(limit=10)).items if c.entity == "interaction"]
    assert row.body == body and row.kind == "meeting" and row.author == "sam" and row.source_ref is None
    assert row.occurred_at == said and row.occurred_at.utcoffset() == timedelta(0)
    (created,) = log
    assert created.op == "create" and created.entity_id == row.id and created.before is None
    assert created.after == stored
    assert logged.interaction.occurred_at == said


def test_a_note_is_logged_where_sqlite_has_no_returning(
    ctx: ToolContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite before 3.35 (Debian 11, RHEL 9) has no INSERT ... RETURNING: the id comes from lastrowid."""
    dialect = ctx.store.engine.dialect
    if dialect.name != "sqlite":
        pytest.skip("SQLite's RETURNING")
    monkeypatch.setattr(dialect, "insert_returning", False)
    for statement in (interaction_rows._INSERT, changelog._LOG_INSERT):
        monkeypatch.setattr(statement, "_plans", {})  # compiled anew, without RETURNING
    create_customer(ctx, CreateCustomer(name="Old Debian Farms"))
    first = log_interaction(ctx, LogInteraction(customer="Old Debian", kind="call", body="one"))
    second = log_interaction(ctx, LogInteraction(customer="Old Debian", kind="call", body="two"))
    assert "RETURNING" not in interaction_rows._INSERT._plans["sqlite"][0]
    assert second.interaction.id == first.interaction.id + 1
    notes = [c for c in recent_changes(ctx, RecentChanges(limit=10)).items if c.entity == "interaction"]
    assert [(c.entity_id, (c.after or {}).get("body")) for c in notes] == [
        (second.interaction.id, "two"),
        (first.interaction.id, "one"),
    ]


def test_a_customer_whose_id_is_past_2_31_is_found_and_shown(ctx: ToolContext) -> None:
    """Ids are BIGINT on PostgreSQL: the prebuilt reads bind them as such (a cast to INTEGER failed
    there with 'integer out of range')."""
    create_customer(ctx, CreateCustomer(name="Smallid Co"))  # a row to copy the column values from
    big = 3_000_000_001
    run_sql(
        ctx.store,
        "INSERT INTO customer (id, name, name_key, stage, tags, created_at, updated_at) "
        f"SELECT {big}, 'Bigid Holdings', 'bigid holdings', stage, tags, created_at, updated_at "
        "FROM customer WHERE name = 'Smallid Co'",
    )
    found = find_customers(ctx, FindCustomers(query="bigid holdings")).items
    assert [(c.id, c.name) for c in found] == [(big, "Bigid Holdings")]
    assert get_customer(ctx, GetCustomer(customer="Bigid Holdings")).id == big
    assert get_customer(ctx, GetCustomer(customer=big)).name == "Bigid Holdings"
    logged = log_interaction(ctx, LogInteraction(customer=f"#{big}", kind="note", body="a big id"))
    assert logged.interaction.customer_id == big
