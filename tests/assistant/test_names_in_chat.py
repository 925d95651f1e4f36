"""How the chat reads customer names: by the one resolver, and it says so when it corrected a slip."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from assistant.conversation import respond
from store.models import Customer, Interaction
from tools.context import ToolContext
from tools.transfer import import_text

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "names" / "seed.json"


@pytest.fixture
def twins(ctx: ToolContext) -> ToolContext:
    import_text(ctx, SEED.read_text(), kind="json", label="near twins")
    return ctx


def notes_on(ctx: ToolContext, marker: str) -> list[str]:
    with ctx.read() as s:
        return list(
            s.exec(
                select(Customer.name)
                .join(Interaction, Interaction.customer_id == Customer.id)
                .where(Interaction.body.contains(marker))
            )
        )


def test_a_corrected_slip_is_said_in_the_reply(twins: ToolContext) -> None:
    reply = respond(twins, "Met Orion Dynamcs today, they want a pilot")
    assert notes_on(twins, "want a pilot") == ["Orion Dynamics"]
    assert "Read “Orion Dynamcs” as Orion Dynamics" in reply.text


@pytest.mark.parametrize("answer", ["new", "yes", "a new customer"])
def test_an_unknown_company_is_an_offer_and_new_creates_it(twins: ToolContext, answer: str) -> None:
    asked = respond(twins, "Met Orion Dynamics Health today, they want a pilot")
    assert notes_on(twins, "want a pilot") == []  # nothing written before the answer
    assert "Orion Dynamics" in asked.text and asked.state.pending
    done = respond(twins, answer, asked.state)
    assert notes_on(twins, "want a pilot") == ["Orion Dynamics Health"]
    assert "Created Orion Dynamics Health" in done.text


def test_picking_the_suggested_name_writes_there(twins: ToolContext) -> None:
    asked = respond(twins, "Met Orion Dynamics Health today, they want a pilot")
    respond(twins, "Orion Dynamics", asked.state)
    assert notes_on(twins, "want a pilot") == ["Orion Dynamics"]


def test_no_drops_it(twins: ToolContext) -> None:
    asked = respond(twins, "Met Bramble Labs today, they want a pilot")
    respond(twins, "no", asked.state)
    assert notes_on(twins, "want a pilot") == []
    with twins.read() as s:
        assert s.exec(select(Customer).where(Customer.name == "Bramble Labs")).first() is None


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        (
            "note for Ink: wants the autumn catalogue",
            "Quill & Ink Stationers Ltd",
        ),  # a slot read as an argument
        ("note for summit: wants the autumn catalogue", "Summit"),
        ("Called Crane Logistic, wants the autumn catalogue", "Crane Logistics Limited"),
    ],
)
def test_a_name_given_in_so_many_words_is_read_as_an_argument(
    twins: ToolContext, text: str, meant: str
) -> None:
    respond(twins, text)
    assert notes_on(twins, "autumn catalogue") == [meant]
