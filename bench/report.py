"""The Markdown table a run writes, with the machine it ran on."""
from __future__ import annotations

import os
import platform
import sqlite3
import sys
from datetime import datetime, timezone

from bench.data import Scale
from bench.timing import Row


def machine() -> str:
    """One line about where the numbers came from."""
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import rapidfuzz
    import sqlalchemy

    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; Python "
            f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, SQLAlchemy {sqlalchemy.__version__}, "
            f"rapidfuzz {rapidfuzz.__version__}")


def _num(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.1f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def _target(row: Row) -> str:
    if row.target is None:
        return "—"
    value = row.target / 1000 if row.unit == "ms" and row.target >= 1000 else row.target
    unit = "s" if row.unit == "ms" and row.target >= 1000 else row.unit
    return f"≤ {value:g} {unit}"


def table(rows: list[Row], scale: Scale, reps: int, seconds: float) -> str:
    """The report: the results table, then what each floor is, then notes."""
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        f"Scale **{scale.name}**: {scale.customers:,} customers, {scale.interactions:,} interactions, "
        f"{scale.followups:,} follow-ups; {reps} timed repetitions per operation after warm-up. "
        f"Run {when}, {seconds:.0f} s in all.",
        "",
        f"Machine: {machine()}.",
        "",
        "| operation | target (median) | median | p95 | floor (median) | ratio to floor | meets target |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        res = r.result
        meets = {True: "yes", False: "**no**", None: "—"}[r.meets]
        ratio = f"{r.ratio:.1f}×" if r.ratio is not None else "—"
        out.append(
            f"| {r.operation} | {_target(r)} | {_num(res.median, r.unit) if res else 'skipped'} | "
            f"{_num(res.p95, r.unit) if res and res.n > 1 else '—'} | "
            f"{_num(r.floor.median, r.unit) if r.floor else '—'} | {ratio} | {meets} |"
        )
    out += ["", "Floors (the same work with `sqlite3` and `rapidfuzz` alone, measured in the same run):", ""]
    out += [f"- {r.operation}: {r.floor_what}" for r in rows if r.floor_what]
    notes = [f"- {r.operation}: {r.note}" for r in rows if r.note]
    if notes:
        out += ["", "Notes:", "", *notes]
    return "\n".join(out) + "\n"


def python_command() -> str:
    return " ".join([os.path.basename(sys.executable), "-m", "bench"])
