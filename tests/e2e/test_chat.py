"""`crm chat` as a subprocess, the way a script or a rep at a terminal uses it.

Lines from a pipe are answered in order; `--json` prints one object per input line with `reply`; a
question asked on one line is answered by the next; end of input ends the process with exit code 0.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store import Store
from tests.assistant.corpus import load_book
from tests.conftest import TEMPLATES, NewDb, make_ctx
from tests.e2e.crm_zygote import command
from tools.transfer import export_data

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def chat_env(db: str | Path) -> dict[str, str]:
    return {
        **os.environ,
        "CRM_DB": str(db),
        "CRM_USER": "sam",
        "CRM_NOW": "2026-03-04T14:00:00+00:00",
        "CRM_TZ": "UTC",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }


def crm_chat(db: str | Path, lines: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `crm chat` with `lines` on standard input (a pipe, not a terminal)."""
    return subprocess.run(
        [*command(), "chat", *args],
        input="".join(line + "\n" for line in lines),
        env=chat_env(db),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


TEMPLATES.setdefault("book", load_book)  # as tests/assistant/conftest.py registers it


@pytest.fixture
def db(new_db: NewDb) -> str | Path:
    """The corpus book (from the session's template), for `crm chat` to open."""
    return new_db(template="book")


def book(db: str | Path) -> dict[str, dict]:
    store = Store(db)
    try:
        return {c["name"]: c for c in export_data(make_ctx(store))["customers"]}
    finally:
        store.close()


def test_json_answers_each_line_and_resolves_a_question_across_lines(db: Path) -> None:
    result = crm_chat(
        db,
        [
            "Brightline wants a case study on fleet tracking",
            "motors",
            "who needs follow-up this week?",
            "follow up with Nordlicht in 2 weeks about the pilot",
        ],
        "--json",
    )
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4 and all("reply" in o for o in out)
    assert out[0]["pending"] and "Brightline Motors" in out[0]["reply"]
    assert [c["answer"] for c in out[0]["choices"]][:2] == ["1", "2"]
    assert "Logged" in out[1]["reply"] and "undo" in out[1]["reply"]
    # A request without a date: the note is logged and the rep is asked when (no date is guessed);
    # the next line, a question of its own, is read as new.
    assert out[1]["pending"] and "When should I follow up" in out[1]["reply"]
    assert [a["tool"] for a in out[1]["actions"]] == ["log_interaction"]
    assert "Globex" in out[2]["reply"] and "Acme Corp" in out[2]["reply"]
    assert "Wed 18 Mar" in out[3]["reply"]
    after = book(db)
    assert any("fleet tracking" in i["body"] for i in after["Brightline Motors"]["interactions"])
    assert not any("fleet tracking" in i["body"] for i in after["Brightline Media"]["interactions"])
    assert [f["due"] for f in after["Nordlicht GmbH"]["followups"]] == ["2026-03-18"]


def test_plain_text_from_a_pipe(db: Path) -> None:
    result = crm_chat(db, ["Called Helios yesterday, legal wants a DPA", "", "undo", "help"])
    assert result.returncode == 0, result.stderr
    assert "Logged call with Helios Labs (Tue 3 Mar)" in result.stdout
    assert "Undone" in result.stdout and "follow up" in result.stdout.lower()
    assert not any("DPA" in i["body"] for i in book(db)["Helios Labs"]["interactions"])


def test_a_pending_question_ends_with_the_process(db: Path) -> None:
    first = crm_chat(db, ["Met Zephyr Analytics today, great fit"], "--json")
    assert json.loads(first.stdout)["pending"]
    second = crm_chat(db, ["yes"], "--json")  # a new process: "yes" answers nothing
    assert second.returncode == 0
    assert "Zephyr Analytics" not in book(db)


def test_empty_input_and_odd_bytes_exit_cleanly(db: Path) -> None:
    assert crm_chat(db, [], "--json").returncode == 0
    result = subprocess.run(
        [*command(), "chat", "--json"],
        input=b"\xff\xfe broken\n\n",
        env=chat_env(db),
        cwd=REPO,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 2 and all("reply" in json.loads(line) for line in lines)
    assert b"Traceback" not in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_interactive_prompt_on_a_terminal(db: Path) -> None:
    pid, fd = pty.fork()
    if pid == 0:  # the child: `crm chat` with a terminal for stdin and stdout
        os.chdir(REPO)
        os.execve(sys.executable, [sys.executable, "-m", "assistant", "chat"], chat_env(db))
    seen = b""
    try:
        seen += _read_until(fd, b"> ")
        os.write(fd, b"find bright\n")
        seen += _read_until(fd, b"Brightline Motors")
        if not seen.rstrip().endswith(b">"):
            seen += _read_until(
                fd, b"> "
            )  # a user presses Ctrl-D at the next prompt, not while it is printed
        os.write(fd, b"\x04")  # Ctrl-D ends the session
        seen += _read_until(fd, b"")
    finally:
        status = _reap(pid)
        os.close(fd)
    assert b"crm chat" in seen and b"Brightline Media" in seen
    assert os.waitstatus_to_exitcode(status) == 0


def _reap(pid: int, limit: float = 30.0) -> int:
    """Wait for the child to exit; kill it past `limit` so a failing test fails instead of hanging."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    return os.waitpid(pid, 0)[1]


def _read_until(fd: int, marker: bytes, limit: float = 30.0) -> bytes:
    """Read the terminal until `marker` shows up (or it closes); `limit` guards against a hang."""
    got = b""
    while not marker or marker not in got:
        ready, _, _ = select.select([fd], [], [], limit)
        if not ready:
            raise AssertionError(f"no {marker!r} on the terminal; got {got!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        got += chunk
    return got
