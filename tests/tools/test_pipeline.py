"""Pipeline: moving deals between stages (aliases, history), the summary, customers gone quiet."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from store.models import StageChange
from tests.conftest import NOW, make_ctx
from tools.context import ToolContext
from tools.customers import create_customer, get_customer
from tools.errors import AmbiguousCustomer, CustomerNotFound, InvalidArgument, InvalidStage
from tools.pipeline import pipeline_summary, set_stage, stale_customers
from tools.schemas import (
    CreateCustomer,
    GetCustomer,
    LogInteraction,
    PipelineSummary,
    SetStage,
    StaleCustomers,
)
from tools.stages import set_stages
from tools.timeline import log_interaction

STAGES = ["lead", "qualified", "proposal", "negotiation", "won", "lost"]


@pytest.mark.parametrize(
    ("said", "stage"),
    [
        ("proposal", "proposal"),
        ("Proposal Sent", "proposal"),
        ("closed won", "won"),
        ("signed", "won"),
        ("Closed Lost", "lost"),
        ("dead", "lost"),
        ("NEGOTIATION", "negotiation"),
    ],
)
def test_set_stage_understands_what_reps_say(crm: ToolContext, said: str, stage: str) -> None:
    result = set_stage(crm, SetStage(customer="Juno", stage=said))
    assert (result.customer_name, result.from_stage, result.to_stage, result.changed) == (
        "Juno Pet Supplies",
        "lead",
        stage,
        True,
    )
    assert get_customer(crm, GetCustomer(customer="Juno")).stage == stage


def test_stage_history_is_kept_with_who_and_when(crm: ToolContext) -> None:
    set_stage(crm, SetStage(customer="Acme", stage="proposal"))
    kim = make_ctx(crm.store, actor="kim", now=NOW + timedelta(days=1))
    set_stage(kim, SetStage(customer="Acme", stage="signed"))
    history = get_customer(crm, GetCustomer(customer="Acme")).stage_history
    assert [(h.from_stage, h.to_stage, h.by, h.at) for h in history] == [
        ("qualified", "proposal", "sam", NOW),
        ("proposal", "won", "kim", NOW + timedelta(days=1)),
    ]


def test_setting_the_same_stage_changes_nothing(crm: ToolContext) -> None:
    result = set_stage(crm, SetStage(customer="Acme", stage="qualified"))
    assert (result.changed, result.from_stage, result.to_stage) == (False, "qualified", "qualified")
    with crm.read() as s:
        assert s.exec(select(func.count()).select_from(StageChange)).one() == 0


def test_an_invalid_stage_lists_the_valid_ones_and_changes_nothing(crm: ToolContext) -> None:
    with pytest.raises(InvalidStage) as err:
        set_stage(crm, SetStage(customer="Acme", stage="sleeping"))
    assert err.value.valid == STAGES
    assert "lead, qualified, proposal, negotiation, won, lost" in str(err.value)
    assert get_customer(crm, GetCustomer(customer="Acme")).stage == "qualified"


def test_set_stage_never_guesses_the_customer(crm: ToolContext) -> None:
    with pytest.raises(AmbiguousCustomer):
        set_stage(crm, SetStage(customer="Brightline", stage="won"))
    with pytest.raises(CustomerNotFound):
        set_stage(crm, SetStage(customer="Zebra Unlimited", stage="won"))
    assert pipeline_summary(crm, PipelineSummary()).stages[4].count == 1


def test_pipeline_counts_and_values_per_stage(crm: ToolContext) -> None:
    p = pipeline_summary(crm, PipelineSummary())
    assert [(t.stage, t.count, t.value) for t in p.stages] == [
        ("lead", 3, 0),
        ("qualified", 3, 48000),
        ("proposal", 1, 120000),
        ("negotiation", 0, 0),
        ("won", 1, 0),
        ("lost", 0, 0),
    ]
    assert (p.open_count, p.open_value, p.total_count) == (7, 168000, 8)


def test_pipeline_follows_moves_and_one_owner(crm: ToolContext) -> None:
    set_stage(crm, SetStage(customer="Acme", stage="won"))
    p = pipeline_summary(crm, PipelineSummary())
    by = {t.stage: (t.count, t.value) for t in p.stages}
    assert by["qualified"] == (2, 0) and by["won"] == (2, 48000)
    assert (p.open_count, p.open_value) == (6, 120000)
    kim = pipeline_summary(crm, PipelineSummary(owner="kim"))
    assert {t.stage: t.count for t in kim.stages if t.count} == {"proposal": 1, "lead": 1}
    assert kim.total_count == 2


def test_an_empty_pipeline_still_lists_every_stage(ctx: ToolContext) -> None:
    p = pipeline_summary(ctx, PipelineSummary())
    assert [t.stage for t in p.stages] == STAGES
    assert (p.open_count, p.open_value, p.total_count) == (0, 0, 0)


def test_configured_stages_are_used_everywhere(crm: ToolContext) -> None:
    with crm.store.write() as s:
        set_stages(s, ["Lead", "Demo", "Trial", "won", "lost"])
    set_stage(crm, SetStage(customer="Juno", stage="trial"))
    with pytest.raises(InvalidStage) as err:
        set_stage(crm, SetStage(customer="Juno", stage="negotiation"))
    assert err.value.valid == ["lead", "demo", "trial", "won", "lost"]
    stages = [t.stage for t in pipeline_summary(crm, PipelineSummary()).stages]
    # Customers still in a stage no longer configured keep it and are shown after the configured ones.
    assert stages == ["lead", "demo", "trial", "won", "lost", "proposal", "qualified"]


def test_configured_stages_need_an_open_and_a_closed_stage(crm: ToolContext) -> None:
    for names, closed in ((["lead", "demo"], None), (["won", "lost"], None), (["lead", "won"], ["signed"])):
        with pytest.raises(InvalidArgument, match="(?i)closed"), crm.store.write() as s:
            set_stages(s, names, closed)


def test_configured_closed_stages_are_not_chased_or_counted_open(crm: ToolContext) -> None:
    with crm.store.write() as s:
        configured = set_stages(
            s, ["lead", "qualified", "proposal", "dormant", "won", "lost"], ["won", "lost", "dormant"]
        )
    assert configured.closed == ["dormant", "won", "lost"]  # in pipeline order
    assert stale(crm, days=30) == [("Evergreen Landscaping", 84)]
    set_stage(crm, SetStage(customer="Evergreen", stage="dormant"))
    assert stale(crm, days=30) == []  # a closed stage is not chased
    p = pipeline_summary(crm, PipelineSummary())
    assert p.open_count == p.total_count - 2  # Café Müller (won) and Evergreen (dormant)


# ---- stale ------------------------------------------------------------------------------------------


def stale(ctx: ToolContext, **kw: object) -> list[tuple[str, int | None]]:
    return [(c.name, c.days_since) for c in stale_customers(ctx, StaleCustomers(**kw)).items]


def test_stale_lists_open_customers_quiet_for_n_days(crm: ToolContext) -> None:
    # Café Müller's last call is older still, but it is won: closed deals are not chased.
    assert stale(crm, days=30) == [("Evergreen Landscaping", 84)]
    assert stale(crm, days=90) == []


def test_a_new_interaction_takes_a_customer_off_the_stale_list(crm: ToolContext) -> None:
    log_interaction(crm, LogInteraction(customer="Evergreen", body="Spring planning call", kind="call"))
    assert stale(crm, days=30) == []


def test_never_contacted_customers_go_stale_from_their_creation(crm: ToolContext) -> None:
    later = make_ctx(crm.store, now=NOW + timedelta(days=40))
    names = [n for n, _ in stale(later, days=30)]
    assert "Juno Pet Supplies" in names and "Acme Corp" in names and "Café Müller" not in names
    juno = next(
        c for c in stale_customers(later, StaleCustomers(days=30)).items if c.name == "Juno Pet Supplies"
    )
    assert juno.last_contact is None and juno.days_since is None
    assert names[0] == "Evergreen Landscaping"  # quietest first


def test_stale_for_one_owner_and_paged(crm: ToolContext) -> None:
    later = make_ctx(crm.store, now=NOW + timedelta(days=40))
    assert [n for n, _ in stale(later, days=30, owner="kim")] == ["Globex Corporation", "Juno Pet Supplies"]
    first = stale_customers(later, StaleCustomers(days=30, limit=2))
    assert len(first.items) == 2 and first.has_more
    rest = stale_customers(later, StaleCustomers(days=30, limit=50, cursor=first.next_cursor))
    assert not rest.has_more
    assert len({c.id for c in first.items + rest.items}) == 2 + len(rest.items)


def test_a_customer_created_today_is_not_stale(ctx: ToolContext) -> None:
    create_customer(ctx, CreateCustomer(name="Initech"))
    assert stale(ctx, days=1) == []
