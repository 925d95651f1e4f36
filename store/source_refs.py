"""Records a surface message created, found by their `source_ref` (e.g. to correct them after an edit)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from store.models import FollowUp, Interaction


def interaction_ids_by_ref(session: Session, *, source_ref: str) -> list[int]:
    """Ids of the interactions made from `source_ref`, oldest first."""
    query = select(Interaction.id).where(Interaction.source_ref == source_ref).order_by(col(Interaction.id))
    return [i for i in session.exec(query) if i is not None]


def followup_ids_by_ref(session: Session, *, source_ref: str) -> list[int]:
    """Ids of the follow-ups made from `source_ref`, oldest first."""
    query = select(FollowUp.id).where(FollowUp.source_ref == source_ref).order_by(col(FollowUp.id))
    return [i for i in session.exec(query) if i is not None]
