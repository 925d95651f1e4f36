"""Issue #11, items 3 and 4: bad arguments are refused at the edge, in a short message, and store nothing.

Each case once crashed a surface ("Error executing tool", a traceback from `crm tool`) or was
stored and broke later commands (an infinite deal value made the export invalid JSON).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import db_of as db_of_store
from tests.reliability.surfaces import fingerprint, mcp_calls, one_line_error, run_crm, text_of
from tools.context import ToolContext

pytestmark = pytest.mark.e2e

BIG = "x" * 100_000
CRASHERS = [
    ("get_customer", {"customer": 9223372036854775808}),
    ("get_customer", {"customer": "9223372036854775808"}),
    ("find_customers", {"cursor": "o²"}),
    ("find_customers", {"cursor": "o" + "9" * 5000}),
    ("log_interaction", {"customer": "Acme", "body": "x", "occurred_at": "2026-03-04T10:00:00+99:00"}),
    ("log_interaction", {"customer": "Acme", "body": "x", "occurred_at": "0001-01-01T00:00:00+14:00"}),
    ("find_customers", {"query": BIG}),
    ("create_customer", {"name": BIG}),
    ("create_customer", {"name": "Infinite Ltd", "value": 1e309}),
    ("update_customer", {"customer": "Acme", "value": float("nan")}),
    ("complete_followup", {"followup_id": -1}),
    ("list_followups", {"cursor": "o-1"}),
]


def db_of(ctx: ToolContext) -> Path | str:
    return db_of_store(ctx.store)  # the SQLite file, or the PostgreSQL URL


def test_mcp_refuses_each_bad_argument_as_a_short_tool_error_and_stores_nothing(crm: ToolContext) -> None:
    db = db_of(crm)
    before = fingerprint(db)
    # The JSON encoder would refuse NaN/Infinity; MCP clients send what their JSON has, so send text.
    calls = [
        (name, {k: (str(v) if isinstance(v, float) else v) for k, v in args.items()})
        for name, args in CRASHERS
    ]
    results = mcp_calls(db, [*calls, ("pipeline_summary", {})])
    for (name, _args), result in zip(CRASHERS, results, strict=False):
        message = text_of(result)
        assert result.is_error, (name, message[:200])
        said = message.removeprefix(f"Error executing tool {name}:").strip()
        assert len(said) > 20, (name, message[:200])  # a reason, not a bare "Error executing tool"
        assert not any(w in said for w in ("OverflowError", "ValueError", "Traceback")), (name, said[:200])
        assert len(message) < 600, (name, len(message))  # never the whole 100 KB input
    assert not results[-1].is_error  # the server is still up and answering
    assert fingerprint(db) == before


@pytest.mark.parametrize(("name", "args"), [CRASHERS[0], CRASHERS[2], CRASHERS[4], CRASHERS[6]])
def test_crm_tool_refuses_in_one_line(crm: ToolContext, name: str, args: dict) -> None:
    line = one_line_error(run_crm("tool", name, json.dumps(args), db=db_of(crm)))
    assert line.startswith("crm: ") and len(line) < 300


def test_an_infinite_value_never_reaches_the_export(crm: ToolContext) -> None:
    db = db_of(crm)
    one_line_error(run_crm("tool", "create_customer", '{"name": "Infinite Ltd", "value": 1e309}', db=db))
    exported = run_crm("export", db=db)
    assert exported.returncode == 0
    json.loads(exported.stdout, parse_constant=lambda c: pytest.fail(f"export holds {c}"))


def test_a_user_with_an_unknown_zone_or_a_text_telegram_id_is_refused(crm: ToolContext) -> None:
    db = db_of(crm)
    line = one_line_error(run_crm("users", "add", "bob", "--tz", "Mars/Olympus", db=db))
    assert "timezone" in line.lower()
    from tools.errors import InvalidArgument
    from tools.users import add_user

    with pytest.raises(InvalidArgument, match="Telegram id"):
        add_user(crm.store, "bob", telegram_id="12345")
    with pytest.raises(InvalidArgument, match="timezone"):
        add_user(crm.store, "bob", timezone="x" * 5000)
    assert run_crm("find", "acme", db=db, CRM_USER="bob").returncode == 0  # bob's commands still work
