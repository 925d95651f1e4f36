"""Run the benchmark suite and write its Markdown table.

    python -m bench --scale small            # a couple of minutes: CI-sized data
    python -m bench --scale full --out docs/benchmarks-table.md

Full-scale data is generated once (about a minute) and cached under bench/.cache/; runs work on a
copy of it, so the cache is never written to.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench import data, inprocess, processes, report

PARTS = ("tools", "mcp", "import")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", choices=sorted(data.SCALES), default="small", help="data size (default: small)")
    p.add_argument("--reps", type=int, default=None, help="timed repetitions per operation (default by scale)")
    p.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts to run: {', '.join(PARTS)}")
    p.add_argument("--out", type=Path, default=None, help="also write the Markdown table to this file")
    p.add_argument("--cache", type=Path, default=data.CACHE, help="where generated data is kept")
    return p.parse_args(argv)


def run(scale_name: str, *, reps: int | None = None, only: tuple[str, ...] = PARTS, cache: Path = data.CACHE,
        log=print) -> str:  # type: ignore[no-untyped-def]
    """Generate (or reuse) the data, run the chosen parts, and return the Markdown report."""
    started = time.perf_counter()
    scale = data.SCALES[scale_name]
    reps = reps or {"tiny": 5, "small": 100, "full": 200}[scale_name]
    cache.mkdir(parents=True, exist_ok=True)
    source = data.cached_db(scale, cache, log=log)
    work = data.working_copy(source, cache / f"work-{scale.name}.db")
    rows = []
    if "tools" in only:
        log("tool layer (in process):")
        rows += inprocess.run(work, reps, log=log)
    if "mcp" in only:
        log("MCP server over stdio:")
        inputs = inprocess.pick_inputs(work)
        rows += processes.mcp_rows(work, inputs.ids, inputs.typo_queries, reps,
                                   starts=3 if scale_name == "tiny" else 8, log=log)
    if "import" in only:
        log(f"crm import of {scale.customers:,} customers:")
        rows.append(processes.import_row(cache, scale.customers, runs=1 if scale_name == "full" else 2, log=log))
    return report.table(rows, scale, reps, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    only = tuple(p.strip() for p in args.only.split(",") if p.strip())
    unknown = set(only) - set(PARTS)
    if unknown:
        print(f"unknown part(s): {', '.join(sorted(unknown))} (choose from {', '.join(PARTS)})", file=sys.stderr)
        return 2
    text = run(args.scale, reps=args.reps, only=only, cache=args.cache,
               log=lambda msg: print(msg, file=sys.stderr, flush=True))
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0
