"""Benchmarks through real processes: the MCP server over stdio (SDK client), and `crm import`."""
from __future__ import annotations

import importlib.util
import json
import os
import resource
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
    """`crm mcp` start to answered initialize; tools/call round trips (a small tool and get_customer, through
    the SDK's client, and get_customer as raw JSON-RPC lines); the server's RSS after warm calls."""
    start_floor = _start_floor(db, starts)
    call_floor = _call_floor(db, ids, reps)
    small_floor = _call_floor(db, ids, reps, "recent_changes")
    rss_floor = _rss_floor(db)
    labels = ("MCP `tools/call` round trip over stdio (`get_customer` by id)",
              "`crm mcp` start to answered `initialize`",
              "resident memory of the MCP server (after calls)")
    floors = (
        (call_floor, "a minimal python process answering JSON-RPC lines over a pipe after the same 6 SELECTs"),
        (start_floor, "python starts, opens sqlite3, answers one JSON line on stdin"),
        (rss_floor, "python + sqlite3 + rapidfuzz holding every customer and contact name"),
    )
    if importlib.util.find_spec("tools.mcp_server") is None:
        why = "tools/mcp_server.py does not exist yet"
        return [skipped(label, unit, target, why, f, w)
                for label, unit, target, (f, w) in zip(labels, ("ms", "ms", "MB"), (3, 1000, 250), floors)]
    import anyio

    try:
        started, small, call, rss = anyio.run(_mcp_session, db, ids, typo_queries, reps, starts)
    except Exception as e:  # the server is new; a failure is a finding to report, not a lost run
        why = f"the MCP session failed: {type(e).__name__}: {e}"
        log(f"  {why}")
        return [skipped(label, unit, target, why, f, w)
                for label, unit, target, (f, w) in zip(labels, ("ms", "ms", "MB"), (3, 1000, 250), floors)]
    raw = _raw_client_calls(db, ids, reps)
    return [
        Row("MCP `tools/call` round trip over stdio (small tool: `recent_changes`, limit 1)", "ms", 3, small,
            small_floor, "the echo process after SELECT of the latest change-log rows",
            note="the MCP SDK's ClientSession over stdio_client; CPU: server + client per call (mean)"),
        Row(labels[0], "ms", None, call, floors[0][0], floors[0][1],
            note="the MCP SDK's ClientSession over stdio_client; CPU: server + client per call (mean)"),
        Row("  … the same, written as raw JSON-RPC lines to `crm mcp` (server's share)", "ms", None, raw,
            floors[0][0], floors[0][1], note="CPU: the server's own per call (mean over the run, from /proc)"),
        Row(labels[1], "ms", 1000, started, floors[1][0], floors[1][1],
            note=f"{starts} fresh processes; CPU is the server's own, exec to exit"),
        Row(labels[2], "MB", 250, Stat(rss, rss, 1), floors[2][0], floors[2][1],
            note="VmRSS after find_customers, search_interactions and get_customer calls"),
    ]


async def _mcp_session(db: Path, ids: list[int], typo_queries: list[str], reps: int, starts: int
                       ) -> tuple[Stat, Stat, Stat, float]:
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=SERVER[0], args=SERVER[1:], env=crm_env(db), cwd=str(ROOT))
    devnull = open(os.devnull, "w")  # noqa: SIM115  (the server's log lines are not the benchmark's)
    start_samples: list[float] = []
    start_cpu: list[float] = []  # the server's CPU from exec to exit, for the starts that only initialize
    call_stat = small_stat = Stat(0, 0, 0)
    rss = 0.0
    try:
        for attempt in range(starts):
            t0, cpu0 = time.perf_counter(), children_cpu()
            async with stdio_client(params, errlog=devnull) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                start_samples.append((time.perf_counter() - t0) * 1000)
                if not attempt:
                    small_stat = await _timed_calls(session, "recent_changes", [{"limit": 1}], reps)
                    call_stat, rss = await _calls(session, ids, typo_queries, reps)
            if attempt:  # the process has exited and been waited for: its CPU is counted
                start_cpu.append((children_cpu() - cpu0) * 1000)
    finally:
        devnull.close()
    return Stat.of(start_samples, start_cpu), small_stat, call_stat, rss


async def _timed_calls(session, tool: str, arguments: list[dict], reps: int) -> Stat:  # type: ignore[no-untyped-def]
    """`reps` timed round trips of `tool` after 5 untimed, cycling through `arguments`; CPU per call is
    the server's and the client's together (a mean: what the layers cost whatever the machine's load)."""
    samples: list[float] = []
    servers = _children_running("assistant")
    for i in range(reps + 5):
        if i == 5:  # after the warm-up (a first call may build the name index)
            server_cpu0, client_cpu0 = sum(process_cpu(p) for p in servers), time.thread_time()
        t1 = time.perf_counter()
        result = await session.call_tool(tool, arguments[i % len(arguments)])
        if i >= 5:
            samples.append((time.perf_counter() - t1) * 1000)
        if result.is_error:
            raise RuntimeError(f"{tool} failed over MCP: {result.content}")
    stat = Stat.of(samples)
    stat.cpu = (sum(process_cpu(p) for p in servers) - server_cpu0 + time.thread_time() - client_cpu0) * 1000 / reps
    return stat


async def _calls(session, ids: list[int], typo_queries: list[str], reps: int) -> tuple[Stat, float]:  # type: ignore[no-untyped-def]
    """Timed get_customer round trips, then warm calls of the heavier tools, then the server's RSS."""
    stat = await _timed_calls(session, "get_customer", [{"customer": cid} for cid in ids], reps)
    for query in typo_queries[:20]:
        await session.call_tool("find_customers", {"query": query})
    for words in ("pricing", "escrow", "warehouse automation"):
        await session.call_tool("search_interactions", {"query": words})
    rss = max((rss_mb(p) for p in _children_running("assistant")), default=0.0)
    return stat, rss


def _raw_client_calls(db: Path, ids: list[int], reps: int) -> Stat:
    """tools/call round trips to `crm mcp` written as JSON lines on its stdin: the server's share alone."""
    proc = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, cwd=ROOT, env={**os.environ, **crm_env(db)})
    assert proc.stdin and proc.stdout
    stdin, stdout = proc.stdin, proc.stdout

    def send(message: dict) -> None:
        stdin.write(json.dumps(message) + "\n")
        stdin.flush()

    def reply(want: int) -> dict:
        while True:  # skip the server's notifications (logging, list changes)
            message = json.loads(stdout.readline())
            if message.get("id") == want:
                return message

    try:
        send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}})
        reply(0)
        send({"jsonrpc": "2.0", "method": "notifications/initialized"})

        def once(i: int) -> None:
            send({"jsonrpc": "2.0", "id": i + 1, "method": "tools/call",
                  "params": {"name": "get_customer", "arguments": {"customer": ids[i % len(ids)]}}})
            if "error" in reply(i + 1):
                raise RuntimeError("get_customer failed over raw JSON-RPC")

        for i in range(5):  # warm-up outside the CPU count, as measure() does for the clock
            once(reps + 100 + i)
        cpu0 = process_cpu(proc.pid)
        stat = measure(once, reps=reps, warmup=0)
        # Per call, the server's own CPU (a mean: /proc counts in clock ticks): load-independent.
        stat.cpu = (process_cpu(proc.pid) - cpu0) * 1000 / reps
        return stat
    finally:
        stdin.close()
        proc.wait(timeout=30)


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


# The floor of a tools/call round trip: a minimal python process answering one JSON-RPC line per
# request over a pipe, after the same SELECTs get_customer makes, with its rows in the reply.
_ECHO_SERVER = """
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for line in sys.stdin:
    req = json.loads(line)
    if req["params"]["name"] == "recent_changes":  # the small tool: the latest change-log row
        rows = c.execute("SELECT * FROM change_log ORDER BY id DESC LIMIT 2").fetchall()
        reply = {"jsonrpc": "2.0", "id": req["id"], "result": {"content": [{"type": "text", "text": json.dumps(rows)}]}}
        sys.stdout.write(json.dumps(reply) + "\\n")
        sys.stdout.flush()
        continue
    cid = req["params"]["arguments"]["customer"]
    rows = [c.execute("SELECT * FROM customer WHERE id = ?", (cid,)).fetchone(),
            c.execute("SELECT * FROM contact WHERE customer_id = ? ORDER BY id", (cid,)).fetchall(),
            c.execute("SELECT * FROM interaction WHERE customer_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 5",
                      (cid,)).fetchall(),
            c.execute("SELECT count(*) FROM interaction WHERE customer_id = ?", (cid,)).fetchone(),
            c.execute("SELECT * FROM followup WHERE customer_id = ? AND status = 'open' ORDER BY due_date, id",
                      (cid,)).fetchall(),
            c.execute("SELECT * FROM stage_change WHERE customer_id = ? ORDER BY at, id", (cid,)).fetchall()]
    reply = {"jsonrpc": "2.0", "id": req["id"], "result": {"content": [{"type": "text", "text": json.dumps(rows)}]}}
    sys.stdout.write(json.dumps(reply) + "\\n")
    sys.stdout.flush()
"""


def _call_floor(db: Path, ids: list[int], reps: int, tool: str = "get_customer") -> Stat:
    """Round trips to the echo process: get_customer's SELECTs by id, or recent_changes' one SELECT."""

    proc = subprocess.Popen([sys.executable, "-c", _ECHO_SERVER, str(db)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdin and proc.stdout
    stdin, stdout = proc.stdin, proc.stdout

    def once(i: int) -> None:
        arguments = {"limit": 1} if tool == "recent_changes" else {"customer": ids[i % len(ids)]}
        request = {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}
        stdin.write(json.dumps(request) + "\n")
        stdin.flush()
        json.loads(stdout.readline())

    try:
        return measure(once, reps=reps)
    finally:
        stdin.close()
        proc.wait()


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
    samples, floor_samples, cpu_samples = [], [], []
    for run in range(runs):
        db = cache / f"import-run-{run}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        t0, cpu0 = time.perf_counter(), children_cpu()
        proc = subprocess.run([sys.executable, "-m", "assistant", "import", str(csv_path)], cwd=ROOT,
                              env={**os.environ, **crm_env(db)}, capture_output=True, text=True)
        elapsed = time.perf_counter() - t0
        cpu_samples.append(children_cpu() - cpu0)
        if proc.returncode != 0:
            return skipped("import of customers from CSV (`crm import`)", "s", 15 if count >= 100_000 else None,
                           f"crm import failed: {proc.stderr.strip()[-300:]}")
        samples.append(elapsed)
        floor_samples.append(_import_floor(cache, csv_path, run))
        for path in (db, cache / f"import-floor-{run}.db"):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    return Row(f"import of {count:,} customers from CSV (`crm import`, subprocess)", "s",
               15 if count >= 100_000 else None, Stat.of(samples, cpu_samples), Stat.of(floor_samples),
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



