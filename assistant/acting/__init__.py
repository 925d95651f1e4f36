"""Carrying out a plan as one undoable change, and saying what was done."""

from assistant.acting.execute import Done, execute

__all__ = ["Done", "execute"]
