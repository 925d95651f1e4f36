"""One `crm mcp --http` for a team: each rep's MCP client sends their own token (`crm users token`).

Through the real surfaces only: tokens made, rotated and revoked with `crm` as a subprocess, a real
`crm mcp --http` subprocess, and the MCP SDK's streamable HTTP client. Each rep's writes carry
their name, one rep's undo never touches another's, recent_changes shows who did what, the shared
CRM_MCP_TOKEN still acts as CRM_USER, and a revoked or replaced token is refused at once.
Both `crm` and `crm mcp --http` run as forks of a warm `crm` (tests/e2e/crm_zygote.py).
"""

from __future__ import annotations

import errno
import json
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from sqlmodel import select

from store.models import Interaction
from tests.conftest import db_of
from tests.e2e.crm_zygote import command
from tests.e2e.test_mcp_http import ACCEPT, INITIALIZE, REPO, TOKEN, crm_env, crm_mcp, free_port, serve, stop
from tools.context import ToolContext
from tools.errors import InvalidArgument
from tools.mcp_http import listen

pytestmark = pytest.mark.e2e


def run_crm(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command(), *args],
        cwd=REPO,
        env=crm_env(db),
        capture_output=True,
        text=True,
        timeout=120,
    )


def made_token(db: Path, name: str, *flags: str) -> str:
    done = run_crm(db, "users", "token", name, *flags)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    token = done.stdout.strip()
    assert token.startswith("crm_") and "\n" not in token, done.stdout  # the token alone on stdout
    assert "shown only now" in done.stderr
    return token


def calls(url: str, token: str, *steps: tuple[str, dict[str, Any]]) -> list[Any]:
    """Make the tool calls in one MCP session with `token`; their structured results (or error texts)."""

    async def main() -> list[Any]:
        with anyio.fail_after(60):
            async with (
                create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http,
                Client(streamable_http_client(url, http_client=http)) as client,
            ):
                out = []
                for name, arguments in steps:
                    result = await client.call_tool(name, arguments)
                    out.append(result.content[0].text if result.is_error else result.structured_content)
                return out

    return anyio.run(main)


def instructions_for(url: str, token: str) -> str:
    """The instructions a client with `token` is given in its `initialize` answer."""

    async def main() -> str:
        with anyio.fail_after(60):
            async with (
                create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http,
                Client(streamable_http_client(url, http_client=http)) as client,
            ):
                return client.instructions or ""

    return anyio.run(main)


def status(url: str, token: str) -> int:
    headers = {**ACCEPT, "Authorization": f"Bearer {token}"} if token else ACCEPT
    return httpx.post(url, json=INITIALIZE, headers=headers, timeout=10).status_code


def database(crm_ctx: ToolContext) -> Path:
    return db_of(crm_ctx.store)


def test_two_reps_with_their_own_tokens_write_and_undo_as_themselves(crm: ToolContext) -> None:
    db = database(crm)
    for name, zone in (("kim", "Europe/Berlin"), ("lee", "America/New_York")):
        assert run_crm(db, "users", "add", name, "--tz", zone).returncode == 0
    kim, lee = made_token(db, "kim"), made_token(db, "lee")
    with serve(db, CRM_MCP_TOKEN=TOKEN) as url:
        note = "log_interaction"
        (kim_note,) = calls(url, kim, (note, {"customer": "Acme", "body": "kim: pricing call went well"}))
        (lee_note,) = calls(url, lee, (note, {"customer": "Globex", "body": "lee: seat count confirmed"}))
        (sam_note,) = calls(url, TOKEN, (note, {"customer": "Juno", "body": "sam: store visit"}))
        assert (kim_note["interaction"]["author"], lee_note["interaction"]["author"]) == ("kim", "lee")
        assert sam_note["interaction"]["author"] == "sam"  # the shared token acts as CRM_USER
        # lee wrote after kim; kim's undo reverts kim's note, not lee's (nor sam's).
        (undone,) = calls(url, kim, ("undo", {}))
        assert "Acme" in undone["summary"], undone
        (changes,) = calls(url, lee, ("recent_changes", {"limit": 10}))
        told_kim = instructions_for(url, kim)
    # The instructions are one text for the whole team: kim's client is never told it acts as sam.
    assert "Acting user: the rep whose token this client sends" in told_kim
    assert "Acting user: sam." not in told_kim
    actors = [(c["actor"], c["entity"], c["undone"]) for c in changes["items"] if c["source"] == "mcp"]
    assert ("lee", "interaction", False) in actors and ("sam", "interaction", False) in actors
    assert ("kim", "interaction", True) in actors  # kim's note, and that it was undone, by kim
    with crm.read() as s:
        notes = s.exec(select(Interaction).where(Interaction.source == "mcp")).all()
    assert sorted((n.author, n.body) for n in notes) == [
        ("lee", "lee: seat count confirmed"),
        ("sam", "sam: store visit"),
    ]
    # A rep's zone is theirs: kim's note was logged at 15:00 Berlin time for the fixed 14:00 UTC.
    assert kim_note["interaction"]["occurred_at"].startswith("2026-03-04T15:00")


def test_a_rotated_or_revoked_token_is_refused_at_once(crm: ToolContext) -> None:
    db = database(crm)
    assert run_crm(db, "users", "add", "kim").returncode == 0
    assert run_crm(db, "users", "add", "lee").returncode == 0
    old, lee = made_token(db, "kim"), made_token(db, "lee")
    again = run_crm(db, "users", "token", "kim")
    assert again.returncode == 1 and "--rotate" in again.stderr and not again.stdout
    # No CRM_MCP_TOKEN: the reps' tokens are enough to serve.
    stderr: list[str] = []
    with serve(db, stderr=stderr) as url:
        assert status(url, old) == 200 and status(url, lee) == 200
        new = made_token(db, "kim", "--rotate")
        assert status(url, old) == 401 and status(url, new) == 200
        revoked = run_crm(db, "users", "token", "lee", "--revoke")
        assert revoked.returncode == 0 and "Revoked lee" in revoked.stdout
        refused = httpx.post(url, json=INITIALIZE, headers={**ACCEPT, "Authorization": f"Bearer {lee}"})
        assert refused.status_code == 401 and "revoked" in refused.json()["error_description"]
        assert status(url, "crm_guessed") == 401 and status(url, "") == 401
        (mine,) = calls(url, new, ("log_interaction", {"customer": "Acme", "body": "after rotation"}))
        assert mine["interaction"]["author"] == "kim"
    assert "reps' tokens" in stderr[0] and "Traceback" not in stderr[0]
    listed = run_crm(db, "users", "list")
    assert "made 2026-" in listed.stdout  # kim's token; lee's row shows none
    assert (
        json.loads(run_crm(db, "users", "token", "kim", "--revoke", "--json").stdout)["action"] == "revoked"
    )


def test_without_any_token_http_refuses_to_start_and_says_how(crm: ToolContext) -> None:
    process = crm_mcp(database(crm), "--http", "--port", str(free_port()))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1 and "crm users token NAME" in err and "CRM_MCP_TOKEN" in err
    assert "serving" not in err and "Traceback" not in err


# ---- the address (issue 11, item 9) -----------------------------------------------------------------


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def wait_v6(process: subprocess.Popen[str], port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"crm mcp exited {process.returncode}: {process.stderr.read()}")
        try:
            socket.create_connection(("::1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.01)  # a refused connect costs microseconds; the server is up in ~0.2 s
    raise AssertionError(f"nothing listening on [::1]:{port}")


def test_ipv6_loopback_serves_or_says_in_one_line_why_not(crm: ToolContext) -> None:
    port = free_port()
    process = crm_mcp(database(crm), "--http", "--no-auth", "--host", "::1", "--port", str(port))
    try:
        if not ipv6_loopback():
            _, err = process.communicate(timeout=60)
            assert process.returncode == 1 and "IPv6 is not available" in err and "serving" not in err
            return
        wait_v6(process, port)
        answer = httpx.post(f"http://[::1]:{port}/mcp", json=INITIALIZE, headers=ACCEPT, timeout=10)
        assert answer.status_code == 200 and "crm-assistant" in answer.text
    finally:
        written = stop(process)
    assert "Traceback" not in written


def test_a_busy_port_or_foreign_address_is_one_line_and_no_serving(crm: ToolContext) -> None:
    db = database(crm)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = crm_mcp(db, "--http", "--no-auth", "--port", str(port))
        # An IPv6 address this machine does not have (a documentation prefix).
        foreign = crm_mcp(db, "--http", "--host", "2001:db8::1", "--port", str(port), CRM_MCP_TOKEN=TOKEN)
        answers = {"busy": busy.communicate(timeout=60)[1], "foreign": foreign.communicate(timeout=60)[1]}
    assert busy.returncode == 1 and "already in use" in answers["busy"]
    assert foreign.returncode == 1 and "2001:db8::1" in answers["foreign"]
    for err in answers.values():
        assert "serving" not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_a_machine_without_ipv6_gets_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `--host ::1` meets where IPv6 is switched off (this machine may well have it)."""
    real = socket.socket

    def no_ipv6(family: int = socket.AF_INET, *args: Any, **kwargs: Any) -> socket.socket:
        if family == socket.AF_INET6:
            raise OSError(errno.EAFNOSUPPORT, "Address family not supported by protocol")
        return real(family, *args, **kwargs)

    monkeypatch.setattr(socket, "socket", no_ipv6)
    port = free_port()
    with pytest.raises(InvalidArgument) as refused:
        listen("::1", port)
    assert (
        str(refused.value)
        == f"cannot serve on [::1]:{port}: IPv6 is not available on this machine; use --host 127.0.0.1."
    )


def test_reps_writing_at_the_same_time_each_get_their_own_name(crm: ToolContext) -> None:
    """Two clients' calls interleaved on one server: every note carries the rep whose token sent it."""
    db = database(crm)
    for name in ("kim", "lee"):
        assert run_crm(db, "users", "add", name).returncode == 0
    tokens = {name: made_token(db, name) for name in ("kim", "lee")}

    async def rep(url: str, name: str) -> None:
        headers = {"Authorization": f"Bearer {tokens[name]}"}
        async with (
            create_mcp_http_client(headers=headers) as http,
            Client(streamable_http_client(url, http_client=http)) as client,
        ):
            for n in range(8):
                body = f"{name} note {n}"
                result = await client.call_tool("log_interaction", {"customer": "Acme", "body": body})
                assert not result.is_error, result.content
                await anyio.sleep(0)

    async def both(url: str) -> None:
        with anyio.fail_after(120):
            async with anyio.create_task_group() as group:
                group.start_soon(rep, url, "kim")
                group.start_soon(rep, url, "lee")

    with serve(db) as url:
        anyio.run(both, url)
    with crm.read() as s:
        notes = s.exec(select(Interaction).where(Interaction.source == "mcp")).all()
    assert len(notes) == 16
    assert all(n.body.startswith(f"{n.author} note") for n in notes), [(n.author, n.body) for n in notes]
