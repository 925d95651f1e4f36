"""The hard name distribution: every name is common words plus a number, "Blue North Dental Inc 1234".

Next to the main data set's names (many distinct words), these share almost all their words, so an
index keyed on whole words narrows little: the SPEC's `find_customers` ratio is judged here. The
data set holds only customers (as many as the scale's), made by the product's schema and cached
beside the main one.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process, utils

from bench.data import GENERATOR_VERSION, NOW, remove_db, upgraded
from bench.inprocess import _typo, heavy
from bench.timing import Row, measure_interleaved
from store import Store
from tools.context import ToolContext
from tools.customers import find_customers
from tools.names import normalize
from tools.schemas import FindCustomers

SEED = 20261201
FIRST = [
    "Blue",
    "Red",
    "Green",
    "Gold",
    "Silver",
    "North",
    "South",
    "East",
    "West",
    "Central",
    "Prime",
    "First",
    "United",
    "Royal",
    "Grand",
    "Metro",
    "City",
    "Coastal",
    "Valley",
    "Mountain",
]
SECOND = [
    "North",
    "South",
    "East",
    "West",
    "Star",
    "Sun",
    "River",
    "Lake",
    "Park",
    "Bridge",
    "Harbor",
    "Oak",
    "Pine",
    "Maple",
    "Summit",
    "Peak",
    "Point",
    "Bay",
    "Ridge",
    "Hill",
]
TRADE = [
    "Dental",
    "Medical",
    "Legal",
    "Auto",
    "Home",
    "Pet",
    "Care",
    "Health",
    "Realty",
    "Finance",
    "Insurance",
    "Construction",
    "Plumbing",
    "Electric",
    "Roofing",
    "Cleaning",
    "Catering",
    "Bakery",
    "Fitness",
    "Travel",
    "Logistics",
    "Printing",
    "Design",
    "Consulting",
    "Software",
    "Security",
    "Storage",
    "Motors",
    "Supply",
    "Foods",
]
LEGAL = ["Inc", "LLC", "Ltd", "Corp", "Group", "Co."]


def names(n: int, seed: int = SEED) -> list[str]:
    """`n` distinct names of ~20 × 20 × 30 common words, a legal suffix and a number up to 9,999."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[tuple[str, str, str, int]] = set()
    while len(out) < n:
        parts = (rng.choice(FIRST), rng.choice(SECOND), rng.choice(TRADE), rng.randint(1, 9999))
        if parts[0] == parts[1] or parts in seen:
            continue
        seen.add(parts)
        out.append(f"{parts[0]} {parts[1]} {parts[2]} {rng.choice(LEGAL)} {parts[3]}")
    return out


def build(path: Path, count: int) -> None:
    """A database with the product's schema holding `count` hard-named customers (no other rows)."""
    remove_db(path)
    Store(path).close()
    when = "2025-01-01 09:00:00.000000"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO customer (id, name, name_key, stage, owner, tags, created_at, updated_at) "
        "VALUES (?, ?, ?, 'lead', 'sam', '[]', ?, ?)",
        ((i + 1, name, normalize(name), when, when) for i, name in enumerate(names(count))),
    )
    conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'names_version'")
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def cached(cache: Path, count: int, fingerprint: str) -> Path:
    """The hard-name database of `count` names for the schema `fingerprint` (see bench.data.cached_db)."""
    path = cache / f"hard-{count}-g{GENERATOR_VERSION}-{fingerprint}.db"
    if not path.exists():
        for old in sorted(cache.glob(f"hard-{count}-g{GENERATOR_VERSION}-*.db")):
            if upgraded(old, path, fingerprint):
                return path
        for old in cache.glob(f"hard-{count}-*.db"):
            remove_db(old)
        tmp = path.with_suffix(".tmp")
        build(tmp, count)
        tmp.rename(path)
    return path


def queries(db: Path, count: int = 60) -> tuple[list[str], list[int]]:
    """Typed names with one slip in a word, lower case, without the legal suffix (a third also without
    the number: then only common words are left), and whom each is for."""
    rng = random.Random(SEED + 1)
    conn = sqlite3.connect(db)
    total = conn.execute("SELECT max(id) FROM customer").fetchone()[0]
    ids = rng.sample(range(1, total + 1), min(count, total))
    by_id = dict(
        conn.execute(f"SELECT id, name FROM customer WHERE id IN ({','.join(map(str, ids))})").fetchall()
    )
    conn.close()
    out = []
    for cid in ids:
        words = [
            w
            for w in by_id[cid].lower().split()
            if w.rstrip(".") not in {x.lower().rstrip(".") for x in LEGAL}
        ]
        k = rng.randrange(3)  # a slip in one of the three words; the number is typed right
        words[k] = _typo(rng, words[k])
        out.append(" ".join(words if rng.random() < 0.67 else words[:3]))  # a third typed without the number
    return out, ids


def find_row(db: Path, reps: int) -> Row:
    """`find_customers` on the hard names beside a full WRatio scan of every one of them."""

    typed, wanted = queries(db)
    store = Store(db, read_only=True)  # the cached data stays as it is (no name-index stamp row)
    ctx = ToolContext(store=store, actor="sam", source="cli", tz=ZoneInfo("UTC"), fixed_now=NOW)
    conn = sqlite3.connect(db)
    hits = calls = 0

    def product(i: int) -> None:
        nonlocal hits, calls
        out = find_customers(ctx, FindCustomers(query=typed[i % len(typed)]))
        hits += wanted[i % len(typed)] in [c.id for c in out.items]
        calls += 1

    all_names = [n for (n,) in conn.execute("SELECT name FROM customer ORDER BY id")]

    def floor(i: int) -> None:
        found = process.extract(
            typed[i % len(typed)], all_names, scorer=fuzz.WRatio, processor=utils.default_process, limit=10
        )
        ids = ",".join(str(k + 1) for _n, _s, k in found)
        conn.execute(f"SELECT * FROM customer WHERE id IN ({ids})").fetchall()

    try:
        product(0)  # builds the name index (once per process)
        hits = calls = 0
        result, floor_stat = measure_interleaved(product, floor, reps=reps, floor_reps=heavy(reps))
    finally:
        conn.close()
        store.close()
    return Row(
        '`find_customers` on word-sharing names ("Blue North Dental Inc 1234")',
        "ms",
        10,
        result,
        floor_stat,
        "rapidfuzz.process.extract(WRatio, processor=utils.default_process) over every name "
        "+ SELECT the 10 rows",
        ratio_target=0.02,
        extra={"ref": "a full WRatio scan"},
        note=f"{len(all_names):,} names of 20 × 20 × 30 common words, a suffix and a number; "
        f"{len(typed)} queries with one slip in a word (a third without the number); the customer each "
        f"was made from is on the first page in {hits / max(1, calls):.0%} of calls",
    )
