"""Issue #11, item 1, and crashes: writers from other processes keep working while a big import runs,
and `kill -9` at any moment leaves a sound database with every acknowledged write in it.

No timing is asserted, and no moment is guessed where it can be observed: the kill points and the
"mid-import" writes are read off the database itself (the customers written so far and the
pending-import marker of store/bulk.py). The import writes in short transactions of about
store/bulk.CHUNK_ROWS rows (customers plus contacts); the file here (`ROWS` customers, one contact
each) is four of them, so there is a "first chunk in" and a "half written" with more to come. The
old import held the write lock for its whole run; now another writer gets in between the chunks,
which is checked directly: some of its writes are acknowledged while the import's marker is in the
database. A `kill -9` part-way through leaves that marker; the next open of the database removes
what the dead import wrote. The one whole import per run (after the kills) is the one the writer
writes beside, so the file is imported whole once, not twice.

Every process here is a real `python -m assistant` / `python -c` (no warm fork): the point is what
a killed process leaves behind.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from store import Store, bulk
from store.db import database_url
from tests.conftest import count_rows, db_of, run_sql
from tests.reliability.surfaces import REPO, crm_env, integrity
from tools.context import ToolContext

pytestmark = pytest.mark.e2e
ROWS = 2 * bulk.CHUNK_ROWS  # customers with a contact each: 2 rows apiece, so four write transactions
PENDING = bulk.MARKER_PREFIX + "%"

# A rep's writes from another process, through the tool layer, printing each acknowledged id and 1
# when an import was part-way (its marker in the database) both before and after that write, else 0.
WRITER = """
import sys, time
import store.db
store.db.BUSY_TIMEOUT_MS = int(sys.argv[4])  # how long this writer queues for the lock before "busy"
from store import Store
from sqlalchemy import create_engine, text
from store.db import database_url
from tests.conftest import make_ctx
from tools.errors import USER_ERRORS
from tools.schemas import LogInteraction
from tools.timeline import log_interaction
ctx = make_ctx(Store(sys.argv[1]), actor=sys.argv[2], source="mcp")
stop = sys.argv[3]
probe = create_engine(database_url(sys.argv[1])).connect()  # one connection for the marker checks
def marked():
    try:
        found = probe.execute(text("SELECT count(*) FROM meta WHERE key LIKE :p"), {"p": sys.argv[5]})
        return found.scalar_one()
    finally:
        probe.rollback()
n = 0
while True:
    n += 1
    if n % 10 == 0:  # a process opening the database mid-import must not take the import for a crashed one
        Store(sys.argv[1]).close()
    before = marked()
    try:
        done = log_interaction(ctx, LogInteraction(customer="Acme Corp", body=f"{sys.argv[2]} note {n}"))
        print("ok", done.interaction.id, int(before + marked() == 2), flush=True)
    except USER_ERRORS as e:
        print("refused", e, flush=True)
    try:
        open(stop).close()
        break
    except FileNotFoundError:
        time.sleep(0.02)
"""


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One generated file for the module (`ROWS` new customers, each with a contact)."""
    path = tmp_path_factory.mktemp("import") / "big.csv"
    lines = ["name,email,stage,owner,tags,contact,contact_role"]
    lines += [
        f"Loadco {i:06d} Ltd,info{i}@loadco{i}.example,lead,kim,eu;bulk,Person {i} Doe,CTO"
        for i in range(ROWS)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def start_writer(db: str | Path, actor: str, stop: Path, busy_ms: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), actor, str(stop), str(busy_ms), PENDING],
        cwd=REPO,
        env=crm_env(db),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def lines_of(process: subprocess.Popen[str], n: int, timeout: float = 120) -> list[str]:
    """The process's next `n` lines of output (fewer if it stops writing for `timeout` seconds)."""
    assert process.stdout is not None
    out: list[str] = []
    while len(out) < n:
        ready, _, _ = select.select([process.stdout], [], [], timeout)
        line = process.stdout.readline() if ready else ""
        if not line:
            break
        out.append(line)
    return out


def start_import(db: str | Path, csv_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "import", "--json", str(csv_path)],
        cwd=REPO,
        env=crm_env(db, CRM_USER="kim"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def count(db: str | Path, table: str) -> int:
    return count_rows(db, (table,))[table]


def pending(db: str | Path) -> int:
    """Pending-import markers (store/bulk.py) in the database."""
    return int(run_sql(db, "SELECT count(*) FROM meta WHERE key LIKE :p", p=PENDING)[0][0])


def sound(db: str | Path) -> bool:
    """SQLite's own check of the file; a PostgreSQL server's data is not the client's to damage."""
    return not isinstance(db, Path) or integrity(db) == "ok"


def import_beside_a_writer(db: str | Path, big_csv: Path, stop: Path) -> None:
    """Another writer keeps writing while the import of `big_csv` runs: the import succeeds whole,
    and none of the writer's writes is refused or lost, some going in between the import's chunks."""
    before = count_rows(db, ("customer", "contact"))
    writer = start_writer(db, "sam", stop, busy_ms=2000)
    first = lines_of(writer, 1)  # the writer is writing before the import starts (its start-up is slow)
    importer = start_import(db, big_csv)
    out, err = importer.communicate(timeout=600)
    stop.touch()
    written, writer_err = writer.communicate(timeout=60)
    assert importer.returncode == 0, err
    assert json.loads(out)["customers_created"] == ROWS
    lines = first + written.splitlines()
    # No write failed (none "refused" busy) and none was lost.
    assert lines and not [line for line in lines if not line.startswith("ok ")], (
        lines[:5],
        writer_err[-500:],
    )
    assert "locked" not in writer_err and "Traceback" not in writer_err
    acknowledged = {int(line.split()[1]) for line in lines}
    assert acknowledged <= {r[0] for r in run_sql(db, "SELECT id FROM interaction")}
    # ... and it did not merely wait for the end: writes went in between the import's chunks.
    mid_import = [line for line in lines if line.split()[2] == "1"]
    assert mid_import, f"no write was acknowledged while the import's chunks were in: {lines}"
    assert (count(db, "customer"), count(db, "contact")) == (
        before["customer"] + ROWS,
        before["contact"] + ROWS,
    )
    assert pending(db) == 0
    assert sound(db)


def kill_when(importer: subprocess.Popen[str], db: str | Path, seen: Callable[[int], bool]) -> int:
    """kill -9 the importer once the number of customers satisfies `seen` (or it ends); that number.

    One connection polls (each count its own short read transaction): a new connection per poll
    would cost a PostgreSQL server a backend process every few milliseconds, beside the import.
    """
    engine = create_engine(database_url(db))
    try:
        with engine.connect() as conn:
            while importer.poll() is None:
                now = int(conn.execute(text("SELECT count(*) FROM customer")).scalar_one())
                conn.rollback()
                if seen(now):
                    importer.send_signal(signal.SIGKILL)
                    importer.communicate(timeout=60)
                    return now
                time.sleep(0.01)
    finally:
        engine.dispose()
    importer.communicate(timeout=60)
    return count(db, "customer")


def test_kill_9_during_an_import_leaves_all_or_nothing_and_a_writer_beside_the_next_one_keeps_writing(
    crm: ToolContext, tmp_path: Path, big_csv: Path
) -> None:
    db = db_of(crm.store)
    crm.store.close()
    base = count(db, "customer")
    rows = ROWS
    # Before any chunk (while it starts and reads the file); once its first chunk is in; when half is
    # written (two of four chunks, two still to come).
    points: list[tuple[str, Callable[[int], bool] | None]] = [
        ("reading", None),
        ("first chunk in", lambda n: n > base),
        ("half", lambda n: n >= base + rows // 2),
    ]
    for point, seen in points:
        importer = start_import(db, big_csv)
        if seen is None:
            time.sleep(0.5)
            importer.send_signal(signal.SIGKILL)
            importer.communicate(timeout=60)
            at = count(db, "customer")
        else:
            at = kill_when(importer, db, seen)
        assert at < base + rows, f"the import finished before the kill point {point!r}; use more rows"
        if seen is not None:
            assert at > base, point  # the kill came after a chunk's commit, as meant
        assert sound(db), point
        if at > base:
            assert pending(db) == 1, point  # the dead import's marker
        Store(db).close()  # the next open of the database removes what it wrote
        assert sound(db), point
        assert (count(db, "customer"), pending(db)) == (base, 0), (point, at)
        orphans = run_sql(
            db, "SELECT count(*) FROM contact WHERE customer_id NOT IN (SELECT id FROM customer)"
        )
        assert orphans[0][0] == 0, point
        logged = run_sql(db, "SELECT count(*) FROM change_log WHERE summary = 'import big.csv'")
        assert logged[0][0] == 0, point
    # And a new import of the file succeeds whole, with another writer writing all through it (the
    # writer part of issue #11, item 1; done here so the file is imported whole once per test run).
    import_beside_a_writer(db, big_csv, tmp_path / "stop")
    assert (count(db, "customer"), pending(db)) == (base + rows, 0)


def test_kill_9_during_writes_keeps_every_acknowledged_write(crm: ToolContext, tmp_path: Path) -> None:
    db = db_of(crm.store)
    crm.store.close()
    stop = tmp_path / "never"
    writers = [start_writer(db, actor, stop, busy_ms=30_000) for actor in ("sam", "kim")]
    # Kill them mid-stream: once each has acknowledged a few writes (start-up alone can take seconds
    # on a loaded machine), so both are writing, with more in flight, when the signal lands.
    first = [lines_of(w, 5) for w in writers]
    for w in writers:
        os.kill(w.pid, signal.SIGKILL)
    acknowledged = []
    for w, seen in zip(writers, first, strict=True):
        out, _err = w.communicate(timeout=60)
        acknowledged += [int(x.split()[1]) for x in [*seen, *out.splitlines()] if x.startswith("ok ")]
    assert acknowledged, "the writers wrote nothing before the kill"
    assert sound(db)
    present = {r[0] for r in run_sql(db, "SELECT id FROM interaction")}
    if isinstance(db, Path):
        with sqlite3.connect(db) as conn:
            fts = conn.execute("INSERT INTO interaction_fts(interaction_fts) VALUES ('integrity-check')")
            assert fts is not None  # the full-text index agrees with the table (raises if not)
    assert set(acknowledged) <= present
