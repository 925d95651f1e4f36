"""A fuzz of every tool's arguments, as an MCP client (or a confused model) could send them.

Any call either succeeds or is refused with a validation error or a domain error (what the MCP
server turns into a tool error the model can read); nothing else may escape, and a refused call
leaves the database exactly as it was. The examples are bounded and derandomized so CI is stable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from store import Store
from tests.conftest import Databases, make_ctx
from tests.reliability.surfaces import fingerprint
from tools.errors import USER_ERRORS
from tools.registry import TOOLS, ToolSpec

PLAUSIBLE = st.sampled_from(
    [
        "Acme",
        "Acme Corp",
        "acme corp",
        "Globex",
        "Brightline",
        "Holly Park",
        "#1",
        "1",
        "0",
        "-1",
        "Zebra Ltd",
        "2026-03-04",
        "2026-03-04T10:00:00",
        "2026-03-04T10:00:00+02:00",
        "tomorrow",
        "next Tuesday 10am",
        "yesterday",
        "Feb 30",
        "proposal",
        "signed",
        "won",
        "banana",
        "note",
        "call",
        "this_week",
        "range",
        "9999-12-31",
        "0001-01-01",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "in 9999 years",
        "o0",
        "o3",
        "o²",
        "sam",
        "kim",
        "",
        " ",
        "\x00",
        "Robert'); DROP TABLE customer;--",
        "=1+2",
        "🎉",
    ]
)
EDGES = st.sampled_from([2**63, 2**63 - 1, 2**64, -(2**63) - 1, 10**30, 0, -1, 1e309, -1e309, 1e308, 5e-324])
SCALARS = st.one_of(
    EDGES,
    EDGES,  # twice: the values at the edges of int64 and float are where the crashes were
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(min_size=250, max_size=400),
    PLAUSIBLE,
)
VALUES = st.one_of(
    SCALARS, st.lists(SCALARS, max_size=4), st.dictionaries(st.text(max_size=8), SCALARS, max_size=3)
)


# Arguments that pass validation, so that one or two fuzzed ones reach deep into the tool.
VALID = {
    "customer": "Acme Corp",
    "body": "called Dana",
    "due": "tomorrow",
    "stage": "won",
    "query": "acme",
    "followup_id": 1,
    "name": "Fuzz Co",
    "scope": "range",
    "start": "2026-03-01",
    "end": "2026-03-31",
}


def arguments(spec: ToolSpec) -> st.SearchStrategy[dict[str, Any]]:
    names = sorted(spec.input.model_fields)
    keys = st.sampled_from([*names, "unknown_argument"]) if names else st.just("unknown_argument")
    random_args = st.dictionaries(keys, VALUES, max_size=len(names) + 1)
    base = {k: v for k, v in VALID.items() if k in names}
    near_valid = st.dictionaries(keys, VALUES, min_size=1, max_size=2).map(lambda over: {**base, **over})
    return st.one_of(random_args, near_valid)


@pytest.fixture(scope="module")
def fuzz_db(databases: Databases, tmp_path_factory: pytest.TempPathFactory) -> str | Path:
    """The conftest sample book (from the session's template), shared by the module's examples."""
    return databases.new(tmp_path_factory.mktemp("fuzz"), template="sample")


def _call(spec: ToolSpec, db: str | Path, args: dict[str, Any]) -> None:
    store = Store(db)
    try:
        before = fingerprint(db)
        ctx = make_ctx(store, actor="fuzzer", source="mcp")  # its undo cannot remove the sample itself
        try:
            request = spec.input.model_validate(args)
            result = spec.func(ctx, request)
        except (ValidationError, *USER_ERRORS):
            assert fingerprint(db) == before, f"{spec.name}({args!r}) was refused but changed the database"
            return
        # A result must be valid JSON for an MCP client: no NaN or Infinity in it.
        text = json.dumps(result.model_dump(mode="json"), allow_nan=False)
        assert text
    finally:
        store.close()


@pytest.mark.parametrize("spec", TOOLS, ids=[t.name for t in TOOLS])
def test_any_arguments_are_answered_or_refused_cleanly(spec: ToolSpec, fuzz_db: Path) -> None:
    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(arguments(spec))
    def check(args: dict[str, Any]) -> None:
        _call(spec, fuzz_db, args)

    check()


def test_the_fuzz_reaches_the_tools_not_only_the_validation(fuzz_db: Path) -> None:
    # A guard on the fuzz itself: plausible arguments get past validation and do write.
    spec = next(t for t in TOOLS if t.name == "log_interaction")
    before = fingerprint(fuzz_db)
    _call(spec, fuzz_db, {"customer": "Acme Corp", "body": "fuzz guard"})
    assert fingerprint(fuzz_db) != before
