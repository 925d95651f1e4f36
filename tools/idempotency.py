"""Idempotency keys: a creating write retried with the same key returns its first result.

A client that timed out cannot know whether its `log_interaction` landed; with a key it can simply
send the call again. Both steps run inside the write's own transaction, which holds SQLite's write
lock (BEGIN IMMEDIATE), so a retry that arrives while the first call is still running waits for it
and then finds its key: two calls with one key never both write.

Keys belong to one acting user and one tool, and are kept for KEEP (at least a day, as promised);
older ones are dropped as new ones are stored. A key reused for a different request is refused
rather than answered with the result of something else.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TypeVar

from pydantic import BaseModel
from sqlmodel import Session

from store.idempotency_keys import drop_keys_before, find_key, store_key
from tools.context import ToolContext
from tools.errors import InvalidArgument

KEEP = timedelta(days=7)
ResultT = TypeVar("ResultT", bound=BaseModel)


def _digest(request: BaseModel) -> str:
    return hashlib.sha256(request.model_dump_json(exclude={"idempotency_key"}).encode()).hexdigest()


def replay(
    session: Session, ctx: ToolContext, tool: str, request: BaseModel, result: type[ResultT]
) -> ResultT | None:
    """The result stored for this call's key, or None when it has no key or the key is new."""
    key = getattr(request, "idempotency_key", None)
    if not key:
        return None
    row = find_key(session, actor=ctx.actor, tool=tool, key=key, since=ctx.now() - KEEP)
    if row is None:
        return None
    if row.request != _digest(request):
        raise InvalidArgument(
            f"idempotency_key {key!r} was already used for a different {tool} call; "
            "use a new key for a new write."
        )
    return result.model_validate_json(row.result)


def remember(session: Session, ctx: ToolContext, tool: str, request: BaseModel, result: BaseModel) -> None:
    """Store `result` under the call's key (no key: nothing to do), dropping keys past KEEP."""
    key = getattr(request, "idempotency_key", None)
    if not key:
        return
    now = ctx.now()
    # Expired keys go (an expired row with this very key would otherwise block the new one).
    drop_keys_before(session, cutoff=now - KEEP)
    store_key(
        session,
        actor=ctx.actor,
        tool=tool,
        key=key,
        request=_digest(request),
        result=result.model_dump_json(),
        at=now,
    )
