"""Export to and import from the `crm-export` JSON format (see SPEC) and customer CSV.

Import is all-or-nothing and does its slow work before it takes the write lock: the file is read
and every value checked (tools/import_read.py) with only a read of the database. The new customers
are then written by the store in short transactions of ~10,000 rows (store/bulk.import_customers:
a pending-import marker makes a crash part-way recoverable), and the last one merges into the
customers that exist. So a rep's note from Telegram waits a fraction of a second, not for the
import. A bad file imports nothing and says, per bad value, where it is (CSV line, or customer
position) and which key. A customer a rep creates under the same name while the file is imported
is merged into, with a warning naming the line.

Importing a customer that exists (same name, ignoring case and accents) merges into it: given fields
are updated, and contacts, interactions, follow-ups and stage changes not already there are added,
so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import gc
import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from store import bulk
from store.changelog import Batch, snapshot
from store.models import Contact, Customer, FollowUp, Interaction, StageChange, User, saved_id
from store.queries import names_version
from store.transfer_rows import (
    Timeline,
    any_customer_with_key,
    customer_ids_by_key,
    customer_values,
    customers_by_id,
    timeline_of,
    timelines_of,
    whole_book,
)
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
# A record merged into customer `id`, with the rows it adds there (what the customer lacks, found
# when the file was planned: no write lock held for that).
_Merge = tuple[Record, int, list[tuple[type, dict[str, Any]]]]
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
    merged: list[_Merge] = field(default_factory=list)


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
    plan = _Plan(reading)
    existing = customer_ids_by_key(s, keys=[r.key for r in reading.records])
    timelines = timelines_of(s, customer_ids=list(existing.values()))
    for rec in reading.records:
        cid = existing.get(rec.key)
        if cid is None:
            plan.new.append(rec)
        else:
            plan.merged.append((rec, cid, _child_rows(rec, _marks(timelines[cid]))))
    return plan


def import_text(ctx: ToolContext, text: str, *, kind: str, label: str = "input") -> ImportResult:
    """Import `text` (kind "json" or "csv"); all or nothing. ImportFailed lists every bad value."""
    summary = f"import {label}"
    with _no_gc_pauses():
        return _import(ctx, text, kind, label, summary)


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """No cyclic garbage collection while an import runs: it builds a few objects per row and no cycles,
    and the collector walking them again and again cost ~2 s of a 100,000-row import."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _import(ctx: ToolContext, text: str, kind: str, label: str, summary: str) -> ImportResult:
    for _attempt in range(_RETRIES):
        with ctx.read() as s:
            version = names_version(s)  # before the names are looked up: see bulk.NewRows
            plan = _plan(s, _read(ctx, s, text, kind, label))
        if ctx.store.stages_imports and ctx._batch_id is None:
            result = _write_chunked(ctx, summary, label, plan, version)
        else:  # an in-memory database, or inside a caller's batch: one session
            result = _write_in_session(ctx, summary, plan)
        if result is not None:
            result.warnings = plan.reading.warnings + result.warnings
            if result.customers_created >= 1000:  # the planner's statistics describe the old, smaller book
                ctx.store.refresh_statistics()
            return result
    raise ImportFailed(
        [f"{label}: other writers kept creating the same customers; nothing imported — try again"]
    )


# ---- import: writing ----------------------------------------------------------------------------------


def _new_rows(ctx: ToolContext, records: list[Record]) -> bulk.NewRows:
    """The new customers' rows and their children's (each child names its customer by position)."""
    now, actor = ctx.now(), ctx.actor
    new = bulk.NewRows([], {Contact: [], Interaction: [], FollowUp: [], StageChange: []})
    contacts = new.children[Contact]
    for n, rec in enumerate(records):
        row = {"name": rec.name, "name_key": rec.key, "owner": actor, "created_at": now, "updated_at": now}
        for key, value in rec.fields.items():
            if value is not None:
                row[key] = value
        new.customers.append(row)
        if len(rec.contacts) == 1 and not (rec.interactions or rec.followups or rec.history):
            # A spreadsheet row's one contact: what _child_rows makes of it, without its bookkeeping.
            x = rec.contacts[0]
            contacts.append((n, {"name_key": normalize(x["name"]), **x}))
            continue
        for model, values in _child_rows(rec, None):
            new.children[model].append((n, values))
    return new


def _write_chunked(
    ctx: ToolContext, summary: str, label: str, plan: _Plan, version: str | None
) -> ImportResult | None:
    """New customers written in short transactions by the store, then the merge; None on a race."""
    # The store sets the batch's session (the one of its last transaction) before `finish` runs.
    batch = Batch(None, ctx.actor, ctx.source, summary, at=ctx.now())  # type: ignore[arg-type]  # session set by bulk.import_customers
    result = ImportResult()

    def finish(batch: Batch, written: bulk.Written) -> bool:
        result.customers_created = written.customers
        for model, count in written.children.items():
            _count(result, model, count)
        merged = list(plan.merged)
        for index, cid in sorted(written.taken.items()):
            # A rep created the same customer while the file was read or written: merged into theirs.
            rec = plan.new[index]
            merged.append((rec, cid, _child_rows(rec, _present(batch.session, cid))))
            result.warnings.append(f"{rec.where}: created by someone else during the import; merged into it")
        if not _merge(ctx, batch, merged, result):
            return False
        _import_users(batch.session, plan.reading.users)
        return True

    new = _new_rows(ctx, plan.new)
    new.names_version = version
    done = bulk.import_customers(ctx.store, new, batch=batch, label=label, finish=finish)
    return result if done else None


def _write_in_session(ctx: ToolContext, summary: str, plan: _Plan) -> ImportResult | None:
    with ctx.write(summary) as batch:
        s = batch.session
        if any_customer_with_key(s, keys=[r.key for r in plan.new]):
            return None  # created meanwhile; nothing written yet
        new = _new_rows(ctx, plan.new)
        first = bulk.next_id(s, Customer)
        rows = [{"id": first + n, **row} for n, row in enumerate(new.customers)]
        customers = bulk.insert_rows(s, Customer, rows)
        bulk.record_created(batch, Customer, customers)  # a new customer's children go with it on undo
        result = ImportResult(customers_created=len(customers))
        for model, children in new.children.items():
            bulk.insert_rows(s, model, [{"customer_id": first + n, **values} for n, values in children])
            _count(result, model, len(children))
        if not _merge(ctx, batch, plan.merged, result):
            raise ImportFailed(
                ["a customer of the file was deleted while it was imported; nothing imported — try again"]
            )
        _import_users(s, plan.reading.users)
    return result


def _merge(ctx: ToolContext, batch: Batch, merged: list[_Merge], result: ImportResult) -> bool:
    """Update the customers that exist and add what they lack; False when one vanished meanwhile."""
    s: Session = batch.session
    now = ctx.now()
    added: list[Any] = []
    # Compared on plain rows first (one query per 500): only a customer the file changes is loaded
    # as an object, so re-importing a big file that changes little holds the lock briefly.
    current = customer_values(s, ids=[cid for _, cid, _ in merged], fields=_SCALARS)
    changing: list[tuple[Record, int]] = []
    for rec, cid, children in merged:
        values = current.get(cid)
        if values is None:
            return False
        if any(key in rec.fields and values[key] != rec.fields[key] for key in _SCALARS):
            changing.append((rec, cid))
        added += [model(customer_id=cid, **values) for model, values in children]
    customers = customers_by_id(s, ids=[cid for _, cid in changing])
    for rec, cid in changing:
        c = customers[cid]
        before = snapshot(c, [*_SCALARS, "updated_at"])
        for key in _SCALARS:
            if key in rec.fields and getattr(c, key) != rec.fields[key]:
                setattr(c, key, rec.fields[key])
        c.updated_at = now
        batch.updated(c, before)
        result.customers_updated += 1
    s.add_all(added)
    s.flush()
    for child in added:
        batch.created(child)
        _count(result, type(child))
    return True


def _count(result: ImportResult, kind: type, n: int = 1) -> None:
    if kind is Contact:
        result.contacts += n
    elif kind is Interaction:
        result.interactions += n
    elif kind is FollowUp:
        result.followups += n
    else:
        result.stage_changes += n


def _present(s: Session, cid: int) -> set[_Mark]:
    """Fingerprints of what a customer already has, so a re-import adds nothing twice."""
    return _marks(timeline_of(s, customer_id=cid))


def _marks(has: Timeline) -> set[_Mark]:
    marks: set[_Mark] = set()
    marks |= {("c", normalize(x.name)) for x in has.contacts}
    marks |= {("i", i.kind, i.occurred_at.replace(microsecond=0), i.body) for i in has.interactions}
    marks |= {("f", f.due_date, f.description) for f in has.followups}
    marks |= {("h", h.to_stage, h.at.replace(microsecond=0)) for h in has.stage_changes}
    return marks


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
