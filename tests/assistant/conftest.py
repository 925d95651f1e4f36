"""Fixtures for the engine tests: the corpus book on a real database, acting as sam."""

from __future__ import annotations

import pytest

from store import Store
from tests.assistant.corpus import load_book
from tests.conftest import FIXTURE_TEMPLATES, TEMPLATES, make_ctx
from tools.context import ToolContext

# The book is imported once per session into a template; each test's `store` is a copy of it.
TEMPLATES["book"] = load_book
FIXTURE_TEMPLATES["book"] = "book"


@pytest.fixture
def book(store: Store) -> ToolContext:
    """The corpus book (conftest SAMPLE + EXTRA), acting as sam on Wed 2026-03-04 14:00 UTC."""
    return make_ctx(store)  # `store` was copied from the "book" template
