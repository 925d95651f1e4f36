"""Export to and import from the `crm-export` JSON format (see SPEC) and customer CSV.

Import is all-or-nothing and does its slow work before it takes the write lock: the file is read
and every value checked (tools/import_read.py) with only a read of the database; rows for new
customers are converted and staged in the connection's private TEMP tables; only then one short
write transaction copies them in (store/bulk.py) and merges into the customers that exist. So a
rep's note from Telegram waits for the copy, not for the import. A bad file imports nothing and
says, per bad value, where it is (CSV line, or customer position) and which key.

Importing a customer that exists (same name, ignoring case and accents) merges into it: given fields
are updated, and contacts, interactions, follow-ups and stage changes not already there are added,
so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from store import bulk
from store.changelog import Batch, snapshot
from store.models import ChangeLog, Contact, Customer, FollowUp, Interaction, StageChange, User, saved_id
from store.transfer_rows import any_customer_with_key, customer_ids_by_key, timeline_of, whole_book
from store.user_rows import user_named
from tools.context import ToolContext
from tools.errors import ImportFailed, InvalidStage
from tools.import_format import UserRow
from tools.import_read import CSV_COLUMNS, FORMAT, VERSION, Reading, Record, builder, read_csv, read_json
from tools.names import normalize
from tools.stages import canonical_stage, stages

__all__ = [
    "CSV_COLUMNS",
    "FORMAT",
    "VERSION",
    "ImportResult",
    "export_csv",
    "export_data",
    "import_file",
    "import_text",
    "safe_cell",
]

_SCALARS = ("stage", "owner", "email", "phone", "tags", "value")
_RETRIES = 3  # a customer created by someone else between reading and writing: plan again
# What a customer already has, as import compares it: ("c", contact key), ("i", kind, time, body), …
_Mark = tuple[Any, ...]


class ImportResult(BaseModel):
    customers_created: int = 0
    customers_updated: int = 0
    contacts: int = 0
    interactions: int = 0
    followups: int = 0
    stage_changes: int = 0
    warnings: list[str] = []


# ---- export ---------------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _finite(value: float | None) -> float | None:
    # A value stored before amounts were checked may be Infinity or NaN, which JSON cannot hold:
    # the export stays valid JSON (and importable) rather than carry it.
    return value if value is None or math.isfinite(value) else None


def _due(f: FollowUp) -> str:
    return (
        f"{f.due_date.isoformat()}T{f.due_time.strftime('%H:%M')}" if f.due_time else f.due_date.isoformat()
    )


def export_data(ctx: ToolContext) -> dict[str, Any]:
    """The whole CRM as a `crm-export` document (times in UTC, customers by name)."""
    with ctx.read() as s:
        book = whole_book(s)
    out = []
    for c in book.customers:
        cid = saved_id(c)
        out.append(
            {
                "id": c.id,
                "name": c.name,
                "stage": c.stage,
                "owner": c.owner,
                "email": c.email,
                "phone": c.phone,
                "tags": list(c.tags or []),
                "value": _finite(c.value),
                "created_at": _iso(c.created_at),
                "updated_at": _iso(c.updated_at),
                "contacts": [
                    {"name": x.name, "role": x.role, "email": x.email, "phone": x.phone}
                    for x in book.contacts.get(cid, [])
                ],
                "interactions": [
                    {
                        "kind": i.kind,
                        "body": i.body,
                        "occurred_at": _iso(i.occurred_at),
                        "author": i.author,
                        "source": i.source,
                    }
                    for i in book.interactions.get(cid, [])
                ],
                "followups": [
                    {
                        "due": _due(f),
                        "description": f.description,
                        "status": f.status,
                        "owner": f.owner,
                        "created_at": _iso(f.created_at),
                        "completed_at": _iso(f.completed_at),
                    }
                    for f in book.followups.get(cid, [])
                ],
                "stage_history": [
                    {"from": h.from_stage, "to": h.to_stage, "at": _iso(h.at), "by": h.by}
                    for h in book.stage_changes.get(cid, [])
                ],
            }
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _iso(ctx.now()),
        "users": [
            {
                "name": u.name,
                "timezone": u.timezone,
                "telegram_id": u.telegram_id,
                "digest_time": u.digest_time,
            }
            for u in book.users
        ],
        "customers": out,
    }


# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): "=HYPERLINK(…)", "+1…", "@SUM".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a leading ' when it would start a formula (OWASP).

    `import` takes that quote off again, so a phone number "+49 30 1234" survives a round trip.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(ctx: ToolContext) -> str:
    """Customers as CSV, one row per contact (a customer without contacts on one row), as import reads it."""
    data = export_data(ctx)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for c in data["customers"]:
        row = {
            "name": c["name"],
            "email": c["email"],
            "phone": c["phone"],
            "stage": c["stage"],
            "owner": c["owner"],
            "tags": ";".join(c["tags"]),
            "value": c["value"],
        }
        for contact in c["contacts"] or [{}]:
            writer.writerow(
                {
                    k: safe_cell(v)
                    for k, v in {
                        **row,
                        "contact": contact.get("name"),
                        "contact_role": contact.get("role"),
                        "contact_email": contact.get("email"),
                        "contact_phone": contact.get("phone"),
                    }.items()
                }
            )
    return buf.getvalue()


# ---- import: reading and planning (no write lock) ---------------------------------------------------


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


@dataclass
class _Plan:
    reading: Reading
    new: list[Record] = field(default_factory=list)
    merged: list[tuple[Record, int, set[_Mark]]] = field(default_factory=list)  # record, customer id, present
    first_id: int = 1  # the id the first new customer would get


def _read(ctx: ToolContext, s: Session, text: str, kind: str, label: str) -> Reading:
    valid = stages(s)
    seen: dict[str, str | None] = {}

    def stage_of(word: str) -> str | None:
        if word not in seen:  # a file repeats a few stage words: look each up once
            try:
                seen[word] = canonical_stage(s, word)
            except InvalidStage:
                seen[word] = None
        return seen[word]

    build = builder(stage_of, valid, ctx.tz, ctx.now())
    reading = read_json(text, label, build) if kind == "json" else read_csv(text, label, build)
    if reading.problems:
        raise ImportFailed(reading.problems)
    return reading


def _plan(s: Session, reading: Reading) -> _Plan:
    plan = _Plan(reading, first_id=bulk.next_id(s, Customer))
    existing = customer_ids_by_key(s, keys=[r.key for r in reading.records])
    for rec in reading.records:
        cid = existing.get(rec.key)
        if cid is None:
            plan.new.append(rec)
        else:
            plan.merged.append((rec, cid, _present(s, cid)))
    return plan


def import_text(ctx: ToolContext, text: str, *, kind: str, label: str = "input") -> ImportResult:
    """Import `text` (kind "json" or "csv"); all or nothing. ImportFailed lists every bad value."""
    summary = f"import {label}"
    for _attempt in range(_RETRIES):
        with ctx.read() as s:
            plan = _plan(s, _read(ctx, s, text, kind, label))
        if ctx.store.stages_imports and ctx._batch_id is None:
            result = _write_staged(ctx, summary, plan)
        else:  # an in-memory database, or inside a caller's batch: one session
            result = _write_in_session(ctx, summary, plan)
        if result is not None:
            result.warnings = plan.reading.warnings
            if result.customers_created >= 1000:  # the planner's statistics describe the old, smaller book
                ctx.store.refresh_statistics()
            return result
    raise ImportFailed(
        [f"{label}: other writers kept creating the same customers; nothing imported — try again"]
    )


# ---- import: writing ----------------------------------------------------------------------------------


def _new_rows(
    ctx: ToolContext, records: list[Record], first_id: int
) -> tuple[list[dict[str, Any]], dict[type, list[dict[str, Any]]]]:
    now = ctx.now()
    customers = bulk.complete_rows(
        Customer,
        [
            {
                "id": first_id + n,
                "name": rec.name,
                "name_key": rec.key,
                "owner": ctx.actor,
                "created_at": now,
                "updated_at": now,
                **{k: v for k, v in rec.fields.items() if v is not None},
            }
            for n, rec in enumerate(records)
        ],
    )
    children: dict[type, list[dict[str, Any]]] = {Contact: [], Interaction: [], FollowUp: [], StageChange: []}
    for row, rec in zip(customers, records, strict=True):
        for model, values in _child_rows(rec, None):
            children[model].append({"customer_id": row["id"], **values})
    return customers, children


def _write_staged(ctx: ToolContext, summary: str, plan: _Plan) -> ImportResult | None:
    """Stage the new customers with no lock held, then copy and merge in one short write; None on a race."""
    # The session is the one opened on the staging connection below.
    batch = Batch(None, ctx.actor, ctx.source, summary, at=ctx.now())  # type: ignore[arg-type]  # session set below
    # Ids as they will be unless another writer creates customers meanwhile (then the copy shifts them).
    customers, children = _new_rows(ctx, plan.new, plan.first_id)
    names: list[str] = []
    result: ImportResult | None = None
    with ctx.store.connection() as conn:
        try:
            names.append(bulk.stage(conn, Customer, customers, complete=False))
            for model, rows in children.items():
                names.append(bulk.stage(conn, model, rows))
            # A new customer's children go with its creation on undo: only customers are logged.
            names.append(bulk.stage_created_log(conn, batch, Customer, names[0]))
            conn.commit()
            conn.execution_options(crm_write=True)  # the next transaction takes the write lock up front
            with Session(bind=conn, expire_on_commit=False) as session:
                batch.session = session
                if bulk.staged_keys_taken(conn, names[0]):
                    return None
                offset = bulk.max_id(conn, Customer) + 1 - plan.first_id
                with bulk.names_version_once(conn):
                    bulk.copy_staged(conn, Customer, names[0], shift={"id": offset}, keep_id=True)
                    for name, model in zip(names[1:5], children, strict=True):
                        bulk.copy_staged(conn, model, name, shift={"customer_id": offset})
                bulk.copy_staged(
                    conn, ChangeLog, names[5], shift={"entity_id": offset}, shift_json_id="after"
                )
                counted = _counted(customers, children)
                if not _merge(ctx, batch, plan, counted):
                    return None
                _import_users(session, plan.reading.users)
                session.flush()
                conn.commit()  # the transaction is the connection's (begun above); the session joined it
                result = counted
        finally:
            conn.rollback()  # a refused or failed write leaves nothing behind
            conn.execution_options(crm_write=False)
            bulk.drop_staged(conn, names)
            conn.commit()
    return result


def _write_in_session(ctx: ToolContext, summary: str, plan: _Plan) -> ImportResult | None:
    with ctx.write(summary) as batch:
        s = batch.session
        if any_customer_with_key(s, keys=[r.key for r in plan.new]):
            return None  # created meanwhile; nothing written yet
        customers, children = _new_rows(ctx, plan.new, bulk.next_id(s, Customer))
        bulk.insert_rows(s, Customer, customers)
        bulk.record_created(batch, Customer, customers)  # a new customer's children go with it on undo
        for model, rows in children.items():
            bulk.insert_rows(s, model, rows)
        result = _counted(customers, children)
        if not _merge(ctx, batch, plan, result):
            raise ImportFailed(
                ["a customer of the file was deleted while it was imported; nothing imported — try again"]
            )
        _import_users(s, plan.reading.users)
    return result


def _counted(customers: list[dict[str, Any]], children: dict[type, list[dict[str, Any]]]) -> ImportResult:
    return ImportResult(
        customers_created=len(customers),
        contacts=len(children[Contact]),
        interactions=len(children[Interaction]),
        followups=len(children[FollowUp]),
        stage_changes=len(children[StageChange]),
    )


def _merge(ctx: ToolContext, batch: Batch, plan: _Plan, result: ImportResult) -> bool:
    """Update the customers that exist and add what they lack; False when one vanished meanwhile."""
    s: Session = batch.session
    now = ctx.now()
    added: list[Any] = []
    for rec, cid, present in plan.merged:
        c = s.get(Customer, cid)
        if c is None:
            return False
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
        added += _children(rec, c, present)
    s.add_all(added)
    s.flush()
    for child in added:
        batch.created(child)
        _count(result, type(child))
    return True


def _count(result: ImportResult, kind: type) -> None:
    if kind is Contact:
        result.contacts += 1
    elif kind is Interaction:
        result.interactions += 1
    elif kind is FollowUp:
        result.followups += 1
    else:
        result.stage_changes += 1


def _present(s: Session, cid: int) -> set[_Mark]:
    """Fingerprints of what a customer already has, so a re-import adds nothing twice."""
    has = timeline_of(s, customer_id=cid)
    marks: set[_Mark] = set()
    marks |= {("c", normalize(x.name)) for x in has.contacts}
    marks |= {("i", i.kind, i.occurred_at.replace(microsecond=0), i.body) for i in has.interactions}
    marks |= {("f", f.due_date, f.description) for f in has.followups}
    marks |= {("h", h.to_stage, h.at.replace(microsecond=0)) for h in has.stage_changes}
    return marks


def _children(rec: Record, c: Customer, present: set[_Mark] | None) -> list[Any]:
    return [model(customer_id=c.id, **values) for model, values in _child_rows(rec, present)]


def _child_rows(rec: Record, present: set[_Mark] | None) -> list[tuple[type, dict[str, Any]]]:
    """The record's contacts, interactions, follow-ups and stage changes not already `present`."""
    out: list[tuple[type, dict[str, Any]]] = []
    seen = present if present is not None else set()
    for x in rec.contacts:
        key = normalize(x["name"])
        mark: _Mark = ("c", key)
        if mark not in seen:
            seen.add(mark)
            out.append((Contact, {"name_key": key, **x}))
    for i in rec.interactions:
        mark = ("i", i["kind"], i["occurred_at"].astimezone(UTC).replace(microsecond=0), i["body"])
        if mark not in seen:
            seen.add(mark)
            out.append((Interaction, dict(i)))
    for f in rec.followups:
        mark = ("f", f["due_date"], f["description"])
        if mark not in seen:
            seen.add(mark)
            out.append((FollowUp, {k: v for k, v in f.items() if v is not None}))
    for h in rec.history:
        mark = ("h", h["to_stage"], h["at"].astimezone(UTC).replace(microsecond=0))
        if mark not in seen:
            seen.add(mark)
            out.append((StageChange, dict(h)))
    return out


def _import_users(s: Session, users: list[UserRow]) -> None:
    for raw in users:
        user = user_named(s, raw.name)
        if user is None:
            s.add(
                User(
                    name=raw.name,
                    timezone=raw.timezone or "UTC",
                    telegram_id=raw.telegram_id,
                    digest_time=raw.digest_time or "08:00",
                )
            )
