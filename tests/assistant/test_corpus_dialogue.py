"""Conversations: ambiguous names answered by number, by part of a name or by a button; unknown names
created on 'yes' and dropped on 'no'; a message that names several customers; undo and cancel.
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, chat, run_case
from tools.context import ToolContext

AMBIGUOUS = [
    case(
        "Brightline wants a case study on fleet tracking",
        asks=True,
        reply=["1. Brightline Media", "2. Brightline Motors"],
    ),
    case(
        ["Brightline wants a case study on fleet tracking", "2"],
        logs=[("Brightline Motors", "note", None, "fleet tracking")],
    ),
    case(
        ["brightline called about the invoice", "media"], logs=[("Brightline Media", "call", None, "invoice")]
    ),
    case(
        ["Brightline asked for references", "Brightline Motors"],
        logs=[("Brightline Motors", None, None, "references")],
    ),
    case(
        ["Brightline asked for references", "the motors one"],
        logs=[("Brightline Motors", None, None, "references")],
    ),
    case(["Holly asked for a quote", "Juno"], logs=[("Juno Pet Supplies", "note", None, "quote")]),
    case(["Holly asked for a quote", "1"], logs=[("Brightline Media", "note", None, "quote")]),
    case(
        ["holly park wants a call back on Friday", "juno pet"],
        fups=[("Juno Pet Supplies", "2026-03-06", None)],
    ),
    case(
        ["holly park wants samples by Friday", "juno pet"],
        logs=[("Juno Pet Supplies", "note", None, "samples")],
    ),
    case(["Holly asked for a quote", "cancel"], reply=["nothing was saved"]),
    case(["Brightline asked for references", "7"], asks=True, reply=["didn't catch"]),
    case(["Brightline asked for references", "what's overdue?"], reply=["Globex"]),
    case(["follow up with Brightline on Friday", "2"], fups=[("Brightline Motors", "2026-03-06", None)]),
    case("Met Acme and Brightline today", asks=True),
    case("Holly at Juno wants samples", logs=[("Juno Pet Supplies", "note", None, "samples")]),
    case("Dana from Acme says the pilot is live", logs=[("Acme Corp", "note", None, "pilot is live")]),
    case("Globex's CEO Hank called", logs=[("Globex Corporation", "call", None, "CEO")]),
    case("Met Hank and Dana at the expo", asks=True),
    case("Met with Acme, they asked about Globex pricing", asks=True),
    case("the kettle is broken", asks=True),
    case(
        ["Acme and Globex both want the new price list", "2"],
        logs=[("Globex Corporation", "note", None, "price list")],
    ),
    case(
        ["Acme and Globex both want the new price list", "all of them"],
        logs=[("Acme Corp", "note", None, "price list"), ("Globex Corporation", "note", None, "price list")],
    ),
]

UNKNOWN = [
    case("Met Zephyr Analytics today, great fit", asks=True, reply=["Zephyr Analytics", "create"]),
    case(
        ["Met Zephyr Analytics today, great fit", "yes"],
        created=[("Zephyr Analytics", "lead")],
        logs=[("Zephyr Analytics", "meeting", "2026-03-04", "great fit")],
    ),
    case(["Met Zephyr Analytics today, great fit", "no"], reply=["nothing was saved"]),
    case(
        ["follow up with Orchid Florals on Friday", "yes please"],
        created=[("Orchid Florals", "lead")],
        fups=[("Orchid Florals", "2026-03-06", None)],
    ),
    case(["Called Zephyr Analytics about a pilot", "Acme"], logs=[("Acme Corp", "call", None, "pilot")]),
    case(
        ["Had a great call, they want pricing", "Nordlicht"],
        logs=[("Nordlicht GmbH", "call", None, "pricing")],
    ),
    case(["Had a great call, they want pricing", "cancel"], reply=["nothing was saved"]),
    case("Met someone at the conference", asks=True),
    case("met at the summit about pricing", asks=True),
]

# Messages that could mean two things: the engine asks, or picks the harmless reading.
TWO_READINGS = [
    case("Acme follow up", asks=True, reply=["When should I follow up with Acme Corp"]),
    case(["Acme follow up", "Friday"], fups=[("Acme Corp", "2026-03-06", None)]),
    case("call Acme", asks=True),
    case("remind me about Acme", reply=["Acme Corp", "send pricing"]),
    case("remind me about Lumière on the 15th", fups=[("Lumière Studio", "2026-03-15", None)]),
    case("move Globex to purgatory", reply=["not a pipeline stage", "negotiation"]),
    case("push Globex to Friday", moved=[("Globex Corporation", "confirm seat count", "2026-03-06")]),
    case("follow up", reply=["Globex", "Acme Corp"]),
    case("Globex?", reply=["Globex Corporation", "Hank Scorpio"]),
    case(
        "Globex: legal review done, follow up on 3/20",
        logs=[("Globex Corporation", "note", None, "legal review")],
        fups=[("Globex Corporation", "2026-03-20", None)],
    ),
]

UNDO = [
    case(["Move Helios to lost", "undo"], reply=["Undone", "lost"]),
    case(["Met Acme yesterday, follow up Friday", "undo"], reply=["Undone"]),
    case(["tag Globex as vip", "undo"], reply=["Undone"]),
    case(["Met Zephyr Analytics today", "yes", "undo"], reply=["Undone"]),
]


@pytest.mark.parametrize("c", AMBIGUOUS + UNKNOWN + TWO_READINGS)
def test_dialogue(book: ToolContext, c: Case) -> None:
    run_case(book, c)


@pytest.mark.parametrize("c", UNDO)
def test_undo_reverts_the_whole_message(book: ToolContext, c: Case) -> None:
    from tools.transfer import export_data

    before = {x["name"]: x for x in export_data(book)["customers"]}
    run_case(book, c)
    after = {x["name"]: x for x in export_data(book)["customers"]}
    assert set(after) == set(before)
    for name, record in after.items():
        assert record["stage"] == before[name]["stage"]
        assert record["tags"] == before[name]["tags"]
        assert record["interactions"] == before[name]["interactions"]
        assert [f for f in record["followups"] if f["status"] == "open"] == [
            f for f in before[name]["followups"] if f["status"] == "open"
        ]


def test_a_choice_button_answers_the_question(book: ToolContext) -> None:
    """Each choice's `answer`, sent as the next message, picks that option (Telegram's buttons do this)."""
    first = chat(book, ["Brightline wants a case study on fleet tracking"])[0]
    motors = next(c for c in first.choices if c.label.startswith("Brightline Motors"))
    run_case(
        book,
        Case(
            turns=["Brightline wants a case study on fleet tracking", motors.answer],
            logs=[("Brightline Motors", "note", None, "fleet tracking")],
        ),
    )
    assert any(c.answer == "cancel" for c in first.choices)


def test_a_pending_question_does_not_outlive_a_new_request(book: ToolContext) -> None:
    """A full new message instead of an answer is read on its own; the old question is dropped."""
    run_case(
        book,
        Case(
            turns=["Brightline asked for references", "Met Nordlicht today, they want a pilot"],
            logs=[("Nordlicht GmbH", "meeting", "2026-03-04", "pilot")],
        ),
    )
