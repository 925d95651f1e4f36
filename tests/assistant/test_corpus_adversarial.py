"""Hostile, odd and borderline input: injection strings are stored as text (or ignored), never executed;
nothing is written for empty, emoji-only or unclear messages; words that look like dates are not dates;
impossible dates are reported with nothing scheduled; a message that is too long is refused whole.
"""

from __future__ import annotations

import pytest

from assistant.conversation import respond
from assistant.engine import MAX_CHARS
from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext
from tools.transfer import export_data

NOTHING = [
    case("'; DROP TABLE customers; --"),
    case("<script>alert('x')</script>"),
    case("1; DELETE FROM interactions WHERE 1=1"),
    case(""),
    case("   \n\t  "),
    case("🎉🎉🎉", reply=["not sure"]),
    case("?!?!"),
    case("asdf qwerty zxcv", asks=True),
    case("may the force be with you", asks=True),
    case("Q1 2027", asks=True),
    case("200 bags", asks=True),
    case("Met someone nice at the airport"),
    case("Acme wants to talk on February 30", reply=["February 30", "nothing was saved"]),
    case("follow up with Globex on 2026-13-01", reply=["nothing was saved"]),
    case("remind me to call Acme on 29/02/2026", reply=["nothing was saved"]),
    case("what's the status of Zork Industries?"),
    case("is Acme happy with us?", reply=["Acme Corp"]),
]

STORED_AS_TEXT = [
    case(
        "Robert'); DROP TABLE customers;-- met Acme",
        logs=[("Acme Corp", "meeting", None, "Robert'); DROP TABLE customers;--")],
    ),
    case(
        "<b>Acme</b> wants **bold** pricing & <i>fast</i> delivery",
        logs=[("Acme Corp", "note", None, "<b>Acme</b> wants **bold** pricing")],
    ),
    case(
        "note for Globex: [click](javascript:alert(1)) `rm -rf /` ${HOME}",
        logs=[("Globex Corporation", "note", None, "`rm -rf /` ${HOME}")],
    ),
    case(
        "🎉 Met Acme today, they loved the pilot 🎉",
        logs=[("Acme Corp", "meeting", "2026-03-04", "loved the pilot")],
    ),
    case("Called Nordlicht — Nina said “läuft gut” 👍", logs=[("Nordlicht GmbH", "call", None, "läuft gut")]),
    case(
        "note for Acme:\n- line one\n- line two\n\nline four", logs=[("Acme Corp", "note", None, "line four")]
    ),
    # look like dates, are not: nothing scheduled, the words kept
    case("note for Juno: 200 bags in may", logs=[("Juno Pet Supplies", "note", None, "200 bags in may")]),
    case(
        "Helios wants the Q1 numbers and a 2027 roadmap", logs=[("Helios Labs", "note", None, "2027 roadmap")]
    ),
    case(
        "Kettle & Crumb: 1/2 of the ovens are down",
        logs=[("Kettle & Crumb Bakery", "note", None, "1/2 of the ovens")],
    ),
    case("Summit Partners has 3 offices and 45 seats", logs=[("Summit Partners", "note", None, "45 seats")]),
]


@pytest.mark.parametrize("c", NOTHING + STORED_AS_TEXT)
def test_adversarial(book: ToolContext, c: Case) -> None:
    run_case(book, c)


def test_a_huge_note_is_stored_whole(book: ToolContext) -> None:
    body = "note for Evergreen Landscaping: " + "soil report line. " * 4000  # ~72,000 characters
    run_case(book, Case(turns=[body], logs=[("Evergreen Landscaping", "note", None, "soil report line.")]))
    ever = next(c for c in export_data(book)["customers"] if c["name"] == "Evergreen Landscaping")
    assert max(len(i["body"]) for i in ever["interactions"]) >= 4000 * 18 - 5


def test_a_message_over_the_limit_is_refused_and_nothing_saved(book: ToolContext) -> None:
    before = export_data(book)["customers"]
    reply = respond(book, "Met Acme today. " + "x" * (MAX_CHARS + 10))
    assert "too long" in reply.text and "Nothing was saved" in reply.text
    assert export_data(book)["customers"] == before


def test_injection_leaves_every_table_intact(book: ToolContext) -> None:
    before = export_data(book)["customers"]
    names = {c["name"] for c in before}
    for text in ["'; DROP TABLE customers; --", "Acme'; DELETE FROM followups; --", '" OR 1=1 --']:
        respond(book, text)
    after = export_data(book)["customers"]
    assert {c["name"] for c in after} == names
    assert sum(len(c["followups"]) for c in after) == sum(len(c["followups"]) for c in before)


# Lead's blind-set class b: a known customer's words plus a business word its name lacks is another
# company — asked about (create? or the near one?), never logged on the near customer.
LONGER_NAMES = [
    case("called summit partners consulting about a quote", asks=True, reply=["summit partners consulting"]),
    case("met with helios analytics today", asks=True, reply=["Helios Labs"]),
    case("lunch with kettle & crumb cafe, they want pastries", asks=True),
    case("emailed Lumiere Films the brief", asks=True),
    # the customer's own words, or an ordinary word after the name, are the customer
    case("called summit partners about a quote", logs=[("Summit Partners", "call", None, "quote")]),
    case("met helios labs today, pilot approved", logs=[("Helios Labs", "meeting", None, "pilot")]),
]


@pytest.mark.parametrize("c", LONGER_NAMES)
def test_a_longer_name_is_another_company(book: ToolContext, c: Case) -> None:
    run_case(book, c)
