"""From a `Reading` to `Frames`, clause by clause, looking only at the representation.

Order matters only as ownership: a clause that edits a follow-up or makes a promise is not also the
report; whatever is left (with any pasted text) is what happened, logged verbatim.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import cast

from assistant import lexicon
from assistant.reading.followup_refs import MIN_SCORE, topic_words
from assistant.reading.types import Clause, CueKind, DateSpan, FollowupRef, Reading
from assistant.understanding.describe import description, gist
from assistant.understanding.frames import FollowupEdit, Frames, Happened, Kind, Outcome, Promise
from assistant.understanding.questions import question_of
from assistant.understanding.records import record_edits
from tools.dates import When

_TASK_CUES: tuple[CueKind, ...] = ("followup", "imperative", "promise", "event", "plan", "obligation")
_STRONG_CUES: tuple[CueKind, ...] = ("followup",)  # without a date these make the engine ask when
_OUTCOME_WORDS = {"cont", "deal", "pape", "agre", "orde", "po", "sign", "won", "lost", "dead", "clos"}


def interpret(r: Reading) -> Frames:
    """The frames of one message."""
    if r.question:
        return Frames(r, question=question_of(r))
    frames = Frames(r)
    used: set[Clause] = set()
    frames.records = record_edits(r, used)
    frames.edits = _edits(r, used)
    frames.promises = _promises(r, used)
    frames.outcome = _outcome(r, used)
    frames.happened = _happened(r, used, frames)
    frames.parts = _parts(r, frames.happened, frames)
    if not frames.writes:
        frames.promises = _bare_date(r)
    return frames


# ---- follow-up edits -----------------------------------------------------------------------------
def _edits(r: Reading, used: set[Clause]) -> list[FollowupEdit]:
    out: list[FollowupEdit] = []
    for i, c in enumerate(r.clauses):
        if c.quoted or c in used or 0 < r.body_start <= c.start:
            continue  # "note for Juno: cancel all follow-ups, says Holly" is a note
        named = r.has(c, "followup_word")
        refs = tuple(
            sorted(
                (f for f in r.within(r.followups, c) if f.score >= MIN_SCORE or named), key=lambda f: -f.score
            )
        )
        if not refs and r.customers_in(c) and (r.has(c, "cancel", "move") or (r.has(c, "done") and named)):
            refs = _best_weak(r, c)  # "scrap the kettle & crumb flyer drop": one of theirs shares a word
        nxt = r.clauses[i + 1] if i + 1 < len(r.clauses) else None
        if (
            not refs
            and not named
            and nxt is not None
            and not topic_words(c.text)
            and r.has(c, "done", "cancel")
        ):
            # "done: Fjord quarterly check-in" — the cue, then what it is about
            named = r.has(nxt, "followup_word")
            refs = tuple(sorted(r.within(r.followups, nxt), key=lambda f: -f.score))
            if refs or named:
                used.add(nxt)
        prev = r.clauses[i - 1] if i > 0 else None
        if (
            not refs
            and not named
            and prev is not None
            and prev not in used
            and not prev.quoted
            and not r.has(prev, "done", "cancel", "move", "followup_word")
            and r.has(c, "done", "cancel", "move")
        ):
            # "acme finish samples - give it another week": what it is about, then the edit
            refs = tuple(
                sorted(
                    (f for f in r.within(r.followups, prev) if f.score >= MIN_SCORE), key=lambda f: -f.score
                )
            )
            if not refs and r.customers_in(prev):
                refs = _best_weak(r, prev)
            if refs:
                used.add(prev)
        shift = r.within(r.shifts, c)
        if _reported_later(r, c):
            shift = []  # "the check-in a week later went fine" tells what happened, it moves nothing
        future = [
            d
            for d in r.within(r.dates, c)
            if d.tense != "past"
            and not d.quoted
            and not any(x.start < d.end and d.start < x.end for x in shift)
        ]  # "push it a week" is a week from its own date, not from today
        if _asks_to_follow_up(r, c):
            continue  # "follow up with Lumen in 10 days about a win-back offer" schedules; it edits nothing
        if r.has(c, "cancel") and (refs or named or out):
            edit = FollowupEdit("cancelled", refs, where=(c,))
        elif (r.has(c, "move") or shift) and (future or shift) and (refs or named or _moves(r, c)):
            edit = FollowupEdit(
                "move",
                refs,
                future[-1].when if future else None,
                shift[0].days if shift and not future else None,
                (c,),
            )
        elif (
            r.has(c, "done")
            and (refs or (named and not future))
            and (not _their_doing(r, c) or _same_act(r, c, refs))
        ):
            edit = FollowupEdit("done", refs, where=(c,))
        else:
            continue
        used.add(c)
        if not any(e.action == edit.action and (not edit.refs or e.refs == edit.refs) for e in out):
            out.append(edit)
    return out


def _reported_later(r: Reading, c: Clause) -> bool:
    """A clause telling the past whose only move is 'N days later', with no moving verb of its own."""
    later = [s for s in r.within(r.shifts, c) if r.text[s.start : s.end].lower().endswith("later")]
    if not later or any(lexicon.MOVE_VERB_RE.fullmatch(x.text) for x in r.cues_in(c, "move")):
        return False
    own = [
        x
        for x in r.cues_in(c, "imperative", "followup", "obligation", "future")
        if not any(s.start <= x.start < s.end for s in later)
    ]  # ("later" itself is a future cue)
    return r.has(c, "past") and not own


def _best_weak(r: Reading, c: Clause) -> tuple[FollowupRef, ...]:
    """The one follow-up of the customers named in `c` sharing the most topic words with it, if one does."""
    named = {m.id for s in r.customers_in(c) if len(s.matches) == 1 for m in s.matches}
    weak = [f for f in r.within(r.followups, c) if f.customer_id in named and f.score > 0]
    if not weak:
        return ()
    best = max(f.score for f in weak)
    top = {f.followup_id: f for f in weak if f.score == best}
    return tuple(top.values()) if len(top) == 1 else ()


def _same_act(r: Reading, c: Clause, refs: tuple[FollowupRef, ...]) -> bool:
    """'felix confirmed the seat count' closes 'confirm seat count': they did what the follow-up awaited."""
    did = set().union(*(topic_words(x.text) for x in r.cues_in(c, "done")))
    return bool(refs) and bool(did & topic_words(refs[0].description))


def _asks_to_follow_up(r: Reading, c: Clause) -> bool:
    lead = lexicon.CLAUSE_LEAD_RE.match(c.text)
    at = c.start + (lead.end() if lead else 0)
    return any(x.start == at for x in r.cues_in(c, "followup")) and not r.has(c, "cancel", "done")


def _moves(r: Reading, c: Clause) -> bool:
    """'push Globex to Friday': a clause that starts with a moving verb moves the customer's follow-up."""
    lead = lexicon.CLAUSE_LEAD_RE.match(c.text)
    first = r.cues_in(c, "move")
    return (
        bool(first)
        and first[0].start == c.start + (lead.end() if lead else 0)
        # "give the deck to arjun" moves nothing; "give juno another week" does
        and (bool(lexicon.MOVE_VERB_RE.fullmatch(first[0].text)) or bool(r.within(r.shifts, c)))
        and not r.stages
    )


def _their_doing(r: Reading, c: Clause) -> bool:
    """'Lumière sent over the brief', 'they emailed it': the customer did it, no follow-up of ours is done."""
    done = r.cues_in(c, "done")
    if not done:
        return False
    subjects = [s.end for s in r.customers_in(c) if s.end <= done[0].start]
    subjects += [x.end for x in r.cues_in(c, "subject") if x.end <= done[0].start]
    return any(set(r.words_between(end, done[0].start)) <= lexicon.DOING_FILLERS for end in subjects)


# ---- promises and planned events -----------------------------------------------------------------
def _due_dates(r: Reading, c: Clause) -> list[DateSpan]:
    found = [d for d in r.within(r.dates, c) if not d.quoted and not d.since]  # ("since monday" is behind)
    return [
        d
        for d in found
        if d.tense == "future" or (d.tense == "today" and (d.when.time or not r.has(c, "past")))
    ]


def _promises(r: Reading, used: set[Clause]) -> list[Promise]:
    out: list[Promise] = []
    requests: list[Promise] = []
    creating = any(x.kind == "create" for x in r.records)  # (asked when only about a customer that exists)
    for c in r.clauses:
        if c.quoted or c in used:
            continue
        theirs = (
            (r.has(c, "their_promise", "their_will") or _their_outcome(r, c))
            and not _asks_to_follow_up(r, c)
            and not r.has(c, "imperative")
        )
        due = _due_dates(r, c)
        if due and out and out[-1].due is not None:
            lead = r.text[out[-1].where[0].end : due[0].start]  # "…, then call them thursday"
            due = [_after_then(lead if len(lead) <= 60 else "", out[-1].due, due[0]), *due[1:]]
        if _called_off(r, c):
            continue  # "I was meeting Acme on friday but it got cancelled": nothing to attend
        said_due = due
        moved = _moved_later(r, c, used) if due else None
        if moved is not None:
            due = moved  # "I was meeting acme friday but it got pushed to monday": the day it moved to
        if due and r.has(c, *_TASK_CUES) and not theirs:
            event = r.has(c, "event") and not r.has(c, "promise", "imperative", "followup")
            pieces = _dated_actions(r, c, due)
            for piece, own in pieces:
                ev = event and not (len(pieces) > 1 and lexicon.IMPERATIVE_RE.match(piece.text))
                words = _describe(r, piece, own if moved is None else said_due)
                out.append(Promise(words, own[0].when, ev, (c,)))
            if not _their_request(r, c):
                used.add(c)  # "Acme wants 200 bags by …" is also news worth logging
        elif not due and not theirs and r.body_start == 0 and _asks_for_date(r, c):
            out.append(Promise(_describe(r, c, []), None, where=(c,)))
            used.add(c)
        elif not due and not theirs and r.body_start == 0 and not creating and _undated_request(r, c):
            # "summit wants a demo": the request is news (logged) and the rep's to-do (asked when) —
            # unless the message says itself what the rep does about it ("… I'll send it by Thursday")
            requests.append(Promise(_describe(r, c, []), None, where=(c,)))
    return _dates_shared(r, out or requests)


# What a customer asks for that the rep then owes: an event to hold or a thing to send.
_DELIVERABLE_RE = re.compile(
    r"(?i)\b(?:demo|call|call\s+back|callback|meeting|visit|site\s+visit|walkthrough|tour|presentation|workshop"
    r"|trial|pilot|quote|quotation|proposal|pricing|price\s+list|prices|estimate|samples?|deck|brochure|catalog(?:ue)?"
    r"|contract|sow|nda|dpa|sla|case\s+stud(?:y|ies)|references?|info(?:rmation)?\s+pack|spec\s+sheet|invoice"
    r"|revised\s+\w+|breakdown|mock-?ups?|draft)\b"
)


def _dated_actions(r: Reading, c: Clause, due: list[DateSpan]) -> list[tuple[Clause, list[DateSpan]]]:
    """'send Helios the deck by friday and book a call for the 10th': a clause holding two actions, each
    with a date of its own, is two to-dos (each piece with its dates); otherwise the clause whole."""
    if len(due) < 2:
        return [(c, due)]
    cuts = []
    for m in lexicon.AND_THEN_RE.finditer(c.text):
        at, end = c.start + m.start(), c.start + m.end()
        if (
            lexicon.IMPERATIVE_RE.match(r.text[end : c.end])
            and any(d.end <= at for d in due)
            and any(d.start >= end for d in due)
        ):
            cuts.append((at, end))
    if not cuts:
        return [(c, due)]
    bounds, start, joins = [], c.start, [""]
    for at, end in cuts:
        bounds.append((start, at))
        joins.append(r.text[at:end])
        start = end
    bounds.append((start, c.end))
    out: list[tuple[Clause, list[DateSpan]]] = []
    for (s, e), join in zip(bounds, joins, strict=True):
        own = [d for d in due if s <= d.start < e]
        if not own:
            return [(c, due)]  # an action without a date of its own: the clause is one to-do
        if out:
            own[0] = _after_then(join, out[-1][1][0].when, own[0])
        out.append((Clause(s, e, r.text[s:e], c.quoted), own))
    return out


def _after_then(join: str, before: When, d: DateSpan) -> DateSpan:
    """'email juno on monday, then call them thursday': a weekday said after 'then' is the first one after
    the date before it, not this week's."""
    if not _THEN_RE.search(join) or not _BARE_WEEKDAY_RE.fullmatch(d.text):
        return d
    day = d.when.date
    while day <= before.date:
        day += timedelta(days=7)
    return replace(d, when=When(day, d.when.time))


_THEN_RE = re.compile(r"(?i)\bthen\b")
_BARE_WEEKDAY_RE = re.compile(
    r"(?i)(?:on\s+)?(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?"
)


def _moved_later(r: Reading, c: Clause, used: set[Clause]) -> list[DateSpan] | None:
    """The next clause refers back to this one's plan and moves it to a day ahead ('… friday but it got
    pushed to monday'): that day (the clause is then used), else None."""
    at = r.clauses.index(c) if c in r.clauses else -1
    nxt = r.clauses[at + 1] if 0 <= at < len(r.clauses) - 1 else None
    if nxt is None or nxt.quoted or nxt in used or not r.has(nxt, "move"):
        return None
    said = re.split(r"\b(?:got|was|were|been|has\s+been|is|are|now)\b", nxt.text, maxsplit=1)[0]
    if len(said) == len(nxt.text) or not lexicon.REFERS_BACK_RE.match(re.sub(r"['\u2019]s\s*$", "", said)):
        return None
    ahead = [d for d in r.within(r.dates, nxt) if d.tense == "future" and not d.quoted]
    if not ahead:
        return None
    used.add(nxt)
    return ahead


def _called_off(r: Reading, c: Clause) -> bool:
    """A plan the message reports as called off: "I was meeting Acme on friday but it got cancelled", "the
    globex demo on the 10th fell through", "… tomorrow, they cancelled on us" — the phrase's subject is the
    plan itself, or refers back to it from the same or the next clause ("it", "the demo")."""
    off = [(c.start + m.start(), c.start + m.end()) for m in lexicon.CALLED_OFF_RE.finditer(c.text)]
    if c.quoted or any(
        lexicon.KIND_VERB_RE.fullmatch(x.text) and not any(a <= x.start < b for a, b in off)
        for x in r.cues_in(c, "meeting", "call", "email")
    ):
        return (
            False  # "met acme, but the demo got cancelled": the meeting took place ("called off" is no call)
        )
    at = r.clauses.index(c) if c in r.clauses else -1
    nxt = r.clauses[at + 1] if 0 <= at < len(r.clauses) - 1 else None
    for clause, own in ((c, True), (nxt, False)):
        if clause is None or clause.quoted:
            continue
        for m in lexicon.CALLED_OFF_RE.finditer(clause.text):
            said = re.split(r"[,;:\u2013\u2014]|\s-\s|\bbut\b|\band\b", clause.text[: m.start()])
            if lexicon.REFERS_BACK_RE.match(said[-1]) and (len(said) > 1 or not own or said[-1].strip()):
                return True  # "… but it got cancelled", "(the demo) fell through"
            if own and len(said) == 1:
                return True  # "juno call on monday got called off": the plan is the subject
    return False


def _undated_request(r: Reading, c: Clause) -> bool:
    """'summit wants a demo', 'Acme asked for a quote': the customer asked for something the rep must
    deliver, with no date said — a follow-up whose date the rep is asked for (never guessed)."""
    if r.within(r.dates, c) or not _their_request(r, c) or r.has(c, "negation"):
        return False
    asked = [x.text for x in r.cues_in(c, "asked_for")]
    requests = [x for x in r.cues_in(c, "promise") if lexicon.REQUEST_CUE_RE.match(x.text)]
    said = {x.text.lower() for x in requests}
    if any(
        h.text.lower() not in said and not any(x.start <= h.start < x.end for x in requests)
        for h in r.cues_in(c, "hedge")
    ):
        return False  # "they might want a demo": hoped for, not asked
    after = [r.text[x.end : c.end] for x in requests]
    return any(_DELIVERABLE_RE.search(a) for a in asked) or any(
        (m := _DELIVERABLE_RE.search(a)) is not None and m.start() <= 24 for a in after
    )


def _dates_shared(r: Reading, out: list[Promise]) -> list[Promise]:
    """'reminder for the 10th: chase paula re PO': a clause that only says when, beside one that only says
    what, is one follow-up — the action on that date."""
    for i, p in enumerate(out):
        if p.due is not None or not p.where:
            continue
        at = r.clauses.index(p.where[0])
        for q in out:
            if q.due is None or not q.where or abs(r.clauses.index(q.where[0]) - at) != 1:
                continue
            own = description(
                r, q.where[0], [d for d in r.dates if q.where[0].start <= d.start < q.where[0].end]
            )
            if not topic_words(own):
                out[i] = Promise(p.description, q.due, p.event, p.where + q.where)
                out.remove(q)
                return _dates_shared(r, out)
            if not topic_words(description(r, p.where[0], [])):
                # "reminder: ping juno on tuesday": the undated clause only announces the dated to-do
                out[out.index(q)] = Promise(q.description, q.due, q.event, p.where + q.where)
                out.remove(p)
                return _dates_shared(r, out)
    return out


def _their_outcome(r: Reading, c: Clause) -> bool:
    """'Helios will probably sign next month': a hoped-for outcome, or the customer's own 'will', is news."""
    if (
        any(s.polarity != "affirmed" for s in r.within(r.stages, c))
        and not r.has(c, "imperative", "followup")
        and not _owed(r, c)
    ):
        return True
    wills = r.cues_in(c, "will")
    return any(
        not r.words_between(s.end, w.start) for s in r.customers_in(c) for w in wills if w.start >= s.end
    )


def _their_request(r: Reading, c: Clause) -> bool:
    """'summit wants a demo', 'Rosa would like a call back': the customer asks for something (a follow-up
    word after the request is what they asked for, not the rep's own to-do)."""
    said = r.cues_in(c, "promise", "imperative", "followup", "event", "plan")
    asked = [x for x in said if x.kind == "promise" and lexicon.REQUEST_CUE_RE.match(x.text)]
    return (
        bool(said)
        and all(lexicon.REQUEST_CUE_RE.match(x.text) for x in said if x.kind == "promise")
        and not any(
            x.kind == "imperative" or (x.kind == "followup" and not any(a.end <= x.start for a in asked))
            for x in said
        )
        and bool(asked)
    )


def _asks_for_date(r: Reading, c: Clause) -> bool:
    """A to-do said without a date (the engine asks when): 'follow up with Acme', 'call Acme'."""
    if r.within(r.dates, c):
        return False  # a past date: "followed up on Monday" is a report
    if _their_request(r, c) and not _owed(r, c) and not _pledged(r, c):
        return False  # "Rosa would like a call back": their request, logged before the rep is asked when
    if r.has(c, *_STRONG_CUES) or _owed(r, c) or _pledged(r, c):
        return True
    return c is r.clauses[0] and r.has(c, "imperative") and len(r.clauses) == 1


def _pledged(r: Reading, c: Clause) -> bool:
    """'I'll get the onboarding pack over to Lumen': the rep's own promise of an action, at the clause's
    start — with no date the engine asks when (and the answer makes the follow-up)."""
    return r.has(c, "pledge")


def _owed(r: Reading, c: Clause) -> bool:
    """'I owe her the SLA draft', 'remind me to …': the rep's own obligation, said outright."""
    return r.has(c, "owed")


def _describe(r: Reading, c: Clause, due: list[DateSpan]) -> str:
    said = description(r, c, due)
    asked = [x.text for x in r.cues if x.kind == "asked_for" and x.end <= c.start]
    if said and asked and (it := re.search(r"(?i)\b(?:it|that)\b", said)) is not None:
        # "she wants a quote. I'll have it to her by the 15th": the thing asked for is the 'it'
        return said[: it.start()] + "the " + asked[-1] + said[it.end() :]
    context = gist(r, exclude=c)
    if said and context and _REFERS_BACK_RE.search(said) and len(said.split()) <= 8:
        return f"{said} ({context})"  # "get it to her first thing (paula asked for the renewal invoice)"
    if said and topic_words(said):
        return said
    lead = said or "follow up"
    return f"{lead}: {context}" if context else lead


_REFERS_BACK_RE = re.compile(r"(?i)\b(?:it|that|this|those|these)\b(?!\s+(?:week|month|morning|afternoon))")


def _bare_date(r: Reading) -> list[Promise]:
    """'Evergreen — end of month': a customer and one future date, nothing else, is a follow-up."""
    due = [d for d in r.dates if d.tense == "future" and not d.quoted]
    if len(due) != 1 or not r.customers:
        return []
    rest = _cut(r.text, [(d.start, d.end) for d in due] + [(s.start, s.end) for s in r.customers])
    return [Promise("follow up", due[0].when)] if not topic_words(rest) else []


# ---- stage outcome -------------------------------------------------------------------------------
def _outcome(r: Reading, used: set[Clause]) -> Outcome | None:
    for s in r.stages:
        clause = r.clause_of(s.start)
        if s.polarity != "affirmed" or clause is None or clause in used or r.is_quoted(s.start):
            continue
        if s.command and r.body_start > 0 and s.start >= r.body_start:
            continue  # "note for X: move everyone to lost" is a note, not an instruction
        if s.command and not r.has(clause, "meeting", "call", "email"):
            used.add(clause)  # "mark Delta as won" is an instruction, not part of the report
        return Outcome(s.stage, s.command, (clause,))
    return None


# ---- what happened -------------------------------------------------------------------------------
def _happened(r: Reading, used: set[Clause], frames: Frames) -> Happened | None:
    rest = [c for c in r.clauses if c not in used]
    if not rest:
        return None
    cut = (
        [(s.start, s.end) for s in r.customers]
        + [(d.start, d.end) for d in r.dates]
        + [(s.start, s.end) for s in r.stages]
    )
    # "Evergreen went with GreenCo": who won the deal is worth keeping beside the move to lost
    content = frames.outcome is not None and any(
        s.winner is not None and s.polarity == "affirmed" and r.clause_of(s.start) in rest for s in r.stages
    )
    # "sent the quote", "submitted our proposal": the rep's act that makes the stage is an interaction too
    content = content or any(
        _ACT_RE.match(s.text) and s.polarity == "affirmed" and r.clause_of(s.start) in rest for s in r.stages
    )
    # "next friday they sign", "not signed until legal is done": an outcome still to come is news
    content = content or any(s.polarity != "affirmed" and r.clause_of(s.start) in rest for s in r.stages)
    for c in rest:
        if content:
            break
        if frames.promises and not c.quoted and lexicon.TASK_MARKER_RE.match(c.text):
            continue  # "todo - call acme friday": the marker of the to-do, no news of its own
        if c.quoted or r.has(c, "meeting", "call", "email"):
            content = True
            break
        said = _cut(r.text, cut)[c.start : c.end]
        words = topic_words(said)
        if frames.outcome is not None:
            words -= _OUTCOME_WORDS
        if words or re.search(r"[A-Za-z]+-?\d|\d+[a-z]*\b", said):  # "sent brightline the W-9", "3 units"
            content = True
            break
    if not content:
        return None
    body = r.text[r.body_start :].strip() or r.text.strip()
    if r.body_start == 0 and (at := _after_records(r, rest[0], frames)) is not None:
        body = _own_words(r, at) or body
    promised = {c for p in frames.promises for c in p.where}
    reported = [c for c in rest if c not in promised] or rest
    return Happened(_kind(r, reported), _when(r, reported), body, tuple(rest))


def _after_records(r: Reading, first: Clause, frames: Frames) -> int | None:
    """'rename Acme Corp to Acme Industries; note for Acme Industries: kickoff done': where the report
    begins when only record edits (instructions, not news) come before it — else None."""
    before = [c for c in r.clauses if c.end <= first.start]
    others = {c for p in frames.promises for c in p.where} | {c for e in frames.edits for c in e.where}
    if frames.outcome is not None:
        others |= set(frames.outcome.where)
    ends = [rs.end for rs in r.records if rs.start < first.start]
    if not before or not frames.records or not ends or others & set(before) or max(ends) > first.start:
        return None
    gap = re.match(r"[\s;.,\n]*", r.text[max(ends) :])
    return max(ends) + (gap.end() if gap else 0)


def _own_words(r: Reading, at: int) -> str:
    """The report's words from `at`, without a leading 'note for <customer>:'."""
    m = lexicon.NOTE_PREFIX_RE.match(r.text[at:])
    if m is None:
        return r.text[at:].strip()
    after = at + m.end()
    spot = next((s for s in r.customers if s.start == after), None)
    if spot is not None:
        after = spot.end
    rest = re.match(r"\s*[:,\-\u2013\u2014]?\s*", r.text[after:])
    return r.text[after + (rest.end() if rest else 0) :].strip()


_ACT_RE = re.compile(r"(?i)(?:sent|submitted|delivered|emailed|e-mailed)\s+\w")
_SENTENCE_GAP_RE = re.compile(r"[.!?;\n]|\s[-\u2013\u2014]+\s")


def _parts(r: Reading, whole: Happened | None, frames: Frames) -> list[Happened]:
    """`whole` cut into runs of clauses that each name one customer (a clause naming none stays with the
    run before it); nothing when a clause names two, a name is unsure, or the text is a paste or a note."""
    if whole is None or r.body_start > 0 or any(c.quoted for c in whole.where):
        return []
    runs: list[tuple[int, list[Clause]]] = []
    for c in whole.where:
        spots = r.customers_in(c)
        if any(len(s.matches) != 1 for s in spots):
            return []
        ids = {s.matches[0].id for s in spots}
        if len(ids) > 1:
            return []
        if ids and (not runs or runs[-1][0] != next(iter(ids))):
            if runs and not _SENTENCE_GAP_RE.search(r.text[runs[-1][1][-1].end : c.start]):
                return []  # "met lars from fjord and then grace from lumen": one sentence, both customers
            runs.append((next(iter(ids)), [c]))
        elif runs:
            runs[-1][1].append(c)
        else:
            return []  # the report opens without a customer: keep it whole
    if len({cid for cid, _ in runs}) < 2:
        return []
    promised = {c for p in frames.promises for c in p.where}
    out = []
    for _cid, clauses in runs:
        reported = [c for c in clauses if c not in promised] or clauses
        body = r.text[clauses[0].start : clauses[-1].end]
        out.append(Happened(_kind(r, reported), _when(r, reported), body, tuple(clauses)))
    return out


def _kind(r: Reading, rest: list[Clause]) -> Kind:
    if r.body_start > 0:
        return "note"
    cues = [
        c
        for clause in rest
        if not clause.quoted and not _called_off(r, clause)  # a meeting called off never took place
        for c in r.cues_in(clause, "meeting", "call", "email")
    ]
    # "they want a demo", "wants a call next week": the event asked for is planned, not what happened
    cues = [c for c in cues if not lexicon.WANTED_BEFORE_RE.search(r.text, max(0, c.start - 40), c.start)]
    done = [c for c in cues if lexicon.KIND_VERB_RE.fullmatch(c.text)]
    # What the rep did ("emailed back … happy with the demo") says the kind before what was discussed.
    said = [c.kind for c in done] or [k for k in ("meeting", "call", "email") if k in {c.kind for c in cues}]
    for kind in said:
        if kind in ("meeting", "call", "email"):
            return cast(Kind, kind)
    return "note"


def _when(r: Reading, rest: list[Clause]) -> When | None:
    for c in rest:
        if c.quoted or _called_off(r, c):
            continue  # (the day of a plan called off is not when anything happened)
        for d in r.within(r.dates, c):
            if not d.quoted and not d.since and d.tense in ("past", "today"):
                return d.when
    return None


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for s, e in spans:
        for i in range(max(0, s), min(len(chars), e)):
            chars[i] = " "
    return "".join(chars)
