"""Each rep's MCP token: made once and shown once, kept only as a hash, rotated, revoked; the HTTP
gate lets a request act as the rep its token belongs to, and only for that request."""

from __future__ import annotations

import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from store import Store
from store.models import McpToken
from tools.context import Identity, ToolContext, acting_as
from tools.errors import InvalidArgument, NotFound
from tools.mcp_http import BearerTokenGate, check_http_settings
from tools.tokens import create_token, hash_token, identity_for_token, revoke_token, token_dates
from tools.users import add_user, remove_user


@pytest.fixture
def reps(store: Store) -> Store:
    add_user(store, "kim", timezone="Europe/Berlin")
    add_user(store, "lee")
    return store


def stored_hashes(store: Store) -> list[str]:
    with store.read() as s:
        return [t.token_hash for t in s.exec(select(McpToken))]


def test_a_token_is_shown_once_and_kept_only_as_its_hash(reps: Store) -> None:
    made = create_token(reps, "kim")
    assert made.action == "created" and made.token and made.token.startswith("crm_")
    assert len(made.token) > 40  # 32 random bytes
    assert stored_hashes(reps) == [hash_token(made.token)]
    assert made.token not in stored_hashes(reps)[0]
    who = identity_for_token(reps, made.token)
    assert who is not None and who.name == "kim" and str(who.tz) == "Europe/Berlin"
    assert identity_for_token(reps, made.token + "x") is None
    assert identity_for_token(reps, "") is None
    assert set(token_dates(reps)) == {"kim"}


def test_one_token_per_rep_rotate_replaces_it_revoke_removes_it(reps: Store) -> None:
    first = create_token(reps, "kim")
    with pytest.raises(InvalidArgument, match="already has an MCP token.*--rotate"):
        create_token(reps, "kim")
    assert identity_for_token(reps, first.token or "") is not None  # the refusal changed nothing
    second = create_token(reps, "kim", rotate=True)
    assert second.action == "rotated" and second.token != first.token
    assert identity_for_token(reps, first.token or "") is None
    assert identity_for_token(reps, second.token or "") == Identity("kim", ZoneInfo("Europe/Berlin"))
    revoked = revoke_token(reps, "kim")
    assert revoked.action == "revoked" and revoked.token is None
    assert identity_for_token(reps, second.token or "") is None
    assert stored_hashes(reps) == []
    with pytest.raises(NotFound, match="no MCP token"):
        revoke_token(reps, "kim")
    # Rotating a rep without a token just makes one.
    assert create_token(reps, "lee", rotate=True).action == "created"


def test_only_registered_reps_get_tokens_and_removing_a_rep_ends_theirs(reps: Store) -> None:
    with pytest.raises(NotFound, match="crm users add kmi"):
        create_token(reps, "kmi")
    token = create_token(reps, "lee").token or ""
    remove_user(reps, "lee")
    assert identity_for_token(reps, token) is None
    assert stored_hashes(reps) == []


def test_http_needs_a_shared_token_or_a_reps_token(reps: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_MCP_TOKEN", raising=False)
    with pytest.raises(InvalidArgument, match="crm users token NAME"):
        check_http_settings("127.0.0.1", no_auth=False, store=reps)
    create_token(reps, "kim")
    assert check_http_settings("0.0.0.0", no_auth=False, store=reps) == ""  # reps' tokens only
    monkeypatch.setenv("CRM_MCP_TOKEN", "t0k")
    assert check_http_settings("0.0.0.0", no_auth=False, store=reps) == "t0k"


def test_the_gate_makes_a_request_act_as_the_tokens_rep(reps: Store) -> None:
    ctx = ToolContext(store=reps, actor="sam", source="mcp")
    seen: list[tuple[str, str]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append((ctx.actor, str(ctx.tz)))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": ctx.actor.encode()})

    kim = create_token(reps, "kim").token
    lee = create_token(reps, "lee").token
    client = TestClient(BearerTokenGate(app, "shared", lambda t: identity_for_token(reps, t)))
    assert client.get("/mcp", headers={"Authorization": f"Bearer {kim}"}).text == "kim"
    assert client.get("/mcp", headers={"Authorization": f"Bearer {lee}"}).text == "lee"
    assert client.get("/mcp", headers={"Authorization": "Bearer shared"}).text == "sam"
    assert seen == [("kim", "Europe/Berlin"), ("lee", "UTC"), ("sam", "UTC")]
    assert ctx.actor == "sam"  # nothing leaks out of a request
    revoke_token(reps, "kim")
    refused = client.get("/mcp", headers={"Authorization": f"Bearer {kim}"})
    assert refused.status_code == 401 and "revoked" in refused.json()["error_description"]
    assert client.get("/mcp", headers={"Authorization": "Bearer " + "x" * 5000}).status_code == 401


def test_acting_as_changes_actor_and_zone_only_inside(reps: Store) -> None:
    ctx = ToolContext(store=reps, actor="sam")
    with acting_as(Identity("kim", ZoneInfo("Asia/Tokyo"))):
        assert (ctx.actor, str(ctx.tz)) == ("kim", "Asia/Tokyo")
    assert (ctx.actor, str(ctx.tz)) == ("sam", "UTC")


def test_an_open_batch_is_the_flow_of_control_s_own(reps: Store) -> None:
    """One context serves every HTTP request: a batch open in one thread takes in no other's writes."""
    ctx = ToolContext(store=reps, actor="sam")
    inside, done = threading.Event(), threading.Event()
    seen: dict[str, str | None] = {}

    def request_a() -> None:
        with ctx.batch("a's change") as batch_id:
            seen["a"] = batch_id
            inside.set()
            done.wait(10)
            seen["a_inside"] = ctx._batch_id

    a = threading.Thread(target=request_a)
    a.start()
    assert inside.wait(10)
    seen["b"] = ctx._batch_id  # another request, while a's batch is open
    with ctx.write("b's change") as batch:
        seen["b_write"] = batch.id
    done.set()
    a.join(10)
    assert seen["b"] is None and seen["b_write"] != seen["a"] and seen["a_inside"] == seen["a"]
    assert ctx._batch_id is None
