"""Session 7's classes, in fresh phrasings with the near-misses that must not write: "next <weekday>" is
that day of next week, durations as reps type them, a day's tense decided by its clause, a customer's
lower-case name alone or before a dash, a bare answer to "when?", a contact added after the customer's
name, a request without a date, and a rename used in the same message.

Book: tests/assistant/corpus.py. Now is Wed 4 Mar 2026 14:00 UTC (this week Mon 2 - Sun 8 Mar).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.acting.execute import execute
from assistant.planning.plan import Step
from tests.assistant.corpus import Case, _by_name, case, chat, run_case
from tests.conftest import make_ctx
from tools.context import ToolContext
from tools.customers import create_customer
from tools.schemas import CreateCustomer, LogInteraction, UpdateCustomer

# ---- 1. "next <weekday>" is that weekday of next week (Mon 9 - Sun 15), said on any day ---------------
NEXT_WEEKDAY = [
    case("call Acme next thursday", fups=[("Acme Corp", "2026-03-12", "call")]),
    case("follow up with Helios next Friday", fups=[("Helios Labs", "2026-03-13", None)]),
    case("ping juno nxt thurs re the catalog", fups=[("Juno Pet Supplies", "2026-03-12", "catalog")]),
    case("send Globex the seat count next fri", fups=[("Globex Corporation", "2026-03-13", "seat count")]),
    case("demo for Summit Partners next sunday", fups=[("Summit Partners", "2026-03-15", "demo")]),
    case("call Acme next monday", fups=[("Acme Corp", "2026-03-09", "call")]),  # the same either way
    # "this coming" / a bare weekday is the nearest one ahead
    case("call Acme this coming thursday", fups=[("Acme Corp", "2026-03-05", "call")]),
    case("call Acme thursday", fups=[("Acme Corp", "2026-03-05", "call")]),
    case("ping Helios coming friday", fups=[("Helios Labs", "2026-03-06", None)]),
    # a past "last <weekday>" is the last one before today
    case("met Acme last thursday", logs=[("Acme Corp", "meeting", "2026-02-26", None)]),
    case("Globex - Holly wants to meet next Thursday at 2", asks=True),  # Holly is not at Globex: ask
]

# ---- 2. durations --------------------------------------------------------------------------------
DURATIONS = [
    case("acme check-in a week", fups=[("Acme Corp", "2026-03-11", "check-in")]),
    case("check in with acme in a week", fups=[("Acme Corp", "2026-03-11", "check in")]),
    case("globex check in in a week", fups=[("Globex Corporation", "2026-03-11", "check in")]),
    case("follow up with Helios a week from now", fups=[("Helios Labs", "2026-03-11", None)]),
    case("ping juno in 2 wks", fups=[("Juno Pet Supplies", "2026-03-18", None)]),
    case("ping juno in 2wks", fups=[("Juno Pet Supplies", "2026-03-18", None)]),
    case("nudge helios in ten days", fups=[("Helios Labs", "2026-03-14", None)]),
    case("follow up with Summit Partners in a fortnight", fups=[("Summit Partners", "2026-03-18", None)]),
    case("call Acme in like a week", fups=[("Acme Corp", "2026-03-11", "call")]),
    case("call Nordlicht in about 10 days", fups=[("Nordlicht GmbH", "2026-03-14", "call")]),
    case("Evergreen: follow up a couple weeks out", fups=[("Evergreen Landscaping", "2026-03-18", None)]),
    case("call Acme in 10d", fups=[("Acme Corp", "2026-03-14", "call")]),
    # a duration that is no date writes no follow-up
    case("met Acme, the rollout took 10 days", logs=[("Acme Corp", "meeting", None, "rollout")]),
    case(
        "globex: the check-in a week later went fine",
        logs=[("Globex Corporation", None, None, "went fine")],
        lacks=["Follow-up"],
        also_changed=[],
    ),
]


# ---- 3. a day's tense is its clause's: what happened is dated back, what is planned ahead -----------
TENSE = [
    case("spoke to Dana on monday about pricing", logs=[("Acme Corp", "call", "2026-03-02", "pricing")]),
    case("met Globex monday", logs=[("Globex Corporation", "meeting", "2026-03-02", None)]),
    case("had a call with Globex wednesday", logs=[("Globex Corporation", "call", "2026-02-25", None)]),
    case("Dana emailed friday about the renewal", logs=[("Acme Corp", "email", "2026-02-27", "renewal")]),
    case("we caught up with Rosa thursday", logs=[("Evergreen Landscaping", None, "2026-02-26", None)]),
    case("Juno rang on monday re the catalog", logs=[("Juno Pet Supplies", "call", "2026-03-02", "catalog")]),
    case(
        "spoke to dana from acme on monday, rollout delayed till autumn",
        logs=[("Acme Corp", "call", "2026-03-02", "delayed till autumn")],
    ),
    case(
        "talked to Helios tuesday - they're keen, demo went well",
        logs=[("Helios Labs", None, "2026-03-03", "keen")],
    ),
    # planned: the coming day, and a follow-up (never an interaction dated ahead)
    case("we're meeting Globex on monday", fups=[("Globex Corporation", "2026-03-09", "meeting")]),
    case("I'm seeing Acme on friday", fups=[("Acme Corp", "2026-03-06", "meeting")]),
    case("catching up with Rosa on thursday", fups=[("Evergreen Landscaping", "2026-03-05", "catch-up")]),
    case("having lunch with Rosa friday", fups=[("Evergreen Landscaping", "2026-03-06", "lunch with Rosa")]),
    case("Holly at Juno is coming in on monday", fups=[("Juno Pet Supplies", "2026-03-09", "Holly")]),
    case("visiting Evergreen next tuesday", fups=[("Evergreen Landscaping", "2026-03-10", "visit")]),
    case("we agreed to meet Juno on friday", fups=[("Juno Pet Supplies", "2026-03-06", "meet")]),
    # a past verb aiming ahead ("asked to meet on friday") dates nothing back: the note is today's
    case("Dana asked to meet on friday", logs=[("Acme Corp", "note", "2026-03-04", "asked to meet")]),
    case("Acme wanted to meet on thursday", logs=[("Acme Corp", "note", "2026-03-04", None)]),
    case("Dana asked to meet, we met on monday", logs=[("Acme Corp", "meeting", "2026-03-02", None)]),
    # a deadline in a past clause is still ahead
    case(
        "met Acme on monday, they want the quote by friday",
        logs=[("Acme Corp", "meeting", "2026-03-02", None)],
        fups=[("Acme Corp", "2026-03-06", "quote")],
    ),
]

FRIDAY = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kind", "day"),
    [
        ("spoke to Dana on wednesday", "log", "2026-03-04"),
        ("met Globex monday, went fine", "log", "2026-03-02"),
        ("called Juno thursday about the catalog", "log", "2026-03-05"),
        ("spoke to Dana on friday", "log", "2026-02-27"),  # said on a Friday: last week's
        ("we're meeting Dana on wednesday", "fup", "2026-03-11"),
        ("call Acme thursday", "fup", "2026-03-12"),
        ("call Acme next thursday", "fup", "2026-03-12"),
        ("call Acme next monday", "fup", "2026-03-09"),
    ],
)
def test_a_day_said_on_a_friday(book: ToolContext, text: str, kind: str, day: str) -> None:
    ctx = make_ctx(book.store, now=FRIDAY)
    before = _by_name(ctx)
    reply = chat(ctx, [text])[-1]
    assert reply.wrote, reply.text
    key = "interactions" if kind == "log" else "followups"
    new = [x for n, c in _by_name(ctx).items() for x in c[key] if x not in before.get(n, {}).get(key, [])]
    assert len(new) == 1, new
    assert (new[0]["occurred_at"] if kind == "log" else new[0]["due"])[:10] == day, (new, reply.text)


# ---- 4. a customer's name typed in lower case, alone or leading the message --------------------------
LOWER_CASE_NAMES = [
    case("summit", reply=["Summit Partners", "qualified"]),
    case("kettle?", reply=["Kettle & Crumb Bakery"]),
    case("globex", reply=["Globex Corporation", "proposal"]),
    case("brightline", asks=True, reply=["Brightline Media", "Brightline Motors"]),
    case(["brightline", "motors"], reply=["Brightline Motors (#"]),
    case("summit - call went well", logs=[("Summit Partners", "call", None, "went well")]),
    case("summit: sent the DPA over", logs=[("Summit Partners", None, None, "DPA")]),
    case("summit, they want EU hosting", logs=[("Summit Partners", None, None, "EU hosting")]),
    case("summit follow up friday", fups=[("Summit Partners", "2026-03-06", "follow up")], lacks=["summit:"]),
    case("summit demo went well", logs=[("Summit Partners", "meeting", None, "demo")]),
    case("called summit, they want EU hosting", logs=[("Summit Partners", "call", None, "EU hosting")]),
    case("follow up with summit tomorrow", fups=[("Summit Partners", "2026-03-05", None)]),
    case("spoke to kettle about the flyers", logs=[("Kettle & Crumb Bakery", "call", None, "flyers")]),
    case("lunch with summit on friday went well", logs=[("Summit Partners", "meeting", "2026-02-27", None)]),
    # near-misses: the everyday word, a word two customers start with
    case("met at the summit", asks=True),
    case("the summit was great", asks=True),
    case("met with summit organizers", asks=True),
    case("brightline - call went well", asks=True, reply=["Brightline Media", "Brightline Motors"]),
    case("called brightline today", asks=True),
    # a customer whose name starts with a word that stands for itself there: asked, never written
    case(
        ["add a new customer Great Lakes Co", "great call today, they want a demo"],
        created=[("Great Lakes Co", "lead")],
        asks=True,
    ),
    case(
        ["add a new customer Great Lakes Co", "great - call went well"],
        created=[("Great Lakes Co", "lead")],
        asks=True,
    ),
    case(
        ["add a new customer Legal Eagles", "spoke to legal about the contract"],
        created=[("Legal Eagles", "lead")],
        asks=True,
    ),
    case(
        ["add a new customer Legal Eagles", "legal wants a copy of the contract"],
        created=[("Legal Eagles", "lead")],
        asks=True,
    ),
    case(
        ["add a new customer Back Bay Co", "called back about pricing"],
        created=[("Back Bay Co", "lead")],
        asks=True,
    ),
]

# ---- 5. a bare answer to "when?" ------------------------------------------------------------------
WHEN = "remind me to call Nordlicht"
BARE_ANSWERS = [
    case([WHEN, "tuesday pls"], fups=[("Nordlicht GmbH", "2026-03-10", "call")]),
    case([WHEN, "thurs works"], fups=[("Nordlicht GmbH", "2026-03-05", "call")]),
    case([WHEN, "monday then"], fups=[("Nordlicht GmbH", "2026-03-09", "call")]),
    case([WHEN, "ok friday is good"], fups=[("Nordlicht GmbH", "2026-03-06", "call")]),
    case([WHEN, "wed works for me"], fups=[("Nordlicht GmbH", "2026-03-11", "call")]),
    case([WHEN, "next week wed is good"], fups=[("Nordlicht GmbH", "2026-03-11", "call")]),
    case([WHEN, "the 12th please"], fups=[("Nordlicht GmbH", "2026-03-12", "call")]),
    case([WHEN, "friday 10am works"], fups=[("Nordlicht GmbH", "2026-03-06T10:00", "call")]),
    case([WHEN, "hmm maybe monday"], fups=[("Nordlicht GmbH", "2026-03-09", "call")]),
    case([WHEN, "next thurs pls"], fups=[("Nordlicht GmbH", "2026-03-12", "call")]),
    case(
        ["follow up with Acme about the pilot", "in a week works"],
        fups=[("Acme Corp", "2026-03-11", "pilot")],
    ),
    # not a date: nothing is written
    case([WHEN, "not sure yet"]),
    case([WHEN, "friday or monday"]),
    case([WHEN, "whenever"]),
]


# ---- 6. a contact added after the customer's name, with only their details ------------------------------
CONTACTS = [
    case(
        "Globex - add Dev Patel, office manager, email dev@x.com",
        contacts=[("Globex Corporation", "Dev Patel", "office manager")],
        lacks=["Logged"],
    ),
    case("globex: add Dev Patel, dev@x.com", contacts=[("Globex Corporation", "Dev Patel", None)]),
    case("Acme - add Maria Lopez (CFO)", contacts=[("Acme Corp", "Maria Lopez", "CFO")]),
    case(
        "juno: add Lee Park, buyer, +1 555 010 2233",
        contacts=[("Juno Pet Supplies", "Lee Park", "buyer")],
    ),
    # not a person: "add" and a thing is what the rep noted
    case(
        "Summit Partners - add Premium Support, renewal in May",
        logs=[("Summit Partners", "note", None, "Premium Support")],
    ),
]

# ---- 7. a request without a date: logged, and the rep is asked when (never a guessed date) -----------
REQUESTS = [
    case("Summit Partners wants a demo", logs=[("Summit Partners", "note", None, "demo")], asks=True),
    case("summit wants a demo", logs=[("Summit Partners", "note", None, "demo")], asks=True, reply=["when"]),
    case("Acme asked for a quote", logs=[("Acme Corp", None, None, "quote")], asks=True),
    case("met acme, they want a proposal", logs=[("Acme Corp", "meeting", None, "proposal")], asks=True),
    case(
        ["summit wants a demo", "friday works"],
        logs=[("Summit Partners", "note", None, "demo")],
        fups=[("Summit Partners", "2026-03-06", "demo")],
    ),
    case(
        ["Helios needs pricing for 50 seats", "thursday"],
        logs=[("Helios Labs", "note", None, "pricing")],
        fups=[("Helios Labs", "2026-03-05", "pricing")],
    ),
    # dated: no question; negated, hoped-for or not a deliverable: only the note
    case(
        "summit wants a demo next week",
        logs=[("Summit Partners", "note", None, "demo")],
        fups=[("Summit Partners", "2026-03-09", "demo")],
    ),
    case("juno doesn't want a demo", logs=[("Juno Pet Supplies", "note", None, "demo")], lacks=["when"]),
    case("Globex might want a demo", logs=[("Globex Corporation", "note", None, "demo")], lacks=["when"]),
    case(
        "Summit Partners wants EU hosting",
        logs=[("Summit Partners", "note", None, "hosting")],
        lacks=["when"],
    ),
]


# ---- lead's A: an unknown company opening a lower-case message with a known customer's first word ----
UNKNOWN_OPENERS = [
    case("helios foo wants a quote for 40 chairs", asks=True, reply=["helios foo", "Helios Labs"]),
    case(["helios foo wants a quote for 40 chairs", "no"]),  # declined: nothing written
    case("lumière atelier wants a quote", asks=True, reply=["Lumière Studio"]),
    case("nordlicht solar asked for pricing on panels", asks=True, reply=["Nordlicht GmbH"]),
    case("globex orbital called about a pilot", asks=True, reply=["Globex Corporation"]),
    # who at the customer, or how: still the customer
    case("acme team wants a quote", logs=[("Acme Corp", "note", None, "quote")], asks=True),
    case("globex really wants a quote", logs=[("Globex Corporation", "note", None, "quote")], asks=True),
    case(
        "helios arjun wants a quote by friday",
        logs=[("Helios Labs", None, None, "quote")],
        fups=[("Helios Labs", "2026-03-06", "quote")],
    ),
    case("globex finally signed", stages={"Globex Corporation": "won"}),
    case(["summit wants a demo", "no"], logs=[("Summit Partners", "note", None, "demo")], reply=["undo"]),
]

# ---- lead's B and C: read requests in shorthand are answered, never logged ---------------------------
SHORT_READS = [
    case("last contact w/ globex", reply=["Globex Corporation"]),
    case("latest w/ acme", reply=["Acme Corp (#"]),
    case("last touch with juno", reply=["Juno Pet Supplies"]),
    case("last meeting w/ helios", reply=["Helios Labs"]),
    case("anything new from helios", reply=["Helios Labs (#"], lacks=["not lead"]),
    case("any news from acme", reply=["Acme Corp (#"]),
    case("where are we w/ summit", reply=["Summit Partners"]),
    case("whos overdue", reply=["overdue", "confirm seat count"]),
    case("whos overdue this week", reply=["overdue"]),
    # a report that starts the same way is logged
    case("last call with acme went well", logs=[("Acme Corp", "call", None, "went well")]),
]


# ---- a noun that contains a follow-up word is no follow-up ("refill reminder program") -------------------
REMINDER_NOUNS = [
    case(
        ["holly asked about a refill reminder program", "juno"],
        logs=[("Juno Pet Supplies", "note", None, "refill reminder program")],
        lacks=["when should"],
    ),
    case(
        "Juno wants reminder emails for their customers", logs=[("Juno Pet Supplies", None, None, "reminder")]
    ),
    case("reminder: ping juno on tuesday", fups=[("Juno Pet Supplies", "2026-03-10", "ping")]),
    case("reminder to call Acme friday", fups=[("Acme Corp", "2026-03-06", "call")]),
    case("set a reminder for Helios next week", fups=[("Helios Labs", "2026-03-09", None)]),
]


# ---- 8. a rename, then the new name in the same message -------------------------------------------------
# (turns, the old name, the new name, what the new note says, its kind); the corpus' `case` compares
# customers by name, so a renamed one is checked here against its old self.
RENAMES = [
    (
        "rename Acme Corp to Acme Industries; note for Acme Industries: kickoff done",
        "Acme Corp",
        "Acme Industries",
        "kickoff done",
        None,
    ),
    (
        "rename Acme Corp to Acme Industries. Met Acme Industries today about the rollout",
        "Acme Corp",
        "Acme Industries",
        "rollout",
        "meeting",
    ),
    (
        "Juno is now called Juno Pets. juno pets wants a demo friday",
        "Juno Pet Supplies",
        "Juno Pets",
        "demo",
        None,
    ),
]


@pytest.mark.parametrize(("text", "old", "new", "has", "kind"), RENAMES)
def test_the_new_name_of_a_rename_is_the_renamed_customer(
    book: ToolContext, text: str, old: str, new: str, has: str, kind: str | None
) -> None:
    before = _by_name(book)
    reply = chat(book, [text])[-1]
    after = _by_name(book)
    assert old not in after and new in after and reply.wrote, reply.text
    assert set(after) == set(before) - {old} | {new}, "nothing created, no one else renamed"
    notes = [i for i in after[new]["interactions"] if i not in before[old]["interactions"]]
    assert len(notes) == 1 and has in notes[0]["body"], notes
    assert kind is None or notes[0]["kind"] == kind
    assert all(after[n] == before[n] for n in after if n != new)


def test_the_new_name_in_the_next_message(book: ToolContext) -> None:
    chat(book, ["rename Acme Corp to Acme Industries"])
    reply = chat(book, ["note for Acme Industries: kickoff done"])[-1]
    assert reply.wrote and "Acme Industries" in reply.text
    assert _by_name(book)["Acme Industries"]["interactions"][-1]["body"] == "kickoff done"


def test_another_name_after_a_rename_is_still_unknown(book: ToolContext) -> None:
    before = _by_name(book)
    reply = chat(book, ["rename Acme Corp to Acme Industries; note for Acme Holdings: kickoff done"])[-1]
    assert reply.state.pending and not reply.wrote, reply.text
    assert _by_name(book) == before


def test_a_step_sees_the_rename_of_the_step_before(book: ToolContext) -> None:
    """One message's steps share a transaction: a step naming the customer by its new name finds it."""
    steps = [
        Step("update_customer", UpdateCustomer(customer="Acme Corp", name="Acme Industries")),
        Step("log_interaction", LogInteraction(customer="Acme Industries", body="kickoff done")),
    ]
    done = execute(book, steps, "rename and note", None)
    assert done.results[1].matched.how == "exact"
    after = _by_name(book)
    assert "Acme Corp" not in after
    assert [i["body"] for i in after["Acme Industries"]["interactions"]][-1] == "kickoff done"


@pytest.mark.parametrize(
    "c",
    NEXT_WEEKDAY
    + DURATIONS
    + TENSE
    + LOWER_CASE_NAMES
    + BARE_ANSWERS
    + CONTACTS
    + REQUESTS
    + UNKNOWN_OPENERS
    + SHORT_READS
    + REMINDER_NOUNS,
)
def test_session7(book: ToolContext, c: Case) -> None:
    run_case(book, c)


@pytest.mark.parametrize(
    "said",
    [
        "kestrel freight limited called, they want the rate card",
        "kestrel freight ltd. called, they want the rate card",
        "kestrel freight called, they want the rate card",
    ],
)
def test_a_legal_form_after_part_of_the_name_is_still_that_customer(book: ToolContext, said: str) -> None:
    """'kestrel freight limited' beside Kestrel Freight Ltd: a legal form is no other company's word."""
    create_customer(book, CreateCustomer(name="Kestrel Freight Ltd"))
    run_case(book, case(said, logs=[("Kestrel Freight Ltd", "call", None, "rate card")]).values[0])


def test_another_word_after_part_of_the_name_is_still_asked_about(book: ToolContext) -> None:
    create_customer(book, CreateCustomer(name="Kestrel Freight Ltd"))
    run_case(book, case("kestrel shipping called, they want the rate card", asks=True).values[0])


# A customer whose name starts with a word of a rep's everyday report: the word at the start of a message
# (capitalised by the phone or not) is the report's own, never a write to that customer.
WORD_NAMED = ["Great Lakes Co", "Legal Eagles", "Demo Labs", "Contract Furniture Inc", "Lunch Box Co"]


@pytest.mark.parametrize(
    "said",
    [
        "Great call today, they want a demo",
        "great call today, they want a demo",
        "Great - call went well",
        "Legal - they want changes",
        "demo - went well, they want pricing",
        "Demo went well",
        "contract - signed",
        "Contract signed",
        "lunch went well",
        "Lunch - went well",
        "follow up with demo tomorrow",
    ],
)
def test_an_everyday_first_word_is_never_a_write_to_the_customer_it_starts(
    book: ToolContext, said: str
) -> None:
    for name in WORD_NAMED:
        create_customer(book, CreateCustomer(name=name))
    before = _by_name(book)
    chat(book, [said])
    after = _by_name(book)
    assert {n: after[n] for n in WORD_NAMED} == {n: before[n] for n in WORD_NAMED}


def test_such_a_customer_named_in_full_is_still_written_to(book: ToolContext) -> None:
    for name in WORD_NAMED:
        create_customer(book, CreateCustomer(name=name))
    run_case(
        book, case("Demo Labs - call went well", logs=[("Demo Labs", None, None, "went well")]).values[0]
    )
