"""How each operation grows with the data: 10,000 → 100,000 → 1,000,000 customers.

Every run keeps its medians in the cache (results-<scale>.json); `python -m bench --growth` puts
the medium, full and huge runs side by side, with each step's factor. The SPEC asks that at
1,000,000 customers every operation stays within twice its 100,000-customer time.
"""
from __future__ import annotations

import json
from pathlib import Path

from bench.timing import Row

STEPS = ("medium", "full", "huge")


def save(cache: Path, scale: str, rows: list[Row], header: str) -> None:
    """Keep this run's medians; a partial run (--only) replaces only the operations it measured."""
    path = cache / f"results-{scale}.json"
    kept = json.loads(path.read_text(encoding="utf-8"))["rows"] if path.exists() else []
    fresh = [r.as_json() for r in rows]
    names = {r["operation"] for r in fresh}
    merged = [r for r in kept if r["operation"] not in names] + fresh
    path.write_text(json.dumps({"header": header, "rows": merged}, indent=1), encoding="utf-8")


def saved(cache: Path, scale: str) -> list[dict]:
    path = cache / f"results-{scale}.json"
    return json.loads(path.read_text(encoding="utf-8"))["rows"] if path.exists() else []


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "s":
        return f"{value:.1f} s"
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms"


def table(cache: Path) -> str:
    """The growth table from whichever of the three runs exist."""
    runs = {}
    for step in STEPS:
        path = cache / f"results-{step}.json"
        if path.exists():
            runs[step] = json.loads(path.read_text(encoding="utf-8"))
    if not runs:
        return "no saved runs (run `python -m bench --scale medium|full|huge` first)\n"
    ops: dict[str, dict[str, dict]] = {}
    for step, run in runs.items():
        for r in run["rows"]:
            ops.setdefault(r["operation"], {})[step] = r
    out = ["| operation | 10,000 customers | 100,000 | 1,000,000 | × 10k→100k | × 100k→1M | within 2× of 100k |",
           "|---|---|---|---|---|---|---|"]
    for op, by_step in ops.items():
        unit = next(iter(by_step.values()))["unit"]
        values = [by_step.get(s, {}).get("median") for s in STEPS]
        factors = [f"{b / a:.2f}" if a and b else "—" for a, b in zip(values, values[1:])]
        within = "—" if not (values[1] and values[2]) else "yes" if values[2] <= 2 * values[1] else "**no**"
        out.append(f"| {op} | {' | '.join(_fmt(v, unit) for v in values)} | {factors[0]} | {factors[1]} | {within} |")
    out += ["", *[f"- {STEPS.index(s) and ['', '100,000', '1,000,000'][STEPS.index(s)] or '10,000'}: {runs[s]['header']}"
                  for s in runs]]
    return "\n".join(out) + "\n"
