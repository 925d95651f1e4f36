"""The change log: every write records before/after, and `undo` replays it backwards.

Rows changed by one user action share a *batch* (a chat message that logs a meeting and schedules a
follow-up is one batch), and undo reverts a whole batch. Undo refuses when someone changed the same
data since, rather than silently overwrite their work.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Table, insert, update
from sqlalchemy import delete as sa_delete
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, col, select

from store.driver_query import DriverInsert
from store.models import (
    TABLES,
    ChangeLog,
    Contact,
    Customer,
    FollowUp,
    Interaction,
    Meta,
    StageChange,
    saved_id,
)
from store.types import utcnow

_CHILDREN: tuple[type[SQLModel], ...] = (Contact, Interaction, FollowUp, StageChange)
_LOG_TABLE: Table = ChangeLog.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it
_LOG_INSERT = DriverInsert(_LOG_TABLE)


#: The `meta` key of an import still writing its transactions: this prefix + its batch id (store.bulk).
IMPORT_PENDING_PREFIX = "import_pending:"


class UndoError(Exception):
    """Nothing to undo, or the change cannot be undone without overwriting newer work."""


def plain(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        # One spelling per moment (UTC), whatever zone the acting user is in, so the log reads
        # consistently and a value compares equal to the same value read back from the database.
        return value.astimezone(UTC).isoformat()
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


def snapshot(obj: SQLModel, fields: list[str] | None = None) -> dict[str, Any]:
    """The row as JSON-safe values (all columns, or just `fields`)."""
    names = fields if fields is not None else [c.key for c in sa_inspect(type(obj)).columns]
    return {name: plain(getattr(obj, name)) for name in names}


def _revive(model: type[SQLModel], values: dict[str, Any]) -> dict[str, Any]:
    """Turn snapshot values back into column values (ISO strings into dates and times)."""
    cols = {c.key: c for c in sa_inspect(model).columns}
    out: dict[str, Any] = {}
    for name, value in values.items():
        column = cols.get(name)
        if column is None:
            continue
        if isinstance(value, str):
            # A TypeDecorator (UTCDateTime) reports `object`; its underlying type knows the value.
            ctype = getattr(column.type, "impl_instance", column.type)
            try:
                pytype = ctype.python_type
            except NotImplementedError:
                pytype = str
            if pytype is datetime:
                value = datetime.fromisoformat(value)
            elif pytype is date:
                value = date.fromisoformat(value)
            elif pytype is time:
                value = time.fromisoformat(value)
        out[name] = value
    return out


@dataclass
class Batch:
    """Collects the change-log rows of one user action inside one write session."""

    session: Session
    actor: str
    source: str
    summary: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    at: datetime | None = None  # the acting clock (fixed in demos and tests); the real one otherwise
    count: int = 0

    def _add(
        self, obj: SQLModel, op: str, before: dict[str, Any] | None, after: dict[str, Any] | None
    ) -> None:
        self.session.add(
            ChangeLog(
                batch=self.id,
                at=self.at or utcnow(),
                actor=self.actor,
                source=self.source,
                summary=self.summary,
                entity=str(obj.__tablename__),
                entity_id=saved_id(obj),
                op=op,
                before=before,
                after=after,
            )
        )
        self.count += 1

    def connection(self) -> Connection:
        """The session's connection for prebuilt statements, after the ORM wrote what it holds.

        Rows the ORM still holds (a customer made earlier in the same transaction, its change-log
        row) are flushed first, so the change log keeps the order the writes were made in.
        """
        self.session.flush()
        return self.session.connection()

    def created_row(self, table: Table, values: dict[str, Any], conn: Connection) -> None:
        """Log the creation of a row written with a prebuilt statement (on `conn`, this batch's
        `connection()`): `values` holds every column, id included; logged as `created` logs an ORM
        row (all columns, in the table's order)."""
        after = {c.key: plain(values[c.key]) for c in table.columns}
        _LOG_INSERT.insert(
            conn,
            {
                "batch": self.id,
                "at": self.at or utcnow(),
                "actor": self.actor,
                "source": self.source,
                "summary": self.summary,
                "entity": table.name,
                "entity_id": values["id"],
                "op": "create",
                "before": None,
                "after": after,
                "undoes": None,
                "undone_at": None,
            },
        )
        self.count += 1

    def created(self, obj: SQLModel) -> None:
        if obj.id is None:  # type: ignore[attr-defined]  # every logged model has an id column; SQLModel's base class does not
            self.session.flush()
        self._add(obj, "create", None, snapshot(obj))

    def updated(self, obj: SQLModel, before: dict[str, Any]) -> None:
        """Record an update; `before` holds the old values of the fields that may have changed."""
        after = snapshot(obj, list(before))
        changed = {k for k in before if before[k] != after[k]}
        if changed:
            self._add(obj, "update", {k: before[k] for k in changed}, {k: after[k] for k in changed})

    def deleted(self, obj: SQLModel) -> None:
        self._add(obj, "delete", snapshot(obj), None)


def last_batch(session: Session, actor: str) -> list[ChangeLog]:
    """The actor's most recent batch that is neither undone nor itself an undo."""
    batch = session.exec(
        select(ChangeLog.batch)
        .where(ChangeLog.actor == actor, col(ChangeLog.undone_at).is_(None), col(ChangeLog.undoes).is_(None))
        .order_by(col(ChangeLog.id).desc())
        .limit(1)
    ).first()
    if batch is None:
        return []
    return list(
        session.exec(select(ChangeLog).where(ChangeLog.batch == batch).order_by(col(ChangeLog.id).desc()))
    )


def describe(rows: list[ChangeLog]) -> str:
    """What a batch did, in order: its rows' distinct summaries ('log meeting on Acme; schedule …')."""
    return "; ".join(dict.fromkeys(r.summary for r in reversed(rows) if r.summary))


def undo_batch(
    session: Session, rows: list[ChangeLog], *, actor: str, source: str, at: datetime | None = None
) -> Batch:
    """Revert `rows` (one batch, newest first). Raises UndoError on a conflict, changing nothing."""
    if not rows:
        raise UndoError("There is nothing of yours to undo.")
    # An import writes in several transactions and marks itself pending until the last one (store.bulk).
    if session.get(Meta, IMPORT_PENDING_PREFIX + rows[0].batch) is not None:
        raise UndoError("That import is still running; undo it once it has finished.")
    expected = _batch_result(rows)
    setwise = len(rows) >= SETWISE_MIN and all(r.op == "create" and r.entity == "customer" for r in rows)
    if setwise:
        _check_created_customers(session, rows, expected)
    else:
        for row in rows:
            _check(session, row, expected)
    _refuse_if_others_added(session, rows)
    undo = Batch(session, actor, source, summary=f"undo: {describe(rows)}", at=at)
    now = at or utcnow()
    if setwise:
        _revert_created_customers(session, rows, undo, now)
        return undo
    try:
        for row in rows:
            _revert(session, row, undo)
            row.undone_at = now
            session.add(row)
        session.flush()
    except IntegrityError as e:
        # What it would put back is taken since: another rep gave a new customer the old name of one
        # this change renamed, say. The caller's transaction rolls back whatever was reverted.
        raise UndoError(
            f"The {_clashing(e)} would get back a name (or key) another one has now; not undone, "
            "to keep that newer change."
        ) from e
    for log in session.exec(select(ChangeLog).where(ChangeLog.batch == undo.id)):
        log.undoes = rows[0].batch
        session.add(log)
    return undo


def _clashing(error: IntegrityError) -> str:
    """What kind of row a failed unique constraint is about (SQLite names the column, PG the index)."""
    text = str(error.orig)
    return next((entity for entity in ("contact", "customer", "user") if entity in text), "record")


# ---- a big batch of creations (an import) set-wise --------------------------------------------------
#
# Row by row, undoing a 1,200-customer import took 17 s (a get, four child SELECTs, a delete and a
# flush per customer), so 100,000 would hold the write lock for many minutes. A batch that only
# created customers is checked and removed 500 customers at a time with a few statements each,
# logging exactly the rows the row-by-row path logs.

SETWISE_MIN = 200
_CHUNK = 500


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


def _check_created_customers(
    session: Session, rows: list[ChangeLog], expected: dict[tuple[str, int], dict[str, Any]]
) -> None:
    for chunk in _chunks([r.entity_id for r in rows]):
        found = {saved_id(c): c for c in session.exec(select(Customer).where(col(Customer.id).in_(chunk)))}
        for cid in chunk:
            current = found.get(cid)
            if current is None:
                raise UndoError("The customer it created was already removed.")
            values = expected.get(("customer", cid), {})
            _refuse_if_changed(Customer, current, values, "customer", skip={"updated_at", "created_at"})


def _revert_created_customers(session: Session, rows: list[ChangeLog], undo: Batch, now: datetime) -> None:
    """Remove the customers `rows` created (with what the cascade takes), logging each row removed."""
    conn = session.connection()
    at = undo.at or utcnow()
    undone = rows[0].batch

    def deleted(entity: str, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "batch": undo.id,
            "at": at,
            "actor": undo.actor,
            "source": undo.source,
            "summary": undo.summary,
            "entity": entity,
            "entity_id": values["id"],
            "op": "delete",
            "before": {k: plain(v) for k, v in values.items()},
            "after": None,
            "undoes": undone,
            "undone_at": None,
        }

    log_table = ChangeLog.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it
    customers = Customer.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it
    for chunk in _chunks([r.entity_id for r in rows]):  # newest first, as the row-by-row path
        children: dict[int, list[dict[str, Any]]] = {}
        for child in _CHILDREN:
            table = child.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it
            query = sa_select(table).where(table.c.customer_id.in_(chunk)).order_by(table.c.id)
            for dep in conn.execute(query).mappings():
                children.setdefault(dep["customer_id"], []).append(deleted(table.name, dict(dep)))
        own = {
            r["id"]: dict(r)
            for r in conn.execute(sa_select(customers).where(customers.c.id.in_(chunk))).mappings()
        }
        logs = [log for cid in chunk for log in [*children.get(cid, []), deleted("customer", own[cid])]]
        conn.execute(insert(log_table), logs)
        undo.count += len(logs)
        conn.execute(sa_delete(customers).where(customers.c.id.in_(chunk)))  # the cascade takes the rest
    for chunk in _chunks([saved_id(r) for r in rows]):
        conn.execute(update(log_table).where(log_table.c.id.in_(chunk)).values(undone_at=now))
    for row in rows:
        set_committed_value(row, "undone_at", now)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Customer | Contact | Interaction | FollowUp | StageChange):
            session.expunge(obj)  # removed by the statements above; the session must not flush them


def _batch_result(rows: list[ChangeLog]) -> dict[tuple[str, int], dict[str, Any]]:
    """Per row the batch created, its values when the batch ended (its later updates in the batch applied)."""
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for row in reversed(rows):  # oldest first
        key = (row.entity, row.entity_id)
        if row.op == "create":
            out[key] = dict(row.after or {})
        elif row.op == "update" and key in out:
            out[key].update(row.after or {})
    return out


def _check(session: Session, row: ChangeLog, expected: dict[tuple[str, int], dict[str, Any]]) -> None:
    model = TABLES[row.entity]
    current = session.get(model, row.entity_id)
    if row.op == "create":
        if current is None:
            raise UndoError(f"The {row.entity} it created was already removed.")
        # Removing a row someone edited since, or a customer someone added notes to since, would
        # silently throw their work away.
        values = expected.get((row.entity, row.entity_id), row.after or {})
        _refuse_if_changed(model, current, values, row.entity, skip={"updated_at", "created_at"})
    if row.op == "update":
        if current is None:
            raise UndoError(f"The {row.entity} it changed no longer exists.")
        # updated_at moves with any edit; only the fields this change set decide a conflict.
        _refuse_if_changed(model, current, row.after or {}, row.entity, skip={"updated_at"})
    if row.op == "delete" and current is not None:
        raise UndoError(f"The {row.entity} it removed exists again.")


def _refuse_if_changed(
    model: type[SQLModel], current: SQLModel, after: dict[str, Any], entity: str, *, skip: set[str]
) -> None:
    fields = [k for k in after if k not in skip and k in model.model_fields]
    now_values = snapshot(current, fields)
    # Compared as column values, not as logged text: the same moment may be logged in another zone.
    now_cols, then_cols = _revive(model, now_values), _revive(model, {k: after[k] for k in fields})
    changed = {k: now_values[k] for k in fields if now_cols.get(k) != then_cols.get(k)}
    if changed:
        described = ", ".join(f"{k} is now {v!r}" for k, v in changed.items())
        raise UndoError(
            f"The {entity} was changed again since ({described}); not undone, to keep that newer change."
        )


def _refuse_if_others_added(session: Session, rows: list[ChangeLog]) -> None:
    """Customers the batch created are not removed once a later change added to them or edited their records.

    Only change-log rows newer than the batch can be such changes: a range of the primary key, short for
    the recent batches undo is used on, and no scan of the whole log.
    """
    created = {r.entity_id for r in rows if r.entity == "customer" and r.op == "create"}
    if not created:
        return
    tables = {child.__tablename__: child for child in _CHILDREN}
    newer = session.exec(
        select(ChangeLog.entity, ChangeLog.entity_id, ChangeLog.summary).where(
            col(ChangeLog.id) > max(saved_id(r) for r in rows),
            col(ChangeLog.entity).in_(list(tables)),
            col(ChangeLog.op).in_(["create", "update"]),
            col(ChangeLog.undone_at).is_(None),
        )
    ).all()
    by_table: dict[str, dict[int, str]] = {}
    for entity, entity_id, summary in newer:
        by_table.setdefault(entity, {})[entity_id] = summary
    for table, ids in by_table.items():
        child = tables[table]
        listed = list(ids)
        for start in range(0, len(listed), 500):
            owners = session.exec(
                select(child.id, child.customer_id).where(col(child.id).in_(listed[start : start + 500]))  # type: ignore[attr-defined]  # _CHILDREN are table models with these columns; the union type hides them
            ).all()
            hit = next((cid for cid, customer_id in owners if customer_id in created), None)
            if hit is not None:
                raise UndoError(
                    f"Its customer has had more done since ({ids[hit]!r}); "
                    "not undone, to keep that newer work."
                )


def _revert(session: Session, row: ChangeLog, undo: Batch) -> None:
    model = TABLES[row.entity]
    if row.op == "update":
        obj = session.get(model, row.entity_id)
        before = snapshot(obj, list(row.before or {}))  # type: ignore[arg-type]  # undo checked for conflicts first, so the logged row exists
        for key, value in _revive(model, row.before or {}).items():
            setattr(obj, key, value)
        session.add(obj)
        undo.updated(obj, before)  # type: ignore[arg-type]  # undo checked for conflicts first, so the logged row exists
    elif row.op == "create":
        obj = session.get(model, row.entity_id)
        dependents: list[SQLModel] = []
        if row.entity == "customer":
            # Record what the database cascade is about to remove, so nothing leaves unrecorded.
            for child in _CHILDREN:
                dependents += session.exec(select(child).where(child.customer_id == row.entity_id)).all()  # type: ignore[attr-defined]  # _CHILDREN are table models with these columns; the union type hides them
        for dep in dependents:
            undo.deleted(dep)
        undo.deleted(obj)  # type: ignore[arg-type]  # undo checked for conflicts first, so the logged row exists
        session.delete(obj)
        session.flush()
        for dep in dependents:
            session.expunge(dep)
    elif row.op == "delete":
        obj = model(**_revive(model, row.before or {}))
        session.add(obj)
        session.flush()
        undo.created(obj)
