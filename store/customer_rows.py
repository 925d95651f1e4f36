"""Customer and contact reads the customer tools and the name index make, beside store/queries.py."""

from __future__ import annotations

import json
import typing
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any, NamedTuple

from sqlalchemy import Integer, Select, String, Table, bindparam, cast, func
from sqlmodel import Session, SQLModel, col, select

from store.driver_query import DriverQuery
from store.models import ID, Contact, Customer, FollowUp, Interaction, StageChange, User
from store.queries import ascii_folded


def customers_tagged(session: Session, *, tag: str, limit: int = 50) -> list[int]:
    """Ids of customers with `tag` as a whole tag, in any case."""
    # Tags are a JSON array; the quoted, JSON-encoded tag matches exactly one whole element, and the
    # JSON text is compared ignoring ASCII case, the same on SQLite and PostgreSQL (lower() there: its
    # LIKE is case-sensitive; see store.queries.ascii_folded).
    needle = json.dumps(tag.strip().casefold())
    text_tags = ascii_folded(session)(cast(Customer.tags, String))
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
    # Plain rows, read as they are used (no buffered ORM result): at 1,000,000 customers a buffered
    # result was ~250 MB of rows alive at once, and the name index keeps only some of each.
    yield from typing.cast(Iterator[tuple[int, str, str]], session.connection().execute(_ALL_NAMES))


def contact_names(session: Session) -> Iterator[tuple[int, int, str]]:
    """(contact id, customer id, name) of every contact, by contact id (read as used, not buffered)."""
    yield from typing.cast(Iterator[tuple[int, int, str]], session.connection().execute(_ALL_CONTACT_NAMES))


# ---- one customer's profile: plain rows through prebuilt statements ----------------------------------
# get_customer is the busiest read. Built once here, its statements skip the ORM's per-call work
# (building and hashing the statement, loading objects into the session): the rows come back as
# plain values, with the columns' own types (aware UTC datetimes, the tags list).


class CustomerRow(NamedTuple):
    id: int
    name: str
    stage: str
    owner: str | None
    email: str | None
    phone: str | None
    tags: list[str]
    value: float | None
    created_at: datetime
    updated_at: datetime


class ContactRow(NamedTuple):
    id: int
    customer_id: int
    name: str
    role: str | None
    email: str | None
    phone: str | None


class InteractionRow(NamedTuple):
    id: int
    customer_id: int
    kind: str
    body: str
    occurred_at: datetime
    author: str | None
    source: str


class FollowupRow(NamedTuple):
    id: int
    customer_id: int
    due_date: date
    due_time: time | None
    description: str
    status: str
    owner: str | None


class StageChangeRow(NamedTuple):
    from_stage: str | None
    to_stage: str
    at: datetime
    by: str | None


class CustomerProfileRows(NamedTuple):
    customer: CustomerRow
    contacts: list[ContactRow]
    interactions: list[InteractionRow]  # the latest `limit`, newest first
    interaction_count: int  # all of them
    open_followups: list[FollowupRow]
    stage_changes: list[StageChangeRow]


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]  # every model here is a table
    return table


def _select(model: type[SQLModel], row: type[tuple[Any, ...]]) -> Select[Any]:
    """SELECT the columns named by the row type's fields, in its order."""
    fields: tuple[str, ...] = row._fields  # type: ignore[attr-defined]  # a NamedTuple class
    query: Select[Any] = select(*(_table(model).c[name] for name in fields))
    return query


_cid = bindparam("cid", type_=ID)  # BIGINT on PostgreSQL: ids past 2**31 (a cast to INTEGER fails there)
_c, _k, _i, _f, _h = (_table(m).c for m in (Customer, Contact, Interaction, FollowUp, StageChange))
_CUSTOMER = _select(Customer, CustomerRow).where(_c.id == _cid)
_CONTACTS = _select(Contact, ContactRow).where(_k.customer_id == _cid).order_by(_k.id)
_RECENT = (
    _select(Interaction, InteractionRow)
    .where(_i.customer_id == _cid)
    .order_by(_i.occurred_at.desc(), _i.id.desc())
    .limit(bindparam("n", type_=Integer))
)
_COUNT = select(func.count()).select_from(_table(Interaction)).where(_i.customer_id == _cid)
_OPEN = (
    _select(FollowUp, FollowupRow)
    .where(_f.customer_id == _cid, _f.status == "open")
    .order_by(_f.due_date, _f.id)
)
_STAGES = _select(StageChange, StageChangeRow).where(_h.customer_id == _cid).order_by(_h.at, _h.id)


_PROFILE = tuple(DriverQuery(q) for q in (_CUSTOMER, _CONTACTS, _RECENT, _COUNT, _OPEN, _STAGES))


def customer_profile(session: Session, *, customer_id: int, limit: int) -> CustomerProfileRows | None:
    """A customer with its contacts, latest `limit` interactions (and how many in all), open follow-ups
    and stage history, in the session's transaction; None when there is no such customer.

    Six small reads on every `get_customer`: straight on the DBAPI cursor (store/driver_query.py),
    where SQLAlchemy's per-execute work had been half of the call."""
    customer, contacts, recent, count, open_followups, stages = _PROFILE
    session.connection()  # begins the session's transaction: the six reads see one state
    ids = {"cid": customer_id}
    found, _ = customer.rows(session, ids)
    if not found:
        return None
    return CustomerProfileRows(
        customer=CustomerRow._make(found[0]),
        contacts=[ContactRow._make(r) for r in contacts.rows(session, ids)[0]],
        interactions=[
            InteractionRow._make(r) for r in recent.rows(session, {"cid": customer_id, "n": limit})[0]
        ],
        interaction_count=int(count.rows(session, ids)[0][0][0]),
        open_followups=[FollowupRow._make(r) for r in open_followups.rows(session, ids)[0]],
        stage_changes=[StageChangeRow._make(r) for r in stages.rows(session, ids)[0]],
    )


# A page of customers with each one's latest interaction (a max() per customer: one probe of the
# (customer_id, occurred_at) index each), one prebuilt statement per page size.
_LATEST = (
    select(func.max(_i.occurred_at))
    .where(_i.customer_id == _c.id)
    .correlate(_table(Customer))
    .scalar_subquery()
)
_PAGES: dict[int, DriverQuery] = {}
PAGE_MAX = 200  # the largest page a tool asks for (tools/schemas.Limit)


def _page_query(n: int) -> DriverQuery:
    query = _PAGES.get(n)
    if query is None:
        wanted = [bindparam(f"id{k}", type_=ID) for k in range(n)]
        statement = _select(Customer, CustomerRow).add_columns(_LATEST).where(_c.id.in_(wanted))
        query = _PAGES[n] = DriverQuery(statement)
    return query


def customer_page(session: Session, ids: list[int]) -> list[tuple[CustomerRow, datetime | None]]:
    """The customers of `ids` (at most PAGE_MAX) that exist, in the order given, each with the time of
    its latest interaction (None: none yet). A plain read: find_customers' page."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    if len(wanted) > PAGE_MAX:
        raise ValueError(f"a page holds at most {PAGE_MAX} customers, not {len(wanted)}")
    rows, _ = _page_query(len(wanted)).rows(session, {f"id{k}": cid for k, cid in enumerate(wanted)})
    found = {int(r[0]): (CustomerRow._make(r[:-1]), r[-1]) for r in rows}
    return [found[cid] for cid in wanted if cid in found]


_NAME = select(_c.name).where(_c.id == _cid)
_ALL_NAMES = select(_c.id, _c.name, _c.name_key).order_by(_c.id)
_ALL_CONTACT_NAMES = select(_k.id, _k.customer_id, _k.name).order_by(_k.id)


def customer_name(session: Session, *, customer_id: int) -> str | None:
    """The name of customer `customer_id`, or None when there is none (a plain read, no ORM object)."""
    if not -(2**63) <= customer_id < 2**63:  # beyond a 64-bit id: no such customer (and no driver error)
        return None
    name: str | None = session.connection().execute(_NAME, {"cid": customer_id}).scalar_one_or_none()
    return name
