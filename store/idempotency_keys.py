"""Idempotency keys: a creating write's key and its stored result (see tools/idempotency.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, delete, select

from store.models import IdempotencyKey


def find_key(session: Session, *, actor: str, tool: str, key: str, since: datetime) -> IdempotencyKey | None:
    """The key `actor` used with `tool`, if it was stored at or after `since`."""
    return session.exec(
        select(IdempotencyKey).where(
            IdempotencyKey.actor == actor,
            IdempotencyKey.tool == tool,
            IdempotencyKey.key == key,
            col(IdempotencyKey.at) >= since,
        )
    ).first()


def drop_keys_before(session: Session, *, cutoff: datetime) -> None:
    """Delete every key stored before `cutoff` (an expired row would block a new one with its key)."""
    session.exec(delete(IdempotencyKey).where(col(IdempotencyKey.at) < cutoff))


def store_key(
    session: Session, *, actor: str, tool: str, key: str, request: str, result: str, at: datetime
) -> None:
    """Keep `result` (JSON) under the key; `request` is the digest of the call it answers."""
    session.add(IdempotencyKey(actor=actor, tool=tool, key=key, request=request, result=result, at=at))
