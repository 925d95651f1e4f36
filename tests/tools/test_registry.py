"""The tool list every surface adapts: the 16 SPEC tools, documented, typed, with honest hints."""

from __future__ import annotations

import inspect

from pydantic import BaseModel

from tools.registry import TOOLS, TOOLS_BY_NAME
from tools.schemas import Input, Output

SPEC_TOOLS = {
    "find_customers",
    "get_customer",
    "create_customer",
    "update_customer",
    "add_contact",
    "log_interaction",
    "set_stage",
    "schedule_followup",
    "complete_followup",
    "reschedule_followup",
    "list_followups",
    "search_interactions",
    "pipeline_summary",
    "stale_customers",
    "recent_changes",
    "undo",
}
READ_ONLY = {
    "find_customers",
    "get_customer",
    "list_followups",
    "search_interactions",
    "pipeline_summary",
    "stale_customers",
    "recent_changes",
}


def test_exactly_the_spec_tools_once_each() -> None:
    names = [t.name for t in TOOLS]
    assert len(names) == len(set(names)) == 16
    assert set(names) == SPEC_TOOLS
    assert set(TOOLS_BY_NAME) == SPEC_TOOLS


def test_each_tool_is_documented_for_an_ai_caller() -> None:
    for t in TOOLS:
        assert len(t.description) >= 40, t.name
        assert t.title and t.title[0].isupper(), t.name


def test_each_tool_takes_a_context_and_one_pydantic_input_and_returns_pydantic() -> None:
    for t in TOOLS:
        assert issubclass(t.input, Input) and issubclass(t.input, BaseModel), t.name
        assert issubclass(t.output, Output), t.name
        params = list(inspect.signature(t.func).parameters.values())
        assert [p.name for p in params[:2]] == ["ctx", "req"], t.name
        assert all(p.kind is p.KEYWORD_ONLY for p in params[2:]), t.name
        # Both schemas are usable as JSON Schema (MCP input and structured output).
        assert t.input.model_json_schema()["type"] == "object", t.name
        assert t.output.model_json_schema()["type"] == "object", t.name


def test_every_input_field_is_described_or_self_explanatory() -> None:
    obvious = {
        "email",
        "phone",
        "limit",
        "cursor",
        "start",
        "end",
        "kind",
        "followup_id",
        "owner",
        "role",
        "value",
    }
    for t in TOOLS:
        props = t.input.model_json_schema().get("properties", {})
        for name, schema in props.items():
            assert name in obvious or schema.get("description"), f"{t.name}.{name}"


def test_shared_argument_names() -> None:
    """SPEC: `customer` wherever a customer is meant, and the other shared names."""
    shared = {
        "customer",
        "query",
        "body",
        "kind",
        "occurred_at",
        "stage",
        "due",
        "description",
        "followup_id",
        "owner",
        "scope",
        "start",
        "end",
        "days",
        "limit",
        "cursor",
    }
    for t in TOOLS:
        fields = set(t.input.model_fields)
        assert not {"customer_id", "customer_name", "name_or_id", "text", "note", "date"} & fields, t.name
        assert fields <= shared | {
            "name",
            "email",
            "phone",
            "tags",
            "value",
            "contact",
            "role",
            "add_tags",
            "remove_tags",
            "status",
            "actor",
            "idempotency_key",
        }, t.name


def test_every_creating_write_takes_an_idempotency_key() -> None:
    """SPEC: an optional `idempotency_key` on creating writes, and only there."""
    creating = {"create_customer", "add_contact", "log_interaction", "schedule_followup"}
    for t in TOOLS:
        field = t.input.model_fields.get("idempotency_key")
        assert (field is not None) == (t.name in creating), t.name
        if field is not None:
            assert not field.is_required() and field.description, t.name


def test_hints_match_what_the_tools_do() -> None:
    for t in TOOLS:
        assert t.read_only == (t.name in READ_ONLY), t.name
        if t.read_only:
            assert not t.destructive, t.name
    assert TOOLS_BY_NAME["undo"].destructive
    assert not TOOLS_BY_NAME["log_interaction"].idempotent  # logging twice logs two notes
