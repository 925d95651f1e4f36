"""Undo: each kind of write is reverted to the exact previous state; conflicts refuse; all is logged."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest

from tests.conftest import NOW, SAMPLE, make_ctx, run_sql
from tools.context import ToolContext
from tools.customers import add_contact, create_customer, find_customers, get_customer, update_customer
from tools.errors import NothingToUndo, UndoConflict
from tools.followups import complete_followup, reschedule_followup, schedule_followup
from tools.history import plan_undo, recent_changes, undo, undo_change
from tools.pipeline import set_stage
from tools.schemas import (
    AddContact,
    CompleteFollowup,
    ContactIn,
    CreateCustomer,
    FindCustomers,
    GetCustomer,
    LogInteraction,
    RecentChanges,
    RescheduleFollowup,
    ScheduleFollowup,
    SearchInteractions,
    SetStage,
    UpdateCustomer,
)
from tools.timeline import correct_interaction, log_interaction, search_interactions
from tools.transfer import import_text

TABLES = ("customer", "contact", "interaction", "followup", "stage_change", "user")


def state(ctx: ToolContext) -> dict[str, list[tuple]]:
    """Every stored row of the data tables, as the database holds them."""
    data = {t: run_sql(ctx.store, f'SELECT * FROM "{t}" ORDER BY id') for t in TABLES}
    if ctx.store.is_sqlite:  # PostgreSQL's search column is part of the interaction rows above
        data["fts"] = run_sql(
            ctx.store,
            "SELECT rowid FROM interaction_fts WHERE interaction_fts MATCH 'budget OR pricing OR kibble' "
            "ORDER BY rowid",
        )
    return data


WRITES: dict[str, Callable[[ToolContext], object]] = {
    "create customer": lambda c: create_customer(
        c,
        CreateCustomer(
            name="Initech", value=36000, tags=["software"], contact=ContactIn(name="Bill Lumbergh", role="VP")
        ),
    ),
    "update customer": lambda c: update_customer(
        c,
        UpdateCustomer(
            customer="Acme", name="Acme Holdings", owner="kim", email=None, value=1.5, add_tags=["vip"]
        ),
    ),
    "add contact": lambda c: add_contact(
        c, AddContact(customer="Globex", name="Mindy Simmons", role="Buyer")
    ),
    "log interaction": lambda c: log_interaction(
        c, LogInteraction(customer="Juno", body="Wants kibble pricing", kind="call", occurred_at="yesterday")
    ),
    "set stage": lambda c: set_stage(c, SetStage(customer="Acme", stage="closed won")),
    "schedule follow-up": lambda c: schedule_followup(
        c, ScheduleFollowup(customer="Juno", due="next Tuesday 3pm", description="send kibble samples")
    ),
    "complete follow-up": lambda c: complete_followup(c, CompleteFollowup(customer="Acme")),
    "cancel follow-up": lambda c: complete_followup(
        c, CompleteFollowup(customer="Globex", status="cancelled")
    ),
    "reschedule follow-up": lambda c: reschedule_followup(
        c, RescheduleFollowup(customer="Globex", due="Friday 9am")
    ),
}


@pytest.mark.parametrize("tz", ["UTC", "America/Los_Angeles"])
@pytest.mark.parametrize("kind", list(WRITES))
def test_undo_restores_the_exact_previous_state(crm: ToolContext, kind: str, tz: str) -> None:
    # An hour after the import, so every timestamp the write moves really changes.
    rep = make_ctx(crm.store, tz=tz, source="telegram", now=NOW + timedelta(hours=1))
    before = state(rep)
    WRITES[kind](rep)
    assert state(rep) != before
    result = undo(rep)
    assert result.reverted >= 1 and result.summary
    assert state(rep) == before


def test_undo_reverts_a_whole_batch_and_then_the_one_before(crm: ToolContext) -> None:
    start = state(crm)
    create_customer(crm, CreateCustomer(name="Initech"))
    after_create = state(crm)
    with crm.batch("log meeting and follow up"):
        log_interaction(crm, LogInteraction(customer="Initech", body="Kickoff", kind="meeting"))
        schedule_followup(
            crm, ScheduleFollowup(customer="Initech", due="tomorrow", description="send pricing")
        )
        set_stage(crm, SetStage(customer="Initech", stage="qualified"))
    assert undo(crm).summary == (
        "log meeting on Initech; schedule follow-up with Initech; move Initech from lead to qualified"
    )
    assert state(crm) == after_create
    assert undo(crm).summary.startswith("create customer")
    assert state(crm) == start


def test_undo_of_an_import_removes_what_it_added(ctx: ToolContext) -> None:
    before = state(ctx)
    import_text(ctx, json.dumps(SAMPLE), kind="json", label="sample")
    assert len(state(ctx)["customer"]) == 8
    undo(ctx)
    assert state(ctx) == before


def test_undo_of_an_import_keeps_what_others_did_since(crm: ToolContext) -> None:
    kim = make_ctx(crm.store, actor="kim")
    complete_followup(kim, CompleteFollowup(customer="Globex"))
    with pytest.raises(UndoConflict, match="mark follow-up with Globex Corporation done"):
        undo(crm)  # sam's import
    assert len(state(crm)["customer"]) == 8


def test_nothing_to_undo(ctx: ToolContext) -> None:
    with pytest.raises(NothingToUndo, match="nothing"):
        undo(ctx)


def test_undo_is_per_user_and_undos_are_not_undone(crm: ToolContext) -> None:
    kim = make_ctx(crm.store, actor="kim")
    with pytest.raises(NothingToUndo):
        undo(kim)  # the import was sam's
    log_interaction(kim, LogInteraction(customer="Globex", body="kim's call"))
    log_interaction(crm, LogInteraction(customer="Acme", body="sam's note"))
    undo(kim)
    assert [i.body for i in get_customer(crm, GetCustomer(customer="Globex")).recent_interactions] == []
    assert get_customer(crm, GetCustomer(customer="Acme")).recent_interactions[0].body == "sam's note"
    with pytest.raises(NothingToUndo):
        undo(kim)  # the undo itself is not the next thing to undo


def test_undo_refuses_to_overwrite_someone_elses_newer_change(crm: ToolContext) -> None:
    kim = make_ctx(crm.store, actor="kim")
    update_customer(crm, UpdateCustomer(customer="Acme", value=50000))
    update_customer(kim, UpdateCustomer(customer="Acme", value=60000))
    with pytest.raises(UndoConflict) as err:
        undo(crm)
    assert "value" in str(err.value) and "60000" in str(err.value)
    assert get_customer(crm, GetCustomer(customer="Acme")).value == 60000


def test_undo_of_a_create_keeps_notes_others_added_since(ctx: ToolContext) -> None:
    kim = make_ctx(ctx.store, actor="kim")
    create_customer(ctx, CreateCustomer(name="Initech"))
    log_interaction(kim, LogInteraction(customer="Initech", body="kim called them"))
    with pytest.raises(UndoConflict):
        undo(ctx)
    assert [i.body for i in get_customer(ctx, GetCustomer(customer="Initech")).recent_interactions] == [
        "kim called them"
    ]


def test_undo_of_a_create_refuses_after_someone_renamed_it(ctx: ToolContext) -> None:
    kim = make_ctx(ctx.store, actor="kim")
    create_customer(ctx, CreateCustomer(name="Initech"))
    update_customer(kim, UpdateCustomer(customer="Initech", name="Initrode"))
    with pytest.raises(UndoConflict):
        undo(ctx)
    assert get_customer(ctx, GetCustomer(customer="Initrode")).name == "Initrode"


def test_a_follow_up_done_by_someone_else_blocks_undoing_its_scheduling(crm: ToolContext) -> None:
    kim = make_ctx(crm.store, actor="kim")
    fid = schedule_followup(crm, ScheduleFollowup(customer="Juno", due="tomorrow")).followup.id
    complete_followup(kim, CompleteFollowup(followup_id=fid))
    with pytest.raises(UndoConflict):
        undo(crm)


def test_undo_brings_back_searchable_text(crm: ToolContext) -> None:
    iid = log_interaction(crm, LogInteraction(customer="Juno", body="kibble order")).interaction.id
    correct_interaction(crm, iid, "catnip order")
    undo(crm)
    assert [i.body for i in search_interactions(crm, SearchInteractions(query="kibble")).items] == [
        "kibble order"
    ]
    assert search_interactions(crm, SearchInteractions(query="catnip")).items == []


def test_recent_changes_say_who_what_where_and_mark_undone(crm: ToolContext) -> None:
    kim = make_ctx(crm.store, actor="kim", source="mcp", now=NOW + timedelta(minutes=5))
    update_customer(kim, UpdateCustomer(customer="Acme", value=50000))
    set_stage(crm, SetStage(customer="Acme", stage="proposal"))
    undo(crm)
    items = recent_changes(crm, RecentChanges(limit=50)).items
    newest = items[0]
    assert newest.summary.startswith("undo:") and newest.actor == "sam"
    kims = [c for c in items if c.actor == "kim"]
    assert [(c.source, c.entity, c.op) for c in kims] == [("mcp", "customer", "update")]
    assert (kims[0].before["value"], kims[0].after["value"]) == (48000, 50000)
    assert "name" not in kims[0].after  # (only what changed)
    assert kims[0].at == NOW + timedelta(minutes=5)
    stage_rows = [c for c in items if c.summary == "move Acme Corp from qualified to proposal"]
    assert stage_rows and all(c.undone for c in stage_rows)
    only_kim = recent_changes(crm, RecentChanges(actor="kim")).items
    assert [c.actor for c in only_kim] == ["kim"]


def test_recent_changes_page(crm: ToolContext) -> None:
    for n in range(4):
        log_interaction(crm, LogInteraction(customer="Juno", body=f"note {n}"))
    first = recent_changes(crm, RecentChanges(limit=5))
    assert len(first.items) == 5 and first.has_more
    second = recent_changes(crm, RecentChanges(limit=5, cursor=first.next_cursor))
    key = lambda c: (c.batch, c.entity, c.entity_id, c.op)  # noqa: E731
    assert len(second.items) == 5
    assert {key(c) for c in second.items}.isdisjoint({key(c) for c in first.items})


# ---- what an undo says, and when it asks first --------------------------------------------------------


def test_undo_of_a_chat_create_says_what_it_removes_in_plain_words(crm: ToolContext) -> None:
    with crm.batch("chat: create Orchid Florals and apply"):
        create_customer(crm, CreateCustomer(name="Orchid Florals"))
        log_interaction(crm, LogInteraction(customer="Orchid Florals", body="They want roses"))
    plan = plan_undo(crm)
    assert plan.summary == "added new customer Orchid Florals with 1 note"
    assert plan.removed == "1 customer and 1 note" and plan.needs_confirmation
    assert (
        plan.question()
        == "Undo “added new customer Orchid Florals with 1 note”? It removes 1 customer and 1 note."
    )
    done = undo_change(crm, plan.batch)
    assert "chat:" not in done.summary and "apply" not in done.summary


def test_one_note_needs_no_confirmation_and_a_refused_undo_is_refused_before_asking(crm: ToolContext) -> None:
    log_interaction(crm, LogInteraction(customer="Acme", body="Asked about invoices"))
    assert not plan_undo(crm).needs_confirmation
    with crm.batch("chat: log and schedule"):
        log_interaction(crm, LogInteraction(customer="Acme", body="Wants a pilot"))
        pilot = schedule_followup(
            crm, ScheduleFollowup(customer="Acme", due="2026-03-10", description="pilot plan")
        )
    kim = make_ctx(crm.store, actor="kim")
    reschedule_followup(kim, RescheduleFollowup(followup_id=pilot.followup.id, due="2026-03-12"))
    with pytest.raises(UndoConflict, match="changed again since"):
        plan_undo(crm)  # kim moved the follow-up since: no question about an undo that cannot happen


def test_undo_of_a_rename_whose_old_name_another_rep_took_since_is_refused(ctx: ToolContext) -> None:
    """Sam renames Foo to Bar, Kim then creates a new Foo: Sam's undo cannot give Foo back, and says so."""
    kim = make_ctx(ctx.store, actor="kim")
    create_customer(ctx, CreateCustomer(name="Foo Ltd", email="foo@old.example"))
    update_customer(ctx, UpdateCustomer(customer="Foo Ltd", name="Bar Ltd"))
    create_customer(kim, CreateCustomer(name="Foo Ltd", email="foo@new.example"))
    with pytest.raises(UndoConflict) as err:
        undo(ctx)
    assert "another customer has that name now" in str(err.value)
    assert "not undone" in str(err.value)
    names = sorted((c.name, c.email) for c in find_customers(ctx, FindCustomers()).items)
    assert names == [("Bar Ltd", "foo@old.example"), ("Foo Ltd", "foo@new.example")]
    assert undo(kim).summary  # Kim's own change is still hers to undo
    update = undo(ctx)  # and with the name free again, Sam's rename is undone
    assert update.reverted == 1
    assert [c.name for c in find_customers(ctx, FindCustomers()).items] == ["Foo Ltd"]
