"""Benchmarks through real processes: the MCP server over stdio (SDK client), and `crm import`."""
from __future__ import annotations

import importlib.util
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench.data import NOW, customer_csv
from bench.timing import Row, Stat, measure, skipped

ROOT = Path(__file__).resolve().parent.parent
SERVER = [sys.executable, "-m", "assistant", "mcp"]


def crm_env(db: Path) -> dict[str, str]:
    return {"CRM_DB": str(db), "CRM_USER": "sam", "CRM_NOW": NOW.isoformat(), "CRM_TZ": "UTC",
            "PYTHONPATH": str(ROOT)}


def rss_mb(pid: int) -> float:
    """Resident memory of a live process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def _children_running(marker: str) -> list[int]:
    """Our direct child processes whose command line contains `marker` (the stdio client hides the pid)."""
    mine = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if ppid == mine and marker in cmd:
            found.append(int(entry.name))
    return found


def mcp_rows(db: Path, ids: list[int], typo_queries: list[str], reps: int, starts: int, log=print) -> list[Row]:  # type: ignore[no-untyped-def]
    """`crm mcp` start to answered initialize; a tools/call round trip; the server's RSS."""
    start_floor = _start_floor(db, starts)
    call_floor = _get_by_id_floor(db, ids, reps)
    rss_floor = _rss_floor(db)
    labels = ("MCP `tools/call` round trip over stdio (`get_customer` by id)",
              "`crm mcp` start to answered `initialize`",
              "resident memory of the MCP server (after calls)")
    floors = (
        (call_floor, "the same SELECTs in-process (no server, no JSON-RPC)"),
        (start_floor, "python starts, opens sqlite3, answers one JSON line on stdin"),
        (rss_floor, "python + sqlite3 + rapidfuzz holding every customer and contact name"),
    )
    if importlib.util.find_spec("tools.mcp_server") is None:
        why = "tools/mcp_server.py does not exist yet"
        return [skipped(label, unit, target, why, f, w)
                for label, unit, target, (f, w) in zip(labels, ("ms", "ms", "MB"), (3, 1000, 250), floors)]
    import anyio

    try:
        started, call, rss = anyio.run(_mcp_session, db, ids, typo_queries, reps, starts)
    except Exception as e:  # the server is new; a failure is a finding to report, not a lost run
        why = f"the MCP session failed: {type(e).__name__}: {e}"
        log(f"  {why}")
        return [skipped(label, unit, target, why, f, w)
                for label, unit, target, (f, w) in zip(labels, ("ms", "ms", "MB"), (3, 1000, 250), floors)]
    return [
        Row(labels[0], "ms", 3, call, floors[0][0], floors[0][1]),
        Row(labels[1], "ms", 1000, started, floors[1][0], floors[1][1], note=f"{starts} fresh processes"),
        Row(labels[2], "MB", 250, Stat(rss, rss, 1), floors[2][0], floors[2][1],
            note="VmRSS after find_customers, search_interactions and get_customer calls"),
    ]


async def _mcp_session(db: Path, ids: list[int], typo_queries: list[str], reps: int, starts: int) -> tuple[Stat, Stat, float]:
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=SERVER[0], args=SERVER[1:], env=crm_env(db), cwd=str(ROOT))
    devnull = open(os.devnull, "w")  # noqa: SIM115  (the server's log lines are not the benchmark's)
    start_samples: list[float] = []
    call_stat = Stat(0, 0, 0)
    rss = 0.0
    try:
        for attempt in range(starts):
            t0 = time.perf_counter()
            async with stdio_client(params, errlog=devnull) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                start_samples.append((time.perf_counter() - t0) * 1000)
                if attempt:
                    continue
                samples: list[float] = []
                for i in range(reps + 5):
                    t1 = time.perf_counter()
                    result = await session.call_tool("get_customer", {"customer": ids[i % len(ids)]})
                    if i >= 5:
                        samples.append((time.perf_counter() - t1) * 1000)
                    if result.is_error:
                        raise RuntimeError(f"get_customer failed over MCP: {result.content}")
                call_stat = Stat.of(samples)
                for query in typo_queries[:20]:
                    await session.call_tool("find_customers", {"query": query})
                for words in ("pricing", "escrow", "warehouse automation"):
                    await session.call_tool("search_interactions", {"query": words})
                pids = _children_running("assistant")
                rss = max((rss_mb(p) for p in pids), default=0.0)
    finally:
        devnull.close()
    return Stat.of(start_samples), call_stat, rss


def _start_floor(db: Path, starts: int) -> Stat:
    script = ("import sqlite3, sys, json; c = sqlite3.connect(sys.argv[1]); c.execute('select 1').fetchone(); "
              "sys.stdin.readline(); print(json.dumps({'jsonrpc': '2.0', 'id': 1, 'result': {}}), flush=True)")

    def once(_i: int) -> None:
        proc = subprocess.Popen([sys.executable, "-c", script, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
        assert proc.stdin and proc.stdout
        proc.stdin.write('{"jsonrpc": "2.0", "id": 1, "method": "initialize"}\n')
        proc.stdin.flush()
        proc.stdout.readline()
        proc.stdin.close()
        proc.wait()

    return measure(once, reps=starts, warmup=1)


def _get_by_id_floor(db: Path, ids: list[int], reps: int) -> Stat:
    conn = sqlite3.connect(db)

    def once(i: int) -> None:
        cid = ids[i % len(ids)]
        conn.execute("SELECT * FROM customer WHERE id = ?", (cid,)).fetchone()
        conn.execute("SELECT * FROM contact WHERE customer_id = ? ORDER BY id", (cid,)).fetchall()
        conn.execute("SELECT * FROM interaction WHERE customer_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 5",
                     (cid,)).fetchall()
        conn.execute("SELECT count(*) FROM interaction WHERE customer_id = ?", (cid,)).fetchone()
        conn.execute("SELECT * FROM followup WHERE customer_id = ? AND status = 'open' ORDER BY due_date, id",
                     (cid,)).fetchall()
        conn.execute("SELECT * FROM stage_change WHERE customer_id = ? ORDER BY at, id", (cid,)).fetchall()

    try:
        return measure(once, reps=reps)
    finally:
        conn.close()


def _rss_floor(db: Path) -> Stat:
    script = (
        "import sqlite3, sys, rapidfuzz.process, rapidfuzz.utils\n"
        "c = sqlite3.connect(sys.argv[1])\n"
        "names = [r[0] for r in c.execute('SELECT name FROM customer')]"
        " + [r[0] for r in c.execute('SELECT name FROM contact')]\n"
        "rapidfuzz.process.extractOne('acme', names, processor=rapidfuzz.utils.default_process)\n"
        "print([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1])\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(db)], capture_output=True, text=True, check=True).stdout
    mb = int(out.strip()) / 1024
    return Stat(mb, mb, 1)


def import_row(cache: Path, count: int, runs: int, log=print) -> Row:  # type: ignore[no-untyped-def]
    """`crm import customers.csv` into an empty database, as a subprocess, beside a plain executemany."""
    csv_path = cache / f"import-{count}.csv"
    if not csv_path.exists():
        customer_csv(csv_path, count)
    samples, floor_samples = [], []
    for run in range(runs):
        db = cache / f"import-run-{run}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "assistant", "import", str(csv_path)], cwd=ROOT,
                              env={**os.environ, **crm_env(db)}, capture_output=True, text=True)
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            return skipped("import of customers from CSV (`crm import`)", "s", 15 if count >= 100_000 else None,
                           f"crm import failed: {proc.stderr.strip()[-300:]}")
        samples.append(elapsed)
        floor_samples.append(_import_floor(cache, csv_path, run))
        for path in (db, cache / f"import-floor-{run}.db"):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    return Row(f"import of {count:,} customers from CSV (`crm import`, subprocess)", "s",
               15 if count >= 100_000 else None, Stat.of(samples), Stat.of(floor_samples),
               "csv.reader + executemany of customers and contacts + COMMIT into a fresh schema",
               note=f"{runs} run(s), each into an empty database; with one contact per row")


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
        ((k + 1, r[0], normalize(r[0]), r[3], r[4], r[1], r[2], '["' + '","'.join(r[5].split(";")) + '"]', when, when)
         for k, r in enumerate(rows)),
    )
    conn.executemany("INSERT INTO contact (customer_id, name, name_key, role) VALUES (?,?,?,?)",
                     ((k + 1, r[6], normalize(r[6]), r[7]) for k, r in enumerate(rows)))
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - t0



