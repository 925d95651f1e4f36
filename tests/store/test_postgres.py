"""PostgreSQL as the store's second backend: schema records, imports, many writers, faults."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlmodel import col, func, select

import tools.transfer as transfer
from store import Store, bulk, migrations
from store.faults import DatabaseBusy, DatabaseReadOnly, DatabaseUnavailable
from store.models import ChangeLog, Contact, Customer, Interaction
from tests import pgserver
from tests.conftest import SAMPLE, make_ctx
from tests.store.backends import fresh_pg_database, pg_server  # noqa: F401  (pg_url: a fresh PG database)
from tests.store.test_bulk import DOC as BULK_DOC
from tools.history import recent_changes, undo
from tools.schemas import RecentChanges
from tools.transfer import ImportFailed, import_text


def _meta(url: str, key: str) -> str | None:
    store = Store(url, upgrade=False)
    try:
        with store.read() as s:
            row = s.connection().execute(text("SELECT value FROM meta WHERE key = :k"), {"k": key}).first()
            return None if row is None else str(row[0])
    finally:
        store.close()


def _sql(url: str, sql: str) -> None:
    store = Store(url, upgrade=False)
    try:
        with store.engine.begin() as conn:
            conn.exec_driver_sql(sql)
    finally:
        store.close()


@pytest.fixture
def pg_server_fixture() -> pgserver.PgServer:
    return pg_server()


@pytest.fixture
def pg(pg_url: str) -> Iterator[Store]:
    store = Store(pg_url)
    yield store
    store.close()


# ---- schema ---------------------------------------------------------------------------------------


def test_a_fresh_database_gets_the_current_schema(pg_url: str) -> None:
    store = Store(pg_url)
    try:
        assert store.schema_version() == migrations.LATEST
        assert store.is_postgres and not store.is_sqlite and store.stages_imports
    finally:
        store.close()
    assert _meta(pg_url, "schema_version") == str(migrations.LATEST)
    again = Store(pg_url)  # reopening changes nothing
    assert again.schema_version() == migrations.LATEST
    again.close()


@pytest.mark.parametrize(
    "damage", ["DELETE FROM meta WHERE key = 'schema_version'", "UPDATE meta SET value = '3.0'"]
)
def test_a_lost_or_misspelt_version_record_is_repaired(pg_url: str, damage: str) -> None:
    Store(pg_url).close()
    _sql(pg_url, damage.replace("'3.0'", f"'{migrations.LATEST}.0' WHERE key = 'schema_version'"))
    store = Store(pg_url)
    try:
        assert store.schema_version() == migrations.LATEST
    finally:
        store.close()
    assert _meta(pg_url, "schema_version") == str(migrations.LATEST)


def test_a_database_from_a_newer_release_is_refused(pg_url: str) -> None:
    Store(pg_url).close()
    _sql(pg_url, f"UPDATE meta SET value = '{migrations.LATEST + 1}' WHERE key = 'schema_version'")
    with pytest.raises(migrations.SchemaTooNew, match="newer than this crm-assistant"):
        Store(pg_url)
    assert _meta(pg_url, "schema_version") == str(migrations.LATEST + 1)


def test_an_upgrade_step_runs_once_and_keeps_every_row(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(pg_url)
    with store.write() as s:
        s.add(Customer(name="Acme", name_key="acme"))
    store.close()
    ran: list[int] = []
    nxt = migrations.LATEST + 1
    monkeypatch.setattr(
        migrations, "STEPS", [*migrations.STEPS, (nxt, "test step", lambda c: ran.append(nxt))]
    )
    monkeypatch.setattr(migrations, "LATEST", nxt)
    for _ in range(2):
        Store(pg_url).close()
    assert ran == [nxt]
    assert _meta(pg_url, "schema_version") == str(nxt)
    again = Store(pg_url)
    with again.read() as s:
        assert [c.name for c in s.exec(select(Customer))] == ["Acme"]
    again.close()


# ---- bulk import ----------------------------------------------------------------------------------


def _counts(store: Store) -> dict[str, int]:
    with store.read() as s:
        return {
            m.__name__: int(s.exec(select(func.count()).select_from(m)).one())
            for m in (Customer, Contact, Interaction, ChangeLog)
        }


def test_an_import_is_all_or_nothing(pg: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = make_ctx(pg, source="import")
    bad = json.loads(json.dumps(SAMPLE))
    bad["customers"][3]["value"] = "lots"
    with pytest.raises(ImportFailed):
        import_text(ctx, json.dumps(bad), kind="json", label="bad")
    assert _counts(pg) == {"Customer": 0, "Contact": 0, "Interaction": 0, "ChangeLog": 0}

    def fail(*_args: object, **_kw: object) -> bool:
        raise RuntimeError("the disk went away mid-import")

    monkeypatch.setattr(transfer, "_merge", fail)  # after every new row is written, before the commit
    with pytest.raises(RuntimeError):
        import_text(ctx, json.dumps(SAMPLE), kind="json", label="sample")
    assert _counts(pg) == {"Customer": 0, "Contact": 0, "Interaction": 0, "ChangeLog": 0}


def test_an_import_logs_each_customer_and_later_ids_follow_it(pg: Store) -> None:
    import_text(make_ctx(pg, source="import"), json.dumps(SAMPLE), kind="json", label="sample")
    counts = _counts(pg)
    assert counts["Customer"] == len(SAMPLE["customers"]) == counts["ChangeLog"]
    with pg.write() as s:  # an ordinary insert after a bulk one with explicit ids
        s.add(Customer(name="Later", name_key="later"))
    with pg.read() as s:
        ids = [c.id for c in s.exec(select(Customer).order_by(Customer.id))]
        logged = {r.entity_id: r.after["name"] for r in s.exec(select(ChangeLog))}
        names = {c.id: c.name for c in s.exec(select(Customer))}
    assert ids == list(range(1, len(ids) + 1))
    assert all(names[i] == name for i, name in logged.items())


def test_the_staged_copy_logs_what_the_session_path_logs(pg_server_fixture: pgserver.PgServer) -> None:
    logged = []
    for in_batch in (False, True):
        name, url = pg_server_fixture.fresh_database()
        store = Store(url)
        try:
            ctx = make_ctx(store, source="import")
            if in_batch:  # inside a caller's batch the import writes through one ORM session instead
                with ctx.batch("import doc"):
                    import_text(ctx, BULK_DOC, kind="json", label="doc")
            else:
                import_text(ctx, BULK_DOC, kind="json", label="doc")
            with store.read() as s:
                rows = s.exec(select(ChangeLog).order_by(col(ChangeLog.id))).all()
                logged.append([r.model_dump(exclude={"id", "batch"}) for r in rows])
        finally:
            store.close()
            pg_server_fixture.drop_database(name)
    staged, session = logged
    assert len(staged) == 3 and staged == session
    acme = staged[0]["after"]
    assert acme["created_at"] == "2026-01-02T03:04:05.123456+00:00"
    assert acme["updated_at"] == "2026-01-02T01:04:05+00:00"
    assert acme["tags"] == ["eu", "priority"] and acme["value"] == 1200.5


def test_another_writer_does_not_wait_for_an_imports_copy(
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRM_BUSY_TIMEOUT_MS", "300")  # a writer queued behind the copy would fail busy
    importer, rep = Store(pg_url), Store(pg_url)
    during: list[object] = []

    def copy_while_a_rep_writes(written):  # between the import's short transactions (store/bulk.py)
        # a rep creates a customer and notes it

        def rep_writes() -> None:
            try:
                with rep.write() as s:
                    c = Customer(name="Initech", name_key="initech")
                    s.add(c)
                    s.flush()
                    s.add(Interaction(customer_id=c.id, body="met", occurred_at=c.created_at))
                during.append("written")
            except Exception as e:  # reported by the assertion
                during.append(e)

        writer = threading.Thread(target=rep_writes)
        writer.start()
        writer.join(10)

    monkeypatch.setattr(bulk, "_after_chunk", copy_while_a_rep_writes)
    try:
        import_text(make_ctx(importer, source="import"), json.dumps(SAMPLE), kind="json", label="sample")
        assert during == ["written"]
        with importer.read() as s:
            names = {c.name for c in s.exec(select(Customer))}
            version = s.connection().exec_driver_sql("SELECT value FROM meta WHERE key = 'names_version'")
            assert int(version.scalar_one()) == 2  # the rep's creation and the import, once each
        assert len(names) == len(SAMPLE["customers"]) + 1 and "Initech" in names
        undo(make_ctx(importer, actor="sam", source="import"))  # the import undone, the rep's customer stays
        with importer.read() as s:
            assert [c.name for c in s.exec(select(Customer))] == ["Initech"]
    finally:
        importer.close()
        rep.close()


def test_an_import_refused_busy_leaves_no_lock_behind(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_BUSY_TIMEOUT_MS", "200")
    store = Store(pg_url)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.write() as s:
            s.add(Customer(name="Globex", name_key="globex corporation"))
            s.flush()
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(10)
    try:  # the import's id reservation waits for the lock past the busy timeout
        with pytest.raises(DatabaseBusy):
            import_text(make_ctx(store, source="import"), json.dumps(SAMPLE), kind="json", label="sample")
    finally:
        release.set()
        holder.join()
    with store.write() as s:  # nothing of the import kept the lock (a write would fail busy)
        s.add(Customer(name="Initech", name_key="initech"))
    assert _counts(store)["Customer"] == 2
    import_text(make_ctx(store, source="import"), json.dumps(SAMPLE), kind="json", label="sample")
    assert _counts(store)["Customer"] == 2 + len(SAMPLE["customers"]) - 1  # Globex was merged
    store.close()


# ---- many writers ---------------------------------------------------------------------------------


def test_concurrent_read_modify_writes_lose_nothing(pg: Store) -> None:
    with pg.write() as s:
        c = Customer(name="Acme", name_key="acme", tags=[])
        s.add(c)
        s.flush()
        cid = c.id
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for k in range(10):
                with pg.write() as s:  # read the tags, add one, write them back
                    row = s.get(Customer, cid)
                    row.tags = [*row.tags, f"w{n}-{k}"]
                    row.value = (row.value or 0) + 1
                    s.add(row)
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with pg.read() as s:
        row = s.get(Customer, cid)
    assert row is not None and row.value == 80 and len(set(row.tags)) == 80


# ---- faults ---------------------------------------------------------------------------------------


def test_a_server_that_is_not_running_is_named_without_its_password() -> None:
    pg_server()  # skip (or fail under CRM_TEST_REQUIRE_PG=1) where PostgreSQL cannot run at all
    server = pgserver.start()
    url = server.create_database("gone").replace("postgres@", "postgres:s3cret@")
    store = Store(url)
    server.stop()
    with pytest.raises(DatabaseUnavailable) as failed, store.read() as s:
        s.exec(select(Customer)).all()
    message = str(failed.value)
    assert f"127.0.0.1:{server.port}/gone" in message and "s3cret" not in message
    assert "not running" in message
    # The prebuilt reads' own connection (store.quick_read: the driver's error, not SQLAlchemy's).
    with pytest.raises(DatabaseUnavailable) as quick:
        recent_changes(make_ctx(store), RecentChanges(limit=1))
    assert "not running" in str(quick.value) and "s3cret" not in str(quick.value)
    with pytest.raises(DatabaseUnavailable) as again:
        Store(url)
    assert "s3cret" not in str(again.value)
    store.close()


def test_a_missing_database_is_named(pg_url: str) -> None:
    url = pg_url.rsplit("/", 1)[0] + "/no_such_db"
    with pytest.raises(DatabaseUnavailable, match="no_such_db: it does not exist"):
        Store(url)


def test_a_writer_waiting_past_the_busy_timeout_is_told_to_try_again(
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRM_BUSY_TIMEOUT_MS", "200")
    store = Store(pg_url)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.write() as s:
            s.add(Customer(name="Acme", name_key="acme"))
            s.flush()
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(10)
    try:
        with pytest.raises(DatabaseBusy) as busy, store.write() as s:
            s.add(Customer(name="Globex", name_key="globex"))
        assert busy.value.retry and "try again" in str(busy.value)
        with store.read() as s:  # readers never wait for a writer
            assert s.exec(select(Customer)).all() == []
    finally:
        release.set()
        holder.join()
        store.close()


def test_a_read_only_database_reads_and_refuses_writes_in_one_sentence(pg_url: str) -> None:
    Store(pg_url).close()
    name = pg_url.rsplit("/", 1)[1]
    _sql(pg_url, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    store = Store(pg_url)
    try:
        with store.read() as s:
            assert s.exec(select(Customer)).all() == []
        with pytest.raises(DatabaseReadOnly, match="read-only"), store.write() as s:
            s.add(Customer(name="Acme", name_key="acme"))
    finally:
        store.close()  # the fixture drops the database (from another one, where writes are allowed)
