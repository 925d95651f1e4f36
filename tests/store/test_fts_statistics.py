"""SQLite's planner statistics leave the full-text index's own tables alone.

ANALYZE of a new database used to record `interaction_fts_data` at its 2 rows; the planner then
read FTS5's segment-merge statement ("DELETE … WHERE id >= ? AND id <= ?") as a scan of the whole
table, so as the notes grew one note in ~15 took most of a second to commit (0.4–0.9 s at
1,000,000 notes). The plan is what decides it, so the plan is what these tests read, from a fresh
connection as any process would.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from store import Store
from tests.conftest import make_ctx
from tools.customers import create_customer
from tools.schemas import CreateCustomer, LogInteraction, SearchInteractions
from tools.timeline import log_interaction, search_interactions

# The statement FTS5 runs for each segment a merge retires (SQLite 3.40's fts5_index.c).
MERGE_DELETE = "DELETE FROM 'main'.'interaction_fts_data' WHERE id>=? AND id<=?"


def _plan(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {MERGE_DELETE}", (1, 2)))


def _search_statistics(db: Path) -> list[tuple[str, str | None, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT * FROM sqlite_stat1 WHERE tbl LIKE 'interaction_fts%'").fetchall()


def test_a_new_database_has_statistics_but_none_for_the_search_tables(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    Store(db).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
    assert _search_statistics(db) == []
    assert "USING INTEGER PRIMARY KEY" in _plan(db)


def test_opening_a_database_with_the_old_figure_drops_it_and_keeps_the_others(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    Store(db).close()
    with sqlite3.connect(db) as conn:  # what a database made before this fix holds
        conn.execute("INSERT INTO sqlite_stat1 VALUES ('interaction_fts_data', NULL, '2')")
        conn.execute("INSERT INTO sqlite_stat1 VALUES ('customer', 'ix_customer_name_key', '5000 1')")
    assert "SCAN" in _plan(db)  # the bug: a whole-table scan for every merged segment

    store = Store(db)
    try:
        assert _search_statistics(db) == []
        assert "USING INTEGER PRIMARY KEY" in _plan(db)
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'customer'").fetchall() == [
                ("5000 1",)
            ]
        # Notes are still found after the repair (the index itself is untouched).
        ctx = make_ctx(store)
        create_customer(ctx, CreateCustomer(name="Globex"))
        log_interaction(ctx, LogInteraction(customer="Globex", kind="call", body="pricing for the warehouse"))
        assert [
            h.customer_name for h in search_interactions(ctx, SearchInteractions(query="warehouse")).items
        ] == ["Globex"]
    finally:
        store.close()


def test_refreshed_statistics_after_many_notes_still_leave_the_search_tables_out(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    store = Store(db)
    try:
        ctx = make_ctx(store)
        create_customer(ctx, CreateCustomer(name="Initech"))
        for i in range(60):
            log_interaction(
                ctx, LogInteraction(customer="Initech", kind="note", body=f"call {i} about the renewal")
            )
        store.refresh_statistics()  # what an import and `crm copy` run afterwards
    finally:
        store.close()
    assert _search_statistics(db) == []
    assert "USING INTEGER PRIMARY KEY" in _plan(db)
