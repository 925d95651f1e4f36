"""The embedded store: SQLModel tables, the engine, queries and schema upgrades."""

from store.db import Store, database_url, default_db_path

__all__ = ["Store", "database_url", "default_db_path"]
