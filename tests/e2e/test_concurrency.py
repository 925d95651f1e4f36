"""Several processes on one database: two `crm mcp` servers and `crm` CLI commands writing at once.

Each writer is its own process with its own connection pool, as when Claude Desktop, an IDE agent
and a rep's script share one CRM file. Every write must succeed (no "database is locked") and
every write must be in the database afterwards (none lost), each recorded in the change log.
All of them are forks of a warm `crm` (tests/e2e/crm_zygote.py): their own processes, connections
and pools, without the import cost that would otherwise stretch the test.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from sqlmodel import col, select

from store.models import ChangeLog, FollowUp, Interaction
from tests.conftest import db_of
from tests.e2e.crm_zygote import command
from tools.context import ToolContext

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
MARK = "concurrency check"
# Each MCP client writes from before the first CLI process starts until after the last one ended,
# plus a few calls more; the cap only bounds a test gone wrong.
MCP_CALLS_AFTER_CLI = 4
MCP_MAX_CALLS = 1000
PAUSE = 0.05
MCP_WORKERS = 2
CLI_LANES, CLI_PER_LANE = 2, 2


def env(db: Path, user: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    return {
        **base,
        "CRM_DB": str(db),
        "CRM_USER": user,
        "CRM_NOW": "2026-03-04T14:00:00+00:00",
        "CRM_TZ": "UTC",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }


def mcp_server(db: Path, user: str) -> StdioServerParameters:
    crm = command()
    return StdioServerParameters(command=crm[0], args=[*crm[1:], "mcp"], env=env(db, user), cwd=REPO)


def write_call(writer: str, n: int) -> tuple[str, dict[str, Any]]:
    """The n-th write of an MCP writer: notes and follow-ups in turn, all on the same customer."""
    if n % 2:
        return "schedule_followup", {
            "customer": "Acme Corp",
            "due": "2026-03-20",
            "description": f"{MARK} {writer} {n}",
        }
    return "log_interaction", {"customer": "Acme Corp", "body": f"{MARK} {writer} {n}", "kind": "note"}


def test_two_mcp_servers_and_the_cli_write_to_one_database(crm: ToolContext) -> None:
    db = db_of(crm.store)
    made: Counter[tuple[str, str]] = Counter()  # (writer, table) -> writes acknowledged
    failures: list[str] = []
    writing = {"ana": anyio.Event(), "ben": anyio.Event()}
    cli_done = anyio.Event()

    async def mcp_writer(user: str, client: Client, worker: int) -> None:
        n, left = 0, MCP_CALLS_AFTER_CLI
        while n < MCP_MAX_CALLS and left > 0:
            name, args = write_call(f"{user}.{worker}", n)
            result = await client.call_tool(name, args)
            if result.is_error:
                failures.append(f"{user} {name}: {result.content[0].text}")
            else:
                made[(user, "interaction" if name == "log_interaction" else "followup")] += 1
            writing[user].set()
            n += 1
            left -= cli_done.is_set()
            # A breath between calls, as a model takes: leaves CPU for the CLI processes to start
            # on a small machine, while the writes still interleave densely.
            await anyio.sleep(PAUSE)

    async def cli_lane(lane: int) -> None:
        for started in writing.values():
            await started.wait()
        for i in range(CLI_PER_LANE):
            args = {"customer": "Acme Corp", "body": f"{MARK} cli {lane}.{i}", "kind": "call"}
            done = await anyio.run_process(
                [*command(), "tool", "log_interaction", json.dumps(args)],
                env=env(db, "cam"),
                cwd=REPO,
                check=False,
            )
            if done.returncode != 0:
                failures.append(f"cli {lane}.{i}: exit {done.returncode}: {done.stderr.decode()}")
            else:
                assert json.loads(done.stdout)["interaction"]["author"] == "cam"
                made[("cam", "interaction")] += 1

    async def main() -> None:
        with anyio.fail_after(60):
            async with (
                Client(mcp_server(db, "ana")) as ana,
                Client(mcp_server(db, "ben")) as ben,
                anyio.create_task_group() as writers,
            ):
                # Two calls in flight per server too: a server runs tools on worker threads.
                for worker in range(MCP_WORKERS):
                    writers.start_soon(mcp_writer, "ana", ana, worker)
                    writers.start_soon(mcp_writer, "ben", ben, worker)
                async with anyio.create_task_group() as cli:
                    for lane in range(CLI_LANES):
                        cli.start_soon(cli_lane, lane)
                cli_done.set()

    anyio.run(main)

    assert failures == []
    assert made[("cam", "interaction")] == CLI_LANES * CLI_PER_LANE
    with crm.read() as s:
        notes = s.exec(select(Interaction).where(col(Interaction.body).startswith(MARK))).all()
        followups = s.exec(select(FollowUp).where(col(FollowUp.description).startswith(MARK))).all()
        creates = s.exec(
            select(ChangeLog).where(ChangeLog.op == "create", col(ChangeLog.actor).in_(["ana", "ben", "cam"]))
        ).all()
    # Every acknowledged write is there, by its writer: none lost, none doubled.
    in_db = Counter((n.author, "interaction") for n in notes)
    in_db += Counter((f.owner, "followup") for f in followups)
    assert in_db == made
    # The writers really overlapped: MCP notes were written before, between and after the CLI's.
    cli_ids = [n.id for n in notes if n.source == "cli"]
    mcp_ids = [n.id for n in notes if n.source == "mcp"]
    assert min(mcp_ids) < min(cli_ids) and max(cli_ids) < max(mcp_ids)
    # ... and each is in the change log exactly once, under the right actor and source.
    logged = Counter((c.actor, c.entity, c.entity_id) for c in creates)
    expected = Counter(
        [(n.author, "interaction", n.id) for n in notes] + [(f.owner, "followup", f.id) for f in followups]
    )
    assert logged == expected
    assert {(c.actor, c.source) for c in creates} == {("ana", "mcp"), ("ben", "mcp"), ("cam", "cli")}
