"""In-process benchmarks: the tool functions users reach, each beside its sqlite3/rapidfuzz floor."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bench.data import NOW, SEED
from bench.timing import Row, Stat, measure, measure_interleaved, measure_together, skipped

if TYPE_CHECKING:  # run() imports the tool layer itself: `python -m bench --help` stays light
    from tools.context import ToolContext

# Whole-data operations (an index build, a full rapidfuzz scan) take seconds at 1,000,000 customers:
# `heavy(reps)` is how often they are repeated, fewer at that scale (set by bench/run.py).
HUGE = {"on": False}


def heavy(reps: int) -> int:
    return 5 if HUGE["on"] else max(10, reps // 4)


SEARCHES = [
    "pricing",
    "escrow",
    "warehouse automation",
    "kubernetes",
    "volume discounts",
    "Zephyrsoft",
    "legal review contract",
    "carbon credits",
]


@dataclass
class Inputs:
    """Realistic queries drawn (seeded) from the data itself."""

    typo_queries: list[str]
    exact_names: list[str]
    ids: list[int]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # swapped letters
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:  # a dropped letter
        return word[:i] + word[i + 1 :]
    if kind == 2:  # a wrong letter
        return word[:i] + rng.choice("aeioustrnl") + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # a doubled letter


def pick_inputs(db: Path, count: int = 60) -> Inputs:
    """Names users would type: the core of a real name with one typo, in lower case, often partial."""
    from tools.names import core, normalize

    rng = random.Random(SEED + 7)
    conn = sqlite3.connect(db)
    total = conn.execute("SELECT max(id) FROM customer").fetchone()[0]
    ids = [rng.randint(1, total) for _ in range(count * 3)]
    names = dict(
        conn.execute(f"SELECT id, name FROM customer WHERE id IN ({','.join(map(str, ids))})").fetchall()
    )
    cores: dict[str, int] = {}
    for (name,) in conn.execute("SELECT name FROM customer"):
        key = core(normalize(name))
        cores[key] = cores.get(key, 0) + 1
    conn.close()
    typos: list[str] = []
    exact: list[str] = []
    for cid in ids:
        words = core(normalize(names[cid])).split()
        if len(typos) < count:
            target = rng.randrange(len(words))
            words_t = [(_typo(rng, w) if k == target else w) for k, w in enumerate(words)]
            typos.append(" ".join(words_t[:2] if rng.random() < 0.3 else words_t))
        if len(exact) < count and cores[" ".join(words)] == 1:
            exact.append(names[cid])
    return Inputs(typos, exact, ids[:count])


def floor_connection(db: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the product's pragmas (WAL, synchronous NORMAL)."""
    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def run(db: Path, reps: int, log: Callable[[str], object] = print, product: str | None = None) -> list[Row]:
    """Every in-process benchmark against `db` (a working copy: some of them write).

    With `product` (a database URL holding a copy of the same data) the product runs there, while
    the floors stay bare sqlite3 on `db`.
    """
    from zoneinfo import ZoneInfo

    from store import Store
    from tools.context import ToolContext

    inputs = pick_inputs(db)
    store = Store(product or db)
    ctx = ToolContext(store=store, actor="sam", source="cli", tz=ZoneInfo("UTC"), fixed_now=NOW)
    conn = floor_connection(db)
    rows: list[Row] = []
    for bench in (_index_build, _index_load, _index_refresh, _find, _get, _log, _followups, _search, _chat):
        log(f"  {bench.__name__.strip('_')} ...")
        row = bench(ctx, conn, inputs, reps)
        if row is not None:
            rows.append(row)
    conn.close()
    store.close()
    return rows


def _names_floor(conn: sqlite3.Connection) -> Stat:
    """The floor of the name index rows: every customer and contact name read with sqlite3."""

    def floor(_i: int) -> None:
        conn.execute("SELECT id, name FROM customer").fetchall()
        conn.execute("SELECT customer_id, name FROM contact").fetchall()

    return measure(floor, reps=3, warmup=1)


def _index_build(ctx: ToolContext, conn: sqlite3.Connection, inputs: Inputs, reps: int) -> Row:
    from tools.name_index import NameIndex

    def product(_i: int) -> None:
        with ctx.read() as s:
            NameIndex.build(s)

    return Row(
        "name index build (once per process and name change)",
        "ms",
        None,
        measure(product, reps=1 if HUGE["on"] else 3, warmup=0 if HUGE["on"] else 1),
        _names_floor(conn),
        "SELECT all customer and contact names",
    )


def _index_load(ctx: ToolContext, conn: sqlite3.Connection, inputs: Inputs, reps: int) -> Row | None:
    """A new process's first lookup when the index was saved beside the database by an earlier one
    (tools/name_index.py, store/name_snapshot.py): read the file, check it, catch up (nothing here).
    None where no file is saved: PostgreSQL, or fewer names than name_index.SAVE_MIN (small scales)."""
    import threading

    from store import name_snapshot
    from tools import name_index as m

    url = str(ctx.store.engine.url)
    with ctx.read() as s:
        m._IndexCache().get(s, url)  # builds and saves (as the first process on this data would)
        saved = name_snapshot.path_for(s)
    for t in threading.enumerate():
        if t.name == "crm-name-save":
            t.join()
    if saved is None or not saved.exists():
        return None

    def product(_i: int) -> None:
        with ctx.read() as s:
            m._IndexCache().get(s, url)  # an empty cache: what a new process has

    return Row(
        "name index load from its saved file (a new process's first lookup)",
        "ms",
        None,
        measure(product, reps=2 if HUGE["on"] else 5, warmup=0 if HUGE["on"] else 1),
        _names_floor(conn),
        "SELECT all customer and contact names",
        note="the build row above is the same lookup without the file (the first process, or one the file "
        "cannot serve: another history, a damaged file, PostgreSQL)",
    )


def _index_refresh(ctx: ToolContext, conn: sqlite3.Connection, inputs: Inputs, reps: int) -> Row:
    """The first name lookup after a customer was created: the index catches up from the change rows
    (before issue #15 it was rebuilt whole: the build row above)."""
    import time
    import uuid

    from tools.customers import create_customer
    from tools.name_index import name_index
    from tools.names import resolve_in
    from tools.schemas import CreateCustomer

    query = inputs.exact_names[0]

    def lookup(_i: int = 0) -> None:
        with ctx.read() as s:
            resolve_in(name_index(s), query)

    lookup()  # built once (the build row measures that)
    samples: list[float] = []
    cpu: list[float] = []
    created: list[int] = []
    for _i in range(max(5, reps // 2)):
        made = create_customer(ctx, CreateCustomer(name=f"Refresh Bench {uuid.uuid4().hex[:12]}"))
        created.append(made.customer.id)
        started, cpu_started = time.perf_counter(), time.thread_time()
        lookup()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - cpu_started) * 1000)
    warm = measure(lookup, reps=reps)
    top = max(created)
    # The floor's file is the product's own unless the product runs on another database (PostgreSQL).
    history = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'name_change'").fetchone() is not None

    def floor(_i: int) -> None:
        # What catching up needs at least: the version, the change rows since, the changed row.
        conn.execute("SELECT value FROM meta WHERE key = 'names_version'").fetchone()
        if history:
            conn.execute(
                "SELECT customer_id, contact_id FROM name_change WHERE version > 0 LIMIT 1"
            ).fetchall()
        conn.execute("SELECT id, name, name_key FROM customer WHERE id = ?", (top,)).fetchone()

    return Row(
        "first name lookup after a name change (one customer created)",
        "ms",
        None,
        Stat.of(samples, cpu),
        measure(floor, reps=reps),
        "SELECT the names version, the change rows, the changed customer",
        note=f"the same lookup with the index current: {warm.median:.2f} ms; before the in-place "
        "refresh every name change meant the build above",
    )


def _find(ctx: ToolContext, conn: sqlite3.Connection, inputs: Inputs, reps: int) -> Row:
    from rapidfuzz import fuzz, process, utils

    from tools.customers import find_customers
    from tools.schemas import FindCustomers

    queries = inputs.typo_queries
    hits = 0

    def product(i: int) -> None:
        nonlocal hits
        out = find_customers(ctx, FindCustomers(query=queries[i % len(queries)]))
        # Quality beside speed: the customer the typo'd query was made from is on the first page.
        hits += inputs.ids[i % len(queries)] in [c.id for c in out.items]

    product(0)  # builds the cached name index (measured above)
    hits = 0
    names = [n for (n,) in conn.execute("SELECT name FROM customer ORDER BY id")]

    def floor(i: int) -> None:
        found = process.extract(
            queries[i % len(queries)], names, scorer=fuzz.WRatio, processor=utils.default_process, limit=10
        )
        ids = ",".join(str(k + 1) for _n, _s, k in found)
        conn.execute(f"SELECT * FROM customer WHERE id IN ({ids})").fetchall()

    result, floor_stat = measure_interleaved(product, floor, reps=reps, floor_reps=heavy(reps))
    found_rate = hits / (reps + 5)  # 5 warm-up calls
    return Row(
        "`find_customers` (fuzzy, typo-tolerant)",
        "ms",
        10,
        result,
        floor_stat,
        "rapidfuzz.process.extract(WRatio) over all names + SELECT the 10 rows",
        note=f"{len(queries)} typo'd queries; the customer each was made from is on the first page "
        f"(10 results) in {found_rate:.0%} of calls",
    )


def _get(ctx: ToolContext, conn: sqlite3.Connection, inputs: Inputs, reps: int) -> Row:
    from tools.customers import get_customer
    from tools.names import normalize
    from tools.schemas import GetCustomer

    names = inputs.exact_names

    def product(i: int) -> None:
        get_customer(ctx, GetCustomer(customer=names[i % len(names)]))

    def floor(i: int) -> None:
        cid = conn.execute(
            "SELECT id FROM customer WHERE name_key = ?", (normalize(names[i % len(names)]),)
        ).fetchone()[0]
        conn.execute("SELECT * FROM customer WHERE id = ?", (cid,)).fetchone()
        conn.execute("SELECT * FROM contact WHERE customer_id = ? ORDER BY id", (cid,)).fetchall()
        conn.execute(
            "SELECT * FROM interaction WHERE customer_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 5",
            (cid,),
        ).fetchall()
        conn.execute("SELECT count(*) FROM interaction WHERE customer_id = ?", (cid,)).fetchone()
        conn.execute(
            "SELECT * FROM followup WHERE customer_id = ? AND status = 'open' ORDER BY due_date, id", (cid,)
        ).fetchall()
        conn.execute("SELECT * FROM stage_change WHERE customer_id = ? ORDER BY at, id", (cid,)).fetchall()

    result, floor_stat = measure_together([product, floor], reps=reps)
    return Row(
        "`get_customer` (by name)",
        "ms",
        5,
        result,
        floor_stat,
        "the same 6 SELECTs (name_key, contacts, 5 latest notes, count, open follow-ups, stages)",
        ratio_target=8,
        extra={"ref": "the same SELECTs in bare sqlite3"},
    )


def _log(ctx: ToolContext, conn: sqlite3.Connection, inputs: Inputs, reps: int) -> Row:
    import json
    import uuid

    from tools.names import normalize
    from tools.schemas import LogInteraction
    from tools.timeline import log_interaction

    names = inputs.exact_names
    rng = random.Random(SEED + 11)
    from bench.data import note

    bodies = [note(rng) for _ in range(50)]

    def product(i: int) -> None:
        log_interaction(ctx, LogInteraction(customer=names[i % len(names)], kind="call", body=bodies[i % 50]))

    when = (NOW - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    iso = (NOW - timedelta(hours=1)).isoformat()

    def insert_only(i: int) -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO interaction (customer_id, kind, body, occurred_at, author, source, created_at) "
            "VALUES (?, 'call', ?, ?, 'sam', 'cli', ?)",
            (inputs.ids[i % len(inputs.ids)], bodies[i % 50], when, when),
        )
        conn.execute("COMMIT")

    def floor(i: int) -> None:
        # The same work: the customer by its name, the note, its change-log row (what undo reads) and
        # the commit, in one write transaction.
        name, body = names[i % len(names)], bodies[i % 50]
        conn.execute("BEGIN IMMEDIATE")
        cid = conn.execute("SELECT id FROM customer WHERE name_key = ?", (normalize(name),)).fetchone()[0]
        cur = conn.execute(
            "INSERT INTO interaction (customer_id, kind, body, occurred_at, author, source, created_at) "
            "VALUES (?, 'call', ?, ?, 'sam', 'cli', ?)",
            (cid, body, when, when),
        )
        after = {
            "id": cur.lastrowid,
            "customer_id": cid,
            "kind": "call",
            "body": body,
            "occurred_at": iso,
            "author": "sam",
            "source": "cli",
            "source_ref": None,
            "created_at": iso,
        }
        conn.execute(
            "INSERT INTO change_log (batch, at, actor, source, summary, entity, entity_id, op, before, "
            "after) VALUES (?, ?, 'sam', 'cli', ?, 'interaction', ?, 'create', 'null', ?)",
            (uuid.uuid4().hex, when, f"log call on {name}", cur.lastrowid, json.dumps(after)),
        )
        conn.execute("COMMIT")

    result, narrow, same = measure_together([product, insert_only, floor], reps=reps)
    return Row(
        "`log_interaction` (committed)",
        "ms",
        3,
        result,
        same,
        "name lookup + INSERT note (FTS trigger fires) + INSERT change-log row + COMMIT, WAL, "
        "synchronous=NORMAL",
        note="by customer name; includes the change-log row. The INSERT + COMMIT of the note alone "
        f"(this row's floor until 2026-12-01): {narrow.median:.2f} ms, a ratio of "
        f"{result.median / narrow.median:.1f}",
        ratio_target=8,
        extra={"ref": "the same work in bare sqlite3 (name lookup, note, change-log row, commit)"},
    )


def _followups(ctx: ToolContext, conn: sqlite3.Connection, inputs: Inputs, reps: int) -> Row:
    from tools.dates import week_bounds
    from tools.followups import list_followups
    from tools.schemas import ListFollowups

    total = 0

    def product(_i: int) -> None:
        nonlocal total
        total = list_followups(ctx, ListFollowups(scope="this_week")).total

    _monday, sunday = week_bounds(NOW.date())

    def floor(_i: int) -> None:
        conn.execute(
            "SELECT count(*) FROM followup WHERE status = 'open' AND due_date <= ?", (sunday.isoformat(),)
        ).fetchone()
        rows = conn.execute(
            "SELECT * FROM followup WHERE status = 'open' AND due_date <= ? "
            "ORDER BY due_date, due_time IS NULL, due_time, id LIMIT 20",
            (sunday.isoformat(),),
        ).fetchall()
        ids = ",".join(str(r[1]) for r in rows)
        conn.execute(f"SELECT id, name FROM customer WHERE id IN ({ids})").fetchall()

    result = measure(product, reps=reps)
    return Row(
        "`list_followups` this week",
        "ms",
        10,
        result,
        measure(floor, reps=reps),
        "count + first 20 open due by Sunday (overdue included) + their customer names",
        note=f"{total:,} open follow-ups this week or overdue",
    )


def _search(ctx: ToolContext, conn: sqlite3.Connection, inputs: Inputs, reps: int) -> Row:
    from tools.schemas import SearchInteractions
    from tools.timeline import search_interactions

    def product(i: int) -> None:
        search_interactions(ctx, SearchInteractions(query=SEARCHES[i % len(SEARCHES)]))

    def floor(i: int) -> None:
        match = " ".join(f'"{w}"' for w in SEARCHES[i % len(SEARCHES)].split())
        rows = conn.execute(
            "SELECT i.* FROM interaction_fts f JOIN interaction i ON i.id = f.rowid "
            "WHERE interaction_fts MATCH ? "
            "ORDER BY f.rowid DESC LIMIT 11",
            (match,),
        ).fetchall()
        ids = ",".join(str(r[1]) for r in rows) or "0"
        conn.execute(f"SELECT id, name FROM customer WHERE id IN ({ids})").fetchall()

    return Row(
        "`search_interactions` (full text)",
        "ms",
        20,
        measure(product, reps=reps),
        measure(floor, reps=reps),
        "FTS5 MATCH, newest 11, + customer names",
        note="queries: " + ", ".join(f"'{q}'" for q in SEARCHES[:4]) + ", …",
    )


def _chat(ctx: ToolContext, conn: sqlite3.Connection, inputs: Inputs, reps: int) -> Row:
    from tools.names import normalize

    names = inputs.exact_names
    when = (NOW - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.%f")

    def floor(i: int) -> None:
        name = names[i % len(names)]
        cid = conn.execute("SELECT id FROM customer WHERE name_key = ?", (normalize(name),)).fetchone()[0]
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO interaction (customer_id, kind, body, occurred_at, author, source, created_at) "
            "VALUES (?, 'meeting', 'they want a proposal by Friday', ?, 'sam', 'cli', ?)",
            (cid, when, when),
        )
        conn.execute(
            "INSERT INTO followup (customer_id, due_date, description, status, owner, created_at) "
            "VALUES (?, '2026-03-10', 'follow up', 'open', 'sam', ?)",
            (cid, when),
        )
        conn.execute("COMMIT")

    floor_stat = measure(floor, reps=reps)
    what = "name lookup + INSERT note + INSERT follow-up + COMMIT"
    op = "one chat message understood and applied (warm)"
    try:
        import assistant.engine  # noqa: F401  (respond imports it lazily; fail here, not mid-run)
        from assistant.conversation import respond
    except ImportError as e:
        return skipped(op, "ms", 30, f"assistant.engine is not importable yet ({e})", floor_stat, what)
    messages = [
        f"Met {names[k]}, they want a proposal by Friday, follow up Tuesday" for k in range(len(names))
    ]
    wrote = 0

    def product(i: int) -> None:
        nonlocal wrote
        reply = respond(ctx, messages[i % len(messages)])
        wrote += reply.wrote

    try:
        result = measure(product, reps=reps)
    except Exception as e:  # the engine is new; a crash is a finding to report, not a reason to lose the run
        return skipped(op, "ms", 30, f"the engine raised {type(e).__name__}: {e}", floor_stat, what)
    return Row(
        op,
        "ms",
        30,
        result,
        floor_stat,
        what,
        note=f"'Met <customer>, they want a proposal by Friday, follow up Tuesday'; "
        f"{wrote}/{reps + 5} replies wrote",
    )
