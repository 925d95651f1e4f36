"""Interaction tools: log what happened, search what was said."""

from __future__ import annotations

from datetime import datetime, time

from store import queries
from store.changelog import snapshot
from store.interaction_rows import add_interaction
from store.models import Interaction
from store.source_refs import interaction_ids_by_ref
from tools import idempotency
from tools.context import ToolContext
from tools.dates import Prefer, parse_when
from tools.errors import NotFound
from tools.names import resolve_customer, resolve_match
from tools.outputs import interaction_out, matched_out
from tools.paging import next_cursor, offset_of
from tools.schemas import InteractionList, InteractionLogged, LogInteraction, SearchInteractions


def resolve_moment(ctx: ToolContext, said: str | None, *, prefer: Prefer = "past") -> datetime:
    """An aware moment from ISO text or words ('yesterday', 'Monday 10am'); now when not given.

    A day without a time of day is taken as noon local (today: the current time), so the local
    date survives the trip through UTC for any zone within ±11 h.
    """
    now = ctx.now()
    if not said:
        return now
    try:
        moment = datetime.fromisoformat(said)
        if len(said.strip()) == 10:  # an ISO day alone ("2026-03-01") is read like a day in words
            return (
                now if moment.date() == now.date() else datetime.combine(moment.date(), time(12, 0), ctx.tz)
            )
    except ValueError:
        when = parse_when(said, now, prefer=prefer)
        if when.time is None and when.date == now.date():
            return now
        return when.at(ctx.tz, default_time=time(12, 0))
    return moment if moment.tzinfo else moment.replace(tzinfo=ctx.tz)


def log_interaction(
    ctx: ToolContext, req: LogInteraction, *, source_ref: str | None = None
) -> InteractionLogged:
    """Log a note, call, meeting or email, in the rep's words.

    Recorded on the customer's timeline as written: never shortened or summarised.

    `occurred_at` defaults to now; words like 'yesterday' or 'on Monday' are read in the rep's zone.
    """
    occurred = resolve_moment(ctx, req.occurred_at)
    with ctx.write(f"log {req.kind}") as batch:
        s = batch.session
        if (first := idempotency.replay(s, ctx, "log_interaction", req, InteractionLogged)) is not None:
            return first
        match, name = resolve_match(s, req.customer)
        batch.summary = f"log {req.kind} on {name}"
        i = add_interaction(
            batch,
            customer_id=match.id,
            kind=req.kind,
            body=req.body,
            occurred_at=occurred,
            author=ctx.actor,
            source=ctx.source,
            source_ref=source_ref,
            created_at=ctx.now(),
        )
        logged = InteractionLogged(
            interaction=interaction_out(i, name, ctx.tz), matched=matched_out(req.customer, match)
        )
        idempotency.remember(s, ctx, "log_interaction", req, logged)
    return logged


def interaction_by_ref(ctx: ToolContext, source_ref: str) -> list[int]:
    """Ids of the interactions a surface message created (e.g. to correct them after an edit)."""
    with ctx.read() as s:
        return interaction_ids_by_ref(s, source_ref=source_ref)


def correct_interaction(ctx: ToolContext, interaction_id: int, body: str) -> InteractionLogged:
    """Replace an interaction's text (an edited chat message); the old text stays in the change log."""
    with ctx.write("correct note") as batch:
        s = batch.session
        i = s.get(Interaction, interaction_id)
        if i is None:
            raise NotFound(f"No interaction #{interaction_id}.")
        before = snapshot(i, ["body"])
        i.body = body
        s.add(i)
        batch.updated(i, before)
        name = queries.customer_names(s, [i.customer_id])[i.customer_id]
    return InteractionLogged(interaction=interaction_out(i, name, ctx.tz))


def search_interactions(ctx: ToolContext, req: SearchInteractions) -> InteractionList:
    """Full-text search of interaction notes, newest first.

    All words must appear; plurals and case are forgiven.

    Newest first. Narrow with `customer` or `kind`.
    """
    offset = offset_of(req.cursor)
    with ctx.read() as s:
        cid = resolve_customer(s, req.customer).id if req.customer is not None else None
        rows, more = queries.search_interactions(
            s, req.query, customer_id=cid, kind=req.kind, offset=offset, limit=req.limit
        )
        names = queries.customer_names(s, [i.customer_id for i in rows])
    return InteractionList(
        items=[interaction_out(i, names[i.customer_id], ctx.tz) for i in rows],
        has_more=more,
        next_cursor=next_cursor(offset, len(rows), more),
    )
