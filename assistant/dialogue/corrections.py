"""Corrections of the last write in the next message: "no wait, the 14th", "that one was an email,
not a call", "wrong customer — it was Quill & Ink". The last message is undone and applied again
with the correction settled, so the rep ends with what they meant (and one Undo for it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from assistant import lexicon
from assistant.dialogue.reply import Reply
from assistant.dialogue.state import LastWrite, Settled
from assistant.reading import read
from tools.context import ToolContext
from tools.dates import find_dates
from tools.history import undo_change

Again = Callable[[str, Settled, str | None], Reply]  # apply a message with what was settled

MAX_CORRECTION_WORDS = 14


def correction(ctx: ToolContext, text: str, last: LastWrite, again: Again) -> Reply | None:
    """The reply to a correction of `last`; None when the message is not one. `again` applies the
    last message afresh with what the correction settled."""
    t = text.strip()
    if not lexicon.CORRECTION_RE.match(t) or len(t.split()) > MAX_CORRECTION_WORDS:
        return None
    settled = _what_changes(ctx, t, last)
    if settled is None:
        return None
    undo_change(ctx, last.batch)
    redone = again(last.message, settled, last.ref)
    if redone.wrote:
        redone.text = "Corrected. " + redone.text
    return redone


def _what_changes(ctx: ToolContext, t: str, last: LastWrite) -> Settled | None:
    r = read(ctx, t)
    firm = [s.matches[0].id for s in r.customers if len(s.matches) == 1]
    if firm and firm[0] not in last.customers:
        return replace(last.settled, customers=(firm[0],), picks=())
    kind = _kind(t)
    settled = replace(last.settled, kind=kind) if kind is not None else None
    if not r.dates:
        return settled
    said = r.dates[-1]
    # "no wait, the 14th" moves the follow-up; "that was a meeting, on Tuesday" re-dates what happened
    # (a kind said with it, a past date, or nothing but a note written, means the interaction).
    to_interaction = bool(last.interactions) and (
        kind is not None or said.tense == "past" or not last.followups
    )
    base = settled or last.settled
    if not to_interaction:
        return replace(base, due=said.when) if last.followups else settled
    past = find_dates(t, ctx.now(), prefer="past")
    return replace(base, occurred=past[-1].when) if past else settled


def _kind(t: str) -> Literal["note", "call", "meeting", "email"] | None:
    """The kind a correction says, ignoring the one it denies ("in person, not a call" -> meeting)."""
    kept = lexicon.NEGATED_KIND_RE.sub(" ", t)
    m = lexicon.KIND_WORD_RE.search(kept)
    if m is None:
        return None
    return lexicon.KIND_WORDS.get(" ".join(m.group().lower().replace("-", " ").split()))
