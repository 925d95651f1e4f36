"""The bulk import path logs exactly what one-by-one writes log, so undo treats both alike."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import select

from store import Store, bulk
from store.models import ChangeLog
from tests.conftest import make_ctx
from tools.transfer import import_text

DOC = json.dumps(
    {
        "customers": [
            {
                "name": "Acme Corp",
                "stage": "proposal",
                "tags": ["eu", "priority"],
                "value": 1200.5,
                "created_at": "2026-01-02T03:04:05.123456+00:00",
                "updated_at": "2026-01-02T03:04:05+02:00",
            },
            {"name": "Globex", "email": "hi@globex.example", "contacts": [{"name": "Hank"}]},
            {"name": "Café Müller", "phone": "+49 30 1234", "tags": []},
        ]
    }
)


def _logged(path: Path, *, in_batch: bool) -> list[dict]:
    store = Store(path)
    try:
        ctx = make_ctx(store, source="import")
        if in_batch:  # inside a caller's batch the import writes through one ORM session instead
            with ctx.batch("import doc"):
                import_text(ctx, DOC, kind="json", label="doc")
        else:
            import_text(ctx, DOC, kind="json", label="doc")
        with store.read() as s:
            rows = s.exec(select(ChangeLog).order_by(ChangeLog.id)).all()
            return [r.model_dump(exclude={"id", "batch"}) for r in rows]
    finally:
        store.close()


def test_staged_copy_logs_the_same_rows_as_the_session_path(tmp_path: Path) -> None:
    staged = _logged(tmp_path / "a.db", in_batch=False)
    session = _logged(tmp_path / "b.db", in_batch=True)
    assert len(staged) == 3
    assert staged == session
    acme = staged[0]["after"]
    assert acme["created_at"] == "2026-01-02T03:04:05.123456+00:00"
    assert acme["updated_at"] == "2026-01-02T01:04:05+00:00"
    assert acme["tags"] == ["eu", "priority"] and acme["value"] == 1200.5


def test_customers_created_by_someone_else_meanwhile_shift_the_copy(tmp_path: Path, monkeypatch) -> None:
    import tools.transfer as transfer
    from tools.customers import create_customer, get_customer
    from tools.history import undo
    from tools.schemas import CreateCustomer, GetCustomer

    store = Store(tmp_path / "crm.db")
    importer, rep = (
        make_ctx(store, actor="kim", source="import"),
        make_ctx(Store(tmp_path / "crm.db"), actor="sam"),
    )
    planned = transfer._plan

    def plan_then_someone_writes(s, reading):
        plan = planned(s, reading)
        create_customer(rep, CreateCustomer(name="Initech"))  # takes the id the import planned for Acme
        return plan

    monkeypatch.setattr(transfer, "_plan", plan_then_someone_writes)
    import_text(importer, DOC, kind="json", label="doc")
    globex = get_customer(importer, GetCustomer(customer="Globex"))
    assert [c.name for c in globex.contacts] == ["Hank"]
    with store.read() as s:
        logged = {
            r.entity_id: r.after["name"] for r in s.exec(select(ChangeLog).where(ChangeLog.actor == "kim"))
        }
    assert (
        logged[globex.id] == "Globex"
        and logged[get_customer(importer, GetCustomer(customer="Acme")).id] == "Acme Corp"
    )
    undo(importer)
    assert (
        get_customer(rep, GetCustomer(customer="Initech")).name == "Initech"
    )  # the other rep's customer stays
    store.close()
    rep.store.close()


# ---- a big import in short transactions (issue #11) ------------------------------------------------


def _rows(n: int, start: int = 0) -> str:
    lines = ["name,stage,tags,contact,contact_role"]
    lines += [f"Chunkco {i:03d} Ltd,lead,eu;bulk,Person {i},CTO" for i in range(start, start + n)]
    return "\n".join(lines) + "\n"


def _count(store: Store, table: str) -> int:
    with store.read() as s:
        return int(s.connection().exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar_one())


def _markers(store: Store) -> list[str]:
    with store.read() as s:
        rows = s.connection().execute(
            text("SELECT key FROM meta WHERE key LIKE :p"), {"p": "import_pending:%"}
        )
        return [r[0] for r in rows]


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 10)  # 5 customers and their contacts per transaction


def test_an_import_in_many_chunks_lands_whole_and_undoes_as_one_change(
    store: Store, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tools.customers import find_customers
    from tools.history import undo
    from tools.schemas import FindCustomers

    ctx = make_ctx(store, source="import")
    between: list[tuple[int, list[str]]] = []
    monkeypatch.setattr(
        bulk, "_after_chunk", lambda written: between.append((written.customers, _markers(store)))
    )
    result = import_text(ctx, _rows(23), kind="csv", label="chunks.csv")
    assert (result.customers_created, result.contacts) == (23, 23)
    # Five transactions; the pending-import marker is there between them and gone at the end.
    assert [n for n, _ in between] == [5, 10, 15, 20, 23]
    assert all(len(marks) == 1 for _, marks in between) and _markers(store) == []
    assert find_customers(ctx, FindCustomers(query="Chunkco 017")).items[0].name == "Chunkco 017 Ltd"
    undo(ctx)
    assert (_count(store, "customer"), _count(store, "contact")) == (0, 0)


def test_undo_while_the_import_is_still_running_is_refused_and_changes_nothing(
    store: Store, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tools.errors import CrmError
    from tools.history import undo

    same_actor = make_ctx(Store(store.url), source="import")
    refused: list[str] = []

    def undo_between_chunks(written: bulk.Written) -> None:
        if not refused:  # after the first chunk, the importer's own 'undo' from another window
            with pytest.raises(CrmError) as err:
                undo(same_actor)
            refused.append(str(err.value))
            assert _count(store, "customer") == written.customers  # nothing removed

    monkeypatch.setattr(bulk, "_after_chunk", undo_between_chunks)
    result = import_text(make_ctx(store, source="import"), _rows(12), kind="csv", label="busy.csv")
    assert "still running" in refused[0]
    assert result.customers_created == 12 and _count(store, "customer") == 12
    same_actor.store.close()


def test_a_same_named_customer_created_during_the_import_is_merged_not_a_failure(
    store: Store, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tools.customers import create_customer, get_customer
    from tools.schemas import CreateCustomer, GetCustomer

    rep = make_ctx(Store(store.url), actor="kim")
    done: list[int] = []

    def rep_creates_one_of_the_next_chunk(written: bulk.Written) -> None:
        if not done:  # after the first chunk: a rep types in a customer the file has further down
            done.append(create_customer(rep, CreateCustomer(name="Chunkco 012 Ltd", stage="won")).customer.id)

    monkeypatch.setattr(bulk, "_after_chunk", rep_creates_one_of_the_next_chunk)
    result = import_text(make_ctx(store, source="import"), _rows(20), kind="csv", label="race.csv")
    assert (result.customers_created, result.customers_updated) == (19, 1)
    assert any("Chunkco 012 Ltd" in w and "merged" in w for w in result.warnings), result.warnings
    theirs = get_customer(rep, GetCustomer(customer=done[0]))
    assert theirs.stage == "lead"  # the file's values merged into the rep's customer
    assert [c.name for c in theirs.contacts] == ["Person 12"]
    assert _count(store, "customer") == 20
    rep.store.close()


def test_a_customer_renamed_to_one_of_the_files_names_after_it_was_read_is_merged_into(
    store: Store, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between reading the file and the chunk that would create 'Chunkco 014 Ltd', a rep renames a
    customer to that name: the chunk sees it (the names version moved) and the import merges."""
    import tools.transfer as transfer
    from tools.customers import create_customer, get_customer, update_customer
    from tools.schemas import CreateCustomer, GetCustomer, UpdateCustomer

    rep = make_ctx(Store(store.url), actor="kim")
    theirs = create_customer(rep, CreateCustomer(name="Old Name Ltd", stage="won")).customer.id
    planned = transfer._plan

    def plan_then_rep_renames(s, reading):
        plan = planned(s, reading)
        update_customer(rep, UpdateCustomer(customer=theirs, name="Chunkco 014 Ltd"))
        return plan

    monkeypatch.setattr(transfer, "_plan", plan_then_rep_renames)
    result = import_text(make_ctx(store, source="import"), _rows(20), kind="csv", label="renamed.csv")
    assert (result.customers_created, result.customers_updated) == (19, 1)
    assert any("Chunkco 014 Ltd" in w and "merged" in w for w in result.warnings), result.warnings
    assert [c.name for c in get_customer(rep, GetCustomer(customer=theirs)).contacts] == ["Person 14"]
    assert _count(store, "customer") == 20
    rep.store.close()


def _crash_mid_import(store: Store, monkeypatch: pytest.MonkeyPatch, csv: str) -> None:
    """An import that dies after its chunks, before its last transaction, without cleaning up."""
    import tools.transfer as transfer

    def power_cut(*_args: object) -> None:
        raise SystemExit("power cut")

    with monkeypatch.context() as m:
        m.setattr(bulk, "_undo_chunks", lambda *_a: None)  # a dead process cleans nothing
        m.setattr(transfer, "_import_users", power_cut)
        with pytest.raises(SystemExit):
            import_text(make_ctx(store, source="import"), csv, kind="csv", label="crash.csv")


def test_opening_the_store_removes_what_a_crashed_import_wrote_and_says_so_once(
    store: Store, small_chunks: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from tools.schemas import LogInteraction
    from tools.timeline import log_interaction

    _crash_mid_import(store, monkeypatch, _rows(12))
    assert _count(store, "customer") == 12 and len(_markers(store)) == 1
    # Meanwhile a rep noted something on one of the half-imported customers: that stays.
    log_interaction(make_ctx(store, actor="kim"), LogInteraction(customer="Chunkco 003 Ltd", body="called"))
    with caplog.at_level(logging.WARNING, logger="store.bulk"):
        Store(store.url).close()
        Store(store.url).close()
    said = [r.getMessage() for r in caplog.records if r.name == "store.bulk"]
    assert len(said) == 1 and "crash.csv" in said[0] and "removed the 11 customers" in said[0], said
    assert "kept 1" in said[0]
    assert _count(store, "customer") == 1 and _count(store, "contact") == 1
    assert _count(store, "interaction") == 1 and _markers(store) == []
    with store.read() as s:  # no change-log row of the crashed import is left but the kept one's
        logged = s.connection().exec_driver_sql(
            "SELECT count(*) FROM change_log WHERE summary = 'import crash.csv'"
        )
        assert logged.scalar_one() == 1


def test_the_next_import_removes_a_crashed_ones_rows_first(
    store: Store, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _crash_mid_import(store, monkeypatch, _rows(12))
    result = import_text(make_ctx(store, source="import"), _rows(12), kind="csv", label="again.csv")
    assert result.customers_created == 12
    assert _count(store, "customer") == 12 and _count(store, "contact") == 12 and _markers(store) == []


def test_a_failed_import_removes_its_chunks_before_it_reports(
    store: Store, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tools.transfer as transfer

    def broken(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(transfer, "_import_users", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        import_text(make_ctx(store, source="import"), _rows(12), kind="csv", label="fail.csv")
    assert (_count(store, "customer"), _count(store, "change_log"), _markers(store)) == (0, 0, [])


def test_an_import_into_a_read_only_store_is_refused_plainly(store: Store) -> None:
    from store.faults import DatabaseReadOnly

    reader = Store(store.url, read_only=True)
    try:
        with pytest.raises(DatabaseReadOnly, match="read-only"):
            import_text(make_ctx(reader, source="import"), _rows(3), kind="csv", label="ro.csv")
    finally:
        reader.close()
    assert _count(store, "customer") == 0


def test_the_chunked_import_stores_every_value_exactly_as_the_session_path(tmp_path: Path) -> None:
    """Byte for byte in every table (SQLite keeps a datetime as text: '… 14:00:00.000000', not '… 14:00')."""
    from tests.conftest import SAMPLE

    tables = ("customer", "contact", "interaction", "followup", "stage_change")  # the log: as JSON, above
    doc = json.dumps(
        {
            **SAMPLE,
            "customers": [
                *SAMPLE["customers"],
                {
                    "name": "Stamp Ltd",
                    "created_at": "2026-01-02T03:04:05",
                    "followups": [{"due": "2026-03-09T09:30", "description": "call", "status": "done"}],
                    "stage_history": [{"from": "lead", "to": "won", "at": "2026-02-01T10:00:00.5+01:00"}],
                },
            ],
        }
    )
    stored = []
    for name, in_batch in (("a.db", False), ("b.db", True)):
        store = Store(tmp_path / name)
        ctx = make_ctx(store, source="import")
        if in_batch:
            with ctx.batch("import doc"):
                import_text(ctx, doc, kind="json", label="doc")
        else:
            import_text(ctx, doc, kind="json", label="doc")
        with store.read() as s:
            conn = s.connection()
            rows = {}
            for table in tables:
                columns = list(conn.exec_driver_sql(f'SELECT * FROM "{table}" LIMIT 0').keys())
                # A row's own created_at is the real clock's (it differs between the runs): its form only.
                listed = ", ".join(
                    f'typeof("{c}"), '
                    + (f'length("{c}")' if c == "created_at" and table != "customer" else f'"{c}"')
                    for c in columns
                    if c != "id"
                )
                rows[table] = list(conn.exec_driver_sql(f'SELECT {listed} FROM "{table}" ORDER BY id'))
            stored.append(rows)
        store.close()
    assert stored[0] == stored[1]


def test_the_importing_connection_gets_its_usual_page_cache_back(
    store: Store, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-lived process (MCP server, bot) keeps its memory: the import's big SQLite cache is its own."""
    if not store.is_sqlite:
        pytest.skip("a SQLite page cache")
    sizes: list[int] = []

    def cache_size() -> int:
        with store.connection() as conn:
            raw = conn.connection.driver_connection
            return int(raw.execute("PRAGMA cache_size").fetchone()[0])

    usual = cache_size()
    real = bulk._write_chunk

    def write_chunk(conn: Connection, *args: object) -> None:
        sizes.append(int(conn.connection.driver_connection.execute("PRAGMA cache_size").fetchone()[0]))
        real(conn, *args)

    monkeypatch.setattr(bulk, "_write_chunk", write_chunk)
    import_text(make_ctx(store, source="import"), _rows(12), kind="csv", label="cache.csv")
    assert sizes and all(size == -bulk._IMPORT_CACHE_KIB for size in sizes)
    assert cache_size() == usual


def test_tags_of_every_chunk_are_listed_and_later_tags_still_are(store: Store, small_chunks: None) -> None:
    """Each chunk lists its customers' tags in one statement (store/tag_names.held) instead of the
    per-row trigger; the trigger is back after the import for the next customer's tags."""
    from store import tag_names
    from tools.customers import create_customer
    from tools.schemas import CreateCustomer

    rows = "name,tags\n" + "".join(f"Tagco {i:03d} Ltd,chunk{i // 5};all\n" for i in range(23))
    ctx = make_ctx(store, source="import")
    import_text(ctx, rows, kind="csv", label="tags.csv")
    create_customer(ctx, CreateCustomer(name="After Ltd", tags=["Later"]))
    with store.read() as s:
        listed = [t for t in ("chunk0", "chunk2", "chunk4", "all", "later") if not tag_names.may_be_tag(s, t)]
        assert tag_names.may_be_tag(s, "nosuchtag") is False  # the table is there and answers
    assert listed == []
