"""Who is acting, when, and on which store: the first argument of every tool."""

from __future__ import annotations

import getpass
import os
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from store import Store, user_rows
from store.changelog import Batch
from store.driver_query import Reader
from tools.errors import InvalidArgument


def zone(name: str | None) -> ZoneInfo:
    """A ZoneInfo by IANA name; the system zone (or UTC) when None."""
    if not name:
        return _system_zone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidArgument(f"Unknown timezone {name!r}; use an IANA name like 'Europe/Berlin'.") from None


def _system_zone() -> ZoneInfo:
    try:
        link = Path("/etc/localtime").resolve()
        if "zoneinfo/" in str(link):
            return ZoneInfo(str(link).split("zoneinfo/", 1)[1])
    except (OSError, ZoneInfoNotFoundError, ValueError):
        pass
    return ZoneInfo("UTC")


@dataclass(frozen=True)
class Identity:
    """Who one request acts as when that differs from the process's user: a rep's MCP token."""

    name: str
    tz: ZoneInfo


# Set per request (the HTTP token gate), never for the process: concurrent requests of different
# reps each see their own. asyncio tasks and anyio worker threads inherit it from the request.
_acting: ContextVar[Identity | None] = ContextVar("crm_acting", default=None)


@dataclass(frozen=True)
class _Scope:
    """An open `batch()` / `transaction()` of one ToolContext, in one flow of control."""

    batch_id: str | None = None
    batch_summary: str | None = None
    tx: tuple[Session, Batch] | None = None


_NO_SCOPE = _Scope()
# By id(ToolContext), replaced (never mutated) on each change: one HTTP server's context serves
# concurrent requests, and one request's open batch or transaction must never take in another's writes.
_scopes: ContextVar[dict[int, _Scope] | None] = ContextVar("crm_scopes", default=None)


def set_acting(identity: Identity | None) -> Token[Identity | None]:
    """Act as `identity` in the current context until `reset_acting(token)`."""
    return _acting.set(identity)


def reset_acting(token: Token[Identity | None]) -> None:
    _acting.reset(token)


@contextmanager
def acting_as(identity: Identity | None) -> Iterator[None]:
    """Every ToolContext acts as `identity` (its name and zone) inside the block, in this context only."""
    token = set_acting(identity)
    try:
        yield
    finally:
        reset_acting(token)


class ToolContext:
    """The acting user, their zone, the clock and the store.

    `now` is fixed for tests and demos (`--now`); otherwise the real clock is read at each call.
    Writes made inside `ctx.batch(...)` share one change-log batch and are undone together.
    `actor` and `tz` are the ones given here unless a request acts as someone else (`acting_as`):
    one HTTP MCP server serves every rep, each request as the rep its token belongs to.
    """

    def __init__(
        self,
        store: Store,
        actor: str,
        source: str = "cli",
        tz: ZoneInfo | None = None,
        fixed_now: datetime | None = None,
    ) -> None:
        self.store = store
        self._actor = actor
        self.source = source
        self._tz = tz if tz is not None else ZoneInfo("UTC")
        self.fixed_now = fixed_now

    def __repr__(self) -> str:
        # The label, not the URL: a PostgreSQL URL can carry the password.
        where = self.store.label
        return f"ToolContext(actor={self.actor!r}, source={self.source!r}, tz={self.tz}, store={where})"

    def _scope(self) -> _Scope:
        return (_scopes.get() or {}).get(id(self), _NO_SCOPE)

    def _open_scope(self, scope: _Scope) -> Token[dict[int, _Scope] | None]:
        return _scopes.set({**(_scopes.get() or {}), id(self): scope})

    @property
    def _batch_id(self) -> str | None:
        return self._scope().batch_id

    @property
    def _batch_summary(self) -> str | None:
        return self._scope().batch_summary

    @property
    def _tx(self) -> tuple[Session, Batch] | None:
        return self._scope().tx

    @property
    def actor(self) -> str:
        acting = _acting.get()
        return acting.name if acting is not None else self._actor

    @property
    def tz(self) -> ZoneInfo:
        acting = _acting.get()
        return acting.tz if acting is not None else self._tz

    def now(self) -> datetime:
        """The current moment in the user's zone (aware)."""
        if self.fixed_now is not None:
            return self.fixed_now.astimezone(self.tz)
        return datetime.now(UTC).astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    @contextmanager
    def write(self, summary: str) -> Iterator[Batch]:
        """A write session with its change-log batch (shared with an enclosing `batch()`).

        Inside `transaction()` it is the transaction's session and batch: nothing is committed here.
        """
        if self._tx is not None:
            yield self._tx[1]
            return
        with self.store.write() as session:
            batch = Batch(session, self.actor, self.source, self._batch_summary or summary, at=self.now())
            if self._batch_id:
                batch.id = self._batch_id
            yield batch

    @contextmanager
    def batch(self, summary: str) -> Iterator[str]:
        """Group the writes of several tool calls into one undoable change."""
        scope = self._scope()
        if scope.batch_id is not None:
            yield scope.batch_id
            return
        batch_id = uuid.uuid4().hex
        token = self._open_scope(replace(scope, batch_id=batch_id, batch_summary=summary))
        try:
            yield batch_id
        finally:
            _scopes.reset(token)

    @contextmanager
    def transaction(self, summary: str) -> Iterator[str]:
        """Every tool call inside shares one write session and one change-log batch: committed once at
        the end, rolled back whole on any exception. Nested calls join the outer one. Yields the batch id.

        Reads inside see the transaction's own writes (they use its session).
        """
        if self._tx is not None:
            yield self._tx[1].id
            return
        with self.store.write() as session:
            batch = Batch(session, self.actor, self.source, self._batch_summary or summary, at=self.now())
            if self._batch_id:
                batch.id = self._batch_id
            token = self._open_scope(replace(self._scope(), tx=(session, batch)))
            try:
                yield batch.id
            finally:
                _scopes.reset(token)

    def read(self) -> AbstractContextManager[Session]:
        if self._tx is not None:
            return nullcontext(self._tx[0])
        return self.store.read()

    def quick_read(self) -> AbstractContextManager[Reader]:
        """For prebuilt reads alone (store/driver_query.py): a connection without an ORM session, or
        the enclosing transaction's, whose own writes it then sees."""
        if self._tx is not None:
            return nullcontext(Reader.of(self._tx[0]))
        return self.store.quick_read()


def parse_now(value: str | None, tz: ZoneInfo) -> datetime | None:
    """`--now` / CRM_NOW: an ISO datetime; naive means in the user's zone."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidArgument(
            f"--now must be an ISO datetime like 2026-03-04T14:00:00, not {value!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def open_context(
    *,
    db: str | None = None,
    user: str | None = None,
    now: str | None = None,
    tz: str | None = None,
    source: str = "cli",
    store: Store | None = None,
) -> ToolContext:
    """A context from the global settings (`--db/--user/--now/--tz`, else CRM_* variables, else defaults).

    The acting user's registered timezone wins over `--tz`, which is only the fallback for users
    not registered with `crm users`.
    """
    store = store or Store(db if db is not None else os.environ.get("CRM_DB"))
    actor = (user or os.environ.get("CRM_USER") or getpass.getuser() or "me").strip()
    with store.read() as s:
        registered = user_rows.timezone_of(s, actor)
    zone_ = zone(registered or tz or os.environ.get("CRM_TZ"))
    return ToolContext(
        store=store,
        actor=actor,
        source=source,
        tz=zone_,
        fixed_now=parse_now(now or os.environ.get("CRM_NOW"), zone_),
    )
