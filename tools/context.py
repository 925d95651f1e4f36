"""Who is acting, when, and on which store: the first argument of every tool."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from store import Store
from store.changelog import Batch
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
        from pathlib import Path

        link = Path("/etc/localtime").resolve()
        if "zoneinfo/" in str(link):
            return ZoneInfo(str(link).split("zoneinfo/", 1)[1])
    except (OSError, ZoneInfoNotFoundError, ValueError):
        pass
    return ZoneInfo("UTC")


@dataclass
class ToolContext:
    """The acting user, their zone, the clock and the store.

    `now` is fixed for tests and demos (`--now`); otherwise the real clock is read at each call.
    Writes made inside `ctx.batch(...)` share one change-log batch and are undone together.
    """

    store: Store
    actor: str
    source: str = "cli"
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    fixed_now: datetime | None = None
    _batch_id: str | None = None
    _batch_summary: str | None = None

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
        """A write session with its change-log batch (shared with an enclosing `batch()`)."""
        with self.store.write() as session:
            batch = Batch(session, self.actor, self.source, self._batch_summary or summary, at=self.now())
            if self._batch_id:
                batch.id = self._batch_id
            yield batch

    @contextmanager
    def batch(self, summary: str) -> Iterator[str]:
        """Group the writes of several tool calls into one undoable change."""
        import uuid

        outer = (self._batch_id, self._batch_summary)
        if self._batch_id is None:
            self._batch_id, self._batch_summary = uuid.uuid4().hex, summary
        try:
            yield self._batch_id
        finally:
            self._batch_id, self._batch_summary = outer

    def read(self) -> AbstractContextManager[Session]:
        return self.store.read()


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
    import getpass
    import os

    from sqlmodel import select

    from store.models import User

    store = store or Store(db if db is not None else os.environ.get("CRM_DB"))
    actor = (user or os.environ.get("CRM_USER") or getpass.getuser() or "me").strip()
    with store.read() as s:
        registered = s.exec(select(User.timezone).where(User.name == actor)).first()
    zone_ = zone(registered or tz or os.environ.get("CRM_TZ"))
    return ToolContext(
        store=store,
        actor=actor,
        source=source,
        tz=zone_,
        fixed_now=parse_now(now or os.environ.get("CRM_NOW"), zone_),
    )
