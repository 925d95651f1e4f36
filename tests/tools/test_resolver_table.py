"""The resolver on a book of near-twins, table-driven: the same answer through every surface.

`tests/fixtures/names` holds customers chosen to trap a resolver (near-twins sharing words, legal
suffixes, accents, shared and titled contact names) and what each typed name must resolve to —
one customer, `ambiguous` or `unknown` — written from the SPEC's rule by someone who had not seen
the resolver. A write through the tool function and through an MCP client must agree with it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import func, select

from assistant.conversation import respond
from store.models import Customer, Interaction
from tests.e2e.test_mcp_stdio import session
from tools.context import ToolContext
from tools.errors import AmbiguousCustomer, CustomerNotFound
from tools.schemas import LogInteraction
from tools.timeline import log_interaction
from tools.transfer import import_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "names"
CASES: list[dict[str, str]] = json.loads((FIXTURES / "cases.json").read_text())


@pytest.fixture
def twins(ctx: ToolContext) -> ToolContext:
    """The near-twin book of business."""
    import_text(ctx, (FIXTURES / "seed.json").read_text(), kind="json", label="near twins")
    return ctx


def outcome_of_write(ctx: ToolContext, query: str) -> str:
    """Where a note for `query` lands: the customer's name, or 'ambiguous' / 'unknown' (nothing written)."""
    try:
        out = log_interaction(ctx, LogInteraction(customer=query, body=f"resolver check {query}"))
    except AmbiguousCustomer:
        return "ambiguous"
    except CustomerNotFound:
        return "unknown"
    return out.interaction.customer_name


def test_the_table_is_big_enough_to_mean_something() -> None:
    assert len(CASES) >= 80
    kinds = {c["expect"] if c["expect"] in ("ambiguous", "unknown") else "resolves" for c in CASES}
    assert kinds == {"ambiguous", "unknown", "resolves"}


def test_every_typed_name_through_the_tool_function(twins: ToolContext) -> None:
    wrong = [
        (c["query"], c["expect"], got)
        for c in CASES
        if (got := outcome_of_write(twins, c["query"])) != c["expect"]
    ]
    assert wrong == []
    with twins.read() as s:  # a refused write wrote nothing
        refused = sum(c["expect"] in ("ambiguous", "unknown") for c in CASES)
        assert s.exec(select(func.count()).select_from(Interaction)).one() == len(CASES) - refused


def test_a_write_result_says_how_the_name_was_read(twins: ToolContext) -> None:
    out = log_interaction(twins, LogInteraction(customer="Orion Dynamcs", body="typo check"))
    assert out.interaction.customer_name == "Orion Dynamics"
    assert out.matched is not None and out.matched.how == "typo" and out.matched.said == "Orion Dynamcs"
    with twins.read() as s:
        name = s.exec(select(Customer.name)).first()
    exact = log_interaction(twins, LogInteraction(customer=name.upper(), body="exact check"))
    assert exact.matched is not None and exact.matched.how == "exact"


@pytest.mark.e2e
def test_every_typed_name_through_an_mcp_client(twins: ToolContext) -> None:
    async def conversation(client: Any) -> list[tuple[str, str, str]]:
        wrong = []
        for c in CASES:
            result = await client.call_tool(
                "log_interaction", {"customer": c["query"], "body": f"mcp {c['query']}"}
            )
            if result.is_error:
                said = " ".join(b.text for b in result.content if b.type == "text")
                got = "ambiguous" if "could be several" in said else "unknown"
            else:
                got = result.structured_content["interaction"]["customer_name"]
            if got != c["expect"]:
                wrong.append((c["query"], c["expect"], got))
        return wrong

    assert session(twins, conversation) == []


def test_every_typed_name_through_the_chat_engine(twins: ToolContext) -> None:
    """A rep's "note for NAME: …" lands where the tool would write it, or the rep is asked first."""
    names = {c["name"] for c in json.loads((FIXTURES / "seed.json").read_text())["customers"]}
    wrong = []
    for n, c in enumerate(CASES):
        marker = f"chat check {n}"
        reply = respond(twins, f"note for {c['query']}: {marker}")
        with twins.read() as s:
            landed = s.exec(
                select(Customer.name)
                .join(Interaction, Interaction.customer_id == Customer.id)
                .where(Interaction.body.contains(marker))
            ).all()
        offered = [ch.label for ch in reply.choices if any(ch.label.startswith(n) for n in names)]
        if c["expect"] == "ambiguous":
            ok = not landed and len(offered) >= 2
        elif c["expect"] == "unknown":
            ok = not landed and bool(reply.state.pending)
        else:
            ok = landed == [c["expect"]]
        if not ok:
            wrong.append((c["query"], c["expect"], landed, reply.text[:120]))
    assert wrong == []


SECOND = Path(__file__).resolve().parents[1] / "fixtures" / "names2"


def test_a_second_book_of_traps_written_blind(ctx: ToolContext) -> None:
    """Another writer's book (ø, ß, apostrophes, digits, a person's name as a company) and 178 names."""
    import_text(ctx, (SECOND / "seed.json").read_text(), kind="json", label="second book")
    cases = json.loads((SECOND / "cases.json").read_text())
    wrong = [
        (c["query"], c["expect"], got)
        for c in cases
        if (got := outcome_of_write(ctx, c["query"])) != c["expect"]
    ]
    assert wrong == []
