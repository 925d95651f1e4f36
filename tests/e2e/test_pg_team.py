"""A sales team on one PostgreSQL database: several `crm mcp` servers and `crm` writers at once.

Two reps' MCP clients over HTTP, each with their own token and each on their own `crm mcp --http`
server; two stdio servers acting as two more reps (their CRM_USER); and `crm tool` commands in loops
as a fifth. Every process has its own connection pool. Every acknowledged write must be in the
database afterwards, once, credited to the rep who made it (in the record and in the change log);
none is refused as busy; and one rep's undo afterwards reverts only that rep's last write.
Every process is a fork of a warm `crm` (tests/e2e/crm_zygote.py): its own process and pool.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from sqlmodel import col, select

from store.models import ChangeLog, FollowUp, Interaction
from tests.conftest import db_of
from tests.e2e.crm_zygote import command
from tests.e2e.test_mcp_http import REPO, crm_env, serve
from tools.context import ToolContext
from tools.tokens import create_token
from tools.users import add_user

pytestmark = [pytest.mark.e2e, pytest.mark.pg_only("several servers and writers on one PostgreSQL database")]
MARK = "team check"
HTTP_REPS = ("kim", "lee")  # each with a token, each on their own HTTP server
STDIO_REPS = ("ana", "ben")  # CRM_USER of a stdio server each
CLI_REP = "cam"
REPS = {*HTTP_REPS, *STDIO_REPS, CLI_REP}
WORKERS = 2  # calls in flight per MCP client: a server runs tools on worker threads
CALLS_AFTER_CLI = 3  # each MCP writer goes on this many calls after the last CLI command ended
MAX_CALLS = 400  # only bounds a test gone wrong
CLI_LANES, CLI_PER_LANE = 2, 3
PAUSE = 0.05  # a breath between a client's calls, as a model takes: leaves CPU for the CLI processes


def write_call(writer: str, n: int) -> tuple[str, dict[str, Any]]:
    """The n-th write of an MCP writer: notes and follow-ups in turn, spread over two customers."""
    customer = "Acme Corp" if n % 4 < 2 else "Globex Corporation"
    if n % 2:
        return "schedule_followup", {
            "customer": customer,
            "due": "2026-03-20",
            "description": f"{MARK} {writer} {n}",
        }
    return "log_interaction", {"customer": customer, "body": f"{MARK} {writer} {n}", "kind": "note"}


def test_reps_on_http_and_stdio_servers_and_cli_writers_lose_no_write(crm: ToolContext) -> None:
    db = db_of(crm.store)
    for rep in (*HTTP_REPS, *STDIO_REPS, CLI_REP):
        add_user(crm.store, rep)
    tokens = {rep: create_token(crm.store, rep).token for rep in HTTP_REPS}
    acked: set[tuple[str, str, int]] = set()  # (rep, table, id) of every write acknowledged
    failures: list[str] = []
    writing = {rep: anyio.Event() for rep in (*HTTP_REPS, *STDIO_REPS)}
    cli_done = anyio.Event()

    async def mcp_writer(rep: str, client: Client, worker: int) -> None:
        n, left = 0, CALLS_AFTER_CLI
        while n < MAX_CALLS and left > 0:
            name, args = write_call(f"{rep}.{worker}", n)
            result = await client.call_tool(name, args)
            if result.is_error or result.structured_content is None:
                failures.append(f"{rep} {name}: {result.content}")
            else:
                table = "interaction" if name == "log_interaction" else "followup"
                acked.add((rep, table, result.structured_content[table]["id"]))
            writing[rep].set()
            n += 1
            left -= cli_done.is_set()
            await anyio.sleep(PAUSE)

    async def cli_lane(lane: int) -> None:
        for started in writing.values():
            await started.wait()
        for i in range(CLI_PER_LANE):
            args = {"customer": "Acme Corp", "body": f"{MARK} cli {lane}.{i}", "kind": "call"}
            done = await anyio.run_process(
                [*command(), "tool", "log_interaction", json.dumps(args)],
                env=crm_env(db, CRM_USER=CLI_REP),
                cwd=REPO,
                check=False,
            )
            if done.returncode != 0:
                failures.append(f"cli {lane}.{i}: exit {done.returncode}: {done.stderr.decode()}")
            else:
                acked.add((CLI_REP, "interaction", json.loads(done.stdout)["interaction"]["id"]))

    async def team(urls: dict[str, str]) -> None:
        with anyio.fail_after(240):
            async with (
                create_mcp_http_client(headers={"Authorization": f"Bearer {tokens['kim']}"}) as kim_http,
                create_mcp_http_client(headers={"Authorization": f"Bearer {tokens['lee']}"}) as lee_http,
                Client(streamable_http_client(urls["kim"], http_client=kim_http)) as kim,
                Client(streamable_http_client(urls["lee"], http_client=lee_http)) as lee,
                Client(stdio_server(db, "ana")) as ana,
                Client(stdio_server(db, "ben")) as ben,
            ):
                clients = {"kim": kim, "lee": lee, "ana": ana, "ben": ben}
                async with anyio.create_task_group() as writers:
                    for rep, client in clients.items():
                        for worker in range(WORKERS):
                            writers.start_soon(mcp_writer, rep, client, worker)
                    async with anyio.create_task_group() as cli:
                        for lane in range(CLI_LANES):
                            cli.start_soon(cli_lane, lane)
                    cli_done.set()
                # Afterwards kim undoes her last write, through her own server and token.
                undone = await kim.call_tool("undo", {})
                if undone.is_error:
                    failures.append(f"kim undo: {undone.content}")

    with serve(db) as kim_url, serve(db) as lee_url:  # two servers that know only the reps' tokens
        anyio.run(team, {"kim": kim_url, "lee": lee_url})

    assert failures == []
    assert len([a for a in acked if a[0] == CLI_REP]) == CLI_LANES * CLI_PER_LANE
    with crm.read() as s:
        notes = s.exec(select(Interaction).where(col(Interaction.body).startswith(MARK))).all()
        followups = s.exec(select(FollowUp).where(col(FollowUp.description).startswith(MARK))).all()
        creates = s.exec(
            select(ChangeLog).where(ChangeLog.op == "create", col(ChangeLog.actor).in_(sorted(REPS)))
        ).all()
    in_db = {(n.author, "interaction", n.id) for n in notes} | {
        (f.owner, "followup", f.id) for f in followups
    }
    # kim's undo took back her newest write and nothing else: the last of her creates in the log.
    kims = [c for c in creates if c.actor == "kim" and c.entity in ("interaction", "followup")]
    last = max(kims, key=lambda c: c.id or 0)
    assert last.undone_at is not None
    assert [c for c in creates if c.undone_at is not None and c.batch != last.batch] == []
    # Every other acknowledged write is in the database, once, by its writer: none lost, none doubled.
    assert in_db == acked - {("kim", last.entity, last.entity_id)}
    # ... and each is in the change log once, under its writer's name and surface.
    logged = Counter((c.actor, c.entity, c.entity_id) for c in creates)
    assert all(logged[w] == 1 for w in acked), [w for w in acked if logged[w] != 1]
    assert {n.author: n.source for n in notes} == {rep: "mcp" for rep in (*HTTP_REPS, *STDIO_REPS)} | {
        CLI_REP: "cli"
    }
    # The writers really overlapped: MCP notes before, between and after the CLI's.
    cli_ids = [n.id or 0 for n in notes if n.source == "cli"]
    mcp_ids = [n.id or 0 for n in notes if n.source == "mcp"]
    assert min(mcp_ids) < min(cli_ids) and max(cli_ids) < max(mcp_ids)


def stdio_server(db: Path | str, rep: str) -> StdioServerParameters:
    crm = command()
    return StdioServerParameters(
        command=crm[0], args=[*crm[1:], "mcp"], env=crm_env(db, CRM_USER=rep), cwd=REPO
    )
