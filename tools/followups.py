"""Follow-up tools: schedule, complete, reschedule, and the lists reps live by."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from store import queries
from store.changelog import snapshot
from store.models import FollowUp, saved_id
from store.source_refs import followup_ids_by_ref
from tools import idempotency
from tools.context import ToolContext
from tools.dates import When, parse_when, week_bounds
from tools.errors import InvalidArgument, NotFound
from tools.names import resolve_customer, resolve_customer_match
from tools.outputs import followup_out, matched_out
from tools.paging import next_cursor, offset_of
from tools.schemas import (
    CompleteFollowup,
    FollowupCompleted,
    FollowupList,
    FollowupRescheduled,
    FollowupScheduled,
    ListFollowups,
    RescheduleFollowup,
    ScheduleFollowup,
)


def resolve_due(ctx: ToolContext, said: str) -> When:
    """A due date from ISO text or words ('next Tuesday', 'in 2 weeks', 'end of month')."""
    return parse_when(said, ctx.now(), prefer="future")


def schedule_followup(
    ctx: ToolContext, req: ScheduleFollowup, *, source_ref: str | None = None
) -> FollowupScheduled:
    """Schedule a follow-up with a customer.

    On a date given as ISO or natural language, read in the rep's zone.
    """
    when = resolve_due(ctx, req.due)
    with ctx.write("schedule follow-up") as batch:
        s = batch.session
        if (first := idempotency.replay(s, ctx, "schedule_followup", req, FollowupScheduled)) is not None:
            return first
        c, match = resolve_customer_match(s, req.customer)
        batch.summary = f"schedule follow-up with {c.name}"
        f = FollowUp(
            customer_id=saved_id(c),
            due_date=when.date,
            due_time=when.time,
            description=req.description,
            owner=req.owner or ctx.actor,
            source_ref=source_ref,
            created_at=ctx.now(),
        )
        s.add(f)
        s.flush()
        batch.created(f)
        scheduled = FollowupScheduled(
            followup=followup_out(f, c.name, ctx.today()), matched=matched_out(req.customer, match)
        )
        idempotency.remember(s, ctx, "schedule_followup", req, scheduled)
    return scheduled


def _pick_open(s: Session, followup_id: int | None, customer: int | str | None) -> tuple[FollowUp, str]:
    """The follow-up meant by id, or by a customer that has exactly one open follow-up."""
    if followup_id is not None:
        f = s.get(FollowUp, followup_id)
        if f is None:
            raise NotFound(f"No follow-up #{followup_id}.")
        return f, queries.customer_names(s, [f.customer_id])[f.customer_id]
    if customer is None:
        raise InvalidArgument("Give followup_id, or the customer whose follow-up it is.")
    c = resolve_customer(s, customer)
    open_ = queries.open_followups_of(s, saved_id(c))
    if not open_:
        raise NotFound(f"{c.name} has no open follow-up.")
    if len(open_) > 1:
        listed = "; ".join(f"#{f.id} due {f.due_date.isoformat()} {f.description}".rstrip() for f in open_)
        raise InvalidArgument(f"{c.name} has {len(open_)} open follow-ups: {listed}. Give followup_id.")
    return open_[0], c.name


def complete_followup(ctx: ToolContext, req: CompleteFollowup) -> FollowupCompleted:
    """Mark a follow-up done or cancelled.

    By id, or by the customer when it has just one open.
    """
    with ctx.write("complete follow-up") as batch:
        s = batch.session
        f, name = _pick_open(s, req.followup_id, req.customer)
        if f.status != "open":
            raise InvalidArgument(f"Follow-up #{f.id} with {name} is already {f.status}.")
        batch.summary = f"mark follow-up with {name} {req.status}"
        before = snapshot(f, ["status", "completed_at"])
        f.status, f.completed_at = req.status, ctx.now()
        s.add(f)
        batch.updated(f, before)
    return FollowupCompleted(followup=followup_out(f, name, ctx.today()))


def reschedule_followup(ctx: ToolContext, req: RescheduleFollowup) -> FollowupRescheduled:
    """Move an open follow-up to a new date.

    By id, or by the customer when it has just one open.
    """
    when = resolve_due(ctx, req.due)
    with ctx.write("reschedule follow-up") as batch:
        s = batch.session
        f, name = _pick_open(s, req.followup_id, req.customer)
        if f.status != "open":
            raise InvalidArgument(
                f"Follow-up #{f.id} with {name} is {f.status}; only open ones can be moved."
            )
        batch.summary = f"move follow-up with {name} to {when.date.isoformat()}"
        previous = f.due_date
        before = snapshot(f, ["due_date", "due_time"])
        f.due_date, f.due_time = when.date, when.time
        s.add(f)
        batch.updated(f, before)
    return FollowupRescheduled(followup=followup_out(f, name, ctx.today()), previous_due=previous)


def scope_window(
    scope: str, today: date, start: date | None, end: date | None
) -> tuple[date | None, date | None, bool]:
    """(first day, last day, include overdue) for a scope, in the user's calendar."""
    if scope == "overdue":
        return None, None, True
    if scope == "today":
        return today, today, True
    if scope == "this_week":
        monday, sunday = week_bounds(today)
        return monday, sunday, True
    if scope == "next_week":
        monday, sunday = week_bounds(today + timedelta(days=7))
        return monday, sunday, False
    if scope == "range":
        if start is None or end is None:
            raise InvalidArgument("scope 'range' needs both start and end dates (YYYY-MM-DD).")
        if end < start:
            raise InvalidArgument(f"The range ends ({end}) before it starts ({start}).")
        return start, end, False
    return None, None, False  # all open


def list_followups(ctx: ToolContext, req: ListFollowups) -> FollowupList:
    """Open follow-ups due in a period, soonest first.

    Overdue, today, this_week, next_week, a range, or all.

    'today' and 'this_week' also list overdue ones (flagged `overdue`). Whole team unless `owner`.
    """
    today = ctx.today()
    first, last, overdue = scope_window(req.scope, today, req.start, req.end)
    offset = offset_of(req.cursor)
    with ctx.read() as s:
        cid = resolve_customer(s, req.customer).id if req.customer is not None else None
        if req.scope == "overdue":
            rows, total = queries.followups_due(
                s,
                start=None,
                end=None,
                include_overdue_before=today,
                owner=req.owner,
                customer_id=cid,
                offset=offset,
                limit=req.limit,
            )
        else:
            rows, total = queries.followups_due(
                s,
                start=first,
                end=last,
                include_overdue_before=today if overdue else None,
                owner=req.owner,
                customer_id=cid,
                offset=offset,
                limit=req.limit,
            )
        names = queries.customer_names(s, [f.customer_id for f in rows])
    more = offset + len(rows) < total
    return FollowupList(
        scope=req.scope,
        start=first,
        end=last,
        total=total,
        items=[followup_out(f, names[f.customer_id], today) for f in rows],
        has_more=more,
        next_cursor=next_cursor(offset, len(rows), more),
    )


def followups_by_ref(ctx: ToolContext, source_ref: str) -> list[int]:
    """Ids of the follow-ups a surface message created."""
    with ctx.read() as s:
        return followup_ids_by_ref(s, source_ref=source_ref)
