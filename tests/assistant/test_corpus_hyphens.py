"""A hyphen inside a word is part of the word: "Co-op", "Rolls-Royce", "Hewlett-Packard" are whole
names in a message, never a shorter unknown name ("Tarn Valley Co") or a legal suffix."""

from __future__ import annotations

import pytest

from tests.assistant.corpus import chat
from tools.context import ToolContext
from tools.customers import create_customer, get_customer
from tools.schemas import CreateCustomer, GetCustomer

NAMES = ["Millbrook Co-op", "Rolls-Royce Marine", "Hewlett-Packard Labs"]


@pytest.fixture
def hyphens(book: ToolContext) -> ToolContext:
    for name in NAMES:
        create_customer(book, CreateCustomer(name=name, stage="proposal"))
    return book


@pytest.mark.parametrize(
    ("text", "name", "stage"),
    [
        ("Millbrook Co-op is a go!", "Millbrook Co-op", "won"),
        ("we lost Rolls-Royce Marine to a cheaper vendor", "Rolls-Royce Marine", "lost"),
        ("Hewlett-Packard Labs signed the contract today", "Hewlett-Packard Labs", "won"),
    ],
)
def test_a_hyphenated_name_is_one_name(hyphens: ToolContext, text: str, name: str, stage: str) -> None:
    (reply,) = chat(hyphens, [text])
    assert reply.wrote, reply.text
    assert name in reply.text
    assert get_customer(hyphens, GetCustomer(customer=name)).stage == stage


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("met millbrook co-op today about the bulk order", "Millbrook Co-op"),
        ("call with Rolls-Royce Marine: they want the spec sheet", "Rolls-Royce Marine"),
    ],
)
def test_a_hyphenated_name_gets_the_note(hyphens: ToolContext, text: str, name: str) -> None:
    (reply,) = chat(hyphens, [text])
    assert reply.wrote, reply.text
    assert name in reply.text
    assert "don't know" not in reply.text
