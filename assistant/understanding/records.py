"""Record edits from the reading's record spans: each span with the clauses that carry its details
("new client: Harbor Vine, email …, phone …") becomes one `RecordEdit`; those clauses are not also a
report. Only the representation is read: values (emails, phones, amounts), stages and the spans' pieces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant import lexicon
from assistant.reading.followup_refs import topic_words
from assistant.reading.records import money
from assistant.reading.types import Clause, CueKind, Reading, RecordSpan, Span
from assistant.understanding.frames import NewContact, RecordEdit

# Cues that say the rep did or plans something: a clause with one is not a detail of a record edit.
_ACTS: tuple[CueKind, ...] = (
    "meeting",
    "call",
    "followup",
    "promise",
    "imperative",
    "obligation",
    "done",
    "cancel",
    "move",
    "plan",
    "event",
    "their_promise",
)
MAX_DETAIL_WORDS = 8  # "phone +1 555 010 2233", "stage qualified", "based in Leeds"


def record_edits(r: Reading, used: set[Clause]) -> list[RecordEdit]:
    """One edit per record span, in the order said; the clauses they use are added to `used`."""
    out: list[RecordEdit] = []
    for rs in r.records:
        first = r.clause_of(rs.start)
        if first is None or first in used:
            continue
        region = _region(r, first)
        edit = _edit(r, rs, region)
        # "Called Helios, their new main line is …", "new lead X, met the owner today": the clause also
        # reports something, so it stays for the report too.
        used.update(region[1:] if _reports_too(r, rs, first) else region)
        out.append(edit)
    return out


def _reports_too(r: Reading, rs: RecordSpan, c: Clause) -> bool:
    """Whether the edit's clause also says something else: a deed ('Called Helios, …') or other words
    ('Arjun is leaving Helios, their new CTO is …') outside the edit, its customer and its values."""
    own = [Span(rs.start, max(rs.end, rs.name.end if rs.name else rs.end))]
    own += [s for s in (rs.name, rs.customer) if s is not None]
    if any(not _inside(x, own) for x in r.cues_in(c, *_ACTS) if not _field_word(x.text)):
        return True
    rest = _without(
        r.text[c.start : c.end],
        c.start,
        [*own, *(Span(s.start, s.end) for s in r.customers_in(c)), *r.within(r.values, c)],
    )
    return bool(topic_words(rest) - _RECORD_WORDS)


_RECORD_WORDS = topic_words(
    "new their contact customer client lead number phone email set change update make put fix correct please"
)


def _region(r: Reading, first: Clause) -> tuple[Clause, ...]:
    """The clause of the edit and the detail clauses right after it."""
    at = r.clauses.index(first)
    region = [first]
    for c in r.clauses[at + 1 :]:
        if not _detail(r, c):
            break
        region.append(c)
    return tuple(region)


def _detail(r: Reading, c: Clause) -> bool:
    if c.quoted or r.within(r.dates, c) or any(c.start <= x.start < c.end for x in r.records):
        return False
    values = r.within(r.values, c)
    acts = [x for x in r.cues_in(c, *_ACTS) if not _field_word(x.text) and not _inside(x, values)]
    words = _without(r.text[c.start : c.end], c.start, values).split()
    return not acts and len(words) <= MAX_DETAIL_WORDS


def _field_word(said: str) -> bool:
    return any(rx.fullmatch(said) for _name, rx in lexicon.FIELD_WORDS)


def _inside(x: Span, spans: Sequence[Span]) -> bool:
    return any(s.start <= x.start < s.end for s in spans)


def _without(said: str, offset: int, spans: Sequence[Span]) -> str:
    chars = list(said)
    for s in spans:
        for i in range(max(0, s.start - offset), min(len(chars), s.end - offset)):
            chars[i] = " "
    return "".join(chars)


def _text(r: Reading, s: Span | None) -> str:
    return " ".join(r.text[s.start : s.end].split()) if s is not None else ""


def _edit(r: Reading, rs: RecordSpan, region: tuple[Clause, ...]) -> RecordEdit:
    if rs.kind == "create":
        return _create(r, rs, region)
    if rs.kind == "contact":
        return _contact(r, rs, region)
    if rs.kind == "tags":
        tags_missing = not rs.add_tags and not rs.remove_tags
        return RecordEdit(
            "update",
            region,
            add_tags=rs.add_tags,
            remove_tags=rs.remove_tags,
            missing="tags" if tags_missing else None,
        )
    return _field(rs, region)


def _values(r: Reading, region: tuple[Clause, ...], after: int) -> dict[str, str]:
    """The first email, phone and amount said in the region after position `after`."""
    found: dict[str, str] = {}
    for c in region:
        for v in r.within(r.values, c):
            if v.start >= after:
                found.setdefault(v.kind, v.text)
    return found


def _create(r: Reading, rs: RecordSpan, region: tuple[Clause, ...]) -> RecordEdit:
    name = _text(r, rs.name).strip(" .,;:")
    if not name:
        return RecordEdit("create", region, missing="name")
    after = rs.name.end if rs.name is not None else rs.end
    end = region[-1].end
    details = r.text[after:end]
    values = _values(r, region, after)
    stage = next((s.stage for c in region for s in r.within(r.stages, c) if s.start >= after), None)
    contact = None
    if (m := lexicon.CREATE_CONTACT_RE.search(details)) is not None:
        person = " ".join(m.group("person").split())
        role = _role_after(details, m.end())
        contact = NewContact(person, role, values.pop("email", None), values.pop("phone", None))
    amount = money(values["amount"]) if "amount" in values else None
    return RecordEdit(
        "create",
        region,
        name=name,
        stage=stage,
        contact=contact,
        email=values.get("email"),
        phone=values.get("phone"),
        value=amount,
    )


_ROLE_AFTER_RE = re.compile(
    rf"(?i)\s*(?:\((?P<p>[^)@]{{1,40}})\)|,?\s*as\s+(?:the\s+|their\s+|our\s+|a\s+|an\s+)?(?P<a>{lexicon.ROLE_WORDS})"
    r"(?=\s*(?:,|;|$|[\w.+-]+@|\+?\d)))"
)


def _role_after(details: str, at: int) -> str | None:
    m = _ROLE_AFTER_RE.match(details, at)
    if m is None:
        return None
    return (m.group("p") or m.group("a")).strip()


def _contact(r: Reading, rs: RecordSpan, region: tuple[Clause, ...]) -> RecordEdit:
    person = _text(r, rs.name).strip(" .,;:")
    if not person:
        return RecordEdit("contact", region, missing="person")
    if rs.exists:
        return RecordEdit("contact", region, contact=NewContact(person), missing="exists")
    values = _values(r, region, rs.start)
    role = rs.role.strip(" ,.") if rs.role else None
    return RecordEdit(
        "contact", region, contact=NewContact(person, role or None, values.get("email"), values.get("phone"))
    )


def _field(rs: RecordSpan, region: tuple[Clause, ...]) -> RecordEdit:
    said = rs.value or ""
    if rs.field == "email":
        return RecordEdit("update", region, email=said)
    if rs.field == "phone":
        return RecordEdit("update", region, phone=said)
    if rs.field == "value":
        return RecordEdit("update", region, value=money(said))
    if rs.field == "owner":
        return RecordEdit("update", region, owner=said or None, missing=None if said else "owner")
    return RecordEdit("update", region, rename=said or None, missing=None if said else "name")
