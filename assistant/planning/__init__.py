"""Turning frames into a plan of typed tool inputs (or the one question to ask first)."""

from assistant.planning.plan import Ask, Plan, Step, plan

__all__ = ["Ask", "Plan", "Step", "plan"]
