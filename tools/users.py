"""Reps: names, timezones, Telegram ids, digest times (their MCP tokens: tools/tokens.py)."""

from __future__ import annotations

import re

from pydantic import BaseModel

from store import Store, user_rows
from store.models import User
from tools.context import zone
from tools.errors import InvalidArgument, NotFound, quoted
from tools.fields import INT64_MAX


class UserOut(BaseModel):
    name: str
    timezone: str
    telegram_id: int | None = None
    digest_time: str


def _out(u: User) -> UserOut:
    return UserOut(name=u.name, timezone=u.timezone, telegram_id=u.telegram_id, digest_time=u.digest_time)


def _check_time(value: str) -> str:
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())
    if not m:
        raise InvalidArgument(f"Digest time must be HH:MM (24-hour), not {quoted(value)}.")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def add_user(
    store: Store,
    name: str,
    *,
    timezone: str | None = None,
    telegram_id: int | None = None,
    digest_time: str | None = None,
) -> UserOut:
    """Register a rep, or update the given settings of an existing one."""
    name = name.strip()
    if not name:
        raise InvalidArgument("A user needs a name.")
    if len(name) > 200:
        raise InvalidArgument(f"A user name has at most 200 characters, not {len(name):,}.")
    if timezone is not None:
        if len(timezone) > 64:  # longer than any IANA name (and than a file name may be)
            raise InvalidArgument(
                f"Unknown timezone {quoted(timezone)}; use an IANA name like 'Europe/Berlin'."
            )
        zone(timezone)  # raises on an unknown zone
    if telegram_id is not None and (
        isinstance(telegram_id, bool) or not isinstance(telegram_id, int) or not 1 <= telegram_id <= INT64_MAX
    ):
        # A Telegram id is a positive number the bot compares with; text or a huge number matches nobody.
        raise InvalidArgument(
            f"A Telegram id is a whole number from 1 to {INT64_MAX}, not {quoted(telegram_id)}."
        )
    with store.write() as s:
        if telegram_id is not None:
            other = user_rows.user_with_telegram_id(s, telegram_id, other_than=name)
            if other is not None:
                raise InvalidArgument(f"Telegram id {telegram_id} already belongs to {other.name}.")
        user = user_rows.user_named(s, name) or User(name=name)
        if timezone is not None:
            user.timezone = timezone
        if telegram_id is not None:
            user.telegram_id = telegram_id
        if digest_time is not None:
            user.digest_time = _check_time(digest_time)
        s.add(user)
        s.flush()
        return _out(user)


def list_users(store: Store) -> list[UserOut]:
    with store.read() as s:
        return [_out(u) for u in user_rows.all_users(s)]


def remove_user(store: Store, name: str) -> None:
    """Unregister a rep (their customers, notes and follow-ups stay; their MCP token goes)."""
    with store.write() as s:
        user = user_rows.user_named(s, name)
        if user is None:
            raise NotFound(f"No user named {quoted(name)}.")
        s.delete(user)


def get_user(store: Store, name: str) -> UserOut | None:
    with store.read() as s:
        user = user_rows.user_named(s, name)
        return _out(user) if user else None


def user_by_telegram_id(store: Store, telegram_id: int) -> UserOut | None:
    with store.read() as s:
        user = user_rows.user_with_telegram_id(s, telegram_id)
        return _out(user) if user else None
