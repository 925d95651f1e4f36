"""`read`: one pass over a message, producing the `Reading` every later stage works from."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant import customers, lexicon
from assistant.reading import clauses as clause_split
from assistant.reading import spans
from assistant.reading.asks import asks as asked_for
from assistant.reading.followup_refs import find_refs
from assistant.reading.new_names import new_names, person_words
from assistant.reading.records import record_spans
from assistant.reading.types import Clause, Cue, DateSpan, NewName, Reading, RecordSpan, Tense
from store import user_rows
from tools.context import ToolContext
from tools.customers import find_customers
from tools.dates import InvalidDate, parse_when
from tools.name_index import LEGAL_SUFFIXES
from tools.schemas import FindCustomers
from tools.stages import stages as configured_stages


def read(ctx: ToolContext, text: str) -> Reading:
    """Clauses, customers (through the resolver), dates, stages, cues and values of `text`.

    Raises InvalidDate when the message names a date that cannot exist.
    """
    quoted = clause_split.quoted_regions(text)
    spots = _possessive_without_apostrophe(ctx, text, customers.spot(ctx, text))
    asks = is_question(text, [], quoted, spots)
    spots, named = _named_as_argument(ctx, text, spots, asks)
    spots = _corroborated(spots)
    spots = _longer_names(text, spots)
    spots = _first_word_companies(ctx, text, spots)
    spots = _leading_name(ctx, text, _dealt_with(ctx, text, spots))
    spots = _person_or_company(ctx, spots)
    spots = _object_runs_on(ctx, text, _subject_runs_on(ctx, text, spots))
    parts = clause_split.split(text, quoted, [(s.start, s.end) for s in spots])
    body_start = _body_start(text, spots)
    records = record_spans(text, parts, body_start, lambda name: _is_user(ctx, name))
    records = [r for r in records if not _known_news(ctx, text, r) and _bare_tag_named(ctx, text, r)]
    if records:
        records = _existing_contacts(text, records, spots)
        spots, named = _not_record_words(text, records, spots, named)
        spots = _record_slots(ctx, text, records, spots)
        spots, named = _renamed_later(text, records, spots, named)
    found = _not_in_person_names(spans.cues(text, parts), spots)
    with ctx.read() as s:
        stage_names = configured_stages(s)
    days = spans.dates(text, ctx.now(), parts, found, quoted, write_up=_write_up_heading(text, spots))
    days += _tail_date(text, ctx, found, days)
    own_names = [
        (s.start, _name_end(text, s)) for s in spots if s.matches and not any(x.via for x in s.matches)
    ]
    said_stages = spans.stages(text, stage_names, parts, found, loose=asks, customers=own_names)
    said_stages += spans.unknown_stage(
        parts, found, said_stages, days, any(c.kind == "followup_word" for c in found)
    )
    winners = [(s.winner.start, s.winner.end) for s in said_stages if s.winner is not None]
    if winners:  # "Summit went with Acme Corp": the one they chose instead is not who the message is about
        spots = [s for s in spots if not any(a <= s.start < b for a, b in winners)]
        named = [n for n in named if not any(a <= n.start < b for a, b in winners)]
    if any(st.command for st in said_stages):
        # "mark globex as won" beside a contact Mark: the command's verb, not the person
        spots = [s for s in spots if not _command_verb(text, parts, s)]
    asking = is_question(text, parts, quoted, spots, any(d.tense == "future" for d in days))
    if not asking and said_stages and lexicon.STILL_CHECK_RE.match(text):
        asking = True  # "Lumen Optics is still at proposal": a claim that nothing changed is a check
    editing = any(c.kind in _EDIT_CUES for c in found)
    return Reading(
        text=text,
        clauses=parts,
        customers=spots,
        dates=days,
        stages=said_stages,
        cues=found,
        values=spans.values(text),
        shifts=spans.shifts(text),
        new_names=named,
        body_start=body_start,
        question=asking,
        asks=asked_for(text, parts) if asking else [],
        quoted=quoted,
        followups=find_refs(ctx, parts, spots, editing, _name_hints(ctx, text, spots) if editing else []),
        records=records,
    )


_WORD_RE = re.compile(r"(?<![\w'&-])([^\W\d_][\w'&-]{2,})")
_LEADING_WORD_RE = re.compile(r"\s*([A-Za-z][\w&'-]+)")  # any case: "summit called, …" is typed lower case
# The first word as the heading of what follows: "summit - call went well", "summit: sent the DPA",
# "summit, they want EU hosting".
_HEADING_RE = re.compile(
    r"\s*(?:[:\u2013\u2014]|\s-+|-+\s|,(?=\s*(?:they|she|he|we|i|their|our)\b))\s*[^\W_]", re.IGNORECASE
)
# ... or as the customer of a piece of work: "summit follow up friday", "summit demo went well".
_WORK_AFTER_RE = re.compile(
    r"\s+(?:fol{1,3}o?w[\s-]*up|followup|f/u|check[\s-]*in|call|meeting|mtg|demo|visit|site\s+visit|lunch"
    r"|quote|proposal|contract|deal|renewal|pilot|trial|kick-?off|invoice|order|reminder|walkthrough|onboarding"
    r"|rollout|workshop|review|pricing|po)\b",
    re.IGNORECASE,
)


def leads_a_report(text: str, end: int) -> bool:
    """Whether the words after a leading name make it the subject or heading of a report: a report's verb
    ("summit called"), a heading's mark ("summit - …", "summit: …") or a piece of work ("summit demo …")."""
    return bool(
        lexicon.LEAD_VERB_RE.match(text, end)
        or _HEADING_RE.match(text, end)
        or _WORK_AFTER_RE.match(text, end)
    )


def leading_word(ctx: ToolContext, text: str) -> customers.CustomerSpot | None:
    """'Beacon sent their floor plans over': a first word in any case (an everyday word the spotter
    leaves alone at a sentence start) that begins customers' names and nothing else — the customers it
    may mean (several: offer them and 'both'; one: the caller decides whether the sentence settles it)."""
    m = _LEADING_WORD_RE.match(text)
    if m is None or m.group(1).lower() in lexicon.GLUE:
        return None
    word = m.group(1).casefold()
    found = customers.resolve(ctx, m.group(1)).matches
    starts = tuple(x for x in found if not x.via and x.name.casefold().split()[:1] == [word])
    if not starts or any(x.id not in {s.id for s in starts} for x in found):
        return None  # also a contact's or another customer's word: not decisive
    return customers.CustomerSpot(m.start(1), m.end(1), m.group(1), starts)


# A contact verb (or "with"/"to" after one) and then a word in lower case: the customer the rep dealt with.
_DEALT_WITH_RE = re.compile(
    r"(?i)\b(?:met|meeting|called|rang|phoned|emailed|e-mailed|texted|pinged|visited|saw|seeing|nudged|chased"
    r"|call|ring|phone|email|text|ping|visit|nudge|chase"
    r"|(?:fol{1,3}o?w(?:ed|ing)?[\s-]*up|spoke|speak|speaking|talked|talk|talking|chatted|chat|caught\s+up"
    r"|catch(?:ing)?\s+up|lunch|coffee|dinner|drinks|call|meeting|demo|check[\s-]*in|sync|touch\s+base"
    r"|checked\s+in|circle\s+back)\s+(?:with|w/|to))\s+"
    r"(?-i:([a-z][\w&'-]+))(?=\s*$|\s*[,.;:!?\u2013\u2014]|\s+-|\s+(?:about|re|regarding|on|at|and|today"
    r"|yesterday|yday|yest|ystrdy|tomorrow|tmrw|tmr|2moro|this|last|next|in|for|they|she|he|to|again|earlier"
    r"|first|mon|tue|tues|wed|thu"
    r"|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|asap|eod|eow)\b)"
)


# Words that lead a rep's message or follow a contact verb as themselves, whatever customer a name starts
# with them ("great call today", "spoke to legal about it", "called back"): never taken for that customer
# there, in any case (a phone capitalises a message's first word); a name written in full still is.
_NOT_A_LEAD = frozenset(
    (
        "great",
        "good",
        "quick",
        "big",
        "new",
        "old",
        "first",
        "last",
        "next",
        "final",
        "another",
        "bad",
        "nice",
    )
    + ("long", "short", "busy", "late", "early", "brief", "small", "major", "minor", "key", "main", "same")
    + (
        "other",
        "weekly",
        "monthly",
        "quarterly",
        "annual",
        "daily",
        "morning",
        "afternoon",
        "evening",
        "intro",
    )
    + ("initial", "ok", "okay", "hey", "hi", "update", "fyi", "todo", "back", "up", "out", "over", "off")
    + ("around", "ahead", "home", "someone", "somebody", "anyone", "nobody", "all", "both", "each", "every")
    + ("general", "internal", "external", "annual", "best", "top", "free", "open", "real", "true", "total")
    # A piece of work or an occasion: "demo - went well", "contract - signed", "lunch went well" report
    # on it, whatever customer's name starts with the word (Demo Labs, Contract Furniture Inc).
    + ("call", "calls", "meeting", "meetings", "lunch", "coffee", "dinner", "drinks", "breakfast", "demo")
    + ("demos", "contract", "contracts", "pilot", "pilots", "trial", "trials", "order", "orders", "proposal")
    + ("quote", "quotes", "invoice", "invoices", "deal", "deals", "renewal", "onboarding", "kickoff")
    + ("workshop", "training", "visit", "tour", "review", "presentation", "pitch", "webinar", "launch")
    + ("project", "delivery", "shipment", "install", "installation", "sync", "session", "interview")
    + ("deck", "sample", "samples", "payment", "budget", "pricing", "offer", "conference", "event", "expo")
)


def ordinary_lead(word: str) -> bool:
    """A lower-case word that stands for itself at a message's start or after a contact verb."""
    w = customers.fold(word)
    return w in _NOT_A_LEAD or w in _SUBJECT_WORDS or w in _DAY_WORDS


def _dealt_with(
    ctx: ToolContext, text: str, spots: list[customers.CustomerSpot]
) -> list[customers.CustomerSpot]:
    """'called summit, they want EU hosting', 'follow up with summit tomorrow': an everyday word in lower
    case (the spotter leaves it) right after a contact verb, ending the phrase, that starts exactly one
    customer's name and no contact's — that customer. 'met at the summit' (an article) stays a word."""
    out = list(spots)
    for m in _DEALT_WITH_RE.finditer(text[:400]):
        if m.group(1).lower() in lexicon.GLUE or any(s.start < m.end(1) and m.start(1) < s.end for s in out):
            continue
        if ordinary_lead(m.group(1)):
            continue
        word = m.group(1).casefold()
        found = customers.resolve(ctx, m.group(1)).matches
        starts = tuple(x for x in found if not x.via and x.name.casefold().split()[:1] == [word])
        if len(starts) == 1 and len(found) == 1:
            out.append(customers.CustomerSpot(m.start(1), m.end(1), m.group(1), starts))
    return sorted(out, key=lambda s: s.start)


# Words that may stand between a customer's name and what they did without making it another company's
# name: who at the customer ("acme team wants"), or how ("globex really wants").
_SUBJECT_WORDS = frozenset(
    [
        "team",
        "folks",
        "people",
        "guys",
        "gang",
        "crew",
        "staff",
        "side",
        "office",
        "board",
        "management",
        "leadership",
        "exec",
        "execs",
        "procurement",
        "purchasing",
        "finance",
        "legal",
        "it",
        "hr",
        "ops",
        "operations",
        "marketing",
        "sales",
        "support",
        "accounts",
        "accounting",
        "engineering",
        "ceo",
        "cfo",
        "cto",
        "coo",
        "cmo",
        "cio",
        "vp",
        "owner",
        "owners",
        "founder",
        "founders",
        "buyer",
        "buyers",
        "manager",
        "managers",
        "boss",
        "director",
        "head",
        "lead",
        "contact",
        "everyone",
        "still",
        "now",
        "already",
        "just",
        "finally",
        "also",
        "again",
        "too",
        "apparently",
        "actually",
        "reportedly",
        "officially",
        "suddenly",
        "definitely",
        "probably",
        "maybe",
        "then",
        "yesterday",
        "today",
        "earlier",
    ]
)
_RUN_ON_RE = re.compile(r"[ \t]+([a-z][\w'&-]*)(?:[ \t]+([a-z][\w'&-]*))?")


def _subject_runs_on(
    ctx: ToolContext, text: str, spots: list[customers.CustomerSpot]
) -> list[customers.CustomerSpot]:
    """'helios foo wants a quote' beside Helios Labs: a partial name, then a word or two that are no word
    of that name, no contact's, no team or adverb, and then what the subject did — the subject is a
    company named 'helios foo', which no customer is: an unknown name (Helios Labs suggested), never a
    write to Helios Labs."""
    out = []
    for s in spots:
        m = _RUN_ON_RE.match(text, s.end)
        if m is None or not _may_run_on(s) or lexicon.LEAD_VERB_RE.match(text, s.end):
            # (no run when the next word is what the subject did: "Ivory Tower renewed - mark …")
            out.append(s)
            continue
        said = [w for w in m.groups() if w]
        runs = [said[:1], said] if len(said) == 2 else [said]
        ends = [m.end(1), m.end()] if len(said) == 2 else [m.end()]
        hit = next(
            (
                end
                for words, end in zip(runs, ends, strict=True)
                # "helios foo wants …", and as a heading: "globex orbital: they signed"
                if lexicon.LEAD_VERB_RE.match(text, end)
                or (_HEADING_RE.match(text, end) and not _EDITS_AFTER_RE.search(text, end))
            ),
            None,
        )
        words = runs[ends.index(hit)] if hit is not None else []
        if (
            hit is None
            or any(
                customers.fold(w) in lexicon.GLUE for w in words
            )  # "summit on friday went": no name runs on
            or all(_fits_subject(ctx, w, s) for w in words)
            or _WORK_AFTER_RE.fullmatch(" " + " ".join(words))  # "acme site visit: …"
        ):
            out.append(s)
            continue
        out.append(customers.CustomerSpot(s.start, hit, text[s.start : hit], (), s.matches))
    return out


# A contact verb just before a name ("met …", "spoke with …"), and where the object phrase ends after it.
_CONTACT_BEFORE_RE = re.compile(
    r"(?i)\b(?:met|meeting|called|rang|phoned|emailed|e-mailed|texted|pinged|visited|saw|seeing|nudged|chased"
    r"|call|ring|phone|email|text|ping|visit|nudge|chase"
    r"|(?:fol{1,3}o?w(?:ed|ing)?[\s-]*up|spoke|speak|speaking|talked|talk|talking|chatted|chat|caught\s+up"
    r"|catch(?:ing)?\s+up|lunch|coffee|dinner|drinks|meeting|demo|check[\s-]*in|sync|touch\s+base"
    r"|checked\s+in|circle\s+back)\s+(?:with|w/|to))\s+$"
)
# ... or an outcome verb, whose object is the deal: "we lost acme widgets to a competitor" is another company.
_OUTCOME_BEFORE_RE = re.compile(r"(?i)\b(?:lost|lose|won|win|signed|sign|inked|closed)\s+$")
_OBJECT_RUN_RE = re.compile(
    r"[ \t]+([a-z][\w'&-]*)(?:[ \t]+([a-z][\w'&-]*))?(?=\s*$|\s*[,.;:!?\u2013\u2014]|\s+-|\s+(?:about|re"
    r"|regarding|on|at|and|today|yesterday|yday|tomorrow|tmrw|this|last|next|in|for|they|she|he|to|again"
    r"|earlier|first|asap|eod|eow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed"
    r"|thu|thurs|fri|sat|sun)\b)"
)
# Words that may follow the customer a rep dealt with without being part of another company's name.
_AFTER_OBJECT_WORDS = """
    first thing back up out over in off around twice once quickly briefly tomorrow tmr tmrw 2moro tonight
    asap eod eow
    later soon hq headquarters offices site plant warehouse store shop factory campus reps rep contacts after
    before since until till via during into onto from without nxt next coming upcoming following this last
    early late mid end week weekend month morning afternoon evening night eom re regarding per"""
_AFTER_OBJECT = frozenset(_AFTER_OBJECT_WORDS.split())


def _object_runs_on(
    ctx: ToolContext, text: str, spots: list[customers.CustomerSpot]
) -> list[customers.CustomerSpot]:
    """'met acme widgets today', 'called globex orbital about the pilot' beside Acme Corp and Globex
    Corporation: after a contact verb, a partial name and then a word or two (up to where the object ends)
    that are no word of that name, no contact's, no team, place or time — the rep dealt with a company
    named so, which no customer is: an unknown name (the customer suggested), never a write to it."""
    out = []
    for s in spots:
        m = _OBJECT_RUN_RE.match(text, s.end)
        if (
            m is None
            or not _may_run_on(s)
            or not (
                _CONTACT_BEFORE_RE.search(text[max(0, s.start - 40) : s.start])
                or _OUTCOME_BEFORE_RE.search(text[max(0, s.start - 12) : s.start])
            )
        ):
            out.append(s)
            continue
        words, end = [m.group(1)], m.end(1)
        if m.group(2) and customers.fold(m.group(2)) not in lexicon.GLUE:
            words, end = [m.group(1), m.group(2)], m.end(2)
        if customers.fold(words[0]) in lexicon.GLUE or all(
            customers.fold(w) in _AFTER_OBJECT
            or w.lower().endswith(("ed", "ing"))  # "demo w/ granite peak booked for …": what happened to it
            or _fits_subject(ctx, w, s)
            for w in words
        ):
            out.append(s)
            continue
        out.append(customers.CustomerSpot(s.start, end, text[s.start : end], (), s.matches))
    return out


# After a heading, a follow-up edit: the words before it are that follow-up's topic ("acme finish samples -
# give it another week"), not another company's name.
_EDITS_AFTER_RE = re.compile(
    lexicon.MOVE_RE.pattern + "|" + lexicon.CANCEL_RE.pattern, re.IGNORECASE | re.VERBOSE
)


def _may_run_on(s: customers.CustomerSpot) -> bool:
    """A spot another company's name may start with: a partial name, or a one-word name said in full
    ('copperfield orbital: they signed' beside Copperfield is another company)."""
    if _partial_company(s):
        return True
    if not s.matches or s.text.endswith(("'s", "\u2019s")) or any(x.via for x in s.matches):
        return False
    one = len(customers.fold(s.text).split()) == 1
    return one and all(
        len([w for w in customers.fold(x.name).split() if w not in LEGAL_SUFFIXES]) == 1 for x in s.matches
    )


def _partial_company(s: customers.CustomerSpot) -> bool:
    """A spot that names customers by only part of their name (or a slip), never through a contact."""
    if not s.matches or s.text.endswith(("'s", "\u2019s")) or any(x.via for x in s.matches):
        return False
    said = len(customers.fold(s.text).split())
    return all(x.how in ("partial", "typo") or said < len(customers.fold(x.name).split()) for x in s.matches)


_DAY_WORDS = frozenset(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    + ("mon", "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun", "tmrw", "yday")
)


_AUXILIARIES = frozenset(
    ("has", "have", "had", "is", "was", "are", "were", "will", "would", "did", "does", "do", "can", "could")
    + (
        "may",
        "might",
        "should",
        "must",
        "hasnt",
        "havent",
        "hadnt",
        "isnt",
        "wasnt",
        "didnt",
        "doesnt",
        "wont",
    )
)


def _fits_subject(ctx: ToolContext, word: str, s: customers.CustomerSpot) -> bool:
    w = customers.fold(word)
    if w in lexicon.GLUE or w in _SUBJECT_WORDS or w in _DAY_WORDS or w.endswith("ly") or w in _AUXILIARIES:
        return True
    if word.lower().endswith(("n't", "n\u2019t")):
        return True  # "globex hasn't signed": the subject's own verb, not another word of its name
    if _WORK_AFTER_RE.fullmatch(" " + word) or w in lexicon.LOOKUP_NOUNS or w in lexicon.WORK_NOUNS:
        # "acme meeting moved to tuesday", "acme update: …", "globex mins: …": the customer's work or news
        return True
    if w in LEGAL_SUFFIXES:  # "halvorsen marine limited" is Halvorsen Marine Ltd: names match without them
        return True
    if any(lexicon.word_forms(w) & set(customers.fold(x.name).split()) for x in s.matches):
        return True  # a word of the name, or its plural/singular ("juno pets" for Juno Pet Supplies)
    ids = {x.id for x in s.matches}
    return any(x.via and x.id in ids for x in customers.resolve(ctx, word).matches)  # "helios arjun wants"


def _leading_name(
    ctx: ToolContext, text: str, spots: list[customers.CustomerSpot]
) -> list[customers.CustomerSpot]:
    """'summit - call went well', 'summit demo went well': a first word the spotter left (an everyday word
    in lower case) that starts exactly one customer's name and leads a report, with no customer named
    anywhere else, is that customer — a spot, so every later step sees it as the name it is."""
    if any(s.matches for s in spots):
        return spots
    lead = leading_word(ctx, text)
    if lead is None or len(lead.matches) != 1 or not leads_a_report(text, lead.end):
        return spots
    if ordinary_lead(lead.text):
        return spots  # "great call today", "Great call today" beside a customer Great Lakes Co
    if lexicon.IMPERATIVE_RE.match(text) and not _HEADING_RE.match(text, lead.end):
        return spots  # "book demo friday" beside a customer Book Nook: the verb, not the name
    if any(s.start < lead.end and lead.start < s.end for s in spots):
        return spots
    return sorted([*spots, lead], key=lambda s: s.start)


def _name_hints(
    ctx: ToolContext, text: str, spots: list[customers.CustomerSpot]
) -> list[customers.CustomerSpot]:
    """'push the summit walkthrough to monday': a word no spot took that is the first word of customers'
    names (any case) — evidence for those customers when a follow-up is found by its topic (never, by
    itself, a customer a note or a new follow-up is written to)."""
    taken = [(s.start, s.end) for s in spots]
    words = [
        m
        for m in _WORD_RE.finditer(text[:400])
        if m.group(1).lower() not in lexicon.GLUE and not any(a < m.end() and m.start() < b for a, b in taken)
    ]
    known = customers.name_words(ctx, [m.group(1) for m in words])
    out = []
    for m in words:
        if m.group(1) not in known:
            continue
        word = customers.fold(m.group(1))
        starts = tuple(
            x
            for x in customers.resolve(ctx, m.group(1)).matches
            if not x.via and x.name.split()[:1] and customers.fold(x.name.split()[0]) == word
        )
        if starts:
            out.append(customers.CustomerSpot(m.start(1), m.end(1), m.group(1), starts))
    return out


def _is_user(ctx: ToolContext, name: str) -> bool:
    """Whether `name` is a rep — registered, or already the owner of some customer (a customer's new owner
    must be one); asked only when a message reassigns."""
    with ctx.read() as s:
        if any(user_rows.user_named(s, n) is not None for n in dict.fromkeys((name, name.lower()))):
            return True
    if name.lower() == ctx.actor.lower():
        return True
    return bool(find_customers(ctx, FindCustomers(owner=name.lower(), limit=1)).items)  # owns some already


def _known_news(ctx: ToolContext, text: str, rec: RecordSpan) -> bool:
    """'Helios is a new customer as of today' when Helios Labs exists: news about that customer, not an
    instruction to create a near-duplicate (an explicit 'add a new customer Helios' still creates it)."""
    if not rec.news or rec.name is None:
        return False
    return bool(customers.resolve(ctx, text[rec.name.start : rec.name.end]).matches)


def _bare_tag_named(ctx: ToolContext, text: str, rec: RecordSpan) -> bool:
    """'tag kettle & crumb wholesale' is a tag only when 'kettle & crumb' names a customer and 'kettle &
    crumb wholesale' names none ('tag Acme Corp' adds no tag 'Corp')."""
    slot = rec.customer
    if rec.kind != "tags" or slot is None or not lexicon.TAG_BARE_RE.fullmatch(rec.text.strip()):
        return True
    if any(rx.match(rec.text) for rx in (lexicon.TAG_ADD_RE, lexicon.TAG_WORD_AFTER_RE, lexicon.TAG_LIST_RE)):
        return True
    whole = text[slot.start : rec.end]
    if any(x.how == "exact" for x in customers.resolve(ctx, whole).matches):
        return False
    return bool(customers.resolve(ctx, text[slot.start : slot.end]).matches)


def _record_slots(
    ctx: ToolContext, text: str, records: list[RecordSpan], spots: list[customers.CustomerSpot]
) -> list[customers.CustomerSpot]:
    """'untag acme enterprise', "Summit's phone is …": the words in a record edit's customer slot are read
    as the tool argument they are (exactly as `resolve_name` reads a name), when no spot there names one."""
    out = list(spots)
    for rec in records:
        slot = rec.customer
        if slot is None or any(s.matches and s.start < slot.end and slot.start < s.end for s in out):
            continue
        said = text[slot.start : slot.end]
        if not re.search(r"[^\W\d_]", said) or len(said) > 80:
            continue
        found = customers.resolve(ctx, said).matches
        if found:
            out = [s for s in out if not (s.start < slot.end and slot.start < s.end)]
            out.append(customers.CustomerSpot(slot.start, slot.end, said, found))
    return sorted(out, key=lambda s: s.start)


def _renamed_later(
    text: str,
    records: list[RecordSpan],
    spots: list[customers.CustomerSpot],
    named: list[NewName],
) -> tuple[list[customers.CustomerSpot], list[NewName]]:
    """'rename Acme Corp to Acme Industries; log a call with Acme Industries': after a rename the message
    may use the new name — each later mention of it (every word said a word of the new name) is the
    renamed customer, not an unknown company to create."""
    out, still = list(spots), list(named)
    for rec in records:
        if rec.field != "name" or not rec.value or rec.customer is None:
            continue
        slot = rec.customer
        renamed = [s for s in out if s.start < slot.end and slot.start < s.end and len(s.matches) == 1]
        if len(renamed) != 1:
            continue
        new_words = set(customers.fold(rec.value).split())
        at = text.find(rec.value, rec.start)
        value_end = at + len(rec.value) if at >= 0 else rec.end
        out = [
            customers.CustomerSpot(s.start, s.end, s.text, renamed[0].matches)
            if _says_new_name(s.start, s.text, value_end, new_words)
            else s
            for s in out
        ]
        for n in named:
            if _says_new_name(n.start, n.text, value_end, new_words):
                still.remove(n)
                out.append(customers.CustomerSpot(n.start, n.end, n.text, renamed[0].matches))
    return sorted(out, key=lambda s: s.start), still


def _says_new_name(start: int, said: str, after: int, new_words: set[str]) -> bool:
    words = customers.fold(said).split()
    return start >= after and bool(words) and all(w in new_words for w in words)


def _existing_contacts(
    text: str, records: list[RecordSpan], spots: list[customers.CustomerSpot]
) -> list[RecordSpan]:
    """'add Arjun Rao as CTO at Helios' when Arjun Rao is Helios's contact: nothing to add (marked)."""
    out = []
    for r in records:
        person = r.name
        if r.kind != "contact" or person is None:
            out.append(r)
            continue
        said = customers.fold(" ".join(text[person.start : person.end].split()))
        theirs = {  # the very person, by their full name (not "Lee Park" for Holly Park)
            m.id
            for s in spots
            if s.start < person.end and person.start < s.end
            for m in s.matches
            if m.via and customers.fold(m.via) == said
        }
        named = {
            m.id
            for s in spots
            if not (s.start < person.end and person.start < s.end) and len(s.matches) == 1
            for m in s.matches
        }
        out.append(replace(r, exists=True) if theirs & named else r)
    return out


def _not_record_words(
    text: str,
    records: list[RecordSpan],
    spots: list[customers.CustomerSpot],
    named: list[NewName],
) -> tuple[list[customers.CustomerSpot], list[NewName]]:
    """The person a contact edit adds and the name a new customer gets are not customers the message is
    about, nor is a value set ('info@acme.example'): drop the spots and new names inside them."""
    words = [(r.name.start, r.name.end) for r in records if r.name is not None]
    words += [(r.start, r.end) for r in records if r.kind == "create"]
    for r in records:
        if r.field is not None and r.value:
            at = text.find(r.value, r.start)
            if at >= 0:
                words.append((at, at + len(r.value)))

    def clear(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in words)

    return [s for s in spots if clear(s.start, s.end)], [n for n in named if clear(n.start, n.end)]


def _named_as_argument(
    ctx: ToolContext, text: str, spots: list[customers.CustomerSpot], asks: bool = False
) -> tuple[list[customers.CustomerSpot], list[NewName]]:
    """Names the message gives in so many words ("note for Ink:", "met Crane today") are read exactly
    as a tool argument would be, so the chat and the tools agree on what a name means; only those that
    fit no customer stay new names (offered for creation). A lower-case word in a person's place names
    a contact; in a question (which writes nothing) it may also name a customer ("last spoke with fjord")."""
    taken = [(s.start, s.end) for s in spots]
    slots: list[tuple[int, int, str, NewName | str | None]] = [
        (n.start, n.end, n.text, n) for n in new_names(text, taken)
    ]
    m = lexicon.NOTE_PREFIX_RE.match(text)
    if m is not None and not any(s.start == m.end() for s in spots):
        name = re.match(r"[^:\n,]{2,60}?(?=\s*[:,\n\u2013\u2014-])", text[m.end() :])
        if name is not None and not any(st < m.end() + name.end() and m.start() < en for st, en in taken):
            slots.insert(0, (m.end(), m.end() + name.end(), name.group().strip(), None))
    if asks:  # "update on summit": the customer slot of a read request in shorthand
        for rx in lexicon.NAME_SLOT_READS:
            if (slot := rx.match(text)) is None:
                continue
            group = next((g for g in ("name", "rest") if g in rx.groupindex and slot.group(g)), None)
            if group is not None and not any(
                st < slot.end(group) and slot.start(group) < en for st, en in taken
            ):
                said = slot.group(group).strip()
                start = slot.start(group) + (len(slot.group(group)) - len(slot.group(group).lstrip()))
                slots.insert(0, (start, start + len(said), said, None))
            break
    candidates = person_words(text, taken)
    known = customers.name_words(ctx, [n.text for n in candidates])  # resolve only words some name has
    people = [(n.start, n.end, n.text, "person") for n in candidates if n.text in known]
    found, still_new = list(spots), []
    for start, end, said, new in slots + people:
        if any(s.start < end and start < s.end for s in found):
            continue
        r = customers.resolve(ctx, said)
        if new == "person":
            # A contact, never a company — except in a question, which writes nothing.
            person = tuple(m for m in r.matches if m.via or (asks and len(r.matches) == 1))
            if person:
                found.append(customers.CustomerSpot(start, end, text[start:end], person))
            continue
        if r.matches:
            found.append(customers.CustomerSpot(start, end, text[start:end], r.matches))
        elif isinstance(new, NewName):
            still_new.append(new)
    return sorted(found, key=lambda s: s.start), still_new


_HEADING_WORD_RE = re.compile(r"[ \t]+([^\W\d_][\w/&-]*)")


def _write_up_heading(text: str, spots: list[customers.CustomerSpot]) -> int | None:
    """'acme call notes monday: …', 'globex mtg mins (tuesday) -': a message opening with a customer's name
    and then only words of its work, the last a write-up — where those words end (a day right after
    them is the occasion's)."""
    first = min(spots, key=lambda s: s.start, default=None)
    if first is None or not first.matches or text[: first.start].strip():
        return None
    end, last = first.end, ""
    while (m := _HEADING_WORD_RE.match(text, end)) is not None and m.group(1).lower() in lexicon.WORK_NOUNS:
        end, last = m.end(), m.group(1).lower()
    return end if last in lexicon.WRITE_UP_NOUNS else None


_NEXT_WORD_RE = re.compile(r"[ \t]+([^\W\d_][\w&.]*)")


def _name_end(text: str, s: customers.CustomerSpot) -> int:
    """Where the name at a spot ends, over the words of the name or legal suffixes the spotter left
    ('acme corp to a cheaper vendor': the spot is 'acme', the name runs on over 'corp')."""
    suffixes = {w for w in LEGAL_SUFFIXES if w not in lexicon.GLUE and w != "as"}  # ("lost acme as a client")
    words = {w for x in s.matches for w in customers.fold(x.name).split()} | suffixes
    end = s.end
    while (m := _NEXT_WORD_RE.match(text, end)) is not None and customers.fold(m.group(1)).strip(
        "."
    ) in words:
        end = m.end()
    return end


def _command_verb(text: str, parts: list[Clause], s: customers.CustomerSpot) -> bool:
    """A one-word spot at a clause's start that is a stage command's verb ('mark', 'move', 'set')."""
    if not lexicon.STAGE_CMD_RE.fullmatch(s.text) or len(s.text.split()) != 1:
        return False
    starts = {c.start + len(c.text) - len(c.text.lstrip()) for c in parts} | {len(text) - len(text.lstrip())}
    return s.start in starts


def _person_or_company(ctx: ToolContext, spots: list[customers.CustomerSpot]) -> list[customers.CustomerSpot]:
    """'called mark, they want pricing' with a contact Mark Lee at Acme and a customer Mark Group: one word
    that is a contact's first name and also starts a customer's name may mean either — the spot holds
    both (ambiguous: asked, unless another name in the message settles it), never just the person."""
    out = []
    for s in spots:
        word = customers.fold(s.text.removesuffix("'s").removesuffix("\u2019s"))
        if not s.matches or len(word.split()) != 1 or not all(x.via for x in s.matches):
            out.append(s)
            continue
        ids = {x.id for x in s.matches}
        companies = tuple(
            x
            for x in customers.resolve(ctx, word).matches
            if not x.via
            and x.how in ("exact", "partial")
            and x.id not in ids
            and customers.fold(x.name).split()[:1] == [word]
        )
        out.append(replace(s, matches=s.matches + companies) if companies else s)
    return out


def _first_word_companies(
    ctx: ToolContext, text: str, spots: list[customers.CustomerSpot]
) -> list[customers.CustomerSpot]:
    """'push the juno estates walkthrough' (no spot took 'juno'): a word that starts customers' names,
    followed by a business noun none of those names has, is another company — an unknown name (the near
    customers suggested), so nothing is written and no follow-up of theirs is found by topic."""
    taken = [(s.start, s.end) for s in spots]
    pairs = []
    for m in _WORD_RE.finditer(text[:400]):
        if m.group(1).lower() in lexicon.GLUE or any(a < m.end() and m.start() < b for a, b in taken):
            continue
        nxt = _NEXT_WORD_RE.match(text, m.end(1))
        if nxt is not None and lexicon.company_word(nxt.group(1)):
            pairs.append((m, nxt))
    if not pairs:
        return spots
    known = customers.name_words(ctx, [m.group(1) for m, _ in pairs])
    out = list(spots)
    for m, nxt in pairs:
        if m.group(1) not in known:
            continue
        word = customers.fold(m.group(1))
        forms = lexicon.word_forms(customers.fold(nxt.group(1)))
        starts = tuple(
            x
            for x in customers.resolve(ctx, m.group(1)).matches
            if not x.via and customers.fold(x.name).split()[:1] == [word]
        )
        if starts and not any(forms & set(customers.fold(x.name).split()) for x in starts):
            end = nxt.end(1)
            out.append(customers.CustomerSpot(m.start(1), end, text[m.start(1) : end], (), starts))
    return sorted(out, key=lambda s: s.start)


_BARE_POSSESSIVE_RE = re.compile(
    r"(?<![\w'\u2019&-])([^\W\d_]{3,})s(?=\s+(?:phone\s+)?(?:number|phone|cell|mobile|e-?mail|address|contact)\b)",
    re.IGNORECASE,
)


def _possessive_without_apostrophe(
    ctx: ToolContext, text: str, spots: list[customers.CustomerSpot]
) -> list[customers.CustomerSpot]:
    """'jurgens phone?', 'arjuns number': a possessive typed without its apostrophe, before a contact detail —
    the word less its 's' is the name when it alone is a known name and the word itself is none."""
    added = []
    for m in _BARE_POSSESSIVE_RE.finditer(text):
        if any(s.start < m.end() and m.start() < s.end for s in spots):
            continue
        if any(x.how != "typo" for x in customers.resolve(ctx, m.group(0)).matches):
            continue  # the word is a name of its own ('Helios' is not Helio's)
        found = tuple(x for x in customers.resolve(ctx, m.group(1)).matches if x.how != "typo")
        if found:
            added.append(customers.CustomerSpot(m.start(), m.end(), m.group(0), found))
    return sorted([*spots, *added], key=lambda s: s.start) if added else spots


def _not_in_person_names(found: list[Cue], spots: list[customers.CustomerSpot]) -> list[Cue]:
    """'chase asked about a loyalty program', 'mark called': a cue word that is a contact's name the message
    names (the spot matched only through contacts) is that person, not the verb."""
    people = [(s.start, s.end) for s in spots if s.matches and all(x.via for x in s.matches)]
    if not people:
        return found
    return [c for c in found if not any(a <= c.start and c.end <= b for a, b in people)]


_NEXT_WORD_RE = re.compile(r"[ \t]+([^\W\d_][\w&'-]*)")


def _longer_names(text: str, spots: list[customers.CustomerSpot]) -> list[customers.CustomerSpot]:
    """'called granite peak roofing' beside Granite Peak Insurance: a partial or typo match (or one that left
    out a word of the name, 'nordlicht' for Nordlicht GmbH) followed by a business word that is not in the
    customer's name names a different company — not decisive: it becomes an unknown name (offered for
    creation, the near customer suggested) and nothing is written to it."""
    out = []
    for s in spots:
        m = _NEXT_WORD_RE.match(text, s.end)
        said = len(customers.fold(s.text).split())
        partial = bool(s.matches) and all(
            x.how in ("partial", "typo")
            or said < len(customers.fold(x.name).split())
            # "evergreen nurseries" beside Evergreen: a one-word name is the likeliest start of another's
            or (said == 1 and not x.via)
            for x in s.matches
        )
        possessive = s.text.endswith(("'s", "\u2019s"))  # "juno's warehouse" is Juno's
        if m is not None and partial and not possessive and lexicon.company_word(m.group(1)):
            forms = lexicon.word_forms(customers.fold(m.group(1)))
            if not any(forms & set(customers.fold(x.name).split()) for x in s.matches):
                end = m.end(1)
                out.append(customers.CustomerSpot(s.start, end, text[s.start : end], (), s.matches))
                continue
        out.append(s)
    return out


def _corroborated(spots: list[customers.CustomerSpot]) -> list[customers.CustomerSpot]:
    """'emailed holly at juno the pet food catalog': a name that fits two customers beside an unknown run
    whose near customer is one of them — two pieces of evidence for the same customer settle both."""
    ambiguous = [s for s in spots if len(s.matches) > 1]
    if not ambiguous:
        return spots
    out = list(spots)
    for i, s in enumerate(spots):
        if s.matches or not s.suggestions:
            continue
        fits = {m.id: m for m in s.suggestions if any(m.id in {x.id for x in a.matches} for a in ambiguous)}
        if len(fits) != 1:
            continue
        ((cid, match),) = fits.items()
        out[i] = customers.CustomerSpot(s.start, s.end, s.text, (match,))
        out = [
            customers.CustomerSpot(a.start, a.end, a.text, tuple(m for m in a.matches if m.id == cid))
            if a in ambiguous and any(m.id == cid for m in a.matches)
            else a
            for a in out
        ]
    return out


_EDIT_CUES = frozenset({"done", "cancel", "move", "followup_word"})


def _body_start(text: str, spots: list[customers.CustomerSpot]) -> int:
    """Where the note's own words begin: after a leading 'note for X:' (else 0: the whole message)."""
    m = lexicon.NOTE_PREFIX_RE.match(text)
    if m is None:
        return 0
    after = m.end()
    spot = next((s for s in spots if s.start == after), None)
    if spot is not None:
        after = spot.end
    rest = re.match(r"\s*[:,\-\u2013\u2014]?\s*", text[after:])
    start = after + (rest.end() if rest else 0)
    return start if start < len(text.rstrip()) else 0


_AUX_RE = re.compile(
    r"(?i)^\s*(?:(?P<be>is|are|isn't|aren't)|has|have|hasn't|haven't|did|didn't|do|does|don't|doesn't"
    r"|was|were|can|could|should|will|would|won't)\s+"
)
_ASKED_ABOUT_RE = re.compile(
    r"(?i)(?:we|they|you|i|he|she|it|anyone|anybody|someone|somebody|there|our|their)\b"
)


def is_question(
    text: str,
    parts: list[Clause],
    quoted: list[tuple[int, int]],
    spots: Sequence[customers.CustomerSpot] = (),
    dated: bool = False,
) -> bool:
    """Asks rather than tells: a question word first, an auxiliary before its subject ("has Acme
    signed yet", "do we have a number for …"), a tag question, or a final '?' outside quotes."""
    t = text.strip()
    aux = _AUX_RE.match(text)
    if aux is not None and not lexicon.REQUEST_RE.match(t):
        at = aux.end()
        if aux.group("be") or _ASKED_ABOUT_RE.match(text, at) or any(s.start == at for s in spots):
            return True
    if not t or lexicon.REQUEST_RE.match(t):
        return False
    end = len(text.rstrip())
    if t.endswith("?") and not any(s <= end - 1 < e for s, e in quoted):
        return True
    first = _FIRST_ASKED_RE.match(t)
    if first is not None and not any(s <= first.end() - 1 < e for s, e in quoted):
        # "anything slipping? whats overdue": a question, then another without its '?'
        rest = t[first.end() :]
        return bool(_ASKS_RE.match(rest) or any(rx.match(rest.strip()) for rx in lexicon.READ_REQUESTS))
    if (
        lexicon.TAG_QUESTION_RE.search(t)
        or lexicon.BARE_TAG_RE.search(t)
        or lexicon.NEGATIVE_THEN_TAG_RE.search(t)
        or lexicon.NOBODY_RE.match(t)
    ):
        return True
    if re.match(r"(?i)^\s*remind\s+me\b", t) and dated:
        return False  # "remind me about Acme on the 15th" is a follow-up
    if any(rx.match(t) for rx in lexicon.READ_REQUESTS):
        return True
    last = lexicon.LAST_CONTACT_ASKED_RE.match(t)
    if last is not None and not lexicon.PAST_RE.search(last.group("rest")):
        return True  # "last contact w/ globex" asks; "last call with acme went well" tells
    if len(t.split()) <= lexicon.SHORT_READ_WORDS and lexicon.PIPELINE_RE.search(t):
        return True
    if _lookup_fragment(text, spots):
        return True
    return bool(_ASKS_RE.match(t))


def _lookup_fragment(text: str, spots: Sequence[customers.CustomerSpot]) -> bool:
    """'acme last contact', 'last touchpoint acme', 'acme recap', 'status acme', 'last time we spoke to
    acme': a customer named and, around the name, only the words of a lookup — no verb of a report."""
    named = [s for s in spots if s.matches]
    if not named or len(text.split()) > 8:
        return False
    rest = list(text)
    for s in named:
        rest[s.start : s.end] = " " * (s.end - s.start)
    words = re.findall(r"[a-z/']+", "".join(rest).lower())
    if not words or any(w not in lexicon.LOOKUP_WORDS for w in words):
        return False
    return any(w in lexicon.LOOKUP_NOUNS for w in words) or (
        "last" in words and any(w in lexicon.LOOKUP_LAST for w in words)
    )


_ASKS_RE = re.compile(
    r"(?i)^\s*(?:who|whom|whose|who's|whos|what|what's|whats|which|how|how's|where|why"
    r"|when(?:'s|\s+(?:did|was|were|is|are|do|does|will|should|can|could|have|has))|any(?:thing|one|body)?\s+"
    r"(?:due|overdue|late|slipping|slipped|behind|new|news|update|updates|word|progress|luck|left|open"
    r"|scheduled|planned|lined|coming|for|on"
    r"|from|in|at|with)|any\s+\w+\s+(?:from|on|with|about|for|at)|how\s+many"
    r"|(?:am\s+i|are\s+we|is\s+anything|is\s+something)\s+(?:behind|late|slipping|overdue))\b"
)


_FIRST_ASKED_RE = re.compile(r"[^?]{3,80}\?")

_TAIL_RE = re.compile(r"(?i)\b(?:to|until|till|for)\s+(\S.{0,40}?)\s*[.!]*$")


def _tail_date(text: str, ctx: ToolContext, found: list[Cue], days: list[DateSpan]) -> list[DateSpan]:
    """'push the check-in to the 20th', 'to 31/04': the date a follow-up is moved to, read as a whole
    (an impossible one is refused with InvalidDate rather than asked again)."""
    if not any(c.kind == "move" for c in found) or (m := _TAIL_RE.search(text[:400])) is None:
        return []
    if any(d.end > m.start(1) for d in days):
        return []
    try:
        when = parse_when(m.group(1), ctx.now(), prefer="future")
    except InvalidDate as e:
        if "not a date" in str(e):
            raise
        return []
    tense: Tense = "future" if when.date > ctx.today() else "today" if when.date == ctx.today() else "past"
    return [DateSpan(m.start(1), m.end(1), m.group(1), when, tense)]
