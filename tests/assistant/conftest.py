"""Fixtures for the engine tests: the corpus book on a real SQLite file, acting as sam."""

from __future__ import annotations

import pytest

from store import Store
from tests.assistant.corpus import load_book
from tools.context import ToolContext


@pytest.fixture
def book(store: Store) -> ToolContext:
    """The corpus book (conftest SAMPLE + EXTRA), acting as sam on Wed 2026-03-04 14:00 UTC."""
    return load_book(store)
