"""How each operation grows with the data: 10,000 → 100,000 → 1,000,000 customers.

Every run keeps its medians in the cache (results-<scale>.json); `python -m bench --growth` puts
the medium, full and huge runs side by side, with each step's factor. The SPEC asks that at
1,000,000 customers every operation stays within twice its 100,000-customer time.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bench.timing import Row

STEPS = ("medium", "full", "huge")


def save(cache: Path, scale: str, rows: list[Row], header: str) -> None:
    """Keep this run's medians; a partial run (--only) replaces only the operations it measured."""
    path = cache / f"results-{scale}.json"
    old: dict[str, Any] = (
        json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"header": "", "rows": []}
    )
    fresh = [r.as_json() for r in rows]
    names = {r["operation"] for r in fresh}
    merged = [r for r in old["rows"] if r["operation"] not in names] + fresh
    if len(merged) > len(fresh):  # say which rows came from which run
        header = f"{old['header']}; {len(fresh)} of the rows from a partial {header}"
    path.write_text(json.dumps({"header": header, "rows": merged}, indent=1), encoding="utf-8")


def saved(cache: Path, scale: str) -> list[dict[str, Any]]:
    path = cache / f"results-{scale}.json"
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["rows"] if path.exists() else []
    return rows


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "s":
        return f"{value:.2f} s" if value < 1 else f"{value:.1f} s"
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms"


def _cell(row: dict[str, Any] | None, unit: str) -> str:
    if not row or row.get("median") is None:
        return "—"
    cpu = f" ({_fmt(row['cpu'], unit)})" if row.get("cpu") else ""
    return _fmt(row["median"], unit) + cpu


def _factor(a: dict[str, Any] | None, b: dict[str, Any] | None) -> str:
    if not (a and b and a.get("median") and b.get("median")):
        return "—"
    if a.get("cpu") and b.get("cpu"):
        return f"{b['cpu'] / a['cpu']:.2f} (CPU)"
    return f"{b['median'] / a['median']:.2f}"


def table(cache: Path) -> str:
    """The growth table from whichever of the three runs exist."""
    runs: dict[str, dict[str, Any]] = {}
    for step in STEPS:
        path = cache / f"results-{step}.json"
        if path.exists():
            runs[step] = json.loads(path.read_text(encoding="utf-8"))
    if not runs:
        return "no saved runs (run `python -m bench --scale medium|full|huge` first)\n"
    ops: dict[str, dict[str, dict[str, Any]]] = {}
    for step, run in runs.items():
        for r in run["rows"]:  # "import of 10,000 customers" and "… of 100,000 …" are one operation
            ops.setdefault(re.sub(r"\d{1,3}(,\d{3})+", "N", r["operation"]), {})[step] = r
    out = [
        "| operation | 10,000 customers | 100,000 | 1,000,000 | × 10k→100k | × 100k→1M "
        "| 1M within 2× of 100k |",
        "|---|---|---|---|---|---|---|",
    ]
    for op, by_step in ops.items():
        unit = next(iter(by_step.values()))["unit"]
        cells = [_cell(by_step.get(s), unit) for s in STEPS]
        factors = [_factor(by_step.get(a), by_step.get(b)) for a, b in zip(STEPS, STEPS[1:], strict=False)]
        within = "—" if factors[1] == "—" else "yes" if float(factors[1].split()[0]) <= 2 else "**no**"
        out.append(f"| {op} | {' | '.join(cells)} | {factors[0]} | {factors[1]} | {within} |")
    out += [
        "",
        "Each cell is the wall-clock median, with the CPU time of the code in brackets where it is "
        "measured; a factor is of CPU times where both runs have them (wall times move with the load "
        "on the shared cores), else of wall times.",
        "",
    ]
    sizes = {"medium": "10,000", "full": "100,000", "huge": "1,000,000"}
    out += [f"- {sizes[step]} customers: {run['header']}" for step, run in runs.items()]
    return "\n".join(out) + "\n"
