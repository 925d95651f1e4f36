"""Read queries the tools make. Each is served by an index (see models.py and migrations.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, text
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from store import followup_tally, postgres
from store.followup_tally import tally
from store.models import CLOSED_STAGES, Contact, Customer, FollowUp, Interaction, StageChange


def last_contacts(session: Session, customer_ids: Iterable[int]) -> dict[int, datetime]:
    """Latest interaction time per customer."""
    ids = list(set(customer_ids))
    if not ids:
        return {}
    # One statement with a max() per customer: each is a single probe of (customer_id, occurred_at),
    # faster than GROUP BY over long timelines and than one round trip per customer.
    latest = (
        select(func.max(Interaction.occurred_at))
        .where(Interaction.customer_id == Customer.id)
        .correlate(Customer)
        .scalar_subquery()
    )
    rows = session.exec(select(Customer.id, latest).where(col(Customer.id).in_(ids))).all()
    return {cid: at for cid, at in rows if cid is not None and at is not None}


def customer_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    return dict(session.exec(select(Customer.id, Customer.name).where(col(Customer.id).in_(wanted))).all())  # type: ignore[arg-type]  # SQLModel types select(a, b) rows as tuples, not dict pairs


def list_customers(
    session: Session,
    *,
    ids: Sequence[int] | None = None,
    stage: str | None = None,
    owner: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[Customer], int]:
    """Customers (in `ids` order when given, else by name) and how many match in all."""
    if ids is not None:  # a search filtered by stage or owner (unfiltered: customer_rows.customer_page)
        rows = {c.id: c for c in session.exec(select(Customer).where(col(Customer.id).in_(list(ids))))}
        ordered = [rows[i] for i in ids if i in rows]
        ordered = [
            c for c in ordered if (stage is None or c.stage == stage) and (owner is None or c.owner == owner)
        ]
        return ordered[offset : offset + limit], len(ordered)
    query = select(Customer)
    if stage is not None:
        query = query.where(Customer.stage == stage)
    if owner is not None:
        query = query.where(Customer.owner == owner)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    page = session.exec(query.order_by(Customer.name_key).offset(offset).limit(limit)).all()
    return list(page), total


def ascii_folded(session: Session) -> Callable[[Any], Any]:
    """What makes a column's LIKE case-insensitive here: lower() on PostgreSQL, nothing on SQLite.

    SQLite's LIKE already ignores the case of ASCII letters, and its lower() changes only those (no
    ICU), so `lower(x) LIKE p` and `x LIKE p` pick the same rows there; without lower() the full
    scans of the email and tag "contains" lookups take half the time (0.95 -> 0.45 s at 1,000,000
    customers). PostgreSQL's LIKE is case-sensitive.
    """
    if session.connection().dialect.name == "sqlite":
        return _same
    return func.lower


def _same(column: Any) -> Any:
    return column


def customers_by_email(session: Session, needle: str, limit: int = 50) -> list[int]:
    # `%` and `_` in what the user typed are letters, not wildcards.
    needle = needle.lower()
    folded = ascii_folded(session)
    ids: list[int | None] = list(
        session.exec(
            select(Customer.id)
            .where(folded(col(Customer.email)).contains(needle, autoescape=True))
            .limit(limit)
        ).all()
    )
    ids += session.exec(
        select(Contact.customer_id)
        .where(folded(col(Contact.email)).contains(needle, autoescape=True))
        .limit(limit)
    ).all()
    return list(dict.fromkeys(i for i in ids if i is not None))


def contacts_of(session: Session, customer_id: int) -> list[Contact]:
    return list(
        session.exec(select(Contact).where(Contact.customer_id == customer_id).order_by(col(Contact.id)))
    )


def recent_interactions(session: Session, customer_id: int, limit: int) -> tuple[list[Interaction], int]:
    rows = session.exec(
        select(Interaction)
        .where(Interaction.customer_id == customer_id)
        .order_by(col(Interaction.occurred_at).desc(), col(Interaction.id).desc())
        .limit(limit)
    ).all()
    total = session.exec(select(func.count()).where(Interaction.customer_id == customer_id)).one()
    return list(rows), total


def stage_history(session: Session, customer_id: int) -> list[StageChange]:
    return list(
        session.exec(
            select(StageChange)
            .where(StageChange.customer_id == customer_id)
            .order_by(col(StageChange.at), col(StageChange.id))
        )
    )


def open_followups_of(session: Session, customer_id: int) -> list[FollowUp]:
    return list(
        session.exec(
            select(FollowUp)
            .where(FollowUp.customer_id == customer_id, FollowUp.status == "open")
            .order_by(col(FollowUp.due_date), col(FollowUp.id))
        )
    )


def _in_window(
    due: ColumnElement[date] | Mapped[date], start: date | None, end: date | None, before: date | None
) -> ColumnElement[bool] | None:
    """`due` in [start, end] (either side open when None), or before `before`; None: no condition."""
    window: list[ColumnElement[bool]] = []
    if start is not None and end is not None:
        window.append(and_(due >= start, due <= end))
    elif start is not None:
        window.append(due >= start)
    elif end is not None:
        window.append(due <= end)
    if before is not None:
        window.append(due < before)
    return or_(*window) if window else None


def followups_due(
    session: Session,
    *,
    start: date | None,
    end: date | None,
    include_overdue_before: date | None,
    owner: str | None,
    customer_id: int | None,
    status: str | None = "open",
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[FollowUp], int]:
    """Follow-ups due in [start, end], plus (when given) open ones due before `include_overdue_before`."""
    query = select(FollowUp)
    if status is not None:
        query = query.where(FollowUp.status == status)
    if include_overdue_before is not None and (start is None or start <= include_overdue_before):
        # "This week and overdue" is one range ending Sunday: a single index range scan, where the
        # OR of two windows made SQLite read and sort every overdue follow-up.
        if start is None and end is None:
            start, end = None, include_overdue_before - timedelta(days=1)
        elif end is not None:
            end = max(end, include_overdue_before - timedelta(days=1))
        start, include_overdue_before = None, None
        if end is None:  # [start, ∞) ∪ (-∞, overdue): every date
            start = end = None

    window = _in_window(col(FollowUp.due_date), start, end, include_overdue_before)
    if window is not None:
        query = query.where(window)
    if owner is not None:
        query = query.where(FollowUp.owner == owner)
    if customer_id is not None:
        query = query.where(FollowUp.customer_id == customer_id)
    if owner is None and customer_id is None and followup_tally.used(session.connection()):
        # The same conditions on the per-(status, date) tally: a SUM over a few hundred dates
        # instead of counting every follow-up in the window (see store/followup_tally.py).
        counted = select(func.coalesce(func.sum(tally.c.n), 0))
        if status is not None:
            counted = counted.where(tally.c.status == status)
        tally_window = _in_window(tally.c.due_date, start, end, include_overdue_before)
        if tally_window is not None:
            counted = counted.where(tally_window)
        total = int(session.exec(counted).one())
    else:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(
            col(FollowUp.due_date), col(FollowUp.due_time).is_(None), col(FollowUp.due_time), col(FollowUp.id)
        )
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total


def _fts_query(words: str) -> str:
    # Each word quoted, so user text can never be read as FTS5 syntax (AND/NEAR/column filters).
    tokens = re.findall(r"\w+", words, flags=re.UNICODE)
    return " ".join(f'"{t}"' for t in tokens)


def search_interactions(
    session: Session,
    words: str,
    *,
    customer_id: int | None = None,
    kind: str | None = None,
    offset: int = 0,
    limit: int = 10,
) -> tuple[list[Interaction], bool]:
    """Interactions containing all the words (stemmed), newest logged first; and whether more exist."""
    match = _fts_query(words)
    if not match:
        return [], False
    params: dict[str, object] = {"limit": limit + 1, "offset": offset}
    if customer_id is not None:
        params["cid"] = customer_id
    if kind is not None:
        params["kind"] = kind
    if session.get_bind().dialect.name == "postgresql":
        # The same words, as plain text: plainto_tsquery reads no operator in it.
        params["q"] = " ".join(re.findall(r"\w+", words, flags=re.UNICODE))
        sql = postgres.search_sql(customer=customer_id is not None, kind=kind is not None)
    else:
        params["q"] = match
        sql = (
            "SELECT i.id FROM interaction_fts f JOIN interaction i ON i.id = f.rowid "
            "WHERE interaction_fts MATCH :q"
        )
        if customer_id is not None:
            sql += " AND i.customer_id = :cid"
        if kind is not None:
            sql += " AND i.kind = :kind"
        sql += " ORDER BY f.rowid DESC LIMIT :limit OFFSET :offset"
    ids = [int(r[0]) for r in session.connection().execute(text(sql), params)]
    more = len(ids) > limit
    ids = ids[:limit]
    rows = {i.id: i for i in session.exec(select(Interaction).where(col(Interaction.id).in_(ids)))}
    return [rows[i] for i in ids if i in rows], more


def pipeline(session: Session, owner: str | None = None) -> list[tuple[str, int, float]]:
    query = select(Customer.stage, func.count(), func.coalesce(func.sum(Customer.value), 0.0)).group_by(
        Customer.stage
    )
    if owner is not None:
        query = query.where(Customer.owner == owner)
    return [(stage, int(n), float(v or 0.0)) for stage, n, v in session.exec(query)]


def stale_customers(
    session: Session,
    *,
    cutoff: datetime,
    owner: str | None,
    offset: int,
    limit: int,
    closed: Collection[str] = CLOSED_STAGES,
) -> tuple[list[tuple[Customer, datetime | None]], bool]:
    """Customers in open stages whose latest interaction (or creation, if none) is before `cutoff`."""
    last = (
        select(Interaction.customer_id, func.max(Interaction.occurred_at).label("last"))
        .group_by(col(Interaction.customer_id))
        .subquery()
    )
    activity = func.coalesce(last.c.last, Customer.created_at)
    query = (
        select(Customer, last.c.last)
        .join(last, last.c.customer_id == Customer.id, isouter=True)
        .where(col(Customer.stage).not_in(list(closed)), activity < cutoff.replace(tzinfo=None))
    )
    if owner is not None:
        query = query.where(Customer.owner == owner)
    rows = session.exec(query.order_by(activity, col(Customer.id)).offset(offset).limit(limit + 1)).all()
    from store.types import UTCDateTime

    conv = UTCDateTime().process_result_value
    out = [(c, conv(at, None) if isinstance(at, datetime) else None) for c, at in rows]
    return out[:limit], len(out) > limit


def names_version(session: Session) -> str | None:
    """A value that changes whenever a customer or contact name changes (kept by triggers); None = unknown.

    Both backends keep it in `meta`, so a process's name index can tell another process renamed someone.
    """
    row = session.connection().exec_driver_sql("SELECT value FROM meta WHERE key = 'names_version'").first()
    return None if row is None else str(row[0])
