"""The SQL of reps (for tools.users and tools.context)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from store.models import User


def user_named(s: Session, name: str) -> User | None:
    return s.exec(select(User).where(User.name == name)).first()


def user_with_telegram_id(s: Session, telegram_id: int, *, other_than: str | None = None) -> User | None:
    """The rep with this Telegram id (other than the one named `other_than`)."""
    query = select(User).where(User.telegram_id == telegram_id)
    if other_than is not None:
        query = query.where(User.name != other_than)
    return s.exec(query).first()


def all_users(s: Session) -> list[User]:
    return list(s.exec(select(User).order_by(col(User.name))))


def timezone_of(s: Session, name: str) -> str | None:
    """A registered rep's timezone; None for a name not registered."""
    return s.exec(select(User.timezone).where(User.name == name)).first()
