"""The SQL of reps' MCP tokens (for tools.users and the HTTP token gate)."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from store.models import McpToken, User


def token_of(s: Session, user_id: int) -> McpToken | None:
    return s.exec(select(McpToken).where(McpToken.user_id == user_id)).first()


def tokens_by_user(s: Session) -> dict[str, McpToken]:
    """Every rep's token, by rep name."""
    rows = s.exec(select(User.name, McpToken).join(McpToken, col(McpToken.user_id) == col(User.id)))
    return {name: token for name, token in rows}


def user_by_token_hash(s: Session, token_hash: str) -> User | None:
    """The rep whose token hashes to `token_hash` (a unique index: one row or none)."""
    query = select(User).join(McpToken, col(McpToken.user_id) == col(User.id))
    return s.exec(query.where(McpToken.token_hash == token_hash)).first()


def token_count(s: Session) -> int:
    return int(s.exec(select(func.count()).select_from(McpToken)).one())
