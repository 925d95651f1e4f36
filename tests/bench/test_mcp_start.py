"""`crm mcp`'s lazy start: the instructions read without the tool layer are the ones it would give.

Over stdio the server answers `initialize` before it imports SQLAlchemy (tools/mcp_server.py): the
acting rep's zone and the pipeline stages are read with plain sqlite3 (store/startup.py). These
tests hold that shortcut to the full path's answer, and show where it declines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest

from store import Store, models, startup
from tests import pgserver
from tools import users
from tools.context import open_context
from tools.mcp_server import instructions, start_instructions
from tools.stages import set_stages


def _settings(db: Path | str | None, **given: str | None) -> Namespace:
    return Namespace(
        db=None if db is None else str(db), user=given.get("user"), now=given.get("now"), tz=given.get("tz")
    )


def _full(settings: Namespace, *, read_only: bool = False) -> str:
    ctx = open_context(db=settings.db, user=settings.user, now=settings.now, tz=settings.tz)
    return instructions(ctx, read_only=read_only)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "crm.db"
    Store(path).close()
    return path


@pytest.mark.parametrize(
    "given",
    [
        {
            "user": "kim",
            "now": "2026-03-04T23:30:00",
        },  # kim is registered in Asia/Tokyo: it is Thursday there
        {"user": "sam", "tz": "America/New_York", "now": "2026-03-04T02:00:00+00:00"},
        {"user": "sam", "now": "2026-03-04T12:00:00"},
        {"user": " kim "},
    ],
)
def test_the_start_instructions_are_the_full_paths(
    db: Path, given: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CRM_TZ", raising=False)
    monkeypatch.delenv("CRM_NOW", raising=False)
    store = Store(db)
    users.add_user(store, "kim", timezone="Asia/Tokyo")
    with store.write() as s:
        set_stages(s, ["lead", "demo", "trial", "won", "lost"])
    store.close()
    for read_only in (False, True):
        quick = start_instructions(_settings(db, **given), read_only=read_only)
        assert quick is not None
        assert quick == _full(_settings(db, **given), read_only=read_only)
    assert "lead, demo, trial, won, lost" in quick


def test_the_environment_is_read_as_the_cli_reads_it(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_DB", str(db))
    monkeypatch.setenv("CRM_USER", "ana")
    monkeypatch.setenv("CRM_TZ", "Europe/Berlin")
    monkeypatch.setenv("CRM_NOW", "2026-03-04T23:30:00+00:00")
    quick = start_instructions(_settings(None))
    assert quick is not None and quick == _full(_settings(None))
    assert "Acting user: ana" in quick and "Europe/Berlin" in quick and "Thursday 2026-03-05" in quick


@pytest.mark.parametrize(
    ("where", "given"),
    [
        ("missing", {}),  # not made yet: the store creates it
        ("url", {}),
        ("file", {"tz": "Mars/Olympus"}),  # the full path says what is wrong
        ("file", {"now": "next tuesday"}),
    ],
)
def test_anything_unusual_is_left_to_the_full_path(
    db: Path, where: str, given: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CRM_TZ", raising=False)
    monkeypatch.delenv("CRM_NOW", raising=False)
    target = {"missing": db.with_name("new.db"), "url": "mysql://nowhere/crm", "file": db}[where]
    assert start_instructions(_settings(target, user="sam", **given)) is None


def test_on_postgresql_the_start_instructions_are_the_full_paths_too(monkeypatch: pytest.MonkeyPatch) -> None:
    reason = pgserver.available()
    if reason:
        pytest.skip(reason)
    monkeypatch.delenv("CRM_TZ", raising=False)
    server = pgserver.shared()
    name, url = server.fresh_database("crm_start")
    try:
        store = Store(url)
        users.add_user(store, "kim", timezone="Asia/Tokyo")
        with store.write() as s:
            set_stages(s, ["lead", "demo", "won", "lost"])
        store.close()
        given = _settings(url, user="kim", now="2026-03-04T23:30:00")
        quick = start_instructions(given)
        assert quick is not None and quick == _full(given)
        assert "Asia/Tokyo" in quick and "lead, demo, won, lost" in quick
    finally:
        server.drop_database(name)


def test_a_file_that_is_not_a_crm_database_is_left_to_the_full_path(tmp_path: Path) -> None:
    stray = tmp_path / "notes.db"
    stray.write_bytes(b"not a database at all")
    assert startup.start_facts(stray, "sam") is None


def test_the_default_stages_are_the_models(db: Path) -> None:
    assert startup.DEFAULT_STAGES == models.DEFAULT_STAGES
    facts = startup.start_facts(db, "nobody")
    assert facts == startup.StartFacts(timezone=None, stages=list(models.DEFAULT_STAGES))


@pytest.mark.e2e  # a subprocess
def test_crm_mcp_answers_initialize_before_it_imports_sqlalchemy(db: Path) -> None:
    """The figure the SPEC's start ratio rests on: nothing of the tool layer before the first answer."""
    request = {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    env = {**os.environ, "CRM_DB": str(db), "CRM_USER": "sam"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "assistant", "mcp"],
        input=json.dumps(request) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    answer = json.loads(done.stdout.splitlines()[0])
    assert "Acting user: sam" in answer["result"]["instructions"]
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "mcp.server" in imported
    assert not {m for m in imported if m.split(".")[0] in ("sqlalchemy", "sqlmodel", "rapidfuzz")}
    assert "tools.registry" not in imported and "store.db" not in imported
