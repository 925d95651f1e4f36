"""Follow-ups: scheduling (dates in many forms), completing, cancelling, rescheduling, impossible dates.

Today is Wed 4 Mar 2026. Open follow-ups in the book: Acme "send pricing" Fri 6 Mar, Globex "confirm
seat count" Mon 2 Mar (overdue, kim), Kettle & Crumb "quarterly check-in" Tue 10 Mar, Summit "send the
security questionnaire" Thu 5 Mar (alex), Lumière "chase the signed quote" Thu 12 Mar and "plan the
spring shoot" Fri 20 Mar.
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext

SCHEDULE = [
    case("remind me to call Nordlicht on Monday", fups=[("Nordlicht GmbH", "2026-03-09", "call")]),
    case("follow up with Helios in 2 weeks about pricing", fups=[("Helios Labs", "2026-03-18", "pricing")]),
    case("Evergreen — end of month", fups=[("Evergreen Landscaping", "2026-03-31", None)]),
    case(
        "follow up with Globex tomorrow 3pm",
        fups=[("Globex Corporation", "2026-03-05T15:00", None)],
        reply=["15:00"],
    ),
    case(
        "ping Brightline Motors next Tuesday about the fleet quote",
        fups=[("Brightline Motors", "2026-03-10", "fleet quote")],
    ),
    case("follow up with juno pet supplies on 2026-03-16", fups=[("Juno Pet Supplies", "2026-03-16", None)]),
    case("remind me to send Dana the contract on Friday", fups=[("Acme Corp", "2026-03-06", "contract")]),
    case("call back Café Müller in 3 days", fups=[("Café Müller", "2026-03-07", None)]),
    case("Kettle & Crumb: check in on March 20", fups=[("Kettle & Crumb Bakery", "2026-03-20", None)]),
    case("FOLLOW UP WITH SUMMIT PARTNERS NEXT WEEK", fups=[("Summit Partners", "2026-03-09", None)]),
    case(
        "nudge Rosa in 10 days about the spring quote",
        fups=[("Evergreen Landscaping", "2026-03-14", "spring quote")],
    ),
    case("remind me about Lumière on the 15th", fups=[("Lumière Studio", "2026-03-15", None)]),
    case(
        "follow up with Acme at end of month about the renewal", fups=[("Acme Corp", "2026-03-31", "renewal")]
    ),
    case("set a reminder for Juno Pet Supplies on 3/23", fups=[("Juno Pet Supplies", "2026-03-23", None)]),
    case("Evergreen wants a callback tomorrow", fups=[("Evergreen Landscaping", "2026-03-05", None)]),
    case("follow up w/ nordlicht gmbh in a week", fups=[("Nordlicht GmbH", "2026-03-11", None)]),
    case(
        "folow up with kettle & crumb on friday", fups=[("Kettle & Crumb Bakery", "2026-03-06", "follow up")]
    ),
    case("follwup Juno Pet Supplies next tuesday", fups=[("Juno Pet Supplies", "2026-03-10", None)]),
    # a report and its follow-up in one message
    case(
        "Met Nordlicht today, follow up on Friday",
        logs=[("Nordlicht GmbH", "meeting", "2026-03-04", None)],
        fups=[("Nordlicht GmbH", "2026-03-06", None)],
    ),
    # their deadline is the rep's to-do too (SPEC "Promises become follow-ups"), beside the asked-for one
    case(
        "Called Helios yesterday, they want a proposal by Friday. Follow up Tuesday.",
        logs=[("Helios Labs", "call", "2026-03-03", "proposal by Friday")],
        fups=[("Helios Labs", "2026-03-06", "proposal"), ("Helios Labs", "2026-03-10", None)],
    ),
    case(
        "Spoke to Hank, circle back in 2 weeks re: seat count",
        logs=[("Globex Corporation", "call", None, "Hank")],
        fups=[("Globex Corporation", "2026-03-18", "seat count")],
    ),
    case(
        "emailed Juno the price list - follow up next Tuesday",
        logs=[("Juno Pet Supplies", "email", None, "price list")],
        fups=[("Juno Pet Supplies", "2026-03-10", None)],
    ),
    # the date asked for when missing
    case(["remind me to call Nordlicht", "next Tuesday"], fups=[("Nordlicht GmbH", "2026-03-10", "call")]),
    case(["follow up with helios", "in 2 weeks"], fups=[("Helios Labs", "2026-03-18", None)]),
    case(["remind me to call Nordlicht", "cancel"], reply=["nothing was saved"]),
    case(["follow up with Acme", "someday"], asks=True),
]

COMPLETE = [
    case("done with the Acme follow-up", closed=[("Acme Corp", "send pricing", "done")], reply=["Fri 6 Mar"]),
    case("finished the globex follow up", closed=[("Globex Corporation", "confirm seat count", "done")]),
    case("done with the acme folowup", closed=[("Acme Corp", "send pricing", "done")]),
    case(
        "Kettle & Crumb follow-up is done", closed=[("Kettle & Crumb Bakery", "quarterly check-in", "done")]
    ),
    case(
        "ticked off the Summit Partners reminder",
        closed=[("Summit Partners", "send the security questionnaire", "done")],
    ),
    case("cancel the acme follow-up", closed=[("Acme Corp", "send pricing", "cancelled")]),
    case(
        "drop the Kettle and Crumb check-in",
        closed=[("Kettle & Crumb Bakery", "quarterly check-in", "cancelled")],
    ),
    case(
        "done with the Lumière follow-up about the quote",
        closed=[("Lumière Studio", "chase the signed quote", "done")],
    ),
    case(
        ["done with the Lumière follow-up", "2"], closed=[("Lumière Studio", "plan the spring shoot", "done")]
    ),
    case(
        ["completed the lumiere follow up", "spring shoot"],
        closed=[("Lumière Studio", "plan the spring shoot", "done")],
    ),
    case("completed the follow-up with Nordlicht", reply=["no open follow-up"]),
]

RESCHEDULE = [
    case("push the Acme follow-up to Monday", moved=[("Acme Corp", "send pricing", "2026-03-09")]),
    case(
        "reschedule the kettle & crumb check-in to March 24",
        moved=[("Kettle & Crumb Bakery", "quarterly check-in", "2026-03-24")],
    ),
    case(
        "move the Globex follow-up to tomorrow",
        moved=[("Globex Corporation", "confirm seat count", "2026-03-05")],
    ),
    case(
        "postpone the summit follow-up to Friday 13 March",
        moved=[("Summit Partners", "security questionnaire", "2026-03-13")],
    ),
    case(
        "push Lumière's spring shoot follow-up to April 3",
        moved=[("Lumière Studio", "spring shoot", "2026-04-03")],
    ),
]

BAD_DATES = [
    case("follow up with Helios on February 30", reply=["February 30", "nothing was saved"]),
    case("remind me to call Acme on April 31", reply=["April 31", "nothing was saved"]),
    case("push the acme follow-up to 31/04", reply=["nothing was saved"]),
    case("Met Acme today, follow up on June 31", reply=["June 31", "nothing was saved"]),
    case("ping Juno on 2026-02-29", reply=["nothing was saved"]),
]


@pytest.mark.parametrize("c", SCHEDULE + COMPLETE + RESCHEDULE + BAD_DATES)
def test_followups(book: ToolContext, c: Case) -> None:
    run_case(book, c)
