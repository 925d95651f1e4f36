"""Creating writes retried with the same idempotency_key: the first result again, nothing written twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from store.models import Contact, Customer, FollowUp, Interaction
from tests.conftest import NOW, make_ctx
from tools.context import ToolContext
from tools.customers import add_contact, create_customer
from tools.errors import InvalidArgument
from tools.followups import schedule_followup
from tools.idempotency import KEEP
from tools.schemas import AddContact, CreateCustomer, LogInteraction, ScheduleFollowup
from tools.timeline import log_interaction


def count(ctx: ToolContext, table: type) -> int:
    with ctx.read() as s:
        return s.exec(select(func.count()).select_from(table)).one()


CALLS = [
    (log_interaction, LogInteraction, {"customer": "Acme", "body": "Called about the renewal"}, Interaction),
    (
        schedule_followup,
        ScheduleFollowup,
        {"customer": "Acme", "due": "Friday", "description": "send it"},
        FollowUp,
    ),
    (add_contact, AddContact, {"customer": "Acme", "name": "Lee Park", "role": "CFO"}, Contact),
    (create_customer, CreateCustomer, {"name": "Northwind Traders"}, Customer),
]


@pytest.mark.parametrize(("tool", "model", "args", "table"), CALLS, ids=[c[0].__name__ for c in CALLS])
def test_a_retry_with_the_same_key_returns_the_first_result_and_writes_nothing(
    crm: ToolContext,
    tool,
    model,
    args,
    table,
) -> None:
    before = count(crm, table)
    first = tool(crm, model(**args, idempotency_key="k-1"))
    again = tool(crm, model(**args, idempotency_key="k-1"))
    assert again == first
    assert count(crm, table) == before + 1
    # Without a key (or with a new one) the same call is a new write, as before.
    if table is not Customer:  # a second customer of one name is refused as a duplicate instead
        tool(crm, model(**args))
        tool(crm, model(**args, idempotency_key="k-2"))
        assert count(crm, table) == before + 3


def test_keys_belong_to_one_rep(crm: ToolContext) -> None:
    kim = make_ctx(crm.store, actor="kim")
    mine = log_interaction(crm, LogInteraction(customer="Acme", body="sam's note", idempotency_key="same"))
    theirs = log_interaction(kim, LogInteraction(customer="Acme", body="kim's note", idempotency_key="same"))
    assert mine.interaction.id != theirs.interaction.id
    assert theirs.interaction.author == "kim" and theirs.interaction.body == "kim's note"


def test_a_key_reused_for_a_different_write_is_refused(crm: ToolContext) -> None:
    log_interaction(crm, LogInteraction(customer="Acme", body="first", idempotency_key="k"))
    with pytest.raises(InvalidArgument, match="already used for a different log_interaction"):
        log_interaction(crm, LogInteraction(customer="Acme", body="something else", idempotency_key="k"))
    assert count(crm, Interaction) == 4  # the sample's three and the first


def test_keys_are_kept_at_least_a_day_then_expire(crm: ToolContext) -> None:
    assert timedelta(days=1) <= KEEP
    first = log_interaction(crm, LogInteraction(customer="Acme", body="note", idempotency_key="k"))
    next_day = make_ctx(crm.store, now=NOW + timedelta(days=1))
    assert (
        log_interaction(next_day, LogInteraction(customer="Acme", body="note", idempotency_key="k")) == first
    )
    much_later = make_ctx(crm.store, now=NOW + KEEP + timedelta(hours=1))
    late = log_interaction(much_later, LogInteraction(customer="Acme", body="note", idempotency_key="k"))
    assert late.interaction.id != first.interaction.id
