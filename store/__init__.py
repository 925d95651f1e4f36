"""The store: SQLModel tables, the engine, queries and schema upgrades, on SQLite or PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.db import Store, database_url, default_db_path

__all__ = ["Store", "database_url", "default_db_path"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        # Imported on first use, not with the package: store.db pulls in SQLAlchemy and SQLModel
        # (~0.5 s), and `crm mcp` must answer `initialize` before it needs them.
        from store import db

        return getattr(db, name)
    raise AttributeError(f"module 'store' has no attribute {name!r}")
