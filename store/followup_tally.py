"""How many follow-ups there are per (status, due date), kept by triggers (SQLite only).

`list_followups` returns the exact number of follow-ups in its window (`total`). At 1,000,000
customers "this week" (overdue included) is ~160,000 open follow-ups, and counting them off the
covering (status, due date) index took ~19 ms, growing with the follow-ups. The tally holds one row
per status and due date (a few hundred rows), so the same count is a SUM over the window's dates.

The tally's `due_date` has the same column type (and so, on SQLite, the same affinity) as the
follow-up's, and the triggers copy the stored value itself, so a window's conditions select the
same dates in both and the SUM equals the COUNT by construction.

PostgreSQL keeps counting the index: every writer of a follow-up due the same day would update the
same counter row and hold its lock to commit (and two moving follow-ups in opposite directions could
deadlock), where SQLite's writers are serialized anyway.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, MetaData, String, Table
from sqlalchemy.engine import Connection

from store.schema_probe import SchemaProbe

# Not on SQLModel.metadata: only SQLite databases have it, and copies and exports never carry it
# (the triggers fill it as the follow-ups are written).
tally = Table(
    "followup_tally",
    MetaData(),
    Column("status", String, primary_key=True),
    Column("due_date", Date, primary_key=True),
    Column("n", Integer, nullable=False),
)

_ADD = (
    "INSERT INTO followup_tally (status, due_date, n) VALUES (new.status, new.due_date, 1) "
    "ON CONFLICT (status, due_date) DO UPDATE SET n = n + 1;"
)
_TAKE = (
    "UPDATE followup_tally SET n = n - 1 WHERE status = old.status AND due_date = old.due_date; "
    "DELETE FROM followup_tally WHERE status = old.status AND due_date = old.due_date AND n <= 0;"
)
_DDL = (
    "CREATE TABLE IF NOT EXISTS followup_tally (status VARCHAR NOT NULL, due_date DATE NOT NULL, "
    "n INTEGER NOT NULL, PRIMARY KEY (status, due_date)) WITHOUT ROWID",
    f"CREATE TRIGGER IF NOT EXISTS followup_tally_ai AFTER INSERT ON followup BEGIN {_ADD} END",
    f"CREATE TRIGGER IF NOT EXISTS followup_tally_ad AFTER DELETE ON followup BEGIN {_TAKE} END",
    "CREATE TRIGGER IF NOT EXISTS followup_tally_au AFTER UPDATE OF status, due_date ON followup "
    "WHEN old.status IS NOT new.status OR old.due_date IS NOT new.due_date "
    f"BEGIN {_TAKE} {_ADD} END",
)


def create(conn: Connection) -> None:
    """Migration step: the tally and its triggers, filled from the follow-ups there are (SQLite only)."""
    if conn.dialect.name != "sqlite":
        return
    for ddl in _DDL:
        conn.exec_driver_sql(ddl)
    conn.exec_driver_sql("DELETE FROM followup_tally")
    conn.exec_driver_sql(
        "INSERT INTO followup_tally (status, due_date, n) "
        "SELECT status, due_date, count(*) FROM followup GROUP BY status, due_date"
    )


_has_table = SchemaProbe(
    sqlite="SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'followup_tally'", postgresql=None
)


def used(conn: Connection) -> bool:
    """Whether counts of follow-ups by status and date can come from the tally on this connection
    (SQLite only; a file repaired to the latest version may lack it, see store/schema_probe.py)."""
    return _has_table(conn)
