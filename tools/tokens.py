"""Each rep's MCP bearer token for `crm mcp --http`: create (shown once), rotate, revoke, look up.

Only its sha256 is stored: a copy of the database
gives nobody a working token. The token is 32 random bytes (secrets.token_urlsafe), so a plain
hash needs no salt or stretching: there is nothing to guess that is smaller than the token itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlmodel import Session

from store import Store, token_rows, user_rows
from store.models import McpToken, User, saved_id
from store.types import utcnow
from tools.context import Identity, zone
from tools.errors import InvalidArgument, NotFound, quoted

TOKEN_PREFIX = "crm_"  # says what the secret is when it turns up in a config file or a log


class TokenOut(BaseModel):
    """What `crm users token` did. `token` is the secret itself, given only when it was just made."""

    name: str
    action: Literal["created", "rotated", "revoked"]
    token: str | None = None
    created_at: datetime | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def _registered(s: Session, name: str) -> User:
    user = user_rows.user_named(s, name.strip())
    if user is None:
        raise NotFound(
            f"No user named {quoted(name)}; register them first: crm users add {name.strip() or 'NAME'} "
            "--tz Europe/Berlin"
        )
    return user


def create_token(store: Store, name: str, *, rotate: bool = False) -> TokenOut:
    """A new MCP token for rep `name`, shown only in the result.

    A rep has one token: a second one is refused unless `rotate`, which replaces it (the old one
    stops working at once). Rotating a rep with no token simply creates one.
    """
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.write() as s:
        user = _registered(s, name)
        existing = token_rows.token_of(s, saved_id(user))
        if existing is not None and not rotate:
            raise InvalidArgument(
                f"{user.name} already has an MCP token (created {existing.created_at:%Y-%m-%d %H:%M} UTC); "
                f"crm users token {user.name} --rotate replaces it, --revoke removes it."
            )
        row = existing or McpToken(user_id=saved_id(user), token_hash="")
        row.token_hash = hash_token(secret)
        row.created_at = utcnow()
        s.add(row)
        s.flush()
        action: Literal["created", "rotated"] = "rotated" if existing is not None else "created"
        return TokenOut(name=user.name, action=action, token=secret, created_at=row.created_at)


def revoke_token(store: Store, name: str) -> TokenOut:
    """Remove rep `name`'s MCP token: a client still sending it is refused from its next request."""
    with store.write() as s:
        user = _registered(s, name)
        existing = token_rows.token_of(s, saved_id(user))
        if existing is None:
            raise NotFound(f"{user.name} has no MCP token to revoke.")
        s.delete(existing)
        return TokenOut(name=user.name, action="revoked", created_at=existing.created_at)


def token_dates(store: Store) -> dict[str, datetime]:
    """When each rep's current token was made, by rep name (reps without a token are left out)."""
    with store.read() as s:
        return {name: token.created_at for name, token in token_rows.tokens_by_user(s).items()}


def has_tokens(store: Store) -> bool:
    with store.read() as s:
        return token_rows.token_count(s) > 0


def identity_for_token(store: Store, token: str) -> Identity | None:
    """The rep a bearer token belongs to (their name and zone), or None for an unknown or revoked one.

    The lookup is by the token's hash, so how long it takes says nothing about the token; the found
    hash is compared once more in constant time all the same.
    """
    digest = hash_token(token)
    with store.read() as s:
        user = token_rows.user_by_token_hash(s, digest)
        if user is None:
            return None
        row = token_rows.token_of(s, saved_id(user))
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    return Identity(name=user.name, tz=zone(user.timezone))
