"""Interactions: logging what happened (in the rep's zone, never truncated) and full-text search."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from tests.conftest import NOW, make_ctx
from tools.context import ToolContext
from tools.customers import get_customer
from tools.errors import AmbiguousCustomer, CustomerNotFound, InvalidDate, NotFound
from tools.schemas import GetCustomer, LogInteraction, SearchInteractions
from tools.timeline import correct_interaction, interaction_by_ref, log_interaction, search_interactions


def found(ctx: ToolContext, query: str, **kw: object) -> list[str]:
    return [i.body for i in search_interactions(ctx, SearchInteractions(query=query, **kw)).items]


def test_log_defaults_to_a_note_now_by_the_actor(crm: ToolContext) -> None:
    i = log_interaction(crm, LogInteraction(customer="Juno", body="Asked for a catalogue")).interaction
    assert (i.customer_name, i.kind, i.author, i.source) == ("Juno Pet Supplies", "note", "sam", "cli")
    assert i.occurred_at == NOW
    p = get_customer(crm, GetCustomer(customer="Juno"))
    assert [x.body for x in p.recent_interactions] == ["Asked for a catalogue"]
    assert p.last_contact == NOW


def test_a_long_body_is_kept_whole(crm: ToolContext) -> None:
    body = (
        "Line one of the meeting notes.\n"
        + ("They want SSO, audit logs and a 99.9% SLA. " * 400)
        + "\nThe end."
    )
    log_interaction(crm, LogInteraction(customer="Acme", body=body, kind="meeting"))
    p = get_customer(crm, GetCustomer(customer="Acme"))
    assert p.recent_interactions[0].body == body
    assert len(body) > 16000


@pytest.mark.parametrize(
    ("said", "local"),
    [
        ("yesterday", datetime(2026, 3, 3, 12, 0)),
        ("Monday 10am", datetime(2026, 3, 2, 10, 0)),
        ("2026-03-01", datetime(2026, 3, 1, 12, 0)),
        ("2026-03-01T08:30", datetime(2026, 3, 1, 8, 30)),
    ],
)
def test_when_it_happened_is_read_in_the_reps_zone(crm: ToolContext, said: str, local: datetime) -> None:
    la = make_ctx(crm.store, tz="America/Los_Angeles")
    i = log_interaction(
        la, LogInteraction(customer="Acme", body="call", kind="call", occurred_at=said)
    ).interaction
    zone = ZoneInfo("America/Los_Angeles")
    assert i.occurred_at.astimezone(zone).replace(tzinfo=None) == local


def test_an_iso_day_keeps_its_date_for_a_rep_far_east(crm: ToolContext) -> None:
    # Midnight in Tokyo is the previous day in UTC; a note dated "2026-03-01" must stay on the 1st.
    tokyo = make_ctx(crm.store, tz="Asia/Tokyo")
    log_interaction(tokyo, LogInteraction(customer="Juno", body="visit", occurred_at="2026-03-01"))
    for zone in ("Asia/Tokyo", "UTC", "Europe/Berlin"):
        seen = get_customer(make_ctx(crm.store, tz=zone), GetCustomer(customer="Juno")).recent_interactions[0]
        assert seen.occurred_at.date().isoformat() == "2026-03-01", zone


def test_an_explicit_offset_is_kept(crm: ToolContext) -> None:
    i = log_interaction(
        crm, LogInteraction(customer="Acme", body="x", occurred_at="2026-03-01T08:00:00+05:30")
    )
    assert i.interaction.occurred_at == datetime(2026, 3, 1, 2, 30, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize("said", ["February 30", "banana"])
def test_a_bad_date_is_refused_and_nothing_logged(crm: ToolContext, said: str) -> None:
    with pytest.raises(InvalidDate):
        log_interaction(crm, LogInteraction(customer="Juno", body="x", occurred_at=said))
    assert get_customer(crm, GetCustomer(customer="Juno")).recent_interactions == []


def test_bad_inputs_are_refused(crm: ToolContext) -> None:
    with pytest.raises(ValidationError):
        LogInteraction(customer="Acme", body="")
    with pytest.raises(ValidationError):
        LogInteraction(customer="Acme", body="x", kind="fax")
    with pytest.raises(ValidationError):
        LogInteraction(customer="Acme", body="x", colour="red")
    with pytest.raises(CustomerNotFound):
        log_interaction(crm, LogInteraction(customer="Zebra Unlimited", body="x"))
    with pytest.raises(AmbiguousCustomer):
        log_interaction(crm, LogInteraction(customer="Brightline", body="x"))


def test_source_ref_finds_the_note_to_correct(crm: ToolContext) -> None:
    tg = make_ctx(crm.store, source="telegram")
    logged = log_interaction(
        tg, LogInteraction(customer="Acme", body="Met Dana, wants pricng"), source_ref="tg:42"
    )
    assert interaction_by_ref(crm, "tg:42") == [logged.interaction.id]
    assert interaction_by_ref(crm, "tg:43") == []
    fixed = correct_interaction(tg, logged.interaction.id, "Met Dana, wants pricing")
    assert fixed.interaction.body == "Met Dana, wants pricing"
    assert [i.body for i in get_customer(crm, GetCustomer(customer="Acme")).recent_interactions][:1] == [
        "Met Dana, wants pricing"
    ]
    assert found(crm, "pricng") == []
    with pytest.raises(NotFound):
        correct_interaction(tg, 9999, "x")


# ---- search -----------------------------------------------------------------------------------------


def test_search_finds_words_forgiving_case_and_plurals(crm: ToolContext) -> None:
    assert sorted(found(crm, "BUDGETS")) == [
        "Demo went well, budget approved for Q2",
        "Intro call, seasonal business, budget tight",
    ]
    assert found(crm, "budget approved") == ["Demo went well, budget approved for Q2"]
    assert found(crm, "approved budget") == ["Demo went well, budget approved for Q2"]
    assert found(crm, "budget renewal") == []


def test_search_is_newest_logged_first_and_narrows(crm: ToolContext) -> None:
    log_interaction(crm, LogInteraction(customer="Globex", body="Budget cut, call back in May", kind="call"))
    assert found(crm, "budget")[0] == "Budget cut, call back in May"
    assert found(crm, "budget", customer="Acme") == ["Demo went well, budget approved for Q2"]
    assert found(crm, "budget", kind="call") == [
        "Budget cut, call back in May",
        "Intro call, seasonal business, budget tight",
    ]


@pytest.mark.parametrize("query", ['"budget', "NEAR(budget", "budget*", "body:budget", "-budget", "AND"])
def test_search_never_reads_user_text_as_query_syntax(crm: ToolContext, query: str) -> None:
    result = found(crm, query)  # no error, whatever the punctuation
    assert all("budget" in b.lower() for b in result)


def test_search_pages(crm: ToolContext) -> None:
    for n in range(5):
        log_interaction(
            crm,
            LogInteraction(
                customer="Juno", body=f"kibble order {n}", occurred_at=(NOW - timedelta(days=n)).isoformat()
            ),
        )
    first = search_interactions(crm, SearchInteractions(query="kibble", limit=3))
    assert len(first.items) == 3 and first.has_more and first.next_cursor
    rest = search_interactions(crm, SearchInteractions(query="kibble", limit=3, cursor=first.next_cursor))
    assert len(rest.items) == 2 and not rest.has_more
    assert {i.body for i in first.items + rest.items} == {f"kibble order {n}" for n in range(5)}
    with pytest.raises(ValidationError, match="cursor"):  # refused at the edge, by the input model
        search_interactions(crm, SearchInteractions(query="kibble", cursor="xyz"))


def test_search_of_an_unknown_customer_is_an_error(crm: ToolContext) -> None:
    with pytest.raises(CustomerNotFound):
        search_interactions(crm, SearchInteractions(query="budget", customer="Zebra Unlimited"))
