"""Running a plan's steps through the tool registry as one transaction and one change-log batch (one Undo).

Inside `ToolContext.transaction` every tool call of the message shares one write session, committed
once at the end: a failing step leaves nothing of the earlier ones, not even a change-log row.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from assistant.planning.plan import Step
from tools.context import ToolContext
from tools.registry import TOOLS_BY_NAME

_SOURCE_REF_TOOLS = frozenset({"log_interaction", "schedule_followup"})


@dataclass
class Done:
    batch: str
    actions: list[dict[str, Any]] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)


def summary_of(text: str) -> str:
    """The change-log summary of a message's batch: 'chat: ' and the message, cut at 80 characters."""
    short = " ".join(text.split())
    return "chat: " + (short if len(short) <= 80 else short[:79] + "…")


def one_change(ctx: ToolContext, summary: str) -> AbstractContextManager[str]:
    """One transaction and one change-log batch; yields the batch id."""
    return ctx.transaction(summary)


def execute(ctx: ToolContext, steps: list[Step], text: str, ref: str | None) -> Done:
    """Run `steps` in order as one change; on any failure nothing of the message stays, and it re-raises."""
    with one_change(ctx, summary_of(text)) as batch_id:
        done = Done(batch_id)
        for step in steps:
            _run(ctx, step, ref, done)
    return done


def _run(ctx: ToolContext, step: Step, ref: str | None, done: Done) -> None:
    spec = TOOLS_BY_NAME[step.tool]
    extra = {"source_ref": ref} if step.tool in _SOURCE_REF_TOOLS and ref else {}
    result = spec.func(ctx, step.args, **extra)
    with ctx.read() as session:
        # The next step may read what this one changed with the driver's own SQL (the name index reads the
        # names version so: a rename not yet flushed left the new name unknown to the step after it).
        session.flush()
    done.results.append(result)
    done.actions.append(
        {
            "tool": step.tool,
            "args": step.args.model_dump(mode="json", exclude_none=True),
            "result": result.model_dump(mode="json"),
        }
    )
