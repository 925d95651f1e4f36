"""Fixtures for the Telegram bot tests: the fake Bot API, a registered team, and a bot to run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from store import Store
from tests.conftest import make_ctx
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import KIM, SAM
from tools.context import ToolContext
from tools.users import add_user


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    api = FakeBotApi()
    yield api
    api.close()


@pytest.fixture
def team(crm: ToolContext) -> Store:
    """The sample book of business with sam (UTC) and kim (New York) registered on Telegram."""
    add_user(crm.store, "sam", timezone="UTC", telegram_id=SAM)
    add_user(crm.store, "kim", timezone="America/New_York", telegram_id=KIM, digest_time="07:30")
    return crm.store


@pytest.fixture
def base(team: Store) -> ToolContext:
    """What `crm telegram` passes the bot: the store and the clock (Wed 2026-03-04 14:00 UTC)."""
    return make_ctx(team, actor="operator", source="telegram")
