"""History tools: what changed recently, and undo."""
from __future__ import annotations

from sqlmodel import col, select

from store import queries
from store.changelog import UndoError, describe, last_batch, undo_batch
from store.models import ChangeLog
from tools.context import ToolContext
from tools.errors import NothingToUndo, UndoConflict
from tools.paging import next_cursor, offset_of
from tools.schemas import ChangeList, ChangeOut, RecentChanges, Undo, Undone


def recent_changes(ctx: ToolContext, req: RecentChanges) -> ChangeList:
    """The latest changes to the CRM (who, when, from where, before/after), newest first."""
    offset = offset_of(req.cursor)
    with ctx.read() as s:
        rows, more = queries.recent_changes(s, actor=req.actor, offset=offset, limit=req.limit)
    items = [
        ChangeOut(
            batch=r.batch, at=r.at.astimezone(ctx.tz), actor=r.actor, source=r.source, summary=r.summary,
            entity=r.entity, entity_id=r.entity_id, op=r.op, before=r.before, after=r.after,
            undone=r.undone_at is not None,
        )
        for r in rows
    ]
    return ChangeList(items=items, has_more=more, next_cursor=next_cursor(offset, len(items), more))


def undo(ctx: ToolContext, req: Undo | None = None) -> Undone:
    """Undo the acting user's most recent change (all of it: e.g. a note and the follow-up logged with it).

    Refuses, changing nothing, when someone has changed the same data since. The undo is itself logged.
    """
    with ctx.store.write() as s:
        rows = last_batch(s, ctx.actor)
        if not rows:
            raise NothingToUndo("There is nothing of yours to undo.")
        try:
            undo_batch(s, rows, actor=ctx.actor, source=ctx.source, at=ctx.now())
        except UndoError as e:
            raise UndoConflict(f"Can't undo '{describe(rows)}': {e}") from None
    return Undone(summary=describe(rows), reverted=len(rows))


def undo_change(ctx: ToolContext, batch: str) -> Undone:
    """Undo one particular change (the one an Undo button belongs to), not merely the latest.

    Refuses, changing nothing, when it was already undone, is someone else's, or was changed since.
    """
    with ctx.store.write() as s:
        rows = list(s.exec(select(ChangeLog).where(ChangeLog.batch == batch).order_by(col(ChangeLog.id).desc())))
        if not rows:
            raise NothingToUndo("That change is no longer in the log; nothing was undone.")
        summary = describe(rows)
        if rows[0].actor != ctx.actor:
            raise UndoConflict(f"'{summary}' was made by {rows[0].actor}; only they can undo it.")
        if any(r.undone_at is not None for r in rows):
            raise NothingToUndo(f"'{summary}' was already undone.")
        try:
            undo_batch(s, rows, actor=ctx.actor, source=ctx.source, at=ctx.now())
        except UndoError as e:
            raise UndoConflict(f"Can't undo '{summary}': {e}") from None
    return Undone(summary=summary, reverted=len(rows))
