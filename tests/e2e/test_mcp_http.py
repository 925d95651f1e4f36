"""`crm mcp --http` as a remote MCP client reaches it: a subprocess on a free port, the SDK's
streamable HTTP client with the bearer token, and raw HTTP for what a stranger would try.

The same good and bad tool calls as over stdio (tests/e2e/test_mcp_stdio.py) must give the same
answers here; requests without the token, with a wrong one, or from a rebinding DNS name are refused.
The token test starts `python -m assistant mcp --http` itself; the others a fork of a warm `crm`
(tests/e2e/crm_zygote.py).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError
from sqlmodel import select

from store.models import Interaction
from tests.conftest import db_of
from tests.e2e.crm_zygote import REAL, command
from tests.e2e.test_mcp_stdio import BAD_CALLS, GOOD_CALLS, text
from tools.context import ToolContext
from tools.registry import TOOLS

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
TOKEN = "s3cret-test-token"
# What a JSON-RPC POST to a streamable HTTP endpoint must accept.
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw-http-test", "version": "1"},
    },
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def crm_env(db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env.update(
        {
            "CRM_DB": str(db),
            "CRM_USER": "sam",
            "CRM_NOW": "2026-03-04T14:00:00+00:00",
            "CRM_TZ": "UTC",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
    )
    env.update(extra)
    return env


def crm_mcp(db: Path, *args: str, real: bool = False, **env: str) -> subprocess.Popen[str]:
    """`crm mcp ARGS` (as `python -m assistant`, installed or not, with `real`; else a warm fork) with
    its stderr kept for the test."""
    return subprocess.Popen(
        [*(REAL if real else command()), "mcp", *args],
        cwd=REPO,
        env=crm_env(db, **env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_listening(process: subprocess.Popen[str], port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"crm mcp --http exited {process.returncode}: {process.stderr.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.01)  # a refused connect costs microseconds; the server is up in ~0.2 s
    raise AssertionError(f"crm mcp --http did not listen on port {port} within {timeout}s")


def stop(process: subprocess.Popen[str]) -> str:
    """Kill the server; what it wrote on stderr."""
    process.kill()
    process.wait(timeout=10)
    written = ""
    if process.stderr and not process.stderr.closed:  # communicate() may have read and closed it
        written = process.stderr.read()
        process.stderr.close()
    return written


@contextmanager
def serve(
    db: Path, *args: str, stderr: list[str] | None = None, real: bool = False, **env: str
) -> Iterator[str]:
    """Run `crm mcp --http` on a free loopback port for the duration of a test; yield its /mcp URL.

    What the server wrote on stderr is appended to `stderr` when the test is done with it.
    """
    port = free_port()
    process = crm_mcp(db, "--http", "--host", "127.0.0.1", "--port", str(port), *args, real=real, **env)
    try:
        wait_listening(process, port)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        written = stop(process)
        if stderr is not None:
            stderr.append(written)


@pytest.fixture
def url(crm: ToolContext) -> Iterator[str]:
    """The sample CRM served over HTTP with the bearer token TOKEN."""
    with serve(db_of(crm.store), CRM_MCP_TOKEN=TOKEN) as served:
        yield served


def session(url: str, conversation: Callable[[Client], Awaitable[Any]], token: str = TOKEN) -> Any:
    """Run `conversation` with the SDK client over streamable HTTP, sending the bearer token."""

    async def main() -> Any:
        with anyio.fail_after(60):
            async with (
                create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http,
                Client(streamable_http_client(url, http_client=http)) as client,
            ):
                return await conversation(client)

    return anyio.run(main)


def test_a_client_with_the_token_gets_tools_resources_and_prompts(url: str, crm: ToolContext) -> None:
    async def conversation(c: Client) -> dict[str, Any]:
        return {
            "tools": await c.list_tools(),
            "good": [await c.call_tool(name, args) for name, args, _ in GOOD_CALLS],
            "bad": [await c.call_tool(name, args) for name, args, _ in BAD_CALLS],
            "resources": await c.list_resources(),
            "pipeline": await c.read_resource("crm://pipeline"),
            "profile": await c.read_resource("crm://customers/2"),
            "week": await c.read_resource("crm://followups/this-week"),
            "prompts": await c.list_prompts(),
            "brief": await c.get_prompt("meeting_brief", {"customer": "Globex"}),
        }

    got = session(url, conversation)
    tools = got["tools"].tools
    assert sorted(t.name for t in tools) == sorted(spec.name for spec in TOOLS)
    assert all(t.description and t.output_schema and t.annotations for t in tools)
    for (name, args, check), result in zip(GOOD_CALLS, got["good"], strict=True):
        assert not result.is_error, f"{name}: {text(result)}"
        assert check(result.structured_content), f"{name}({args}) -> {result.structured_content}"
    for (name, args, expected), result in zip(BAD_CALLS, got["bad"], strict=True):
        assert result.is_error, f"{name}({args}) should fail"
        for needle in expected:
            assert needle in text(result), f"{name}({args}): {text(result)!r} lacks {needle!r}"
    assert "crm://customers/1" in {str(r.uri) for r in got["resources"].resources}
    # Northwind was created over HTTP, then undo reverted the last change only (a completion).
    assert json.loads(got["pipeline"].contents[0].text)["total_count"] == 9
    assert json.loads(got["profile"].contents[0].text)["name"] == "Globex Corporation"
    assert json.loads(got["week"].contents[0].text)["start"] == "2026-03-02"
    prompts = {p.name for p in got["prompts"].prompts}
    assert prompts >= {"meeting_brief", "weekly_followup_review", "log_meeting_notes"}
    assert 'customer "Globex"' in got["brief"].messages[0].content.text
    # The server's writes are in the shared database, by sam over mcp.
    with crm.read() as s:
        notes = s.exec(select(Interaction).where(Interaction.source == "mcp")).all()
    assert [(n.author, n.body) for n in notes] == [("sam", "Intro meeting, want a pilot in April")]


def post(url: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url, json=INITIALIZE, headers={**ACCEPT, **headers}, timeout=10)


def test_requests_without_the_right_token_or_host_are_refused(crm: ToolContext) -> None:
    with serve(db_of(crm.store), real=True, CRM_MCP_TOKEN=TOKEN) as url:
        refused_without_the_token(url)


def refused_without_the_token(url: str) -> None:
    missing = post(url, {})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert "CRM_MCP_TOKEN" in missing.json()["error_description"]
    assert post(url, {"Authorization": "Bearer wrong-token"}).status_code == 401
    assert post(url, {"Authorization": f"Basic {TOKEN}"}).status_code == 401
    # The SDK client with a wrong token cannot even initialize.
    with pytest.raises(ExceptionGroup) as refused:
        session(url, lambda c: c.list_tools(), token="wrong-token")
    assert refused.group_contains(MCPError)
    # With the token, a request naming a foreign host (DNS rebinding) or from a foreign page is refused.
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert post(url, {**auth, "Host": "evil.example"}).status_code == 421
    assert post(url, {**auth, "Origin": "http://evil.example"}).status_code == 403
    ok = post(url, auth)
    assert ok.status_code == 200 and "crm-assistant" in ok.text


def test_no_auth_is_only_for_loopback(crm: ToolContext) -> None:
    db = db_of(crm.store)
    # Both refusals at once (each process starts in about a second).
    attempts = {
        needle: crm_mcp(db, "--http", "--host", "0.0.0.0", *args)
        for needle, args in [("loopback", ["--no-auth"]), ("CRM_MCP_TOKEN", [])]
    }
    try:
        answers = {needle: process.communicate(timeout=60)[1] for needle, process in attempts.items()}
    finally:
        for process in attempts.values():
            stop(process)
    for needle, stderr in answers.items():
        assert attempts[needle].returncode != 0, needle
        assert needle in stderr and "Traceback" not in stderr, stderr
    # Explicitly without a token on 127.0.0.1: anyone on this machine may call, the Host check still holds.
    with serve(db, "--no-auth") as url:
        assert post(url, {}).status_code == 200
        assert post(url, {"Host": "attacker.example:80"}).status_code == 421
