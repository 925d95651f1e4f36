"""The SPEC's "Conversation" classes, in phrasings of our own: promises, planned events, pasted text,
outcomes and negations, follow-ups found by topic, corrections, questions that look like notes,
shorthand and dictation without punctuation.

Today is Wed 4 Mar 2026. Open follow-ups in the book: Acme "send pricing" Fri 6 Mar, Globex "confirm
seat count" Mon 2 Mar, Kettle & Crumb "quarterly check-in" Tue 10 Mar, Summit "send the security
questionnaire" Thu 5 Mar, Lumière "chase the signed quote" Thu 12 Mar and "plan the spring shoot" Fri 20 Mar.
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext

PROMISES = [
    case(
        "Met Nordlicht, I'll send Nina the rollout plan by Monday",
        logs=[("Nordlicht GmbH", "meeting", "2026-03-04", "rollout plan")],
        fups=[("Nordlicht GmbH", "2026-03-09", "send Nina the rollout plan")],
    ),
    case("owe Dana the SLA draft by EOD thursday", fups=[("Acme Corp", "2026-03-05T17:00", "SLA draft")]),
    case(
        "pick this up again with Evergreen on the 18th",
        fups=[("Evergreen Landscaping", "2026-03-18", "pick this up")],
    ),
    case(
        "Helios needs the security answers before the 20th",
        logs=[("Helios Labs", "note", None, "security answers")],
        fups=[("Helios Labs", "2026-03-20", "security answers")],
    ),
    case(
        "Arjun Mehta said they'd get back to us by EOW",
        logs=[("Helios Labs", "note", None, "get back to us")],
    ),
    case(
        "Brightline Media - Holly wants to meet next Thursday at 2",
        logs=[("Brightline Media", "note", None, "wants to meet")],
        fups=[("Brightline Media", "2026-03-12T14:00", "meet")],  # next week's Thursday
    ),
    case(
        "follow up with Nordlicht about the pilot",
        asks=True,
        reply=["When should I follow up with Nordlicht GmbH"],
    ),
    case(
        ["follow up with Nordlicht about the pilot", "next tuesday"],
        fups=[("Nordlicht GmbH", "2026-03-10", "pilot")],
    ),
]

PLANNED = [
    case(
        "demo for Brightline Motors booked for the 17th at 10am",
        fups=[("Brightline Motors", "2026-03-17T10:00", "demo")],
    ),
    case(
        "site visit at Kettle & Crumb thurs 2pm",
        fups=[("Kettle & Crumb Bakery", "2026-03-05T14:00", "site visit")],
    ),
    case("lunch with Rosa next Wednesday", fups=[("Evergreen Landscaping", "2026-03-11", "lunch")]),
    case(
        "Juno Pet Supplies: onboarding call on the 9th",
        fups=[("Juno Pet Supplies", "2026-03-09", "onboarding call")],
    ),
]

PASTED = [
    case(
        'Nina Berg emailed: "Following up on our call last Friday, we would like 3 licences"',
        logs=[("Nordlicht GmbH", "email", "2026-03-04", "3 licences")],
    ),
    case(
        'Dana Whitfield wrote: "as agreed on Monday, please send the contract by Friday"',
        logs=[("Acme Corp", "email", "2026-03-04", "as agreed on Monday")],
    ),
]

OUTCOMES = [
    case("Nordlicht is a go!", stages={"Nordlicht GmbH": "won"}),
    case("we lost Brightline Motors, they went with a competitor", stages={"Brightline Motors": "lost"}),
    case(
        "Summit Partners not signed until legal is done",
        stages={"Summit Partners": "qualified"},
        logs=[("Summit Partners", "note", None, "until legal")],
    ),
    case(
        "hoping Helios signs next week",
        stages={"Helios Labs": "negotiation"},
        logs=[("Helios Labs", "note", None, "hoping")],
    ),
    case(
        "Nordlicht - contract signed, kickoff on the 16th",
        stages={"Nordlicht GmbH": "won"},
        fups=[("Nordlicht GmbH", "2026-03-16", "kickoff")],
    ),
    case("Brightline Motors isn't interested anymore", stages={"Brightline Motors": "lost"}),
    case(
        "Brightline Motors said they're not interested in the premium tier",
        stages={"Brightline Motors": "lead"},
        logs=[("Brightline Motors", "note", None, "premium tier")],
    ),
    case(
        "note for Acme: Dana joked 'just mark us as lost' lol",
        stages={"Acme Corp": "qualified"},
        logs=[("Acme Corp", "note", None, "mark us as lost")],
    ),
]

BY_TOPIC = [
    case(
        "security questionnaire sent to Summit Partners ✅",
        closed=[("Summit Partners", "security questionnaire", "done")],
    ),
    case(
        "drop the kettle & crumb check-in, they went quiet",
        closed=[("Kettle & Crumb Bakery", "check-in", "cancelled")],
        logs=[("Kettle & Crumb Bakery", "note", None, "went quiet")],
    ),
    case("done: Kettle & Crumb quarterly check-in", closed=[("Kettle & Crumb Bakery", "check-in", "done")]),
    case(
        "move the Lumière spring shoot back a week", moved=[("Lumière Studio", "spring shoot", "2026-03-27")]
    ),
    case("give the Acme pricing follow-up two more days", moved=[("Acme Corp", "pricing", "2026-03-08")]),
]

CORRECTIONS = [
    case(
        ["remind me to call Evergreen on Monday", "sorry, I meant Tuesday"],
        fups=[("Evergreen Landscaping", "2026-03-10", "call")],
        reply=["Corrected"],
    ),
    case(
        ["Called Juno about the spring catalogue", "wrong customer — it was Brightline Media"],
        logs=[("Brightline Media", "call", None, "spring catalogue")],
    ),
    case(
        ["Met Nordlicht about the rollout", "no, that was a call"],
        logs=[("Nordlicht GmbH", "call", None, "rollout")],
    ),
]

QUESTIONS = [
    case("Acme is still in qualified, right?", reply=["Acme Corp is in qualified"]),
    case("when did we last speak to Globex?", reply=["Globex"]),
    case("number for Hank?", reply=["Hank Scorpio"]),
    case("which deals are in proposal?", reply=["Globex Corporation", "Lumière Studio"]),
    case("Helios Labs has signed by now, hasn't it?", reply=["negotiation"]),
    case("did Nina Berg get back to us?", reply=["Nordlicht"]),
    # no question mark: an auxiliary before its subject still asks
    case("has Helios Labs signed yet", reply=["negotiation"]),
    case("do we have a phone number for Brightline Motors", reply=["Ivan Petrov"]),
    case("is Summit Partners still in qualified", reply=["qualified"]),
]

SHORTHAND_AND_DICTATION = [
    case("f/u w/ Nordlicht tmrw re pricing", fups=[("Nordlicht GmbH", "2026-03-05", "pricing")]),
    case("vm for Rosa, pls call back next wk", fups=[("Evergreen Landscaping", "2026-03-09", "call back")]),
    case(
        "Met Dana, follow up in 2 wks about the pilot",
        logs=[("Acme Corp", "meeting", None, "pilot")],
        fups=[("Acme Corp", "2026-03-18", "pilot")],
    ),
    case(
        "spoke to Rosa she wants the spring quote follow up next tuesday",
        logs=[("Evergreen Landscaping", "call", None, "spring quote")],
        fups=[("Evergreen Landscaping", "2026-03-10", "spring quote")],
    ),
]


@pytest.mark.parametrize(
    "c", PROMISES + PLANNED + PASTED + OUTCOMES + BY_TOPIC + CORRECTIONS + QUESTIONS + SHORTHAND_AND_DICTATION
)
def test_conversation(book: ToolContext, c: Case) -> None:
    run_case(book, c)
