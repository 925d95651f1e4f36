"""History tools: what changed recently, and undo.

An undo that would remove more than one record, or an import, is worth a second look: `plan_undo`
says what it would remove (in counts) and whether to ask first; the surfaces ask, then call
`undo_change` with the planned batch, so what is undone is exactly what was shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlmodel import Session

from store import change_rows
from store.change_rows import batch_rows, rows_under_customers
from store.changelog import UndoError, describe, last_batch, undo_batch
from store.models import ChangeLog
from tools.context import ToolContext
from tools.errors import NothingToUndo, UndoConflict
from tools.paging import next_cursor, offset_of
from tools.schemas import ChangeList, ChangeOut, RecentChanges, Undo, Undone

# What a rep calls each kind of record, singular and plural. Stage history rows go with their customer.
_NOUNS = {
    "customer": ("customer", "customers"),
    "contact": ("contact", "contacts"),
    "interaction": ("note", "notes"),
    "followup": ("follow-up", "follow-ups"),
    "user": ("user", "users"),
}


def recent_changes(ctx: ToolContext, req: RecentChanges) -> ChangeList:
    """The latest changes to the CRM (who, when, from where, before/after), newest first."""
    offset = offset_of(req.cursor)
    with ctx.quick_read() as reader:
        rows, more = change_rows.recent_changes(reader, actor=req.actor, offset=offset, limit=req.limit)
    items = [
        ChangeOut(
            batch=r.batch,
            at=r.at.astimezone(ctx.tz),
            actor=r.actor,
            source=r.source,
            summary=r.summary,
            entity=r.entity,
            entity_id=r.entity_id,
            op=r.op,
            before=r.before,
            after=r.after,
            undone=r.undone_at is not None,
        )
        for r in rows
    ]
    return ChangeList(items=items, has_more=more, next_cursor=next_cursor(offset, len(items), more))


def counted(counts: dict[str, int]) -> str:
    """'20 customers, 52 notes and 17 follow-ups' from {'customer': 20, 'interaction': 52, 'followup': 17}."""
    parts = [
        f"{counts[k]} {_NOUNS[k][0] if counts[k] == 1 else _NOUNS[k][1]}" for k in _NOUNS if counts.get(k)
    ]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1] if parts else ""


def plain_summary(rows: list[ChangeLog]) -> str:
    """What a batch did, in a rep's words: its tools' summaries, or what it added when those are internal."""
    summary = describe(rows)
    if summary and not summary.startswith(("chat:", "undo:")):
        return summary
    added = [r for r in reversed(rows) if r.op == "create" and r.entity in _NOUNS]
    names = [str((r.after or {}).get("name")) for r in added if r.entity == "customer"]
    others = {k: sum(1 for r in added if r.entity == k) for k in _NOUNS if k != "customer"}
    parts = [f"new customer {', '.join(names)}"] if names else []
    if any(others.values()):
        parts.append(counted(others))
    if parts:
        return "added " + " with ".join(parts)
    changed = {(r.entity, r.entity_id) for r in rows if r.op == "update"}
    return f"changes to {len(changed)} record{'s' if len(changed) != 1 else ''}" if changed else "a change"


@dataclass
class UndoPlan:
    """What undoing one change would do, before doing it."""

    batch: str
    summary: str  # what the change did, in plain words
    source: str  # where it was made: cli, telegram, mcp, import
    removes: dict[str, int] = field(default_factory=dict)  # records it would delete, per kind
    follow_ons: list[str] = field(default_factory=list)  # later batches undone with it (edits of a message)

    @property
    def removed(self) -> str:
        return counted(self.removes)

    @property
    def needs_confirmation(self) -> bool:
        """More than one record would go, or it was an import: ask before undoing."""
        return sum(self.removes.values()) > 1 or self.source == "import"

    def question(self) -> str:
        """'Undo "import demo data"? It removes 20 customers, 52 notes and 17 follow-ups.'"""
        what = f" It removes {self.removed}." if self.removed else ""
        return f"Undo “{self.summary}”?{what}"


def _plan(s: Session, rows: list[ChangeLog], follow_ons: list[str]) -> UndoPlan:
    """Count what the batch's undo removes: its new records, and everything under the customers it added."""
    customers = {r.entity_id for r in rows if r.op == "create" and r.entity == "customer"}
    removes: dict[str, int] = {"customer": len(customers)} if customers else {}
    # A bulk import logs its customers; their notes and follow-ups go with them (the cascade).
    children = rows_under_customers(s, customer_ids=customers)
    for r in rows:
        under_new_customer = r.entity in children and (r.after or {}).get("customer_id") in customers
        if r.op == "create" and r.entity in _NOUNS and r.entity != "customer" and not under_new_customer:
            removes[r.entity] = removes.get(r.entity, 0) + 1
    for kind, n in children.items():
        if n:
            removes[kind] = removes.get(kind, 0) + n
    return UndoPlan(
        batch=rows[0].batch,
        summary=plain_summary(rows),
        source=rows[0].source,
        removes=removes,
        follow_ons=follow_ons,
    )


def plan_undo(ctx: ToolContext, batch: str | None = None, *, follow_ons: list[str] | None = None) -> UndoPlan:
    """What undoing `batch` (default: the acting user's latest change) would remove; changes nothing."""
    with ctx.read() as s:
        rows = batch_rows(s, batch=batch) if batch else last_batch(s, ctx.actor)
        if not rows:
            raise NothingToUndo(
                "There is nothing of yours to undo."
                if batch is None
                else "That change is no longer in the log; nothing was undone."
            )
        if rows[0].actor != ctx.actor:
            raise UndoConflict(f"“{plain_summary(rows)}” was made by {rows[0].actor}; only they can undo it.")
        if any(r.undone_at is not None for r in rows):
            raise NothingToUndo(f"“{plain_summary(rows)}” was already undone.")
        plan = _plan(s, rows, list(follow_ons or []))
    _refuse_if_blocked(ctx, plan)
    return plan


class _DryRun(Exception):
    pass


def _refuse_if_blocked(ctx: ToolContext, plan: UndoPlan) -> None:
    """Raise UndoConflict now if the undo would be refused: nobody is asked to confirm an impossible undo.

    Tried for real in a transaction that is always rolled back.
    """
    try:
        with ctx.store.write() as s:
            for later in reversed(plan.follow_ons):
                later_rows = batch_rows(s, batch=later)
                if (
                    later_rows
                    and later_rows[0].actor == ctx.actor
                    and all(r.undone_at is None for r in later_rows)
                ):
                    _undo_rows(ctx, s, later_rows)
            _undo_rows(ctx, s, batch_rows(s, batch=plan.batch))
            raise _DryRun
    except _DryRun:
        pass


def undo(ctx: ToolContext, req: Undo | None = None) -> Undone:
    """Undo the acting user's most recent change (all of it: e.g. a note and the follow-up logged with it).

    Refuses, changing nothing, when someone has changed the same data since. The undo is itself logged.
    """
    with ctx.store.write() as s:
        rows = last_batch(s, ctx.actor)
        if not rows:
            raise NothingToUndo("There is nothing of yours to undo.")
        _undo_rows(ctx, s, rows)
    return Undone(summary=plain_summary(rows), reverted=len(rows))


def _undo_rows(ctx: ToolContext, s: Session, rows: list[ChangeLog]) -> None:
    summary = plain_summary(rows)  # before: a failed flush leaves the rows unreadable until rollback
    try:
        undo_batch(s, rows, actor=ctx.actor, source=ctx.source, at=ctx.now())
    except UndoError as e:
        raise UndoConflict(f"Can't undo “{summary}”: {_plain_reason(str(e))}") from None


def _plain_reason(reason: str) -> str:
    """The store's reason without table and field names: a rep needs the what and the why."""
    if "still running" in reason:  # an import between its transactions (store.bulk)
        return "that import is still running; undo it once it has finished."
    later = re.search(r"more done since \((.*)\); not undone", reason)
    if later:
        done = later.group(1).strip(chr(39))
        return f"more was done with that customer since ({done}), so it is not undone, to keep that."
    kind = re.search(r"The (\w+) ", reason)
    noun = _NOUNS.get(kind.group(1), ("record",))[0] if kind else "record"
    if "already removed" in reason or "no longer exists" in reason:
        return f"the {noun} is already gone, so it is not undone."
    if "another one has now" in reason:  # store.changelog: what it would put back is taken since
        return f"another {noun} has that name now, so it is not undone, to keep that newer change."
    now = re.search(r"since \((.*)\); not undone", reason)
    detail = ""
    if now:
        fields = re.findall(r"(\w+) is now ('[^']*'|[^,]*)", now.group(1))
        detail = (
            " ("
            + ", ".join(f"{_FIELDS.get(k, k.replace('_', ' '))} is now {v.strip(chr(39))}" for k, v in fields)
            + ")"
            if fields
            else ""
        )
    return f"the {noun} was changed again since{detail}, so it is not undone, to keep that newer change."


_FIELDS = {
    "body": "its text",
    "due_date": "its date",
    "due_time": "its time",
    "status": "its status",
    "stage": "its stage",
    "value": "its value",
    "name": "its name",
    "owner": "its owner",
}


def undo_change(ctx: ToolContext, batch: str, *, follow_ons: list[str] | tuple[str, ...] = ()) -> Undone:
    """Undo one particular change (the one an Undo button belongs to), not merely the latest.

    `follow_ons` are the acting user's later changes that belong with it — the corrections made by
    editing the same message — undone first, in the same transaction, so the rep's own edit is
    not mistaken for someone else's newer work. Refuses, changing nothing, when it was already
    undone, is someone else's, or was changed since by anything else.
    """
    with ctx.store.write() as s:
        rows = batch_rows(s, batch=batch)
        if not rows:
            raise NothingToUndo("That change is no longer in the log; nothing was undone.")
        summary = plain_summary(rows)
        if rows[0].actor != ctx.actor:
            raise UndoConflict(f"“{summary}” was made by {rows[0].actor}; only they can undo it.")
        if any(r.undone_at is not None for r in rows):
            raise NothingToUndo(f"“{summary}” was already undone.")
        reverted = 0
        for later in reversed(list(follow_ons)):  # newest first
            later_rows = batch_rows(s, batch=later)
            if (
                later_rows
                and later_rows[0].actor == ctx.actor
                and all(r.undone_at is None for r in later_rows)
            ):
                _undo_rows(ctx, s, later_rows)
                reverted += len(later_rows)
        _undo_rows(ctx, s, rows)
    return Undone(summary=summary, reverted=reverted + len(rows))
