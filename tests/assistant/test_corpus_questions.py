"""Questions: follow-ups due (team, mine, a named rep; this week, today, overdue, next week), profiles,
note search, quiet customers, the pipeline, find, help. Questions never write.

This week is Mon 2 – Sun 8 Mar: Globex (kim, Mon 2 Mar, overdue), Summit (alex, Thu 5 Mar), Acme (sam,
Fri 6 Mar). Next week: Kettle & Crumb (Tue 10 Mar) and Lumière (Thu 12 Mar), both sam's.
"""

from __future__ import annotations

import pytest

from tests.assistant.corpus import Case, case, run_case
from tools.context import ToolContext

FOLLOWUPS = [
    case(
        "who needs follow-up this week?",
        reply=["Acme Corp", "Globex", "Summit", "overdue", "Mon 2 Mar"],
        lacks=["Kettle", "Lumière"],
    ),
    case("whats due this week", reply=["Acme Corp", "Globex", "Summit"], lacks=["Kettle"]),
    case("WHO SHOULD I FOLLOW UP WITH THIS WEEK", reply=["Acme Corp"], lacks=["Globex", "Summit", "Kettle"]),
    case("my follow-ups this week", reply=["Acme Corp", "Fri 6 Mar"], lacks=["Globex", "Summit"]),
    case("what are alex's follow-ups?", reply=["Summit Partners"], lacks=["Acme", "Globex"]),
    case("kim's follow-ups this week", reply=["Globex"], lacks=["Acme", "Summit"]),
    case("follow-ups for kim", reply=["Globex"], lacks=["Acme", "Summit"]),
    case("what does alex have this week?", reply=["Summit Partners"], lacks=["Acme", "Globex"]),
    case("anything overdue?", reply=["Globex"], lacks=["Acme", "Summit", "Kettle"]),
    case("overdue follow-ups", reply=["Globex"], lacks=["Acme", "Summit"]),
    case("what's due today?", reply=["Globex", "Wed 4 Mar"], lacks=["Acme", "Summit"]),
    case(
        "who needs follow up next week",
        reply=["Kettle & Crumb", "Lumière", "Tue 10 Mar"],
        lacks=["Acme", "Summit"],
    ),
    case("Who do I need to call this week?", reply=["Acme Corp"], lacks=["Kettle"]),
    case("any follow ups due today for me?", reply=["no follow-ups"], lacks=["Globex"]),
]

PROFILES = [
    case(
        "what do we know about helios?", reply=["Helios Labs", "Arjun Mehta", "negotiation", "pricing tiers"]
    ),
    case("tell me about cafe muller", reply=["Café Müller", "Jonas Müller", "won", "Renewal signed"]),
    case("latest with Globex", reply=["Globex Corporation", "confirm seat count", "Hank Scorpio"]),
    case("brief me on Lumiere", reply=["Lumière Studio", "chase the signed quote", "Thu 12 Mar"]),
    case("what's the status of brightline motors?", reply=["Brightline Motors", "lead", "Ivan Petrov"]),
    case("how's Acme doing?", reply=["Acme Corp", "Dana Whitfield", "send pricing"]),
    case("Acme Corp", reply=["Acme Corp", "qualified"]),
    case("tell me about Brightline", asks=True, reply=["Brightline Media", "Brightline Motors"]),
    case(["tell me about Brightline", "motors"], reply=["Ivan Petrov"]),
    case("tell me about Zork Industries", reply=["No customer matches"]),
]

SEARCH = [
    case("who mentioned pricing?", reply=["Helios Labs"], lacks=["Evergreen", "Acme"]),
    case("anyone talk about budget", reply=["Acme Corp", "Evergreen"], lacks=["Helios"]),
    case("which customers mentioned data residency?", reply=["Summit Partners"], lacks=["Acme"]),
    case("notes about renewal", reply=["Café Müller"], lacks=["Acme"]),
    case("who mentioned kangaroos?", reply=["No notes mention"]),
]

STALE_PIPELINE_FIND = [
    case("who has gone quiet?", reply=["Evergreen"], lacks=["Acme", "Summit"]),
    case(
        "which customers haven't we talked to in 2 weeks?",
        reply=["Evergreen"],
        lacks=["Acme", "Summit", "Helios"],
    ),
    case("anyone gone cold for 10 days?", reply=["Evergreen", "Helios"], lacks=["Summit", "Acme"]),
    case("pipeline", reply=["negotiation", "proposal", "won"]),
    case("how many deals per stage?", reply=["qualified", "lead"]),
    case("my pipeline", reply=["yours"]),
    case("find bright", reply=["Brightline Media", "Brightline Motors"]),
    case("look up helios", reply=["Helios Labs"], lacks=["Acme"]),
    case("do we have a customer called Zork?", reply=["No customer matches"]),
]

CHAT = [
    case("help", reply=["follow up", "undo"]),
    case("what can you do?", reply=["follow up"]),
    case("hi", reply=["sam"]),
    case("thanks!", reply=["sam"]),
    case("cancel", reply=["Nothing to cancel"]),
    case("undo", reply=["nothing of yours to undo"]),
    case("what changed recently?", reply=["Recent changes"]),
]


@pytest.mark.parametrize("c", FOLLOWUPS + PROFILES + SEARCH + STALE_PIPELINE_FIND + CHAT)
def test_questions(book: ToolContext, c: Case) -> None:
    run_case(book, c)
