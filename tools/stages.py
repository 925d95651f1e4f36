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


def set_stages(session: Session, names: list[str]) -> list[str]:
    """Configure the pipeline's stages, in order. Closing stages 'won' and 'lost' must stay.

    Customers in a stage that is no longer listed keep it (nothing is lost); they show in the
    pipeline after the configured stages until moved.
    """
    from tools.errors import InvalidArgument

    cleaned: list[str] = []
    for name in names:
        name = " ".join(name.split()).lower()
        if name and name not in cleaned:
            cleaned.append(name)
    missing = [s for s in ("won", "lost") if s not in cleaned]
    if missing:
        raise InvalidArgument(f"The stages must include {' and '.join(missing)} (reports count them as closed).")
    if len(cleaned) < 3:
        raise InvalidArgument("Give at least one open stage besides won and lost.")
    row = session.get(Meta, "stages") or Meta(key="stages", value="")
    row.value = json.dumps(cleaned)
    session.add(row)
    return cleaned
