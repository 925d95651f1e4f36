"""The Markdown table a run writes, with the machine it ran on."""

from __future__ import annotations

import os
import platform
import sqlite3
from datetime import UTC, datetime

import rapidfuzz
import sqlalchemy

from bench.data import Scale
from bench.timing import Row


def machine() -> str:
    """One line about where the numbers came from."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, SQLAlchemy {sqlalchemy.__version__}, "
        f"rapidfuzz {rapidfuzz.__version__}"
    )


def _num(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s" if value < 0.1 else f"{value:.2f} s" if value < 1 else f"{value:.1f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def _target(row: Row) -> str:
    if row.target is None:
        return "—"
    value = row.target / 1000 if row.unit == "ms" and row.target >= 1000 else row.target
    unit = "s" if row.unit == "ms" and row.target >= 1000 else row.unit
    return f"≤ {value:g} {unit}"


def _ratio(value: float) -> str:
    return f"{value:.3f}" if value < 0.1 else f"{value:.2f}"


def ratio_table(rows: list[Row]) -> list[str]:
    """The SPEC's ratio targets: each measured beside its floor or reference in this run."""
    chosen = [r for r in rows if r.ratio_target is not None]
    if not chosen:
        return []
    out = [
        "",
        "The SPEC's ratio targets (each side measured in this run, ratio of the medians):",
        "",
        "| ratio | measured | floor / reference | ratio | target | meets target |",
        "|---|---|---|---|---|---|",
    ]
    for r in chosen:
        got = _num(r.result.median, r.unit) if r.result else "skipped"
        ref = _num(r.floor.median, r.unit) if r.floor else "—"
        ratio = "—" if r.ratio is None else _ratio(r.ratio)
        meets = {True: "yes", False: "**no**", None: "—"}[r.meets_ratio]
        out.append(
            f"| {r.operation} ÷ {r.extra.get('ref', 'its floor')} | {got} | {ref} | {ratio} | "
            f"≤ {r.ratio_target:g} | {meets} |"
        )
    absolute = [r for r in rows if r.ratio_target is None and r.extra.get("limit") is not None]
    for r in absolute:  # a target that is a bound, not a ratio (the longest wait of another writer)
        got = _num(r.result.median, r.unit) if r.result else "skipped"
        meets = {True: "yes", False: "**no**", None: "—"}[r.meets]
        out.append(f"| {r.operation} | {got} | — | — | {_target(r)} | {meets} |")
    return out


BEGIN = "<!-- bench:results:begin (written by `python -m bench --scale full`) -->"
END = "<!-- bench:results:end -->"


def table(
    rows: list[Row],
    scale: Scale,
    reps: int,
    seconds: float,
    load_before: float | None = None,
    load_after: float | None = None,
    backend: str = "SQLite",
) -> str:
    """The report: the results table, then what each floor is, then notes."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = f" Load average (1 min) when it started: {load_before:.2f}" if load_before is not None else ""
    load += f", when it ended: {load_after:.2f}." if load_after is not None else "." if load else ""
    out = [
        f"Scale **{scale.name}**: {scale.customers:,} customers, {scale.interactions:,} interactions, "
        f"{scale.followups:,} follow-ups; {reps} timed repetitions per operation after warm-up. "
        f"Database: {backend}. Run {when}, {seconds:.0f} s in all.",
        "",
        f"Machine: {machine()}.{load}",
        "",
        "| operation | target (median) | median | p95 | CPU time | floor (median) | ratio to floor "
        "| meets target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        res = r.result
        meets = {True: "yes", False: "**no**", None: "—"}[r.meets]
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}×" if r.ratio < 1 else f"{r.ratio:.1f}×"
        out.append(
            f"| {r.operation} | {_target(r)} | {_num(res.median, r.unit) if res else 'skipped'} | "
            f"{_num(res.p95, r.unit) if res and res.n > 1 else '—'} | "
            f"{_num(res.cpu, r.unit) if res and res.cpu is not None and r.cpu_meaningful else '—'} | "
            f"{_num(r.floor.median, r.unit) if r.floor else '—'} | {ratio} | {meets} |"
        )
    out += ratio_table(rows)
    out += [
        "",
        "Median and p95 are wall-clock times. CPU time is what the code itself used, unaffected by other "
        "processes on the cores: the median thread CPU time for in-process operations; for `crm mcp` and "
        "`crm import`, the subprocess's own CPU (for round trips, the mean per call from /proc). Ratios and "
        "verdicts use the wall-clock median.",
        "",
        "Floors (the same work with `sqlite3` and `rapidfuzz` alone, measured in the same run):",
        "",
    ]
    out += [f"- {r.operation}: {r.floor_what}" for r in rows if r.floor_what]
    notes = [f"- {r.operation}: {r.note}" for r in rows if r.note]
    if notes:
        out += ["", "Notes:", "", *notes]
    return "\n".join(out) + "\n"
