"""The plan: typed tool inputs in order, or one question; and its execution as one undoable batch."""

from __future__ import annotations

import pytest

from assistant.acting import execute
from assistant.dialogue.state import Settled
from assistant.planning import Step, plan
from assistant.reading import read
from assistant.understanding import interpret
from tests.assistant.corpus import _by_name
from tools.context import ToolContext
from tools.errors import InvalidStage
from tools.schemas import LogInteraction, ScheduleFollowup, SetStage


def cid(ctx: ToolContext, name: str) -> int:
    from assistant.customers import resolve

    match = resolve(ctx, name).match
    assert match is not None
    return match.id


def planned(ctx: ToolContext, text: str, ids: list[int], settled: Settled | None = None):
    return plan(ctx, interpret(read(ctx, text)), ids, settled or Settled())


def test_a_report_with_a_promise_and_an_outcome_is_three_typed_steps(book: ToolContext) -> None:
    p = planned(book, "Met Acme, they signed! Send the onboarding pack by Friday", [cid(book, "Acme Corp")])
    assert [s.tool for s in p.steps] == ["log_interaction", "set_stage", "schedule_followup"]
    log, stage, fup = (s.args for s in p.steps)
    assert isinstance(log, LogInteraction) and log.kind == "meeting"
    assert isinstance(stage, SetStage) and stage.stage == "won"
    assert (
        isinstance(fup, ScheduleFollowup) and fup.due == "2026-03-06" and "onboarding pack" in fup.description
    )


def test_a_promise_without_a_date_is_a_question_and_no_steps(book: ToolContext) -> None:
    p = planned(book, "remind me to send Acme the deck", [cid(book, "Acme Corp")])
    assert p.ask is not None and p.ask.kind == "when" and not p.steps


def test_an_answered_date_completes_the_plan(book: ToolContext) -> None:
    from tools.dates import parse_when

    due = parse_when("next friday", book.now())
    p = planned(book, "remind me to send Acme the deck", [cid(book, "Acme Corp")], Settled(due=due))
    assert [s.tool for s in p.steps] == ["schedule_followup"]


def test_an_edit_that_fits_several_follow_ups_asks_which(book: ToolContext) -> None:
    p = planned(book, "done with the Lumière follow-up", [cid(book, "Lumière Studio")])
    assert p.ask is not None and p.ask.kind == "followup" and len(p.ask.options) == 2


def test_a_failing_step_reverts_the_steps_before_it(book: ToolContext) -> None:
    before = _by_name(book)
    acme = cid(book, "Acme Corp")
    steps = [
        Step("log_interaction", LogInteraction(customer=acme, body="kept only if all goes well")),
        Step("set_stage", SetStage(customer=acme, stage="purgatory")),
    ]
    with pytest.raises(InvalidStage):
        execute(book, steps, "test", None)
    after = _by_name(book)
    assert [i["body"] for i in after["Acme Corp"]["interactions"]] == [
        i["body"] for i in before["Acme Corp"]["interactions"]
    ]
