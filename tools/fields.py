"""Field rules every input shares: tool arguments (tools/schemas.py) and import rows (tools/import_format.py).

One rule per kind of value — a name, a tag, an amount, a stage word, a moment — so a value a tool
refuses is refused by an import too, and the other way round. Limits are generous for people and
tight enough that a runaway client cannot store megabytes in a phone number or overflow SQLite's
64-bit integers.
"""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from tools.errors import quoted


def _refused(kind: str, message: str, value: object = None) -> PydanticCustomError:
    # A custom error reads as the message alone (a ValueError would show as "Value error, …");
    # {value} in the message is the bad input, cut to ~80 characters.
    return PydanticCustomError(kind, message, {"value": quoted(value)} if value is not None else None)


def _nul_rule(value: str) -> str:
    # PostgreSQL text cannot hold a NUL character (SQLite would store it): refused on both backends.
    if "\x00" in value:
        raise _refused("nul", "{value} contains a NUL character", value)
    return value


NulFree = AfterValidator(_nul_rule)
"""Every text a caller gives goes through this rule (a field's own rules come after it)."""

INT64_MAX = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=INT64_MAX)]
"""A row id: SQLite stores 64-bit integers, so a larger one can name nothing."""

TelegramId = Annotated[int, Field(ge=1, le=INT64_MAX, strict=True)]


def _name_rule(value: str) -> str:
    value = " ".join(value.split())
    if not re.search(r"[^\W_]", value):
        raise _refused("name", "a name needs at least one letter or digit")
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    NulFree,
    AfterValidator(_name_rule),
]
"""A customer's or a person's name."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), NulFree]
"""A short free text: a role, a rep's name, an author."""

Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60), NulFree]


def _email_rule(value: str) -> str:
    if value and "@" not in value:
        raise _refused("email", "{value} is not an email address (no @)", value)
    return value


Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=320), NulFree, AfterValidator(_email_rule)
]


def _tag_rule(value: str) -> str:
    if ";" in value:
        raise _refused("tag", "tag {value} contains ';', which separates tags in a spreadsheet", value)
    return value


# An empty tag is allowed here and dropped by the tools (a trailing ';' in a spreadsheet is no mistake).
Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=60), NulFree, AfterValidator(_tag_rule)
]
Tags = Annotated[list[Tag], Field(max_length=100)]

StageWord = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), NulFree]
"""What a user calls a stage; tools.stages.canonical_stage checks it against the configured pipeline."""

Money = Annotated[float, Field(ge=0, le=1e15, allow_inf_nan=False)]
"""A deal amount: finite (JSON has no Infinity or NaN) and within what a float adds up exactly."""

Query = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), NulFree]

Body = Annotated[str, StringConstraints(min_length=1, max_length=1_000_000), NulFree]
"""A note: stored exactly as written, never cut; a megabyte is refused rather than stored."""

Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), NulFree]

# An ISO moment's UTC offset: real ones lie within -12:00..+14:00; ISO 8601 allows up to 18 hours.
_OFFSET = re.compile(r"\d{2}:?\d{2}(?::?\d{2}(?:[.,]\d+)?)?\s*([+-])(\d{2}):?(\d{2})(?::?\d{2})?\s*$")


def _moment_rule(value: str) -> str:
    m = _OFFSET.search(value)
    if m and (
        int(m.group(2)) > 18 or int(m.group(3)) > 59 or int(m.group(2)) * 60 + int(m.group(3)) > 18 * 60
    ):
        raise _refused(
            "utc_offset",
            f"the UTC offset {m.group(1)}{m.group(2)}:{m.group(3)} is out of range (at most ±18:00)",
        )
    year = re.match(r"\s*(\d{4})-\d{2}", value)
    if year and not 1000 <= int(year.group(1)) <= 9000:
        # Near year 1 or 9999 a moment cannot even be turned into UTC for storage (OverflowError).
        raise _refused("year", "a date must lie between the years 1000 and 9000")
    return value


When = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    NulFree,
    AfterValidator(_moment_rule),
]
"""A date or moment, ISO or in words ('next Tuesday 10am')."""


def _cursor_rule(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not re.fullmatch(r"o[0-9]{1,12}", value):
        raise _refused(
            "cursor",
            "not a cursor this server gave out; pass the `next_cursor` of a previous "
            "result, or omit it for the first page",
        )
    return value


Cursor = Annotated[Annotated[str, StringConstraints(max_length=40)] | None, AfterValidator(_cursor_rule)]


def _zone_rule(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise _refused("timezone", "not a known timezone; use an IANA name like 'Europe/Berlin'") from None
    return value


Timezone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    NulFree,
    AfterValidator(_zone_rule),
]


def _ref_rule(value: int | str) -> int | str:
    if isinstance(value, int):
        if not 1 <= value <= INT64_MAX:
            raise _refused("customer_id", "a customer id is a whole number from 1 to 9223372036854775807")
        return value
    value = _nul_rule(value.strip())
    if not value:
        raise _refused("customer_ref", "give a customer id or name")
    if len(value) > 300:
        raise _refused("customer_ref", "a customer name has at most 300 characters")
    digits = value.lstrip("#")
    if re.fullmatch(r"[0-9]+", digits) and (len(digits) > 19 or int(digits) > INT64_MAX):
        raise _refused("customer_id", "a customer id is a whole number from 1 to 9223372036854775807")
    return value


Ref = Annotated[int | str, AfterValidator(_ref_rule)]
"""A customer: its id, "#id" or its name. One type, so a refusal names the argument, not a union branch."""
