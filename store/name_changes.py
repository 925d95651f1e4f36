"""Which customers and contacts each names version changed, so a name index can catch up in place.

`meta.names_version` is bumped on every customer/contact insert, delete and name change (and a
contact moved to another customer). The same triggers write one `name_change` row per changed row,
holding the version the change produced and the customer's or the contact's id, so a process whose
name index is at version v reads the rows above v, re-reads just those customers and contacts, and
has the index of the current version without reading every name again.

- **SQLite**: per-row triggers (as before); every change is its own version with its own row.
- **PostgreSQL**: one bump per transaction (the meta row's lock, held to commit, hands versions out
  in commit order), then one row per changed row with that transaction's version. Past
  `PG_ROWS_PER_TRANSACTION` rows a transaction writes one *rebuild* row (both ids NULL) instead.
- A bump with no rows (a bulk import's single bump at its end, see store/bulk.py; a trigger set
  re-created by an old repair) leaves a version without rows: a reader seeing a version it has no
  rows for, or a rebuild row, reads every name again. So a missing row can only cost time.
- Each version's rows carry a random *stamp*. An index remembers the stamp of its version, so a
  database that is not the one it was built from (a backup put back, a file made anew at the same
  path) cannot pass for it when its counter reaches the same or a later version: it rebuilds.
- Not seen: rows deleted without their delete trigger firing — on SQLite, another program's
  INSERT/UPDATE OR REPLACE that replaces a customer or contact on a unique key (delete triggers fire
  for those only with recursive_triggers on). crm never writes so; such an index stays stale for that
  row until it is rebuilt (the next bulk import, a restart).
- The table keeps about the last `KEEP` versions (pruned by the triggers every `PRUNE_EVERY`
  versions); an index older than that rebuilds.

The table is not on SQLModel.metadata: it is the database's own bookkeeping, not data; copies and
exports never carry it (store/copy.py skips it as derived).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy.engine import Connection
from sqlmodel import Session

from store.driver_query import first_row
from store.schema_probe import SchemaProbe

KEEP = 10_000
PRUNE_EVERY = 256
PG_ROWS_PER_TRANSACTION = 1_000

_BUMP = "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'names_version';"

_SQLITE_TABLE = (
    "CREATE TABLE IF NOT EXISTS name_change "
    "(version INTEGER NOT NULL, customer_id INTEGER, contact_id INTEGER, stamp INTEGER)",
    "CREATE INDEX IF NOT EXISTS ix_name_change_version ON name_change (version)",
    f"CREATE TRIGGER IF NOT EXISTS name_change_prune AFTER INSERT ON name_change "
    f"WHEN new.version % {PRUNE_EVERY} = 0 BEGIN "
    f"DELETE FROM name_change WHERE version <= new.version - {KEEP}; END",
)


def _sqlite_trigger(table: str, event: str, spec: str, row: str) -> str:
    customer, contact = ("new.id", "NULL") if table == "customer" else ("NULL", "new.id")
    if row == "old":
        customer, contact = customer.replace("new.", "old."), contact.replace("new.", "old.")
    # No meta row (a damaged file): no change row either, and the write still goes through.
    change = (
        "INSERT INTO name_change (version, customer_id, contact_id, stamp) "
        f"SELECT CAST(value AS INTEGER), {customer}, {contact}, random() "
        "FROM meta WHERE key = 'names_version';"
    )
    return f"CREATE TRIGGER {table}_names_{event} AFTER {spec} ON {table} BEGIN {_BUMP} {change} END"


# The same trigger names as the step-1 triggers they replace (store/bulk.py drops and re-creates the
# two insert triggers by these names around an import's chunks).
_SQLITE_TRIGGERS = tuple(
    (f"{table}_names_{event}", _sqlite_trigger(table, event, spec, row))
    for table, moved in (("customer", "name, name_key"), ("contact", "name, customer_id"))
    for event, spec, row in (
        ("ai", "INSERT", "new"),
        ("ad", "DELETE", "old"),
        ("au", f"UPDATE OF {moved}", "new"),
    )
)

# PostgreSQL: crm.names_bumped = the transaction that bumped (store/bulk.py sets it too, to hold the
# bump of an import's chunks: then this writes no rows either); crm.names_at = 'txid:version:rows'.
_PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION crm_name_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "DECLARE tx text := txid_current()::text; at text := current_setting('crm.names_at', true); "
    "v bigint; n integer; st bigint; r record; "
    "BEGIN "
    "IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF; "
    "IF current_setting('crm.names_bumped', true) IS DISTINCT FROM tx THEN "
    "UPDATE meta SET value = (CAST(value AS BIGINT) + 1)::text WHERE key = 'names_version' "
    "RETURNING CAST(value AS BIGINT) INTO v; "
    "PERFORM set_config('crm.names_bumped', tx, true); n := 0; "
    "IF v IS NULL THEN RETURN NULL; END IF; "  # no meta row (a damaged database): no rows, no failure
    "st := floor(random() * 9007199254740991)::bigint; "
    f"IF mod(v, {PRUNE_EVERY}) = 0 THEN DELETE FROM name_change WHERE version <= v - {KEEP}; END IF; "
    "ELSIF at IS NOT NULL AND split_part(at, ':', 1) = tx THEN "
    "v := split_part(at, ':', 2)::bigint; n := split_part(at, ':', 3)::integer; "
    "st := split_part(at, ':', 4)::bigint; "
    f"IF n > {PG_ROWS_PER_TRANSACTION} THEN RETURN NULL; END IF; "  # its rebuild row is written
    "ELSE RETURN NULL; END IF; "
    f"IF n < {PG_ROWS_PER_TRANSACTION} THEN "
    "IF TG_TABLE_NAME = 'customer' THEN "
    "INSERT INTO name_change (version, customer_id, contact_id, stamp) VALUES (v, r.id, NULL, st); "
    "ELSE INSERT INTO name_change (version, customer_id, contact_id, stamp) VALUES (v, NULL, r.id, st); "
    "END IF; "
    f"ELSIF n = {PG_ROWS_PER_TRANSACTION} THEN "
    "INSERT INTO name_change (version, customer_id, contact_id, stamp) VALUES (v, NULL, NULL, st); END IF; "
    "PERFORM set_config('crm.names_at', tx || ':' || v || ':' || (n + 1) || ':' || st, true); "
    "RETURN NULL; END $$"
)

_PG_DDL = (
    "CREATE TABLE IF NOT EXISTS name_change "
    "(version BIGINT NOT NULL, customer_id BIGINT, contact_id BIGINT, stamp BIGINT)",
    "ALTER TABLE name_change ADD COLUMN IF NOT EXISTS stamp BIGINT",
    "CREATE INDEX IF NOT EXISTS ix_name_change_version ON name_change (version)",
    _PG_FUNCTION,
    *(
        ddl
        for table, moved in (("customer", "name, name_key"), ("contact", "name, customer_id"))
        for name, spec in (("ai", "INSERT"), ("ad", "DELETE"), ("au", f"UPDATE OF {moved}"))
        for ddl in (
            f"DROP TRIGGER IF EXISTS {table}_names_{name} ON {table}",
            f"CREATE TRIGGER {table}_names_{name} AFTER {spec} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION crm_name_change()",
        )
    ),
)


def create(conn: Connection) -> None:
    """Migration steps 6 and 7: the change table, and the names-version triggers that now also write it
    (idempotent: step 7 runs it again, for a file step 6 made before the rows had stamps)."""
    if conn.dialect.name == "sqlite":
        for ddl in _SQLITE_TABLE:
            conn.exec_driver_sql(ddl)
        columns = {str(r[1]) for r in conn.exec_driver_sql("PRAGMA table_info(name_change)")}
        if "stamp" not in columns:  # made by step 6 before the stamps (step 7 runs this again)
            conn.exec_driver_sql("ALTER TABLE name_change ADD COLUMN stamp INTEGER")
        for name, ddl in _SQLITE_TRIGGERS:
            conn.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{name}"')
            conn.exec_driver_sql(ddl)
    elif conn.dialect.name == "postgresql":
        for ddl in _PG_DDL:
            conn.exec_driver_sql(ddl)
    # An index built before this step is at a version without rows: it rebuilds once.


# The stamps came with step 7: a file repaired to the latest version may have the table without them.
_has_table = SchemaProbe(
    sqlite="SELECT 1 FROM pragma_table_info('name_change') WHERE name = 'stamp'",
    postgresql="SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
    "AND table_name = 'name_change' AND column_name = 'stamp'",
)


Change = tuple[int, int | None, int | None]  # (version, customer id, contact id)
State = tuple[str | None, int | None]  # (names version, the stamp of its rows: None when it has none)


def names_state(session: Session) -> State:
    """The names version and the stamp of its change rows, in one read (version None: unknown)."""
    conn = session.connection()
    return _state(first_row(conn, _state_sql(conn.dialect.name, stamped=_has_table(conn))))


def _state_sql(dialect: str, *, stamped: bool) -> str:
    """The names version and its rows' stamp (NULL without the change table)."""
    integer = "BIGINT" if dialect == "postgresql" else "INTEGER"
    stamp = (
        f"(SELECT c.stamp FROM name_change c WHERE c.version = CAST(m.value AS {integer}) LIMIT 1)"
        if stamped
        else "NULL"
    )
    return f"SELECT m.value, {stamp} FROM meta m WHERE m.key = 'names_version'"


def _state(row: Any) -> State:
    if row is None:
        return None, None
    return str(row[0]), None if row[1] is None else int(row[1])


def changes_between(
    session: Session, after: int, after_stamp: int | None, upto: int, limit: int
) -> list[Change] | None:
    """The change rows of versions after..upto, by version; None when they cannot be told exactly:
    a version without rows, a rebuild row, no table, more than `limit` rows, or version `after`'s
    rows not stamped `after_stamp` (another history: a backup put back, another database)."""
    conn = session.connection()
    if not _has_table(conn):
        return None
    rows = cast(
        list[tuple[int, int | None, int | None, int | None]],
        conn.exec_driver_sql(
            "SELECT version, customer_id, contact_id, stamp FROM name_change "
            f"WHERE version >= {int(after)} AND version <= {int(upto)} "
            f"ORDER BY version LIMIT {int(limit) + 1}"
        ).all(),
    )
    if len(rows) > limit:
        return None
    out: list[Change] = []
    seen: set[int] = set()
    for version, customer, contact, stamp in rows:
        if int(version) == after:
            if stamp is None or int(stamp) != after_stamp:
                return None
            continue
        if customer is None and contact is None:
            return None
        seen.add(int(version))
        out.append(
            (
                int(version),
                None if customer is None else int(customer),
                None if contact is None else int(contact),
            )
        )
    if after_stamp is not None and not any(int(r[0]) == after for r in rows):
        return None  # the rows of the index's own version are gone (pruned, or another history)
    if len(seen) != upto - after:  # every version in between has its rows (they are in that range)
        return None
    return out


def _rows_by_id(session: Session, select_from: str, ids: list[int]) -> list[tuple[Any, ...]]:
    """`SELECT … FROM table` for those of these ids that exist, 500 ids per statement."""
    conn = session.connection()
    out: list[tuple[Any, ...]] = []
    for lo in range(0, len(ids), 500):
        listed = ", ".join(str(int(i)) for i in ids[lo : lo + 500])
        out.extend(tuple(r) for r in conn.exec_driver_sql(f"{select_from} WHERE id IN ({listed})"))
    return out


def customer_names_by_id(session: Session, ids: list[int]) -> list[tuple[int, str, str]]:
    """(id, name, name_key) of those of these customers that exist."""
    rows = _rows_by_id(session, "SELECT id, name, name_key FROM customer", ids)
    return [(int(i), str(n), str(k)) for i, n, k in rows]


def contact_names_by_id(session: Session, ids: list[int]) -> list[tuple[int, int, str]]:
    """(contact id, customer id, name) of those of these contacts that exist."""
    rows = _rows_by_id(session, "SELECT id, customer_id, name FROM contact", ids)
    return [(int(i), int(c), str(n)) for i, c, n in rows]


@contextmanager
def _side_cursor(conn: Connection) -> Iterator[Any]:
    """A cursor on a plain connection of its own to the session's SQLite file: autocommit, a 0.1 s busy
    timeout, none of the pool's set-up (it sees what is committed, not the session's transaction)."""
    dialect = conn.engine.dialect
    cargs, cparams = dialect.create_connect_args(conn.engine.url)
    raw = dialect.connect(*cargs, **{**cparams, "timeout": 0.1})
    try:
        raw.isolation_level = None
        yield raw.cursor()
    finally:
        raw.close()


def shared_safely(session: Session, state: State) -> bool:
    """Whether `state` (what the session read) is committed, so an index made from it may be shared.

    Not when the session's own transaction changed names (it may yet roll back). Checked without a
    second pooled connection (an in-memory database has one; a busy pool has none to spare):
    PostgreSQL says whether this transaction bumped the names version (crm.names_bumped, see the
    trigger); SQLite's committed state is read on a separate plain connection to the same file.
    """
    conn = session.connection()
    try:
        if conn.dialect.name == "postgresql":
            mine = conn.exec_driver_sql(
                "SELECT txid_current_if_assigned() IS NOT NULL AND "
                "current_setting('crm.names_bumped', true) = txid_current_if_assigned()::text"
            ).scalar()
            # ... and nothing committed since the reads (READ COMMITTED: each statement sees the latest).
            return not mine and names_state(session) == state
        if conn.dialect.name != "sqlite" or conn.engine.url.database in (None, "", ":memory:"):
            return False
        with _side_cursor(conn) as cur:
            cur.execute(_state_sql("sqlite", stamped=_has_table(conn)))  # names_state's read, committed
            committed = _state(cur.fetchone())
    except Exception:  # noqa: BLE001 - whatever it was, the index is this session's alone
        return False
    return committed == state


def stamp_version(session: Session, version: str) -> int | None:
    """Give names version `version` a stamp when its rows have none (a bulk import's single bump
    writes no rows), so that an index of it saved to a file can be told apart from another history's
    later; its stamp, or None when it could not be given (another version since, a busy or read-only
    file or store, an in-memory database).

    The stamp comes on a *rebuild* row (both ids NULL) of that version, which changes no reader's
    decision: a reader crossing into a version without rows reads every name anyway. Written on a
    separate plain connection to the file or server (committed at once; the session may be only
    reading), and only while the database is still at that version; never a second row for a version.
    """
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        return _stamp_pg(conn, int(version))
    if conn.dialect.name != "sqlite" or conn.engine.url.database in (None, "", ":memory:"):
        return None
    if not _has_table(conn):
        return None
    v = int(version)
    try:
        with _side_cursor(conn) as cur:
            cur.execute(_stamp_sql("sqlite", v))
            cur.execute(_state_sql("sqlite", stamped=True))
            now = _state(cur.fetchone())
    except Exception:  # noqa: BLE001 - a busy or read-only file: no stamp, nothing else changes
        return None
    return now[1] if now[0] == str(v) else None


def _stamp_sql(dialect: str, v: int) -> str:
    """Version `v`'s rebuild row with a random stamp, while the database is at `v` and `v` has no row."""
    integer, stamp = (
        ("BIGINT", "floor(random() * 9007199254740991)::bigint")
        if dialect == "postgresql"
        else ("INTEGER", "random()")
    )
    return (
        "INSERT INTO name_change (version, customer_id, contact_id, stamp) "
        f"SELECT CAST(m.value AS {integer}), NULL, NULL, {stamp} FROM meta m "
        f"WHERE m.key = 'names_version' AND CAST(m.value AS {integer}) = {int(v)} "
        f"AND NOT EXISTS (SELECT 1 FROM name_change c WHERE c.version = {int(v)})"
    )


_STAMP_LOCK = 7_311_046_421  # pg_advisory_xact_lock's key: one stamper at a time, so one row per version


def _stamp_pg(conn: Connection, v: int) -> int | None:
    """stamp_version on PostgreSQL: on a connection of its own (committed at once), never from a store
    opened read-only, waiting at most 0.1 s for a lock (then: no stamp)."""
    try:
        if conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on" or not _has_table(conn):
            return None
        dialect = conn.engine.dialect
        cargs, cparams = dialect.create_connect_args(conn.engine.url)
        raw = dialect.connect(*cargs, **{**cparams, "connect_timeout": 5})
    except Exception:  # noqa: BLE001 - the server refuses a second connection: no stamp
        return None
    try:
        cur = raw.cursor()
        cur.execute("SET LOCAL lock_timeout = '100ms'")
        cur.execute(f"SELECT pg_advisory_xact_lock({_STAMP_LOCK})")
        cur.execute(_stamp_sql("postgresql", v))
        cur.execute(_state_sql("postgresql", stamped=True))
        now = _state(cur.fetchone())
        raw.commit()
    except Exception:  # noqa: BLE001 - a lock not had in time, a read-only role: no stamp
        return None
    finally:
        raw.close()  # an uncommitted transaction is rolled back with it
    return now[1] if now[0] == str(v) else None
