"""Issue #11, items 2, 5, 6 and 7: storage faults reach every surface as one plain sentence.

A busy database says to try again (MCP: safe to retry); a read-only, full or damaged one names the
file; none of them is "something went wrong … rephrase" or a traceback. Reads keep working on a
read-only folder or medium. A damaged schema record is repaired or refused in one line. The files
a CRM creates are the owner's alone.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from store import Store, migrations, postgres
from store.faults import DatabaseDamaged
from tests.conftest import NewDb, make_ctx, run_sql
from tests.conftest import db_of as db_of_store
from tests.reliability.surfaces import crm_env, mcp_calls, one_line_error, run_crm, text_of
from tools.context import ToolContext
from tools.history import recent_changes
from tools.schemas import RecentChanges

pytestmark = pytest.mark.e2e
FAST = {"CRM_BUSY_TIMEOUT_MS": "200"}  # give up on a held lock quickly: the test holds it on purpose


def db_of(ctx: ToolContext) -> Path | str:
    return db_of_store(ctx.store)  # the SQLite file, or the PostgreSQL URL


@contextmanager
def write_lock_held(db: str | Path) -> Iterator[None]:
    """Another program holding the write lock (a backup tool, a long transaction)."""
    if "://" in str(db):  # PostgreSQL: the lock every writer of the store queues on
        engine = create_engine(str(db), poolclass=NullPool)
        try:
            with engine.connect() as pg, pg.begin():
                postgres.take_write_lock(pg, 1000)
                yield
        finally:
            engine.dispose()
        return
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


# ---- busy -------------------------------------------------------------------------------------------


def test_busy_database_is_a_retryable_tool_error_over_mcp(crm: ToolContext) -> None:
    db = db_of(crm)
    with write_lock_held(db):
        results = mcp_calls(
            db,
            [
                ("log_interaction", {"customer": "Acme", "body": "called Dana"}),
                ("get_customer", {"customer": "Acme"}),
            ],
            **FAST,
        )
    busy, read = results
    assert busy.is_error
    assert "busy" in text_of(busy) and "safe to retry" in text_of(busy)
    assert not read.is_error  # reads do not need the write lock


def test_busy_database_is_one_line_on_the_command_line(crm: ToolContext) -> None:
    db = db_of(crm)
    with write_lock_held(db):
        line = one_line_error(
            run_crm("tool", "log_interaction", '{"customer": "Acme", "body": "x"}', db=db, **FAST)
        )
    assert line == "crm: The database is busy — try again in a moment (safe to retry)."


def test_busy_database_is_said_plainly_in_chat(crm: ToolContext) -> None:
    db = db_of(crm)
    with write_lock_held(db):
        out = run_crm("chat", "--json", db=db, stdin="Met Dana at Acme, they want a proposal\n", **FAST)
    assert out.returncode == 0 and "Traceback" not in out.stderr
    reply = json.loads(out.stdout.strip().splitlines()[0])["reply"]
    assert "busy" in reply and "rephras" not in reply.lower()


# ---- damaged files and schema records -------------------------------------------------------------


@pytest.mark.sqlite_only("a damaged file")
def test_a_file_that_is_not_a_database_is_named_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    db.write_bytes(b"this is a spreadsheet, not a database" * 200)
    line = one_line_error(run_crm("find", "acme", db=db))
    assert str(db) in line and "damaged" in line


def test_a_file_damaged_under_a_running_server_is_named_by_every_read(tmp_path: Path) -> None:
    """The pool opens a new connection after the file was replaced by something that is not a
    database: the prebuilt reads (store.quick_read) name it like the ORM's reads do."""
    path = tmp_path / "crm.db"
    store = Store(path)
    try:
        ctx = make_ctx(store)
        store.engine.dispose()  # no pooled connection left: the next read opens one
        path.write_bytes(b"this is not a database, it is a shopping list " * 200)
        for f in Path(tmp_path).glob("crm.db-*"):
            f.unlink()
        with pytest.raises(DatabaseDamaged, match="damaged or is not a crm database"):
            recent_changes(ctx, RecentChanges(limit=1))
    finally:
        store.close()


@pytest.mark.parametrize(
    "damage",
    [
        "DELETE FROM meta WHERE key = 'schema_version'",
        "UPDATE meta SET value = '1.0' WHERE key = 'schema_version'",
    ],
)
def test_a_lost_or_misspelt_schema_record_is_repaired(crm: ToolContext, damage: str) -> None:
    db = db_of(crm)
    crm.store.close()
    run_sql(db, damage)
    result = run_crm("find", "acme", db=db)
    assert result.returncode == 0, result.stderr
    assert "Acme Corp" in result.stdout
    version = run_sql(db, "SELECT value FROM meta WHERE key = 'schema_version'")[0][0]
    assert version == str(migrations.LATEST)


def test_an_unreadable_schema_record_with_missing_tables_is_refused_in_one_line(new_db: NewDb) -> None:
    db = new_db(template="schema")
    run_sql(db, "UPDATE meta SET value = 'banana' WHERE key = 'schema_version'")
    run_sql(db, "DROP TABLE followup CASCADE" if isinstance(db, str) else "DROP TABLE followup")
    line = one_line_error(run_crm("find", "acme", db=db))
    named = db.rsplit("/", 1)[1] if isinstance(db, str) else str(db)  # PostgreSQL: host:port/name
    assert named in line and "schema" in line and "backup" in line


# ---- read-only storage ----------------------------------------------------------------------------


def _unshare() -> str | None:
    return shutil.which("unshare")


def run_on_read_only_folder(folder: Path, *crm_args: str, db: Path) -> subprocess.CompletedProcess[str]:
    """`crm ARGS` with `folder` mounted read-only."""
    import shlex
    import sys

    from tests.reliability.surfaces import REPO, read_only_mount

    cmd = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "assistant", *crm_args])
    script = f"{read_only_mount(folder)} && cd {REPO} && {cmd}"
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], env=crm_env(db), capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def read_only_ok(tmp_path: Path) -> None:
    if _unshare() is None:
        pytest.skip("needs unshare(1) for a read-only mount")
    from tests.reliability.surfaces import read_only_mount

    probe = subprocess.run(["unshare", "-rm", "sh", "-c", read_only_mount(tmp_path)], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("user namespaces are not available here")


@pytest.mark.sqlite_only("a read-only folder")
def test_reads_work_on_a_read_only_folder_and_writes_say_so(crm: ToolContext, read_only_ok: None) -> None:
    db = db_of(crm)
    crm.store.close()  # a clean close: no -wal or -shm left beside the file
    found = run_on_read_only_folder(db.parent, "find", "acme", db=db)
    assert found.returncode == 0, found.stderr
    assert "Acme Corp" in found.stdout
    exported = run_on_read_only_folder(db.parent, "export", db=db)
    assert exported.returncode == 0, exported.stderr
    assert len(json.loads(exported.stdout)["customers"]) == 8
    write = run_on_read_only_folder(
        db.parent, "tool", "log_interaction", '{"customer": "Acme", "body": "x"}', db=db
    )
    line = one_line_error(write)
    assert str(db) in line and "read-only" in line


@pytest.mark.sqlite_only("a read-only folder")
def test_mcp_says_a_read_only_database_is_not_worth_retrying(crm: ToolContext, read_only_ok: None) -> None:
    db = db_of(crm)
    crm.store.close()
    write, read = mcp_calls(
        db,
        [("log_interaction", {"customer": "Acme", "body": "x"}), ("get_customer", {"customer": "Acme"})],
        read_only_folder=db.parent,
    )
    assert write.is_error and "read-only" in text_of(write) and "Retrying will not help" in text_of(write)
    assert not read.is_error and read.structured_content["name"] == "Acme Corp"


# ---- privacy --------------------------------------------------------------------------------------


@pytest.mark.sqlite_only("file and folder permissions")
def test_database_files_and_new_folders_are_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "a" / "b" / "crm.db"
    store = Store(db)
    try:
        with store.write() as s:  # a write creates the -wal and -shm files beside it
            from store.models import Customer

            s.add(Customer(name="Acme", name_key="acme"))
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    finally:
        store.close()
    for folder in (tmp_path / "a", tmp_path / "a" / "b"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


@pytest.mark.sqlite_only("a full disk under the file, then PRAGMA integrity_check")
def test_a_full_disk_is_one_line_naming_the_file_and_the_database_stays_sound(
    crm: ToolContext, tmp_path: Path, read_only_ok: None
) -> None:
    import sys

    from tests.reliability.surfaces import REPO

    src = db_of(crm)
    crm.store.close()
    disk = tmp_path / "small-disk"
    disk.mkdir()
    db = disk / "crm.db"
    args = json.dumps({"customer": "Acme", "body": "word " * 20_000})  # 100 KB a note: a few fill the disk
    script = (
        f"mount -t tmpfs -o size=600k tmpfs {disk} && cp {src} {db} && cd {REPO} && "
        f'for i in $(seq 1 20); do {sys.executable} -m assistant tool log_interaction "$FILL" '
        f'> /dev/null 2> {tmp_path}/err || {{ cat {tmp_path}/err; {sys.executable} -c "import sqlite3; '
        f"print(sqlite3.connect('{db}').execute('PRAGMA integrity_check').fetchone()[0])\"; exit 0; }}; done"
    )
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        env={**crm_env(db), "FILL": args},
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2, (result.stdout, result.stderr)
    assert (
        lines[0] == f"crm: The disk holding {db} is full; nothing was saved — free some space and try again."
    )
    assert lines[1] == "ok"
