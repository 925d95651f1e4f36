"""The `crm` command as a user runs it: a subprocess, real files, exit codes, stdout and stderr.

Subprocesses cost a few hundred milliseconds each, so each test makes the few calls its point needs.
Most run as a fork of a warm `crm` (tests/e2e/crm_zygote.py: no import cost, otherwise a real
process); `real=True` starts `python -m assistant` itself, at least once per command family.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from pathlib import Path

import pytest

from assistant.cli import build_parser
from tests.conftest import NewDb, count_rows, run_sql
from tests.conftest import db_of as db_of_store
from tests.e2e.crm_zygote import REAL, command
from tools.context import ToolContext

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
SEED = REPO / "tests" / "acceptance" / "sample_seed.json"
NOW = "2026-03-04T14:00:00+00:00"


def db_of(ctx: ToolContext) -> Path | str:
    return db_of_store(ctx.store)  # the SQLite file, or the PostgreSQL URL


def run_crm(
    *args: str,
    db: str | Path | None = None,
    user: str = "sam",
    env: dict[str, str] | None = None,
    real: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run `crm ARGS` (a warm fork, or `python -m assistant` with `real`); settings come from CRM_*
    variables unless `env` replaces them."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    if env is None:
        env = {"CRM_USER": user, "CRM_NOW": NOW, "CRM_TZ": "UTC"}
        if db is not None:
            env["CRM_DB"] = str(db)
    return subprocess.run(
        [*(REAL if real else command()), *args],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """A user mistake: exit 1, exactly one line on stderr, no traceback."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("crm: ")
    return lines[0]


def rows(db: str | Path) -> dict[str, int]:
    return count_rows(db, ("customer", "contact", "interaction", "followup", "change_log", "user"))


# ---- demo, import, export -----------------------------------------------------------------------------


def test_demo_fills_an_empty_database_once(new_db: NewDb) -> None:
    db = new_db("demo.db")
    assert "Added 20 demo customers" in ok(run_crm("demo", db=db, real=True))
    assert "already has 20 customers" in ok(run_crm("demo", db=db))
    assert rows(db)["customer"] == 20


def test_import_the_seed_then_export_gives_it_all_back(new_db: NewDb, tmp_path: Path) -> None:
    db, out = new_db("seed.db"), tmp_path / "export.json"
    said = ok(run_crm("import", str(SEED), db=db, real=True))
    assert "Imported 12 new" in said
    ok(run_crm("export", "-o", str(out), db=db))
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == "crm-export"
    got = {c["name"]: c for c in doc["customers"]}
    assert sorted(got) == sorted(c["name"] for c in seed["customers"])
    for c in seed["customers"]:
        mine = got[c["name"]]
        assert [x["name"] for x in mine["contacts"]] == [x["name"] for x in c.get("contacts", [])]
        assert sorted(i["body"] for i in mine["interactions"]) == sorted(
            i["body"] for i in c.get("interactions", [])
        )
        assert sorted(f["due"] for f in mine["followups"]) == sorted(f["due"] for f in c.get("followups", []))


@pytest.mark.parametrize(("file", "says"), [("bad_rows.csv", "line 3"), ("broken.csv", "line 3")])
def test_a_bad_import_is_one_line_and_changes_nothing(crm_db: Path, file: str, says: str) -> None:
    before = rows(crm_db)
    line = refused(run_crm("import", str(FIXTURES / file), db=crm_db))
    assert "Nothing imported" in line and says in line
    assert rows(crm_db) == before


def test_export_json_to_stdout_and_csv(crm_db: Path) -> None:
    doc = json.loads(ok(run_crm("export", db=crm_db)))
    assert len(doc["customers"]) == 8 and doc["customers"][0]["name"] == "Acme Corp"
    csv_text = ok(run_crm("export", "--format", "csv", db=crm_db))
    lines = csv_text.splitlines()
    assert lines[0].split(",")[:7] == ["name", "email", "phone", "stage", "owner", "tags", "value"]
    assert len(lines) == 1 + 8
    assert any(line.startswith("Café Müller,") for line in lines)


# ---- reads --------------------------------------------------------------------------------------------


def test_find_as_a_table_and_as_json(crm_db: Path) -> None:
    table = ok(run_crm("find", "Globx", db=crm_db))
    assert table.splitlines()[0].split() == ["id", "name", "stage", "owner", "tags", "last", "contact"]
    assert "Globex Corporation" in table and "proposal" in table
    data = json.loads(ok(run_crm("find", "brightline", "--json", db=crm_db)))
    assert [c["name"] for c in data["items"]] == ["Brightline Media", "Brightline Motors"]
    assert data["has_more"] is False


def test_customer_profile_and_name_mistakes(crm_db: Path) -> None:
    text = ok(run_crm("customer", "acme", "corp", db=crm_db))
    assert text.startswith("Acme Corp (#") and "Dana Whitfield (CTO)" in text and "send pricing" in text
    data = json.loads(ok(run_crm("customer", "--json", "cafe muller", db=crm_db)))
    assert data["name"] == "Café Müller" and data["contacts"][0]["name"] == "Jonas Müller"
    line = refused(run_crm("customer", "brightline", db=crm_db))
    assert "Brightline Media" in line and "Brightline Motors" in line


def test_due_flags_overdue_and_filters_to_mine(crm_db: Path) -> None:
    text = ok(run_crm("due", db=crm_db))
    lines = text.splitlines()[2:]  # under the header and its rule
    assert len(lines) == 2
    assert "overdue" in lines[0] and "Globex Corporation" in lines[0]
    assert "Acme Corp" in lines[1] and "overdue" not in lines[1]
    mine = json.loads(ok(run_crm("due", "--mine", "--json", db=crm_db)))
    assert [(f["customer_name"], f["overdue"]) for f in mine["items"]] == [("Acme Corp", False)]


def test_pipeline_table_and_json(crm_db: Path) -> None:
    table = ok(run_crm("pipeline", db=crm_db))
    assert [line.split()[:3] for line in table.splitlines()[2:4]] == [
        ["lead", "3", "0"],
        ["qualified", "3", "48,000"],
    ]
    data = json.loads(ok(run_crm("pipeline", "--json", "--owner", "kim", db=crm_db)))
    assert data["total_count"] == 2 and data["open_value"] == 120000


def test_stale_and_search(crm_db: Path) -> None:
    assert "Evergreen Landscaping" in ok(run_crm("stale", "--days", "30", db=crm_db))
    found = json.loads(ok(run_crm("search", "budget", "--json", db=crm_db)))
    assert {i["customer_name"] for i in found["items"]} == {"Acme Corp", "Evergreen Landscaping"}


def test_tool_log_then_changes_then_undo(crm_db: Path) -> None:
    logged = json.loads(
        ok(
            run_crm(
                "tool",
                "log_interaction",
                '{"customer": "Juno", "body": "Asked for kibble pricing", "kind": "call"}',
                db=crm_db,
                real=True,
            )
        )
    )
    assert logged["interaction"]["customer_name"] == "Juno Pet Supplies"
    changes = ok(run_crm("changes", db=crm_db))
    assert "log call on Juno Pet Supplies" in changes.splitlines()[2]
    assert "Undone: log call on Juno Pet Supplies" in ok(run_crm("undo", db=crm_db))
    assert ok(run_crm("search", "kibble", db=crm_db)).strip() == "No matching notes."
    log = json.loads(ok(run_crm("changes", "--json", "--limit", "2", db=crm_db)))["items"]
    assert log[0]["summary"] == "undo: log call on Juno Pet Supplies" and log[0]["op"] == "delete"
    assert log[1]["op"] == "create" and log[1]["undone"] is True
    kim_says = refused(run_crm("undo", db=crm_db, user="kim"))
    assert "nothing" in kim_says


def test_tool_mistakes_are_one_line(crm_db: Path) -> None:
    assert "find_customers" in refused(run_crm("tool", "nope", db=crm_db))
    line = refused(run_crm("tool", "set_stage", '{"customer": "Acme", "stage": "sleeping"}', db=crm_db))
    assert "lead, qualified, proposal, negotiation, won, lost" in line
    assert "body" in refused(
        run_crm("tool", "log_interaction", '{"customer": "Acme", "body": ""}', db=crm_db)
    )


# ---- users --------------------------------------------------------------------------------------------


def test_users_add_list_remove(new_db: NewDb) -> None:
    db = new_db("users.db")
    assert "Europe/Berlin" in ok(
        run_crm("users", "add", "kim", "--tz", "Europe/Berlin", "--telegram-id", "42", db=db, real=True)
    )
    listed = json.loads(ok(run_crm("users", "list", "--json", db=db)))
    assert listed == [{"name": "kim", "timezone": "Europe/Berlin", "telegram_id": 42, "digest_time": "08:00"}]
    assert "Unknown timezone" in refused(run_crm("users", "add", "lee", "--tz", "Mars/Olympus", db=db))
    ok(run_crm("users", "remove", "kim", db=db))
    assert "No users registered" in ok(run_crm("users", "list", db=db))


# ---- global settings ----------------------------------------------------------------------------------


def test_global_options_before_or_after_the_command_without_env(crm_db: Path) -> None:
    flags = ["--db", str(crm_db), "--user", "kim", "--now", "2026-03-04T14:00:00", "--tz", "UTC"]
    before = json.loads(ok(run_crm(*flags, "due", "--mine", "--json", env={})))
    after = json.loads(ok(run_crm("due", "--mine", "--json", *flags, env={})))
    assert before == after
    assert [f["customer_name"] for f in before["items"]] == ["Globex Corporation"]  # kim's


def test_env_settings_and_a_users_zone(crm_db: Path) -> None:
    # 14:00 UTC on Wednesday is already Thursday 03:00 in Auckland, kim's registered zone (it beats
    # CRM_TZ): her "tomorrow" is Friday.
    ok(run_crm("users", "add", "kim", "--tz", "Pacific/Auckland", db=crm_db))
    env = {"CRM_DB": str(crm_db), "CRM_USER": "kim", "CRM_NOW": NOW, "CRM_TZ": "America/New_York"}
    data = json.loads(
        ok(run_crm("tool", "schedule_followup", '{"customer": "Acme", "due": "tomorrow"}', env=env))
    )
    assert data["followup"]["due"] == "2026-03-06" and data["followup"]["owner"] == "kim"


# ---- things that must not crash -----------------------------------------------------------------------


def test_a_database_from_a_newer_release_is_one_clear_line(new_db: NewDb) -> None:
    db = new_db("future.db", template="schema")
    run_sql(db, "UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    line = refused(run_crm("find", "acme", db=db, real=True))
    assert "newer" in line and "upgrade crm-assistant" in line


def test_an_unusable_output_path_is_one_clear_line(crm_db: Path, tmp_path: Path) -> None:
    line = refused(run_crm("export", "-o", str(tmp_path / "no" / "such" / "dir" / "x.json"), db=crm_db))
    assert "No such file or directory" in line


def test_every_command_has_help_text() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in sub._choices_actions}
    assert {
        "chat",
        "mcp",
        "telegram",
        "import",
        "export",
        "demo",
        "users",
        "find",
        "customer",
        "due",
        "pipeline",
        "stale",
        "search",
        "changes",
        "undo",
        "tool",
    } <= set(helps)
    assert all(h and len(h) > 10 for h in helps.values()), helps


# ---- fixtures -----------------------------------------------------------------------------------------


@pytest.fixture
def crm_db(crm: ToolContext) -> Path:
    """The conftest sample book's database file."""
    return db_of(crm)
