"""Answers to a pending question (a number, part of a name, yes/no, a date, "both"), which re-read
the original message with what they settle. None means "not an answer": read it as a new message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from assistant import lexicon, replies
from assistant.acting.execute import one_change, summary_of
from assistant.customers import resolve
from assistant.dialogue.ask import ask_reply
from assistant.dialogue.reply import Reply
from assistant.dialogue.state import Option, Pending, Settled
from assistant.intents import control_word
from assistant.reading.read import is_question
from assistant.resolve import match_option
from tools.context import ToolContext
from tools.customers import create_customer
from tools.dates import InvalidDate, When, parse_when
from tools.schemas import CreateCustomer

Again = Callable[[Pending, Settled], Reply]  # re-read the pending message with what an answer settled

MAX_ANSWER_WORDS = 5
_WHEN_LEAD_RE = re.compile(
    r"(?i)^\s*(?:no,?\s+|ok,?\s+|okay,?\s+)?(?:make\s+(?:it|that)|let'?s\s+(?:say|do)|say|do|how\s+about|on|by"
    r"|due|for)\s+"
)  # a longer message is a new message, not an answer


def answer_pending(ctx: ToolContext, text: str, p: Pending, again: Again) -> Reply | None:
    """The reply to `text` read as the answer to `p`; `again` re-reads the message with what it settled."""
    t = text.strip()
    if lexicon.CANCEL_ANSWER_RE.match(t):
        if p.settled.logged:  # the report was written before "when?" was asked: only the follow-up is dropped
            return Reply(text="OK, no follow-up. What I logged stays — say 'undo' to take it back.")
        return Reply(text=replies.cancelled())
    if len(t.split()) > MAX_ANSWER_WORDS:
        return None
    if p.kind == "when":
        due = _date_answer(ctx, t)
        return None if due is None else again(p, replace(p.settled, due=due))
    if p.kind in ("several", "which", "customer") and p.options and lexicon.BOTH_RE.match(t):
        # "both": the message is about every customer offered (for a write too — the rep said so)
        every = tuple(dict.fromkeys(int(o.value) for o in p.options if o.value != "all"))
        return again(p, replace(p.settled, customers=every))
    if p.kind == "create" and (lexicon.YES_RE.match(t) or lexicon.NEW_RE.match(t)):
        return _create_then_apply(ctx, p, again)
    pick = _option(t, p)
    if pick is not None:
        return _picked(p, pick, again)
    if p.kind in ("which", "create", "customer", "several") and not t.strip(" .!?#").isdigit():
        r = resolve(ctx, t.strip(" .!?"))
        if r.match is not None:
            return _picked(p, r.match.id, again)
    if (
        p.options
        and len(t.split()) <= 3
        and (t.strip(" .!?#").isdigit() or p.kind in ("which", "followup"))
        and not _starts_something_new(t)
    ):
        return _reask(p)
    if (
        p.kind == "customer"
        and len(t.split()) <= 4
        and not _starts_something_new(t)
        and re.search(r"[^\W\d_]", t)
    ):
        return _named(ctx, t, p)
    return None


# What a rep says around the date of an answer: "tuesday pls", "thurs works", "ok monday then".
_WHEN_TAIL_RE = re.compile(
    r"(?i)[\s,.!]*(?:\b(?:pls|plz|please|then|thanks|thank\s+you|thx|ty|ta|maybe|probably|i\s+guess|i\s+think"
    r"|works(?:\s+(?:for\s+me|best|fine|great))?|work|would\s+(?:work|be\s+(?:good|great|best|fine))"
    r"|(?:is|'s|sounds|looks|seems)\s+(?:good|great|fine|best|better|ok|okay|perfect)|should\s+(?:work|do)"
    r"|suits(?:\s+me)?|is\s+when|at\s+the\s+latest|latest|if\s+possible|ideally|for\s+me|perfect|great|cool"
    r"|good|fine|ok|okay)\b|[!.]|:\)|\U0001f44d)[\s,.!]*$"
)
_WHEN_HEAD_RE = re.compile(
    r"(?i)^\s*(?:(?:ok|okay|yes|yeah|yep|sure|hmm+|um+|so|maybe|probably|then|and|actually|i'?d\s+say|i\s+think"
    r"|let'?s\s+go\s+with|go\s+with|try|put\s+it\s+(?:down\s+)?for|pencil\s+(?:it|that)\s+in\s+for"
    r"|schedule\s+it\s+for|set\s+it\s+for)\b[\s,]*)+"
)


def _date_answer(ctx: ToolContext, t: str) -> When | None:
    """The date an answer to "when?" gives, with the words around it that only agree ("tuesday pls",
    "thurs works", "ok monday then"); None when the words are more than a date."""
    said = t
    for _ in range(4):  # "monday then pls": a tail of several such words
        shorter = _WHEN_LEAD_RE.sub("", _WHEN_HEAD_RE.sub("", _WHEN_TAIL_RE.sub("", said)))
        if shorter == said:
            break
        said = shorter
    for form in dict.fromkeys((said, t)):
        if not form.strip():
            continue
        try:
            return parse_when(form, ctx.now(), prefer="future")
        except InvalidDate:
            continue
    return None


def _starts_something_new(t: str) -> bool:
    """'what's overdue?' while a question is pending is a new message, not a bad answer."""
    return is_question(t, [], []) or control_word(t) in {"help", "undo", "greeting"}


def _reask(p: Pending) -> Reply:

    labels = [o.label for o in p.options]
    return ask_reply(replies.numbered("I didn't catch which one. Which one?", labels), p)


def _option(t: str, p: Pending) -> int | str | None:

    if p.kind == "several" and lexicon.BOTH_RE.match(t):
        return "all"
    i = match_option(t, [o.label for o in p.options])
    return p.options[i].value if i is not None else None


def _picked(p: Pending, value: int | str, again: Again) -> Reply:
    if p.kind == "followup":
        return again(p, replace(p.settled, followup=int(value)))
    if p.kind == "which":
        return again(p, p.settled.pick(p.said, int(value)))
    if value == "all":
        return again(
            p, replace(p.settled, customers=tuple(int(o.value) for o in p.options if o.value != "all"))
        )
    return again(p, replace(p.settled, customers=(int(value),)))


def _named(ctx: ToolContext, t: str, p: Pending) -> Reply | None:
    """A name given to "which customer?" that is not one customer: list the candidates, or offer to create."""

    r = resolve(ctx, t.strip(" .!?"))
    said = t.strip(" .!?")
    if r.matches:
        options = tuple(Option(m.name, m.id) for m in r.matches[:8])
        text = replies.numbered(
            f"“{said}” could be several customers. Which one?", [o.label for o in options]
        )
        return ask_reply(text, replace(p, kind="customer", options=options))
    if not p.may_create:
        return ask_reply(f"No customer matches “{said}”. Which customer? (or 'cancel')", p)
    return ask_reply(
        replies.ask_create(said, [m.name for m in r.suggestions[:3]]),
        replace(p, kind="create", said=said, options=tuple(Option(m.name, m.id) for m in r.suggestions[:3])),
    )


def _create_then_apply(ctx: ToolContext, p: Pending, again: Again) -> Reply:
    """'yes' to "create it?": create the lead, then apply the message to it, as one undoable change."""

    with one_change(ctx, summary_of(f"create {p.said} and apply")) as batch_id:
        created = create_customer(ctx, CreateCustomer(name=p.said))
        reply = again(p, replace(p.settled, customers=(created.customer.id,), created=(created.customer.id,)))
    line = f"Created {created.customer.name} (lead)."
    action = {"tool": "create_customer", "args": {"name": p.said}, "result": created.model_dump(mode="json")}
    text = line + " " + reply.text if reply.wrote else line + replies.UNDO_HINT + "\n" + reply.text
    return Reply(
        text=text, state=reply.state, choices=reply.choices, actions=[action, *reply.actions], batch=batch_id
    )
