"""find_customers' email and tag lookups ignore ASCII case on both backends.

On SQLite they compare the column itself (its LIKE ignores ASCII case), on PostgreSQL lower() of it
(store.queries.ascii_folded): the same customers either way, whatever case was stored or typed.
"""

from __future__ import annotations

import pytest

from tools.context import ToolContext
from tools.customers import add_contact, create_customer, find_customers
from tools.schemas import AddContact, CreateCustomer, FindCustomers


@pytest.fixture
def lookup_book(ctx: ToolContext) -> ToolContext:
    create_customer(
        ctx, CreateCustomer(name="Quartz Fields", email="Sales@Big-Corp.EXAMPLE", tags=["VIP-Gold"])
    )
    create_customer(ctx, CreateCustomer(name="Lumen Harbor", email="ops@small.example", tags=["gold"]))
    add_contact(ctx, AddContact(customer="Lumen Harbor", name="Ana Ruiz", email="Ana.Ruiz@Partner.Example"))
    return ctx


def _found(ctx: ToolContext, query: str) -> list[str]:
    return [c.name for c in find_customers(ctx, FindCustomers(query=query)).items]


@pytest.mark.parametrize("query", ["big-corp", "BIG-CORP.example", "sales@big-corp", "Sales@Big"])
def test_a_customer_email_is_found_in_any_case(lookup_book: ToolContext, query: str) -> None:
    assert _found(lookup_book, query) == ["Quartz Fields"]


@pytest.mark.parametrize("query", ["partner.example", "ANA.RUIZ@", "ruiz@PARTNER"])
def test_a_contact_email_is_found_in_any_case(lookup_book: ToolContext, query: str) -> None:
    assert _found(lookup_book, query) == ["Lumen Harbor"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("vip-gold", ["Quartz Fields"]), ("VIP-GOLD", ["Quartz Fields"]), ("GOLD", ["Lumen Harbor"])],
)
def test_a_whole_tag_is_found_in_any_case(lookup_book: ToolContext, query: str, expected: list[str]) -> None:
    assert _found(lookup_book, query) == expected


def test_wildcards_typed_are_letters(lookup_book: ToolContext) -> None:
    assert _found(lookup_book, "big_corp") == []
    assert _found(lookup_book, "%corp") == []
