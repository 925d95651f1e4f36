"""The benchmark suite runs end to end at a tiny scale (no timings are asserted: that is its report's job)."""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from bench import data, run

SPEC_OPERATIONS = [
    "`find_customers`", "`get_customer`", "`log_interaction`", "`list_followups` this week",
    "`search_interactions`", "one chat message", "MCP `tools/call` round trip", "`crm mcp` start",
    "resident memory of the MCP server", "import of 300 customers from CSV",
]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.e2e
def test_a_tiny_run_measures_every_spec_operation_beside_its_floor(tmp_path: Path) -> None:
    lines: list[str] = []
    table = run.run("tiny", reps=2, cache=tmp_path, log=lines.append)

    rows = [line for line in table.splitlines() if line.startswith("| ")][1:]
    for operation in SPEC_OPERATIONS:
        row = next((r for r in rows if operation in r), None)
        assert row is not None, f"no row for {operation}:\n{table}"
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[2] != "skipped", row
        assert cells[6].endswith("×"), f"no ratio to the floor: {row}"
    assert "Machine:" in table and "SQLite" in table and "cores" in table
    assert "skipped" not in table
    # The run worked on a copy: the cached dataset is untouched, and the copy is gone.
    cached = list(tmp_path.glob("tiny-*.db"))
    assert len(cached) == 1
    before, logged = _digest(cached[0]), len(lines)
    run.run("tiny", reps=1, only=("tools",), cache=tmp_path, log=lines.append)
    assert _digest(cached[0]) == before
    assert not any(line.startswith("generating") for line in lines[logged:]), "the second run regenerated the data"
    assert not list(tmp_path.glob("work-*"))


def test_generated_data_is_reproducible_and_realistic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    for path in (first, second):
        data.build(path, data.SCALES["tiny"], log=lambda _msg: None)

    def content(path: Path) -> tuple:
        conn = sqlite3.connect(path)
        try:
            return (conn.execute("SELECT group_concat(name, '|') FROM customer ORDER BY id").fetchone(),
                    conn.execute("SELECT group_concat(body, '|') FROM interaction ORDER BY id").fetchone(),
                    conn.execute("SELECT count(*), min(length(body)), max(length(body)) FROM interaction").fetchone(),
                    conn.execute("SELECT count(*) FROM followup").fetchone(),
                    conn.execute("SELECT count(*) FROM interaction_fts WHERE interaction_fts MATCH 'pricing'").fetchone())
        finally:
            conn.close()

    a = content(first)
    assert a == content(second)
    count, shortest, longest = a[2]
    assert count == 3_000 and shortest >= 40 and longest <= 400
    assert a[3] == (600,)
    assert a[4][0] > 0, "the full-text index was rebuilt after the bulk load"
    names = a[0][0].split("|")
    cores = [n.split()[0] for n in names]
    assert len(set(cores)) < len(cores), "near-duplicate names (same first word) are part of the data"


def test_a_full_run_replaces_only_the_results_section_of_the_docs(tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    page.write_text(f"# Benchmarks\n\nHow to read this.\n\n{run.report.BEGIN}\nold table\n{run.report.END}\n\n"
                    "## Analysis\nkept\n", encoding="utf-8")
    run.update_docs(page, "new table\n")
    text = page.read_text(encoding="utf-8")
    assert "new table" in text and "old table" not in text
    assert text.startswith("# Benchmarks\n\nHow to read this.") and text.endswith("## Analysis\nkept\n")
