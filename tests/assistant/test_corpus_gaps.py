"""Classes the earlier measurement found missing, in fresh phrasings (with the negatives that must not
change): the part of the day as a follow-up's time, lost to a named competitor (stage AND note; the
competitor is never a customer), a sentence-initial word that starts one customer's name, "what's
open with X?" as a question, shorthand durations, one message that completes one follow-up and moves
another, a correction of kind and day at once, and an edited message logged in pieces.

Book: tests/assistant/corpus.py. Now is Wed 4 Mar 2026 14:00 UTC.
"""

from __future__ import annotations

import pytest

from assistant.conversation import respond
from assistant.engine import respond_to_edit
from tests.assistant.corpus import Case, _by_name, case, run_case
from tools.context import ToolContext

PART_OF_DAY = [
    case("call Acme first thing tomorrow", fups=[("Acme Corp", "2026-03-05T09:00", "call")], reply=["09:00"]),
    case("follow up with Helios tomorrow morning", fups=[("Helios Labs", "2026-03-05T09:00", None)]),
    case("ping Globex thursday afternoon", fups=[("Globex Corporation", "2026-03-05T14:00", None)]),
    case(
        "remind me to call Juno friday in the afternoon",
        fups=[("Juno Pet Supplies", "2026-03-06T14:00", None)],
    ),
    case(
        "send Evergreen the planting plan EOD friday",
        fups=[("Evergreen Landscaping", "2026-03-06T17:00", "plan")],
    ),
    case("ring Nordlicht tonight about the invoice", fups=[("Nordlicht GmbH", "2026-03-04T18:00", None)]),
    case("send Summit the DPA by noon monday", fups=[("Summit Partners", "2026-03-09T12:00", "DPA")]),
    case("I'll send Dana the quote tomorrow am", fups=[("Acme Corp", "2026-03-05T09:00", "quote")]),
    case("ping Juno re the catalog first thing", fups=[("Juno Pet Supplies", "2026-03-05T09:00", "catalog")]),
    case(
        "friday pm call with Arjun",
        fups=[("Helios Labs", "2026-03-06T14:00", "call with Arjun")],
        lacks=["pm call"],
    ),
    # a time said wins; a past part of the day is when it happened
    case("call Helios tomorrow morning at 10:30", fups=[("Helios Labs", "2026-03-05T10:30", None)]),
    case(
        "met Acme this morning, they want the pricing sheet",
        logs=[("Acme Corp", "meeting", "2026-03-04", None)],
    ),
]

LOST_TO = [
    case(
        "Evergreen went with GreenCo",
        stages={"Evergreen Landscaping": "lost"},
        logs=[("Evergreen Landscaping", "note", None, "GreenCo")],
        lacks=["GreenCo?"],
    ),
    case(
        "Nordlicht chose Siemens over us",
        stages={"Nordlicht GmbH": "lost"},
        logs=[("Nordlicht GmbH", None, None, "Siemens")],
    ),
    case(
        "Kettle & Crumb decided to go with BakeRite",
        stages={"Kettle & Crumb Bakery": "lost"},
        logs=[("Kettle & Crumb Bakery", None, None, "BakeRite")],
    ),
    case(
        "we lost Globex to Initech",
        stages={"Globex Corporation": "lost"},
        logs=[("Globex Corporation", None, None, "Initech")],
    ),
    # the winner is an existing customer: it is not who the message is about
    case(
        "Summit went with Acme Corp",
        stages={"Summit Partners": "lost"},
        logs=[("Summit Partners", None, None, "Acme Corp")],
    ),
    # hoped-for or denied: nothing moves
    case(
        "hoping Helios doesn't go with a cheaper vendor",
        logs=[("Helios Labs", "note", None, "cheaper vendor")],
    ),
]

LEADING_WORD = [
    case(
        "Summit called, they want the security pack",
        logs=[("Summit Partners", "call", None, "security pack")],
    ),
    case("Summit just emailed asking for the DPA", logs=[("Summit Partners", "email", None, "DPA")]),
    case("Summit signed!", stages={"Summit Partners": "won"}, also_changed=[]),
    # typed lower case too
    case(
        "summit called, they want the security pack",
        logs=[("Summit Partners", "call", None, "security pack")],
    ),
    case("brightline called, they want a demo", asks=True),
    # two customers share the word: ask
    case("Brightline called, they want a demo", asks=True, reply=["Brightline Media", "Brightline Motors"]),
    # no verb of a report after it: not decisive, ask
    case("Summit is a great word for a deck", asks=True),
]

OPEN_QUESTIONS = [
    case("anything still open with Acme?", reply=["send pricing"]),
    case("what's open for Lumiere", reply=["chase the signed quote", "plan the spring shoot"]),
    case("anything outstanding with Globex?", reply=["confirm seat count"]),
    case("what do we still owe Helios", reply=["no follow-ups"]),
    case("anything open?", reply=["send pricing"]),
]

DURATIONS = [
    case("check back with Helios in 2 mos", fups=[("Helios Labs", "2026-05-04", None)]),
    case("follow up w/ Juno in 6 wks", fups=[("Juno Pet Supplies", "2026-04-15", None)]),
    case("circle back with Nordlicht in a fortnight", fups=[("Nordlicht GmbH", "2026-03-18", None)]),
    case("ping Evergreen in a couple days", fups=[("Evergreen Landscaping", "2026-03-06", None)]),
    case("follow up with Acme in 3 wks", fups=[("Acme Corp", "2026-03-25", None)]),
]

TWO_EDITS = [
    case(
        [
            "send Acme the deck friday",
            "call Acme monday about the renewal",
            "done with the deck, push the call two days",
        ],
        closed=[("Acme Corp", "send the deck", "done")],
        moved=[("Acme Corp", "renewal", "2026-03-11")],
        lacks=["Logged"],
        also_changed=["Acme Corp"],
    ),
    # "check-in a week" is a week from the check-in, not "in a week" from today
    case(
        "quote chased with Lumiere, and push the kettle & crumb check-in a week",
        closed=[("Lumière Studio", "chase the signed quote", "done")],
        moved=[("Kettle & Crumb Bakery", "quarterly check-in", "2026-03-17")],
    ),
    # a move's date is ahead even beside a past clause
    case(
        "security questionnaire sent to Summit, move the Lumiere spring shoot to friday",
        closed=[("Summit Partners", "security questionnaire", "done")],
        moved=[("Lumière Studio", "spring shoot", "2026-03-06")],
    ),
    case(
        ["Lumiere quote chased ✅, and move the spring shoot a week"],
        closed=[("Lumière Studio", "chase the signed quote", "done")],
        moved=[("Lumière Studio", "spring shoot", "2026-03-27")],
    ),
]

CORRECTIONS = [
    case(
        ["called Helios about the pilot", "that was a meeting, on Tuesday"],
        logs=[("Helios Labs", "meeting", "2026-03-03", "pilot")],
    ),
    case(
        ["emailed Juno the catalog yesterday", "actually it was a call, monday"],
        logs=[("Juno Pet Supplies", "call", "2026-03-02", "catalog")],
    ),
    # the date alone still moves the follow-up of the last message
    case(
        ["Met Acme, follow up friday", "no wait, the 14th"],
        fups=[("Acme Corp", "2026-03-14", None)],
        also_changed=[],
    ),
]


@pytest.mark.parametrize(
    "c", PART_OF_DAY + LOST_TO + LEADING_WORD + OPEN_QUESTIONS + DURATIONS + TWO_EDITS + CORRECTIONS
)
def test_gaps(book: ToolContext, c: Case) -> None:
    run_case(book, c)


def test_competitor_is_never_created(book: ToolContext) -> None:
    respond(book, "Evergreen went with GreenCo")
    assert "GreenCo" not in _by_name(book)


def test_an_edit_replaces_every_piece_the_message_was_logged_in(book: ToolContext) -> None:
    """Logged as two pieces (Acme's and Helios's); the edit corrects both, not only the last."""
    respond(book, "Met Acme, they want pricing. Helios signed the MSA.", message_ref="tg:7")
    respond_to_edit(
        book, "Met Acme, they want pricing for 40 seats. Helios signed the MSA today.", message_ref="tg:7"
    )
    now = _by_name(book)
    acme = [i["body"] for i in now["Acme Corp"]["interactions"] if "pricing" in i["body"]]
    helios = [i["body"] for i in now["Helios Labs"]["interactions"] if "MSA" in i["body"]]
    assert acme == ["Met Acme, they want pricing for 40 seats"]
    assert helios == ["Helios signed the MSA today"]


def test_an_edit_of_a_message_about_two_customers_corrects_both(book: ToolContext) -> None:
    asked = respond(
        book, "Nordlicht and Summit Partners both asked for the security whitepaper", message_ref="tg:8"
    )
    respond(book, "both", asked.state, message_ref="tg:8")
    respond_to_edit(
        book, "Nordlicht and Summit Partners both asked for the security whitepaper v2", message_ref="tg:8"
    )
    now = _by_name(book)
    for name in ("Nordlicht GmbH", "Summit Partners"):
        bodies = [i["body"] for i in now[name]["interactions"] if "whitepaper" in i["body"]]
        assert bodies == ["Nordlicht and Summit Partners both asked for the security whitepaper v2"], name
