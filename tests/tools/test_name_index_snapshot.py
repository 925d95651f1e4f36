"""A built name index is saved beside its SQLite file (a PostgreSQL database's in the user's cache
folder); a new process loads it instead of reading every name, and then answers exactly like a new
build. Whatever cannot be told to be this database's own history at a known version (another file,
another history, a damaged or foreign file, another format) is never used: the index is built anew. A
folder that cannot be written leaves no file and no error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from store import Store, name_snapshot
from tests.conftest import db_of, make_ctx, run_sql
from tests.tools.test_name_index_refresh import (
    CONTACT_NAMES,
    CUSTOMER_NAMES,
    QUERIES,
    cached,
    fresh,
    snapshot,
)
from tools import name_index as name_index_module
from tools.context import ToolContext
from tools.customers import add_contact, create_customer, update_customer
from tools.names import resolve_in
from tools.schemas import AddContact, ContactIn, CreateCustomer, UpdateCustomer
from tools.transfer import import_text

pytestmark = pytest.mark.usefixtures("small_saves")


@pytest.fixture
def small_saves(ctx: ToolContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Saved indexes from 5 names on (the product saves from 20,000): beside a SQLite file, or for a
    PostgreSQL database in a cache folder of this test's own."""
    monkeypatch.setattr(name_index_module, "SAVE_MIN", 5)
    (tmp_path / "name-indexes").mkdir(mode=0o700)  # as the first save makes it (tests also put files there)
    monkeypatch.setenv("CRM_NAME_INDEX_DIR", str(tmp_path / "name-indexes"))


def saved_at(store: Store) -> Path:
    with store.read() as s:
        path = name_snapshot.path_for(s)
    assert path is not None
    if store.path is not None:
        assert path == Path(store.path + name_snapshot.SUFFIX)
    return path


def saves_done() -> None:
    for t in threading.enumerate():
        if t.name == "crm-name-save":
            t.join()


def new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a new process has: no index in memory."""
    saves_done()
    monkeypatch.setattr(name_index_module, "INDEX_CACHE", name_index_module._IndexCache())


def save(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new process's first lookup: it builds the index and saves it."""
    new_process(monkeypatch)
    saved_at(store).unlink(missing_ok=True)
    cached(store)
    saves_done()
    assert saved_at(store).exists()


def assert_like_fresh(store: Store) -> None:
    assert snapshot(cached(store), store) == snapshot(fresh(store), store)


@pytest.fixture
def names_book(ctx: ToolContext) -> Iterator[ToolContext]:
    for i, name in enumerate(CUSTOMER_NAMES[:10]):
        contact = ContactIn(name=CONTACT_NAMES[i % len(CONTACT_NAMES)]) if i % 2 else None
        create_customer(ctx, CreateCustomer(name=name, contact=contact))
    yield ctx


def test_a_new_process_loads_the_saved_index_instead_of_building(
    names_book: ToolContext, builds: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    save(names_book.store, monkeypatch)
    assert len(builds) == 1
    new_process(monkeypatch)
    assert_like_fresh(names_book.store)
    assert len(builds) == 1  # loaded, not built


def test_changes_since_the_save_are_caught_up_from_the_history(
    names_book: ToolContext, builds: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    save(names_book.store, monkeypatch)
    builds.clear()
    update_customer(names_book, UpdateCustomer(customer="Orion Dynamics", name="Orion Dynamics Labs"))
    add_contact(names_book, AddContact(customer="Acme Corp", name="Jürgen Böhm"))
    run_sql(names_book.store, "DELETE FROM customer WHERE name = 'Halcyon GmbH'")
    new_process(monkeypatch)
    assert_like_fresh(names_book.store)
    assert "Acme Corp" in [m.name for m in resolve_in(cached(names_book.store), "jurgen").matches]
    assert builds == []


def test_a_bulk_import_s_version_is_stamped_so_its_index_can_be_saved(
    ctx: ToolContext, builds: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    customers = [{"name": f"{name} {i}", "contacts": []} for i, name in enumerate(CUSTOMER_NAMES)]
    book = {"format": "crm-export", "version": 1, "customers": customers}
    import_text(make_ctx(ctx.store, source="import"), _json(book), kind="json", label="book")
    (version,) = run_sql(ctx.store, "SELECT value FROM meta WHERE key = 'names_version'")[0]
    rows = run_sql(ctx.store, "SELECT stamp FROM name_change WHERE version = :v", v=int(version))
    assert rows == []  # the import's single bump wrote no rows: the build gives its version a stamp
    save(ctx.store, monkeypatch)
    rows = run_sql(
        ctx.store, "SELECT customer_id, contact_id FROM name_change WHERE version = :v", v=int(version)
    )
    assert rows == [(None, None)]
    new_process(monkeypatch)
    before = len(builds)
    assert_like_fresh(ctx.store)
    assert len(builds) == before


def _json(obj: object) -> str:
    return json.dumps(obj)


def _damaged(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(_damaged, id="a byte flipped"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:-100]), id="torn"),
        pytest.param(lambda p: p.write_bytes(b""), id="empty"),
        pytest.param(lambda p: p.write_bytes(os.urandom(5000)), id="not a snapshot"),
        pytest.param(lambda p: p.write_bytes(b"\x80\x04junk" * 100), id="a pickle-looking file"),
    ],
)
def test_a_damaged_file_is_never_used(
    names_book: ToolContext, builds: list[object], monkeypatch: pytest.MonkeyPatch, spoil: Any
) -> None:
    save(names_book.store, monkeypatch)
    builds.clear()
    spoil(saved_at(names_book.store))
    create_customer(names_book, CreateCustomer(name="Studio54"))
    new_process(monkeypatch)
    assert resolve_in(cached(names_book.store), "studio54").match is not None
    assert_like_fresh(names_book.store)
    assert len(builds) == 1  # built anew


def test_another_format_or_other_code_is_never_used(
    names_book: ToolContext, builds: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    save(names_book.store, monkeypatch)
    builds.clear()
    new_process(monkeypatch)
    # The other layout only inside this block, and its kind out of the cache before the block ends:
    # the build's save runs in a thread of its own, and one still running when the cache was cleared
    # cached the other layout's kind for every later test of the process (the next process then
    # refused their files: seen once in CI as "another process loads the file" building).
    with pytest.MonkeyPatch.context() as layout:
        layout.setattr(name_index_module, "SNAPSHOT_LAYOUT", name_index_module.SNAPSHOT_LAYOUT + 1)
        name_index_module._snapshot_kind.cache_clear()
        try:
            assert_like_fresh(names_book.store)
            assert len(builds) == 1
        finally:
            saves_done()
    name_index_module._snapshot_kind.cache_clear()


def test_another_database_s_file_is_never_taken_for_this_one_s(
    names_book: ToolContext, builds: list[object], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A file saved beside another database (here: one made the same way, to the same version)."""
    other = Store(tmp_path / "other.db")
    try:
        octx = make_ctx(other)
        for name in reversed(CUSTOMER_NAMES[:10]):  # the same number of changes: the same version
            create_customer(octx, CreateCustomer(name=name + " Other"))
        save(other, monkeypatch)
        shutil.copy(saved_at(other), saved_at(names_book.store))
    finally:
        other.close()
    new_process(monkeypatch)
    before = len(builds)
    assert resolve_in(cached(names_book.store), "acme corp other").matches == ()
    assert_like_fresh(names_book.store)
    assert len(builds) == before + 1


@pytest.mark.parametrize("then", ["as it was", "another change to the same version"])
def test_a_backup_put_back_is_never_answered_from_a_later_file(
    names_book: ToolContext, builds: list[object], monkeypatch: pytest.MonkeyPatch, then: str
) -> None:
    """The file was saved after a change the database (put back from a backup) never saw."""
    (at,) = run_sql(names_book.store, "SELECT value FROM meta WHERE key = 'names_version'")[0]
    create_customer(names_book, CreateCustomer(name="Brightline Medical"))
    save(names_book.store, monkeypatch)
    # The database as the backup taken before Brightline holds it (its history too).
    run_sql(names_book.store, "DELETE FROM customer WHERE name = 'Brightline Medical'")
    run_sql(names_book.store, "DELETE FROM name_change WHERE version > :v", v=int(at))
    run_sql(names_book.store, "UPDATE meta SET value = :v WHERE key = 'names_version'", v=str(at))
    if then != "as it was":  # by another program: back at the file's version, with other names
        run_sql(
            names_book.store,
            "INSERT INTO customer (name, name_key, stage, tags, created_at, updated_at) "
            "SELECT 'Studio54', 'studio54', stage, tags, created_at, updated_at FROM customer LIMIT 1",
        )
    new_process(monkeypatch)
    builds.clear()
    assert resolve_in(cached(names_book.store), "brightline medical").matches == ()
    assert_like_fresh(names_book.store)
    assert len(builds) == 1


def test_a_folder_that_cannot_be_written_leaves_no_file_and_no_error(
    names_book: ToolContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_a: object, **_k: object) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    assert resolve_in(cached(names_book.store), "acme corp").match is not None
    saves_done()
    assert not saved_at(names_book.store).exists()
    assert not [p for p in saved_at(names_book.store).parent.iterdir() if p.name.endswith(".tmp")]


def test_another_process_loads_the_file(names_book: ToolContext) -> None:
    """A real second process (the file, not this process's memory): it answers as a build would."""
    monkeypatch = pytest.MonkeyPatch()
    try:
        save(names_book.store, monkeypatch)
    finally:
        monkeypatch.undo()
    code = (
        "import sys, json\n"
        "from store import Store\n"
        "from tools import name_index as m\n"
        "from tools.names import resolve_in\n"
        "built = []\n"
        "real = m.NameIndex.build.__func__\n"
        "m.NameIndex.build = classmethod(lambda cls, s, v=None: built.append(v) or real(cls, s, v))\n"
        "store = Store(sys.argv[1])\n"
        "with store.read() as s:\n"
        "    idx = m.name_index(s)\n"
        "    print(json.dumps([len(built), [repr(resolve_in(idx, q)) for q in sys.argv[2:]]]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db_of(names_book.store)), *QUERIES, *CUSTOMER_NAMES],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    built, answers = json.loads(out)
    assert built == 0
    assert answers == [repr(resolve_in(fresh(names_book.store), q)) for q in [*QUERIES, *CUSTOMER_NAMES]]


def test_what_a_writer_killed_mid_write_left_is_cleared_by_the_next_save(
    names_book: ToolContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = saved_at(names_book.store)
    left = path.parent / (path.name + ".abc123.tmp")
    left.write_bytes(b"half a file")
    os.utime(left, (1_000_000, 1_000_000))
    recent = path.parent / (path.name + ".def456.tmp")  # perhaps another process writing right now
    recent.write_bytes(b"being written")
    save(names_book.store, monkeypatch)
    assert not left.exists()
    assert recent.exists()


def test_a_store_opened_read_only_writes_no_stamp_and_still_answers(
    ctx: ToolContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a bulk import (a version without rows) a read-only store's first lookup would have to
    write a stamp to save its index: it writes nothing, and answers from a build."""
    customers = [{"name": f"{name} {i}", "contacts": []} for i, name in enumerate(CUSTOMER_NAMES)]
    book = {"format": "crm-export", "version": 1, "customers": customers}
    import_text(make_ctx(ctx.store, source="import"), _json(book), kind="json", label="book")
    before = run_sql(ctx.store, "SELECT version, stamp FROM name_change ORDER BY version, stamp")
    reader = Store(db_of(ctx.store), read_only=True)
    try:
        new_process(monkeypatch)
        assert resolve_in(cached(reader), f"{CUSTOMER_NAMES[3]} 3").match is not None
        saves_done()
    finally:
        reader.close()
    assert run_sql(ctx.store, "SELECT version, stamp FROM name_change ORDER BY version, stamp") == before
    assert not saved_at(ctx.store).exists()


def test_a_server_database_s_index_goes_to_a_private_cache_folder_or_nowhere(
    names_book: ToolContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if names_book.store.path is not None:
        pytest.skip("a SQLite file's index is saved beside it")
    folder = tmp_path / "cache" / "crm"
    monkeypatch.setenv("CRM_NAME_INDEX_DIR", str(folder))
    save(names_book.store, monkeypatch)
    (saved,) = folder.iterdir()
    assert folder.stat().st_mode & 0o777 == 0o700 and saved.stat().st_mode & 0o077 == 0
    assert re.fullmatch(r"[0-9a-f]{32}\.name-index", saved.name)  # a digest: nothing of the URL in it
    new_process(monkeypatch)
    monkeypatch.setenv("CRM_NAME_INDEX_DIR", "off")
    with names_book.store.read() as s:
        assert name_snapshot.path_for(s) is None
    assert_like_fresh(names_book.store)


def test_the_cache_folder_is_used_only_when_it_is_the_user_s_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    monkeypatch.setenv("CRM_NAME_INDEX_DIR", str(shared))
    assert name_snapshot.cache_folder() is None  # another user could plant or remove files there
    shared.chmod(0o700)
    assert name_snapshot.cache_folder() == shared
    monkeypatch.setenv("CRM_NAME_INDEX_DIR", str(tmp_path / "not yet"))
    assert name_snapshot.cache_folder() == tmp_path / "not yet" and not (tmp_path / "not yet").exists()

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("CRM_NAME_INDEX_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))  # a container's bare uid, no HOME
    assert name_snapshot.cache_folder() is None


def test_a_server_database_s_lookups_work_without_a_home(
    names_book: ToolContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("CRM_NAME_INDEX_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    new_process(monkeypatch)
    assert resolve_in(cached(names_book.store), "acme corp").match is not None


def test_snapshots_unused_for_a_month_are_removed_by_the_next_save(
    names_book: ToolContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if names_book.store.path is not None:
        pytest.skip("a SQLite file's index lives beside it, never pruned")
    folder = tmp_path / "cache"
    monkeypatch.setenv("CRM_NAME_INDEX_DIR", str(folder))
    folder.mkdir(mode=0o700)
    gone, kept = folder / ("0" * 32 + name_snapshot.SUFFIX), folder / ("1" * 32 + name_snapshot.SUFFIX)
    for path, days in ((gone, 40), (kept, 3)):
        path.write_bytes(b"another database's names")
        then = time.time() - days * 24 * 3600
        os.utime(path, (then, then))
    save(names_book.store, monkeypatch)
    assert not gone.exists() and kept.exists() and saved_at(names_book.store).exists()
