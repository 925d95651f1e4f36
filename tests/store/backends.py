"""Store tests on both backends: a `store` fixture parametrised over SQLite and PostgreSQL.

A test module that imports `store` from here runs each of its tests on a fresh SQLite file and on a
fresh PostgreSQL database (one throwaway server per test process, see tests/pgserver.py). Without
PostgreSQL here the postgres cases skip with a one-line reason; with CRM_TEST_REQUIRE_PG=1 (CI) they
fail instead. The PostgreSQL ones are copies of a database migrated once per test process
(`CREATE DATABASE … TEMPLATE`), as conftest's are.
"""

from __future__ import annotations

import atexit
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from store import Store
from tests import pgserver

BACKENDS = ["sqlite", "postgres"]


def pg_server() -> pgserver.PgServer:
    """The test process's PostgreSQL server; skips (or fails under CRM_TEST_REQUIRE_PG=1) without one."""
    reason = pgserver.available()
    if reason is not None:
        if pgserver.required():
            pytest.fail(f"PostgreSQL required (CRM_TEST_REQUIRE_PG=1) but unavailable: {reason}")
        pytest.skip(reason)
    return pgserver.shared()


@pytest.fixture(name="pg_url")
def fresh_pg_database() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database, dropped after the test."""
    server = pg_server()
    name, url = server.fresh_database()
    yield url
    server.drop_database(name)


_SCHEMA: dict[str, str] = {}  # server URL -> this process's migrated template database on it


def _schema_template(server: pgserver.PgServer) -> str:
    if server.base_url not in _SCHEMA:
        name, url = server.fresh_database(prefix="crm_schema")
        Store(url).close()  # migrated, and no connection left: a template must have none
        _SCHEMA[server.base_url] = name
        atexit.register(_drop_quietly, server, name)
    return _SCHEMA[server.base_url]


def _drop_quietly(server: pgserver.PgServer, name: str) -> None:
    with contextlib.suppress(Exception):  # a throwaway server may be gone already
        server.drop_database(name)


def open_store(backend: str, tmp_path: Path) -> tuple[Store, str]:
    """A fresh store on `backend` and the name of its PostgreSQL database ('' for SQLite)."""
    if backend == "sqlite":
        return Store(tmp_path / "crm.db"), ""
    server = pg_server()
    name, url = server.fresh_database(template=_schema_template(server))
    return Store(url), name


@pytest.fixture(params=BACKENDS, name="store")
def both_backends(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """`store` on each backend: import `both_backends` into a test module to override conftest's."""
    s, name = open_store(request.param, tmp_path)
    yield s
    s.close()
    if name:
        pgserver.shared().drop_database(name)


def fts_ids(store: Store, words: str) -> list[int]:
    """Ids the backend's own full-text index finds for `words` (its raw syntax), in id order."""
    if store.is_sqlite:
        sql = "SELECT rowid FROM interaction_fts WHERE interaction_fts MATCH :q ORDER BY rowid"
    else:
        sql = (
            "SELECT id FROM interaction WHERE body_search @@ plainto_tsquery('crm_search'::regconfig, :q) "
            "ORDER BY id"
        )
    with store.read() as s:
        return [int(r[0]) for r in s.connection().execute(text(sql), {"q": words})]
