"""`crm chat` on a real (pseudo-)terminal: line editing and history, exit/quit, and help or cancel
typed while a question is pending."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import NewDb
from tests.e2e.test_cli import NOW, REPO

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal"),
]


class Terminal:
    """`crm chat` running on a pseudo-terminal; type into it and read what it shows."""

    def __init__(self, db: str | Path, data_home: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
        env.update(
            CRM_DB=str(db),
            CRM_USER="sam",
            CRM_NOW=NOW,
            CRM_TZ="UTC",
            TERM="xterm",
            XDG_DATA_HOME=str(data_home),
            PYTHONPATH=str(REPO),
        )
        self.fd, follower = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "chat"],
            cwd=REPO,
            env=env,
            stdin=follower,
            stdout=follower,
            stderr=follower,
            close_fds=True,
        )
        os.close(follower)
        self.seen = b""

    def read_until(self, marker: bytes, limit: float = 30.0) -> bytes:
        start, deadline = len(self.seen), time.monotonic() + limit
        while marker not in self.seen[start:]:
            ready, _, _ = select.select([self.fd], [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                raise AssertionError(f"no {marker!r} on the terminal; it shows {self.seen[start:]!r}")
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                raise AssertionError(
                    f"the terminal closed before {marker!r}; it showed {self.seen[start:]!r}"
                )
            self.seen += chunk
        return self.seen[start:]

    def type(self, keys: bytes, then: bytes = b"> ") -> str:
        os.write(self.fd, keys)
        return self.read_until(then).decode(errors="replace")

    def close(self) -> int:
        try:
            return self.proc.wait(30)
        finally:
            os.close(self.fd)


@pytest.fixture
def chat(tmp_path: Path, new_db: NewDb) -> Terminal:
    db = new_db(template="demo")  # what `crm demo` leaves, from the session's template
    term = Terminal(db, tmp_path / "data")
    term.read_until(b"> ")
    yield term
    if term.proc.poll() is None:
        term.proc.kill()
        term.close()


def test_up_arrow_recalls_the_last_line_and_history_is_kept(chat: Terminal, tmp_path: Path) -> None:
    first = chat.type(b"find acme\r")
    assert "Acme Corp" in first
    again = chat.type(b"\x1b[A\r")  # the up arrow brings back "find acme"
    assert "^[[A" not in again and "Acme Corp" in again
    assert "Bye" in chat.type(b"exit\r", then=b"Bye")
    assert chat.close() == 0
    history = tmp_path / "data" / "crm-assistant" / "chat_history"
    assert "find acme" in history.read_text()
    assert history.stat().st_mode & 0o077 == 0  # private to the rep


def test_help_and_cancel_are_commands_while_a_question_is_pending(chat: Terminal) -> None:
    asked = chat.type(b"Met Orchid Florals today, they want roses\r")
    assert "Orchid Florals" in asked and "?" in asked
    helped = chat.type(b"help\r")
    assert "Try:" in helped and "still waiting for your answer" in helped
    assert "Orchid" not in helped.split("Try:")[0]  # not read as a name
    dropped = chat.type(b"cancel\r")
    assert "dropped that question" in dropped and "nothing was saved" in dropped
    assert "Bye" in chat.type(b"quit\r", then=b"Bye")
    assert chat.close() == 0
