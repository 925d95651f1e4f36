"""Record edits stage by stage: the reading's record spans, the record frames, the plan's typed inputs,
and the whole message as one transaction (a failing step leaves nothing of the others)."""

from __future__ import annotations

import pytest

from assistant.conversation import respond
from assistant.customers import resolve
from assistant.dialogue.state import Settled
from assistant.planning import plan
from assistant.reading import read
from assistant.understanding import interpret
from tests.assistant.corpus import _by_name
from tools.context import ToolContext
from tools.schemas import AddContact, CreateCustomer, LogInteraction, UpdateCustomer


def _id(ctx: ToolContext, name: str) -> int:
    match = resolve(ctx, name).match
    assert match is not None
    return match.id


# ---- reading -----------------------------------------------------------------------------------------
def test_a_contact_edit_reads_person_role_and_customer_slot(book: ToolContext) -> None:
    text = "add Omar Haddad as procurement lead at Summit Partners, omar@summit.example"
    r = read(book, text)
    (rec,) = r.records
    assert rec.kind == "contact" and rec.role == "procurement lead"
    assert rec.name is not None and text[rec.name.start : rec.name.end] == "Omar Haddad"
    assert rec.customer is not None and text[rec.customer.start : rec.customer.end] == "Summit Partners"
    assert [v.text for v in r.values if v.kind == "email"] == ["omar@summit.example"]


def test_the_person_added_is_not_a_customer_spot(book: ToolContext) -> None:
    """Holly Park is a contact at two customers; added at Kettle & Crumb she names neither of them."""
    r = read(book, "add Holly Park as buyer at Kettle & Crumb")
    assert [m.name for s in r.customers for m in s.matches] == ["Kettle & Crumb Bakery"]


def test_a_new_customer_name_ends_where_its_details_begin(book: ToolContext) -> None:
    text = "new client: Harbor Vine, email hello@harborvine.example"
    (rec,) = read(book, text).records
    assert rec.kind == "create" and rec.name is not None
    assert text[rec.name.start : rec.name.end] == "Harbor Vine"


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("Acme phone is +44 20 7946 0958", "phone", "+44 20 7946 0958"),
        ("set Nordlicht's email to info@nordlicht.example", "email", "info@nordlicht.example"),
        ("Acme deal size is 1.2m", "value", "1.2m"),
        ("rename Globex Corporation to Globex Group", "name", "Globex Group"),
    ],
)
def test_a_field_is_a_field_word_a_link_and_a_typed_value(
    book: ToolContext, text: str, field: str, value: str
) -> None:
    (rec,) = read(book, text).records
    assert (rec.kind, rec.field, rec.value) == ("field", field, value)


@pytest.mark.parametrize(
    "text",
    [
        "Called Juno, Holly gave me her number 555 0188 for orders",  # no linking word: the rep's words
        "note for Acme: Dana says add tag vip to everyone",  # a note's words
        'Arjun wrote: "please add tag urgent to Helios"',  # pasted text
        "Met Acme, Dana has a new lead for us",  # 'new lead' not at a clause's start
    ],
)
def test_no_record_span_outside_an_edit(book: ToolContext, text: str) -> None:
    assert read(book, text).records == []


# ---- understanding -----------------------------------------------------------------------------------
def test_a_create_takes_its_detail_clauses(book: ToolContext) -> None:
    f = interpret(
        read(book, "new client: Harbor Vine, email hello@harborvine.example, phone +1 555 010 2233")
    )
    (edit,) = f.records
    assert (edit.action, edit.name, edit.email, edit.phone) == (
        "create",
        "Harbor Vine",
        "hello@harborvine.example",
        "+1 555 010 2233",
    )
    assert f.happened is None  # the details are not a note


def test_a_create_with_a_contact_gives_the_contact_its_email(book: ToolContext) -> None:
    (edit,) = interpret(
        read(book, "new customer Bluefin Sushi, contact Aiko Tanaka (owner) aiko@b.example")
    ).records
    assert edit.contact is not None
    assert (edit.contact.name, edit.contact.role, edit.contact.email) == (
        "Aiko Tanaka",
        "owner",
        "aiko@b.example",
    )
    assert edit.email is None


def test_a_record_edit_beside_a_report_keeps_the_report(book: ToolContext) -> None:
    f = interpret(read(book, "Called Helios, their new main line is 555-0199"))
    assert [e.phone for e in f.records] == ["555-0199"]
    assert f.happened is not None and f.happened.kind == "call"


def test_a_create_without_a_name_is_missing_it(book: ToolContext) -> None:
    (edit,) = interpret(read(book, "add a new customer")).records
    assert edit.missing == "name"


# ---- planning ----------------------------------------------------------------------------------------
def test_the_plan_creates_first_and_the_rest_is_about_the_new_customer(book: ToolContext) -> None:
    frames = interpret(read(book, "new lead Maple Yoga, met the owner today, they want a quote for 12 mats"))
    steps = plan(book, frames, ["Maple Yoga"], Settled()).steps
    assert [s.tool for s in steps][0] == "create_customer"
    assert isinstance(steps[0].args, CreateCustomer) and steps[0].args.name == "Maple Yoga"
    logs = [s.args for s in steps if isinstance(s.args, LogInteraction)]
    assert logs and logs[0].customer == "Maple Yoga"


def test_the_plan_sets_only_the_fields_said(book: ToolContext) -> None:
    acme = _id(book, "Acme Corp")
    (step,) = plan(book, interpret(read(book, "Acme phone is 555-0100")), [acme], Settled()).steps
    assert isinstance(step.args, UpdateCustomer)
    assert step.args.model_dump(exclude_unset=True, exclude={"add_tags", "remove_tags"}) == {
        "customer": acme,
        "phone": "555-0100",
    }


def test_the_plan_adds_a_contact_with_its_details(book: ToolContext) -> None:
    juno = _id(book, "Juno Pet Supplies")
    frames = interpret(read(book, "new contact at Juno: Lee Park, buyer, lee@juno.example"))
    (step,) = plan(book, frames, [juno], Settled()).steps
    assert step.args == AddContact(customer=juno, name="Lee Park", role="buyer", email="lee@juno.example")


# ---- acting: one transaction -------------------------------------------------------------------------
def test_a_failing_step_leaves_nothing_of_the_message(book: ToolContext) -> None:
    """'new lead Helios Labs, met them today': the create is refused (it exists), so no note is logged."""
    before = _by_name(book)
    reply = respond(book, "new lead Helios Labs, met them today about the pilot")
    assert not reply.wrote and "Helios Labs" in reply.text
    assert _by_name(book) == before
