"""Issue #15: a plain CSV row is checked by a fast path (tools/import_format.plain_customer) instead of
the pydantic models. It must never decide differently: for any row, the record it builds (or the
problems the models report, when it steps aside) is exactly what the models alone produce."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tools.import_read import builder

STAGES = {"lead": "lead", "qualified": "qualified", "proposal sent": "proposal", "won": "won"}
NOW = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)

# Characters that trip rules: separators, look-alike spaces, formula starts, no letter at all.
ALPHABET = st.sampled_from(list("aZ09 _-.;,@'=+é") + ["\u00a0", "\u2003", "\x1c", "\t", "\x00", "ß", "🙂"])


def text(max_size: int = 12) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(ALPHABET, max_size=max_size),
        st.sampled_from(
            ["", " ", "lead", "Won", "proposal sent", "banana", "a@b", "no-at", "eu; priority ;"]
        ),
        st.integers(55, 65).map(lambda n: "t" * n),  # around the 60-character limits
        st.integers(195, 205).map(lambda n: "N" * n),  # around the 200-character limits
        st.sampled_from(["12", "1200.50", "0", "1e5", "-3", "nan", "1" * 16, "3.1234567"]),
    )


COLUMNS = ["name", "email", "phone", "stage", "owner", "tags", "value", "created_at", "id", "notes"]
ROW = st.dictionaries(st.sampled_from(COLUMNS), text(), max_size=8)
CONTACT = st.fixed_dictionaries(
    {"name": text(), "role": st.none() | text(), "email": st.none() | text(), "phone": st.none() | text()}
)


def outcome(raw: dict, *, plain: bool) -> tuple[object, list[str]]:
    build = builder(STAGES.get, list(STAGES.values()), ZoneInfo("Europe/Berlin"), NOW)
    build.nul_free = True  # as read_csv sets it; NUL rows are left to the models by the checks below
    return build.record("line 2", raw, plain=plain), build.problems


@settings(max_examples=400, deadline=None)
@given(ROW, st.lists(CONTACT, max_size=2))
@example({"name": "0", "phone": "0\x1c"}, [])  # str.strip() takes \x1c-\x1f, pydantic keeps them
def test_the_fast_path_decides_every_row_as_the_models_do(row: dict, contacts: list[dict]) -> None:
    raw = {**row, **({"contacts": contacts} if contacts else {})}
    if any("\x00" in str(v) for v in [*row.values(), *(x for c in contacts for x in c.values())]):
        return  # read_csv takes a file with a NUL character through the models only
    assert outcome(raw, plain=True) == outcome(raw, plain=False)


def test_a_typical_spreadsheet_row_takes_the_fast_path() -> None:
    from tools.import_format import plain_customer

    raw = {
        "name": "  Blue  North Dental Inc ",
        "email": "info@bnd.example",
        "stage": "Proposal Sent",
        "tags": "eu; priority;",
        "value": "1200.50",
        "contacts": [{"name": "Dana Whitfield", "role": "CTO", "email": None, "phone": ""}],
    }
    assert plain_customer(raw) == (
        "Blue North Dental Inc",
        {"stage": "Proposal Sent", "email": "info@bnd.example", "tags": ["eu", "priority"], "value": 1200.5},
        [{"name": "Dana Whitfield", "role": "CTO", "email": None, "phone": None}],
    )
    assert outcome(raw, plain=True) == outcome(raw, plain=False)


def test_a_whole_file_reads_the_same_through_the_fast_path_and_the_models(monkeypatch) -> None:
    """Rows repeating their stage, owner, tags and role words (the fast path remembers checked words),
    one customer on two rows, a guarded phone, an unnamed column, bad rows: the same records and lines."""
    from tools import import_read

    lines = ["name,email,phone,stage,owner,tags,,contact,contact_role,value"]
    for n in range(60):
        stage = "Won" if n % 20 == 0 else "won"  # 'Won' is no stage here (STAGES is case-sensitive)
        lines.append(f"Cust {n},c{n}@x.example,'+49 30 {n},{stage},ann,eu; vip,x,Dana {n},CTO,{n}.5")
    lines += [
        "Cust 0,,,won,,,,Second Contact,CFO,",  # the same customer again: its second contact
        "Cust 1,,,lead,,,,,,",  # differs from its first row
        "Bad,no-at,,won,ann,eu; vip,,Dana,CTO,",
        "Worse,,,banana,ann,a;b;" + "t" * 61 + ",,,,",
        "Tabs\t,,,\u00a0won\u2003,ann,,,\u00a0,\t,",
    ]
    text = "\n".join(lines) + "\n"

    def read() -> tuple[list[import_read.Record], list[str]]:
        build = builder(STAGES.get, list(STAGES.values()), ZoneInfo("Europe/Berlin"), NOW)
        reading = import_read.read_csv(text, "f.csv", build)
        return reading.records, reading.problems

    fast = read()
    monkeypatch.setattr(import_read, "plain_customer", lambda raw: None)
    assert read() == fast
    records, problems = fast
    assert [r.name for r in records[-1:]] == ["Tabs"] and len(records) == 61
    assert [p.split(": ")[:2] for p in problems] == [
        ["line 2 (Cust 0)", "stage"],
        ["line 22 (Cust 20)", "stage"],
        ["line 42 (Cust 40)", "stage"],
        ["line 62 (Cust 0)", "stage"],  # differs from its first row
        ["line 63 (Cust 1)", "stage"],
        ["line 64 (Bad)", "email"],
        ["line 65 (Worse)", "tags[3]"],
    ], problems
    assert records[0].fields["phone"] == "+49 30 0" and records[-1].fields == {"stage": "won", "owner": "ann"}
    assert records[0].contacts[1]["name"] == "Second Contact" and records[5].fields["tags"] == ["eu", "vip"]
    records[5].fields["tags"].append("mine")
    assert records[6].fields["tags"] == ["eu", "vip"]  # each customer its own list
