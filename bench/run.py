"""Run the benchmark suite and write its Markdown table.

    python -m bench --scale small                 # CI-sized data, about 30 s; prints the table
    python -m bench --scale full                  # 100,000 customers; also updates docs/benchmarks.md
    python -m bench --scale full --out FILE.md    # ... or writes the table to FILE.md instead
    python -m bench --scale huge --out FILE.md    # 1,000,000 customers (generation takes minutes, once)
    python -m bench --growth                      # the saved medium/full/huge medians side by side

Data is generated once per scale, generator version and schema, and cached (~/.cache/crm-bench, or
$CRM_BENCH_CACHE); runs work on a copy of it, so the cache is never written to.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import data, growth, hard_names, inprocess, mcp_bench, processes, report, writer_wait

PARTS = ("tools", "mcp", "import")
ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
DEFAULT_REPS = {"tiny": 3, "small": 100, "medium": 200, "full": 200, "huge": 60}


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description=(__doc__ or "").split("\n\n")[0],
        epilog="Full runs replace the results section of docs/benchmarks.md unless --out is given.",
    )
    p.add_argument("--scale", choices=list(data.SCALES), default="small", help="data size (default: small)")
    p.add_argument(
        "--reps", type=int, default=None, help="timed repetitions per operation (default by scale)"
    )
    p.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated parts to run: {', '.join(PARTS)}"
    )
    p.add_argument("--out", type=Path, default=None, help="write the Markdown table to this file")
    p.add_argument(
        "--growth",
        action="store_true",
        help="print how each operation grows across the saved medium, full and huge runs, and exit",
    )
    p.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help="run the product against this database (e.g. postgresql://…): the cached data is copied "
        "into it (replacing what it holds) with store.copy; floors stay bare sqlite3 on the same data",
    )
    p.add_argument(
        "--cache", type=Path, default=data.CACHE, help=f"where generated data is kept (default {data.CACHE})"
    )
    return p.parse_args(argv)


def run(
    scale_name: str,
    *,
    reps: int | None = None,
    only: tuple[str, ...] = PARTS,
    cache: Path = data.CACHE,
    log: Callable[[str], None] = print,
    product: str | None = None,
) -> str:
    """Generate (or reuse) the data, run the chosen parts, and return the Markdown report.

    With `product` (a database URL) the tool layer and `crm mcp` run on a copy of the data there;
    the hard names and the import (into a fresh SQLite file) are measured on SQLite only.
    """
    started = time.perf_counter()
    load = os.getloadavg()[0]
    scale = data.SCALES[scale_name]
    reps = reps or DEFAULT_REPS[scale_name]
    inprocess.HUGE["on"] = scale_name == "huge"
    cache.mkdir(parents=True, exist_ok=True)
    source = data.cached_db(scale, cache, log=log)
    work = data.working_copy(source, cache / f"work-{scale.name}.db")
    rows = []
    try:
        if product:
            log(f"copying the data into {product.split('@')[-1]} ...")
            data.copy_into(work, product)
        if "tools" in only:
            log("tool layer (in process):")
            rows += inprocess.run(work, reps, log=log, product=product)
            if not product:
                log("  find on word-sharing names ...")
                hard = hard_names.cached(cache, scale.customers, source.stem.rsplit("-", 1)[-1])
                rows.insert(2, hard_names.find_row(hard, reps))
        if "mcp" in only:
            log("MCP server over stdio:")
            inputs = inprocess.pick_inputs(work)
            starts = 2 if scale_name == "tiny" else 10
            rows += mcp_bench.mcp_rows(
                work, inputs.ids, inputs.typo_queries, reps, starts=starts, log=log, product=product
            )
        if (
            "import" in only and scale_name != "huge" and not product
        ):  # importing into an empty database does not grow with the data
            log(f"crm import of {scale.customers:,} customers:")
            rows.append(
                processes.import_row(
                    cache, scale.customers, runs={"tiny": 1, "small": 3}.get(scale_name, 2), log=log
                )
            )
            log("  … with another writer beside it:")
            rows.append(writer_wait.row(cache, scale.customers, log=log))
            log("  … with a plain sqlite3 writer beside it (not announcing itself):")
            rows.append(writer_wait.row(cache, scale.customers, log=log, plain=True))
    finally:
        data.remove_db(work)
    load_after = os.getloadavg()[0]
    growth.save(
        cache,
        scale_name + ("-pg" if product else ""),
        rows,
        f"run {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, "
        f"load average {load:.2f} at the start, {load_after:.2f} at the end",
    )
    return report.table(
        rows,
        scale,
        reps,
        time.perf_counter() - started,
        load_before=load,
        load_after=load_after,
        backend=f"PostgreSQL ({product.split('@')[-1]}), floors bare sqlite3" if product else "SQLite",
    )


def update_docs(path: Path, table: str) -> None:
    """Put `table` between the results markers of `path` (the rest of the page is kept)."""
    begin, end = report.BEGIN, report.END
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = f"{head}{begin}\n{table}{end}{tail}"
    else:
        text = f"# Benchmarks\n\n{begin}\n{table}{end}\n{text}"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.growth:
        print(growth.table(args.cache), end="")
        return 0
    only = tuple(p.strip() for p in args.only.split(",") if p.strip())
    unknown = set(only) - set(PARTS)
    if unknown:
        print(
            f"unknown part(s): {', '.join(sorted(unknown))} (choose from {', '.join(PARTS)})", file=sys.stderr
        )
        return 2
    table = run(
        args.scale,
        reps=args.reps,
        only=only,
        cache=args.cache,
        product=args.db,
        log=lambda msg: print(msg, file=sys.stderr, flush=True),
    )
    print(table)
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    elif args.scale == "full" and only == PARTS and not args.db:
        update_docs(DOCS, table)
        print(f"updated {DOCS.relative_to(ROOT)}", file=sys.stderr)
    return 0
