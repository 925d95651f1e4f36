"""Schema versions: a fresh database is current, re-opening changes nothing, upgrades keep every row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from store import Store, migrations
from tests.conftest import make_ctx, run_sql
from tools.context import ToolContext
from tools.customers import create_customer
from tools.history import recent_changes
from tools.schemas import CreateCustomer, LogInteraction, RecentChanges
from tools.timeline import log_interaction


def _version_row(path: Path) -> str | None:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return row[0] if row else None


def _db_path(store: Store) -> Path:
    return Path(store.url.removeprefix("sqlite:///"))


def test_fresh_database_gets_the_current_schema_version(tmp_path: Path) -> None:
    store = Store(tmp_path / "new.db")
    try:
        assert store.schema_version() == migrations.LATEST
        assert _version_row(tmp_path / "new.db") == str(migrations.LATEST)
        tables = set(inspect(store.engine).get_table_names())
        assert {
            "customer",
            "contact",
            "interaction",
            "followup",
            "stage_change",
            "change_log",
            "user",
            "inbound_message",
            "meta",
            "interaction_fts",
        } <= tables
    finally:
        store.close()


def test_parent_directory_is_created(tmp_path: Path) -> None:
    store = Store(tmp_path / "deep" / "er" / "crm.db")
    store.close()
    assert (tmp_path / "deep" / "er" / "crm.db").exists()


@pytest.mark.sqlite_only("reads the file and sqlite_master with sqlite3")
def test_reopening_is_a_no_op_and_keeps_the_data(crm: ToolContext) -> None:
    path = _db_path(crm.store)
    with sqlite3.connect(path) as conn:
        before = {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in ("customer", "contact", "interaction", "followup", "change_log", "meta")
        }
        schema_before = conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    again = Store(path)
    try:
        assert again.schema_version() == migrations.LATEST
    finally:
        again.close()
    with sqlite3.connect(path) as conn:
        after = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in before}
        schema_after = conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    assert after == before
    assert before["customer"] == 8
    assert schema_after == schema_before


def test_a_database_from_a_newer_release_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(migrations.LATEST + 1),))
    with pytest.raises(RuntimeError, match=r"newer than this crm-assistant.*upgrade crm-assistant"):
        Store(path)
    assert _version_row(path) == str(migrations.LATEST + 1)


def test_upgrade_from_an_older_version_keeps_every_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A release adding a step upgrades a database written by the previous one in place."""
    path = tmp_path / "old.db"
    old = Store(path)
    ctx = make_ctx(old)
    for n in range(25):
        create_customer(ctx, CreateCustomer(name=f"Customer {n:02d}", value=n * 100))
    log_interaction(ctx, LogInteraction(customer="Customer 07", body="kept across the upgrade"))
    old.close()
    assert _version_row(path) == str(migrations.LATEST)

    ran: list[int] = []

    def _v_next(conn: Connection) -> None:
        ran.append(1)
        conn.exec_driver_sql("ALTER TABLE customer ADD COLUMN region VARCHAR")
        conn.exec_driver_sql("UPDATE customer SET region = 'emea'")

    nxt = migrations.LATEST + 1
    monkeypatch.setattr(migrations, "STEPS", [*migrations.STEPS, (nxt, "customer region", _v_next)])
    monkeypatch.setattr(migrations, "LATEST", nxt)

    upgraded = Store(path)
    try:
        assert upgraded.schema_version() == nxt
    finally:
        upgraded.close()
    assert ran == [1]
    assert _version_row(path) == str(nxt)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*), count(region) FROM customer").fetchone() == (25, 25)
        assert conn.execute("SELECT sum(value) FROM customer").fetchone()[0] == sum(
            n * 100 for n in range(25)
        )
        # The full-text index still finds the note written before the upgrade.
        hit = conn.execute(
            "SELECT rowid FROM interaction_fts WHERE interaction_fts MATCH 'upgrade'"
        ).fetchall()
        assert len(hit) == 1
    # Opening again does not run the step a second time.
    Store(path).close()
    assert ran == [1]


def test_a_failing_upgrade_step_leaves_the_database_at_its_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    Store(path).close()

    def _broken(conn: Connection) -> None:
        conn.exec_driver_sql("ALTER TABLE customer ADD COLUMN region VARCHAR")
        raise ValueError("step failed half way")

    nxt = migrations.LATEST + 1
    monkeypatch.setattr(migrations, "STEPS", [*migrations.STEPS, (nxt, "broken", _broken)])
    monkeypatch.setattr(migrations, "LATEST", nxt)
    with pytest.raises(ValueError):
        Store(path)
    assert _version_row(path) == str(nxt - 1)
    with sqlite3.connect(path) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(customer)")]
    assert "region" not in columns  # the half-done step was rolled back with its transaction


def test_step_9_indexes_a_rep_s_changes_newest_first(ctx: ToolContext) -> None:
    """A database at step 8 gets the (actor, id) index; then one rep's recent changes and undo's last
    batch are read from it, newest first, without sorting all of that rep's rows."""
    for n in range(3):
        create_customer(ctx, CreateCustomer(name=f"Indexed {n}"))
    run_sql(ctx.store, "DROP INDEX ix_change_log_actor_id")
    run_sql(ctx.store, "UPDATE meta SET value = '8' WHERE key = 'schema_version'")
    url = ctx.store.url
    ctx.store.close()
    upgraded = Store(url)
    try:
        assert upgraded.schema_version() == migrations.LATEST
        with upgraded.read() as s:
            names = {i["name"] for i in inspect(s.connection()).get_indexes("change_log")}
            assert "ix_change_log_actor_id" in names
            if s.connection().dialect.name == "sqlite":
                for sql in (
                    "SELECT id FROM change_log WHERE actor = 'sam' ORDER BY id DESC LIMIT 20 OFFSET 40",
                    "SELECT batch FROM change_log WHERE actor = 'sam' AND undone_at IS NULL "
                    "AND undoes IS NULL ORDER BY id DESC LIMIT 1",
                ):
                    plan = " ".join(
                        str(r[-1]) for r in s.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")
                    )
                    assert "ix_change_log_actor_id" in plan and "TEMP B-TREE" not in plan, plan
        changes = recent_changes(make_ctx(upgraded), RecentChanges(actor="sam", limit=2)).items
        assert [c.summary for c in changes] == ["create customer Indexed 2", "create customer Indexed 1"]
    finally:
        upgraded.close()


def _at_step_8(ctx: ToolContext) -> str:
    create_customer(ctx, CreateCustomer(name="Stepwise Eight"))
    run_sql(ctx.store, "DROP INDEX ix_change_log_actor_id")
    run_sql(ctx.store, "UPDATE meta SET value = '8' WHERE key = 'schema_version'")
    url = ctx.store.url
    ctx.store.close()
    return url


def test_a_store_that_cannot_add_step_9_s_index_reads_without_it(ctx: ToolContext) -> None:
    """Step 9 adds an index only: a read-only store at step 8 opens and answers (as a read-only
    file, a replica or a backup would); the next writable store adds it."""
    url = _at_step_8(ctx)
    reader = Store(url, read_only=True)
    try:
        assert reader.schema_version() == 8
        changes = recent_changes(make_ctx(reader), RecentChanges(actor="sam", limit=1)).items
        assert [c.summary for c in changes] == ["create customer Stepwise Eight"]
    finally:
        reader.close()
    writer = Store(url)
    try:
        assert writer.schema_version() == migrations.LATEST
    finally:
        writer.close()


@pytest.mark.pg_only("a role that may read but not create an index")
def test_a_role_that_may_only_read_opens_a_step_8_database(ctx: ToolContext) -> None:
    url = _at_step_8(ctx)
    role = f"viewer_{abs(hash(url)) % 10**8}"
    run_sql(url, f"CREATE ROLE {role} LOGIN")
    try:
        run_sql(url, f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        viewer = Store(url.replace("://postgres@", f"://{role}@", 1))
        try:
            assert viewer.schema_version() == 8
            changes = recent_changes(make_ctx(viewer), RecentChanges(actor="sam", limit=1)).items
            assert [c.summary for c in changes] == ["create customer Stepwise Eight"]
        finally:
            viewer.close()
    finally:
        run_sql(url, f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
        run_sql(url, f"DROP ROLE {role}")
