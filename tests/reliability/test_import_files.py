"""Issue #11, item 4: malformed import files are refused by line and key, import nothing, never crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import db_of
from tests.reliability.surfaces import fingerprint, one_line_error, run_crm
from tools.context import ToolContext
from tools.errors import ImportFailed
from tools.transfer import import_text


def doc(customer: dict | None = None, **top: object) -> str:
    return json.dumps(
        {"format": "crm-export", "version": 1, "customers": [customer or {"name": "Acme"}], **top}
    )


BAD_JSON = [
    (doc({"name": "Acme", "interactions": [{"kind": 5, "body": "x"}]}), "interactions[1].kind"),
    (doc({"name": "Acme", "followups": [{"due": "2026-03-10", "status": 3}]}), "followups[1].status"),
    (doc({"name": "Acme", "value": "nan"}), "value"),
    (doc({"name": "Acme", "value": "Infinity"}), "value"),
    ('{"customers": [{"name": "Acme", "value": 1e309}]}', "value"),
    ('{"customers": [{"name": "Acme", "value": NaN}]}', "value"),
    (doc({"name": "Acme", "value": -5}), "value"),
    (doc(users=[{"name": "bob", "timezone": "Mars/Olympus"}]), "user 1: timezone"),
    (doc(users=[{"name": "bob", "telegram_id": "12345"}]), "user 1: telegram_id"),
    (doc(users=[{"name": "bob", "telegram_id": 2**64}]), "user 1: telegram_id"),
    (doc(users=[{"name": "bob", "digest_time": "25:99"}]), "user 1: digest_time"),
    (doc({"name": "Acme", "tags": [["nested"]]}), "tags[1]"),
    (doc({"name": "Acme", "contacts": "Dana"}), "contacts"),
    (doc({"name": "Acme", "contacts": [{"name": "Dana", "email": "dana"}]}), "contacts[1].email"),
    (
        doc({"name": "Acme", "interactions": [{"body": "x", "occurred_at": "2026-03-04T10:00:00+99:00"}]}),
        "interactions[1].occurred_at",
    ),
    (doc({"name": "Acme", "stage_history": [{"to": "banana"}]}), "stage_history[1].to"),
    (doc({"name": "x" * 5000}), "name"),
    (doc({"name": 12}), "name"),
    (doc({"name": "!!!"}), "name"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"customers": [' + "[" * 500 + "]" * 500 + "]}", "customer 1"),
]


@pytest.mark.parametrize(("text", "says"), BAD_JSON, ids=[s for _, s in BAD_JSON])
def test_a_bad_json_value_is_refused_by_where_and_key(crm: ToolContext, text: str, says: str) -> None:
    db = db_of(crm.store)
    before = fingerprint(db)
    with pytest.raises(ImportFailed) as err:
        import_text(crm, text, kind="json", label="bad.json")
    assert says in str(err.value)
    assert len(str(err.value)) < 1000  # names the value, does not repeat a 5,000-character one
    assert fingerprint(db) == before


BAD_CSV = [
    ("name,value\nAcme,nan\n", "line 2 (Acme): value"),
    ("name,value\nAcme,1e309\n", "line 2 (Acme): value"),
    ("name,stage\nAcme,banana\n", "line 2 (Acme): stage: unknown stage 'banana'"),
    ("name,email\nAcme,no-at-sign\n", "line 2 (Acme): email"),
    ('name,contact\nAcme,"unclosed\n', "line 2: broken CSV"),
    ("name\n\x00\x00\n", "line 2"),
]


@pytest.mark.parametrize(("text", "says"), BAD_CSV, ids=[s for _, s in BAD_CSV])
def test_a_bad_csv_row_is_refused_by_line(crm: ToolContext, text: str, says: str) -> None:
    db = db_of(crm.store)
    before = fingerprint(db)
    with pytest.raises(ImportFailed, match="^Nothing imported") as err:
        import_text(crm, text, kind="csv", label="bad.csv")
    assert says in str(err.value)
    assert fingerprint(db) == before


@pytest.mark.e2e
@pytest.mark.parametrize("text", [BAD_JSON[0][0], BAD_JSON[19][0]], ids=["kind 5", "nested 100,000 deep"])
def test_crm_import_of_a_bad_file_is_one_line_and_imports_nothing(
    crm: ToolContext, tmp_path: Path, text: str
) -> None:
    db = db_of(crm.store)
    before = fingerprint(db)
    path = tmp_path / "bad.json"
    path.write_text(text)
    line = one_line_error(run_crm("import", str(path), db=db))
    assert line.startswith("crm: Nothing imported")
    assert fingerprint(db) == before
