"""Storage faults are reported as what they are, never as "please rephrase"."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import OperationalError

from assistant.faults import BUSY, explain


def _operational(message: str) -> OperationalError:
    return OperationalError("INSERT …", {}, sqlite3.OperationalError(message))


def test_a_locked_database_is_busy_and_worth_retrying() -> None:
    assert explain(_operational("database is locked")) == BUSY


def test_other_storage_faults_say_what_happened_and_that_nothing_was_saved() -> None:
    assert "read-only" in explain(_operational("attempt to write a readonly database"))
    assert "disk is full" in explain(_operational("database or disk is full"))
    for text in (explain(_operational("disk I/O error")), explain(RuntimeError("boom"))):
        assert "rephras" not in text.lower() and "saved" in text


def test_the_store_s_own_fault_messages_are_passed_on() -> None:
    try:
        from store.faults import DatabaseBusy
    except ImportError:  # an older store without typed faults
        return
    assert explain(DatabaseBusy("The database is busy — try again in a moment (safe to retry).")).startswith(
        "The database is busy"
    )
