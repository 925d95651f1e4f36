"""Reports of what happened: kind from the verbs, date from the words, the rep's words kept whole.

Today is Wed 4 Mar 2026: "yesterday" is Tue 3 Mar, "on Monday" Mon 2 Mar, "last Friday" Fri 27 Feb.
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext

CASES = [
    # kinds from the wording
    case(
        "Met with Globex Corporation this afternoon, Hank wants the enterprise tier",
        logs=[("Globex Corporation", "meeting", "2026-03-04", "enterprise tier")],
    ),
    case(
        "called helios labs yesterday about the rollout",
        logs=[("Helios Labs", "call", "2026-03-03", "the rollout")],
    ),
    case(
        "Emailed Nina the onboarding checklist",
        logs=[("Nordlicht GmbH", "email", None, "onboarding checklist")],
    ),
    case(
        "spoke to Arjun on Monday, the PO is stuck in procurement",
        logs=[("Helios Labs", "call", "2026-03-02", "stuck in procurement")],
    ),
    case(
        "had lunch with the Evergreen folks last friday",
        logs=[("Evergreen Landscaping", "meeting", "2026-02-27", "lunch")],
    ),
    case("Left a voicemail for Rosa", logs=[("Evergreen Landscaping", "call", None, "voicemail")]),
    case(
        "Got an email from Hank: they need the DPA signed",
        logs=[("Globex Corporation", "email", None, "DPA signed")],
    ),
    case(
        "coffee with Dana Whitfield this morning - she is moving to a new role",
        logs=[("Acme Corp", "meeting", "2026-03-04", "new role")],
    ),
    case(
        "Phoned Juno Pet Supplies, Holly wants the spring catalogue",
        logs=[("Juno Pet Supplies", "call", None, "spring catalogue")],
    ),
    case(
        "visited Kettle & Crumb Bakery on Tuesday, ovens are installed",
        logs=[("Kettle & Crumb Bakery", "meeting", "2026-03-03", "ovens are installed")],
    ),
    case("replied to Ivan about fleet pricing", logs=[("Brightline Motors", "email", None, "fleet pricing")]),
    # notes, with and without a prefix
    case(
        "note: Kettle & Crumb wants gluten-free packaging",
        logs=[("Kettle & Crumb Bakery", "note", None, "gluten-free packaging")],
    ),
    case("NOTE FOR ACME CORP: DANA IS ON LEAVE UNTIL APRIL", logs=[("Acme Corp", "note", None, "ON LEAVE")]),
    case(
        "fyi Nordlicht GmbH is opening a Vienna office",
        logs=[("Nordlicht GmbH", "note", None, "Vienna office")],
    ),
    case(
        "Jonas says the espresso machine deal is on hold",
        logs=[("Café Müller", "note", None, "espresso machine")],
    ),
    case(
        "nordlicht wants contracts in German", logs=[("Nordlicht GmbH", "note", None, "contracts in German")]
    ),
    case(
        "Brightline Motors: fleet renewal is in their Q3 budget",
        logs=[("Brightline Motors", "note", None, "fleet renewal")],
    ),
    case(
        "Lumière Studio sent over the brief for the spring shoot",
        logs=[("Lumière Studio", None, None, "brief for the spring shoot")],
    ),
    # casing, accents, suffixes, typos
    case(
        "MET WITH ACME CORP TODAY, THEY LOVED THE DASHBOARD",
        logs=[("Acme Corp", "meeting", "2026-03-04", "DASHBOARD")],
    ),
    case("café müller: renewal questions about the grinder", logs=[("Café Müller", "note", None, "grinder")]),
    case("cafe muller asked for a second grinder", logs=[("Café Müller", "note", None, "second grinder")]),
    case("Lumiere studio wants a bigger crew", logs=[("Lumière Studio", "note", None, "bigger crew")]),
    case("talked to elodie martin about the budget", logs=[("Lumière Studio", "call", None, "budget")]),
    case("Globex Corp wants SSO before go-live", logs=[("Globex Corporation", "note", None, "SSO")]),
    case(
        "note for evergreen landscapin: owner retiring next year",
        logs=[("Evergreen Landscaping", "note", None, "owner retiring")],
    ),
    case(
        "Called Helois Labs, legal is reviewing the MSA",
        logs=[("Helios Labs", "call", None, "reviewing the MSA")],
    ),
    case("nordlict gmbh wants a pilot", logs=[("Nordlicht GmbH", "note", None, "pilot")]),
    case(
        "kettle and crumb ordered 40 more boxes",
        logs=[("Kettle & Crumb Bakery", "note", None, "40 more boxes")],
    ),
    # contact names lead to the company
    case("Spoke to Nina about the rollout plan", logs=[("Nordlicht GmbH", "call", None, "rollout plan")]),
    case(
        "Arjun confirmed the security review passed", logs=[("Helios Labs", "note", None, "security review")]
    ),
    case(
        "Met Ivan Petrov from Brightline Motors at the expo",
        logs=[("Brightline Motors", "meeting", None, "expo")],
    ),
    case("hank scorpio wants to see the roadmap", logs=[("Globex Corporation", "note", None, "roadmap")]),
    case(
        "Rosa Diaz called back, the budget is approved",
        logs=[("Evergreen Landscaping", "call", None, "approved")],
    ),
    # dates of what happened
    case(
        "Called Globex 2 days ago, no answer",
        logs=[("Globex Corporation", "call", "2026-03-02", "no answer")],
    ),
    case(
        "Met Acme on 2026-02-26 to review the pilot",
        logs=[("Acme Corp", "meeting", "2026-02-26", "review the pilot")],
    ),
    case(
        "emailed nordlicht last Friday about the SLA",
        logs=[("Nordlicht GmbH", "email", "2026-02-27", "the SLA")],
    ),
    case(
        "Yesterday I met Summit Partners, they want EU hosting",
        logs=[("Summit Partners", "meeting", "2026-03-03", "EU hosting")],
    ),
    case(
        "On Monday we called Kettle & Crumb about the invoice",
        logs=[("Kettle & Crumb Bakery", "call", "2026-03-02", "invoice")],
    ),
    # numbers, months and quarters that are not dates
    case("Acme wants 200 bags by the end of the quarter", logs=[("Acme Corp", "note", None, "200 bags")]),
    case(
        "note for Globex: Q1 is busy, revisit the deal in 2027",
        logs=[("Globex Corporation", "note", None, "revisit the deal in 2027")],
    ),
    case(
        "Juno Pet Supplies may need 12 more seats",
        logs=[("Juno Pet Supplies", "note", None, "12 more seats")],
    ),
    case(
        "Helios Labs said version 2.5 fixed the export bug",
        logs=[("Helios Labs", "note", None, "version 2.5")],
    ),
]


@pytest.mark.parametrize("c", CASES)
def test_logging(book: ToolContext, c: Case) -> None:
    run_case(book, c)


def test_the_note_keeps_every_word(book: ToolContext) -> None:
    """A long, punctuated report is stored whole, not trimmed to a summary."""
    body = "Met Acme Corp today. " + " ".join(f"Point {i}: they asked about item {i}." for i in range(300))
    run_case(book, Case(turns=[body], logs=[("Acme Corp", "meeting", "2026-03-04", "Point 299")]))
    from tools.transfer import export_data

    acme = next(c for c in export_data(book)["customers"] if c["name"] == "Acme Corp")
    assert body.strip() in [i["body"] for i in acme["interactions"]]
