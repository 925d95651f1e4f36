"""The benchmark report's shape, at the tiny scale and in process (no timings are asserted).

CI runs the whole suite itself (`python -m bench --scale small --reps 5`: MCP server, imports, the
other writer), so these tests do not start it again: they check that the in-process part yields a
row with a figure and a ratio for each SPEC operation, that the SPEC's ratio targets get their own
table with a verdict, that the data is reproducible and never written by a run, and that a full
run touches only the results section of docs/benchmarks.md.

The heap the suite built before these tests is frozen while they run (`gc.freeze`): each measured
operation starts with a full `gc.collect()` (bench/timing.measure), which in a worker holding a few
million objects from earlier tests took ~0.6 s apiece — ~10 s of the in-process run instead of ~0.5.
The bench code runs unchanged; only the objects it did not create are out of the collector's way.
"""

from __future__ import annotations

import gc
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import data, growth, hard_names, report, run
from bench.timing import Row, Stat

IN_PROCESS = [
    "`find_customers` (fuzzy",
    "`find_customers` on word-sharing names",
    "`get_customer`",
    "`log_interaction`",
    "`list_followups` this week",
    "`search_interactions`",
    "one chat message",
]


@pytest.fixture(autouse=True)
def _frozen_heap() -> Iterator[None]:
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _cells(table: str, starts: str) -> list[str]:
    row = next((line for line in table.splitlines() if line.startswith(f"| {starts}")), None)
    assert row is not None, f"no row starting {starts!r}:\n{table}"
    return [c.strip() for c in row.strip("|").split("|")]


def test_the_in_process_part_gives_each_operation_a_figure_a_floor_and_a_ratio_verdict(
    tmp_path: Path,
) -> None:
    cached = data.cached_db(data.SCALES["tiny"], tmp_path, log=lambda _m: None)
    before = hashlib.sha256(cached.read_bytes()).hexdigest()

    table = run.run("tiny", reps=1, only=("tools",), cache=tmp_path, log=lambda _m: None)

    for operation in IN_PROCESS:
        cells = _cells(table, operation)
        assert cells[2] not in ("skipped", ""), cells
        assert cells[6].endswith("×"), f"no ratio to the floor: {cells}"
    ratios = table.split("The SPEC's ratio targets", 1)[1]
    for operation, target in (
        ("`find_customers` on word-sharing names", "≤ 0.02"),
        ("`get_customer`", "≤ 8"),
        ("`log_interaction`", "≤ 8"),
    ):
        cells = _cells(ratios, operation)
        assert cells[4] == target and cells[5] in ("yes", "**no**"), cells
    assert "Machine:" in table and "Load average" in table
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == before, "a run wrote to the cached data"
    assert not list(tmp_path.glob("work-*")), "the working copy was left behind"
    kept = {r["operation"]: r["median"] for r in growth.saved(tmp_path, "tiny")}
    assert kept.get("`get_customer` (by name)"), f"the run's medians were not kept for --growth: {kept}"


def test_process_rows_report_their_ratio_to_the_minimal_server_and_the_wait_bound() -> None:
    def stat(value: float) -> Stat:
        return Stat(value, value, 1)

    rows = [
        Row(
            "`crm mcp` start",
            "ms",
            1000,
            stat(1200),
            stat(1000),
            "minimal",
            ratio_target=1.15,
            extra={"ref": "the minimal SDK server's start"},
        ),
        Row(
            "MCP `tools/call` (small)",
            "ms",
            3,
            stat(2.0),
            stat(1.6),
            "echo",
            ratio_target=1.3,
            extra={"ref": "the minimal SDK server's `echo`"},
        ),
        Row(
            "the longest wait of another writer",
            "s",
            1,
            stat(0.4),
            stat(0.01),
            "alone",
            extra={"limit": True},
        ),
    ]
    table = report.table(rows, data.SCALES["tiny"], 1, 1.0)
    ratios = table.split("The SPEC's ratio targets", 1)[1]
    assert _cells(ratios, "`crm mcp` start")[3:] == ["1.20", "≤ 1.15", "**no**"]
    assert _cells(ratios, "MCP `tools/call` (small)")[3:] == ["1.25", "≤ 1.3", "yes"]
    assert _cells(ratios, "the longest wait of another writer")[1:] == ["0.40 s", "—", "—", "≤ 1 s", "yes"]


def test_generated_data_is_reproducible_and_realistic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    for path in (first, second):
        data.build(path, data.SCALES["tiny"], log=lambda _msg: None)

    def content(path: Path) -> tuple:
        conn = sqlite3.connect(path)
        try:
            return (
                conn.execute("SELECT group_concat(name, '|') FROM customer ORDER BY id").fetchone(),
                conn.execute("SELECT group_concat(body, '|') FROM interaction ORDER BY id").fetchone(),
                conn.execute(
                    "SELECT count(*), min(length(body)), max(length(body)) FROM interaction"
                ).fetchone(),
                conn.execute("SELECT count(*) FROM followup").fetchone(),
                conn.execute(
                    "SELECT count(*) FROM interaction_fts WHERE interaction_fts MATCH 'pricing'"
                ).fetchone(),
                conn.execute(
                    "SELECT max(n) FROM (SELECT count(*) n FROM interaction GROUP BY customer_id)"
                ).fetchone(),
            )
        finally:
            conn.close()

    a = content(first)
    assert a == content(second)
    count, shortest, longest = a[2]
    assert count == 3_000 and shortest >= 40 and longest <= 400
    assert a[3] == (600,)
    assert a[4][0] > 0, "the full-text index was rebuilt after the bulk load"
    assert a[5][0] >= 20, "a few customers have long timelines"
    names = a[0][0].split("|")
    cores = [n.split()[0] for n in names]
    assert len(set(cores)) < len(cores), "near-duplicate names (same first word) are part of the data"


def test_hard_names_share_their_words_and_are_distinct() -> None:
    names = hard_names.names(2_000)
    assert len(set(names)) == 2_000
    words = {w for n in names for w in n.split() if not w.isdigit()}
    assert len(words) <= len(hard_names.FIRST) + len(hard_names.SECOND) + len(hard_names.TRADE) + len(
        hard_names.LEGAL
    )


def test_a_full_run_replaces_only_the_results_section_of_the_docs(tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    page.write_text(
        f"# Benchmarks\n\nHow to read this.\n\n{run.report.BEGIN}\nold table\n{run.report.END}\n\n"
        "## Analysis\nkept\n",
        encoding="utf-8",
    )
    run.update_docs(page, "new table\n")
    text = page.read_text(encoding="utf-8")
    assert "new table" in text and "old table" not in text
    assert text.startswith("# Benchmarks\n\nHow to read this.") and text.endswith("## Analysis\nkept\n")
