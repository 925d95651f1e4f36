"""The engine's one door to customer names: spotting them in a message and resolving an answer.

Everything the engine decides about *which existing customer* a name means goes through here, and
this module only adapts the tool layer's one resolver (`tools.spotting.spot_customers`,
`tools.names.resolve_name`) to the engine's context; the engine never matches names itself.
"""

from __future__ import annotations

from store import queries
from tools.context import ToolContext
from tools.name_index import fold, name_index
from tools.names import NameMatch, Resolution, resolve_name
from tools.spotting import CustomerSpot, spot_customers

__all__ = [
    "CustomerSpot",
    "NameMatch",
    "Resolution",
    "customer_name",
    "fold",
    "name_words",
    "resolve",
    "spot",
]


def spot(ctx: ToolContext, text: str) -> list[CustomerSpot]:
    """Customer names inside `text`, left to right: resolved, ambiguous, or company-like but unknown."""
    with ctx.read() as s:
        return list(spot_customers(s, text))


def name_words(ctx: ToolContext, words: list[str]) -> set[str]:
    """Those of `words` that are a word of some customer's or contact's name (a cheap index lookup)."""
    if not words:
        return set()
    with ctx.read() as s:
        idx = name_index(s)
        return {w for w in words if idx.has_word(fold(w))}


def resolve(ctx: ToolContext, ref: int | str) -> Resolution:
    """A name (or id) given on its own, e.g. the answer to "which customer?"."""
    with ctx.read() as s:
        return resolve_name(s, ref)


def customer_name(ctx: ToolContext, cid: int) -> str:
    """The display name of customer `cid`."""
    with ctx.read() as s:
        return queries.customer_names(s, [cid]).get(cid, f"#{cid}")
