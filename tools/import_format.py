"""The import format as pydantic models, sharing the tools' field rules (tools/fields.py).

A `crm-export` JSON document or a customer CSV is read into these models one customer at a time,
so every bad value is refused by where it is (CSV line, or customer position) and by key — an
interaction `"kind": 5`, a `"value": "nan"`, a timezone "Mars/Olympus" — and never as a traceback.
Keys beyond these are fine (an export carries ids and timestamps) and are ignored.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from tools.errors import quoted
from tools.fields import (
    Body,
    Description,
    Email,
    Money,
    Name,
    NulFree,
    Phone,
    StageWord,
    Tag,
    Tags,
    TelegramId,
    Text,
    Timezone,
    When,
)


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _moment(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("must be an ISO datetime text, e.g. 2026-03-04T10:00:00+00:00")
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("is not an ISO datetime (e.g. 2026-03-04T10:00:00+00:00)") from None


Moment = Annotated[When, AfterValidator(_moment)]
"""An ISO datetime; naive ones are taken in the importing user's zone."""


def _due(value: Any) -> tuple[date, time | None]:
    if not isinstance(value, str):
        raise ValueError("must be an ISO date text (YYYY-MM-DD, optionally THH:MM)")
    text = value.strip()
    try:
        if "T" in text or " " in text:
            moment = datetime.fromisoformat(text)
            at = moment.time().replace(second=0, microsecond=0)
            return moment.date(), (at if at != time(0) else None)
        return date.fromisoformat(text), None
    except ValueError:
        raise ValueError("is not an ISO date (YYYY-MM-DD, optionally THH:MM)") from None


def _tags(value: Any) -> Any:
    if isinstance(value, str):  # a spreadsheet cell: tags separated by ';'
        return [t for t in (part.strip() for part in value.split(";")) if t]
    return value


def _clean_tags(tags: list[str]) -> list[str]:
    return [t for t in tags if t]


def _digest_time(value: str) -> str:
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())
    if not m:
        raise ValueError("must be HH:MM (24-hour)")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def _no_nan_text(value: Any) -> Any:
    # "nan", "inf" and "1e309" are numbers to float(); an amount is finite (JSON has no Infinity).
    if isinstance(value, str) and value.strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise ValueError("is not a finite number")
    return value


class Row(BaseModel):
    # Extra keys are fine (ids, timestamps, a newer export's additions); unknown CSV columns are
    # reported as warnings by the reader instead.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _blanks_are_missing(cls, data: Any) -> Any:
        # An empty cell (or "") means "not given": one pass per row, not one call per field.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data


class ContactRow(Row):
    name: Name
    role: Text | None = None
    email: Email | None = None
    phone: Phone | None = None


class InteractionRow(Row):
    kind: Annotated[Literal["note", "call", "meeting", "email"], BeforeValidator(_lower)] = "note"
    body: Body
    occurred_at: Moment | None = None
    author: Text | None = None
    source: Text | None = None


class FollowupRow(Row):
    due: Annotated[tuple[date, time | None], BeforeValidator(_due)]
    description: Annotated[Description, BeforeValidator(lambda v: "" if v is None else v)] = ""
    status: Annotated[Literal["open", "done", "cancelled"], BeforeValidator(_lower)] = "open"
    owner: Text | None = None
    created_at: Moment | None = None
    completed_at: Moment | None = None


class StageChangeRow(Row):
    from_stage: StageWord | None = Field(None, alias="from")
    to_stage: StageWord = Field(alias="to")
    at: Moment | None = None
    by: Text | None = None


class CustomerRow(Row):
    name: Name
    stage: StageWord | None = None
    owner: Text | None = None
    email: Email | None = None
    phone: Phone | None = None
    tags: Annotated[
        Tags | None, BeforeValidator(_tags), AfterValidator(lambda t: _clean_tags(t) if t else t)
    ] = None
    value: Annotated[Money | None, BeforeValidator(_no_nan_text)] = None
    created_at: Moment | None = None
    updated_at: Moment | None = None
    contacts: list[ContactRow] = Field([], max_length=10_000)
    interactions: list[InteractionRow] = Field([], max_length=1_000_000)
    followups: list[FollowupRow] = Field([], max_length=100_000)
    stage_history: list[StageChangeRow] = Field([], max_length=100_000)

    def given(self) -> dict[str, Any]:
        """The customer's own fields the file gave (not its lists), for creating or merging."""
        return {
            k: getattr(self, k)
            for k in ("stage", "owner", "email", "phone", "tags", "value")
            if getattr(self, k) is not None
        }


class UserRow(Row):
    name: Annotated[Text, Field(min_length=1)]
    timezone: Timezone | None = None
    telegram_id: TelegramId | None = None
    digest_time: Annotated[str, AfterValidator(_digest_time)] | None = None


def problems_of(where: str, error: ValidationError) -> list[str]:
    """One line per bad value: where it is, which key, what is wrong (never the whole bad input)."""
    out = []
    for err in error.errors(include_url=False):
        key = ""
        for part in err.get("loc", ()):
            if isinstance(part, int):
                key += f"[{part + 1}]"  # people count from 1
            elif not str(part).startswith(("function-", "constrained-")):
                key += ("." if key else "") + str(part)
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        given = err.get("input")
        if (
            isinstance(given, str | int | float)
            and not isinstance(given, bool)
            and "{value}" not in msg
            and quoted(given) not in msg
            and err.get("type") != "missing"
        ):
            msg += f" (got {quoted(given)})"
        out.append(f"{where}: {key or 'row'}: {msg}")
    return out


# ---- the fast path: a plain spreadsheet row checked without building models -------------------------
#
# Validating a CSV row through CustomerRow (a nested ContactRow, a model validator each, a Python
# after-validator per text field) cost ~80 µs; at 100,000 rows that was most of an import. Nearly
# every row is plain text that passes, so the same rules are first applied as plain functions,
# compiled from the very field types above (tools/fields.py: their length limits and after-validators,
# in pydantic's order). Anything these functions do not settle — an error, a number that is not
# plain digits, a column they do not read — goes through the models, which then say what is wrong.
# The NUL rule every text field carries is checked once for the whole file instead (`plain_customer`
# is only used on a file with no NUL character in it).


class _Unsettled(Exception):
    """The fast path cannot decide this value: validate the row through the models."""


# What pydantic's strip_whitespace strips (Unicode White_Space); str.strip() also takes \x1c-\x1f.
_WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)


def compiled(kind: Any) -> Callable[[str], str]:
    """A plain function applying the rules of an `Annotated[str, StringConstraints(...), validators...]`
    field type to a str, except the NUL rule (raises on anything else the type would refuse)."""
    base, *metadata = get_args(kind)
    if base is not str:
        raise TypeError(f"not a text field type: {kind!r}")
    strip, shortest, longest = False, 0, sys.maxsize
    after: list[Callable[[str], str]] = []
    for meta in metadata:
        if (
            isinstance(meta, StringConstraints)
            and meta.pattern is None
            and not (meta.to_lower or meta.to_upper)
        ):
            strip = bool(meta.strip_whitespace)
            shortest = meta.min_length or 0
            longest = sys.maxsize if meta.max_length is None else meta.max_length
        elif meta is NulFree:
            continue  # checked once per file by the caller
        elif isinstance(meta, AfterValidator):
            after.append(meta.func)  # type: ignore[arg-type]  # our field rules take and return the value only
        else:
            raise TypeError(f"the fast path cannot mirror {meta!r}")
    rule = after[0] if len(after) == 1 else None
    if len(after) > 1:
        raise TypeError("the fast path mirrors at most one rule besides the NUL rule")

    def check(value: str) -> str:
        if strip:
            value = value.strip(_WHITE_SPACE)
        if not shortest <= len(value) <= longest:
            raise _Unsettled
        return value if rule is None else rule(value)

    return check


_NAME, _TEXT, _EMAIL, _PHONE, _STAGE, _TAG = (compiled(t) for t in (Name, Text, Email, Phone, StageWord, Tag))
_PLAIN_AMOUNT = re.compile(r"[0-9]{1,15}(\.[0-9]{1,6})?")
_MAX_TAGS = 100
_MEMO = 2048  # texts remembered per column


def _remembered(check: Callable[[str], str]) -> Callable[[str], str]:
    """`check` remembering what it made of the texts it accepted before: a spreadsheet repeats its stage,
    owner and role words on every row (a pure function of the text, so the result is the same)."""
    memo: dict[str, str] = {}

    def remembered(value: str) -> str:
        found = memo.get(value)
        if found is None:
            found = check(value)
            if len(memo) < _MEMO:
                memo[value] = found
        return found

    return remembered


def _tag_list(cell: str) -> list[str]:
    """A tags cell as CustomerRow reads it ('eu; priority;' -> ['eu', 'priority'])."""
    parts = [t for t in (part.strip() for part in cell.split(";")) if t]
    if len(parts) > _MAX_TAGS:
        raise _Unsettled
    return [_TAG(t) for t in parts]


_TAG_LISTS: dict[str, list[str]] = {}


def _tags_of(cell: str) -> list[str]:
    found = _TAG_LISTS.get(cell)
    if found is None:
        found = _tag_list(cell)
        if len(_TAG_LISTS) < _MEMO:
            _TAG_LISTS[cell] = found
    return list(found)  # each customer its own list, as the models make


def _amount(cell: str) -> float:
    if not _PLAIN_AMOUNT.fullmatch(cell) or float(cell) > 1e15:
        raise _Unsettled
    return float(cell)


# Per key of a row the fast path reads, in the order CustomerRow.given() lists the fields (the name
# first, apart): the rule making its value. A key not here is either not read by the models either,
# or one of _OTHER_FIELDS.
_CUSTOMER_RULES: tuple[tuple[str, Callable[[str], Any]], ...] = (
    ("stage", _remembered(_STAGE)),
    ("owner", _remembered(_TEXT)),
    ("email", _EMAIL),
    ("phone", _PHONE),
    ("tags", _tags_of),
    ("value", _amount),
)
_CONTACT_RULES: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("role", _remembered(_TEXT)),
    ("email", _EMAIL),
    ("phone", _PHONE),
)
_READ_HERE = frozenset({"name", "contacts", *(k for k, _ in _CUSTOMER_RULES)})
# What CustomerRow reads besides these (created_at, interactions, …): a row giving one is not plain.
_OTHER_FIELDS = frozenset(CustomerRow.model_fields) - _READ_HERE
_CONTACT_KEYS = frozenset({"name", *(k for k, _ in _CONTACT_RULES)})


def plain_customer(raw: dict[str, Any]) -> tuple[str, dict[str, Any], list[dict[str, Any]]] | None:
    """(name, given fields as `CustomerRow.given()` returns them, contacts as `model_dump()`s) of a
    spreadsheet row — cells as text, from a file without NUL characters — when every value is plain
    and valid; None when the models must decide (and say what is wrong)."""
    if not _OTHER_FIELDS.isdisjoint(raw) and any(
        _given(raw[k]) is not None for k in _OTHER_FIELDS & raw.keys()
    ):
        return None
    fields: dict[str, Any] = {}
    try:
        name = _given(raw.get("name"))
        if name is None:
            return None
        name = _NAME(name)
        for key, rule in _CUSTOMER_RULES:
            value = raw.get(key)
            if value is None or value == "":  # _given, inline: most cells are given text
                continue
            if type(value) is not str:
                return None
            if not value.isspace():
                fields[key] = rule(value)
        given = raw.get("contacts")
        contacts = [_plain_contact(c) for c in given] if given else []
    except (_Unsettled, ValueError, TypeError):
        # A field rule's refusal (PydanticCustomError is a ValueError), not plain text, or contacts
        # that are not a list of objects.
        return None
    return name, fields, contacts


def _given(value: Any) -> str | None:
    """The text given, or None when not given (absent or blank: Row._blanks_are_missing); a value
    that is not text raises _Unsettled."""
    if value is None or value == "":
        return None
    if type(value) is not str:
        raise _Unsettled
    return None if value.isspace() else value


def _plain_contact(raw: Any) -> dict[str, Any]:
    if type(raw) is not dict or not raw.keys() <= _CONTACT_KEYS:
        raise _Unsettled
    name = _given(raw.get("name"))
    if name is None:
        raise _Unsettled
    out: dict[str, Any] = {"name": _NAME(name)}
    for key, rule in _CONTACT_RULES:
        value = raw.get(key)
        if value is None or value == "":  # _given, inline: most of these cells are empty
            out[key] = None
        elif type(value) is not str:
            raise _Unsettled
        else:
            out[key] = None if value.isspace() else rule(value)
    return out
