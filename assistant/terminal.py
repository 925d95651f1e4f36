"""What the `crm` command does differently on a terminal: its width, progress lines, yes/no questions.

Piped output stays plain: no progress, no questions, and tables at the width COLUMNS says (80 by
default), so scripts read the same thing every time.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

TICK_SECONDS = 0.5


def width() -> int:
    """The terminal's width in columns (COLUMNS wins; 80 when unknown)."""
    return max(shutil.get_terminal_size((80, 24)).columns, 20)


@contextmanager
def progress(label: str, stream: TextIO | None = None) -> Iterator[Callable[[int, int | None], None]]:
    """Show `label` with the elapsed time (and counts, if the work reports them) while the block runs.

    Yields a callback `report(done, total)` for work that can say how far it is. Silent unless
    `stream` (stderr) is a terminal; the line is cleared when the block ends.
    """
    out = stream or sys.stderr
    if not out.isatty():
        yield _no_report
        return
    start = time.monotonic()
    state: dict[str, object] = {"done": None, "total": None}
    stop = threading.Event()
    lock = threading.Lock()

    def draw() -> None:
        done, total = state["done"], state["total"]
        counts = ""
        if isinstance(done, int):
            counts = f" {done:,}" + (
                f" of {total:,} ({done * 100 // max(total, 1)}%)" if isinstance(total, int) else ""
            )
        with lock:
            out.write(f"\r\033[K{label}…{counts} {time.monotonic() - start:.0f} s")
            out.flush()

    def tick() -> None:
        while not stop.wait(TICK_SECONDS):
            draw()

    def report(done: int, total: int | None = None) -> None:
        state["done"], state["total"] = done, total

    draw()
    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        yield report
    finally:
        stop.set()
        ticker.join()
        with lock:
            out.write("\r\033[K")
            out.flush()


def _no_report(done: int, total: int | None = None) -> None:
    """The progress callback when nothing is shown."""


def confirm(question: str) -> bool:
    """Ask yes/no on the terminal; False when there is no terminal to ask on, or on Ctrl-C / Ctrl-D."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return False
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    try:
        answer = sys.stdin.readline()
    except KeyboardInterrupt:
        answer = ""
    return answer.strip().lower() in ("y", "yes")
