"""Another writer's turn between an import's chunks (SQLite): it gets in at the next gap, not at the end.

A crm writer that waits for SQLite's write lock says so (store/bulk.waiting_for_the_lock, a shared
flock beside the database); the importer keeps the lock free between two chunks while one does,
and otherwise goes on at once. A writer that does not say so (the sqlite3 shell, another program)
gets a gap long enough for SQLite's busy handler every `bulk._QUIET_EVERY` seconds.

No timing is asserted. The order is read off the database: inside the transaction of the chunk
after the one the writer waited on, the importer's own connection either sees the writer's row
(it got in between) or not. The writer starts waiting while a chunk holds the lock, and is left
waiting long enough for its busy handler to poll only every ~100 ms: a gap of the length of the
importer's own work between chunks (well under a millisecond here) then almost never catches it.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from store import Store, bulk
from tests.conftest import make_ctx
from tools.transfer import import_text

pytestmark = pytest.mark.sqlite_only("SQLite's busy handler and the flock beside the file")

ROWS = "name,contact\n" + "".join(f"Turnco {i:03d} Ltd,Person {i}\n" for i in range(30))
WAITS_IN = 1  # the chunk (0-based) during which the other writer starts waiting
NAME = "Walk-in Ltd"


def _import_beside(
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    write: Callable[[], object],
) -> list[int]:
    """Import ROWS in 6 chunks; `write` starts (in a thread) during chunk WAITS_IN and is left waiting.

    Returns, per chunk, how many customers named NAME the chunk's own transaction sees.
    """
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 10)  # 5 customers and their contacts per chunk
    seen: list[int] = []
    errors: list[BaseException] = []
    threads: list[threading.Thread] = []
    original = bulk._write_chunk
    started = threading.Event()

    def run() -> None:
        try:
            started.set()
            write()
        except BaseException as e:  # reported by the test, not lost in the thread
            errors.append(e)

    def chunk(conn: Any, *args: Any) -> None:
        count = conn.exec_driver_sql("SELECT count(*) FROM customer WHERE name = ?", (NAME,)).scalar_one()
        seen.append(int(count))
        if len(seen) == WAITS_IN + 1:  # this chunk holds the lock: the writer queues behind it
            threads.append(threading.Thread(target=run))
            threads[0].start()
            started.wait()
            time.sleep(0.3)  # it waits for the lock by now; its busy handler polls every ~100 ms
        original(conn, *args)

    monkeypatch.setattr(bulk, "_write_chunk", chunk)
    result = import_text(make_ctx(store, source="import"), ROWS, kind="csv", label="turns.csv")
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert result.customers_created == 30 and len(seen) == 6
    return seen


def test_a_crm_writer_waiting_during_a_chunk_gets_in_before_the_next_one(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tools.customers import create_customer, find_customers
    from tools.schemas import CreateCustomer, FindCustomers

    monkeypatch.setattr(bulk, "_QUIET_EVERY", 1e9)  # no periodic gaps: only the announcement opens one
    assert store.path is not None
    # The rep's process opens the database by another name (a symlink, given as a URL, which is taken
    # as it is): both look at the side files of the real file.
    alias = tmp_path / "alias.db"
    alias.symlink_to(store.path)
    rep = make_ctx(Store(f"sqlite:///{alias}"), actor="kim")
    try:
        seen = _import_beside(
            store,
            monkeypatch,
            lambda: create_customer(rep, CreateCustomer(name=NAME)),
        )
        # Not yet there while it waited; there as soon as the next chunk began.
        assert seen[: WAITS_IN + 1] == [0] * (WAITS_IN + 1)
        assert seen[WAITS_IN + 1] == 1, seen
        assert find_customers(rep, FindCustomers(query=NAME)).items[0].name == NAME
    finally:
        rep.store.close()


def test_a_writer_that_does_not_announce_itself_gets_the_periodic_gap(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = store.path
    assert path is not None
    monkeypatch.setattr(bulk, "_QUIET_EVERY", 0.0)  # the periodic gap after every chunk

    def shell_like() -> None:  # a plain sqlite3 connection, as the sqlite3 shell or a script writes
        conn = sqlite3.connect(path, timeout=60, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO customer (name, name_key, stage, owner, tags, created_at, updated_at) "
                "VALUES (?, 'walk-in ltd', 'lead', 'kim', '[]', ?, ?)",
                (NAME, "2026-03-04 14:00:00", "2026-03-04 14:00:00"),
            )
            conn.execute("COMMIT")
        finally:
            conn.close()

    seen = _import_beside(store, monkeypatch, shell_like)
    assert seen[: WAITS_IN + 1] == [0] * (WAITS_IN + 1)
    assert seen[WAITS_IN + 1] == 1, seen


def test_a_writer_is_not_held_up_by_an_importer_stopped_while_it_looks(store: Store) -> None:
    """The importer holds the announcement file exclusively for an instant while it looks; one stopped
    right then (SIGSTOP, a debugger) must not hang every crm write: they go on unannounced."""
    import fcntl
    import os

    from tools.customers import create_customer, get_customer
    from tools.schemas import CreateCustomer, GetCustomer

    path = store.path
    assert path is not None
    open(bulk.import_lock_file(path), "a").close()  # an import has run here: writers announce
    fd = os.open(bulk.writers_file(path), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # the importer, frozen mid-look
        ctx = make_ctx(store)
        made = create_customer(ctx, CreateCustomer(name=NAME)).customer.id
        assert get_customer(ctx, GetCustomer(customer=made)).name == NAME
    finally:
        os.close(fd)


def test_writes_and_imports_go_on_where_the_file_system_has_no_flock(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some network and FUSE mounts refuse flock (ENOLCK) though SQLite works there: the writers'
    announcement is then skipped, never an error, and the importer falls back to its periodic gaps."""
    import fcntl

    from tools.customers import create_customer
    from tools.schemas import CreateCustomer

    assert store.path is not None
    ctx = make_ctx(store, source="import")
    import_text(ctx, ROWS, kind="csv", label="first.csv")  # the import files exist from now on
    real = fcntl.flock

    def refusing(fd: int, operation: int) -> None:
        if operation & (fcntl.LOCK_SH | fcntl.LOCK_UN) and not operation & fcntl.LOCK_EX:
            raise OSError(errno.ENOLCK, "No locks available")
        real(fd, operation)

    monkeypatch.setattr(fcntl, "flock", refusing)  # the writers' side (shared locks) refused
    assert create_customer(make_ctx(store), CreateCustomer(name=NAME)).customer.name == NAME

    def refuse_all(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    turns = bulk._Turns(os.open(bulk.writers_file(store.path), os.O_RDWR), gaps=True)
    monkeypatch.setattr(fcntl, "flock", refuse_all)
    assert turns.someone_waits() is False  # the importer's look: nobody announced, file let go
    assert create_customer(make_ctx(store), CreateCustomer(name="Second Walk-in")).customer.id
