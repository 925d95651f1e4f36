"""Running a plan's steps through the tool registry as one change-log batch (one Undo).

Each tool commits its own write; if a later step fails, the steps already made are undone, so a
message is applied whole or not at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from assistant.planning.plan import Step
from tools.context import ToolContext
from tools.errors import CrmError

log = logging.getLogger(__name__)

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


def execute(ctx: ToolContext, steps: list[Step], text: str, ref: str | None) -> Done:
    """Run `steps` in order as one batch; on any failure, revert what was written and re-raise."""
    from tools.registry import TOOLS_BY_NAME

    with ctx.batch(summary_of(text)) as batch_id:
        done = Done(batch_id)
        try:
            for step in steps:
                spec = TOOLS_BY_NAME[step.tool]
                extra = {"source_ref": ref} if step.tool in _SOURCE_REF_TOOLS and ref else {}
                result = spec.func(ctx, step.args, **extra)
                done.results.append(result)
                done.actions.append(
                    {
                        "tool": step.tool,
                        "args": step.args.model_dump(mode="json", exclude_none=True),
                        "result": result.model_dump(mode="json"),
                    }
                )
        except BaseException:
            if done.results:
                _revert(ctx, batch_id)
            raise
    return done


def _revert(ctx: ToolContext, batch_id: str) -> None:
    from tools.history import undo_change

    try:
        undo_change(ctx, batch_id)
    except CrmError:  # e.g. someone changed the same rows meanwhile; the original error is the one to report
        log.warning("could not revert the partial batch %s", batch_id, exc_info=True)
