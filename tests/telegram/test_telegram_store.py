"""The bot's database helpers: de-duplication records, and undoing one particular change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.telegram_store import claim_update, forget_old_updates
from tests.conftest import make_ctx
from tools.context import ToolContext
from tools.errors import NothingToUndo, UndoConflict
from tools.history import undo_change
from tools.schemas import LogInteraction
from tools.timeline import log_interaction


def test_an_update_is_claimed_once_and_forgotten_after_a_week(crm: ToolContext) -> None:
    assert claim_update(crm.store, 77) is True
    assert claim_update(crm.store, 77) is False
    forget_old_updates(crm.store, now=datetime.now(UTC) + timedelta(days=1))
    assert claim_update(crm.store, 77) is False  # a day later it could still be re-delivered
    forget_old_updates(crm.store, now=datetime.now(UTC) + timedelta(days=8))
    assert claim_update(crm.store, 77) is True


def test_undo_change_is_only_for_its_author_and_only_once(crm: ToolContext) -> None:
    kim = make_ctx(crm.store, actor="kim", source="telegram")
    with kim.batch("kim's note") as batch:
        log_interaction(kim, LogInteraction(customer="Globex", body="asked about seats"))
    with pytest.raises(UndoConflict, match="made by kim"):
        undo_change(crm, batch)  # sam may not undo kim's change
    assert "Globex" in undo_change(kim, batch).summary
    with pytest.raises(NothingToUndo, match="already undone"):
        undo_change(kim, batch)
    with pytest.raises(NothingToUndo):
        undo_change(kim, "0" * 32)
