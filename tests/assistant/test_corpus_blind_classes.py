"""The understanding classes the lead's blind set found (own phrasings, not theirs): date shorthand
(yday/yest), a past verb with a weekday, end of month; promises said with gotta/should/gonna and the
next turn's date; verbal yes / green light as won (negation kept); a contact with a role after a comma
and an apostrophe/hyphen name; contact details and stage lists asked tersely; slipping/overdue.

Book: tests/assistant/corpus.py; now is Wed 4 Mar 2026.
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext

DATES = [
    case("called Dana yday about the renewal", logs=[("Acme Corp", "call", "2026-03-03", "renewal")]),
    case("emailed arjun yest re the pilot", logs=[("Helios Labs", "email", "2026-03-03", "pilot")]),
    case("wrote to Hank on friday about seats", logs=[("Globex Corporation", None, "2026-02-27", "seats")]),
    case(
        "emailed Nina on monday about the rollout",
        logs=[("Nordlicht GmbH", "email", "2026-03-02", "rollout")],
    ),
    case("send Summit the DPA by end of month", fups=[("Summit Partners", "2026-03-31", "DPA")]),
    case("chase Evergreen for the signed form by EOM", fups=[("Evergreen Landscaping", "2026-03-31", None)]),
]

PROMISES = [
    case(
        ["gotta send Juno the invoice", "make it the 20th"],
        fups=[("Juno Pet Supplies", "2026-03-20", "invoice")],
    ),
    case(["I should call Helios about the pilot", "friday"], fups=[("Helios Labs", "2026-03-06", None)]),
    case(
        ["we're gonna send Globex the SOW", "let's say monday"],
        fups=[("Globex Corporation", "2026-03-09", "SOW")],
    ),
    case("gotta send Juno the invoice", asks=True, reply=["when"]),
]

OUTCOMES = [
    case("verbal yes from Nordlicht", stages={"Nordlicht GmbH": "won"}),
    case("Helios gave us a verbal ok", stages={"Helios Labs": "won"}),
    case("green light from Summit Partners!", stages={"Summit Partners": "won"}),
    case("Juno greenlit the order", stages={"Juno Pet Supplies": "won"}),
    # negated: nothing moves
    case("no green light from Evergreen yet", logs=[("Evergreen Landscaping", "note", None, "green light")]),
    case("Globex hasn't given a verbal yes", logs=[("Globex Corporation", "note", None, "verbal yes")]),
]

CONTACTS = [
    case(
        "add contact Sean O'Brien, ops manager at Summit Partners, sean@summit.example",
        contacts=[("Summit Partners", "Sean O'Brien", "ops manager")],
    ),
    case(
        "add contact Mary-Jane Watts, head of ops at Helios",
        contacts=[("Helios Labs", "Mary-Jane Watts", "head of ops")],
    ),
]

QUESTIONS = [
    case("dana number?", reply=["Dana Whitfield"]),
    case("arjun phone?", reply=["Arjun Mehta"]),
    case("email for hank?", reply=["Hank Scorpio"]),
    case("whats in proposal rn", reply=["Globex", "Lumière"], lacks=["Acme"]),
    case("who's in negotiation", reply=["Helios"]),
    case("anything slipping?", lacks=["Logged"]),
    case("whats overdue", reply=["Globex"]),
]


@pytest.mark.parametrize("c", DATES + PROMISES + OUTCOMES + CONTACTS + QUESTIONS)
def test_blind_classes(book: ToolContext, c: Case) -> None:
    run_case(book, c)
