"""Record edits said in a message, as typed spans: a new customer and its details, a contact (name, role,
where they work), tags added or removed, a field set to a value (email, phone, deal value, owner, name).

Each is found at a clause's start (or, for a field, where a field word meets its value), with the
lexicon's patterns; which customer is meant stays the resolver's job (the spans only say *where* the
customer is named), and `assistant.understanding.records` turns the spans into edits.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant import lexicon
from assistant.reading.types import Clause, FieldName, RecordSpan, Span

MAX_RECORD_SCAN = 2000  # a record edit is said in a line or two, not inside a long paste
MAX_TAG_WORDS = 3  # a tag is a label ("eu-hosting", "key account"), not a sentence


def record_spans(
    text: str, clauses: list[Clause], body_start: int, is_user: Callable[[str], bool]
) -> list[RecordSpan]:
    """The record edits of `text`, one per clause at most, left to right. `is_user(name)` says whether
    a word names a rep (a new owner must be one)."""
    out: list[RecordSpan] = []
    for c in clauses:
        if c.quoted or c.start >= MAX_RECORD_SCAN or (0 < body_start <= c.start):
            continue  # "note for X: add tag vip" is a note's words
        found = _at_start(text, c, is_user) or _field(text, c, is_user)
        if found is not None:
            out.append(found)
    return out


_LINE_END_RE = re.compile(r"[.!?](?=\s|$)|[\n;]")


def _at_start(text: str, c: Clause, is_user: Callable[[str], bool]) -> RecordSpan | None:
    lead = lexicon.CLAUSE_LEAD_RE.match(c.text)
    off = lead.end() if lead else 0
    # An edit's details run on past a ':' or a comma ("new contact: Peter Sand at Summit"), to the line's end.
    stop = _LINE_END_RE.search(text, c.end - 1 if c.end > c.start else c.end)
    end = stop.start() if stop else len(text)
    c = Clause(c.start, max(end, c.end), text[c.start : max(end, c.end)], c.quoted)
    for find in (_create, _contact, _tags, _reassign, _rename):
        found = find(text, c, off, is_user)
        if found is not None:
            return found
    return None


def _span(c: Clause, m: re.Match[str], group: str) -> Span | None:
    if m.group(group) is None:
        return None
    return Span(c.start + m.start(group), c.start + m.end(group))


def _trimmed(text: str, start: int, end: int) -> Span | None:
    """`text[start:end]` without surrounding spaces, quotes and punctuation; None when no word is left."""
    while start < end and text[start] in " \t\"'“”‘’:,-–—":
        start += 1
    while end > start and text[end - 1] in " \t\"'“”‘’.,;:!":
        end -= 1
    return Span(start, end) if re.search(r"[^\W_]", text[start:end]) else None


# ---- a new customer --------------------------------------------------------------------------------
def _create(text: str, c: Clause, off: int, _is_user: Callable[[str], bool]) -> RecordSpan | None:
    m = lexicon.CREATE_CUE_RE.match(c.text, off)
    if m is not None:
        at = c.start + m.end()
        while at < len(text) and text[at] in " \t:-–—\"'“":
            at += 1
        end = lexicon.NEW_NAME_END_RE.search(text, at)
        name = _trimmed(text, at, end.start() if end else len(text))
        if name is not None and _NOT_A_NAME_RE.match(text, name.start):
            # "new lead from the webinar, Orchid Florals, wants a demo": the name is the Title Case one
            found = _TITLE_RUN_RE.search(text, name.end, _line_end(text, name.end))
            name = Span(found.start(), found.end()) if found else None
        return RecordSpan(c.start + m.start(), c.start + m.end(), "create", m.group(), name=name)
    m = lexicon.CREATE_AS_RE.match(c.text, off)
    if m is not None:
        named = _span(c, m, "name")
        name = _trimmed(text, named.start, named.end) if named else None
        said = text[name.start : name.end] if name else ""
        if not m.group().lower().lstrip().startswith(("add", "please")) and (
            not said[:1].isupper() or _NOT_A_NAME_RE.match(said)
        ):
            return None  # "this is a new lead for us": no name, and no instruction to create one
        news = not m.group().lower().lstrip().startswith(("add", "please"))
        return RecordSpan(c.start + m.start(), c.start + m.end(), "create", m.group(), name=name, news=news)
    return None


_NOT_A_NAME_RE = re.compile(
    r"(?i)(?:from|at|via|off|out|in|on|with|who|that|which|this|it|he|she|they|we|i|there|here|today)\b"
)
_TITLE_RUN_RE = re.compile(rf"{lexicon.PERSON_NAME}(?:\s+&\s+{lexicon.PERSON_NAME})?")


def _line_end(text: str, at: int) -> int:
    stop = _LINE_END_RE.search(text, at)
    return stop.start() if stop else len(text)


# ---- a contact ---------------------------------------------------------------------------------------
def _contact(text: str, c: Clause, off: int, is_user: Callable[[str], bool]) -> RecordSpan | None:
    found = _contact_said(text, c, off, is_user)
    if found is None or lexicon.CONTACT_CUE_RE.match(c.text, off) is not None:
        return found  # "add contact …" says it is a person, whatever the words
    person = found.name
    if person is not None and lexicon.names_a_thing(text[person.start : person.end]):
        return None  # "Globex - add Premium Support, account manager": a plan, not a person
    return found


def _contact_said(text: str, c: Clause, off: int, _is_user: Callable[[str], bool]) -> RecordSpan | None:
    m = lexicon.CONTACT_CUE_RE.match(c.text, off)
    if m is not None:
        after = m.end()
        at = lexicon.CONTACT_AT_RE.match(c.text, after)  # "new contact at fjord: Ana Silva, buyer"
        tail = at or lexicon.CONTACT_TAIL_RE.match(c.text, after)  # "add contact Tom Hale to Evergreen"
        if tail is None and (bare := lexicon.CONTACT_BARE_RE.match(c.text, after)) is not None:
            return _contact_of(c, m.start(), bare, m.group())  # the customer is named elsewhere
        if tail is None:
            person = _trimmed(text, c.start + after, c.end)
            return RecordSpan(c.start + m.start(), c.end, "contact", m.group(), name=person)
        return _contact_of(c, m.start(), tail, m.group())
    m = lexicon.ADD_PERSON_RE.match(c.text, off)
    if m is not None and (tail := lexicon.CONTACT_TAIL_RE.match(c.text, m.start("person"))) is not None:
        return _contact_of(c, m.start(), tail, m.group())
    m = _ADD_BARE_PERSON_RE.match(c.text, off)
    if m is not None and (bare := lexicon.CONTACT_BARE_RE.match(c.text, m.start("person"))) is not None:
        said = c.text[bare.end() :]
        role = bare.group("prole") or bare.group("role") or ""
        if _DETAIL_RE.match(said) or _ROLE_NOUN_RE.search(role):
            # "globex - add Dev Patel, office manager, email dev@x.com": the customer is named elsewhere
            return _contact_of(c, m.start(), bare, m.group())
    m = lexicon.HAS_NEW_CONTACT_RE.match(c.text, off)
    if m is not None and not _not_a_role(m.group("role")):
        return _contact_of(c, m.start(), m, m.group())
    for find, with_customer in (
        (lexicon.PERSON_IS_ROLE_RE.match, True),  # "Lisa Wong is the new buyer at Kettle & Crumb"
        (lexicon.NEW_ROLE_IS_RE.search, False),  # "their new CTO is Dev Patel"
    ):
        m = find(c.text, off)
        if m is None or _not_a_role(m.group("role")):
            continue
        customer = _trimmed(text, c.start + m.end(), _slot_end(c, m.end())) if with_customer else None
        return RecordSpan(
            c.start + m.start(),
            c.end,
            "contact",
            m.group(),
            name=_span(c, m, "person"),
            role=m.group("role").strip(),
            customer=customer,
        )
    return None


# "add Dev Patel, office manager": "add", a Title Case person, then only their details (a role, an email,
# a phone). Without a detail that only a person has ("add Premium Support, renewal in May") it is no contact.
_ADD_BARE_PERSON_RE = re.compile(
    rf"(?:please\s+|pls\s+)?add\s+(?:new\s+)?(?P<person>(?-i:{lexicon.TITLE_WORD}\s+{lexicon.PERSON_NAME}))"
    r"(?=\s*(?:,|\(|$|[\w.+-]+@|\+?\d))",
    re.IGNORECASE,
)
_DETAIL_RE = re.compile(
    r"(?i)[\s,;]*(?:(?:e-?mail|phone|tel|mobile|cell)\b\s*:?\s*)?(?:[\w.+-]+@[\w-]+\.|\+?\d[\d ()-]{6,})"
)
_ROLE_NOUN_RE = re.compile(
    r"(?i)\b(?:manager|director|head|lead|ceo|cfo|cto|coo|cmo|cio|vp|owner|buyer|engineer|officer|assistant"
    r"|coordinator|admin|administrator|president|founder|co-founder|accountant|analyst|specialist|supervisor"
    r"|rep|representative|consultant|producer|editor|chef|principal|secretary|controller|counsel|architect"
    r"|designer|developer|planner|receptionist|procurement|purchasing|ops|it|hr|finance|marketing|sales)$"
)


def _not_a_role(said: str | None) -> bool:
    """'their new price is Premium Plus': a thing, not a job — no contact."""
    return said is not None and bool(said.split()) and said.lower().split()[-1] in lexicon.NOT_ROLES


def _slot_end(c: Clause, at: int) -> int:
    stop = re.compile(r"[,;(]|\s+(?:as|e-?mail|phone)\b").search(c.text, at)
    return c.start + (stop.start() if stop else len(c.text))


_ROLE_AFTER_SLOT_RE = re.compile(
    rf"(?i)\s*,?\s*as\s+(?:the\s+|a\s+|an\s+|their\s+|our\s+)?(?:new\s+)?(?P<role>{lexicon.ROLE_WORDS})"
    r"(?=\s*(?:[,;(]|$|[\w.+-]+@|\+?\d))"
)


def _contact_of(c: Clause, start: int, m: re.Match[str], cue: str) -> RecordSpan:
    role = m.group("prole") or m.group("role") or m.groupdict().get("crole")
    if not role and "customer" in m.groupdict() and m.group("customer") is not None:
        after = _ROLE_AFTER_SLOT_RE.match(c.text, m.end("customer"))  # "add Tom Reed to Helios as head of IT"
        role = after.group("role") if after else None
    return RecordSpan(
        c.start + start,
        c.end,
        "contact",
        cue,
        name=_span(c, m, "person"),
        role=role.strip(" ,") if role else None,
        customer=_span(c, m, "customer") if "customer" in m.groupdict() else None,
    )


# ---- tags --------------------------------------------------------------------------------------------
def _tags(text: str, c: Clause, off: int, _is_user: Callable[[str], bool]) -> RecordSpan | None:
    for rx, add in ((lexicon.TAG_REMOVE_RE, False), (lexicon.TAG_ADD_RE, True)):
        m = rx.match(c.text, off)
        if m is None:
            continue
        which = "customer" if m.group("customer") else "customer2"
        said = m.group("tags") or m.group("tags2") or ""
        tags = tuple(
            t for t in (p.strip().strip("#\"'.!").strip() for p in lexicon.TAG_SPLIT_RE.split(said)) if t
        )
        if any(len(t.split()) > MAX_TAG_WORDS for t in tags):
            return None  # "tag Acme with the notes from lars at the visit" is no tag
        return RecordSpan(
            c.start + m.start(),
            c.end,
            "tags",
            m.group(),
            customer=_span(c, m, which),
            add_tags=tags if add else (),
            remove_tags=() if add else tags,
        )
    m = (
        lexicon.TAG_WORD_AFTER_RE.match(c.text, off)
        or lexicon.TAG_LIST_RE.match(c.text, off)
        or lexicon.TAG_BARE_RE.match(c.text, off)
    )
    if m is not None:
        add = "op" not in m.groupdict() or m.group("op").lower() in ("add", "put")
        tags = tuple(
            t
            for t in (p.strip().strip("#\"'.!").strip() for p in lexicon.TAG_SPLIT_RE.split(m.group("tags")))
            if t
        )
        return RecordSpan(
            c.start + m.start(),
            c.end,
            "tags",
            m.group(),
            customer=_span(c, m, "customer"),
            add_tags=tags if add else (),
            remove_tags=() if add else tags,
        )
    return None


# ---- fields ------------------------------------------------------------------------------------------
def _reassign(text: str, c: Clause, off: int, is_user: Callable[[str], bool]) -> RecordSpan | None:
    m = lexicon.REASSIGN_RE.match(c.text, off)
    if m is None:
        return None
    rep = is_user(m.group("who"))
    if not rep and not re.match(r"(?i)\s*(?:please\s+)?(?:re)?assign\b", m.group()):
        return None  # "give the deck to Arjun", "hand over the keys to Lars": not an owner
    return RecordSpan(
        c.start + m.start(),
        c.end,
        "field",
        m.group(),
        customer=_span(c, m, "customer"),
        field="owner",
        value=m.group("who") if rep else None,  # None: no rep of that name
    )


def _rename(text: str, c: Clause, off: int, _is_user: Callable[[str], bool]) -> RecordSpan | None:
    m = lexicon.RENAME_RE.match(c.text, off) or lexicon.RENAMED_RE.match(c.text, off)
    if m is None:
        return None
    second = m.groupdict().get("name") is None  # "Juno is now called Juno Pets"
    new = _span(c, m, "name2" if second else "name")
    value = text[new.start : new.end].strip(" \"'“”") if new else ""
    return RecordSpan(
        c.start + m.start(),
        c.end,
        "field",
        m.group(),
        customer=_span(c, m, "customer2" if second else "customer"),
        field="name",
        value=value or None,
    )


def _field(text: str, c: Clause, is_user: Callable[[str], bool]) -> RecordSpan | None:
    """'Acme phone is +44 …', 'set Nordlicht's email to …', 'deal value 40k': a field word, a linking
    word and a value of that field's type (the value may follow a ':' that ends the clause)."""
    for name, rx in lexicon.FIELD_WORDS:
        for m in rx.finditer(c.text):
            at = c.start + m.end()
            link = lexicon.FIELD_LINK_RE.match(text, at)
            # "email dana@… the deck" is a to-do: a value needs its link ("is", ":", "to"), or "new email …"
            linked = link is not None or bool(_NEW_BEFORE_RE.search(c.text[: m.start()]))
            if not linked and not m.group().lower().endswith("worth"):
                continue
            value = _value_at(text, link.end() if link else at, name, is_user, linked=True)
            if value is None:
                continue
            v_start, v_end = value
            said = text[v_start:v_end].strip()
            return RecordSpan(
                c.start + m.start(),
                v_end,
                "field",
                m.group(),
                customer=_before_field(text, c, c.start + m.start()),
                field=name,
                value=None if name == "owner" and not is_user(said) else said,  # None: no rep of that name
            )
    return None


_NEW_BEFORE_RE = re.compile(r"(?i)\b(?:new|updated|correct|right)\s+$")
_SET_VERB_RE = re.compile(r"(?i)\s*(?:please\s+|pls\s+)?(?:set|change|update|make|put|fix|correct)\s+")
_SLOT_EDGE_RE = re.compile(
    r"(?i)^(?:the|their|its|our)\s+|(?:['\u2019]s)?(?:\s+(?:new|main|current|own))*\s*$"
)


def _before_field(text: str, c: Clause, at: int) -> Span | None:
    """Where 'Summit's phone …', 'set the Globex deal value …' name the customer: before the field word."""
    lead = lexicon.CLAUSE_LEAD_RE.match(c.text)
    start = c.start + (lead.end() if lead else 0)
    start = max(start, text.rfind(",", start, at) + 1)  # "Called Helios, their new main line is …"
    verb = _SET_VERB_RE.match(text, start)
    start = verb.end() if verb else start
    said = text[start:at]
    trimmed = _SLOT_EDGE_RE.sub("", said)
    head = said.find(trimmed) if trimmed else -1
    return _trimmed(text, start + head, start + head + len(trimmed)) if head >= 0 else None


def _value_at(
    text: str, at: int, name: FieldName, is_user: Callable[[str], bool], *, linked: bool
) -> tuple[int, int] | None:
    if name == "email":
        m = lexicon.EMAIL_RE.match(text, at)
    elif name == "phone":
        m = lexicon.PHONE_RE.match(text, at) if linked else None  # "gave me her number 555…" is a note
    elif name == "value":
        m = lexicon.MONEY_RE.match(text, at)
    else:
        m = re.compile(r"[^\W\d_][\w.-]*").match(text, at) if linked else None
    return (m.start(), m.end()) if m is not None else None


def money(said: str) -> float | None:
    """'40k' -> 40000.0, '$1.2m' -> 1200000.0, '€25,000' -> 25000.0; None when it is not an amount."""
    m = lexicon.MONEY_RE.search(said)
    if m is None:
        return None
    n = float(m.group("n").replace(",", ""))
    unit = (m.group("unit") or "").lower()
    return n * {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9}.get(unit, 1)
