"""Export and import: a round trip loses nothing; a bad file imports nothing and says where it is bad."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from store import Store
from tests.conftest import SAMPLE, NewDb, count_rows, make_ctx, run_sql
from tools import users
from tools.context import ToolContext
from tools.customers import add_contact, create_customer, get_customer
from tools.demo import load_demo
from tools.errors import ImportFailed
from tools.followups import complete_followup, schedule_followup
from tools.pipeline import set_stage
from tools.schemas import (
    AddContact,
    CompleteFollowup,
    CreateCustomer,
    GetCustomer,
    ScheduleFollowup,
    SetStage,
)
from tools.transfer import ImportResult, export_csv, export_data, import_file, import_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEED = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "sample_seed.json"
SEED_COPY = Path(__file__).resolve().parents[1] / "acceptance" / "sample_seed.json"


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """An export without what may differ between databases: ids and the export time."""
    doc = json.loads(json.dumps(doc))
    doc.pop("exported_at")
    for c in doc["customers"]:
        c.pop("id")
    return doc


def counts(ctx: ToolContext) -> dict[str, int]:
    tables = ("customer", "contact", "interaction", "followup", "stage_change", "change_log", "user")
    return count_rows(ctx.store, tables)


def fresh(new_db: NewDb, name: str, tz: str = "UTC") -> ToolContext:
    return make_ctx(Store(new_db(name)), source="import", tz=tz)


# ---- round trips ------------------------------------------------------------------------------------


def test_export_import_export_is_identical_apart_from_ids(new_db: NewDb) -> None:
    # A rep in Los Angeles, with history worth keeping: stage moves, a timed follow-up, a done one, users.
    la = fresh(new_db, "a.db", tz="America/Los_Angeles")
    load_demo(la)
    users.add_user(la.store, "kim", timezone="Europe/Berlin", telegram_id=4242, digest_time="07:30")
    set_stage(la, SetStage(customer="Acme", stage="proposal"))
    set_stage(la, SetStage(customer="Acme", stage="signed"))
    schedule_followup(la, ScheduleFollowup(customer="Globex", due="tomorrow 3pm", description="call Hank"))
    fid = schedule_followup(
        la, ScheduleFollowup(customer="Initech", due="next Monday", description="x")
    ).followup.id
    complete_followup(la, CompleteFollowup(followup_id=fid))
    first = export_data(la)

    other = fresh(new_db, "b.db")  # imported by someone in another zone: times are absolute
    import_text(other, json.dumps(first), kind="json", label="export.json")
    second = export_data(other)
    assert comparable(second) == comparable(first)
    assert len(first["customers"]) == 20
    assert first["users"] == [
        {"name": "kim", "timezone": "Europe/Berlin", "telegram_id": 4242, "digest_time": "07:30"}
    ]


def test_export_has_every_key_the_spec_requires(crm: ToolContext) -> None:
    doc = export_data(crm)
    assert (doc["format"], doc["version"]) == ("crm-export", 1)
    acme = next(c for c in doc["customers"] if c["name"] == "Acme Corp")
    assert {
        "name",
        "stage",
        "owner",
        "email",
        "phone",
        "tags",
        "contacts",
        "interactions",
        "followups",
        "stage_history",
    } <= set(acme)
    assert set(acme["contacts"][0]) >= {"name", "role", "email", "phone"}
    assert set(acme["interactions"][0]) >= {"kind", "body", "occurred_at", "author"}
    assert set(acme["followups"][0]) >= {"due", "description", "status", "owner"}
    assert acme["interactions"][0]["occurred_at"] == "2026-03-02T10:00:00+00:00"
    assert acme["followups"][0]["due"] == "2026-03-06"


@pytest.mark.parametrize("seed", [SEED, SEED_COPY])
def test_the_sample_seed_comes_back_whole(new_db: NewDb, seed: Path) -> None:
    if not seed.exists():
        pytest.skip(f"{seed} is not on this machine")
    ctx = fresh(new_db, "seed.db")
    doc = json.loads(seed.read_text(encoding="utf-8"))
    import_file(ctx, seed)
    out = {c["name"]: c for c in export_data(ctx)["customers"]}
    assert sorted(out) == sorted(c["name"] for c in doc["customers"])
    for given in doc["customers"]:
        got = out[given["name"]]
        for key in ("stage", "owner", "email", "phone", "tags", "value"):
            if key in given:
                assert got[key] == given[key], (given["name"], key)
        assert [(x["name"], x.get("role")) for x in given.get("contacts", [])] == [
            (x["name"], x["role"]) for x in got["contacts"]
        ]
        assert sorted(
            (i["kind"], i["body"], _utc(i["occurred_at"])) for i in given.get("interactions", [])
        ) == sorted((i["kind"], i["body"], i["occurred_at"]) for i in got["interactions"])
        assert sorted(
            (f["due"], f.get("description", ""), f.get("status", "open")) for f in given.get("followups", [])
        ) == sorted((f["due"], f["description"], f["status"]) for f in got["followups"])


def _utc(text: str) -> str:
    moment = datetime.fromisoformat(text)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo("UTC")).isoformat()


def test_import_twice_changes_nothing(crm: ToolContext) -> None:
    before = export_data(crm)
    result = import_text(crm, json.dumps(SAMPLE), kind="json", label="again")
    assert result == ImportResult()
    assert comparable(export_data(crm)) == comparable(before)


def test_import_merges_into_existing_customers(crm: ToolContext) -> None:
    update = {
        "customers": [
            {
                "name": "ACME CORP",
                "phone": "+1 555 0100",
                "contacts": [{"name": "Dana Whitfield"}, {"name": "Raj Patel", "role": "CFO"}],
                "interactions": [{"kind": "call", "body": "Pricing call", "occurred_at": "2026-03-03T09:00"}],
            }
        ]
    }
    result = import_text(crm, json.dumps(update), kind="json")
    assert (result.customers_created, result.customers_updated, result.contacts, result.interactions) == (
        0,
        1,
        1,
        1,
    )
    p = get_customer(crm, GetCustomer(customer="Acme"))
    assert (p.name, p.phone, p.email, p.stage) == (
        "Acme Corp",
        "+1 555 0100",
        "hello@acme.example",
        "qualified",
    )
    assert [c.name for c in p.contacts] == ["Dana Whitfield", "Raj Patel"]
    assert [i.body for i in p.recent_interactions] == [
        "Pricing call",
        "Demo went well, budget approved for Q2",
    ]


# ---- CSV ----------------------------------------------------------------------------------------------


def test_csv_import(ctx: ToolContext) -> None:
    result = import_file(ctx, FIXTURES / "customers.csv")
    assert (result.customers_created, result.contacts) == (4, 3)
    doc = {c["name"]: c for c in export_data(ctx)["customers"]}
    assert sorted(doc) == ["Acme Corp", "Café Müller", "Globex Corporation", "Kettle & Crumb Bakery, Ltd"]
    acme = doc["Acme Corp"]
    assert (acme["stage"], acme["owner"], acme["tags"], acme["phone"]) == (
        "qualified",
        "sam",
        ["enterprise", "priority"],
        "+1 555 0100",
    )
    assert acme["contacts"][0]["name"] == "Dana Whitfield"
    assert doc["Globex Corporation"]["stage"] == "proposal"  # "proposal sent"
    assert doc["Café Müller"]["stage"] == "won"  # "signed"
    assert doc["Kettle & Crumb Bakery, Ltd"]["owner"] == "sam"


def test_csv_export_reads_back(crm: ToolContext, tmp_path: Path, new_db: NewDb) -> None:
    text = export_csv(crm)
    assert text.splitlines()[0].startswith("name,email,phone,stage,owner,tags")
    (tmp_path / "out.csv").write_text(text, encoding="utf-8")
    other = fresh(new_db, "csv.db")
    import_file(other, tmp_path / "out.csv")
    keep = ("name", "stage", "owner", "email", "phone", "tags", "value")
    assert [{k: c[k] for k in keep} for c in export_data(other)["customers"]] == [
        {k: c[k] for k in keep} for c in export_data(crm)["customers"]
    ]


def test_bad_rows_are_named_by_line_and_nothing_is_imported(ctx: ToolContext) -> None:
    before = counts(ctx)
    with pytest.raises(ImportFailed) as err:
        import_file(ctx, FIXTURES / "bad_rows.csv")
    problems = err.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("line 3") and "sleeping" in problems[0] and "lead, qualified" in problems[0]
    assert problems[1].startswith("line 4") and "not-an-email" in problems[1]
    assert "Nothing imported" in str(err.value)
    assert counts(ctx) == before


def test_a_broken_csv_is_refused(ctx: ToolContext) -> None:
    with pytest.raises(ImportFailed) as err:
        import_file(ctx, FIXTURES / "broken.csv")
    assert "line 3" in str(err.value) and "quote" in str(err.value)
    assert counts(ctx)["customer"] == 0


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("email,phone\nx@y.example,1\n", "'name' column"),
        ("name,email\nAcme,a@acme.example,extra\n", "line 2"),
        ("name,value\nAcme,lots\n", "line 2 (Acme): value: Input should be a valid number"),
        ("name,stage\nAcme,lead\nACME,won\n", "line 3 (ACME): stage: differs from line 2 (Acme)"),
    ],
)
def test_csv_mistakes(ctx: ToolContext, text: str, says: str) -> None:
    with pytest.raises(ImportFailed, match=says.replace("(", r"\(").replace(")", r"\)")):
        import_text(ctx, text, kind="csv", label="people.csv")
    assert counts(ctx)["customer"] == 0


def test_csv_with_a_byte_order_mark_and_blank_lines(ctx: ToolContext, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffName,Stage\r\nAcme,lead\r\n\r\nGlobex,won\r\n".encode())
    assert import_file(ctx, path).customers_created == 2


# ---- JSON mistakes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "says"),
    [
        ('{"customers": [', "not valid JSON"),
        ('{"customers": 5}', "not a crm-export document"),
        ('{"format": "crm-export", "version": 2, "customers": []}', "version 2"),
        ('{"customers": [{"stage": "lead"}]}', "customer 1: name: Field required"),
        (
            '{"customers": [{"name": "A", "interactions": [{"kind": "fax", "body": "x"}]}]}',
            "kind: .* \\(got 'fax'\\)",
        ),
        (
            '{"customers": [{"name": "A", "followups": [{"due": "2026-02-30"}]}]}',
            "due: .* \\(got '2026-02-30'\\)",
        ),
        (
            '{"customers": [{"name": "A", "interactions": [{"body": "x", "occurred_at": "soon"}]}]}',
            "occurred_at: .* \\(got 'soon'\\)",
        ),
    ],
)
def test_json_mistakes_import_nothing(crm: ToolContext, doc: str, says: str) -> None:
    before = counts(crm)
    with pytest.raises(ImportFailed, match=says):
        import_text(crm, doc, kind="json", label="data.json")
    assert counts(crm) == before


def test_one_bad_customer_among_good_ones_imports_none(ctx: ToolContext) -> None:
    doc = {"customers": [{"name": f"Good {n}"} for n in range(50)] + [{"name": "Bad", "stage": "sleeping"}]}
    with pytest.raises(ImportFailed, match="customer 51 \\(Bad\\)"):
        import_text(ctx, json.dumps(doc), kind="json")
    assert counts(ctx)["customer"] == 0


def test_unreadable_files(ctx: ToolContext, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="cannot read"):
        import_file(ctx, tmp_path / "missing.json")
    (tmp_path / "latin1.csv").write_bytes("name\nCaf\xe9\n".encode("latin-1"))
    with pytest.raises(ImportFailed, match="not UTF-8"):
        import_file(ctx, tmp_path / "latin1.csv")


# ---- spreadsheets (issue #13) and formula cells (issue #11, item 8) --------------------------------


def test_a_semicolon_csv_with_decimal_commas_imports(ctx: ToolContext) -> None:
    text = 'name;stage;value;tags\nAcme Corp;proposal;1.200,50;"eu;priority"\nGlobex;lead;99,5;\n'
    result = import_text(ctx, text, kind="csv", label="excel-de.csv")
    assert result.customers_created == 2
    values = {c["name"]: c["value"] for c in export_data(ctx)["customers"]}
    assert values == {"Acme Corp": 1200.5, "Globex": 99.5}


def test_a_comma_csv_keeps_thousands_separators(ctx: ToolContext) -> None:
    import_text(ctx, 'name,value\nAcme Corp,"1,200.50"\nGlobex,"$48,000"\n', kind="csv")
    assert {c["name"]: c["value"] for c in export_data(ctx)["customers"]} == {
        "Acme Corp": 1200.5,
        "Globex": 48000,
    }


def test_one_row_per_contact_imports_every_contact_and_warns_about_ignored_columns(ctx: ToolContext) -> None:
    text = (
        "name,stage,contact,contact_role,notes,region\n"
        "Acme Corp,qualified,Dana Whitfield,CTO,met at expo,emea\n"
        "Acme Corp,,Sam Ortiz,CFO,,\n"
        "acme corp,qualified,Lee Chen,,,\n"
    )
    result = import_text(ctx, text, kind="csv", label="people.csv")
    assert (result.customers_created, result.contacts) == (1, 3)
    assert len(result.warnings) == 2
    assert all("not imported" in w for w in result.warnings)
    assert "'notes'" in result.warnings[0] and "'region'" in result.warnings[1]
    profile = get_customer(ctx, GetCustomer(customer="Acme Corp"))
    assert [c.name for c in profile.contacts] == ["Dana Whitfield", "Sam Ortiz", "Lee Chen"]


def test_csv_export_writes_a_row_per_contact_so_a_round_trip_keeps_them_all(
    crm: ToolContext, new_db: NewDb
) -> None:
    add_contact(crm, AddContact(customer="Acme Corp", name="Sam Ortiz", role="CFO", phone="+1 555 0100"))
    text = export_csv(crm)
    assert text.count("\nAcme Corp,") == 2
    other = fresh(new_db, "copy.db")
    import_text(other, text, kind="csv", label="export.csv")
    acme = get_customer(other, GetCustomer(customer="Acme Corp"))
    assert [(c.name, c.phone) for c in acme.contacts] == [
        ("Dana Whitfield", None),
        ("Sam Ortiz", "+1 555 0100"),
    ]


def test_csv_export_neutralises_cells_a_spreadsheet_would_run(ctx: ToolContext, new_db: NewDb) -> None:
    create_customer(
        ctx,
        CreateCustomer(
            name='=HYPERLINK("http://evil.example","click")',
            phone="+49 30 1234",
            contact={"name": "@SUM(A1)", "role": "-2+3"},
        ),
    )
    rows = list(csv.reader(io.StringIO(export_csv(ctx))))
    cells = [cell for row in rows[1:] for cell in row if cell]
    assert not [c for c in cells if c[0] in "=+-@"], cells
    assert '\'=HYPERLINK("http://evil.example","click")' in cells and "'+49 30 1234" in cells
    other = fresh(new_db, "copy.db")  # and import reads them back as they were
    import_text(other, export_csv(ctx), kind="csv")
    assert export_data(other)["customers"][0]["phone"] == "+49 30 1234"
    assert export_data(other)["customers"][0]["contacts"][0]["name"] == "@SUM(A1)"


def test_a_long_cell_is_read_not_taken_for_an_unclosed_quote(ctx: ToolContext) -> None:
    role = "r" * 150
    text = f'name,contact,contact_role\nAcme Corp,Dana,"{role}"\nGlobex,"{"long " * 40_000}",\n'
    with pytest.raises(ImportFailed) as err:  # 200 KB is too long for a contact name, and says so
        import_text(ctx, text, kind="csv")
    assert "line 3" in str(err.value) and "at most 200 characters" in str(err.value)
    assert "quote" not in str(err.value)


def test_an_infinite_value_stored_before_the_checks_does_not_break_the_export(crm: ToolContext) -> None:
    infinity = "9e999" if crm.store.is_sqlite else "'Infinity'"
    run_sql(crm.store, f"UPDATE customer SET value = {infinity} WHERE name = 'Acme Corp'")
    text = json.dumps(export_data(crm), allow_nan=False)  # raises on Infinity
    assert json.loads(text)["customers"][0]["name"] == "Acme Corp"
