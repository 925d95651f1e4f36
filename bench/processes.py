"""Benchmarks through real processes: helpers for the MCP rows (bench/mcp_bench.py), and `crm import`."""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.data import NOW, customer_csv
from bench.timing import Row, Stat, measure, skipped

ROOT = Path(__file__).resolve().parent.parent
SERVER = [sys.executable, "-m", "assistant", "mcp"]


def crm_env(db: Path | str) -> dict[str, str]:
    """The environment of a `crm` process on `db` (a SQLite path or a database URL)."""
    return {
        "CRM_DB": str(db),
        "CRM_USER": "sam",
        "CRM_NOW": NOW.isoformat(),
        "CRM_TZ": "UTC",
        "PYTHONPATH": str(ROOT),
    }


def children_cpu() -> float:
    """User + system CPU seconds of this process's finished children (the servers and imports it ran)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """User + system CPU seconds a live process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of a live process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


# The floor of a tools/call round trip: a minimal python process answering one JSON-RPC line per
# request over a pipe, after the same SELECTs get_customer makes, with its rows in the reply.
_ECHO_SERVER = """
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
def answer(req, rows):
    content = [{"type": "text", "text": json.dumps(rows)}]
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": req["id"], "result": {"content": content}}) + "\\n")
    sys.stdout.flush()
for line in sys.stdin:
    req = json.loads(line)
    if req["params"]["name"] == "recent_changes":  # the small tool: the latest change-log row
        rows = c.execute("SELECT * FROM change_log ORDER BY id DESC LIMIT 2").fetchall()
        answer(req, rows)
        continue
    cid = req["params"]["arguments"]["customer"]
    rows = [c.execute("SELECT * FROM customer WHERE id = ?", (cid,)).fetchone(),
            c.execute("SELECT * FROM contact WHERE customer_id = ? ORDER BY id", (cid,)).fetchall(),
            c.execute("SELECT * FROM interaction WHERE customer_id = ? "
                      "ORDER BY occurred_at DESC, id DESC LIMIT 5", (cid,)).fetchall(),
            c.execute("SELECT count(*) FROM interaction WHERE customer_id = ?", (cid,)).fetchone(),
            c.execute("SELECT * FROM followup WHERE customer_id = ? AND status = 'open' "
                      "ORDER BY due_date, id", (cid,)).fetchall(),
            c.execute("SELECT * FROM stage_change WHERE customer_id = ? ORDER BY at, id", (cid,)).fetchall()]
    answer(req, rows)
"""


def call_floor(db: Path, ids: list[int], reps: int, tool: str = "get_customer") -> Stat:
    """Round trips to the echo process: get_customer's SELECTs by id, or recent_changes' one SELECT."""

    proc = subprocess.Popen(
        [sys.executable, "-c", _ECHO_SERVER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin and proc.stdout
    stdin, stdout = proc.stdin, proc.stdout

    def once(i: int) -> None:
        arguments = {"limit": 1} if tool == "recent_changes" else {"customer": ids[i % len(ids)]}
        request = {
            "jsonrpc": "2.0",
            "id": i,
            "method": "tools/call",
            "params": {"name": tool, "arguments": arguments},
        }
        stdin.write(json.dumps(request) + "\n")
        stdin.flush()
        json.loads(stdout.readline())

    try:
        return measure(once, reps=reps)
    finally:
        stdin.close()
        proc.wait()


def rss_floor(db: Path) -> Stat:
    script = (
        "import sqlite3, sys, rapidfuzz.process, rapidfuzz.utils\n"
        "c = sqlite3.connect(sys.argv[1])\n"
        "names = [r[0] for r in c.execute('SELECT name FROM customer')]"
        " + [r[0] for r in c.execute('SELECT name FROM contact')]\n"
        "rapidfuzz.process.extractOne('acme', names, processor=rapidfuzz.utils.default_process)\n"
        "print([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(db)], capture_output=True, text=True, check=True
    ).stdout
    mb = int(out.strip()) / 1024
    return Stat(mb, mb, 1)


def import_row(cache: Path, count: int, runs: int, log: Callable[[str], object] = print) -> Row:
    """`crm import customers.csv` into an empty database, as a subprocess, beside a plain executemany."""
    csv_path = cache / f"import-{count}.csv"
    if not csv_path.exists():
        customer_csv(csv_path, count)
    samples, floor_samples, cpu_samples = [], [], []
    for run in range(runs):
        db = cache / f"import-run-{run}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        t0, cpu0 = time.perf_counter(), children_cpu()
        proc = subprocess.run(
            [sys.executable, "-m", "assistant", "import", str(csv_path)],
            cwd=ROOT,
            env={**os.environ, **crm_env(db)},
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - t0
        cpu_samples.append(children_cpu() - cpu0)
        if proc.returncode != 0:
            return skipped(
                "import of customers from CSV (`crm import`)",
                "s",
                15 if count >= 100_000 else None,
                f"crm import failed: {proc.stderr.strip()[-300:]}",
            )
        samples.append(elapsed)
        floor_samples.append(_import_floor(cache, csv_path, run))
        for path in (db, cache / f"import-floor-{run}.db"):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    return Row(
        f"import of {count:,} customers from CSV (`crm import`, subprocess)",
        "s",
        15 if count >= 100_000 else None,
        Stat.of(samples, cpu_samples),
        Stat.of(floor_samples),
        "csv.reader + executemany of customers and contacts + COMMIT into a fresh schema",
        note=f"{runs} run(s), each into an empty database; with one contact per row",
    )


def _import_floor(cache: Path, csv_path: Path, run: int) -> float:
    import csv

    from store import Store
    from tools.names import normalize

    db = cache / f"import-floor-{run}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    Store(db).close()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("BEGIN IMMEDIATE")
    when = NOW.strftime("%Y-%m-%d %H:%M:%S.%f")
    with csv_path.open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        rows = list(reader)
    conn.executemany(
        "INSERT INTO customer (id, name, name_key, stage, owner, email, phone, tags, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            (
                k + 1,
                r[0],
                normalize(r[0]),
                r[3],
                r[4],
                r[1],
                r[2],
                '["' + '","'.join(r[5].split(";")) + '"]',
                when,
                when,
            )
            for k, r in enumerate(rows)
        ),
    )
    conn.executemany(
        "INSERT INTO contact (customer_id, name, name_key, role) VALUES (?,?,?,?)",
        ((k + 1, r[6], normalize(r[6]), r[7]) for k, r in enumerate(rows)),
    )
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - t0
