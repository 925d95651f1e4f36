"""A fuzz of `crm chat --json` lines through the real command: any text gets exactly one JSON answer.

Only what must hold for any input is asserted — no traceback, no crash, one JSON object with a
"reply" per input line — with few, derandomized examples, since each is a subprocess.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Databases, db_of
from tests.reliability.surfaces import run_crm
from tools.context import ToolContext

pytestmark = pytest.mark.e2e

WORDS = st.sampled_from(
    [
        "met",
        "Acme",
        "Globex",
        "tomorrow",
        "follow up",
        "next Tuesday",
        "set",
        "to stage",
        "banana",
        "won",
        "lost",
        "undo",
        "yes",
        "no",
        "1",
        "2",
        "both",
        "call",
        "email",
        "note:",
        "$5,000",
        "🎉",
        "=SUM(A1)",
        "%s",
        "{}",
        "\\",
        "'",
        '"',
        "Holly Park",
        "Brightline",
        "at 10am",
        "on the 31st",
        "Feb 30",
        "9223372036854775808",
    ]
)
LINE = st.one_of(
    st.lists(WORDS, min_size=1, max_size=8).map(" ".join),
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs",), blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
        ),
        max_size=60,
    ),
    st.just("x" * 5000),
)


@pytest.fixture(scope="module")
def chat_db(databases: Databases, tmp_path_factory: pytest.TempPathFactory) -> str | Path:
    """The conftest sample book (from the session's template), shared by the fuzz's examples."""
    return databases.new(tmp_path_factory.mktemp("chat"), template="sample")


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(LINE, min_size=1, max_size=12))
def test_every_line_gets_one_json_reply(chat_db: str | Path, lines: list[str]) -> None:
    result = run_crm("chat", "--json", db=chat_db, stdin="".join(line + "\n" for line in lines), timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    answers = result.stdout.splitlines()
    assert len(answers) == len(lines), (lines, answers)
    for answer in answers:
        data = json.loads(answer)
        assert isinstance(data, dict) and isinstance(data.get("reply"), str)


def test_the_chat_fuzz_is_answered_by_the_engine(crm: ToolContext) -> None:
    # A guard on the fuzz: a plain message gets a real reply, not only an echo of the format.
    db = db_of(crm.store)
    result = run_crm("chat", "--json", db=db, stdin="Met Dana at Acme, they want a proposal\n")
    assert "Acme Corp" in json.loads(result.stdout.splitlines()[0])["reply"]
