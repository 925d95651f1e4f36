"""Stage moves (with SPEC's aliases) and customer records: create, email/phone, tags, contacts.

Stages in the book: Acme qualified, Globex proposal, Café Müller won, Brightline Media qualified,
Brightline Motors lead, Juno lead, Evergreen lead, Kettle & Crumb qualified, Helios negotiation,
Nordlicht lead, Summit qualified, Lumière proposal.
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext

STAGES = [
    case("move Nordlicht to qualified", stages={"Nordlicht GmbH": "qualified"}, reply=["lead → qualified"]),
    case("Acme -> proposal sent", stages={"Acme Corp": "proposal"}),
    case("proposal sent to Summit Partners", stages={"Summit Partners": "proposal"}),
    case("sent the proposal to Nordlicht", stages={"Nordlicht GmbH": "proposal"}),
    case("mark Helios as signed", stages={"Helios Labs": "won"}),
    case("Juno Pet Supplies is closed lost", stages={"Juno Pet Supplies": "lost"}),
    case("Evergreen is dead", stages={"Evergreen Landscaping": "lost"}),
    case("we signed Kettle & Crumb!", stages={"Kettle & Crumb Bakery": "won"}),
    case("Brightline Motors signed", stages={"Brightline Motors": "won"}),
    case("acme corp: closed won", stages={"Acme Corp": "won"}),
    case("set globex stage to negotiation", stages={"Globex Corporation": "negotiation"}),
    case("change Summit Partners to lost", stages={"Summit Partners": "lost"}),
    case("Lumiere -> won", stages={"Lumière Studio": "won"}),
    case("lost Evergreen to a competitor", stages={"Evergreen Landscaping": "lost"}),
    case("bump Brightline Media to negotiation", stages={"Brightline Media": "negotiation"}),
    case("MOVE JUNO TO QUALIFIED", stages={"Juno Pet Supplies": "qualified"}),
    case("Globex is already in proposal", reply=["already in proposal"]),
    # a stage move inside a report: everything is applied, as one change
    case(
        "Met Helios today, they signed",
        stages={"Helios Labs": "won"},
        logs=[("Helios Labs", "meeting", "2026-03-04", "they signed")],
    ),
    case(
        "Met Acme, moved them to negotiation, follow up Tuesday",
        stages={"Acme Corp": "negotiation"},
        logs=[("Acme Corp", "meeting", None, None)],
        fups=[("Acme Corp", "2026-03-10", None)],
    ),
    case(
        "move acme to proposal and follow up friday",
        stages={"Acme Corp": "proposal"},
        fups=[("Acme Corp", "2026-03-06", None)],
    ),
    # not an outcome yet: a note, never a stage
    case("Acme has not signed yet", logs=[("Acme Corp", "note", None, "not signed")]),
    case("Helios is close to signing", logs=[("Helios Labs", "note", None, "close to signing")]),
    case(
        "Got an email from Arjun: they need the NDA signed",
        logs=[("Helios Labs", "email", None, "NDA signed")],
    ),
]

CUSTOMERS = [
    case(
        "add a new customer Pinecrest Dental, contact Maya Chen maya@pinecrest.example",
        created=[("Pinecrest Dental", "lead")],
        contacts=[("Pinecrest Dental", "Maya Chen", None)],
        reply=["Pinecrest Dental"],
    ),
    case(
        "new client: Harbor Vine, email hello@harborvine.example, phone +1 555 010 2233",
        created=[("Harbor Vine", "lead")],
        fields={"Harbor Vine": {"email": "hello@harborvine.example", "phone": "+1 555 010 2233"}},
    ),
    case("create lead Quantum Koala", created=[("Quantum Koala", "lead")]),
    case("add customer Atlas Freight, stage qualified", created=[("Atlas Freight", "qualified")]),
    case("add a new customer acme corp", reply=["Acme Corp"]),
    case(
        "set Nordlicht's email to info@nordlicht.example",
        fields={"Nordlicht GmbH": {"email": "info@nordlicht.example"}},
    ),
    case(
        "change globex email to hank@globex.example",
        fields={"Globex Corporation": {"email": "hank@globex.example"}},
    ),
    case("Acme phone is +44 20 7946 0958", fields={"Acme Corp": {"phone": "+44 20 7946 0958"}}),
    case("juno pet supplies phone number: 555-0142", fields={"Juno Pet Supplies": {"phone": "555-0142"}}),
    case("tag Acme as priority, renewal", fields={"Acme Corp": {"tags": ["priority", "renewal"]}}),
    case("add tag vip to Globex", fields={"Globex Corporation": {"tags": ["vip"]}}),
    case("remove tag enterprise from acme", fields={"Acme Corp": {"no_tags": ["enterprise"]}}),
    case("label Kettle & Crumb with wholesale", fields={"Kettle & Crumb Bakery": {"tags": ["wholesale"]}}),
    case(
        "add Maria Lopez as CFO at Globex, maria@globex.example",
        contacts=[("Globex Corporation", "Maria Lopez", "CFO")],
    ),
    case("add contact Tom Hale to Evergreen", contacts=[("Evergreen Landscaping", "Tom Hale", None)]),
    case(
        "Lisa Wong is the new buyer at Kettle & Crumb",
        contacts=[("Kettle & Crumb Bakery", "Lisa Wong", "buyer")],
    ),
    case("new contact: Peter Sand at Summit Partners", contacts=[("Summit Partners", "Peter Sand", None)]),
    case(
        "add Greta Ek as head of finance for Nordlicht",
        contacts=[("Nordlicht GmbH", "Greta Ek", "head of finance")],
    ),
]


@pytest.mark.parametrize("c", STAGES + CUSTOMERS)
def test_records(book: ToolContext, c: Case) -> None:
    run_case(book, c)


def test_a_stage_move_is_kept_in_the_history(book: ToolContext) -> None:
    """The move is recorded with who made it, so the profile can show it later."""
    from tools.transfer import export_data

    run_case(book, Case(turns=["Brightline Motors -> qualified"], stages={"Brightline Motors": "qualified"}))
    motors = next(c for c in export_data(book)["customers"] if c["name"] == "Brightline Motors")
    assert motors["stage_history"][-1]["from"] == "lead" and motors["stage_history"][-1]["by"] == "sam"
