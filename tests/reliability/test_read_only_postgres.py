"""Issue #11, item 6, on PostgreSQL: a store opened read-only reads in read-only transactions, so a read
never writes nor takes the write lock — it answers while a writer holds that lock — and any write
is refused (by the store up front, and by the server for SQL that slips past it)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from store import Store
from store.faults import DatabaseReadOnly
from store.models import Customer
from tests.store.backends import fresh_pg_database  # noqa: F401  (pg_url: a fresh PG database)


def test_a_read_only_store_reads_while_a_writer_holds_the_lock_and_writes_nothing(pg_url: str) -> None:
    writer = Store(pg_url)
    holding, release = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:
        with writer.write() as s:
            s.add(Customer(name="Acme Corp", name_key="acme corp"))
            s.flush()
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=hold_the_write_lock)
    thread.start()
    reader = Store(pg_url, read_only=True)
    try:
        assert holding.wait(30)
        with reader.read() as s:
            conn = s.connection()
            assert conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"
            assert conn.exec_driver_sql("SELECT count(*) FROM customer").scalar() == 0  # not yet committed
        with pytest.raises(DatabaseReadOnly), reader.write():
            pass
        with reader.read() as s, pytest.raises(Exception, match="read-only transaction"):
            s.connection().execute(text("INSERT INTO meta (key, value) VALUES ('x', 'y')"))
    finally:
        release.set()
        thread.join(30)
        reader.close()
        writer.close()
    again = Store(pg_url, read_only=True)
    try:
        with again.read() as s:
            assert s.connection().exec_driver_sql("SELECT count(*) FROM customer").scalar() == 1
    finally:
        again.close()


def test_a_read_only_store_keeps_the_url_s_own_options(pg_url: str) -> None:
    """`?options=-c search_path=…` in the URL: a read-only store adds its read-only setting to them
    (it used to replace them, and so read another schema)."""
    Store(pg_url).close()
    url = f"{pg_url}?options=-c%20search_path%3Dpublic%2Cpg_catalog%20-c%20statement_timeout%3D4321"
    reader = Store(url, read_only=True)
    try:
        with reader.read() as s:
            conn = s.connection()
            assert conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "4321ms"
            assert conn.exec_driver_sql("SHOW search_path").scalar().replace(" ", "") == "public,pg_catalog"
    finally:
        reader.close()
