"""Finding the customers a sentence talks about, through the tool layer's name index.

A mention is a span of the message and the customers it may mean. Evidence, strongest first: a
customer's exact name; a contact's full name; consecutive whole words of a name ("kettle & crumb",
"Brightline"); a contact's first name ("Arjun"); then, only on a few leftover spans, a typo of a
name ("evergren landscaping"). Ordinary English words never count on their own, so "met at the
summit" does not touch a customer called Summit Partners unless the rep capitalises it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from tools.names import NameIndex, core, normalize

# Words that are never a name on their own (lowercase). Weekdays, months and stages included so that
# "met Monday", "move to proposal" never read as a customer.
STOP = frozenset("""
a about above after again against all also am an and any are as asked ask at back be because been before being
below between both but by can could did do does doing done down during each email emailed emails few for from
further get got had has have having he her here hers him his how i if in into is it its itself just last let like
me meet meeting met more most my no nor not now of off on once only or other our ours out over own re same she
should so some still such than that the their them then there these they this those through to today tomorrow
too under until up very was we were what when where which while who whom why will with would yesterday you your
yours call called calls calling phone phoned rang ring spoke speak talked talk told tell note notes notes
follow followup followups up remind reminder ping check touch base circle reach chase nudge next week weeks month
months day days year years hour hours morning afternoon evening tonight noon end start mid soon later asap
monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
january february march april may june july august september october november december jan feb mar apr jun jul
aug sep sept oct nov dec lead leads qualified proposal negotiation won lost stage pipeline deal deals
customer customers client clients account accounts company contact contacts new add create move mark set update
want wants wanted need needs needed said says say sent send sending please thanks thank ok okay yes yeah sure
team us them pricing price quote contract demo case study budget renewal invoice order po legal offer
coffee lunch dinner drinks visit visited quick good great bad well went go going come coming about who
whats what's did didn't don't doesn't can't won't i'm we're they're it's let's x re fyi asap eod eow
""".split())

_ARTICLES = frozenset({"the", "a", "an", "this", "that", "our", "their", "some"})
_FUNCTION_WORDS = frozenset("""about with and or but for on in at to from of by was is were are has had have
yesterday today tomorrow this last next when where who that which while after before they we he she it""".split())
_MASK_RE = re.compile(r"\S+@\S+|\bhttps?://\S+|\bwww\.\S+")
_POSSESSIVE_RE = re.compile(r"['\u2019]s\b")
_TOKEN_RE = re.compile(r"[^\W_]+|&")
MAX_NGRAM = 6
MAX_FUZZY_SPANS = 6
FUZZY_MIN = 85.0  # similarity (0-100) a leftover span needs to a name, or to its first words


@dataclass
class Mention:
    """A span of the message and the customers it may mean (one id = resolved)."""

    start: int
    end: int
    text: str
    ids: list[int]
    strength: float
    via: dict[int, str] = field(default_factory=dict)  # id -> "contact Holly Park"

    @property
    def resolved(self) -> bool:
        return len(self.ids) == 1

    @property
    def key(self) -> str:
        """What identifies this mention across a re-read of the same message (for answers to questions)."""
        return normalize(self.text)


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    word: str  # normalized
    raw: str


def tokens(text: str) -> list[_Tok]:
    """Words of `text` with their spans; e-mail addresses and URLs are skipped, possessives dropped."""
    masked = _MASK_RE.sub(lambda m: " " * len(m.group()), text)
    masked = _POSSESSIVE_RE.sub("  ", masked)
    out = []
    for m in _TOKEN_RE.finditer(masked):
        word = normalize(m.group())
        if word:
            out.append(_Tok(m.start(), m.end(), word, m.group()))
    return out


def _capitalised(tok: _Tok) -> bool:
    return tok.raw[:1].isupper()


def find_mentions(idx: NameIndex, text: str, *, limit_chars: int = 600) -> list[Mention]:
    """Non-overlapping customer mentions in `text`, left to right.

    Only the first `limit_chars` characters are read: a name lives near the start of even the
    longest note, and a 20,000-character paste must not cost a fuzzy search per word.
    """
    toks = [t for t in tokens(text[:limit_chars])]
    found: list[Mention] = []
    blocked: list[Mention] = []  # spans that must not be read as a typo of a name either
    for i in range(len(toks)):
        for n in range(1, min(MAX_NGRAM, len(toks) - i) + 1):
            m = _exact_span(idx, text, toks[i:i + n])
            if m is None:
                continue
            if n == 1 and m.strength < 4.0 and not m.via and not _capitalised(toks[i]) and i > 0 \
                    and toks[i - 1].word in _ARTICLES and not _modifies_next(text, toks, i):
                blocked.append(m)  # "met at the summit": a common noun after an article, not Summit Partners
                continue
            found.append(m)
    chosen = _non_overlapping(found)
    chosen += _fuzzy_mentions(idx, text, toks, chosen + blocked)
    return sorted(chosen, key=lambda m: m.start)


def _modifies_next(text: str, toks: list[_Tok], i: int) -> bool:
    """'the summit follow-up' (a name used before a noun) versus 'at the summit, …' / 'the summit about …'."""
    if i + 1 >= len(toks) or re.search(r"[^\w\s&'-]", text[toks[i].end:toks[i + 1].start]):
        return False
    return toks[i + 1].word not in _FUNCTION_WORDS


def _exact_span(idx: NameIndex, text: str, span: list[_Tok]) -> Mention | None:
    start, end = span[0].start, span[-1].end
    key = " ".join(t.word for t in span)
    if span[0].word in ("and", "the") or span[-1].word == "and":
        return None
    if len(span) > 1 and span[-1].word in STOP and not span[-1].raw[:1].isupper():
        return None  # "Delta Dental Care as won": a trailing "as" is not the Norwegian AS
    single = len(span) == 1
    plain_word = single and span[0].word in STOP and not _capitalised(span[0])
    ids = idx.by_core.get(core(key), [])
    if ids and not plain_word:
        return Mention(start, end, text[start:end], list(ids), 4.0 + len(span) / 10)
    contacts = idx.contacts_full.get(key, [])
    if contacts and not single:
        return _contact_mention(text, start, end, contacts, 3.5 + len(span) / 10)
    if single and span[0].word in STOP:
        return None
    if single and not span[0].word.isdigit():
        firsts = idx.contacts_first.get(key, [])
        if firsts and (len(key) >= 3):
            return _contact_mention(text, start, end, firsts, 2.0)
    words = key.split()
    if single and (len(key) < 3 or key.isdigit()):
        return None
    ids = _consecutive_word_matches(idx, words, first_only=single and not _capitalised(span[0]))
    if ids:
        return Mention(start, end, text[start:end], ids, 3.0 + len(span) / 10)
    return None


def _contact_mention(text: str, start: int, end: int, people: list[tuple[int, str]], strength: float) -> Mention:
    via: dict[int, str] = {}
    for cid, name in people:
        via.setdefault(cid, f"contact {name}")
    return Mention(start, end, text[start:end], list(via), strength, via)


def _consecutive_word_matches(idx: NameIndex, words: list[str], *, first_only: bool) -> list[int]:
    """Customers whose name holds these whole words consecutively ('brightline' -> both Brightlines)."""
    pool: set[int] | None = None
    for w in words:
        hit = idx.by_word.get(w)
        if not hit:
            return []
        pool = set(hit) if pool is None else pool & hit
        if not pool:
            return []
    out = []
    for cid in pool or ():
        name = idx.customers[cid].core.split()
        for k in range(len(name) - len(words) + 1):
            if name[k:k + len(words)] == words and (k == 0 or not first_only):
                out.append(cid)
                break
    return sorted(out, key=lambda c: idx.customers[c].name)


def _non_overlapping(found: list[Mention]) -> list[Mention]:
    chosen: list[Mention] = []
    for m in sorted(found, key=lambda m: (-m.strength, -(m.end - m.start), m.start)):
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    return chosen


def _fuzzy_mentions(idx: NameIndex, text: str, toks: list[_Tok], taken: list[Mention]) -> list[Mention]:
    """Typos: try a few leftover runs of non-trivial words against the index's fuzzy search."""
    runs: list[list[_Tok]] = []
    run: list[_Tok] = []
    for t in toks:
        free = all(t.end <= m.start or t.start >= m.end for m in taken)
        if free and t.word not in STOP and not t.word.isdigit() and len(t.word) >= 3:
            run.append(t)
            continue
        if run:
            runs.append(run)
        run = []
    if run:
        runs.append(run)
    out: list[Mention] = []
    tries = 0
    for run in runs:
        for size in range(min(3, len(run)), 0, -1):
            if tries >= MAX_FUZZY_SPANS:
                return out
            span = run[:size]
            query = core(" ".join(t.word for t in span))
            if len(query) < 5:
                continue
            tries += 1
            ids = _close_names(idx, query)
            if ids:
                s, e = span[0].start, span[-1].end
                out.append(Mention(s, e, text[s:e], ids, 1.0))
                break
    return out


def _close_names(idx: NameIndex, query: str) -> list[int]:
    """Customers whose name (or its first words) is within a typo or two of `query`, best first."""
    scored: list[tuple[float, int]] = []
    n = len(query.split())
    for cand in idx.fuzzy(query, limit=5):
        name = idx.customers[cand.id].core
        lead = " ".join(name.split()[:n])
        score = max(fuzz.ratio(query, name), fuzz.ratio(query, lead) if len(lead) >= 5 else 0.0)
        if score >= FUZZY_MIN:
            scored.append((score, cand.id))
    if not scored:
        return []
    scored.sort(reverse=True)
    best = scored[0][0]
    return [cid for score, cid in scored if score >= best - 3]


def merge(mentions: list[Mention]) -> list[Mention]:
    """Combine what several mentions say: 'Holly at Juno' means Juno; two spans of one customer are one.

    An ambiguous mention whose candidates include a customer named firmly elsewhere is that customer.
    """
    firm = {m.ids[0] for m in mentions if m.resolved}
    out: list[Mention] = []
    for m in mentions:
        if not m.resolved:
            inside = [c for c in m.ids if c in firm]
            if inside:
                continue  # absorbed by the firm mention of the same customer
        out.append(m)
    seen: set[int] = set()
    unique: list[Mention] = []
    for m in out:
        if m.resolved:
            if m.ids[0] in seen:
                continue
            seen.add(m.ids[0])
        unique.append(m)
    return unique


# A name the index does not know: Title-Case words after "with/met/called/for…", or the first words.
_TRIGGER_RE = re.compile(
    r"\b(?:with|met|meet|called|call|emailed|email|for|to|visited|from|at|about|customer|client|lead|saw)\s+"
    r"(?:the\s+)?(?P<name>(?:[A-Z0-9][\w'&.-]*)(?:\s+(?:&\s+)?[A-Z0-9][\w'&.-]*){0,4})")
_LEADING_RE = re.compile(r"^\s*(?P<name>[A-Z][\w'&.-]*(?:\s+(?:&\s+)?[A-Z][\w'&.-]*){1,4})\b")


def unknown_name(text: str) -> str | None:
    """A customer-like name in `text` that matched nothing, e.g. 'Orchid Florals'; None if none."""
    head = text[:400]
    for m in list(_TRIGGER_RE.finditer(head)) + list(_LEADING_RE.finditer(head)):
        words = m.group("name").rstrip(".,").split()
        while words and normalize(words[-1]) in STOP:
            words.pop()
        while words and normalize(words[0]) in STOP:
            words.pop(0)
        name = " ".join(words).strip(" .,'")
        if name and len(normalize(name)) >= 3 and not normalize(name).isdigit():
            return name
    return None
