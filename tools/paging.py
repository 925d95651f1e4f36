"""Opaque cursors for paginated lists."""

from __future__ import annotations

from tools.errors import InvalidArgument


def offset_of(cursor: str | None) -> int:
    """The offset a cursor stands for; a missing cursor is the first page."""
    if not cursor:
        return 0
    if not cursor.startswith("o") or not cursor[1:].isdigit():
        raise InvalidArgument(f"Invalid cursor {cursor!r}: pass the `next_cursor` of a previous result.")
    return int(cursor[1:])


def next_cursor(offset: int, shown: int, has_more: bool) -> str | None:
    return f"o{offset + shown}" if has_more else None
