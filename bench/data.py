"""Reproducible synthetic CRM data, bulk-loaded with plain sqlite3 into a schema made by `Store`.

`build(path, scale)` fills a fresh database: customers with near-duplicate names ("Acme Corp",
"Acme Corporation", "Acme Logistics"), contacts, notes of 50-400 characters, follow-ups spread
around NOW, stage history, ~20 reps. The schema (tables, indexes, FTS5, triggers) comes from
`store.Store`, so the product's own upgrade code made it; only the loading bypasses the ORM.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench import words as W
from store import Store
from store.copy import copy_database
from tools.names import normalize

SEED = 20260304
GENERATOR_VERSION = 2
# A Wednesday, so "this week" has days on both sides (the same moment as the tests' clock).
NOW = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)


def default_cache() -> Path:
    """Where generated data is kept: $CRM_BENCH_CACHE, else ~/.cache/crm-bench (XDG_CACHE_HOME honoured)."""
    if os.environ.get("CRM_BENCH_CACHE"):
        return Path(os.environ["CRM_BENCH_CACHE"]).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "crm-bench"


CACHE = default_cache()


@dataclass(frozen=True)
class Scale:
    name: str
    customers: int
    interactions: int
    followups: int


SCALES = {
    "tiny": Scale("tiny", 300, 3_000, 600),
    "small": Scale("small", 2_000, 20_000, 4_000),
    "medium": Scale("medium", 10_000, 100_000, 20_000),
    "full": Scale("full", 100_000, 1_000_000, 200_000),
    "huge": Scale("huge", 1_000_000, 10_000_000, 2_000_000),
}


def _ts(moment: datetime) -> str:
    # The text SQLAlchemy's SQLite DateTime type stores (naive UTC).
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def company_names(rng: random.Random, n: int) -> list[str]:
    """`n` distinct company names; about one in six has near-duplicate siblings."""
    out: list[str] = []
    seen: set[str] = set()

    def add(name: str) -> None:
        key = normalize(name)
        if key and key not in seen and len(out) < n:
            seen.add(key)
            out.append(name)

    while len(out) < n:
        pattern = rng.random()
        a, b = rng.choice(W.COMPANY_FIRST), rng.choice(W.COMPANY_SECOND)
        if pattern < 0.35:
            base = f"{a} {b}"
        elif pattern < 0.55:
            base = f"{a}{rng.choice(W.COMPANY_SECOND).lower()} {b}"
        elif pattern < 0.70:
            base = f"{rng.choice(W.SURNAMES)} & {rng.choice(W.SURNAMES)}"
        elif pattern < 0.85:
            base = f"{rng.choice(W.SURNAMES)} {b}"
        else:
            base = f"{a} {rng.choice(W.COMPANY_FIRST)} {b}"
        add(f"{base} {rng.choice(W.LEGAL)}" if rng.random() < 0.6 else base)
        if rng.random() < 0.17:  # siblings: same core, another suffix or another trade
            add(f"{base} {rng.choice(W.LEGAL)}")
            add(f"{base.split()[0]} {rng.choice(W.COMPANY_SECOND)}")
    return out


def person(rng: random.Random) -> str:
    return f"{rng.choice(W.FIRST_NAMES)} {rng.choice(W.SURNAMES)}"


def note(rng: random.Random) -> str:
    """A note of 50-400 characters, mostly common words, sometimes a rare one."""
    target = rng.randint(50, 400)
    parts: list[str] = []
    length = 0
    while length < target:
        frag = rng.choice(W.FRAGMENTS)
        while "{" in frag:
            slot = frag[frag.index("{") + 1 : frag.index("}")]
            if slot == "topic":
                tier = rng.random()
                value = rng.choice(
                    W.COMMON_TOPICS if tier < 0.8 else W.UNCOMMON_TOPICS if tier < 0.997 else W.RARE_WORDS
                )
            elif slot == "rare":
                value = (
                    rng.choice(W.RARE_WORDS) if rng.random() < 0.05 else rng.choice(W.SURNAMES) + " Systems"
                )
            elif slot == "person":
                value = rng.choice(W.FIRST_NAMES)
            else:
                value = rng.choice(W.DAYS)
            frag = frag.replace("{" + slot + "}", value, 1)
        parts.append(frag)
        length += len(frag) + 1
    text = " ".join(parts)
    return text if len(text) <= 400 else text[:400].rsplit(" ", 1)[0]


def _schema_sql(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return "\n".join(r[0] or "" for r in conn.execute("SELECT sql FROM sqlite_master ORDER BY name"))


def schema_fingerprint(cache: Path = CACHE) -> str:
    """Changes whenever the product's schema (tables, indexes, triggers) does, so a cache is redone."""
    probe = cache / "schema-probe.db"
    cache.mkdir(parents=True, exist_ok=True)
    remove_db(probe)
    Store(probe).close()
    sql = _schema_sql(probe)
    remove_db(probe)
    return hashlib.sha1(f"{GENERATOR_VERSION}\n{sql}".encode()).hexdigest()[:10]


def cached_db(scale: Scale, cache: Path = CACHE, log: Callable[[str], None] = print) -> Path:
    """The database for `scale`, built once and kept in `cache` (never written by runs).

    When only the product's schema moved on (a new table, say), the older cached file of the same
    generator is upgraded by the product's own migrations instead of being generated again (23
    minutes at the huge scale); it is rebuilt only if the upgrade does not give today's schema.
    """
    fingerprint = schema_fingerprint(cache)
    path = cache / f"{scale.name}-g{GENERATOR_VERSION}-{fingerprint}.db"
    if path.exists():
        return path
    for old in sorted(cache.glob(f"{scale.name}-g{GENERATOR_VERSION}-*.db")):
        log(f"upgrading the cached {scale.name} data ({old.name}) to the current schema ...")
        if upgraded(old, path, fingerprint):
            return path
    for old in cache.glob(f"{scale.name}-*.db"):
        remove_db(old)
    tmp = path.with_suffix(".tmp")
    log(
        f"generating {scale.name} data ({scale.customers:,} customers, {scale.interactions:,} "
        f"interactions, {scale.followups:,} follow-ups) ..."
    )
    build(tmp, scale, log=log)
    tmp.rename(path)
    return path


def upgraded(old: Path, new: Path, fingerprint: str) -> bool:
    """Upgrade `old` with the product's migrations; if that gives today's schema, it becomes `new`."""
    Store(old).close()
    if hashlib.sha1(f"{GENERATOR_VERSION}\n{_schema_sql(old)}".encode()).hexdigest()[:10] != fingerprint:
        return False
    for suffix in ("-wal", "-shm"):
        Path(f"{old}{suffix}").unlink(
            missing_ok=True
        )  # a clean close leaves none; a copy needs the file alone
    old.rename(new)
    return True


def copy_into(db: Path, url: str) -> None:
    """Copy every row of the SQLite file `db` into the database at `url` (replacing its rows)."""
    source, target = Store(db), Store(url)
    try:
        copy_database(source, target, replace=True)
    finally:
        source.close()
        target.close()


def remove_db(path: Path) -> None:
    """Delete a database file with its WAL and shared-memory files, its saved name index and the
    lock files an import and its waiting writers leave beside it (store/bulk.py)."""
    for suffix in ("", "-wal", "-shm", ".name-index", "-import", "-writers"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def working_copy(src: Path, dest: Path) -> Path:
    """A copy of a cached database to run writes against (the cached one stays pristine)."""
    remove_db(dest)
    shutil.copyfile(src, dest)
    return dest


def build(path: Path, scale: Scale, log: Callable[[str], None] = print) -> None:
    """Create `path` with the product's schema and bulk-load `scale`'s data into it."""
    remove_db(path)
    Store(path).close()
    started = time.perf_counter()

    def done(what: str) -> None:
        log(f"  {what}: {time.perf_counter() - started:.1f} s")

    conn = sqlite3.connect(path, isolation_level=None)
    # No journal while loading (a failed build is simply redone): in WAL mode the one big transaction
    # would be written twice, to the WAL and then to the file, gigabytes at the huge scale.
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -200000", "temp_store = MEMORY"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("BEGIN")
    with _without_triggers_and_indexes(conn):
        _load(conn, scale, done)
    conn.execute("INSERT INTO interaction_fts(interaction_fts) VALUES ('rebuild')")
    conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'names_version'")
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")  # as the product keeps its databases
    conn.close()
    done("indexes, full-text index, done")


@contextmanager
def _without_triggers_and_indexes(conn: sqlite3.Connection) -> Iterator[None]:
    """Triggers and secondary indexes dropped for the load and put back after it (indexes first):
    row-by-row FTS and index upkeep would be most of the load time."""
    saved = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'index') AND sql IS NOT NULL"
    ).fetchall()
    for kind, name, _sql in saved:
        conn.execute(f"DROP {kind.upper()} {name}")
    yield
    for _kind, _name, sql in sorted(saved, key=lambda r: r[0] != "index"):
        conn.execute(sql)


def _load(conn: sqlite3.Connection, scale: Scale, done: Callable[[str], None]) -> None:
    rng = random.Random(SEED)
    owners = _load_customers(conn, rng, scale.customers)
    done("customers, contacts, stage history")
    _load_interactions(conn, rng, scale)
    done("interactions")
    _load_followups(conn, rng, scale, owners)
    conn.executemany(
        "INSERT INTO user (name, timezone, digest_time, created_at) VALUES (?, 'UTC', '08:00', ?)",
        ((rep, _ts(NOW - timedelta(days=900))) for rep in W.REPS),
    )
    done("follow-ups")


def _load_customers(conn: sqlite3.Connection, rng: random.Random, n: int) -> list[str]:
    """Customers, their contacts and a stage change each; returns each customer's owner."""
    names = company_names(rng, n)
    owners = [rng.choice(W.REPS) for _ in range(n)]
    created = [NOW - timedelta(days=rng.uniform(30, 1500)) for _ in range(n)]
    stages = [
        rng.choices(
            ("lead", "qualified", "proposal", "negotiation", "won", "lost"), (30, 20, 15, 10, 15, 10)
        )[0]
        for _ in range(n)
    ]
    conn.executemany(
        "INSERT INTO customer (id, name, name_key, stage, owner, email, phone, tags, value, created_at, "
        "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        _customer_rows(rng, names, stages, owners, created),
    )
    conn.executemany(
        "INSERT INTO contact (customer_id, name, name_key, role, email, phone) VALUES (?,?,?,?,?,?)",
        _contact_rows(rng, n),
    )
    conn.executemany(
        "INSERT INTO stage_change (customer_id, from_stage, to_stage, at, by) VALUES (?,?,?,?,?)",
        (
            (
                i + 1,
                "lead" if stages[i] != "lead" else None,
                stages[i],
                _ts(created[i] + timedelta(days=3)),
                owners[i],
            )
            for i in range(n)
        ),
    )
    return owners


def _customer_rows(
    rng: random.Random, names: list[str], stages: list[str], owners: list[str], created: list[datetime]
) -> Iterator[tuple[object, ...]]:
    for i, name in enumerate(names):
        key = normalize(name)
        yield (
            i + 1,
            name,
            key,
            stages[i],
            owners[i],
            f"hello@{key.split()[0]}{i}.example" if rng.random() < 0.7 else None,
            f"+1 555 {rng.randint(1000000, 9999999)}" if rng.random() < 0.5 else None,
            json.dumps(rng.sample(W.TAGS, rng.randint(0, 2))),
            float(rng.randrange(1000, 250000, 500)) if rng.random() < 0.6 else None,
            _ts(created[i]),
            _ts(created[i] + timedelta(days=rng.uniform(0, 25))),
        )


def _contact_rows(rng: random.Random, n: int) -> list[tuple[object, ...]]:
    contacts: list[tuple[object, ...]] = []
    for i in range(n):
        for _ in range(rng.choice((0, 1, 1, 1, 2, 2, 3))):
            who = person(rng)
            role = rng.choice(W.ROLES)  # before the email's draw, as the data has always been made
            email = f"{who.split()[0].lower()}@example.com" if rng.random() < 0.4 else None
            contacts.append((i + 1, who, normalize(who), role, email, None))
    return contacts


NOTE_POOL = (
    50_000  # distinct note texts; interactions draw from them (10,000,000 notes made one by one take minutes)
)
_SPAN = 3 * 365 * 86400  # interactions spread over three years before NOW


def _load_interactions(conn: sqlite3.Connection, rng: random.Random, scale: Scale) -> None:
    """All interactions in one INSERT ... SELECT, so SQLite makes the rows at C speed.

    Row i (oldest first, ids in time order) takes its customer, kind and note from fixed
    multiplicative hashes of i (reproducible without SQLite's unseeded random()); the customer is
    skewed like `n * r**2`, so a few customers have long timelines and most have short ones.
    """
    conn.execute("CREATE TEMP TABLE note_pool (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    pool = min(NOTE_POOL, max(1, scale.interactions))
    conn.executemany("INSERT INTO note_pool (id, body) VALUES (?, ?)", ((k, note(rng)) for k in range(pool)))
    start = int(NOW.timestamp()) - _SPAN
    step = (_SPAN - 3600) / max(1, scale.interactions)
    conn.execute(
        """
        WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < :count),
        h AS (SELECT i, ((i * 2654435761 + 97) % 4294967296) / 4294967296.0 AS r,
                     (i * 2246822519 + 13) % 4294967296 AS b,
                     printf('%s.%06d', datetime(:start + CAST(i * :step AS INTEGER), 'unixepoch'),
                            (i * 7919) % 1000000) AS at FROM s)
        INSERT INTO interaction (id, customer_id, kind, body, occurred_at, author, source, created_at)
        SELECT h.i + 1, c.id, CASE (h.b >> 7) % 4 WHEN 0 THEN 'note' WHEN 1 THEN 'call' WHEN 2 THEN 'meeting'
               ELSE 'email' END, p.body, h.at, c.owner, 'telegram', h.at
        FROM h JOIN customer c ON c.id = CAST(:n * h.r * h.r AS INTEGER) + 1
               JOIN note_pool p ON p.id = h.b % :pool
        """,
        {"count": scale.interactions, "start": start, "step": step, "n": scale.customers, "pool": pool},
    )
    conn.execute("DROP TABLE note_pool")


def _load_followups(conn: sqlite3.Connection, rng: random.Random, scale: Scale, owners: list[str]) -> None:
    """Follow-ups from six months ago to two months ahead; most past ones done or cancelled."""
    n = scale.customers
    today = NOW.date()

    def rows() -> Iterator[tuple[object, ...]]:
        for _ in range(scale.followups):
            cid = rng.randint(1, n)
            due = today + timedelta(days=rng.randint(-180, 60))
            past = due < today
            status = (
                ("done" if rng.random() < 0.8 else "cancelled") if past and rng.random() < 0.92 else "open"
            )
            at = (
                f"{rng.randint(8, 17):02d}:{rng.choice((0, 30)):02d}:00.000000"
                if rng.random() < 0.2
                else None
            )
            owner = owners[cid - 1] if rng.random() < 0.9 else rng.choice(W.REPS)
            made = datetime.combine(due, datetime.min.time(), UTC) - timedelta(days=rng.randint(1, 30))
            done_at = _ts(made + timedelta(days=rng.randint(1, 30))) if status != "open" else None
            yield (cid, due.isoformat(), at, rng.choice(W.FOLLOWUP_WORDS), status, owner, _ts(made), done_at)

    conn.executemany(
        "INSERT INTO followup (customer_id, due_date, due_time, description, status, owner, created_at, "
        "completed_at) "
        "VALUES (?,?,?,?,?,?,?,?)",
        rows(),
    )


def customer_csv(path: Path, count: int, seed: int = SEED + 1) -> Path:
    """A customer CSV in `crm import`'s columns (fresh names, so it imports into an empty CRM)."""
    import csv

    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "email", "phone", "stage", "owner", "tags", "contact", "contact_role"])
        for i, name in enumerate(company_names(rng, count)):
            out.writerow(
                [
                    name,
                    f"info{i}@{name.split()[0].lower()}.example",
                    f"+44 20 {rng.randint(1000000, 9999999)}",
                    rng.choice(("lead", "qualified", "proposal", "won")),
                    rng.choice(W.REPS),
                    ";".join(rng.sample(W.TAGS, rng.randint(0, 2))),
                    person(rng),
                    rng.choice(W.ROLES),
                ]
            )
    return path


def local_today() -> date:
    return NOW.date()
