"""Shared fixtures: a real SQLite file per test, a fixed clock, and a small realistic book of business."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from store import Store
from tools.context import ToolContext
from tools.transfer import import_text

# A Wednesday afternoon, so "this week" has days on both sides.
NOW = datetime(2026, 3, 4, 14, 0, tzinfo=ZoneInfo("UTC"))

SAMPLE = {
    "format": "crm-export",
    "version": 1,
    "customers": [
        {
            "name": "Acme Corp",
            "stage": "qualified",
            "owner": "sam",
            "email": "hello@acme.example",
            "value": 48000,
            "tags": ["enterprise"],
            "contacts": [{"name": "Dana Whitfield", "role": "CTO"}],
            "interactions": [
                {
                    "kind": "meeting",
                    "body": "Demo went well, budget approved for Q2",
                    "occurred_at": "2026-03-02T10:00:00",
                    "author": "sam",
                }
            ],
            "followups": [{"due": "2026-03-06", "description": "send pricing", "owner": "sam"}],
        },
        {
            "name": "Globex Corporation",
            "stage": "proposal",
            "owner": "kim",
            "value": 120000,
            "contacts": [{"name": "Hank Scorpio", "role": "CEO"}],
            "followups": [{"due": "2026-03-02", "description": "confirm seat count", "owner": "kim"}],
        },
        {
            "name": "Café Müller",
            "stage": "won",
            "owner": "sam",
            "contacts": [{"name": "Jonas Müller"}],
            "interactions": [
                {
                    "kind": "call",
                    "body": "Renewal signed for two more years",
                    "occurred_at": "2025-12-01T09:00:00",
                    "author": "sam",
                }
            ],
        },
        {
            "name": "Brightline Media",
            "stage": "qualified",
            "owner": "sam",
            "contacts": [{"name": "Holly Park", "role": "Marketing lead"}],
        },
        {
            "name": "Brightline Motors",
            "stage": "lead",
            "owner": "sam",
            "contacts": [{"name": "Ivan Petrov", "role": "Fleet buyer"}],
        },
        {
            "name": "Juno Pet Supplies",
            "stage": "lead",
            "owner": "kim",
            "contacts": [{"name": "Holly Park", "role": "Store manager"}],
        },
        {
            "name": "Evergreen Landscaping",
            "stage": "lead",
            "owner": "sam",
            "contacts": [{"name": "Rosa Diaz", "role": "Owner"}],
            "interactions": [
                {
                    "kind": "call",
                    "body": "Intro call, seasonal business, budget tight",
                    "occurred_at": "2025-12-10T09:00:00",
                    "author": "sam",
                }
            ],
        },
        {
            "name": "Kettle & Crumb Bakery",
            "stage": "qualified",
            "owner": "sam",
            "followups": [{"due": "2026-03-10", "description": "quarterly check-in", "owner": "sam"}],
        },
    ],
}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "crm.db")
    yield s
    s.close()


def make_ctx(
    store: Store, actor: str = "sam", source: str = "cli", tz: str = "UTC", now: datetime = NOW
) -> ToolContext:
    return ToolContext(store=store, actor=actor, source=source, tz=ZoneInfo(tz), fixed_now=now)


@pytest.fixture
def ctx(store: Store) -> ToolContext:
    """An empty CRM, acting as sam on Wednesday 2026-03-04 14:00 UTC."""
    return make_ctx(store)


@pytest.fixture
def crm(store: Store) -> ToolContext:
    """The SAMPLE book of business, acting as sam (the import itself is sam's first change)."""
    c = make_ctx(store, source="import")
    import_text(c, json.dumps(SAMPLE), kind="json", label="sample")
    return make_ctx(store)
