"""Reading an import file into checked records, with no database lock held.

JSON (`crm-export`) and customer CSV both end as a list of `Record`s — one per customer, every
value checked by the models of tools/import_format.py and every stage word mapped to a configured
stage — plus one problem line per bad value and warnings (CSV columns that are not read). A
spreadsheet's own habits are understood: `;` or tab as the separator, "1.200,50" as a number, and
the same customer on several rows, one contact each.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from tools.errors import ImportFailed, quoted
from tools.import_format import CustomerRow, UserRow, plain_customer, problems_of
from tools.names import normalize

FORMAT = "crm-export"
VERSION = 1
CSV_COLUMNS = [
    "name",
    "email",
    "phone",
    "stage",
    "owner",
    "tags",
    "value",
    "contact",
    "contact_role",
    "contact_email",
    "contact_phone",
]
_CONTACT_COLUMNS = {
    "contact": "name",
    "contact_role": "role",
    "contact_email": "email",
    "contact_phone": "phone",
}
# Read without complaint though not imported: what an export or a spreadsheet of ours carries anyway.
_QUIETLY_IGNORED = {"id", "created_at", "updated_at", "last_contact"}
_MAX_CELL = 16 * 1024 * 1024  # csv's default limit (128 KB) refuses a long note pasted into a cell


@dataclass
class Record:
    where: str
    name: str
    key: str
    fields: dict[str, Any]  # the customer's own fields the file gave, stage already canonical
    contacts: list[dict[str, Any]] = field(default_factory=list)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Reading:
    records: list[Record]
    users: list[UserRow]
    problems: list[str]
    warnings: list[str]


StageOf = Callable[[str], "str | None"]

_NO_LISTS: dict[str, list[Any]] = {"contacts": [], "interactions": [], "followups": [], "stage_history": []}


class _Builder:
    """Turns checked rows into Records: stage words to stages, naive times into the user's zone."""

    def __init__(self, stage_of: StageOf, valid: list[str], tz: ZoneInfo, now: datetime) -> None:
        self.stage_of, self.valid, self.tz, self.now = stage_of, valid, tz, now
        self.problems: list[str] = []
        self.nul_free = False  # set for a file with no NUL character: its CSV rows may take the fast path

    def aware(self, moment: datetime | str | None) -> datetime | None:
        # A Moment field is typed as the text it is read from (tools/import_format.Moment); checked,
        # it holds a datetime.
        if moment is None:
            return None
        assert isinstance(moment, datetime)
        return moment if moment.tzinfo else moment.replace(tzinfo=self.tz)

    def stage(self, where: str, key: str, word: str | None) -> str | None:
        if word is None:
            return None
        stage = self.stage_of(word)
        if stage is None:
            self.problems.append(
                f"{where}: {key}: unknown stage {quoted(word)} (valid: {', '.join(self.valid)})"
            )
        return stage

    def record(self, where: str, raw: Any, *, plain: bool = False) -> Record | None:
        """The record of one customer (a JSON object, or a CSV row's cells when `plain`)."""
        if not isinstance(raw, dict):
            self.problems.append(f"{where}: a customer must be an object")
            return None
        name = raw.get("name")
        if isinstance(name, str) and name.strip():
            where = f"{where} ({name.strip()[:60]})"
        checked = plain_customer(raw) if plain and self.nul_free else None
        if checked is not None:
            name, fields, contacts = checked
            key = normalize(name)
            if key:
                if "stage" in fields:
                    fields["stage"] = self.stage(where, "stage", fields["stage"])
                return Record(where, name, key, fields, contacts)
        try:
            # The lists given, even empty: a default list is deep-copied by pydantic, a quarter of
            # the time a plain CSV row takes to check.
            row = CustomerRow.model_validate({**_NO_LISTS, **raw})
        except ValidationError as e:
            self.problems += problems_of(where, e)
            return None
        key = normalize(row.name)
        if not key:
            self.problems.append(f"{where}: name: a name needs at least one letter or digit")
            return None
        fields = row.given()
        if "stage" in fields:
            fields["stage"] = self.stage(where, "stage", fields["stage"])
        for stamp in ("created_at", "updated_at"):
            if getattr(row, stamp) is not None:
                fields[stamp] = self.aware(getattr(row, stamp))
        rec = Record(where, row.name, key, fields)
        rec.contacts = [c.model_dump() for c in row.contacts]
        rec.interactions = [
            {
                "kind": i.kind,
                "body": i.body,
                "occurred_at": self.aware(i.occurred_at) or self.now,
                "author": i.author,
                "source": i.source or "import",
            }
            for i in row.interactions
        ]
        rec.followups = [
            {
                "due_date": f.due[0],
                "due_time": f.due[1],
                "description": f.description,
                "status": f.status,
                "owner": f.owner,
                "created_at": self.aware(f.created_at),
                "completed_at": self.aware(f.completed_at),
            }
            for f in row.followups
        ]
        for n, h in enumerate(row.stage_history, 1):
            rec.history.append(
                {
                    "from_stage": self.stage(where, f"stage_history[{n}].from", h.from_stage),
                    "to_stage": self.stage(where, f"stage_history[{n}].to", h.to_stage),
                    "at": self.aware(h.at) or self.now,
                    "by": h.by,
                }
            )
        return rec


# ---- JSON -------------------------------------------------------------------------------------------


def read_json(text: str, label: str, build: _Builder) -> Reading:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ImportFailed(
            [f"{label} is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})"]
        ) from None
    except RecursionError:
        raise ImportFailed([f"{label} is nested too deeply to be a crm-export document"]) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("customers"), list):
        raise ImportFailed([f"{label} is not a crm-export document (no 'customers' list)"])
    if doc.get("format", FORMAT) != FORMAT or doc.get("version", VERSION) != VERSION:
        raise ImportFailed(
            [
                f"{label} has format {quoted(doc.get('format'))} version {quoted(doc.get('version'))}; "
                f"this crm reads {FORMAT!r} version {VERSION}"
            ]
        )
    records = [build.record(f"customer {n}", raw) for n, raw in enumerate(doc["customers"], 1)]
    users: list[UserRow] = []
    raw_users = doc.get("users") or []
    if not isinstance(raw_users, list):
        build.problems.append("users: must be a list of objects")
        raw_users = []
    for n, raw in enumerate(raw_users, 1):
        try:
            users.append(UserRow.model_validate(raw))
        except ValidationError as e:
            build.problems += problems_of(f"user {n}", e)
    found = [r for r in records if r]
    return Reading(found, users, build.problems + duplicates(found), [])


def duplicates(records: list[Record]) -> list[str]:
    seen: dict[str, str] = {}
    problems = []
    for rec in records:
        if rec.key in seen:
            problems.append(f"{rec.where}: the same customer as {seen[rec.key]}")
        else:
            seen[rec.key] = rec.where
    return problems


# ---- CSV --------------------------------------------------------------------------------------------


def _delimiter(text: str) -> str:
    """The separator the header row uses: a spreadsheet set to a European locale writes ';'."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


_EURO = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$|^\d+,\d{1,2}$")
_CURRENCY = re.compile(r"[\s€$£¥]|EUR|USD|GBP|CHF", re.IGNORECASE)


def decimal_comma(cells: list[str], delimiter: str) -> bool:
    """Whether the file writes amounts "1.200,50": told by its cells (or, when they cannot tell, by ';')."""
    cleaned = [_CURRENCY.sub("", c) for c in cells if c.strip()]
    if any(_EURO.match(c) for c in cleaned):
        return True
    if any(re.match(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+\.\d+$", c) for c in cleaned):
        return False
    return delimiter == ";"


def amount(cell: str, comma: bool) -> str:
    """A spreadsheet amount as plain decimal text: "1.200,50" → "1200.50", "$1,200" → "1200"."""
    text = _CURRENCY.sub("", cell)
    return text.replace(".", "").replace(",", ".") if comma else text.replace(",", "")


def _unguarded(cell: str) -> str:
    """A cell as it was before `export` guarded it against formula injection ("'=1+2" → "=1+2")."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") else cell


def read_csv(text: str, label: str, build: _Builder) -> Reading:
    delimiter = _delimiter(text)
    build.nul_free = "\x00" not in text  # tools/import_format.plain_customer leaves that rule to us
    # strict: an unclosed quote is an error, not a customer whose name swallowed the rest of the file.
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    limit = csv.field_size_limit()
    csv.field_size_limit(_MAX_CELL)
    try:
        return _read_rows(reader, label, build, delimiter)
    finally:
        csv.field_size_limit(limit)


def _read_rows(reader: Any, label: str, build: _Builder, delimiter: str) -> Reading:
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ImportFailed([f"{label} is empty"]) from None
    except csv.Error as e:
        raise ImportFailed([f"{label} line 1: {e}"]) from None
    if "name" not in header:
        raise ImportFailed(
            [f"{label} line 1: the header needs a 'name' column (columns: {', '.join(CSV_COLUMNS)})"]
        )
    ignored = [h for h in header if h and h not in CSV_COLUMNS and h not in _QUIETLY_IGNORED]
    warnings = [
        f"{label}: column {quoted(h, 40)} is not imported (columns read: {', '.join(CSV_COLUMNS)})"
        for h in dict.fromkeys(ignored)
    ]
    # Per row: (where, the customer's cells by column, the contact's fields or None). The cells are
    # keyed as {column: cell for column, cell in zip(header, row) if column}: a later column of the
    # same name wins, a short row lacks its last columns.
    blank_column = "" in header
    with_contact = not _CONTACT_COLUMNS.keys().isdisjoint(header)
    width = len(header)
    rows: list[tuple[str, dict[str, Any], dict[str, str | None] | None]] = []
    while True:
        where = f"line {reader.line_num + 1}"  # where the row starts (a quoted cell may span lines)
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            hint = "; an unclosed quote?" if "end of data" in str(e) or "EOF" in str(e) else ""
            if "field larger" in str(e):
                hint = f"; a cell longer than {_MAX_CELL // (1024 * 1024)} MB"
            build.problems.append(f"{where}: broken CSV ({e}{hint})")
            break
        stripped = list(map(str.strip, row))
        if not any(stripped):
            continue
        if len(row) > width:
            build.problems.append(f"{where}: {len(row)} fields but the header has {width}")
            continue
        cells: dict[str, Any] = dict(zip(header, stripped, strict=False))
        if blank_column:
            cells.pop("", None)
        if "\x00'" in "\x00" + "\x00".join(stripped):  # a cell starts with ' (or one holds NUL+')
            for column, cell in cells.items():
                if cell[:1] == "'":
                    cells[column] = _unguarded(cell)
        contact: dict[str, str | None] | None = None
        if with_contact:
            contact = {
                "name": cells.pop("contact", None),
                "role": cells.pop("contact_role", None),
                "email": cells.pop("contact_email", None),
                "phone": cells.pop("contact_phone", None),
            }
            if not contact["name"]:
                contact = None
        rows.append((where, cells, contact))
    comma = decimal_comma([r.get("value", "") for _, r, _ in rows], delimiter)
    return Reading(_group(rows, build, comma), [], build.problems, warnings)


def _group(
    rows: list[tuple[str, dict[str, Any], dict[str, str | None] | None]], build: _Builder, comma: bool
) -> list[Record]:
    """Rows to records; later rows of the same customer add their contact (one row per contact)."""
    by_key: dict[str, Record] = {}
    for where, raw, contact in rows:
        value = raw.get("value")
        if value:
            raw["value"] = amount(value, comma)
        if contact is not None:
            raw["contacts"] = [contact]
        rec = build.record(where, raw, plain=True)
        if rec is None:
            continue
        first = by_key.get(rec.key)
        if first is None:
            by_key[rec.key] = rec
            continue
        for name, value in rec.fields.items():
            if first.fields.get(name, value) != value:
                build.problems.append(
                    f"{rec.where}: {name}: differs from {first.where} for the same customer"
                )
            first.fields.setdefault(name, value)
        first.contacts += rec.contacts
    return list(by_key.values())


def builder(stage_of: StageOf, valid: list[str], tz: ZoneInfo, now: datetime) -> _Builder:
    return _Builder(stage_of, valid, tz, now)
