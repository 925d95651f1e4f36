"""The MCP server over stdio through the SDK's own client, each figure beside the minimal SDK server.

`crm mcp` and `bench/minimal_server.py` are started and called alternately in the same run, so a
change in the machine's load moves both sides of each ratio alike.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bench.processes import ROOT, SERVER, children_cpu, crm_env, process_cpu, rss_mb
from bench.timing import Row, Stat, measure, skipped

if TYPE_CHECKING:
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters

MINIMAL = [sys.executable, "-m", "bench.minimal_server"]
START_LABEL = "`crm mcp` start to answered `initialize`"
SMALL_LABEL = "MCP `tools/call` round trip over stdio (small tool: `recent_changes`, limit 1)"
CALL_LABEL = "MCP `tools/call` round trip over stdio (`get_customer` by id)"
RSS_LABEL = "resident memory of the MCP server (after calls)"


def mcp_rows(
    db: Path,
    ids: list[int],
    typo_queries: list[str],
    reps: int,
    starts: int,
    log: Callable[[str], None] = print,
    product: str | None = None,
) -> list[Row]:
    """Start to answered initialize and a small tools/call, each beside the minimal SDK server's;
    a get_customer round trip (SDK client and raw JSON-RPC lines); the server's RSS after warm calls.

    The floors read `db`; `crm mcp` serves `product` (a URL holding the same data) when given."""
    from bench.processes import call_floor, rss_floor

    pipe_floor = call_floor(db, ids, reps)
    memory_floor = rss_floor(db)
    if importlib.util.find_spec("tools.mcp_server") is None:
        return [
            skipped(label, "ms", None, "tools/mcp_server.py does not exist")
            for label in (START_LABEL, SMALL_LABEL)
        ]
    import anyio

    try:
        starts_crm, starts_min, small, echo, call, rss = anyio.run(
            _session, product or db, ids, typo_queries, reps, starts
        )
    except Exception as e:  # a failing server is a finding to report, not a lost run
        why = f"the MCP session failed: {type(e).__name__}: {e}"
        log(f"  {why}")
        return [skipped(label, "ms", None, why) for label in (START_LABEL, SMALL_LABEL)]
    raw = _raw_client_calls(product or db, ids, reps)
    sdk = "the MCP SDK's ClientSession over stdio_client, calls alternating with the minimal server's"
    return [
        Row(
            SMALL_LABEL,
            "ms",
            3,
            small,
            echo,
            "the minimal SDK server (bench/minimal_server.py): `echo` tool, same client",
            ratio_target=1.3,
            extra={"ref": "the minimal SDK server's `echo`"},
            note=f"{sdk}; CPU: server + client per call (mean)",
        ),
        Row(
            CALL_LABEL,
            "ms",
            None,
            call,
            pipe_floor,
            "a minimal python process answering JSON-RPC lines over a pipe after the same 6 SELECTs",
            note="the MCP SDK's ClientSession over stdio_client; CPU: server + client per call (mean)",
        ),
        Row(
            "  … the same, written as raw JSON-RPC lines to `crm mcp` (server's share)",
            "ms",
            None,
            raw,
            pipe_floor,
            "the same pipe process",
            note="CPU: the server's own per call (mean over the run, from /proc)",
        ),
        Row(
            START_LABEL,
            "ms",
            1000,
            starts_crm,
            starts_min,
            "the minimal SDK server (bench/minimal_server.py) started and initialized by the same client",
            ratio_target=1.15,
            extra={"ref": "the minimal SDK server's start"},
            note=f"{starts} fresh processes each, alternating; CPU is the server's own, exec to exit"
            + (
                f" (the minimal server's: {starts_min.cpu:.0f} ms, a CPU ratio of "
                f"{starts_crm.cpu / starts_min.cpu:.2f})"
                if starts_crm.cpu and starts_min.cpu
                else ""
            ),
        ),
        Row(
            RSS_LABEL,
            "MB",
            250,
            Stat(rss, rss, 1),
            memory_floor,
            "python + sqlite3 + rapidfuzz holding every customer and contact name",
            note="VmRSS after find_customers, search_interactions and get_customer calls",
        ),
    ]


def _params(command: list[str], db: Path | str) -> StdioServerParameters:
    from mcp.client.stdio import StdioServerParameters

    return StdioServerParameters(command=command[0], args=command[1:], env=crm_env(db), cwd=str(ROOT))


async def _start(params: StdioServerParameters, errlog: TextIO) -> tuple[float, float]:
    """Wall ms from spawn to answered initialize, and the server's CPU ms from exec to exit."""
    from mcp.client.session import ClientSession
    from mcp.client.stdio import stdio_client

    t0, cpu0 = time.perf_counter(), children_cpu()
    async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        wall = (time.perf_counter() - t0) * 1000
    return wall, (children_cpu() - cpu0) * 1000


async def _session(
    db: Path | str, ids: list[int], typo_queries: list[str], reps: int, starts: int
) -> tuple[Stat, Stat, Stat, Stat, Stat, float]:
    from mcp.client.session import ClientSession
    from mcp.client.stdio import stdio_client

    crm, minimal = _params(SERVER, db), _params(MINIMAL, db)
    devnull = open(os.devnull, "w")  # noqa: SIM115  (the servers' log lines are not the benchmark's)
    samples: dict[str, list[tuple[float, float]]] = {"crm": [], "min": []}
    try:
        for attempt in range(starts + 1):  # the first of each warms the file cache, untimed
            for name, params in (("crm", crm), ("min", minimal)):
                sample = await _start(params, devnull)
                if attempt:
                    samples[name].append(sample)
        async with (
            stdio_client(crm, errlog=devnull) as (r1, w1),
            ClientSession(r1, w1) as ours,
            stdio_client(minimal, errlog=devnull) as (r2, w2),
            ClientSession(r2, w2) as theirs,
        ):
            await ours.initialize()
            await theirs.initialize()
            # Steady state: the server builds its name index in the background once the tool layer
            # is loaded (tools/mcp_server.py); a lookup waits for that build to end.
            await ours.call_tool("find_customers", {"query": "warm up"})
            small, echo = await _alternating(
                ours, ("recent_changes", {"limit": 1}), theirs, ("echo", {"text": "ping"}), reps
            )
            call = await _timed_calls(ours, "get_customer", [{"customer": cid} for cid in ids], reps)
            for query in typo_queries[:20]:
                await ours.call_tool("find_customers", {"query": query})
            for words in ("pricing", "escrow", "warehouse automation"):
                await ours.call_tool("search_interactions", {"query": words})
            rss = max((rss_mb(p) for p in _children_running("assistant")), default=0.0)
    finally:
        devnull.close()

    def stat(name: str) -> Stat:
        return Stat.of([w for w, _ in samples[name]], [c for _, c in samples[name]])

    return stat("crm"), stat("min"), small, echo, call, rss


async def _alternating(
    ours: ClientSession,
    our_call: tuple[str, dict[str, Any]],
    theirs: ClientSession,
    their_call: tuple[str, dict[str, Any]],
    reps: int,
) -> tuple[Stat, Stat]:
    """`reps` round trips on each session, one after the other, after 5 untimed each."""
    mine: list[float] = []
    ref: list[float] = []
    for i in range(reps + 5):
        for session, (tool, args), out in ((ours, our_call, mine), (theirs, their_call, ref)):
            t1 = time.perf_counter()
            result = await session.call_tool(tool, args)
            if i >= 5:
                out.append((time.perf_counter() - t1) * 1000)
            if result.is_error:
                raise RuntimeError(f"{tool} failed over MCP: {result.content}")
    return Stat.of(mine), Stat.of(ref)


async def _timed_calls(session: ClientSession, tool: str, arguments: list[dict[str, Any]], reps: int) -> Stat:
    """`reps` timed round trips of `tool` after 5 untimed; CPU per call is server + client (a mean)."""
    samples: list[float] = []
    servers = _children_running("assistant")
    server_cpu0 = client_cpu0 = 0.0
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
    stat.cpu = (
        (sum(process_cpu(p) for p in servers) - server_cpu0 + time.thread_time() - client_cpu0) * 1000 / reps
    )
    return stat


def _children_running(marker: str) -> list[int]:
    """Our direct child processes whose command line contains `marker` (the stdio client hides the pid)."""
    mine = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if ppid == mine and marker in cmd:
            found.append(int(entry.name))
    return found


def _raw_client_calls(db: Path | str, ids: list[int], reps: int) -> Stat:
    """tools/call round trips to `crm mcp` written as JSON lines on its stdin: the server's share alone."""
    proc = subprocess.Popen(
        SERVER,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env={**os.environ, **crm_env(db)},
    )
    assert proc.stdin and proc.stdout
    stdin, stdout = proc.stdin, proc.stdout

    def send(message: dict[str, Any]) -> None:
        stdin.write(json.dumps(message) + "\n")
        stdin.flush()

    def reply(want: int) -> dict[str, Any]:
        while True:  # skip the server's notifications (logging, list changes)
            message: dict[str, Any] = json.loads(stdout.readline())
            if message.get("id") == want:
                return message

    try:
        send(
            {
                "jsonrpc": "2.0",
                "id": 0,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": {"name": "bench", "version": "1"},
                },
            }
        )
        reply(0)
        send({"jsonrpc": "2.0", "method": "notifications/initialized"})

        def once(i: int) -> None:
            send(
                {
                    "jsonrpc": "2.0",
                    "id": i + 1,
                    "method": "tools/call",
                    "params": {"name": "get_customer", "arguments": {"customer": ids[i % len(ids)]}},
                }
            )
            if "error" in reply(i + 1):
                raise RuntimeError("get_customer failed over raw JSON-RPC")

        # Steady state: a lookup waits for the name index the server builds in the background.
        send(
            {
                "jsonrpc": "2.0",
                "id": reps + 99,
                "method": "tools/call",
                "params": {"name": "find_customers", "arguments": {"query": "warm up"}},
            }
        )
        reply(reps + 99)
        for i in range(5):  # warm-up outside the CPU count, as measure() does for the clock
            once(reps + 100 + i)
        cpu0 = process_cpu(proc.pid)
        stat = measure(once, reps=reps, warmup=0)
        stat.cpu = (process_cpu(proc.pid) - cpu0) * 1000 / reps  # a mean: /proc counts in clock ticks
        return stat
    finally:
        stdin.close()
        proc.wait(timeout=30)
