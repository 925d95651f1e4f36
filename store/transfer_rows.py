"""The reads export and import make (tools/transfer.py): the whole book in export order, and by name key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from store.models import Contact, Customer, FollowUp, Interaction, StageChange, User

_CHUNK = 500  # keys per IN (...): well under SQLite's bound-parameter limit
_Row = TypeVar("_Row", Contact, Interaction, FollowUp, StageChange)


@dataclass
class Book:
    """Every row an export holds: customers by name key, each one's rows in timeline order, the reps."""

    customers: list[Customer]
    users: list[User]
    contacts: dict[int, list[Contact]] = field(default_factory=dict)
    interactions: dict[int, list[Interaction]] = field(default_factory=dict)
    followups: dict[int, list[FollowUp]] = field(default_factory=dict)
    stage_changes: dict[int, list[StageChange]] = field(default_factory=dict)


def _by_customer(session: Session, model: type[_Row], *order: Any) -> dict[int, list[_Row]]:
    grouped: dict[int, list[_Row]] = defaultdict(list)
    for row in session.exec(select(model).order_by(*order)):
        grouped[row.customer_id].append(row)
    return grouped


def whole_book(session: Session) -> Book:
    """Every customer (by name key), its contacts (by id), interactions (by time), follow-ups (by due
    date) and stage changes (by time), and every rep (by name)."""
    return Book(
        contacts=_by_customer(session, Contact, col(Contact.id)),
        interactions=_by_customer(session, Interaction, col(Interaction.occurred_at), col(Interaction.id)),
        followups=_by_customer(session, FollowUp, col(FollowUp.due_date), col(FollowUp.id)),
        stage_changes=_by_customer(session, StageChange, col(StageChange.at), col(StageChange.id)),
        # Text compares byte-wise on both backends (PostgreSQL's columns are COLLATE "C"): one order.
        customers=list(session.exec(select(Customer).order_by(col(Customer.name_key)))),
        users=list(session.exec(select(User).order_by(col(User.name)))),
    )


def customer_ids_by_key(session: Session, *, keys: Sequence[str]) -> dict[str, int]:
    """{name_key: id} of the customers whose name key is one of `keys`."""
    found: dict[str, int] = {}
    if len(keys) > _CHUNK and session.exec(select(Customer.id).limit(1)).first() is None:
        return found  # an empty book (a first import): no need to look up 100,000 keys
    for start in range(0, len(keys), _CHUNK):
        query = select(Customer.id, Customer.name_key).where(
            col(Customer.name_key).in_(keys[start : start + _CHUNK])
        )
        for cid, key in session.exec(query):
            if cid is not None:
                found[key] = cid
    return found


def any_customer_with_key(session: Session, *, keys: Sequence[str]) -> bool:
    """True when a customer exists under one of the name `keys`."""
    for start in range(0, len(keys), _CHUNK):
        query = select(Customer.id).where(col(Customer.name_key).in_(keys[start : start + _CHUNK]))
        if session.exec(query).first():
            return True
    return False


@dataclass
class Timeline:
    """One customer's contacts, interactions, follow-ups and stage changes (in no particular order)."""

    contacts: list[Contact]
    interactions: list[Interaction]
    followups: list[FollowUp]
    stage_changes: list[StageChange]


def timeline_of(session: Session, *, customer_id: int) -> Timeline:
    """Everything recorded under one customer, to tell what an import would add twice."""
    return Timeline(
        contacts=list(session.exec(select(Contact).where(Contact.customer_id == customer_id))),
        interactions=list(session.exec(select(Interaction).where(Interaction.customer_id == customer_id))),
        followups=list(session.exec(select(FollowUp).where(FollowUp.customer_id == customer_id))),
        stage_changes=list(session.exec(select(StageChange).where(StageChange.customer_id == customer_id))),
    )


def timelines_of(session: Session, *, customer_ids: Sequence[int]) -> dict[int, Timeline]:
    """`timeline_of` for many customers at once: four queries per 500 customers instead of four each."""
    out = {cid: Timeline([], [], [], []) for cid in customer_ids}
    ids = list(out)
    for start in range(0, len(ids), _CHUNK):
        part = ids[start : start + _CHUNK]
        for contact in session.exec(select(Contact).where(col(Contact.customer_id).in_(part))):
            out[contact.customer_id].contacts.append(contact)
        for note in session.exec(select(Interaction).where(col(Interaction.customer_id).in_(part))):
            out[note.customer_id].interactions.append(note)
        for followup in session.exec(select(FollowUp).where(col(FollowUp.customer_id).in_(part))):
            out[followup.customer_id].followups.append(followup)
        for change in session.exec(select(StageChange).where(col(StageChange.customer_id).in_(part))):
            out[change.customer_id].stage_changes.append(change)
    return out


def customers_by_id(session: Session, *, ids: Sequence[int]) -> dict[int, Customer]:
    """The customers with these ids (those that exist), loaded in the session: one query per 500."""
    found: dict[int, Customer] = {}
    listed = list(dict.fromkeys(ids))
    for start in range(0, len(listed), _CHUNK):
        query = select(Customer).where(col(Customer.id).in_(listed[start : start + _CHUNK]))
        for customer in session.exec(query):
            if customer.id is not None:
                found[customer.id] = customer
    return found


def customer_values(
    session: Session, *, ids: Sequence[int], fields: Sequence[str]
) -> dict[int, dict[str, Any]]:
    """{id: {field: value}} of these customers (those that exist), as plain values: no objects built."""
    table = Customer.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ on table models; its stubs do not declare it
    columns = [table.c.id, *(table.c[f] for f in fields)]
    found: dict[int, dict[str, Any]] = {}
    listed = list(dict.fromkeys(ids))
    for start in range(0, len(listed), _CHUNK):
        query = sa_select(*columns).where(table.c.id.in_(listed[start : start + _CHUNK]))
        for row in session.connection().execute(query):
            found[int(row[0])] = dict(zip(fields, row[1:], strict=True))
    return found
