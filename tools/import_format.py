"""The import format as pydantic models, sharing the tools' field rules (tools/fields.py).

A `crm-export` JSON document or a customer CSV is read into these models one customer at a time,
so every bad value is refused by where it is (CSV line, or customer position) and by key — an
interaction `"kind": 5`, a `"value": "nan"`, a timezone "Mars/Olympus" — and never as a traceback.
Keys beyond these are fine (an export carries ids and timestamps) and are ignored.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
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
    Phone,
    StageWord,
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
