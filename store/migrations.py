"""Schema versions and the steps between them.

A database records its version in the `meta` table. `upgrade` runs every step above that version in
order, each in its own transaction, so a later release upgrades an existing database in place without
losing a row. A new release appends a step; steps are never edited once released.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from store import followup_tally, name_changes, postgres, tag_names
from store.faults import DatabaseDamaged, DatabaseReadOnly, classify


class SchemaTooNew(RuntimeError):
    """The database was written by a newer crm-assistant; this one refuses to touch it."""


class SchemaDamaged(DatabaseDamaged):
    """The schema record is unreadable and the tables do not say which version the file is at."""


# The full-text index over interaction bodies on SQLite; PostgreSQL's is in store/postgres.py.
_FTS_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS interaction_fts USING fts5("
    "body, content='interaction', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS interaction_fts_ai AFTER INSERT ON interaction BEGIN "
    "INSERT INTO interaction_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS interaction_fts_ad AFTER DELETE ON interaction BEGIN "
    "INSERT INTO interaction_fts(interaction_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS interaction_fts_au AFTER UPDATE OF body ON interaction BEGIN "
    "INSERT INTO interaction_fts(interaction_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO interaction_fts(rowid, body) VALUES (new.id, new.body); END",
)


# A counter bumped on every change to a customer or contact name, so a process's in-memory name
# index knows when to rebuild even when another process made the change.
_NAMES_VERSION_DDL = tuple(
    f"CREATE TRIGGER IF NOT EXISTS {table}_names_{event} AFTER {spec} ON {table} BEGIN "
    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'names_version'; END"
    for table, moved in (("customer", "name"), ("contact", "name, customer_id"))
    for event, spec in (("ai", "INSERT"), ("ad", "DELETE"), ("au", f"UPDATE OF {moved}"))
)


def _v1_initial(conn: Connection) -> None:
    SQLModel.metadata.create_all(conn)
    if conn.dialect.name == "sqlite":
        for ddl in _FTS_DDL + _NAMES_VERSION_DDL:
            conn.exec_driver_sql(ddl)
        # OR IGNORE: the step also re-creates what is missing in a file whose version record was lost.
        conn.exec_driver_sql("INSERT OR IGNORE INTO meta (key, value) VALUES ('names_version', '0')")
        conn.exec_driver_sql("INSERT INTO interaction_fts(interaction_fts) VALUES ('rebuild')")
    elif conn.dialect.name == "postgresql":
        postgres.byte_order_text(conn, SQLModel.metadata)
        postgres.create_search_and_triggers(conn)


def _v2_idempotency_keys(conn: Connection) -> None:
    # checkfirst: a database created at v2 already has it (step 1 creates every current table).
    store.models.IdempotencyKey.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it


def _v3_mcp_tokens(conn: Connection) -> None:
    store.models.McpToken.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it


def _v5_followup_customer_order(conn: Connection) -> None:
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_followup_customer")
    store.models.FOLLOWUP_CUSTOMER_INDEX.create(conn)


def _v9_change_log_by_actor(conn: Connection) -> None:
    # checkfirst: a database created at v9 already has it (step 1 creates every current index).
    store.models.CHANGE_LOG_ACTOR_INDEX.create(conn, checkfirst=True)


STEPS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "initial schema with full-text index", _v1_initial),
    (2, "idempotency keys of creating writes", _v2_idempotency_keys),
    (3, "per-rep MCP tokens", _v3_mcp_tokens),
    (4, "follow-up counts per status and due date (SQLite)", followup_tally.create),
    (5, "a customer's follow-ups indexed in their list order", _v5_followup_customer_order),
    (6, "which names each names version changed (name index refresh)", name_changes.create),
    (7, "name-change rows stamped, so another database's history is told apart", name_changes.create),
    (
        8,
        "every tag in use, so a search skips the tag scan for a word no customer has as a tag",
        tag_names.create,
    ),
    (9, "one rep's changes indexed newest first (recent changes by rep, undo)", _v9_change_log_by_actor),
]
LATEST = STEPS[-1][0]
# Steps that only add an index: no read needs one to answer right, only to answer fast. A store that
# cannot apply them (opened read-only, a read-only file, a role without the right to create an index)
# opens without them; the next store that can write applies them.
INDEX_ONLY = frozenset({9})


def _only_indexes_pending(version: int) -> bool:
    return all(number in INDEX_ONLY for number, _title, _step in STEPS if number > version)


def current_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return _version_in(conn, "the database")


def upgrade(engine: Engine, *, read_only: bool = False, label: str = "the database") -> int:
    """Bring the database to the latest schema; returns the version it is now at.

    A lost or misspelt version record ("1.0") is repaired when the tables show the version; one
    that cannot be read is refused in one line (SchemaDamaged), never a traceback on every command.
    """
    with engine.connect() as conn:
        version = _version_in(conn, label)
        repair = version if _record_needs_repair(conn) else None
    if version > LATEST:
        raise SchemaTooNew(
            f"{label} has schema version {version}, newer than this crm-assistant ({LATEST}); "
            "upgrade crm-assistant"
        )
    if read_only:
        if version < LATEST and not _only_indexes_pending(version):
            raise DatabaseReadOnly(
                f"{label} needs a schema upgrade (version {version} to {LATEST}) but is read-only; "
                "open it once where it can be written.",
                path=label,
            )
        return version
    write = engine.execution_options(crm_write=True)
    if repair is not None and repair > 0:
        with write.begin() as conn:
            _set_version(conn, repair)
    for number, _title, step in STEPS:
        if number <= version:
            continue
        try:
            with write.begin() as conn:
                # Re-check under the write lock: another process may have upgraded meanwhile.
                if _version_in(conn, label) >= number and not _record_needs_repair(conn):
                    continue
                step(conn)
                _set_version(conn, number)
        except DBAPIError as e:
            if _only_indexes_pending(version) and isinstance(classify(e, label), DatabaseReadOnly):
                return version  # not ours to add (no right to create an index): read without it
            raise
        version = number
    return version


def _set_version(conn: Connection, number: int) -> None:
    conn.execute(text("DELETE FROM meta WHERE key = 'schema_version'"))
    conn.execute(text("INSERT INTO meta (key, value) VALUES ('schema_version', :v)"), {"v": str(number)})


def _record(conn: Connection) -> str | None:
    if not inspect(conn).has_table("meta"):
        return None
    row = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).first()
    return None if row is None else str(row[0])


def _record_needs_repair(conn: Connection) -> bool:
    value = _record(conn)
    return inspect(conn).has_table("meta") and (value is None or value.strip() != str(_parse(value)))


def _parse(value: str | None) -> int | None:
    """The version a record spells ("1", " 1 ", "1.0"), or None when it spells none."""
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number.is_integer() and 0 <= number < 1_000_000 else None


def _tables_complete(conn: Connection) -> bool:
    """Every table and column of the current models exists: the file is at the latest version."""
    insp = inspect(conn)
    for table in SQLModel.metadata.sorted_tables:
        if not insp.has_table(table.name):
            return False
        present = {c["name"] for c in insp.get_columns(table.name)}
        if not {c.name for c in table.columns} <= present:
            return False
    return True


def _version_in(conn: Connection, label: str) -> int:
    if not inspect(conn).has_table("meta"):
        return 0
    value = _record(conn)
    number = _parse(value)
    if number is not None:
        return number
    if _tables_complete(conn):
        return LATEST  # a lost record in an otherwise whole file: it is at the version its tables show
    if value is None and not inspect(conn).has_table("customer"):
        return 0  # a bare meta table: the first step never finished; run it again
    shown = "missing" if value is None else repr(value[:40])
    raise SchemaDamaged(
        f"{label} has a damaged schema record (schema_version {shown}) and incomplete tables; "
        "restore it from a backup.",
        path=label,
    )
