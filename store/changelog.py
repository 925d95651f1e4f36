"""The change log: every write records before/after, and `undo` replays it backwards.

Rows changed by one user action share a *batch* (a chat message that logs a meeting and schedules a
follow-up is one batch), and undo reverts a whole batch. Undo refuses when someone changed the same
data since, rather than silently overwrite their work.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session, SQLModel, col, select

from store.models import TABLES, ChangeLog, Contact, FollowUp, Interaction, StageChange
from store.types import utcnow

_CHILDREN: tuple[type[SQLModel], ...] = (Contact, Interaction, FollowUp, StageChange)


class UndoError(Exception):
    """Nothing to undo, or the change cannot be undone without overwriting newer work."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


def snapshot(obj: SQLModel, fields: list[str] | None = None) -> dict[str, Any]:
    """The row as JSON-safe values (all columns, or just `fields`)."""
    names = fields if fields is not None else [c.key for c in sa_inspect(type(obj)).columns]
    return {name: _plain(getattr(obj, name)) for name in names}


def _revive(model: type[SQLModel], values: dict[str, Any]) -> dict[str, Any]:
    """Turn snapshot values back into column values (ISO strings into dates and times)."""
    cols = {c.key: c for c in sa_inspect(model).columns}
    out: dict[str, Any] = {}
    for name, value in values.items():
        column = cols.get(name)
        if column is None:
            continue
        if isinstance(value, str):
            try:
                pytype = column.type.python_type
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

    def _add(self, obj: SQLModel, op: str, before: dict | None, after: dict | None) -> None:
        self.session.add(
            ChangeLog(
                batch=self.id, at=self.at or utcnow(), actor=self.actor, source=self.source, summary=self.summary,
                entity=obj.__tablename__, entity_id=obj.id, op=op, before=before, after=after,  # type: ignore[arg-type]
            )
        )
        self.count += 1

    def created(self, obj: SQLModel) -> None:
        if obj.id is None:  # type: ignore[attr-defined]
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
    return list(session.exec(select(ChangeLog).where(ChangeLog.batch == batch).order_by(col(ChangeLog.id).desc())))


def undo_batch(session: Session, rows: list[ChangeLog], *, actor: str, source: str, at: datetime | None = None) -> Batch:
    """Revert `rows` (one batch, newest first). Raises UndoError on a conflict, changing nothing."""
    if not rows:
        raise UndoError("There is nothing of yours to undo.")
    for row in rows:
        _check(session, row)
    undo = Batch(session, actor, source, summary=f"undo: {rows[0].summary}", at=at)
    now = at or utcnow()
    for row in rows:
        _revert(session, row, undo)
        row.undone_at = now
        session.add(row)
    session.flush()
    for log in session.exec(select(ChangeLog).where(ChangeLog.batch == undo.id)):
        log.undoes = rows[0].batch
        session.add(log)
    return undo


def _check(session: Session, row: ChangeLog) -> None:
    model = TABLES[row.entity]
    current = session.get(model, row.entity_id)
    if row.op == "create" and current is None:
        raise UndoError(f"The {row.entity} it created was already removed.")
    if row.op == "update":
        if current is None:
            raise UndoError(f"The {row.entity} it changed no longer exists.")
        # updated_at moves with any edit; only the fields this change set decide a conflict.
        fields = [k for k in (row.after or {}) if k != "updated_at"]
        now_values = snapshot(current, fields)
        if any(now_values[k] != (row.after or {})[k] for k in fields):
            raise UndoError(
                f"The {row.entity} was changed again since ({_describe(now_values, row.after or {})}); "
                "not undone, to keep that newer change."
            )
    if row.op == "delete" and current is not None:
        raise UndoError(f"The {row.entity} it removed exists again.")


def _describe(now_values: dict, after: dict) -> str:
    return ", ".join(f"{k} is now {v!r}" for k, v in now_values.items() if v != after.get(k))


def _revert(session: Session, row: ChangeLog, undo: Batch) -> None:
    model = TABLES[row.entity]
    if row.op == "update":
        obj = session.get(model, row.entity_id)
        before = snapshot(obj, list(row.before or {}))  # type: ignore[arg-type]
        for key, value in _revive(model, row.before or {}).items():
            setattr(obj, key, value)
        session.add(obj)
        undo.updated(obj, before)  # type: ignore[arg-type]
    elif row.op == "create":
        obj = session.get(model, row.entity_id)
        dependents: list[SQLModel] = []
        if row.entity == "customer":
            # Record what the database cascade is about to remove, so nothing leaves unrecorded.
            for child in _CHILDREN:
                dependents += session.exec(select(child).where(child.customer_id == row.entity_id)).all()  # type: ignore[attr-defined]
        for dep in dependents:
            undo.deleted(dep)
        undo.deleted(obj)  # type: ignore[arg-type]
        session.delete(obj)
        session.flush()
        for dep in dependents:
            session.expunge(dep)
    elif row.op == "delete":
        obj = model(**_revive(model, row.before or {}))
        session.add(obj)
        session.flush()
        undo.created(obj)
