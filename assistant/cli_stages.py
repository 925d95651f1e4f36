"""`crm stages`: show the team's pipeline, or set it (names in order, and which count as closed)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.cli_common import context

if TYPE_CHECKING:
    from tools.context import ToolContext


def cmd_stages(args: argparse.Namespace) -> None:
    from tools.stages import pipeline_stages, set_stages  # start-up: the tool layer loads when a command runs

    ctx = context(args)
    if args.stages_cmd == "set":
        names = _split(args.names)
        with ctx.store.write() as s:
            result = set_stages(s, names, _split([args.closed]) if args.closed else None)
    else:
        with ctx.read() as s:
            result = pipeline_stages(s)
    if args.json:
        print(json.dumps(result.model_dump(), indent=1))
        return
    lines = [
        f"{n}. {stage}" + ("  (closed)" if stage in result.closed else "")
        for n, stage in enumerate(result.stages, 1)
    ]
    lines += _left_behind(ctx, result.stages)
    if args.stages_cmd != "set":
        lines.append("Change them: crm stages set lead demo trial won lost --closed won,lost")
    print("\n".join(lines))


def _left_behind(ctx: ToolContext, configured: list[str]) -> list[str]:
    """Customers still in a stage the pipeline no longer has: kept as they are, and said so."""
    from tools.pipeline import pipeline_summary  # start-up, as above
    from tools.schemas import PipelineSummary

    old = [
        t for t in pipeline_summary(ctx, PipelineSummary()).stages if t.stage not in configured and t.count
    ]
    return [
        f"Note: {t.count} customer{'s' if t.count != 1 else ''} still in '{t.stage}' (not a stage any more); "
        f"they keep it until moved."
        for t in old
    ]


def _split(values: list[str]) -> list[str]:
    """Stage names given as separate words, or comma-separated ('lead,demo won')."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def add_stages_command(command: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `crm stages [show | set NAME… --closed NAMES]` with the CLI's `command` helper."""
    p = command("stages", cmd_stages, "show or set the pipeline's stages (order, which are closed)")
    p.set_defaults(stages_cmd="show")
    actions = p.add_subparsers(dest="stages_cmd", metavar="ACTION")
    actions.add_parser("show", help="list the stages in order (the default)")
    set_ = actions.add_parser(
        "set", help="set the stages in order, e.g.: crm stages set lead demo trial won lost"
    )
    set_.add_argument(
        "names", nargs="+", help="stage names in pipeline order (spaces or commas between them)"
    )
    set_.add_argument("--closed", help="comma-separated closed stages (default: won,lost)")
