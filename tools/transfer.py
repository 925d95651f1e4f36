"""Export to and import from the `crm-export` JSON format (see SPEC) and customer CSV.

Import is all-or-nothing: every record is checked first and each problem is reported with where it
is (CSV line number, or customer position in JSON); only a clean file is written, in one transaction.
Importing a customer that exists (same name, ignoring case and accents) merges into it: given fields
are updated, and contacts, interactions, follow-ups and stage changes not already there are added,
so importing the same file twice changes nothing.
"""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from store import bulk
from store.changelog import snapshot
from store.models import (
    FOLLOWUP_STATUSES, INTERACTION_KINDS, Contact, Customer, FollowUp, Interaction, StageChange, User,
)
from tools.context import ToolContext
from tools.errors import ImportFailed
from tools.names import normalize
from tools.stages import canonical_stage, stages
from tools.errors import InvalidStage

FORMAT = "crm-export"
VERSION = 1
CSV_COLUMNS = ["name", "email", "phone", "stage", "owner", "tags", "value", "contact", "contact_role",
               "contact_email", "contact_phone"]
_SCALARS = ("stage", "owner", "email", "phone", "tags", "value")


class ImportResult(BaseModel):
    customers_created: int = 0
    customers_updated: int = 0
    contacts: int = 0
    interactions: int = 0
    followups: int = 0
    stage_changes: int = 0


# ---- export ---------------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat() if moment else None


def _due(f: FollowUp) -> str:
    return f"{f.due_date.isoformat()}T{f.due_time.strftime('%H:%M')}" if f.due_time else f.due_date.isoformat()


def export_data(ctx: ToolContext) -> dict[str, Any]:
    """The whole CRM as a `crm-export` document (times in UTC, customers by name)."""
    with ctx.read() as s:
        by_customer: dict[type, dict[int, list]] = {}
        for model, order in (
            (Contact, [Contact.id]), (Interaction, [Interaction.occurred_at, Interaction.id]),
            (FollowUp, [FollowUp.due_date, FollowUp.id]), (StageChange, [StageChange.at, StageChange.id]),
        ):
            grouped: dict[int, list] = defaultdict(list)
            for row in s.exec(select(model).order_by(*order)):
                grouped[row.customer_id].append(row)  # type: ignore[attr-defined]
            by_customer[model] = grouped
        customers = s.exec(select(Customer).order_by(Customer.name_key)).all()
        users = s.exec(select(User).order_by(User.name)).all()
    out = []
    for c in customers:
        out.append({
            "id": c.id, "name": c.name, "stage": c.stage, "owner": c.owner, "email": c.email, "phone": c.phone,
            "tags": list(c.tags or []), "value": c.value,
            "created_at": _iso(c.created_at), "updated_at": _iso(c.updated_at),
            "contacts": [
                {"name": x.name, "role": x.role, "email": x.email, "phone": x.phone}
                for x in by_customer[Contact].get(c.id, [])  # type: ignore[arg-type]
            ],
            "interactions": [
                {"kind": i.kind, "body": i.body, "occurred_at": _iso(i.occurred_at), "author": i.author,
                 "source": i.source}
                for i in by_customer[Interaction].get(c.id, [])  # type: ignore[arg-type]
            ],
            "followups": [
                {"due": _due(f), "description": f.description, "status": f.status, "owner": f.owner,
                 "created_at": _iso(f.created_at), "completed_at": _iso(f.completed_at)}
                for f in by_customer[FollowUp].get(c.id, [])  # type: ignore[arg-type]
            ],
            "stage_history": [
                {"from": h.from_stage, "to": h.to_stage, "at": _iso(h.at), "by": h.by}
                for h in by_customer[StageChange].get(c.id, [])  # type: ignore[arg-type]
            ],
        })
    return {
        "format": FORMAT, "version": VERSION, "exported_at": _iso(ctx.now()),
        "users": [{"name": u.name, "timezone": u.timezone, "telegram_id": u.telegram_id,
                   "digest_time": u.digest_time} for u in users],
        "customers": out,
    }


def export_csv(ctx: ToolContext) -> str:
    """Customers as CSV (one row each, first contact inline), the same columns `import` reads."""
    data = export_data(ctx)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for c in data["customers"]:
        first = c["contacts"][0] if c["contacts"] else {}
        writer.writerow({
            "name": c["name"], "email": c["email"] or "", "phone": c["phone"] or "", "stage": c["stage"],
            "owner": c["owner"] or "", "tags": ";".join(c["tags"]), "value": "" if c["value"] is None else c["value"],
            "contact": first.get("name") or "", "contact_role": first.get("role") or "",
            "contact_email": first.get("email") or "", "contact_phone": first.get("phone") or "",
        })
    return buf.getvalue()


# ---- import: reading and checking -----------------------------------------------------------------


@dataclass
class _Record:
    where: str
    name: str
    key: str
    fields: dict[str, Any]  # only the scalar fields the file gave
    contacts: list[dict[str, Any]] = field(default_factory=list)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)


class _Checker:
    """Turns raw records into checked values, collecting problems instead of stopping at the first."""

    def __init__(self, ctx: ToolContext, session: Session) -> None:
        self.ctx = ctx
        self.session = session
        self.problems: list[str] = []
        self.valid_stages = stages(session)
        self._stages: dict[str, str | None] = {}

    def fail(self, where: str, msg: str) -> None:
        self.problems.append(f"{where}: {msg}")

    def text(self, where: str, value: Any, what: str) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str | int | float):
            self.fail(where, f"{what} must be text")
            return None
        return str(value).strip() or None

    def moment(self, where: str, value: Any, what: str) -> datetime | None:
        if value in (None, ""):
            return None
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(where, f"{what} {value!r} is not an ISO datetime")
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=self.ctx.tz)

    def stage(self, where: str, value: Any) -> str | None:
        if value in (None, ""):
            return None
        said = str(value)
        if said not in self._stages:  # a file repeats a few stage words: look each up once
            try:
                self._stages[said] = canonical_stage(self.session, said)
            except InvalidStage:
                self._stages[said] = None
        if self._stages[said] is None:
            self.fail(where, f"unknown stage {value!r} (valid: {', '.join(self.valid_stages)})")
        return self._stages[said]

    def customer(self, where: str, raw: Any) -> _Record | None:
        if not isinstance(raw, dict):
            self.fail(where, "a customer must be an object")
            return None
        name = self.text(where, raw.get("name"), "name")
        if not name or not normalize(name):
            self.fail(where, "a customer needs a name")
            return None
        where = f"{where} ({name})"
        rec = _Record(where, name, normalize(name), {})
        for key in _SCALARS:
            if key not in raw or raw[key] in (None, ""):
                continue
            value = raw[key]
            if key == "stage":
                value = self.stage(where, value)
            elif key == "tags":
                value = self.tags(where, value)
            elif key == "value":
                value = self.number(where, value)
            else:
                value = self.text(where, value, key)
            if value is not None:
                rec.fields[key] = value
        if "email" in rec.fields and "@" not in rec.fields["email"]:
            self.fail(where, f"email {rec.fields['email']!r} has no @")
        for key in ("created_at", "updated_at"):
            if raw.get(key):
                rec.fields[key] = self.moment(where, raw[key], key)
        for n, item in enumerate(self.items(where, raw, "contacts"), 1):
            self.contact(f"{where} contact {n}", item, rec)
        for n, item in enumerate(self.items(where, raw, "interactions"), 1):
            self.interaction(f"{where} interaction {n}", item, rec)
        for n, item in enumerate(self.items(where, raw, "followups"), 1):
            self.followup(f"{where} follow-up {n}", item, rec)
        for n, item in enumerate(self.items(where, raw, "stage_history"), 1):
            self.history(f"{where} stage change {n}", item, rec)
        return rec

    def items(self, where: str, raw: dict, key: str) -> list[dict]:
        value = raw.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(where, f"{key} must be a list of objects")
            return []
        return value

    def tags(self, where: str, value: Any) -> list[str] | None:
        if isinstance(value, str):
            value = value.split(";")
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            self.fail(where, "tags must be a list of text")
            return None
        return [t.strip() for t in value if t.strip()]

    def number(self, where: str, value: Any) -> float | None:
        try:
            number = float(str(value).replace(",", ""))
        except ValueError:
            self.fail(where, f"value {value!r} is not a number")
            return None
        if number < 0:
            self.fail(where, f"value {value!r} is negative")
            return None
        return number

    def contact(self, where: str, raw: dict, rec: _Record) -> None:
        name = self.text(where, raw.get("name"), "name")
        if not name:
            self.fail(where, "a contact needs a name")
            return
        rec.contacts.append({
            "name": name, "role": self.text(where, raw.get("role"), "role"),
            "email": self.text(where, raw.get("email"), "email"), "phone": self.text(where, raw.get("phone"), "phone"),
        })

    def interaction(self, where: str, raw: dict, rec: _Record) -> None:
        kind = (raw.get("kind") or "note").lower()
        if kind not in INTERACTION_KINDS:
            self.fail(where, f"kind {kind!r} is not one of {', '.join(INTERACTION_KINDS)}")
        body = raw.get("body")
        if not isinstance(body, str) or not body.strip():
            self.fail(where, "an interaction needs a body")
            return
        occurred = self.moment(where, raw.get("occurred_at"), "occurred_at") or self.ctx.now()
        rec.interactions.append({
            "kind": kind, "body": body, "occurred_at": occurred, "author": self.text(where, raw.get("author"), "author"),
            "source": self.text(where, raw.get("source"), "source") or "import",
        })

    def followup(self, where: str, raw: dict, rec: _Record) -> None:
        due_text = str(raw.get("due") or "")
        try:
            due = datetime.fromisoformat(due_text) if "T" in due_text or " " in due_text else None
            due_date, due_time = (due.date(), due.time().replace(second=0, microsecond=0) if due.time() != time(0) else None) \
                if due else (date.fromisoformat(due_text), None)
        except ValueError:
            self.fail(where, f"due {due_text!r} is not an ISO date (YYYY-MM-DD)")
            return
        status = (raw.get("status") or "open").lower()
        if status not in FOLLOWUP_STATUSES:
            self.fail(where, f"status {status!r} is not one of {', '.join(FOLLOWUP_STATUSES)}")
        rec.followups.append({
            "due_date": due_date, "due_time": due_time, "description": self.text(where, raw.get("description"), "description") or "",
            "status": status, "owner": self.text(where, raw.get("owner"), "owner"),
            "created_at": self.moment(where, raw.get("created_at"), "created_at"),
            "completed_at": self.moment(where, raw.get("completed_at"), "completed_at"),
        })

    def history(self, where: str, raw: dict, rec: _Record) -> None:
        to = self.stage(where, raw.get("to"))
        if to is None:
            self.fail(where, "a stage change needs 'to'")
            return
        rec.history.append({
            "from_stage": self.stage(where, raw.get("from")), "to_stage": to,
            "at": self.moment(where, raw.get("at"), "at") or self.ctx.now(), "by": self.text(where, raw.get("by"), "by"),
        })


def _read_json(ctx: ToolContext, s: Session, text: str, label: str) -> tuple[list[_Record], list[dict], list[str]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ImportFailed([f"{label} is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})"]) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("customers"), list):
        raise ImportFailed([f"{label} is not a crm-export document (no 'customers' list)"])
    if doc.get("format", FORMAT) != FORMAT or doc.get("version", VERSION) != VERSION:
        raise ImportFailed([f"{label} has format {doc.get('format')!r} version {doc.get('version')!r}; "
                            f"this crm reads {FORMAT!r} version {VERSION}"])
    check = _Checker(ctx, s)
    records = [check.customer(f"customer {n}", raw) for n, raw in enumerate(doc["customers"], 1)]
    users = doc.get("users") or []
    if not isinstance(users, list) or not all(isinstance(u, dict) and u.get("name") for u in users):
        check.fail("users", "must be a list of objects with a name")
        users = []
    return [r for r in records if r], users, check.problems


def _read_csv(ctx: ToolContext, s: Session, text: str, label: str) -> tuple[list[_Record], list[str]]:
    # strict: an unclosed quote is an error, not a customer whose name swallowed the rest of the file.
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ImportFailed([f"{label} is empty"]) from None
    except csv.Error as e:
        raise ImportFailed([f"{label} line 1: {e}"]) from None
    if "name" not in header:
        raise ImportFailed([f"{label} line 1: the header needs a 'name' column (columns: {', '.join(CSV_COLUMNS)})"])
    check = _Checker(ctx, s)
    records: list[_Record] = []
    while True:
        where = f"line {reader.line_num + 1}"  # where the row starts (a quoted cell may span lines)
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            check.fail(where, f"broken CSV ({e}; an unclosed quote?)")
            break
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            check.fail(where, f"{len(row)} fields but the header has {len(header)}")
            continue
        raw: dict[str, Any] = dict(zip(header, (cell.strip() for cell in row)))
        if raw.get("contact"):
            raw["contacts"] = [{"name": raw["contact"], "role": raw.get("contact_role"),
                                "email": raw.get("contact_email"), "phone": raw.get("contact_phone")}]
        rec = check.customer(where, raw)
        if rec:
            records.append(rec)
    return records, check.problems


def _duplicates(records: list[_Record]) -> list[str]:
    seen: dict[str, str] = {}
    problems = []
    for rec in records:
        if rec.key in seen:
            problems.append(f"{rec.where}: the same customer as {seen[rec.key]}")
        else:
            seen[rec.key] = rec.where
    return problems


# ---- import: writing ----------------------------------------------------------------------------


def import_file(ctx: ToolContext, path: str | Path) -> ImportResult:
    """Import a `crm-export` JSON file or a customer CSV; all or nothing."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ImportFailed([f"cannot read {path}: {e.strerror}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ImportFailed([f"{path.name} is not UTF-8 text (byte {e.start})"]) from None
    as_json = path.suffix.lower() == ".json" or text.lstrip().startswith("{")
    return import_text(ctx, text, kind="json" if as_json else "csv", label=path.name)


def import_text(ctx: ToolContext, text: str, *, kind: str, label: str = "input") -> ImportResult:
    with ctx.write(f"import {label}") as batch:
        s = batch.session
        users: list[dict] = []
        if kind == "json":
            records, users, problems = _read_json(ctx, s, text, label)
        else:
            records, problems = _read_csv(ctx, s, text, label)
        problems += _duplicates(records)
        if problems:
            raise ImportFailed(problems)
        result = ImportResult()
        _apply(ctx, batch, records, result)
        _import_users(s, users)
    return result


def _apply(ctx: ToolContext, batch, records: list[_Record], result: ImportResult) -> None:  # type: ignore[no-untyped-def]
    s: Session = batch.session
    now = ctx.now()
    keys = [r.key for r in records]
    existing: dict[str, Customer] = {}
    for chunk in range(0, len(keys), 500):
        for c in s.exec(select(Customer).where(col(Customer.name_key).in_(keys[chunk:chunk + 500]))):
            existing[c.name_key] = c
    new: list[_Record] = []
    merged: list[tuple[_Record, Customer]] = []
    for rec in records:
        c = existing.get(rec.key)
        if c is None:
            new.append(rec)
        else:
            before = snapshot(c, [*_SCALARS, "updated_at"])
            changed = False
            for key in _SCALARS:
                if key in rec.fields and getattr(c, key) != rec.fields[key]:
                    setattr(c, key, rec.fields[key])
                    changed = True
            if changed:
                c.updated_at = now
                batch.updated(c, before)
                result.customers_updated += 1
            merged.append((rec, c))
    _create(ctx, batch, new, result)
    children: list[Any] = []
    for rec, c in merged:
        children += _children(rec, c, _present(s, c.id))  # type: ignore[arg-type]
    s.add_all(children)
    s.flush()
    for child in children:
        batch.created(child)
        _count(result, type(child))


def _create(ctx: ToolContext, batch, records: list[_Record], result: ImportResult) -> None:  # type: ignore[no-untyped-def]
    """New customers and their records as plain rows through store.bulk (imports of 100,000 customers)."""
    if not records:
        return
    s: Session = batch.session
    now = ctx.now()
    first = bulk.next_id(s, Customer)
    rows = bulk.insert_rows(s, Customer, [
        {"id": first + n, "name": rec.name, "name_key": rec.key, "owner": ctx.actor, "created_at": now,
         "updated_at": now, **{k: v for k, v in rec.fields.items() if v is not None}}
        for n, rec in enumerate(records)
    ])
    bulk.record_created(batch, Customer, rows)  # a new customer's children go with its creation on undo
    result.customers_created = len(rows)
    by_model: dict[type, list[dict[str, Any]]] = {Contact: [], Interaction: [], FollowUp: [], StageChange: []}
    for row, rec in zip(rows, records):
        for model, values in _child_rows(rec, None):
            by_model[model].append({"customer_id": row["id"], **values})
    for model, child_rows in by_model.items():
        bulk.insert_rows(s, model, child_rows)
        for _ in child_rows:
            _count(result, model)


def _count(result: ImportResult, kind: type) -> None:
    if kind is Contact:
        result.contacts += 1
    elif kind is Interaction:
        result.interactions += 1
    elif kind is FollowUp:
        result.followups += 1
    else:
        result.stage_changes += 1


def _present(s: Session, cid: int) -> set[tuple]:
    """Fingerprints of what a customer already has, so a re-import adds nothing twice."""
    marks: set[tuple] = set()
    marks |= {("c", normalize(x.name)) for x in s.exec(select(Contact).where(Contact.customer_id == cid))}
    marks |= {("i", i.kind, i.occurred_at.replace(microsecond=0), i.body)
              for i in s.exec(select(Interaction).where(Interaction.customer_id == cid))}
    marks |= {("f", f.due_date, f.description) for f in s.exec(select(FollowUp).where(FollowUp.customer_id == cid))}
    marks |= {("h", h.to_stage, h.at.replace(microsecond=0)) for h in s.exec(select(StageChange).where(StageChange.customer_id == cid))}
    return marks


def _children(rec: _Record, c: Customer, present: set[tuple] | None) -> list[Any]:
    return [model(customer_id=c.id, **values) for model, values in _child_rows(rec, present)]


def _child_rows(rec: _Record, present: set[tuple] | None) -> list[tuple[type, dict[str, Any]]]:
    """The record's contacts, interactions, follow-ups and stage changes not already `present`."""
    out: list[tuple[type, dict[str, Any]]] = []
    seen = present if present is not None else set()
    for x in rec.contacts:
        key = normalize(x["name"])
        mark = ("c", key)
        if mark not in seen:
            seen.add(mark)
            out.append((Contact, {"name_key": key, **x}))
    for i in rec.interactions:
        mark = ("i", i["kind"], i["occurred_at"].astimezone(timezone.utc).replace(microsecond=0), i["body"])
        if mark not in seen:
            seen.add(mark)
            out.append((Interaction, dict(i)))
    for f in rec.followups:
        mark = ("f", f["due_date"], f["description"])
        if mark not in seen:
            seen.add(mark)
            out.append((FollowUp, {k: v for k, v in f.items() if v is not None}))
    for h in rec.history:
        mark = ("h", h["to_stage"], h["at"].astimezone(timezone.utc).replace(microsecond=0))
        if mark not in seen:
            seen.add(mark)
            out.append((StageChange, dict(h)))
    return out


def _import_users(s: Session, users: list[dict]) -> None:
    for raw in users:
        user = s.exec(select(User).where(User.name == raw["name"])).first()
        if user is None:
            s.add(User(
                name=raw["name"], timezone=raw.get("timezone") or "UTC", telegram_id=raw.get("telegram_id"),
                digest_time=raw.get("digest_time") or "08:00",
            ))
