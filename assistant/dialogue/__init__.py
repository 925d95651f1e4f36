"""Typed dialogue state: the question the engine is waiting on, and the last write (for corrections)."""

from assistant.dialogue.state import LastWrite, Pending, Settled

__all__ = ["LastWrite", "Pending", "Settled"]
