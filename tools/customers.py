"""Customer tools: find, profile, create, update, contacts."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session

from store import queries
from store.changelog import snapshot
from store.customer_rows import (
    CustomerProfileRows,
    customer_by_key,
    customer_page,
    customer_profile,
    customers_tagged,
)
from store.models import Contact, Customer, saved_id
from store.tag_names import may_be_tag
from tools import idempotency
from tools.context import ToolContext
from tools.errors import CustomerNotFound, DuplicateCustomer, InvalidArgument
from tools.names import (
    name_index,
    normalize,
    rank_customers,
    resolve_customer,
    resolve_customer_match,
    resolve_name,
)
from tools.outputs import (
    contact_out,
    customer_summary,
    followup_out,
    interaction_out,
    matched_out,
    stage_change_out,
)
from tools.paging import next_cursor, offset_of
from tools.schemas import (
    AddContact,
    CandidateOut,
    ContactAdded,
    CreateCustomer,
    CustomerCreated,
    CustomerList,
    CustomerProfile,
    CustomerUpdated,
    FieldChange,
    FindCustomers,
    GetCustomer,
    UpdateCustomer,
)
from tools.stages import canonical_stage


def find_customers(ctx: ToolContext, req: FindCustomers) -> CustomerList:
    """Search or list customers, best match first.

    By name (typo-tolerant), contact name, email or tag; or list them by stage/owner.

    Results are ranked best match first and paginated; use get_customer for one customer's details.
    """
    offset = offset_of(req.cursor)
    with ctx.read() as s:
        stage = canonical_stage(s, req.stage) if req.stage else None
        if req.query and stage is None and req.owner is None:
            # The usual search: the page's rows alone, read plain (no ORM objects), with their last contacts.
            ids = _matching_ids(s, req.query)
            wanted = ids[offset : offset + req.limit]
            page = customer_page(s, wanted)
            items = [customer_summary(c, ctx.tz, last) for c, last in page]
            total = len(ids) - (len(wanted) - len(page))  # less those gone since the index saw them
        else:
            matched = _matching_ids(s, req.query) if req.query else None
            rows, total = queries.list_customers(
                s, ids=matched, stage=stage, owner=req.owner, offset=offset, limit=req.limit
            )
            last = queries.last_contacts(s, [saved_id(c) for c in rows])
            items = [customer_summary(c, ctx.tz, last.get(saved_id(c))) for c in rows]
    more = offset + len(items) < total
    return CustomerList(items=items, has_more=more, next_cursor=next_cursor(offset, len(items), more))


def _matching_ids(s: Session, query: str) -> list[int]:
    if "@" in query:
        return queries.customers_by_email(s, query)
    idx = name_index(s)
    near = idx.fuzzy(query, limit=20)  # scored once, for the ranking and the suggestions
    cands, _sure = rank_customers(idx, query, near)
    ids = [c.id for c in cands]
    if not cands or cands[0].score < 90:
        # Each of these reads every customer (an email or tag "contains" has no index), so each runs
        # only when it can find someone: no address holds a space, and a tag must be one in use.
        if len(query) >= 3 and not any(ch.isspace() for ch in query.strip()):
            ids += queries.customers_by_email(s, query.strip())
        # A tag finds its customers (whole tag, any case): the tool promises it.
        if may_be_tag(s, query):
            ids += customers_tagged(s, tag=query)
    # A read may rank fuzzily: near misses after the names that fit
    # ("brightline" also shows "Brightlane Ltd").
    ids += [cid for cid, score in near if score >= 70]
    return list(dict.fromkeys(ids))


def get_customer(ctx: ToolContext, req: GetCustomer) -> CustomerProfile:
    """One customer's profile, contacts, timeline, follow-ups.

    Everything about one customer: profile, contacts, recent interactions, open follow-ups, stage history.
    """
    with ctx.read() as s:
        rows = _profile_rows(s, req.customer, req.limit)
    return _profile(rows, ctx.tz, ctx.today())


def _profile_rows(s: Session, ref: int | str, limit: int) -> CustomerProfileRows:
    """The rows of the one customer `ref` means (read as plain rows: get_customer is the busiest read)."""
    match = resolve_name(s, ref).match
    rows = customer_profile(s, customer_id=match.id, limit=limit) if match is not None else None
    if rows is None:
        # Not one customer (or it went meanwhile): the resolver's own error, as every tool gives it.
        found = resolve_customer(s, ref)
        rows = customer_profile(s, customer_id=saved_id(found), limit=limit)
        if rows is None:
            raise CustomerNotFound(str(ref)[:80], [])
    return rows


def _profile(rows: CustomerProfileRows, tz: ZoneInfo, today: date) -> CustomerProfile:
    c, recent = rows.customer, rows.interactions
    summary = customer_summary(c, tz, recent[0].occurred_at if recent else None)
    return CustomerProfile(
        **summary.model_dump(),
        created_at=c.created_at.astimezone(tz),
        updated_at=c.updated_at.astimezone(tz),
        contacts=[contact_out(x) for x in rows.contacts],
        recent_interactions=[interaction_out(i, c.name, tz) for i in recent],
        more_interactions=max(0, rows.interaction_count - len(recent)),
        open_followups=[followup_out(f, c.name, today) for f in rows.open_followups],
        stage_history=[stage_change_out(h, tz) for h in rows.stage_changes],
    )


def similar_customers(s: Session, name: str) -> list[CandidateOut]:
    """Existing customers whose names are close to `name` (possible duplicates)."""
    cands, _ = rank_customers(name_index(s), name)
    return [CandidateOut(id=c.id, name=c.name, score=c.score) for c in cands if c.score >= 80][:5]


def create_customer(ctx: ToolContext, req: CreateCustomer) -> CustomerCreated:
    """Add a customer, optionally with a first contact.

    The stage is 'lead' unless given.

    A customer with the same name (ignoring case and accents) is an error; similar names are
    created but reported in `similar` so you can check for a duplicate.
    """
    key = normalize(req.name)
    if not key:
        raise InvalidArgument("A customer name needs at least one letter or digit.")
    with ctx.write(f"create customer {req.name}") as batch:
        s = batch.session
        if (first := idempotency.replay(s, ctx, "create_customer", req, CustomerCreated)) is not None:
            return first
        stage = canonical_stage(s, req.stage)
        existing = customer_by_key(s, name_key=key)
        if existing is not None:
            raise DuplicateCustomer(req.name, saved_id(existing), existing.name)
        similar = similar_customers(s, req.name)
        now = ctx.now()
        c = Customer(
            name=req.name,
            name_key=key,
            stage=stage,
            owner=req.owner or ctx.actor,
            email=req.email,
            phone=req.phone,
            tags=_clean_tags(req.tags),
            value=req.value,
            created_at=now,
            updated_at=now,
        )
        s.add(c)
        s.flush()
        batch.created(c)
        if req.contact is not None:
            contact = Contact(
                customer_id=saved_id(c),
                name_key=normalize(req.contact.name),
                **req.contact.model_dump(),
            )
            s.add(contact)
            s.flush()
            batch.created(contact)
        warning = None
        if similar:
            warning = "Similar customers already exist: " + ", ".join(f"{x.name} (#{x.id})" for x in similar)
        created = CustomerCreated(customer=customer_summary(c, ctx.tz), similar=similar, warning=warning)
        idempotency.remember(s, ctx, "create_customer", req, created)
    return created


def _clean_tags(tags: list[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        tag = tag.strip()
        if tag and tag.casefold() not in (t.casefold() for t in out):
            out.append(tag)
    return out


def update_customer(ctx: ToolContext, req: UpdateCustomer) -> CustomerUpdated:
    """Change a customer's fields (only those given).

    Name, owner, email, phone, deal value or tags.

    Use set_stage to move it in the pipeline and add_contact for people.
    """
    fields = req.model_dump(exclude_unset=True, exclude={"customer", "add_tags", "remove_tags"})
    with ctx.write("update customer") as batch:
        s = batch.session
        c, match = resolve_customer_match(s, req.customer)
        before = snapshot(c, ["name", "name_key", "owner", "email", "phone", "value", "tags", "updated_at"])
        if "name" in fields and fields["name"] is not None:
            key = normalize(fields["name"])
            clash = customer_by_key(s, name_key=key, other_than=c.id)
            if clash is not None:
                raise DuplicateCustomer(fields["name"], saved_id(clash), clash.name)
            c.name, c.name_key = fields.pop("name"), key
        fields.pop("name", None)
        tags = _clean_tags(fields.pop("tags")) if fields.get("tags") is not None else list(c.tags or [])
        fields.pop("tags", None)
        tags = _clean_tags(tags + req.add_tags)
        drop = {t.casefold() for t in req.remove_tags}
        c.tags = [t for t in tags if t.casefold() not in drop]
        for name, value in fields.items():
            setattr(c, name, value)
        changes = [
            FieldChange(field=k, old=before[k], new=getattr(c, k))
            for k in ("name", "owner", "email", "phone", "value", "tags")
            if before[k] != snapshot(c, [k])[k]
        ]
        if changes:
            batch.summary = f"update {c.name} ({', '.join(ch.field for ch in changes)})"
            c.updated_at = ctx.now()
            s.add(c)
            batch.updated(c, before)
    return CustomerUpdated(
        customer=customer_summary(c, ctx.tz), changes=changes, matched=matched_out(req.customer, match)
    )


def add_contact(ctx: ToolContext, req: AddContact) -> ContactAdded:
    """Add a person at a customer.

    With name, and optionally role, email and phone.
    """
    with ctx.write("add contact") as batch:
        s = batch.session
        if (first := idempotency.replay(s, ctx, "add_contact", req, ContactAdded)) is not None:
            return first
        c, match = resolve_customer_match(s, req.customer)
        batch.summary = f"add contact {req.name} at {c.name}"
        fields = req.model_dump(exclude={"customer", "idempotency_key"})
        contact = Contact(customer_id=saved_id(c), name_key=normalize(req.name), **fields)
        s.add(contact)
        s.flush()
        batch.created(contact)
        added = ContactAdded(
            customer_id=saved_id(c),
            customer_name=c.name,
            contact=contact_out(contact),
            matched=matched_out(req.customer, match),
        )
        idempotency.remember(s, ctx, "add_contact", req, added)
    return added
