"""Customer tools: find, profile, create (duplicates), update, contacts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlmodel import func, select

from store import queries
from store.models import ChangeLog
from tests.conftest import make_ctx
from tools.context import ToolContext
from tools.customers import add_contact, create_customer, find_customers, get_customer, update_customer
from tools.errors import AmbiguousCustomer, CustomerNotFound, DuplicateCustomer, InvalidArgument, InvalidStage
from tools.pipeline import set_stage
from tools.schemas import (
    AddContact,
    ContactIn,
    CreateCustomer,
    FindCustomers,
    GetCustomer,
    LogInteraction,
    SetStage,
    UpdateCustomer,
)
from tools.timeline import log_interaction


def names(ctx: ToolContext, **kw: object) -> list[str]:
    return [c.name for c in find_customers(ctx, FindCustomers(**kw)).items]


def changes(ctx: ToolContext) -> int:
    with ctx.read() as s:
        return s.exec(select(func.count()).select_from(ChangeLog)).one()


# ---- find -----------------------------------------------------------------------------------------


def test_find_by_part_of_a_name_lists_every_match(crm: ToolContext) -> None:
    assert names(crm, query="brightline") == ["Brightline Media", "Brightline Motors"]


def test_find_forgives_typos_and_accents(crm: ToolContext) -> None:
    assert names(crm, query="Globx")[0] == "Globex Corporation"
    assert names(crm, query="cafe muller")[0] == "Café Müller"


def test_find_by_contact_email_and_tag(crm: ToolContext) -> None:
    assert set(names(crm, query="Holly Park")) == {"Brightline Media", "Juno Pet Supplies"}
    assert names(crm, query="acme.example") == ["Acme Corp"]
    assert names(crm, query="enterprise") == ["Acme Corp"]
    assert names(crm, query="ENTERPRISE") == ["Acme Corp"]


def test_find_takes_percent_and_underscore_literally(crm: ToolContext) -> None:
    assert names(crm, query="%") == []
    with crm.store.read() as s:
        assert queries.customers_by_email(s, "a_me.example") == []
        assert queries.customers_by_email(s, "acme.example") != []


def test_find_nothing_is_an_empty_list_not_an_error(crm: ToolContext) -> None:
    result = find_customers(crm, FindCustomers(query="Zebra Unlimited"))
    assert result.items == [] and not result.has_more


def test_find_filters_by_stage_alias_and_owner(crm: ToolContext) -> None:
    assert names(crm, stage="lead") == ["Brightline Motors", "Evergreen Landscaping", "Juno Pet Supplies"]
    assert names(crm, stage="signed") == ["Café Müller"]
    assert names(crm, owner="kim") == ["Globex Corporation", "Juno Pet Supplies"]
    assert names(crm, query="brightline", stage="lead") == ["Brightline Motors"]
    with pytest.raises(InvalidStage):
        names(crm, stage="sleeping")


def test_find_pages_through_everything_once(crm: ToolContext) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        page = find_customers(crm, FindCustomers(limit=3, cursor=cursor))
        seen += [c.name for c in page.items]
        assert len(page.items) <= 3
        if not page.has_more:
            assert page.next_cursor is None
            break
        cursor = page.next_cursor
    assert len(seen) == 8 == len(set(seen))
    assert seen[0] == "Acme Corp"


def test_find_rejects_a_made_up_cursor(crm: ToolContext) -> None:
    # Refused at the edge, by the input model, before the tool runs.
    with pytest.raises(ValidationError, match="cursor"):
        find_customers(crm, FindCustomers(cursor="page2"))


def test_find_shows_last_contact(crm: ToolContext) -> None:
    acme = find_customers(crm, FindCustomers(query="Acme")).items[0]
    assert acme.last_contact == datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert find_customers(crm, FindCustomers(query="Juno")).items[0].last_contact is None


# ---- profile ----------------------------------------------------------------------------------------


def test_profile_has_contacts_interactions_followups_and_history(crm: ToolContext) -> None:
    set_stage(crm, SetStage(customer="Acme", stage="proposal"))
    p = get_customer(crm, GetCustomer(customer="acme"))
    assert (p.name, p.stage, p.owner, p.email, p.value, p.tags) == (
        "Acme Corp",
        "proposal",
        "sam",
        "hello@acme.example",
        48000,
        ["enterprise"],
    )
    assert [(c.name, c.role) for c in p.contacts] == [("Dana Whitfield", "CTO")]
    assert [i.body for i in p.recent_interactions] == ["Demo went well, budget approved for Q2"]
    assert [(f.due.isoformat(), f.description, f.overdue) for f in p.open_followups] == [
        ("2026-03-06", "send pricing", False)
    ]
    assert [(h.from_stage, h.to_stage, h.by) for h in p.stage_history] == [("qualified", "proposal", "sam")]


def test_profile_lists_newest_interactions_first_and_counts_the_rest(crm: ToolContext) -> None:
    for day in range(1, 8):
        log_interaction(
            crm, LogInteraction(customer="Juno", body=f"note {day}", occurred_at=f"2026-02-0{day}T09:00")
        )
    p = get_customer(crm, GetCustomer(customer="Juno", limit=3))
    assert [i.body for i in p.recent_interactions] == ["note 7", "note 6", "note 5"]
    assert p.more_interactions == 4
    assert p.last_contact is not None and p.last_contact.day == 7


def test_profile_flags_overdue_followups(crm: ToolContext) -> None:
    p = get_customer(crm, GetCustomer(customer="Globex"))
    assert [(f.description, f.overdue) for f in p.open_followups] == [("confirm seat count", True)]


def test_profile_times_are_in_the_users_zone(crm: ToolContext) -> None:
    tokyo = make_ctx(crm.store, tz="Asia/Tokyo")
    p = get_customer(tokyo, GetCustomer(customer="Acme"))
    assert p.recent_interactions[0].occurred_at.utcoffset().total_seconds() == 9 * 3600
    assert p.recent_interactions[0].occurred_at.hour == 19


def test_profile_of_unknown_customer(crm: ToolContext) -> None:
    with pytest.raises(CustomerNotFound):
        get_customer(crm, GetCustomer(customer="Zebra Unlimited"))


# ---- create -----------------------------------------------------------------------------------------


def test_create_defaults_to_lead_owned_by_the_actor(ctx: ToolContext) -> None:
    created = create_customer(ctx, CreateCustomer(name="  Initech ", tags=["software", " Software", ""]))
    c = created.customer
    assert (c.name, c.stage, c.owner, c.tags) == ("Initech", "lead", "sam", ["software"])
    assert created.similar == [] and created.warning is None
    assert names(ctx) == ["Initech"]


def test_create_with_stage_alias_value_and_first_contact(ctx: ToolContext) -> None:
    created = create_customer(
        ctx,
        CreateCustomer(
            name="Initech",
            stage="proposal sent",
            owner="kim",
            value=36000,
            contact=ContactIn(name="Bill Lumbergh", role="VP Operations"),
        ),
    )
    assert (created.customer.stage, created.customer.owner, created.customer.value) == (
        "proposal",
        "kim",
        36000,
    )
    p = get_customer(ctx, GetCustomer(customer="Bill Lumbergh"))
    assert p.name == "Initech" and [c.role for c in p.contacts] == ["VP Operations"]


@pytest.mark.parametrize("same", ["Acme Corp", "ACME CORP", "acme  corp", "Acme Corp."])
def test_create_refuses_the_same_name(crm: ToolContext, same: str) -> None:
    before = changes(crm)
    with pytest.raises(DuplicateCustomer, match="Acme Corp"):
        create_customer(crm, CreateCustomer(name=same))
    assert changes(crm) == before
    assert names(crm, query="acme") == ["Acme Corp"]


def test_create_refuses_the_same_name_with_other_accents(crm: ToolContext) -> None:
    with pytest.raises(DuplicateCustomer):
        create_customer(crm, CreateCustomer(name="Cafe Muller"))


def test_create_warns_about_near_duplicates_but_creates(crm: ToolContext) -> None:
    created = create_customer(crm, CreateCustomer(name="Acme Corporation"))
    assert created.customer.name == "Acme Corporation"
    assert [s.name for s in created.similar] == ["Acme Corp"]
    assert created.warning and "Acme Corp" in created.warning


def test_create_refuses_a_bad_stage_listing_the_valid_ones(ctx: ToolContext) -> None:
    with pytest.raises(InvalidStage) as err:
        create_customer(ctx, CreateCustomer(name="Initech", stage="sleeping"))
    assert err.value.valid == ["lead", "qualified", "proposal", "negotiation", "won", "lost"]
    assert names(ctx) == []


def test_create_refuses_names_without_letters(ctx: ToolContext) -> None:
    with pytest.raises((InvalidArgument, ValidationError)):
        create_customer(ctx, CreateCustomer(name="!!!"))
    with pytest.raises(ValidationError):
        CreateCustomer(name="")
    with pytest.raises(ValidationError):
        CreateCustomer(name="Acme", value=-5)


def test_create_is_logged_with_actor_and_source(ctx: ToolContext) -> None:
    mcp = make_ctx(ctx.store, actor="kim", source="mcp")
    create_customer(mcp, CreateCustomer(name="Initech"))
    with ctx.read() as s:
        row = s.exec(select(ChangeLog)).one()
    assert (row.actor, row.source, row.entity, row.op) == ("kim", "mcp", "customer", "create")


# ---- update -----------------------------------------------------------------------------------------


def test_update_changes_only_the_fields_given(crm: ToolContext) -> None:
    result = update_customer(crm, UpdateCustomer(customer="Acme", phone="+1 555 0100", value=50000))
    assert {(c.field, c.old, c.new) for c in result.changes} == {
        ("phone", None, "+1 555 0100"),
        ("value", 48000, 50000),
    }
    p = get_customer(crm, GetCustomer(customer="Acme"))
    assert (p.email, p.owner, p.phone, p.value, p.tags) == (
        "hello@acme.example",
        "sam",
        "+1 555 0100",
        50000,
        ["enterprise"],
    )


def test_update_can_clear_a_field(crm: ToolContext) -> None:
    update_customer(crm, UpdateCustomer(customer="Acme", email=None))
    assert get_customer(crm, GetCustomer(customer="Acme")).email is None


def test_update_tags_add_remove_and_replace(crm: ToolContext) -> None:
    update_customer(crm, UpdateCustomer(customer="Acme", add_tags=["priority", "Enterprise"]))
    assert get_customer(crm, GetCustomer(customer="Acme")).tags == ["enterprise", "priority"]
    update_customer(crm, UpdateCustomer(customer="Acme", remove_tags=["ENTERPRISE"]))
    assert get_customer(crm, GetCustomer(customer="Acme")).tags == ["priority"]
    update_customer(crm, UpdateCustomer(customer="Acme", tags=["a", "b"]))
    assert get_customer(crm, GetCustomer(customer="Acme")).tags == ["a", "b"]


def test_update_rename_and_refuse_a_clashing_name(crm: ToolContext) -> None:
    update_customer(crm, UpdateCustomer(customer="Acme", name="Acme Holdings"))
    assert get_customer(crm, GetCustomer(customer="Acme Holdings")).name == "Acme Holdings"
    with pytest.raises(DuplicateCustomer):
        update_customer(crm, UpdateCustomer(customer="Acme Holdings", name="globex corporation"))
    assert get_customer(crm, GetCustomer(customer="Acme Holdings")).name == "Acme Holdings"


def test_update_that_changes_nothing_records_nothing(crm: ToolContext) -> None:
    before = changes(crm)
    result = update_customer(crm, UpdateCustomer(customer="Acme", owner="sam"))
    assert result.changes == []
    assert changes(crm) == before


def test_update_of_an_ambiguous_customer_changes_nothing(crm: ToolContext) -> None:
    with pytest.raises(AmbiguousCustomer):
        update_customer(crm, UpdateCustomer(customer="brightline", owner="kim"))
    assert names(crm, owner="kim") == ["Globex Corporation", "Juno Pet Supplies"]


# ---- contacts ---------------------------------------------------------------------------------------


def test_add_contact_makes_the_person_findable(crm: ToolContext) -> None:
    added = add_contact(
        crm,
        AddContact(customer="Globex", name="Mindy Simmons", role="Procurement", email="mindy@globex.example"),
    )
    assert added.customer_name == "Globex Corporation" and added.contact.role == "Procurement"
    assert [c.name for c in get_customer(crm, GetCustomer(customer="Globex")).contacts] == [
        "Hank Scorpio",
        "Mindy Simmons",
    ]
    assert names(crm, query="Mindy Simmons") == ["Globex Corporation"]
    assert names(crm, query="mindy@globex") == ["Globex Corporation"]


def test_add_contact_to_unknown_customer(crm: ToolContext) -> None:
    with pytest.raises(CustomerNotFound):
        add_contact(crm, AddContact(customer="Zebra Unlimited", name="Someone"))
