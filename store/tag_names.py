"""Every tag some customer has (or had), so a search can tell at once that a word is no tag at all.

`find_customers` also looks a query up as a whole tag when no name fits it well. Tags are a JSON
array in each customer row, and "has this tag" is a scan of every row: 30-40 ms at 100,000
customers, ~0.4 s at 1,000,000, for what is nearly always a name with a typo. `tag_name` holds the
distinct tags (lower-cased) and is filled by triggers on every insert and tag change, whoever
writes, so `may_be_tag` answers with one index lookup and the scan runs only for a query that is, or
was, somebody's tag.

- A tag taken off every customer stays listed: the table only grows, and a stale entry costs one
  scan that finds nobody, never a missed customer.
- Matching is the scan's own (store/customer_rows.py `customers_tagged`: the whole tag, ASCII letters
  in any case). A query with other than ASCII letters is always scanned: the two databases fold
  those differently, and this table must never say "no" where the scan would say "yes".
- Only a tags value's top-level strings are listed: a value crm never writes (another program's
  nested list, object or text that is not JSON) may hold, deeper down, what the old substring scan
  matched; such a customer is found by name, not by that "tag".
- A file whose lost version record was repaired may lack the table (see store.migrations
  `_version_in`): then every query may be a tag, as before this table.

The table is not on SQLModel.metadata: it is derived, and copies and exports never carry it
(store/copy.py skips it; the target's triggers fill its own).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection
from sqlmodel import Session

from store.schema_probe import table_probe

# A malformed tags value (another program's write) is left alone rather than failing its write.
_SQLITE_ADD = (
    "INSERT OR IGNORE INTO tag_name (tag) SELECT lower(value) FROM json_each(new.tags) WHERE type = 'text'"
)
_SQLITE_DDL = (
    "CREATE TABLE IF NOT EXISTS tag_name (tag TEXT PRIMARY KEY) WITHOUT ROWID",
    "CREATE TRIGGER IF NOT EXISTS customer_tags_ai AFTER INSERT ON customer "
    f"WHEN new.tags <> '[]' AND json_valid(new.tags) BEGIN {_SQLITE_ADD}; END",
    "CREATE TRIGGER IF NOT EXISTS customer_tags_au AFTER UPDATE OF tags ON customer "
    f"WHEN new.tags <> '[]' AND json_valid(new.tags) BEGIN {_SQLITE_ADD}; END",
)
_SQLITE_FILL = (
    "INSERT OR IGNORE INTO tag_name (tag) SELECT lower(j.value) FROM customer, json_each(customer.tags) j "
    "WHERE customer.tags <> '[]' AND json_valid(customer.tags) AND j.type = 'text'"
)

# One row at a time, like SQLite's (an import's executemany is a statement per row, so a statement
# trigger would run as often). A bulk import holds it per chunk (`held`) and lists the chunk's tags
# in one statement instead.
_PG_DDL = (
    "CREATE TABLE IF NOT EXISTS tag_name (tag TEXT PRIMARY KEY)",
    "CREATE OR REPLACE FUNCTION crm_tag_names() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF NEW.tags IS NULL OR json_typeof(NEW.tags) <> 'array' OR json_array_length(NEW.tags) = 0 "
    "OR current_setting('crm.tags_held', true) = txid_current()::text THEN RETURN NULL; END IF; "
    "INSERT INTO tag_name (tag) SELECT DISTINCT lower(t) FROM json_array_elements_text(NEW.tags) AS t "
    "WHERE t IS NOT NULL ON CONFLICT DO NOTHING; RETURN NULL; END $$",
    "DROP TRIGGER IF EXISTS customer_tags_ai ON customer",
    "CREATE TRIGGER customer_tags_ai AFTER INSERT ON customer FOR EACH ROW EXECUTE FUNCTION crm_tag_names()",
    "DROP TRIGGER IF EXISTS customer_tags_au ON customer",
    "CREATE TRIGGER customer_tags_au AFTER UPDATE OF tags ON customer "
    "FOR EACH ROW EXECUTE FUNCTION crm_tag_names()",
)
_PG_FILL = (
    "INSERT INTO tag_name (tag) SELECT DISTINCT lower(t) FROM customer, "
    "json_array_elements_text(CASE WHEN json_typeof(customer.tags) = 'array' THEN customer.tags "
    "ELSE '[]'::json END) AS t WHERE t IS NOT NULL{where} ON CONFLICT DO NOTHING"
)
_SQLITE_FILL_IDS = _SQLITE_FILL + " AND customer.id BETWEEN ? AND ?"


def create(conn: Connection) -> None:
    """Migration step 8: the table and its triggers, filled from the tags customers have now."""
    if conn.dialect.name == "sqlite":
        for ddl in _SQLITE_DDL:
            conn.exec_driver_sql(ddl)
        conn.exec_driver_sql(_SQLITE_FILL)
    elif conn.dialect.name == "postgresql":
        for ddl in _PG_DDL:
            conn.exec_driver_sql(ddl)
        conn.exec_driver_sql(_PG_FILL.format(where=""))


_has_table = table_probe("tag_name")


def may_be_tag(session: Session, query: str) -> bool:
    """False only when no customer has, or had, `query` as a whole tag (so the tag scan would find none)."""
    key = query.strip()
    if not key.isascii():
        return True
    conn = session.connection()
    if not _has_table(conn):
        return True
    param = "?" if conn.dialect.name == "sqlite" else "%s"
    sql = f"SELECT 1 FROM tag_name WHERE tag = {param}"
    return conn.exec_driver_sql(sql, (key.lower(),)).first() is not None


@contextmanager
def held(conn: Connection, first_id: int, last_id: int) -> Iterator[None]:
    """For a bulk insert of customers `first_id`..`last_id` in this transaction: no tag trigger per row,
    and their tags listed in one statement at the end (0.23 -> 0.08 s of CPU per 100,000 tagged rows).

    On SQLite the insert trigger is dropped and made again inside the transaction (no other connection
    ever sees the table without it); on PostgreSQL the trigger is told this transaction holds it.
    """
    if not _has_table(conn):
        yield
        return
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS customer_tags_ai")
        yield
        conn.exec_driver_sql(_SQLITE_DDL[1])
        conn.exec_driver_sql(_SQLITE_FILL_IDS, (first_id, last_id))
    else:
        conn.exec_driver_sql("SELECT set_config('crm.tags_held', txid_current()::text, true)")
        yield
        conn.exec_driver_sql("SELECT set_config('crm.tags_held', '', true)")
        conn.exec_driver_sql(_PG_FILL.format(where=" AND customer.id BETWEEN %s AND %s"), (first_id, last_id))
