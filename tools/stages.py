"""Pipeline stages and the words users say for them."""
from __future__ import annotations

import json

from sqlmodel import Session

from store.models import DEFAULT_STAGES, Meta
from tools.errors import InvalidStage
from tools.names import normalize

ALIASES: dict[str, str] = {
    "new": "lead", "prospect": "lead", "leads": "lead",
    "qualify": "qualified", "sql": "qualified",
    "proposal sent": "proposal", "sent proposal": "proposal", "quote": "proposal", "quoted": "proposal",
    "quote sent": "proposal", "proposals": "proposal",
    "negotiating": "negotiation", "negotiations": "negotiation", "contract": "negotiation",
    "closed won": "won", "close won": "won", "signed": "won", "closed": "won", "win": "won", "deal won": "won",
    "closed lost": "lost", "close lost": "lost", "dead": "lost", "lose": "lost", "churned": "lost",
    "deal lost": "lost", "no deal": "lost",
}


def stages(session: Session) -> list[str]:
    """The configured pipeline stages, in order (the defaults unless the `stages` setting is set)."""
    row = session.get(Meta, "stages")
    if row is None:
        return list(DEFAULT_STAGES)
    return list(json.loads(row.value))


def canonical_stage(session: Session, said: str) -> str:
    """The stage `said` names ('Proposal Sent' -> 'proposal'); InvalidStage lists the valid ones."""
    valid = stages(session)
    key = normalize(said)
    for stage in valid:
        if normalize(stage) == key:
            return stage
    alias = ALIASES.get(key)
    if alias in valid:
        return alias  # type: ignore[return-value]
    raise InvalidStage(said, valid)
