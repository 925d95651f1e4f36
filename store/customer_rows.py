"""Customer and contact reads the customer tools and the name index make, beside store/queries.py."""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import String, cast, func
from sqlmodel import Session, col, select

from store.models import Contact, Customer, User


def customers_tagged(session: Session, *, tag: str, limit: int = 50) -> list[int]:
    """Ids of customers with `tag` as a whole tag, in any case."""
    # Tags are a JSON array; the quoted, JSON-encoded tag matches exactly one whole element, and the
    # JSON text is compared lower-cased, so the same on SQLite and PostgreSQL (whose LIKE is case-sensitive).
    needle = json.dumps(tag.strip().casefold())
    text_tags = func.lower(cast(Customer.tags, String))
    # By id: the order (and the first `limit`) SQLite's table scan gave; PostgreSQL has no default order.
    query = (
        select(Customer.id)
        .where(text_tags.contains(needle, autoescape=True))
        .order_by(col(Customer.id))
        .limit(limit)
    )
    return [i for i in session.exec(query) if i is not None]


def customer_by_key(session: Session, *, name_key: str, other_than: int | None = None) -> Customer | None:
    """The customer whose normalized name is `name_key` (not customer `other_than`), or None."""
    query = select(Customer).where(Customer.name_key == name_key)
    if other_than is not None:
        query = query.where(Customer.id != other_than)
    return session.exec(query).first()


def customer_count(session: Session) -> int:
    """How many customers there are."""
    return session.exec(select(func.count()).select_from(Customer)).one()


def rep_names(session: Session) -> set[str]:
    """Every registered rep's name and every owner named on a customer."""
    registered = set(session.exec(select(User.name)))
    named = {o for o in session.exec(select(Customer.owner).distinct()) if o}
    return registered | named


def customer_names_and_keys(session: Session) -> Iterator[tuple[int, str, str]]:
    """(id, name, name_key) of every customer, by id."""
    for cid, name, key in session.exec(
        select(Customer.id, Customer.name, Customer.name_key).order_by(col(Customer.id))
    ):
        if cid is not None:
            yield cid, name, key


def contact_names(session: Session) -> Iterator[tuple[int, str]]:
    """(customer_id, name) of every contact, by contact id."""
    yield from session.exec(select(Contact.customer_id, Contact.name).order_by(col(Contact.id)))
