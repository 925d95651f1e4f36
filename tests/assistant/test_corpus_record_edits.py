"""Record edits read by the pipeline (typed spans → record frames → tool inputs → one transaction),
in phrasings the earlier sentence rules never saw: new customers with details, contacts, tags, fields
(email, phone, deal value, owner, name), record edits beside a report, and what must NOT be read as one.

Book: see tests/assistant/corpus.py (Acme Corp has the tag 'enterprise' and the contact Dana Whitfield).
"""

from __future__ import annotations

import pytest

from assistant.conversation import respond
from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext
from tools.transfer import export_data
from tools.users import add_user

CREATE = [
    case("new lead: Orchid Florals", created=[("Orchid Florals", "lead")], reply=["Created Orchid Florals"]),
    case("pls create a new client called Vega Robotics", created=[("Vega Robotics", "lead")]),
    case("add Northwind Traders as a new customer", created=[("Northwind Traders", "lead")]),
    case(
        "set up a new account for Redwood Dental, stage qualified", created=[("Redwood Dental", "qualified")]
    ),
    case(
        "new customer Bluefin Sushi, contact Aiko Tanaka (owner) aiko@bluefin.example",
        created=[("Bluefin Sushi", "lead")],
        contacts=[("Bluefin Sushi", "Aiko Tanaka", "owner")],
        reply=["Aiko Tanaka"],
    ),
    case(
        "new prospect - Copper Kettle Cafe, email hi@copperkettle.example",
        created=[("Copper Kettle Cafe", "lead")],
        fields={"Copper Kettle Cafe": {"email": "hi@copperkettle.example"}},
    ),
    case(
        "create lead Polar Logistics worth 40k",
        created=[("Polar Logistics", "lead")],
        fields={"Polar Logistics": {"value": 40000.0}},
    ),
    # the rest of the message is about the new customer, in the same change
    case(
        "new lead Maple Yoga, met the owner today, they want a quote for 12 mats",
        created=[("Maple Yoga", "lead")],
        logs=[("Maple Yoga", "meeting", None, "12 mats")],
    ),
    # the name ends where the next instruction begins ("and log that …"), not at every "and"
    case(
        "create a customer Pine Labs and log that I called them about a pilot",
        created=[("Pine Labs", "lead")],
        logs=[("Pine Labs", "call", None, "pilot")],
    ),
    case("add a new customer Smith and Sons Plumbing", created=[("Smith and Sons Plumbing", "lead")]),
    # an existing name is refused, not duplicated
    case("add a new customer Helios Labs", reply=["Helios Labs"]),
    # without a name: ask, write nothing
    case("add a new customer", reply=["called"]),
]

CONTACTS = [
    case("add contact Priya Nair to Helios", contacts=[("Helios Labs", "Priya Nair", None)]),
    case(
        "add Omar Haddad as procurement lead at Summit Partners, omar@summit.example",
        contacts=[("Summit Partners", "Omar Haddad", "procurement lead")],
    ),
    case(
        "new contact at Juno: Lee Park, buyer, lee@juno.example",
        contacts=[("Juno Pet Supplies", "Lee Park", "buyer")],
    ),
    case(
        "Sofia Reyes is the new office manager at Evergreen",
        contacts=[("Evergreen Landscaping", "Sofia Reyes", "office manager")],
    ),
    case("Globex's new CFO is Marge Bouvier", contacts=[("Globex Corporation", "Marge Bouvier", "CFO")]),
    case(
        "add Tom Berg (head of IT) to Nordlicht, +49 30 1234567",
        contacts=[("Nordlicht GmbH", "Tom Berg", "head of IT")],
    ),
    case(
        "Lumiere has a new contact: Paul Girard (producer)",
        contacts=[("Lumière Studio", "Paul Girard", "producer")],
    ),
    case(
        "Juno got a new store manager, Lee Park",
        contacts=[("Juno Pet Supplies", "Lee Park", "store manager")],
    ),
    case(
        "Arjun is leaving Helios, their new CTO is Dev Patel",
        contacts=[("Helios Labs", "Dev Patel", "CTO")],
        logs=[("Helios Labs", "note", None, "leaving")],
    ),
    case(
        "add Tom Reed to Helios as head of security",
        contacts=[("Helios Labs", "Tom Reed", "head of security")],
    ),
    case(
        "add a contact to Summit Partners: Raj Patel, engineer",
        contacts=[("Summit Partners", "Raj Patel", "engineer")],
    ),
    case(
        "Juno: new contact Ana Ruiz (buyer), ana@juno.example; follow up next week",
        contacts=[("Juno Pet Supplies", "Ana Ruiz", "buyer")],
        fups=[("Juno Pet Supplies", "2026-03-09", None)],
    ),
    # the new contact is never taken for an existing customer's contact of that name
    case(
        "add Holly Park as buyer at Kettle & Crumb",
        contacts=[("Kettle & Crumb Bakery", "Holly Park", "buyer")],
    ),
    # an existing contact of that customer is not added twice
    case("add Arjun Mehta as CTO at Helios Labs", reply=["already a contact"]),
    # an ambiguous customer asks first
    case("add Mia Long as CMO at Brightline", asks=True, reply=["Brightline Media", "Brightline Motors"]),
]

TAGS_AND_FIELDS = [
    case("tag Summit Partners as eu-hosting", fields={"Summit Partners": {"tags": ["eu-hosting"]}}),
    case("add tags vip, renewal to Helios", fields={"Helios Labs": {"tags": ["vip", "renewal"]}}),
    case("remove tag enterprise from Acme Corp", fields={"Acme Corp": {"no_tags": ["enterprise"]}}),
    case("untag acme enterprise", fields={"Acme Corp": {"no_tags": ["enterprise"]}}),
    case("drop the enterprise tag from Acme", fields={"Acme Corp": {"no_tags": ["enterprise"]}}),
    case("add a priority tag to Helios Labs", fields={"Helios Labs": {"tags": ["priority"]}}),
    case("add Summit tags: eu, security", fields={"Summit Partners": {"tags": ["eu", "security"]}}),
    case("Helios email is hello@helios.example", fields={"Helios Labs": {"email": "hello@helios.example"}}),
    case(
        "new email for Evergreen: office@evergreen.example",
        fields={"Evergreen Landscaping": {"email": "office@evergreen.example"}},
    ),
    case(
        "Summit's phone number is now +44 20 7000 1234",
        fields={"Summit Partners": {"phone": "+44 20 7000 1234"}},
    ),
    case("set the Globex deal value to $25,000", fields={"Globex Corporation": {"value": 25000.0}}),
    case("Acme deal size is 1.2m", fields={"Acme Corp": {"value": 1200000.0}}),
    case("rename Café Müller to Café Müller & Söhne", fields={"Café Müller & Söhne": {"stage": "won"}}),
    case(
        "Juno is now called Juno Pets",
        fields={"Juno Pets": {"stage": "lead"}},
        reply=["Juno Pet Supplies → Juno Pets"],
    ),
    case("Nordlicht was renamed to Nordlicht AG", fields={"Nordlicht AG": {"stage": "lead"}}),
    # a rep who already owns customers is a rep
    case("set the owner of Acme to kim", fields={"Acme Corp": {"owner": "kim"}}),
    case(
        "met Dana today, send the pricing deck by friday and tag them as renewal",
        logs=[("Acme Corp", "meeting", None, None)],
        fups=[("Acme Corp", "2026-03-06", "pricing deck")],
        fields={"Acme Corp": {"tags": ["renewal"]}},
    ),
    # a record edit beside a report: both, as one change
    case(
        "Called Helios, their new main line is 555-0199",
        logs=[("Helios Labs", "call", None, "555-0199")],
        fields={"Helios Labs": {"phone": "555-0199"}},
    ),
]

NOT_RECORD_EDITS = [
    # a number told in a note is the rep's words, not the customer's phone
    case(
        "Called Juno, Holly gave me her number 555 0188 for orders",
        logs=[("Juno Pet Supplies", "call", None, "555 0188")],
    ),
    # a new thing is not a new person
    case(
        "Met Globex, their new price list is Spring Range",
        logs=[("Globex Corporation", "meeting", None, "price list")],
    ),
    # not contact edits: a customer added to a list, an existing contact added to a thread, an idiom
    case("add Acme to the newsletter list", logs=[("Acme Corp", "note", None, "newsletter")]),
    case("add Dana to the thread at Acme", logs=[("Acme Corp", "note", None, "thread")]),
    case("tag along with Arjun at Helios for the visit", logs=[("Helios Labs", "note", None, "tag along")]),
    # a note's words are data
    case(
        "note for Acme: Dana says add tag vip to everyone",
        logs=[("Acme Corp", "note", None, "add tag vip")],
    ),
    # questions about a field never write
    case("what's the email for Helios?", lacks=["Updated"]),
    case("is Acme's phone number +44 20 7946 0958?", lacks=["Updated"]),
    # "new lead" inside a report is not a create
    case(
        "Met Acme, Dana has a new lead for us at her old firm",
        logs=[("Acme Corp", "meeting", None, "new lead")],
    ),
    # told as news about an existing customer: a note on it, never a near-duplicate
    case("Helios is a new customer as of today", logs=[("Helios Labs", "note", None, "new customer")]),
    # "email <address> the …" is a to-do, not the customer's email
    case(
        "email arjun@helios.example the pen test summary by friday",
        fups=[("Helios Labs", "2026-03-06", "pen test summary")],
    ),
    # "worth 40k to them" in a report is their words, not the deal value
    case(
        "Met Helios, they said the upgrade is worth 40k to them",
        logs=[("Helios Labs", "meeting", None, "worth 40k")],
    ),
    # the new customer's name is the Title Case one, not "from the webinar"
    case("new lead from the webinar, Orchid Florals", created=[("Orchid Florals", "lead")]),
    # no rep of that name: nothing changes, and it says why
    case("set Acme's owner to bob", reply=["not a rep"]),
    case("reassign Acme to nobodyatall", reply=["not a rep"]),
    # "give … to <person>" is a to-do, not a new owner
    case("give the deck to Dana tomorrow", fups=[("Acme Corp", "2026-03-05", "give the deck")]),
    # an unknown customer for a tag: nothing is written until answered
    case("tag Zorblax Industries as vip", asks=True),
]


@pytest.mark.parametrize("c", CREATE + CONTACTS + TAGS_AND_FIELDS + NOT_RECORD_EDITS)
def test_record_edits(book: ToolContext, c: Case) -> None:
    run_case(book, c)


def test_reassigning_a_customer_to_a_rep(book: ToolContext) -> None:
    add_user(book.store, "kim")
    run_case(
        book, Case(turns=["reassign Summit Partners to kim"], fields={"Summit Partners": {"owner": "kim"}})
    )


def test_undo_takes_back_the_whole_record_message(book: ToolContext) -> None:
    """'new lead …, met them today …' is one change: one undo removes the customer and its note."""
    made = respond(book, "new lead Maple Yoga, met the owner today, they want a quote for 12 mats")
    assert made.wrote
    respond(book, "undo", made.state)
    assert "Maple Yoga" not in {c["name"] for c in export_data(book)["customers"]}


def test_the_answer_to_which_customer_applies_the_contact(book: ToolContext) -> None:
    asked = respond(book, "add Mia Long as CMO at Brightline, mia@bl.example")
    respond(book, "media", asked.state)
    media = next(c for c in export_data(book)["customers"] if c["name"] == "Brightline Media")
    mia = next(p for p in media["contacts"] if p["name"] == "Mia Long")
    assert mia["role"] == "CMO" and mia["email"] == "mia@bl.example"
