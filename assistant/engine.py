"""The conversation engine: one message in, one reply out, through the tool layer only.

`respond` answers a pending question first (a number, part of a name, yes/no, a date, "both"),
then a correction of the last write, then reads the message afresh. Control words (help, undo,
cancel, greetings) are `assistant.intents`; everything else — reports, promises, outcomes, follow-up
edits, record edits (new customers, contacts, tags, fields) and every question — goes through the
pipeline (`assistant.pipeline`). Pure: no printing, no network.
"""

from __future__ import annotations

import re
from typing import Any

from assistant import faults, questions, replies
from assistant.acting.execute import one_change
from assistant.dialogue.answers import answer_pending
from assistant.dialogue.corrections import correction
from assistant.dialogue.reply import Reply, State
from assistant.dialogue.state import Pending, Settled
from assistant.intents import control_word
from assistant.pipeline import handle
from assistant.planning.plan import due_iso
from assistant.reading import read
from assistant.understanding import interpret
from tools.context import ToolContext
from tools.dates import InvalidDate
from tools.errors import USER_ERRORS, AmbiguousCustomer, CustomerNotFound, NothingToUndo, UndoConflict
from tools.followups import followups_by_ref, reschedule_followup
from tools.history import undo
from tools.schemas import RescheduleFollowup
from tools.timeline import correct_interaction, interaction_by_ref

MAX_CHARS = 100_000  # a longer message is refused rather than half-stored


def respond(
    ctx: ToolContext, text: str, state: State | None = None, *, message_ref: str | None = None
) -> Reply:
    """Understand one message, act through the tools, and answer (see assistant.conversation)."""
    reply = _respond(ctx, text, state, message_ref)
    if (
        state is not None
        and state.last is not None
        and not reply.wrote
        and reply.state.last is None
        and not any(a.get("tool") == "undo" for a in reply.actions)
    ):
        reply.state.last = (
            state.last
        )  # a question in between ("number for Dana?") keeps what can be corrected
    return reply


def _respond(ctx: ToolContext, text: str, state: State | None, message_ref: str | None) -> Reply:
    text = text if isinstance(text, str) else str(text or "")
    text = text.replace("\x00", " ")
    if len(text) > MAX_CHARS:
        return Reply(
            text=f"That message is too long ({len(text):,} characters; the limit is {MAX_CHARS:,}). "
            "Nothing was saved — split it into parts.",
            state=state or State(),
        )
    try:
        if state is not None and isinstance(state.pending, Pending):
            answered = answer_pending(ctx, text, state.pending, lambda p, settled: _again(ctx, p, settled))
            if answered is not None:
                return answered
        if state is not None and state.last is not None:
            corrected = correction(
                ctx, text, state.last, lambda m, settled, ref: handle(ctx, m, settled, ref)
            )
            if corrected is not None:
                return corrected
        return _fresh(ctx, text, Settled(), message_ref)
    except InvalidDate as e:
        return Reply(text=replies.bad_date(str(e)))
    except USER_ERRORS as e:
        return Reply(text=str(e))
    except Exception as e:  # a surface must never crash on a message; say so plainly instead
        return Reply(text=faults.explain(e))


def _fresh(ctx: ToolContext, text: str, settled: Settled, ref: str | None) -> Reply:
    """Read a message from scratch, with what earlier answers settled."""
    name = control_word(text)
    if name == "empty":
        return Reply(text=replies.empty())
    if not re.search(r"[^\W_]", text):  # only emoji or punctuation: nothing to act on
        return Reply(text=replies.not_understood())
    if name == "help":
        return Reply(text=questions.HELP)
    if name == "greeting":
        return Reply(text=replies.greeting(ctx.actor))
    if name == "cancel":
        return Reply(text=replies.nothing_pending())
    if name == "undo":
        return _undo(ctx)
    return handle(ctx, text, settled, ref)


def _undo(ctx: ToolContext) -> Reply:

    try:
        result = undo(ctx)
    except NothingToUndo:
        return Reply(text="There is nothing of yours to undo.")
    except UndoConflict as e:
        return Reply(text=str(e))
    return Reply(
        text=f"Undone: {result.summary}.",
        actions=[{"tool": "undo", "args": {}, "result": result.model_dump(mode="json")}],
    )


def _again(ctx: ToolContext, p: Pending, settled: Settled) -> Reply:
    """The pending message read again with what its answer settled."""
    return handle(ctx, p.message, settled, p.ref)


# ---- edited messages --------------------------------------------------------------------------------
def respond_to_edit(ctx: ToolContext, text: str, *, message_ref: str) -> Reply:
    """An edited message: correct the note (and follow-up date) it created instead of writing again."""
    try:
        return _edit(ctx, text, message_ref)
    except InvalidDate as e:
        return Reply(text=replies.bad_date(str(e)))
    except (AmbiguousCustomer, CustomerNotFound) as e:
        return Reply(text=str(e))
    except USER_ERRORS as e:
        return Reply(text=str(e))
    except Exception as e:  # never crash a surface
        return Reply(text=f"Sorry — something went wrong on my side ({type(e).__name__}).")


def _edit(ctx: ToolContext, text: str, ref: str) -> Reply:

    notes, fups = interaction_by_ref(ctx, ref), followups_by_ref(ctx, ref)
    if not notes and not fups:
        return respond(ctx, text, message_ref=ref)
    frames = interpret(read(ctx, text))
    ops: list[tuple[str, dict[str, Any]]] = []
    if notes and frames.happened is not None:
        # The original may have been logged in pieces (one per customer, in order): each piece gets its
        # part of the edited text when the edit still splits the same way, else the edited text whole.
        parts = [h.body for h in frames.parts]
        bodies = parts if len(parts) == len(notes) else [frames.happened.body] * len(notes)
        ops += [
            ("correct_interaction", {"interaction_id": n, "body": b})
            for n, b in zip(notes, bodies, strict=True)
        ]
    dues = [p.due for p in frames.promises if p.due is not None]
    if fups and dues:
        # likewise each follow-up it scheduled, in order; when the count differs, the last one
        pairs = list(zip(fups, dues, strict=True)) if len(dues) == len(fups) else [(fups[-1], dues[0])]
        ops += [("reschedule_followup", {"followup_id": f, "due": due_iso(d)}) for f, d in pairs]
    if not ops:
        return Reply(text="I kept what that message saved; the edit changes nothing I can apply.")
    return _apply_edit(ctx, ops)


def _apply_edit(ctx: ToolContext, ops: list[Any]) -> Reply:

    parts, actions = [], []
    today = ctx.today()
    with one_change(ctx, "chat: edited message") as batch_id:
        for tool, args in ops:
            if tool == "correct_interaction":
                result: Any = correct_interaction(ctx, args["interaction_id"], args["body"])
                parts.append(f"Corrected the note on {result.interaction.customer_name}")
            else:
                try:
                    result = reschedule_followup(ctx, RescheduleFollowup(**args))
                except USER_ERRORS:
                    continue  # already done or cancelled: the edit leaves it alone
                if result.previous_due != result.followup.due:
                    parts.append(f"Moved its follow-up to {replies.day(result.followup.due, today)}")
            actions.append({"tool": tool, "args": args, "result": result.model_dump(mode="json")})
    if not parts:
        return Reply(text="Nothing to change: the edit says what was already saved.", actions=actions)
    return Reply(text=replies.written(parts), actions=actions, batch=batch_id)
