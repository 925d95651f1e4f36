"""Pipeline tools: move a deal, summarise the pipeline, find customers gone quiet."""

from __future__ import annotations

from datetime import timedelta

from store import queries
from store.changelog import snapshot
from store.models import StageChange, saved_id
from tools.context import ToolContext
from tools.names import resolve_customer_match
from tools.outputs import matched_out
from tools.paging import next_cursor, offset_of
from tools.schemas import (
    Pipeline,
    PipelineSummary,
    SetStage,
    StageSet,
    StageTotal,
    StaleCustomer,
    StaleCustomers,
    StaleList,
)
from tools.stages import canonical_stage, closed_stages, stages


def set_stage(ctx: ToolContext, req: SetStage) -> StageSet:
    """Move a customer to a pipeline stage; the change is kept in its stage history.

    Stages are the team's configured pipeline (pipeline_summary lists them; by default lead,
    qualified, proposal, negotiation, won, lost). Aliases such as 'proposal sent', 'signed' /
    'closed won' and 'closed lost' / 'dead' are understood.
    """
    with ctx.write("set stage") as batch:
        s = batch.session
        target = canonical_stage(s, req.stage)
        c, match = resolve_customer_match(s, req.customer)
        old = c.stage
        if old != target:
            batch.summary = f"move {c.name} from {old} to {target}"
            before = snapshot(c, ["stage", "updated_at"])
            now = ctx.now()
            c.stage, c.updated_at = target, now
            s.add(c)
            batch.updated(c, before)
            change = StageChange(
                customer_id=saved_id(c), from_stage=old, to_stage=target, at=now, by=ctx.actor
            )
            s.add(change)
            s.flush()
            batch.created(change)
    return StageSet(
        customer_id=saved_id(c),
        customer_name=c.name,
        from_stage=old,
        to_stage=target,
        changed=old != target,
        matched=matched_out(req.customer, match),
    )


def pipeline_summary(ctx: ToolContext, req: PipelineSummary) -> Pipeline:
    """How many customers, and how much deal value, sit in each stage (team, or one owner)."""
    with ctx.read() as s:
        order, closed = stages(s), set(closed_stages(s))
        rows = {stage: (n, v) for stage, n, v in queries.pipeline(s, req.owner)}
    # Configured stages first, in pipeline order; any legacy stage still in the data after them.
    names = order + sorted(set(rows) - set(order))
    totals = [
        StageTotal(stage=st, count=rows.get(st, (0, 0.0))[0], value=rows.get(st, (0, 0.0))[1]) for st in names
    ]
    open_ = [t for t in totals if t.stage not in closed]
    return Pipeline(
        stages=totals,
        open_count=sum(t.count for t in open_),
        open_value=sum(t.value for t in open_),
        total_count=sum(t.count for t in totals),
    )


def stale_customers(ctx: ToolContext, req: StaleCustomers) -> StaleList:
    """Customers in open stages with no interaction for at least `days` days, quietest first."""
    offset = offset_of(req.cursor)
    now = ctx.now()
    with ctx.read() as s:
        rows, more = queries.stale_customers(
            s,
            cutoff=now - timedelta(days=req.days),
            owner=req.owner,
            offset=offset,
            limit=req.limit,
            closed=closed_stages(s),
        )
    items = [
        StaleCustomer(
            id=saved_id(c),
            name=c.name,
            stage=c.stage,
            owner=c.owner,
            last_contact=last.astimezone(ctx.tz) if last else None,
            days_since=(now - last).days if last else None,
        )
        for c, last in rows
    ]
    return StaleList(
        days=req.days, items=items, has_more=more, next_cursor=next_cursor(offset, len(items), more)
    )
