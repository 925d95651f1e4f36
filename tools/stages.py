"""Pipeline stages: the team's configured pipeline (names, order, which are closed) and the words users say.

The pipeline is kept in the database (`meta` rows `stages` and `closed_stages`), so every surface —
the CLI, the chat engine, Telegram, the MCP server — sees the same stages without a restart.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, Field
from sqlmodel import Session

from store.models import CLOSED_STAGES, DEFAULT_STAGES, Meta
from tools.errors import InvalidArgument, InvalidStage
from tools.names import normalize

ALIASES: dict[str, str] = {
    "new": "lead",
    "prospect": "lead",
    "leads": "lead",
    "qualify": "qualified",
    "sql": "qualified",
    "proposal sent": "proposal",
    "sent proposal": "proposal",
    "quote": "proposal",
    "quoted": "proposal",
    "quote sent": "proposal",
    "proposals": "proposal",
    "negotiating": "negotiation",
    "negotiations": "negotiation",
    "contract": "negotiation",
    "closed won": "won",
    "close won": "won",
    "signed": "won",
    "closed": "won",
    "win": "won",
    "deal won": "won",
    "closed lost": "lost",
    "close lost": "lost",
    "dead": "lost",
    "lose": "lost",
    "churned": "lost",
    "deal lost": "lost",
    "no deal": "lost",
}


class PipelineStages(BaseModel):
    """The configured pipeline: stages in order, and which of them are closed (won or lost deals)."""

    stages: list[str]
    closed: list[str] = Field(description="Closed stages: not chased as stale, not counted as open pipeline.")

    @property
    def open(self) -> list[str]:
        return [s for s in self.stages if s not in self.closed]


def _meta_list(session: Session, key: str) -> list[str] | None:
    row = session.get(Meta, key)
    return None if row is None else list(json.loads(row.value))


def stages(session: Session) -> list[str]:
    """The configured pipeline stages, in order (the defaults unless the `stages` setting is set)."""
    return _meta_list(session, "stages") or list(DEFAULT_STAGES)


def closed_stages(session: Session) -> list[str]:
    """The configured stages that count as closed (by default 'won' and 'lost')."""
    closed = _meta_list(session, "closed_stages")
    if closed is None:
        closed = [s for s in stages(session) if s in CLOSED_STAGES]
    return closed


def pipeline_stages(session: Session) -> PipelineStages:
    """Stages in order and the closed ones, as configured."""
    return PipelineStages(stages=stages(session), closed=closed_stages(session))


def canonical_stage(session: Session, said: str) -> str:
    """The stage `said` names ('Proposal Sent' -> 'proposal'); InvalidStage lists the valid ones."""
    valid = stages(session)
    key = normalize(said)
    for stage in valid:
        if normalize(stage) == key:
            return stage
    alias = ALIASES.get(key)
    if alias in valid:
        return alias
    raise InvalidStage(said, valid)


def _clean(names: list[str]) -> list[str]:
    cleaned: list[str] = []
    for name in names:
        name = " ".join(name.split()).lower()
        if name and name not in cleaned:
            cleaned.append(name)
    return cleaned


def set_stages(session: Session, names: list[str], closed: list[str] | None = None) -> PipelineStages:
    """Configure the pipeline's stages, in order, and which are closed (default: 'won' and 'lost').

    Customers in a stage that is no longer listed keep it (nothing is lost); they show in the
    pipeline after the configured stages until moved.
    """
    cleaned = _clean(names)
    shut = _clean(closed) if closed is not None else [s for s in cleaned if s in CLOSED_STAGES]
    unknown = [s for s in shut if s not in cleaned]
    if unknown:
        raise InvalidArgument(f"Closed stage {unknown[0]!r} is not one of the stages ({', '.join(cleaned)}).")
    shut = [s for s in cleaned if s in shut]  # in pipeline order
    if not shut:
        raise InvalidArgument(
            "Say which stages are closed (e.g. --closed won,lost): "
            "reports need them to tell open deals from finished ones."
        )
    if len(shut) == len(cleaned):
        raise InvalidArgument("Give at least one open stage besides the closed ones.")
    for key, value in (("stages", cleaned), ("closed_stages", shut)):
        row = session.get(Meta, key) or Meta(key=key, value="")
        row.value = json.dumps(value)
        session.add(row)
    return PipelineStages(stages=cleaned, closed=shut)
