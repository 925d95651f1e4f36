"""Whether a table (or column) a later schema step added is there, asked once per engine until it is.

A file whose lost version record was repaired from its tables may be at the latest version without a
derived table (see store.migrations `_version_in`); the code that reads one checks first. A table
found stays found (nothing drops it); one missing is looked for again, since an upgrade may add it.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from sqlalchemy.engine import Connection, Engine


class SchemaProbe:
    """`probe(conn)`: whether the statement for `conn`'s dialect (None: never there) returns a row."""

    def __init__(self, *, sqlite: str, postgresql: str | None) -> None:
        self._sql = {"sqlite": sqlite, "postgresql": postgresql}
        self._found: WeakKeyDictionary[Engine, bool] = WeakKeyDictionary()

    def __call__(self, conn: Connection) -> bool:
        engine = conn.engine
        if self._found.get(engine):
            return True
        sql = self._sql.get(conn.dialect.name)
        if sql is None or conn.exec_driver_sql(sql).first() is None:
            return False
        self._found[engine] = True
        return True


def table_probe(name: str) -> SchemaProbe:
    """The probe for table `name` in the current schema, on SQLite and PostgreSQL."""
    return SchemaProbe(
        sqlite=f"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{name}'",
        postgresql=f"SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = '{name}'",
    )
