"""Shared fixtures: a real database per test, a fixed clock, and a small realistic book of business.

The database is a SQLite file by default. With CRM_TEST_BACKEND=postgres every fixture that makes a
database (`store`, `ctx`, `crm`, `book`, `new_db`, and the `crm` subprocesses given one through
CRM_DB) makes a fresh PostgreSQL database on one throwaway server per test process instead
(tests/pgserver.py; CRM_TEST_PG_URL names a server that is already running). Without PostgreSQL on
the machine those tests skip with one reason; with CRM_TEST_REQUIRE_PG=1 (CI) the run fails instead.

Building a database costs migrations and, for the sample book, an import: each is done once per
session into a template, and each test gets a copy (a file copy on SQLite, `CREATE DATABASE …
TEMPLATE` on PostgreSQL).

Markers: `e2e` (through a real surface: a subprocess, HTTP, stdio; `pytest -m "not e2e"` is the quick
loop) and `sqlite_only` (only meaningful on a SQLite file: permissions, WAL, kill -9 and
integrity_check; skipped on PostgreSQL with the reason given).
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import certifi  # httpx's CA bundle (see _one_certificate_bundle)
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from store import Store
from store.db import database_url
from tests import pgserver
from tests.e2e import crm_zygote
from tools.context import ToolContext
from tools.demo import load_demo
from tools.transfer import import_text

# ---- where tmp_path lives -------------------------------------------------------------------------

# Memory-backed temporary directories when the machine has them: every test's SQLite file, its WAL
# and every `crm` subprocess's database live under tmp_path, and closing a database that was written
# checkpoints and fsyncs it. On a quiet disk that is ~1 ms; while another program writes a lot to
# the same disk each fsync waits for its data too (the ext4 journal): tests/assistant then took 68 s
# in one process with 37 s of CPU (closing databases alone 6.4 s), and 37 s on tmpfs. Nothing a test
# checks depends on the medium (read-only and full-disk tests mount their own). TMPDIR,
# PYTEST_DEBUG_TEMPROOT or --basetemp choose another place; pytest keeps its numbered
# pytest-of-<user>/pytest-N folders (the last three runs) there as it does under /tmp.
SHM = Path("/dev/shm")
SHM_NEEDS = 2 << 30  # bytes free; the suite writes well under 200 MB


def _memory_temp_root() -> Path | None:
    if "TMPDIR" in os.environ or "PYTEST_DEBUG_TEMPROOT" in os.environ:
        return None
    try:
        with open("/proc/mounts") as mounts:
            tmpfs = any(line.split()[1:3] == [str(SHM), "tmpfs"] for line in mounts)
        free = os.statvfs(SHM)
    except OSError:
        return None
    if not tmpfs or free.f_bavail * free.f_frsize < SHM_NEEDS or not os.access(SHM, os.W_OK | os.X_OK):
        return None
    return SHM


if (_root := _memory_temp_root()) is not None:
    os.environ["PYTEST_DEBUG_TEMPROOT"] = str(_root)  # read when tmp_path's base is first made

# A saved name index of a PostgreSQL database goes to the user's cache folder (store/name_snapshot.py):
# the suite's (and its subprocesses') go to a folder of the run's own, never to the home folder.
_name_indexes = tempfile.mkdtemp(prefix="crm-test-name-index-")
os.environ["CRM_NAME_INDEX_DIR"] = _name_indexes
atexit.register(shutil.rmtree, _name_indexes, True)

# ---- the TLS trust store ---------------------------------------------------------------------------

# Every HTTP client in the suite speaks plain http to 127.0.0.1 (the MCP server, the fake Bot API, the
# webhook), yet httpx builds a TLS context for each client and parses the whole CA bundle into it:
# ~35 ms of CPU per client, and the bot makes two per start (so does each `crm telegram`). The tests
# and the `crm` processes they start (which inherit the variable) trust one certificate instead, the
# first of the bundle they would have read; nothing in the suite makes a TLS connection.
CA_ONE = Path(tempfile.gettempdir()) / "crm-tests-one-ca.pem"


def _one_certificate_bundle() -> Path | None:
    try:
        bundle = Path(os.environ.get("SSL_CERT_FILE") or certifi.where()).read_text()
    except OSError:
        return None
    end = "-----END CERTIFICATE-----"
    begin, stop = bundle.find("-----BEGIN CERTIFICATE-----"), bundle.find(end)
    if begin < 0 or stop < begin:
        return None
    first = bundle[begin : stop + len(end)] + "\n"
    with contextlib.suppress(OSError):
        if CA_ONE.read_text() == first:
            return CA_ONE
    partial = CA_ONE.with_name(f"{CA_ONE.name}.{os.getpid()}")
    partial.write_text(first)
    os.replace(partial, CA_ONE)  # workers starting together each write the same bytes
    return CA_ONE


if (_ca := _one_certificate_bundle()) is not None:
    os.environ["SSL_CERT_FILE"] = str(_ca)
    os.environ.pop("SSL_CERT_DIR", None)

# A Wednesday afternoon, so "this week" has days on both sides.
NOW = datetime(2026, 3, 4, 14, 0, tzinfo=ZoneInfo("UTC"))

BACKEND = os.environ.get("CRM_TEST_BACKEND", "").strip().lower() or "sqlite"
ON_POSTGRES = BACKEND in ("postgres", "postgresql", "pg")
if BACKEND not in ("sqlite", "postgres", "postgresql", "pg"):
    raise pytest.UsageError(f"CRM_TEST_BACKEND={BACKEND!r}: use sqlite or postgres")

# A test whose fixtures (directly or through others) include this one gets a database of the chosen
# backend; on PostgreSQL with CRM_TEST_ONLY_DB=1 (CI's second run) the tests that have none are left
# out: they ran on SQLite already and no database of theirs would change.
DB_FIXTURE = "databases"

SAMPLE = {
    "format": "crm-export",
    "version": 1,
    "customers": [
        {
            "name": "Acme Corp",
            "stage": "qualified",
            "owner": "sam",
            "email": "hello@acme.example",
            "value": 48000,
            "tags": ["enterprise"],
            "contacts": [{"name": "Dana Whitfield", "role": "CTO"}],
            "interactions": [
                {
                    "kind": "meeting",
                    "body": "Demo went well, budget approved for Q2",
                    "occurred_at": "2026-03-02T10:00:00",
                    "author": "sam",
                }
            ],
            "followups": [{"due": "2026-03-06", "description": "send pricing", "owner": "sam"}],
        },
        {
            "name": "Globex Corporation",
            "stage": "proposal",
            "owner": "kim",
            "value": 120000,
            "contacts": [{"name": "Hank Scorpio", "role": "CEO"}],
            "followups": [{"due": "2026-03-02", "description": "confirm seat count", "owner": "kim"}],
        },
        {
            "name": "Café Müller",
            "stage": "won",
            "owner": "sam",
            "contacts": [{"name": "Jonas Müller"}],
            "interactions": [
                {
                    "kind": "call",
                    "body": "Renewal signed for two more years",
                    "occurred_at": "2025-12-01T09:00:00",
                    "author": "sam",
                }
            ],
        },
        {
            "name": "Brightline Media",
            "stage": "qualified",
            "owner": "sam",
            "contacts": [{"name": "Holly Park", "role": "Marketing lead"}],
        },
        {
            "name": "Brightline Motors",
            "stage": "lead",
            "owner": "sam",
            "contacts": [{"name": "Ivan Petrov", "role": "Fleet buyer"}],
        },
        {
            "name": "Juno Pet Supplies",
            "stage": "lead",
            "owner": "kim",
            "contacts": [{"name": "Holly Park", "role": "Store manager"}],
        },
        {
            "name": "Evergreen Landscaping",
            "stage": "lead",
            "owner": "sam",
            "contacts": [{"name": "Rosa Diaz", "role": "Owner"}],
            "interactions": [
                {
                    "kind": "call",
                    "body": "Intro call, seasonal business, budget tight",
                    "occurred_at": "2025-12-10T09:00:00",
                    "author": "sam",
                }
            ],
        },
        {
            "name": "Kettle & Crumb Bakery",
            "stage": "qualified",
            "owner": "sam",
            "followups": [{"due": "2026-03-10", "description": "quarterly check-in", "owner": "sam"}],
        },
    ],
}


def make_ctx(
    store: Store, actor: str = "sam", source: str = "cli", tz: str = "UTC", now: datetime = NOW
) -> ToolContext:
    return ToolContext(store=store, actor=actor, source=source, tz=ZoneInfo(tz), fixed_now=now)


def _import_sample(store: Store) -> None:
    import_text(make_ctx(store, source="import"), json.dumps(SAMPLE), kind="json", label="sample")


def _load_demo(store: Store) -> None:
    load_demo(make_ctx(store, source="import"))  # what `crm demo` does with CRM_USER=sam at NOW


# A template's name -> what fills it after migrations; "schema" is the migrated empty database.
# tests/assistant/conftest.py adds the corpus book.
TEMPLATES: dict[str, Callable[[Store], object]] = {
    "schema": lambda _store: None,
    "sample": _import_sample,
    "demo": _load_demo,
}
# A test asking for one of these fixtures (directly or through another) gets its `store` from the
# template named, checked in this order; otherwise from "schema". The names are global to the run
# (tests/assistant/conftest.py adds "book"): a fixture of the same name anywhere else gets that
# template too, so give other fixtures other names.
FIXTURE_TEMPLATES: dict[str, str] = {"crm": "sample"}


# ---- databases ------------------------------------------------------------------------------------


class Databases:
    """Fresh databases for one test process, copied from templates built once (see module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.built: dict[str, str] = {}  # template name -> its file (SQLite) or database name (PG)
        self._numbers = itertools.count(1)
        self.server: pgserver.PgServer | None = None
        self._admin: Any = None  # a psycopg connection to the server's `postgres` database (PG only)
        self.unavailable: str | None = None
        self.made: set[str] = set()  # PostgreSQL databases made and not dropped yet
        if ON_POSTGRES:
            self._connect()

    def _connect(self) -> None:
        reason = pgserver.available()
        if reason is None:
            try:
                self.server = pgserver.shared()
                import psycopg  # only on PostgreSQL runs: the driver is an optional extra

                self._admin = psycopg.connect(
                    self.server.url().replace("postgresql+psycopg", "postgresql"), autocommit=True
                )
            except Exception as e:  # the reason is reported once, as a skip or a failure
                reason = f"PostgreSQL did not start: {str(e).strip().splitlines()[-1:]}"
        self.unavailable = reason

    def _pg_name(self, label: str) -> str:
        return f"t{os.getpid()}_{label}_{next(self._numbers)}"

    def _pg(self, sql: str) -> None:
        self._admin.execute(sql)

    def _template(self, name: str) -> str:
        if name not in self.built:
            target: str
            if ON_POSTGRES:
                target = self._pg_name(f"tpl_{name}")
                self._pg(f'CREATE DATABASE "{target}"')
                store = Store(self.url(target))
            else:
                target = str(self.folder / f"template-{name}.db")
                store = Store(target)
            try:
                TEMPLATES[name](store)
            finally:
                store.close()  # the last connection closes: SQLite folds its WAL back into the file
            self.built[name] = target
        return self.built[name]

    def url(self, pg_name: str) -> str:
        assert self.server is not None
        return self.server.url(pg_name)

    def new(
        self,
        folder: Path,
        name: str = "crm.db",
        template: str | None = None,
        copy_of: str | Path | None = None,
    ) -> str | Path:
        """A fresh database: a path `folder/name` on SQLite, a URL on PostgreSQL.

        With `template` it holds that template's content, with `copy_of` a copy of that database (no
        process may have it open); with neither it does not exist yet on SQLite and is empty on
        PostgreSQL (the first Store or `crm` opening it creates the schema, as a user's first run does).
        """
        if ON_POSTGRES:
            pg_name = self._pg_name("db")
            source = self._template(template) if template else None
            if copy_of is not None:
                source = str(copy_of).rsplit("/", 1)[1]
            self._pg(f'CREATE DATABASE "{pg_name}"' + (f' TEMPLATE "{source}"' if source else ""))
            self.made.add(pg_name)
            return self.url(pg_name)
        path = folder / name
        source = self._template(template) if template else copy_of
        if source is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, path)
            path.chmod(0o600)
        return path

    def drop(self, db: str | Path) -> None:
        if ON_POSTGRES and isinstance(db, str) and self._admin is not None:
            pg_name = db.rsplit("/", 1)[1]
            self._pg(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            self.made.discard(pg_name)

    def close(self) -> None:
        if self._admin is not None:
            for pg_name in [*self.made, *self.built.values()]:
                self._pg(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            self._admin.close()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("templates"))
    if dbs.unavailable is not None:
        if pgserver.required():
            pytest.fail(f"CRM_TEST_REQUIRE_PG=1 but PostgreSQL is unavailable: {dbs.unavailable}")
        pytest.skip(f"CRM_TEST_BACKEND=postgres: {dbs.unavailable}")
    yield dbs
    dbs.close()


@pytest.fixture(scope="session", autouse=True)
def _warm_crm() -> Iterator[None]:
    """Stops the warm `crm` (tests/e2e/crm_zygote.py) at the session's end if a test started it."""
    yield
    crm_zygote.stop()


NewDb = Callable[..., str | Path]  # the `new_db` fixture's type


@pytest.fixture
def new_db(databases: Databases, tmp_path: Path) -> Iterator[NewDb]:
    """`new_db(name="crm.db", template=None, copy_of=None)`: a fresh database for this test (see
    `Databases.new`), as a Store or CRM_DB takes it.

    A path under tmp_path on SQLite (not yet created unless `template` is given), a URL on PostgreSQL.
    """
    made: list[str | Path] = []

    def make(
        name: str = "crm.db", template: str | None = None, copy_of: str | Path | None = None
    ) -> str | Path:
        db = databases.new(tmp_path, name, template, copy_of)
        made.append(db)
        return db

    yield make
    for db in made:
        databases.drop(db)


@pytest.fixture
def store(request: pytest.FixtureRequest, new_db: NewDb) -> Iterator[Store]:
    template = next((t for f, t in FIXTURE_TEMPLATES.items() if f in request.fixturenames), "schema")
    s = Store(new_db(template=template))
    yield s
    s.close()


@pytest.fixture
def ctx(store: Store) -> ToolContext:
    """An empty CRM, acting as sam on Wednesday 2026-03-04 14:00 UTC."""
    return make_ctx(store)


@pytest.fixture
def crm(store: Store) -> ToolContext:
    """The SAMPLE book of business, acting as sam (the import itself is sam's first change)."""
    return make_ctx(store)  # `store` was copied from the "sample" template


def db_of(store: Store) -> Path | str:
    """What CRM_DB or --db takes to open `store`'s database: its file's path, or its URL."""
    return Path(store.path) if store.path else store.url


def run_sql(db: str | os.PathLike[str] | Store, sql: str, **params: object) -> list[tuple[Any, ...]]:
    """Run one SQL statement on `db` (a path, a URL or a Store) outside every Store, as another program
    would, and commit; its rows, if it returns any."""
    url = db.url if isinstance(db, Store) else database_url(db)
    if url not in _ENGINES:  # no pool: nothing stays open between statements
        _ENGINES[url] = create_engine(url, poolclass=NullPool)
    with _ENGINES[url].begin() as conn:
        result = conn.execute(text(sql), params)
        return [tuple(r) for r in result] if result.returns_rows else []


_ENGINES: dict[str, Engine] = {}


def count_rows(db: str | os.PathLike[str] | Store, tables: tuple[str, ...]) -> dict[str, int]:
    """How many rows each table holds."""
    return {t: int(run_sql(db, f'SELECT count(*) FROM "{t}"')[0][0]) for t in tables}


# ---- markers and the backend switch --------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): only meaningful on a SQLite file (permissions, WAL, kill -9); "
        "skipped on PostgreSQL",
    )
    config.addinivalue_line(
        "markers", "pg_only(reason): a PostgreSQL test; skipped unless CRM_TEST_BACKEND=postgres"
    )


def pytest_report_header(config: pytest.Config) -> str:
    where = os.environ.get("CRM_TEST_PG_URL", "a throwaway server") if ON_POSTGRES else "a file per test"
    return f"crm-assistant test backend: {'postgres' if ON_POSTGRES else 'sqlite'} ({where})"


def _reason(marker: pytest.Mark, default: str) -> str:
    return str(marker.kwargs.get("reason") or (marker.args[0] if marker.args else default))


def _is_property_test(item: pytest.Item) -> bool:
    return bool(getattr(getattr(item, "obj", None), "is_hypothesis_test", False))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Property tests (hypothesis: tens of examples, 2-12 s each) first, every other test after them in
    # its usual order: pytest -n 2 hands tests out in this order, and a long one handed out last kept
    # one worker busy while the other had nothing left. Stable, so the same order in every worker.
    items.sort(key=lambda item: not _is_property_test(item))
    if not ON_POSTGRES:
        for item in items:
            marker = item.get_closest_marker("pg_only")
            if marker is not None:
                why = _reason(marker, "PostgreSQL")
                item.add_marker(
                    pytest.mark.skip(reason=f"PostgreSQL only ({why}): CRM_TEST_BACKEND=postgres")
                )
        return
    only_db = os.environ.get("CRM_TEST_ONLY_DB", "") not in ("", "0")
    kept, left_out = [], []
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {_reason(marker, 'a SQLite file')}"))
        uses_db = DB_FIXTURE in getattr(item, "fixturenames", ())
        (kept if uses_db or not only_db else left_out).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
