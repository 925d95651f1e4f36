"""Names of customers spotted inside free text, by the resolver's own levels (`tools.names`).

A spot is a run of whole words of the message and the customers it may mean. The evidence is the
resolver's (exact name, contact name, every word a word of the name, or a slip in a long word),
with the care free text needs on top:

- whole words only: "redlined" is not the customer Redline, and a slip is never an inflection;
- an everyday English word written alone in lower case is a word, not a name ("met at the summit"
  does not touch Summit Partners; "Summit" does);
- a word that many company names use ("labs", "partners", "group") never names a customer alone;
- a company-like run that carries an extra word is a different company: "Met Bramble Labs" beside
  Halcyon Labs, or "Orion Dynamics Health" beside Orion Dynamics, is reported as an *unknown* spot
  (no matches, the real customer as a suggestion), never as the nearest existing customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session

from tools.name_index import (
    FILLERS,
    LEGAL_SUFFIXES,
    TITLES,
    NameIndex,
    common_words,
    fold,
    name_index,
)
from tools.names import LEVEL_SCORE, NameMatch, initials_fit, resolve_in, words_level

MAX_SPAN = 6  # words in the longest name looked for
READ_CHARS = 1000  # a name lives near the start of even the longest paste


def _words(text: str) -> frozenset[str]:
    # The word tables stay paragraphs grouped by theme: one word a line would bury them.
    return frozenset(text.split())


# Words of company names that say what kind of company, not which one.
GENERIC = _words("""
labs lab partners partner group groups holdings holding industries industry ventures venture capital
services service solutions solution systems system technologies technology tech software logistics
freight dynamics media motors supplies supply books dental care insurance optics outfitters landscaping
stationers cafe coffee foods food pharma health energy bank studio studios consulting consultants agency
associates company companies international global worldwide enterprises enterprise network networks
digital design designs works manufacturing trading bakery restaurant hotel clinic pet pets store stores
shop shops center centre products analytics
""")
# Words that end a name run: dates, CRM words, roles; a capitalised one is still not part of a name.
STOP = _words("""
monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
january february march april may june july august september october november december jan feb mar apr jun jul
aug sep sept oct nov dec today tomorrow yesterday tonight tmrw tmr eod eow eom asap fyi pls re vm mtg
ceo cfo cto coo cmo cio vp svp evp md gm head lead cc bcc
i we he she they it you me us them my our their his her its
and or but the a an to at in on of for with by from
met meet meeting called call emailed email spoke talked visited saw lunch coffee demo note
follow followup remind
""")
_REPORTING = _words("""
says said wants wanted asked asks called calls mentioned confirmed emailed wrote writes replied texted told
thinks agreed approved signed needs needed would will is was has had
""")
_WORK_NOUNS = _words("""
follow followup check call calls meeting meetings demo deal account contract renewal proposal order
invoice quote team folks people guys visit lunch pilot trial workshop review kickoff onboarding project
rollout pitch intro sync thing stuff reminder task email emails deck
""")
_ARTICLES = _words("the a an this that these those our their your my his her its")
_MASK_RE = re.compile(r"\S+@\S+|\bhttps?://\S+|\bwww\.\S+")
_POSSESSIVE_RE = re.compile(r"['\u2019]s$")
_TOKEN_RE = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*|&")
_WORD_HYPHENS = ("-", "\u2010", "\u2011")  # between two letters with no space: one hyphenated word
_SENTENCE_BREAK_RE = re.compile(r"[.!?:;\n\"(\[\u2014-]")


@dataclass(frozen=True)
class CustomerSpot:
    """A span of text and the customers it may mean: one = resolved, several = ambiguous, none = unknown."""

    start: int
    end: int
    text: str
    matches: tuple[NameMatch, ...]
    suggestions: tuple[NameMatch, ...] = ()

    @property
    def resolved(self) -> bool:
        return len(self.matches) == 1

    @property
    def ambiguous(self) -> bool:
        return len(self.matches) > 1

    @property
    def unknown(self) -> bool:
        return not self.matches

    @property
    def how(self) -> str | None:
        return self.matches[0].how if self.matches else None


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    word: str  # normalized
    raw: str
    first: bool  # starts a sentence (its capital says nothing)
    after_article: bool = False  # "the redline": a lower-case word after an article is a noun
    qualifies: bool = False  # "the summit follow-up": used as a name before a piece of work

    @property
    def lowered(self) -> bool:
        return self.after_article and not self.capital

    @property
    def capital(self) -> bool:
        return self.raw[:1].isupper()

    @property
    def plain(self) -> bool:
        """An everyday word written as one (lower case), or a word that never names a company."""
        return (
            (not self.capital or self.first)
            and not self.qualifies
            and (self.word in common_words() or self.word in STOP)
        )


def _tokens(idx: NameIndex, text: str) -> list[_Tok]:
    masked = _MASK_RE.sub(lambda m: " " * len(m.group()), text)
    out: list[_Tok] = []
    for m in _TOKEN_RE.finditer(masked):
        raw = m.group()
        word = fold(raw)
        if _POSSESSIVE_RE.search(raw) and not idx.has_word(word):
            word = fold(raw[:-2])  # "Orion's" is Orion, "O'Brien's" stays O'Brien's when that is the name
        if not word:
            continue
        # "Dr. Reed": the full stop of a title or an initial does not end a sentence.
        first = not out or (
            masked[out[-1].end : m.start()] not in _WORD_HYPHENS
            and bool(_SENTENCE_BREAK_RE.search(masked[out[-1].end : m.start()]))
            and out[-1].word not in TITLES
            and len(out[-1].word) > 1
        )
        article = bool(out) and out[-1].word in _ARTICLES and not first
        for part in word.split():  # '&' -> 'and'
            out.append(_Tok(m.start(), m.end(), part, raw, first, article))
    # "the orion check-in": a word after an article that qualifies a piece of work is a name again.
    for k, t in enumerate(out[:-1]):
        work = out[k + 1].word in _WORK_NOUNS or out[k + 1].word.startswith(("folo", "follow", "fup"))
        if (
            t.after_article
            and work
            and not masked[t.end : out[k + 1].start].strip(" -")
            and t.word not in STOP
        ):
            out[k] = _Tok(t.start, t.end, t.word, t.raw, t.first, False, True)
    return out


def spot_customers(session: Session, text: str) -> list[CustomerSpot]:
    """The customers `text` talks about, left to right, as non-overlapping spans of whole words."""
    return spot_in(name_index(session), text)


def spot_in(idx: NameIndex, text: str) -> list[CustomerSpot]:
    """`spot_customers` against an index (the same rule, without a session)."""
    toks = _tokens(idx, text[:READ_CHARS])
    found: list[tuple[int, float, int, int, list[NameMatch]]] = []  # (words, level, i, j, matches)
    for i in range(len(toks)):
        if toks[i].word in FILLERS:
            continue
        for j in range(i + 1, min(i + MAX_SPAN, len(toks)) + 1):
            span = toks[i:j]
            if not _maybe_name_word(idx, span[-1]):
                break  # every longer run from i holds this word too
            if span[-1].word in FILLERS or (j > i + 1 and not _glued(text, span[-2], span[-1])):
                continue
            if (
                j > i + 1
                and span[-1].word in LEGAL_SUFFIXES
                and span[-1].word in common_words()
                and not span[-1].capital
            ):
                continue  # "mark Delta Dental Care as won": that "as" is not the Norwegian AS
            matches = _span_matches(idx, span, j < len(toks) and toks[j].word in _REPORTING)
            if matches:
                found.append((sum(t.word not in FILLERS for t in span), _level(matches), i, j, matches))
    chosen: list[tuple[int, int, list[NameMatch]]] = []
    for _n, _lvl, i, j, matches in sorted(found, key=lambda f: (-f[0], -f[1], f[2])):
        if all(j <= a or i >= b for a, b, _m in chosen):
            chosen.append((i, j, matches))
    spots = [_widen(idx, text, toks, i, j, matches, chosen) for i, j, matches in sorted(chosen)]
    spots += _unknown_runs(idx, text, toks, chosen)
    return sorted(spots, key=lambda s: s.start)


def _maybe_name_word(idx: NameIndex, t: _Tok) -> bool:
    if len(t.word) == 1 and t.capital and t.word.isalpha():
        return True  # an initial: "J. Alvarez"
    return (
        t.word in FILLERS
        or idx.has_word(t.word)
        or t.word in LEGAL_SUFFIXES
        or bool(_typo_ok(t) and idx.near_words(t.word))
    )


def _typo_ok(t: _Tok) -> bool:
    """A word long and rare enough that a near name word is a slip of it, not another word."""
    return len(t.word) >= 5 and not t.word.isdigit() and t.word not in common_words() and t.word not in STOP


def _level(matches: list[NameMatch]) -> float:
    return LEVEL_SCORE.get(matches[0].how, 0.0)


def _span_matches(idx: NameIndex, span: list[_Tok], speaks: bool = False) -> list[NameMatch]:
    """The customers a run of words names, by the resolver's levels and the text's cautions.

    `speaks`: the next word is one a person does ("says", "wants", "called").
    """
    words = [t.word for t in span if t.word not in FILLERS]
    kept = list(words)
    while len(kept) > 1 and kept[-1] in LEGAL_SUFFIXES:  # only a trailing suffix is one ("Orion AS Dynamics")
        kept.pop()
    suffixed = len(kept) < len(words)
    plain = all(t.plain for t in span if t.word not in FILLERS)
    if not kept or (len(kept) == 1 and (span[0].lowered or (plain and not span[0].capital))):
        return []  # "met at the summit", "the redline": an ordinary word, not Summit or Redline
    exact = idx.customers_with_key(" ".join(kept), said=" ".join(words))
    if exact and (len(kept) > 1 or not plain or span[0].capital):  # "Summit is ready": a name even first
        return [NameMatch(c, idx.name_of(c), "exact") for c in exact]
    if len(kept) == 1 and plain:
        if span[0].capital and speaks:  # "Owen wants the SLA", "Grace called": a person, by what follows
            _how, speakers = words_level(idx, kept, typos=False)
            return [m for m in speakers if m.via]
        return []
    person = [w for w in kept if w not in TITLES] or kept
    if len(person) >= 2:
        people = idx.people_with_key(" ".join(person))
        if people:
            return [NameMatch(c, idx.name_of(c), "contact", p) for c, p in people.items()]
    kept = person
    if len(kept) == 1 and (kept[0] in GENERIC or span[0].plain or len(kept[0]) < 3 or kept[0].isdigit()):
        return []  # "labs" alone names no one; a short or numeric word is too weak
    how, found = words_level(
        idx,
        kept,
        typos=all(_typo_ok(t) or idx.has_word(t.word) for t in span),
        inflections=False,
        suffixed=suffixed,
    )
    if how == "typo":
        found = [m for m in found if _slips_are_distinctive(idx, span, m)]
    if how == "partial" and len(kept) == 1:
        # An everyday word names a customer alone only when written as a name ("met Summit today").
        found = [
            m
            for m in found
            if m.via
            or kept[0] not in common_words()
            or span[0].qualifies
            or (span[0].capital and not span[0].first)
        ]
    if plain:  # "pet supplies" in lower case: only the first words of a name say it is one
        found = [m for m in found if idx.words_of(m.id)[: len(kept)] == tuple(kept)]
    return found


def _slips_are_distinctive(idx: NameIndex, span: list[_Tok], m: NameMatch) -> bool:
    """A slip counts in text only on a rare name word: 'bakey' is not Thistle Bakery."""
    names = set(idx.words_of(m.id))
    slipped = [t.word for t in span if t.word not in FILLERS and t.word not in names]
    return (
        bool(slipped)
        and all(_typo_ok(t) for t in span if t.word in slipped)
        and (
            len(span) > 1
            or not any(w in GENERIC or w in common_words() for w in idx.near_words(span[0].word))
        )
    )


def _joins(t: _Tok, taken: set[int], k: int, words: tuple[str, ...], suffixed: bool = True) -> bool:
    """Whether a neighbour word belongs to the same company name (so the name is another company's).

    A capitalised legal suffix after a name that has none ("Halcyon Spa", "Thistle Co") joins it.
    """
    if t.word in LEGAL_SUFFIXES and t.capital and not suffixed and k not in taken:
        return True
    if k in taken or t.word in STOP or t.word in FILLERS or t.word in LEGAL_SUFFIXES or t.word.isdigit():
        return False
    if t.word in GENERIC and t.word not in words:
        return True  # "helios energy", "brightline studios"
    return t.capital and not t.first and not (t.raw.isupper() and len(t.raw) <= 4) and t.word not in words


def _widen(
    idx: NameIndex,
    text: str,
    toks: list[_Tok],
    i: int,
    j: int,
    matches: list[NameMatch],
    chosen: list[tuple[int, int, list[NameMatch]]],
) -> CustomerSpot:
    """The spot for toks[i:j]; an unknown one when the name runs on into words it does not have."""
    taken = {k for a, b, _m in chosen if (a, b) != (i, j) for k in range(a, b)}
    words = tuple(w for m in matches for w in idx.words_of(m.id))
    suffixed = any(idx.suffixed(m.id) for m in matches) or toks[j - 1].word in LEGAL_SUFFIXES
    a, b = i, j
    if i > 0 and len(toks[i - 1].word) == 1 and toks[i - 1].capital and _glued(text, toks[i - 1], toks[i]):
        # "K. Alvarez" is not J. Alvarez: an initial before a person's name must fit it.
        fitting = [m for m in matches if not m.via or initials_fit(toks[i - 1].word, m.via)]
        if len(fitting) < len(matches):
            if not fitting:
                start, end = toks[i - 1].start, toks[j - 1].end
                return CustomerSpot(
                    start,
                    end,
                    text[start:end],
                    (),
                    tuple(NameMatch(m.id, m.name, "similar", None, 70.0) for m in matches),
                )
            matches = fitting
    if not any(m.how == "contact" or m.via for m in matches):
        while (
            b < len(toks)
            and _glued(text, toks[b - 1], toks[b])
            and _joins(toks[b], taken, b, words, suffixed)
        ):
            b += 1
        while (
            a > 0
            and _glued(text, toks[a - 1], toks[a])
            and not toks[a].first
            and _joins(toks[a - 1], taken, a - 1, words)
        ):
            a -= 1
    start, end = toks[a].start, toks[b - 1].end
    if (a, b) == (i, j):
        return CustomerSpot(start, end, text[start:end], tuple(matches))
    return _as_argument(idx, text, start, end, matches)


def _as_argument(idx: NameIndex, text: str, start: int, end: int, near: list[NameMatch]) -> CustomerSpot:
    """A company-like run ("Orion Dynamic", "Bramble Labs") read exactly as a tool argument would be,
    so chat and tools agree on it; one that fits no customer is an unknown spot, `near` suggested."""
    r = resolve_in(idx, text[start:end])
    if r.matches:
        return CustomerSpot(start, end, text[start:end], r.matches)
    similar = tuple(NameMatch(m.id, m.name, "similar", None, 80.0) for m in near) or r.suggestions
    return CustomerSpot(start, end, text[start:end], (), similar)


def _glued(text: str, left: _Tok, right: _Tok) -> bool:
    """Only spaces (or '&') between two words: no comma, full stop or dash breaks the name.

    The full stop of an initial or a title does not: "J. Alvarez", "Dr. Reed".
    """
    if text[left.end : right.start] in _WORD_HYPHENS:
        return True  # "Co-op", "Rolls-Royce": a hyphen inside a word is part of the word
    between = text[left.end : right.start].strip(" &")
    return not between or (between == "." and (len(left.word) == 1 or left.word in TITLES))


def _unknown_runs(
    idx: NameIndex, text: str, toks: list[_Tok], chosen: list[tuple[int, int, list[NameMatch]]]
) -> list[CustomerSpot]:
    """Capitalised runs the first pass left: read as an argument ('Iron Oak Capitol' is a slip of Iron
    Oak Capital), else unknown when they share a name word with a customer ('Bramble Labs')."""
    taken = {k for a, b, _m in chosen for k in range(a, b)}
    out: list[CustomerSpot] = []
    k = 0
    while k < len(toks):
        if k in taken or not _run_word(toks[k]):
            k += 1
            continue
        e = k + 1
        while (
            e < len(toks)
            and e not in taken
            and _glued(text, toks[e - 1], toks[e])
            and (
                _run_word(toks[e])
                or (toks[e].word in FILLERS and e + 1 < len(toks) and _run_word(toks[e + 1]))
            )
        ):
            e += 1
        run = toks[k:e]
        named = [t for t in run if t.word not in FILLERS]
        if len(named) >= 2 and not (len(named) == 2 and named[0].first and named[0].word in common_words()):
            start, end = run[0].start, run[-1].end
            shared = {c for t in named for c in idx.customers_with_word(t.word)}
            ranked = sorted(
                shared,
                key=lambda c: (
                    -sum(w in idx.words_of(c) for w in (t.word for t in named)),
                    idx.name_of(c).casefold(),
                ),
            )[:5]
            spot = _as_argument(
                idx, text, start, end, [NameMatch(c, idx.name_of(c), "similar", None, 70.0) for c in ranked]
            )
            if spot.matches or shared:  # a wholly new name ("Met Orchid Florals") is the engine's to offer
                out.append(spot)
        k = e
    return out


def _run_word(t: _Tok) -> bool:
    return (
        t.capital
        and t.word not in STOP
        and not t.word.isdigit()
        and not (t.raw.isupper() and len(t.raw) <= 4)
    )
