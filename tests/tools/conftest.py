"""Fixtures shared by the name-index tests (tests/tools/test_name_index_*.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tools.name_index import NameIndex


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every full build of a name index made while the test runs (its version)."""
    made: list[object] = []
    real = NameIndex.build.__func__  # type: ignore[attr-defined]  # the classmethod's function

    def counted(cls: type[NameIndex], session: Any, version: object = None) -> NameIndex:
        made.append(version)
        return real(cls, session, version)  # type: ignore[no-any-return]

    monkeypatch.setattr(NameIndex, "build", classmethod(counted))
    return made
