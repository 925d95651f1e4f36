"""Session 8's classes, each in several phrasings with the near-misses that must still write: a lone first
name that is a contact's and also starts a customer's name asks; a product or plan is no contact; a state
"since <day>" plans nothing; a date in a later clause with its own subject and verb does not re-date the
report; an outcome still to come moves no stage.

Book: tests/assistant/corpus.py, plus the people and customers of `people` below. Now is Wed 4 Mar 2026
14:00 UTC (this week Mon 2 - Sun 8 Mar).
"""

from __future__ import annotations

import pytest

from assistant.conversation import respond
from tests.assistant.corpus import Case, _by_name, case, chat, run_case
from tools.context import ToolContext
from tools.customers import add_contact, create_customer
from tools.schemas import AddContact, CreateCustomer


@pytest.fixture
def people(book: ToolContext) -> ToolContext:
    """Contacts whose first name starts another customer's name, and two contacts sharing a first name."""
    for name in ("Mark Group", "Jordan Logistics", "Grace Interiors"):
        create_customer(book, CreateCustomer(name=name))
    for customer, person in (
        ("Acme Corp", "Mark Lee"),
        ("Nordlicht GmbH", "Jordan Hale"),
        ("Helios Labs", "Grace Kim"),
        ("Helios Labs", "Priya Shah"),
        ("Summit Partners", "Priya Nair"),
    ):
        add_contact(book, AddContact(customer=customer, name=person))
    return book


# ---- 1. a first name that is a contact's and starts a customer's name: ask, offering both -------------
PERSON_OR_COMPANY = [
    "called mark, they want pricing",
    "Called Mark, they want pricing",
    "jordan - signed",
    "Jordan - signed",
    "JORDAN: signed",
    "met jordan yesterday, all good",
    "mark's team wants a quote by friday",
    "grace wants a demo",
    "spoke with Grace about the rollout",
    "priya - signed",  # two contacts, two customers
    "called priya, she wants pricing",
]


@pytest.mark.parametrize("text", PERSON_OR_COMPANY)
def test_a_first_name_of_a_contact_and_a_company_asks(people: ToolContext, text: str) -> None:
    before = _by_name(people)
    reply = respond(people, text)
    assert not reply.wrote, reply.text
    assert reply.state.pending is not None, reply.text
    assert len(reply.choices) >= 2 or "1." in reply.text, reply.text
    assert _by_name(people) == before


@pytest.mark.parametrize(
    ("turns", "who", "other"),
    [
        (["jordan - signed", "2"], "Jordan Logistics", "Nordlicht GmbH"),
        (["jordan - signed", "1"], "Nordlicht GmbH", "Jordan Logistics"),
        (["called mark, they want pricing", "mark group"], "Mark Group", "Acme Corp"),
    ],
)
def test_the_answer_picks_the_one_meant(people: ToolContext, turns: list[str], who: str, other: str) -> None:
    before = _by_name(people)
    replies = chat(people, turns)
    after = _by_name(people)
    assert replies[-1].wrote, replies[-1].text
    assert after[who] != before[who]
    assert after[other] == before[other]


SETTLED = [
    # the rest of the message names the customer, or the name is said in full
    case("called mark at acme, they want pricing", logs=[("Acme Corp", "call", None, "pricing")], asks=True),
    case("jordan at nordlicht signed", stages={"Nordlicht GmbH": "won"}),
    case("Mark Lee called, wants pricing", logs=[("Acme Corp", None, None, "pricing")], asks=True),
    case("mark group wants a quote", logs=[("Mark Group", "note", None, "quote")], asks=True),
    case("Jordan Logistics - signed", stages={"Jordan Logistics": "won"}),
    # a stage command's verb is no person ("mark" beside a contact Mark Lee)
    case("mark globex as won today", stages={"Globex Corporation": "won"}),
    case("Mark Helios as lost", stages={"Helios Labs": "lost"}),
    # a first name no customer's name starts with is still that contact
    case("called dana, she wants pricing", logs=[("Acme Corp", "call", None, "pricing")], asks=True),
]


@pytest.mark.parametrize("c", SETTLED)
def test_a_settled_name_still_writes(people: ToolContext, c: Case) -> None:
    run_case(people, c)


# ---- 2. a product or plan after "add" is no person -----------------------------------------------------
THINGS = [
    case(
        "Globex - add Premium Support, account manager",
        logs=[("Globex Corporation", "note", None, "Premium Support")],
    ),
    case("acme: add Enterprise Plan (buyer)", logs=[("Acme Corp", "note", None, "Enterprise Plan")]),
    case(
        "add Gold Tier, office manager, to Helios",
        logs=[("Helios Labs", "note", None, "Gold Tier")],
    ),
    case(
        "juno: their new account manager is Priority Support",
        logs=[("Juno Pet Supplies", "note", None, "Priority Support")],
    ),
    case("Summit - add SSO Add-on, buyer", logs=[("Summit Partners", "note", None, "SSO")]),
    case("Acme - add Support Team, helpdesk", logs=[("Acme Corp", "note", None, "Support Team")]),
    case("globex: add X200 Pro, buyer", logs=[("Globex Corporation", "note", None, "X200")]),
    # people still are
    case(
        "Globex - add Dev Patel, account manager",
        contacts=[("Globex Corporation", "Dev Patel", "account manager")],
    ),
    case(
        "Helios - add Grace Hill, office manager", contacts=[("Helios Labs", "Grace Hill", "office manager")]
    ),
    case(
        "acme: their new account manager is Tom Price",
        contacts=[("Acme Corp", "Tom Price", "account manager")],
    ),
]

# ---- 3. a state since a day is no plan, and the day dates nothing ------------------------------------
SINCE = [
    case(
        "Acme is seeing good results since monday",
        logs=[("Acme Corp", "note", "2026-03-04", "results")],
        lacks=["Follow-up"],
    ),
    case(
        "globex seeing strong uptake since tuesday",
        logs=[("Globex Corporation", "note", "2026-03-04", "uptake")],
        lacks=["Follow-up"],
    ),
    case(
        "helios has been quiet since last friday",
        logs=[("Helios Labs", "note", "2026-03-04", "quiet")],
        lacks=["Follow-up"],
    ),
    case(
        "Juno: visiting numbers up since Monday",
        logs=[("Juno Pet Supplies", "note", "2026-03-04", "numbers")],
        lacks=["Follow-up"],
    ),
    case(
        "they're seeing growth this week, acme is happy",
        logs=[("Acme Corp", "note", "2026-03-04", "growth")],
        lacks=["Follow-up"],
    ),
    case(
        "juno's seeing more orders this month",
        logs=[("Juno Pet Supplies", "note", None, "orders")],
        lacks=["Follow-up"],
    ),
    # a plan is still a plan
    case("seeing acme friday", fups=[("Acme Corp", "2026-03-06", None)]),
    case("visiting Helios on monday", fups=[("Helios Labs", "2026-03-09", None)]),
]

# ---- 4. a date in a later clause with its own subject and verb is that clause's ----------------------
LATER_CLAUSE = [
    case("called acme, they're reviewing it friday", logs=[("Acme Corp", "call", "2026-03-04", "reviewing")]),
    case(
        "met Globex - Hank is presenting it to the board on monday",
        logs=[("Globex Corporation", "meeting", "2026-03-04", "board")],
    ),
    case("spoke to helios, they are testing it thursday", logs=[("Helios Labs", "call", "2026-03-04", None)]),
    case(
        "met globex, their board meets thursday",
        logs=[("Globex Corporation", "meeting", "2026-03-04", "board")],
    ),
    case("called acme - legal reviews it monday", logs=[("Acme Corp", "call", "2026-03-04", "legal")]),
    case("spoke to dana, the pilot starts monday", logs=[("Acme Corp", "call", "2026-03-04", "pilot")]),
    case(
        "met helios, the board is meeting thursday",
        logs=[("Helios Labs", "meeting", "2026-03-04", "board")],
        lacks=["Follow-up"],
    ),
    case(
        "met juno, contract to be signed monday", logs=[("Juno Pet Supplies", "meeting", "2026-03-04", None)]
    ),
    # a possessive before "meeting" is the meeting itself, not someone's progressive
    case(
        "globex: tuesday's meeting went well",
        logs=[("Globex Corporation", "meeting", "2026-03-03", "went well")],
    ),
    case("met helios after yesterday's meeting with legal", logs=[("Helios Labs", "meeting", None, "legal")]),
    # the rep's own plans, and the other party's visit to the rep, are still follow-ups
    case("we're meeting acme thursday", fups=[("Acme Corp", "2026-03-05", None)]),
    case("dana is meeting us thursday", fups=[("Acme Corp", "2026-03-05", None)]),
    case("Globex is visiting the office on monday", fups=[("Globex Corporation", "2026-03-09", None)]),
    # the report's own day still dates it
    case("called acme on monday, they're reviewing it", logs=[("Acme Corp", "call", "2026-03-02", None)]),
    case("met globex, on monday", logs=[("Globex Corporation", "meeting", "2026-03-02", None)]),
    case(
        "spoke to helios, they were testing it on monday", logs=[("Helios Labs", "call", "2026-03-02", None)]
    ),
]

# ---- 5. an outcome still to come moves no stage -------------------------------------------------------
NOT_YET = [
    case("met acme, next friday they sign", logs=[("Acme Corp", "meeting", None, "sign")], lacks=["Moved"]),
    case(
        "acme: they're about a week out from signing",
        logs=[("Acme Corp", "note", None, "signing")],
        lacks=["Moved"],
    ),
    case("globex signs next week", logs=[("Globex Corporation", "note", None, "signs")], lacks=["Moved"]),
    case("Helios - signing on the 20th", logs=[("Helios Labs", "note", None, "signing")], lacks=["Moved"]),
    case("juno hasnt signed yet", logs=[("Juno Pet Supplies", "note", None, "signed")], lacks=["Moved"]),
    case("globex didnt sign", logs=[("Globex Corporation", "note", None, "sign")], lacks=["Moved"]),
    # stated outcomes still move
    case("met acme, they signed", logs=[("Acme Corp", "meeting", None, None)], stages={"Acme Corp": "won"}),
    case("globex - signed", stages={"Globex Corporation": "won"}),
    case("helios has signed!", stages={"Helios Labs": "won"}),
]


@pytest.mark.parametrize("c", THINGS + SINCE + LATER_CLAUSE + NOT_YET)
def test_session8(book: ToolContext, c: Case) -> None:
    run_case(book, c)


# ---- 6. a lookup in shorthand is answered, never logged -------------------------------------------------
LOOKUPS = [
    case("status w/ acme", reply=["Acme Corp"]),
    case("Status with Globex?", reply=["Globex Corporation"]),
    case("status on juno", reply=["Juno Pet Supplies"]),
    case("acme status", reply=["Acme Corp"]),
    case("helios update?", reply=["Helios Labs"]),
    case("update on summit", reply=["Summit Partners"]),
    case("last spoke to acme", reply=["Acme Corp", "Mon 2 Mar"]),
    case("last talked w/ helios", reply=["Helios Labs", "Fri 20 Feb"]),
    case("last heard from Summit", reply=["Summit Partners"]),
    case("when we last met juno", reply=["Juno Pet Supplies"]),
    case("last time we spoke to acme", reply=["Acme Corp", "Mon 2 Mar"]),
    case("acme last contact", reply=["Acme Corp", "Mon 2 Mar"]),
    case("last touchpoint Helios", reply=["Helios Labs"]),
    case("globex recap", reply=["Globex Corporation"]),
    case("status juno", reply=["Juno Pet Supplies"]),
    case("Acme - last call", reply=["Acme Corp"]),
    case("helios notes pls", reply=["Helios Labs"]),
    case("acme - where are we", reply=["Acme Corp"]),
    case("globex where we at", reply=["Globex Corporation"]),
    case("recent activity juno", reply=["Juno Pet Supplies"]),
    case("helios - last note", reply=["Helios Labs"]),
    case("acme - where are we, they went quiet", logs=[("Acme Corp", "note", None, "quiet")]),
    # a report under the same words is logged
    case("last call with acme went well", logs=[("Acme Corp", "call", None, "went well")]),
    case("we spoke to helios", logs=[("Helios Labs", "call", None, None)]),
    case(
        "update from acme: they signed", logs=[("Acme Corp", "note", None, None)], stages={"Acme Corp": "won"}
    ),
    case("news from globex - they want 50 seats", logs=[("Globex Corporation", "note", None, "50 seats")]),
    case(
        "last spoke to acme about pricing, they want a discount",
        logs=[("Acme Corp", "call", None, "discount")],
    ),
]

# ---- 7. a plan called off is no follow-up, and no meeting took place -------------------------------------
CALLED_OFF = [
    case(
        "I was meeting Acme on friday but it got cancelled",
        logs=[("Acme Corp", "note", "2026-03-04", "cancelled")],
        lacks=["Follow-up"],
    ),
    case(
        "the globex demo on the 10th fell through",
        logs=[("Globex Corporation", "note", "2026-03-04", "fell through")],
        lacks=["Follow-up"],
    ),
    case(
        "juno call on monday got called off",
        logs=[("Juno Pet Supplies", "note", "2026-03-04", "called off")],
        lacks=["Follow-up"],
    ),
    case(
        "was supposed to see Helios tomorrow, they cancelled on us",
        logs=[("Helios Labs", "note", "2026-03-04", "cancelled")],
        lacks=["Follow-up"],
    ),
    case(
        "we were due to visit summit tomorrow but it's off now",
        logs=[("Summit Partners", "note", "2026-03-04", "off")],
        lacks=["Follow-up"],
    ),
    case(
        "acme pulled out of friday's demo",
        logs=[("Acme Corp", "note", "2026-03-04", "demo")],
        lacks=["Moved"],
    ),
    case("acme bailed on the meeting", logs=[("Acme Corp", "note", None, "bailed")]),
    case(
        "globex postponed the call indefinitely", logs=[("Globex Corporation", "note", None, "indefinitely")]
    ),
    # out of the deal is still lost
    case("helios pulled out of the deal", stages={"Helios Labs": "lost"}),
    case("evergreen backed out", stages={"Evergreen Landscaping": "lost"}),
    # moved instead: a follow-up on the day it moved to
    case(
        "I was meeting acme friday but it got pushed to monday",
        fups=[("Acme Corp", "2026-03-09", "meeting")],
        lacks=["Logged"],
    ),
    case(
        "demo with globex on friday, it's been moved to the 12th",
        fups=[("Globex Corporation", "2026-03-12", "demo")],
    ),
    case("acme meeting moved to tuesday", fups=[("Acme Corp", "2026-03-10", "meeting")]),
    case("globex demo got pushed back to friday", fups=[("Globex Corporation", "2026-03-06", "demo")]),
    case(
        ["call acme friday", "the acme call got pushed to monday"],
        fups=[("Acme Corp", "2026-03-09", "call")],
    ),
    # with its follow-up open, the follow-up is cancelled
    case(
        ["meet acme friday", "I was meeting Acme on friday but it got cancelled"],
        closed=[("Acme Corp", "meet", "cancelled")],
    ),
    # what took place, or another plan, still is
    case(
        "met acme friday, the rollout got cancelled",
        logs=[("Acme Corp", "meeting", "2026-02-27", "rollout")],
    ),
    case(
        "met helios yesterday but the demo got cancelled",
        logs=[("Helios Labs", "meeting", "2026-03-03", None)],
    ),
    case(
        "helios cancelled the pilot, call them friday",
        logs=[("Helios Labs", "note", None, "pilot")],
        fups=[("Helios Labs", "2026-03-06", "call")],
    ),
]


@pytest.mark.parametrize("c", LOOKUPS + CALLED_OFF)
def test_session8_reads_and_called_off(book: ToolContext, c: Case) -> None:
    run_case(book, c)


# ---- 8. smaller ones --------------------------------------------------------------------------------------
SMALLER = [
    # the rep's act that makes the stage is logged, even when the stage does not change
    case(
        "globex: sent the quote",
        logs=[("Globex Corporation", "note", None, "sent the quote")],
        reply=["already in proposal"],
    ),
    case(
        "Lumière - submitted our proposal",
        logs=[("Lumière Studio", "note", None, "proposal")],
        reply=["already in proposal"],
    ),
    case(
        ["send globex the quote friday", "globex: sent the quote"],
        closed=[("Globex Corporation", "quote", "done")],
    ),
    # a request is logged before the rep is asked when
    case(
        "Rosa would like a call back", logs=[("Evergreen Landscaping", "note", None, "call back")], asks=True
    ),
    case("Arjun would like a demo", logs=[("Helios Labs", "note", None, "demo")], asks=True, reply=["when"]),
    case(
        ["holly at juno would love the catalog", "monday"],
        logs=[("Juno Pet Supplies", "note", None, "catalog")],
        fups=[("Juno Pet Supplies", "2026-03-09", "catalog")],
    ),
    # a to-do marker is no note of its own
    case("todo - call acme friday", fups=[("Acme Corp", "2026-03-06", "call")], lacks=["Logged"]),
    case(
        "TODO: send globex the contract by the 12th", fups=[("Globex Corporation", "2026-03-12", "contract")]
    ),
    case("to do: ping helios monday", fups=[("Helios Labs", "2026-03-09", None)], lacks=["Logged"]),
    # a follow-up found by its topic after a dash
    case("acme - pricing sent", closed=[("Acme Corp", "pricing", "done")]),
    case(
        "lumiere - push the spring shoot to monday", moved=[("Lumière Studio", "spring shoot", "2026-03-09")]
    ),
    case(
        "lumiere - snooze the signed quote a week", moved=[("Lumière Studio", "signed quote", "2026-03-19")]
    ),
    case(
        "globex: snooze the seat count to friday", moved=[("Globex Corporation", "seat count", "2026-03-06")]
    ),
    case("globex — seat count confirmed", closed=[("Globex Corporation", "seat count", "done")]),
    case("summit - questionnaire sent", closed=[("Summit Partners", "questionnaire", "done")]),
    # two actions, each with its own date, are two follow-ups
    case(
        "send Helios the deck by friday and book a call for the 10th",
        fups=[("Helios Labs", "2026-03-06", "deck"), ("Helios Labs", "2026-03-10", "call")],
    ),
    case(
        "email juno the catalog on monday, then call them thursday",
        fups=[("Juno Pet Supplies", "2026-03-09", "catalog"), ("Juno Pet Supplies", "2026-03-12", "call")],
    ),
    case(
        "call Nordlicht tomorrow & send them the quote by the 13th",
        fups=[("Nordlicht GmbH", "2026-03-05", "call"), ("Nordlicht GmbH", "2026-03-13", "quote")],
    ),
    case("send the deck to Helios and the pricing by friday", fups=[("Helios Labs", "2026-03-06", "deck")]),
]


@pytest.mark.parametrize("c", SMALLER)
def test_session8_smaller(book: ToolContext, c: Case) -> None:
    run_case(book, c)


def test_the_note_after_a_rename_is_only_the_note(book: ToolContext) -> None:
    respond(book, "rename Summit Partners to Summit Advisory; note for Summit Advisory: kickoff done")
    notes = _by_name(book)["Summit Advisory"]["interactions"]
    assert [n["body"] for n in notes if n["source"] == "cli"] == ["kickoff done"]


# ---- an unknown company opening a heading with a known customer's first word (lead's class A) --------
HEADINGS = [
    case("acme widgets - call went well", asks=True, reply=["acme widgets", "Acme Corp"]),
    case("globex orbital: they signed", asks=True, reply=["globex orbital"]),
    case(["nordlicht solar — sent the quote", "no"]),  # declined: nothing written
    case("helios robotics: wants a demo friday", asks=True),
    # ... or as the object of a contact verb
    case("met acme widgets today", asks=True, reply=["acme widgets", "Acme Corp"]),
    case("called globex orbital about the pilot", asks=True, reply=["globex orbital"]),
    case(["spoke with helios fabrication, they want a demo", "no"]),
    case("met acme team today", logs=[("Acme Corp", "meeting", None, None)]),
    case("called acme back about pricing", logs=[("Acme Corp", "call", None, "pricing")]),
    case("visited acme hq today", logs=[("Acme Corp", "meeting", None, None)]),
    case("spoke to helios arjun about pricing", logs=[("Helios Labs", "call", None, "pricing")]),
    case("emailed globex the quote", logs=[("Globex Corporation", "email", None, "quote")]),
    # who at the customer, when, their piece of work or news: still the customer
    case("acme team - call went well", logs=[("Acme Corp", "call", None, "went well")]),
    case("acme update: they signed", logs=[("Acme Corp", "note", None, None)], stages={"Acme Corp": "won"}),
    case("acme site visit: went well", logs=[("Acme Corp", None, None, "went well")]),
    case("globex yesterday - no answer", logs=[("Globex Corporation", None, "2026-03-03", "no answer")]),
    # a follow-up's topic before a heading that edits it is no company's name
    case(
        "globex seat count - give it another week", moved=[("Globex Corporation", "seat count", "2026-03-09")]
    ),
    case("call Acme first thing tomorrow", fups=[("Acme Corp", "2026-03-05T09:00", "call")]),
    # the word after the name is what the subject did: no run of another company's name
    case(
        "Nordlicht renewed - mark Helios Labs as won",
        logs=[("Nordlicht GmbH", "note", None, "renewed")],
        stages={"Helios Labs": "won"},
    ),
    case(
        "globex signed - ping acme friday",
        stages={"Globex Corporation": "won"},
        fups=[("Acme Corp", "2026-03-06", "ping")],
    ),
    case("helios arjun: wants a quote", logs=[("Helios Labs", "note", None, "quote")], asks=True),
]


@pytest.mark.parametrize("c", HEADINGS)
def test_session8_headings(book: ToolContext, c: Case) -> None:
    run_case(book, c)


# ---- an outcome verb whose object is not the deal moves no stage ------------------------------------------
NOT_THE_DEAL = [
    case("acme lost their CFO", logs=[("Acme Corp", "note", None, "CFO")], lacks=["Moved"]),
    case("juno lost a big client", logs=[("Juno Pet Supplies", "note", None, "client")], lacks=["Moved"]),
    case("helios won an award", logs=[("Helios Labs", "note", None, "award")], lacks=["Moved"]),
    case(
        "globex signed up for the webinar",
        logs=[("Globex Corporation", "note", None, "webinar")],
        lacks=["Moved"],
    ),
    case("nordlicht signed the NDA", logs=[("Nordlicht GmbH", "note", None, "NDA")], lacks=["Moved"]),
    case("lumiere is dead busy this week", logs=[("Lumière Studio", "note", None, "busy")], lacks=["Moved"]),
    case(
        "evergreen declined the meeting",
        logs=[("Evergreen Landscaping", None, None, "declined")],
        lacks=["Moved"],
    ),
    # the deal itself
    case("acme signed the contract", stages={"Acme Corp": "won"}),
    case("globex signed today 🎉", stages={"Globex Corporation": "won"}),
    case("helios: deal is dead", stages={"Helios Labs": "lost"}),
    case(
        "we lost Juno to GreenCo",
        logs=[("Juno Pet Supplies", None, None, "GreenCo")],
        stages={"Juno Pet Supplies": "lost"},
    ),
    case(
        "juno signed on the dotted line",
        logs=[("Juno Pet Supplies", None, None, None)],
        stages={"Juno Pet Supplies": "won"},
    ),
    case("Summit Partners passed on the proposal", stages={"Summit Partners": "lost"}),
    case("kettle & crumb declined", stages={"Kettle & Crumb Bakery": "lost"}),
    case(
        "acme signed a 2-year deal", logs=[("Acme Corp", None, None, "2-year")], stages={"Acme Corp": "won"}
    ),
    case(
        "globex signed for 3 years",
        logs=[("Globex Corporation", None, None, "3 years")],
        stages={"Globex Corporation": "won"},
    ),
    case("helios signed at 3pm", stages={"Helios Labs": "won"}),
    case(
        "juno declined politely",
        logs=[("Juno Pet Supplies", None, None, None)],
        stages={"Juno Pet Supplies": "lost"},
    ),
]


@pytest.mark.parametrize("c", NOT_THE_DEAL)
def test_session8_not_the_deal(book: ToolContext, c: Case) -> None:
    run_case(book, c)


# ---- the customer itself as the object of an outcome verb is the deal (fix of 6d20d2f) ------------------
THE_CUSTOMER_IS_THE_DEAL = [
    case("lost globex to a competitor", stages={"Globex Corporation": "lost"}),
    case("we lost acme corp to a cheaper vendor", stages={"Acme Corp": "lost"}),
    case("lost the acme deal to GreenCo", stages={"Acme Corp": "lost"}),
    case("won helios!", stages={"Helios Labs": "won"}),
    case("just won globex 🎉", stages={"Globex Corporation": "won"}),
    case("we won juno today", stages={"Juno Pet Supplies": "won"}),
    case("finally won NORDLICHT", stages={"Nordlicht GmbH": "won"}),
    case("lost lumiere to a cheaper studio", stages={"Lumière Studio": "lost"}),
    case("sadly we lost summit partners", stages={"Summit Partners": "lost"}),
    case("lost kettle & crumb to a local bakery", stages={"Kettle & Crumb Bakery": "lost"}),
    case("we won juno pet supplies at last", stages={"Juno Pet Supplies": "won"}),
    case("won evergreen, they start in april", stages={"Evergreen Landscaping": "won"}),
    case("won acme's business", stages={"Acme Corp": "won"}),
    case("we won acme back", stages={"Acme Corp": "won"}),
    case("lost globex as a customer", stages={"Globex Corporation": "lost"}),
    # still no outcome: the object is something of theirs, or a contact, or another company
    case("we lost acme's samples in transit", logs=[("Acme Corp", "note", None, "samples")], lacks=["Moved"]),
    case(
        "we lost globex's login again", logs=[("Globex Corporation", "note", None, "login")], lacks=["Moved"]
    ),
    case("acme lost their CFO", logs=[("Acme Corp", "note", None, "CFO")], lacks=["Moved"]),
    case("helios won an award", logs=[("Helios Labs", "note", None, "award")], lacks=["Moved"]),
    case(
        "signed globex up for the webinar",
        logs=[("Globex Corporation", "note", None, "webinar")],
        lacks=["Moved"],
    ),
    case("signed acme NDA today", logs=[("Acme Corp", "note", None, "NDA")], lacks=["Moved"]),
    case("we lost acme widgets to a competitor", asks=True, reply=["acme widgets"]),
    case("won helios robotics!", asks=True, reply=["helios robotics"]),
    case("signed globex orbital today", asks=True, reply=["globex orbital"]),
    case("we lost juno fabrication to GreenCo", asks=True, reply=["juno fabrication"]),
]


@pytest.mark.parametrize("c", THE_CUSTOMER_IS_THE_DEAL)
def test_session8_the_customer_is_the_deal(book: ToolContext, c: Case) -> None:
    run_case(book, c)


# ---- a heading: a partial name, then the customer's work or its write-up (fix of 669019d) ------------------
_PASTE = (
    "Attendees: Hank, Maria.\nThey want 40 seats, budget approved for Q2. As discussed on Monday, legal "
    "reviews the MSA next. Concerns: SSO, data residency. Next steps: we send pricing."
)
WORK_HEADINGS = [
    case("globex mtg notes: they want 40 seats", logs=[("Globex Corporation", None, None, "40 seats")]),
    case(
        "acme mtg minutes - pricing discussed, they want a discount",
        logs=[("Acme Corp", None, None, "discount")],
    ),
    case("helios call recap: arjun wants the SLA", logs=[("Helios Labs", None, None, "SLA")], asks=True),
    case(
        "juno qbr notes: renewal looks good", logs=[("Juno Pet Supplies", None, None, "renewal looks good")]
    ),
    case("globex mins: talked about onboarding", logs=[("Globex Corporation", None, None, "onboarding")]),
    case("acme meeting notes 12/3: went well", logs=[("Acme Corp", None, None, "went well")]),
    case("nordlicht debrief - they liked the demo", logs=[("Nordlicht GmbH", None, None, "liked the demo")]),
    case("globex sync notes: EU hosting is a must", logs=[("Globex Corporation", None, None, "EU hosting")]),
    case("helios kickoff recap: all good", logs=[("Helios Labs", None, None, "all good")]),
    case("acme demo debrief: they loved it", logs=[("Acme Corp", None, None, "loved it")]),
    case("juno standup notes — catalog ready", logs=[("Juno Pet Supplies", None, None, "catalog ready")]),
    case("globex call summary: no blockers", logs=[("Globex Corporation", None, None, "no blockers")]),
    case("acme writeup: they want SSO", logs=[("Acme Corp", None, None, "SSO")]),
    # a long paste under the heading is logged whole, on that customer, dated today
    case(
        "globex mtg notes: " + _PASTE,
        logs=[("Globex Corporation", None, "2026-03-04", "Next steps: we send pricing")],
    ),
    case("helios qbr minutes - " + _PASTE, logs=[("Helios Labs", None, "2026-03-04", "Attendees")]),
    # another company's word after the partial name still asks
    case("acme widgets - call went well", asks=True, reply=["acme widgets"]),
    case("globex orbital notes: they signed", asks=True, reply=["globex orbital"]),
    case("helios robotics: wants a demo friday", asks=True),
    case("juno fabrication - call went well", asks=True),
]


@pytest.mark.parametrize("c", WORK_HEADINGS)
def test_session8_work_headings(book: ToolContext, c: Case) -> None:
    run_case(book, c)


# ---- a day the message refers back to ("as discussed on monday") dates nothing ------------------------
REFERS_BACK = [
    case(
        "acme: as discussed on Monday, they want 40 seats",
        logs=[("Acme Corp", "note", "2026-03-04", "40 seats")],
        lacks=["Follow-up"],
    ),
    case(
        "called globex, per our call last friday they need SSO",
        logs=[("Globex Corporation", "call", "2026-03-04", "SSO")],
    ),
    case(
        "helios - as agreed on the 2nd, pricing holds",
        logs=[("Helios Labs", "note", "2026-03-04", "pricing holds")],
    ),
    # the day the report itself names still dates it
    case("met acme on monday, they want 40 seats", logs=[("Acme Corp", "meeting", "2026-03-02", "40 seats")]),
    case(
        "we discussed pricing with globex on monday", logs=[("Globex Corporation", None, "2026-03-02", None)]
    ),
]


@pytest.mark.parametrize("c", REFERS_BACK)
def test_session8_refers_back(book: ToolContext, c: Case) -> None:
    run_case(book, c)


# ---- the day in a write-up's heading is when the occasion took place --------------------------------------
WRITE_UP_DAY = [
    case(
        "acme call notes monday: pricing ok",
        logs=[("Acme Corp", "call", "2026-03-02", "pricing ok")],
        lacks=["Follow-up"],
    ),
    case(
        "globex mtg notes (tuesday): they want 40 seats",
        logs=[("Globex Corporation", "meeting", "2026-03-03", "40 seats")],
        lacks=["Follow-up"],
    ),
    case(
        "helios call recap 2 Mar - arjun is happy",
        logs=[("Helios Labs", "call", "2026-03-02", "happy")],
        lacks=["Follow-up"],
    ),
    case(
        "juno qbr minutes from friday: renewal looks good",
        logs=[("Juno Pet Supplies", None, "2026-02-27", "renewal")],
        lacks=["Follow-up"],
    ),
    case(
        "acme mtg notes today: fine",
        logs=[("Acme Corp", "meeting", "2026-03-04", "fine")],
        lacks=["Follow-up"],
    ),
    # a promise to send the notes is still a follow-up
    case("send acme the call notes friday", fups=[("Acme Corp", "2026-03-06", "notes")]),
    case("globex: send the mtg notes by monday", fups=[("Globex Corporation", "2026-03-09", "notes")]),
    case("acme call monday: prep the pricing", fups=[("Acme Corp", "2026-03-09", None)]),
]


@pytest.mark.parametrize("c", WRITE_UP_DAY)
def test_session8_write_up_day(book: ToolContext, c: Case) -> None:
    run_case(book, c)


# ---- a one-word customer's name with another word after it is another company (review item 2) ------------
@pytest.fixture
def one_word(book: ToolContext) -> ToolContext:
    create_customer(book, CreateCustomer(name="Copperfield"))
    return book


ONE_WORD = [
    case("copperfield orbital: they signed", asks=True, reply=["copperfield orbital"]),
    case("copperfield media - call went well", asks=True, reply=["copperfield media"]),
    case("called copperfield widgets about the pilot", asks=True, reply=["copperfield widgets"]),
    case("met copperfield foods today", asks=True, reply=["copperfield foods"]),
    # the customer itself, its people, work, news and times
    case("copperfield: they signed", stages={"Copperfield": "won"}),
    case("copperfield signed!", stages={"Copperfield": "won"}),
    case("copperfield team - call went well", logs=[("Copperfield", "call", None, "went well")]),
    case("copperfield update: they want 40 seats", logs=[("Copperfield", "note", None, "40 seats")]),
    case("copperfield mtg notes: they want 40 seats", logs=[("Copperfield", "meeting", None, "40 seats")]),
    case("called copperfield about the pilot", logs=[("Copperfield", "call", None, "pilot")]),
    case("met copperfield today", logs=[("Copperfield", "meeting", None, None)]),
    case("copperfield yesterday - no answer", logs=[("Copperfield", None, "2026-03-03", "no answer")]),
    case("copperfield demo went well", logs=[("Copperfield", None, None, "went well")]),
]


@pytest.mark.parametrize("c", ONE_WORD)
def test_session8_one_word_customer(one_word: ToolContext, c: Case) -> None:
    run_case(one_word, c)


# ---- a plan reported as fallen through cancels the open follow-up it is about (review item 4) --------------
FELL_THROUGH = [
    case(
        ["demo for acme on friday", "the acme demo on the 6th fell through"],
        closed=[("Acme Corp", "demo", "cancelled")],
    ),
    case(
        ["demo for acme on friday", "acme pulled out of friday's demo"],
        closed=[("Acme Corp", "demo", "cancelled")],
    ),
    case(
        ["call globex monday", "globex backed out of monday's call"],
        closed=[("Globex Corporation", "call", "cancelled")],
    ),
    # with no such follow-up open: a note; out of the deal is still lost
    case(
        "the globex demo on the 10th fell through", logs=[("Globex Corporation", "note", "2026-03-04", None)]
    ),
    case("acme bailed on the meeting", logs=[("Acme Corp", "note", None, "bailed")]),
    case("helios pulled out of the deal", stages={"Helios Labs": "lost"}),
]


@pytest.mark.parametrize("c", FELL_THROUGH)
def test_session8_fell_through(book: ToolContext, c: Case) -> None:
    run_case(book, c)


# ---- what is to be done on a day is ahead, in a clause of its own too (review item 6) ----------------------
TO_BE_DONE = [
    case(
        "juno: contract to be signed monday", logs=[("Juno Pet Supplies", "note", "2026-03-04", "contract")]
    ),
    case(
        "globex - contract to be signed on friday", logs=[("Globex Corporation", "note", "2026-03-04", None)]
    ),
    case("helios: PO to be issued next week", logs=[("Helios Labs", "note", "2026-03-04", "PO")]),
    # the day of what happened still dates it
    case("acme: contract signed monday", stages={"Acme Corp": "won"}),
    case(
        "called globex monday, PO to be issued next week",
        logs=[("Globex Corporation", "call", "2026-03-02", "PO")],
    ),
]


@pytest.mark.parametrize("c", TO_BE_DONE)
def test_session8_to_be_done(book: ToolContext, c: Case) -> None:
    run_case(book, c)


# ---- 'rebook' is the rep's own task, after a plan called off too (review item 5) ---------------------------
REBOOK = [
    case(
        "helios call on thurs got cancelled, rebook for next week",
        logs=[("Helios Labs", "note", "2026-03-04", "cancelled")],
        fups=[("Helios Labs", "2026-03-09", "rebook")],
    ),
    case("rebook helios for next week", fups=[("Helios Labs", "2026-03-09", "rebook")]),
    case(
        "the acme demo fell through, re-book it for the 12th",
        logs=[("Acme Corp", "note", "2026-03-04", None)],
        fups=[("Acme Corp", "2026-03-12", "book")],
    ),
    case(
        "helios call on thurs got cancelled",
        logs=[("Helios Labs", "note", "2026-03-04", "cancelled")],
        lacks=["Follow-up"],
    ),
]


@pytest.mark.parametrize("c", REBOOK)
def test_session8_rebook(book: ToolContext, c: Case) -> None:
    run_case(book, c)


# a reference back only at a sentence's or clause's start: after the plan's own words it is the plan's day
REFERS_BACK_PLANS = [
    case("call acme as agreed on friday", fups=[("Acme Corp", "2026-03-06", "call")], lacks=["Logged"]),
    case(
        "meet globex as discussed on monday",
        fups=[("Globex Corporation", "2026-03-09", None)],
        lacks=["Logged"],
    ),
    case("send helios the quote friday as discussed", fups=[("Helios Labs", "2026-03-06", "quote")]),
]


@pytest.mark.parametrize("c", REFERS_BACK_PLANS)
def test_session8_refers_back_plans(book: ToolContext, c: Case) -> None:
    run_case(book, c)


# an everyday first word that starts one customer's name, then a write-up word, is no name ("quick note: …")
@pytest.fixture
def everyday(book: ToolContext) -> ToolContext:
    for name in ("Quick Bites", "Good News Media"):
        create_customer(book, CreateCustomer(name=name))
    return book


@pytest.mark.parametrize(
    "text", ["quick note: they signed", "quick update - they signed", "quick sync: they want a demo friday"]
)
def test_session8_everyday_opener_is_no_customer(everyday: ToolContext, text: str) -> None:
    before = _by_name(everyday)
    reply = respond(everyday, text)
    assert not reply.wrote, reply.text
    assert _by_name(everyday) == before
