"""Schema versions and the steps between them.

A database records its version in the `meta` table. `upgrade` runs every step above that version in
order, each in its own transaction, so a later release upgrades an existing database in place without
losing a row. A new release appends a step; steps are never edited once released.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables on SQLModel.metadata)

# The full-text index over interaction bodies. SQLite only; other databases search with LIKE.
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
        conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES ('names_version', '0')")
        conn.exec_driver_sql("INSERT INTO interaction_fts(interaction_fts) VALUES ('rebuild')")


def _v2_idempotency_keys(conn: Connection) -> None:
    # checkfirst: a database created at v2 already has it (step 1 creates every current table).
    store.models.IdempotencyKey.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]


STEPS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "initial schema with full-text index", _v1_initial),
    (2, "idempotency keys of creating writes", _v2_idempotency_keys),
]
LATEST = STEPS[-1][0]


def current_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return _version_in(conn)


def upgrade(engine: Engine) -> int:
    """Bring the database to the latest schema; returns the version it is now at."""
    version = current_version(engine)
    if version > LATEST:
        raise RuntimeError(
            f"this database has schema version {version}, newer than this crm-assistant ({LATEST}); upgrade crm-assistant"
        )
    for number, _title, step in STEPS:
        if number <= version:
            continue
        write = engine.execution_options(crm_write=True)
        with write.begin() as conn:
            # Re-check under the write lock: another process may have upgraded meanwhile.
            if _version_in(conn) >= number:
                continue
            step(conn)
            conn.execute(text("DELETE FROM meta WHERE key = 'schema_version'"))
            conn.execute(
                text("INSERT INTO meta (key, value) VALUES ('schema_version', :v)"), {"v": str(number)}
            )
        version = number
    return version


def _version_in(conn: Connection) -> int:
    if not inspect(conn).has_table("meta"):
        return 0
    row = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).first()
    return int(row[0]) if row else 0
