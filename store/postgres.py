"""PostgreSQL's side of the store: what SQLite does with pragmas, FTS5 and triggers, done PostgreSQL's way.

- **Writers queue like SQLite's.** Every write transaction first takes one transaction-scoped
  advisory lock, so writes are applied one at a time exactly as on SQLite (BEGIN IMMEDIATE): a
  read-modify-write (a tag added, an undo checking nothing changed since, the next free id of a
  bulk import) can never lose a concurrent write, and no write fails with a serialization error
  that a caller would have to retry. Reads take no lock (MVCC) and never wait for a writer.
  `lock_timeout` bounds the wait like SQLite's busy timeout; past it the write is "busy".
- **Full-text search** keeps a generated `tsvector` column over interaction bodies with a GIN
  index, in a text search configuration shaped like the SQLite index's tokenizer
  (`porter unicode61 remove_diacritics 2`): punctuation separates words, English stemming,
  accents folded (when the `unaccent` extension can be created), and no stop words.
- **The names version** (a counter a process's name index watches) is bumped once per transaction
  that changes a name; since schema step 6 by the row triggers of store/name_changes.py, which also
  record which customers and contacts changed.
"""

from __future__ import annotations

from sqlalchemy import MetaData, String, event, text
from sqlalchemy.engine import Connection, Engine

# Any constant: the one advisory lock all crm writers of a database queue on ("crm" in ASCII).
WRITE_LOCK_KEY = 0x63726D
SEARCH_CONFIG = "crm_search"
SEARCH_COLUMN = "body_search"


def configure(engine: Engine, *, busy_ms: int) -> None:
    """Make write transactions of `engine` queue on the write lock, waiting at most `busy_ms`."""

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("crm_write"):
            take_write_lock(conn, busy_ms)


def _sequence(conn: Connection, table: str) -> str:
    name = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": _quoted(table)}).scalar()
    return str(name)


def take_write_lock(conn: Connection, busy_ms: int) -> None:
    # lock_timeout 0 means "wait forever" to PostgreSQL; 1 ms is the closest to "don't wait".
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {max(1, int(busy_ms))}")
    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")


def engine_options() -> dict[str, object]:
    """Pool settings for a server database: a few kept connections, checked before use."""
    return {
        "pool_size": 5,
        "max_overflow": 10,
        "pool_pre_ping": True,  # a server restart or an idle timeout must not fail the next command
        "pool_recycle": 1800,
        "connect_args": {"connect_timeout": 10, "application_name": "crm-assistant"},
    }


# ---- schema -----------------------------------------------------------------------------------------

_UNACCENT = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"ALTER TEXT SEARCH CONFIGURATION {SEARCH_CONFIG} ALTER MAPPING FOR word, hword, hword_part "
    "WITH unaccent, crm_stem",
)

_WORDS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart"
_NUMBERS = "int, uint, float, sfloat, version"

_SEARCH_DDL = (
    # A stemmer with no stop-word list: SQLite's porter tokenizer drops no word either.
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'crm_stem') THEN "
    "CREATE TEXT SEARCH DICTIONARY crm_stem (TEMPLATE = snowball, Language = english); END IF; END $$",
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '" + SEARCH_CONFIG + "') THEN "
    f"CREATE TEXT SEARCH CONFIGURATION {SEARCH_CONFIG} (PARSER = default); "
    f"ALTER TEXT SEARCH CONFIGURATION {SEARCH_CONFIG} ADD MAPPING FOR {_WORDS} WITH crm_stem; "
    f"ALTER TEXT SEARCH CONFIGURATION {SEARCH_CONFIG} ADD MAPPING FOR {_NUMBERS} WITH simple; "
    "END IF; END $$",
)

# Punctuation becomes a space first, so 'hello@acme.example' is three words as in SQLite's index
# (PostgreSQL's parser would keep it as one e-mail token that a search for 'acme' never finds).
SEARCH_VECTOR = f"to_tsvector('{SEARCH_CONFIG}'::regconfig, regexp_replace(body, '[[:punct:]]+', ' ', 'g'))"

_COLUMN_DDL = (
    f"ALTER TABLE interaction ADD COLUMN IF NOT EXISTS {SEARCH_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({SEARCH_VECTOR}) STORED",
    f"CREATE INDEX IF NOT EXISTS ix_interaction_body_search ON interaction USING gin ({SEARCH_COLUMN})",
)

_NAMES_VERSION_DDL = (
    # Once per transaction: updating one row again and again in a transaction makes PostgreSQL walk
    # an ever longer chain of its versions (a 20,000-row executemany took 20 s instead of 2).
    "CREATE OR REPLACE FUNCTION crm_bump_names_version() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF current_setting('crm.names_bumped', true) IS DISTINCT FROM txid_current()::text THEN "
    "UPDATE meta SET value = (CAST(value AS BIGINT) + 1)::text WHERE key = 'names_version'; "
    "PERFORM set_config('crm.names_bumped', txid_current()::text, true); END IF; "
    "RETURN NULL; END $$",
    *(
        f"CREATE OR REPLACE TRIGGER {table}_names_{name} AFTER {spec} ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION crm_bump_names_version()"
        for table, moved in (("customer", "name"), ("contact", "name, customer_id"))
        for name, spec in (("ai", "INSERT"), ("ad", "DELETE"), ("au", f"UPDATE OF {moved}"))
    ),
    "INSERT INTO meta (key, value) VALUES ('names_version', '0') ON CONFLICT (key) DO NOTHING",
)


def byte_order_text(conn: Connection, metadata: MetaData) -> None:
    """Give every text column the "C" collation: SQLite compares and sorts text by its bytes (BINARY),
    so lists, unique names and exports order the same on both backends, whatever the server's locale."""
    done = set(
        conn.exec_driver_sql(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND collation_name = 'C'"
        ).all()
    )
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String) and (table.name, column.name) not in done:
                conn.exec_driver_sql(
                    f'ALTER TABLE "{table.name}" ALTER COLUMN "{column.name}" '
                    f'TYPE {column.type.compile(conn.dialect)} COLLATE "C"'
                )


def create_search_and_triggers(conn: Connection) -> None:
    """The full-text column and index and the names-version triggers (idempotent: repairs re-run it)."""
    for ddl in _SEARCH_DDL:
        conn.exec_driver_sql(ddl)
    _try_unaccent(conn)
    for ddl in _COLUMN_DDL + _NAMES_VERSION_DDL:
        conn.exec_driver_sql(ddl)


def _try_unaccent(conn: Connection) -> None:
    """Fold accents as SQLite's remove_diacritics does, when this server lets us add `unaccent`."""
    available = conn.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'").first()
    if available is None:
        return
    try:
        with conn.begin_nested():
            for ddl in _UNACCENT:
                conn.exec_driver_sql(ddl)
    except Exception:  # noqa: BLE001 - no privilege to create it: search works, accents stay significant
        return


# ---- queries ----------------------------------------------------------------------------------------


def search_sql(*, customer: bool, kind: bool) -> str:
    """Ids of interactions holding every word of :q, newest logged first (the SQLite index's order)."""
    sql = (
        f"SELECT i.id FROM interaction i WHERE i.{SEARCH_COLUMN} @@ "
        f"plainto_tsquery('{SEARCH_CONFIG}'::regconfig, :q)"
    )
    if customer:
        sql += " AND i.customer_id = :cid"
    if kind:
        sql += " AND i.kind = :kind"
    return sql + " ORDER BY i.id DESC LIMIT :limit OFFSET :offset"


def advance_id_sequence(conn: Connection, table: str) -> None:
    """After rows were inserted with explicit ids, make the table's id sequence hand out the next free one.

    Never moves it back: ids other writers took meanwhile stay taken.
    """
    seq = _sequence(conn, table)
    conn.exec_driver_sql(
        f"SELECT setval('{seq}', GREATEST((SELECT COALESCE(MAX(id), 0) FROM {_quoted(table)}), "
        f"(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {seq}), 1), "
        f"(SELECT COUNT(*) > 0 FROM {_quoted(table)}) OR (SELECT is_called FROM {seq}))"
    )


def _quoted(table: str) -> str:
    return '"' + table.replace('"', '""') + '"'
