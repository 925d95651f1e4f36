"""`crm copy`: a whole database into another, SQLite and PostgreSQL either way, without losing a row.

Every table is compared row for row (ids included) and the export document must be the same
(its export time aside); the copy refuses a non-empty target unless told, and is all or nothing.
PostgreSQL cases skip with a one-line reason where no PostgreSQL can run.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from store import Store
from store.copy import CopyRefused, copy_database, tables
from store.inbound_messages import claim
from tests.conftest import SAMPLE, make_ctx
from tests.e2e.crm_zygote import REAL, command
from tests.store.backends import fresh_pg_database  # noqa: F401  (the pg_url fixture)
from tools.customers import create_customer
from tools.history import undo
from tools.pipeline import set_stage
from tools.schemas import CreateCustomer, LogInteraction, SearchInteractions, SetStage
from tools.stages import set_stages
from tools.timeline import log_interaction, search_interactions
from tools.tokens import create_token, identity_for_token
from tools.transfer import export_data, import_text
from tools.users import add_user

REPO = Path(__file__).resolve().parents[2]


def fill(store: Store) -> str:
    """A book with a row in every table: the sample, reps, a token, stage history, an undone change,
    an idempotency key, a Telegram update, a custom pipeline and a note with accents. Returns the token."""
    import_text(make_ctx(store, source="import"), json.dumps(SAMPLE), kind="json", label="sample")
    add_user(store, "kim", timezone="Europe/Berlin", telegram_id=42, digest_time="07:30")
    add_user(store, "lee")
    token = create_token(store, "kim").token or ""
    kim = make_ctx(store, actor="kim", source="mcp")
    with store.write() as s:
        set_stages(s, ["lead", "qualified", "proposal", "negotiation", "won", "lost", "dormant"])
    log_interaction(
        kim, LogInteraction(customer="Acme", body="Café visit, Müller wants a quote", idempotency_key="k-1")
    )
    set_stage(kim, SetStage(customer="Globex", stage="negotiation"))
    log_interaction(kim, LogInteraction(customer="Juno", body="to be undone"))
    undo(kim)
    assert claim(store, source="telegram", key="1001")
    return token


def rows(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, by id (meta: its content rows, not the database's own counters)."""
    out: dict[str, list[dict[str, Any]]] = {}
    with store.connection() as conn:
        for table in tables():
            query = select(table).order_by(*table.primary_key.columns)
            found = [dict(r) for r in conn.execute(query).mappings()]
            if table.name == "meta":
                found = [r for r in found if r["key"] not in ("schema_version", "names_version")]
            out[table.name] = found
    return out


def exported(store: Store) -> dict[str, Any]:
    doc = export_data(make_ctx(store))
    doc.pop("exported_at", None)
    return doc


def check_same(a: Store, b: Store) -> None:
    got, want = rows(b), rows(a)
    for name in want:
        assert got[name] == want[name], name
    assert exported(b) == exported(a)


def test_sqlite_to_sqlite_copies_every_row_with_its_id(tmp_path: Path) -> None:
    source, target = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    token = fill(source)
    said: list[tuple[int, int]] = []
    result = copy_database(source, target, progress=lambda done, total: said.append((done, total)))
    assert all(result.rows[name] > 0 for name in result.rows if name != "meta"), result.rows
    assert said[-1] == (sum(result.rows.values()),) * 2 and said == sorted(said)
    assert result.rows["meta"] == 2  # the pipeline's stages and closed stages
    check_same(source, target)
    # What the copy serves: the token works, search finds the note, a new row gets the next id.
    assert (who := identity_for_token(target, token)) is not None and who.name == "kim"
    with target.connection() as conn:
        hit = conn.execute(
            text("SELECT rowid FROM interaction_fts WHERE interaction_fts MATCH 'muller'")
        ).all()
    assert len(hit) == 1
    made = create_customer(make_ctx(target), CreateCustomer(name="Fresh Start Ltd"))
    assert made.customer.id == max(r["id"] for r in rows(source)["customer"]) + 1


def test_a_target_with_data_is_refused_unless_replace_and_a_failure_keeps_nothing(tmp_path: Path) -> None:
    source, target = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    fill(source)
    import_text(make_ctx(target, source="import"), json.dumps(SAMPLE), kind="json", label="other")
    before = rows(target)
    with pytest.raises(CopyRefused, match=r"not empty \(.*8 customer.*--replace"):
        copy_database(source, target)
    assert rows(target) == before
    with pytest.raises(CopyRefused, match="same database"):
        copy_database(source, Store(tmp_path / "a.db"))
    # A row the copy cannot read (a damaged date) stops it after earlier tables were written: all undone.
    with source.connection() as conn, conn.begin():
        conn.execute(text("UPDATE followup SET due_date = 'someday' WHERE id = 1"))
    with pytest.raises(CopyRefused, match="followup table .* could not be copied"):
        copy_database(source, target, replace=True)
    assert rows(target) == before
    with source.connection() as conn, conn.begin():
        conn.execute(text("UPDATE followup SET due_date = '2026-03-06' WHERE id = 1"))
    result = copy_database(source, target, replace=True)
    assert result.replaced["customer"] == 8
    check_same(source, target)


def test_sqlite_to_postgres_and_back_gives_the_same_export(tmp_path: Path, pg_url: str) -> None:
    source = Store(tmp_path / "a.db")
    token = fill(source)
    on_pg = Store(pg_url)
    copy_database(source, on_pg)
    check_same(source, on_pg)
    back = Store(tmp_path / "back.db")
    copy_database(on_pg, back)
    check_same(source, back)
    # PostgreSQL serves the copy: its own search finds the note, its sequences continue after the
    # copied ids, the token works.
    found = search_interactions(make_ctx(on_pg), SearchInteractions(query="muller quote"))
    assert [i.body for i in found.items] == ["Café visit, Müller wants a quote"]
    made = create_customer(make_ctx(on_pg), CreateCustomer(name="Fresh Start Ltd"))
    assert made.customer.id == max(r["id"] for r in rows(source)["customer"]) + 1
    assert identity_for_token(on_pg, token) is not None
    on_pg.close()


def crm_in(db: Path, *args: str, real: bool = False) -> subprocess.CompletedProcess[str]:
    """`crm ARGS` as a subprocess with CRM_DB=db (and nothing else of this environment's CRM_*): a
    fork of a warm `crm` (tests/e2e/crm_zygote.py), or `python -m assistant` itself with `real`."""
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "CRM_DB": str(db), "CRM_USER": "sam"}
    return subprocess.run(
        [*(REAL if real else command()), *args], cwd=REPO, env=env, capture_output=True, text=True
    )


@pytest.mark.e2e  # a subprocess
def test_crm_copy_between_sqlite_files_says_what_it_copied(tmp_path: Path) -> None:
    source, target = tmp_path / "a.db", tmp_path / "b.db"
    fill(Store(source))
    done = crm_in(source, "copy", "--to", str(target), real=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"Copied {source} to {target}"
    counted = dict(line.split() for line in lines[3:])  # under the table's header and rule
    assert counted["customer"] == "8" and counted["mcp_token"] == "1" and counted["inbound_message"] == "1"
    refused = crm_in(source, "copy", "--to", str(target))
    assert refused.returncode == 1 and "--replace" in refused.stderr and "Traceback" not in refused.stderr
    replaced = crm_in(source, "copy", "--to", str(target), "--replace")
    assert replaced.returncode == 0 and "replacing" in replaced.stdout.splitlines()[0]
    nowhere = crm_in(source, "copy")
    assert nowhere.returncode == 1 and "--to URL" in nowhere.stderr
    check_same(Store(source), Store(target))


@pytest.mark.e2e  # a subprocess
def test_crm_copy_through_the_cli_both_ways(tmp_path: Path, pg_url: str) -> None:
    source = tmp_path / "a.db"
    fill(Store(source))

    def crm(*args: str) -> subprocess.CompletedProcess[str]:
        return crm_in(source, *args)

    to_pg = crm("copy", "--to", pg_url)
    assert to_pg.returncode == 0, to_pg.stderr
    assert "Copied" in to_pg.stdout and "customer" in to_pg.stdout and "8" in to_pg.stdout
    again = crm("copy", "--to", pg_url)
    assert again.returncode == 1 and "not empty" in again.stderr and "Traceback" not in again.stderr
    back = tmp_path / "back.db"
    into = crm("copy", "--from", pg_url, "--to", str(back), "--json")
    assert into.returncode == 0, into.stderr
    assert json.loads(into.stdout)["rows"]["customer"] == 8
    check_same(Store(source), Store(back))
