"""The one customer resolver: what a user calls a customer, read by the rule of the SPEC.

A write never guesses. A name resolves only when exactly one customer fits it by the strongest
kind of evidence that any customer meets, strongest first:

- ``id``: "#12", "12" or the integer;
- ``exact``: the full name ignoring case, accents, punctuation and legal suffixes
  ("QUILL & INK STATIONERS LIMITED" = "Quill & Ink Stationers Ltd");
- ``contact``: a contact's full name (titles and initials aside: "Tamsin Reed" = "Dr. Tamsin Reed");
- ``partial``: every word given is a word of the name ("quill & ink", "halcyon"), or of a contact's
  name ("Tamsin");
- ``typo``: every word given matches a word of the name within a small edit distance, in any
  order ("Orion Dynamcs", "Thistel Bakery", "lumiere cafe"); short words and numbers must be exact.

A word given that matches no word of a name rules that name out: "Orion Dynamics Health" is not
Orion Dynamics. Two customers fitting at the strongest level met is `AmbiguousCustomer`; none is
`CustomerNotFound` with close names as suggestions. Reads (`find_customers`) may rank fuzzily on
top of this. Names inside free text are found by `tools.spotting.spot_customers` with the same
levels.
"""

from __future__ import annotations

import heapq
import re
import threading
from collections import Counter
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sqlmodel import Session

from store.customer_rows import customer_name
from store.models import Customer
from tools.errors import AmbiguousCustomer, Candidate, CustomerNotFound
from tools.name_index import (
    FILLERS,
    FILTER_MAX,
    TITLES,
    NameIndex,
    core,
    fold,
    has_suffix,
    is_inflection,
    match_words,
    name_index,
    normalize,
    person_key,
    person_words,
)

if TYPE_CHECKING:
    from tools.context import ToolContext

__all__ = [
    "MatchHow",
    "NameMatch",
    "Resolution",
    "core",
    "name_index",
    "normalize",
    "rank_customers",
    "resolve_customer",
    "resolve_customer_match",
    "resolve_match",
    "resolve_name",
    "resolve_in",
]

MatchHow = Literal["id", "exact", "contact", "partial", "typo"]
LEVEL_SCORE: dict[str, float] = {"id": 100.0, "exact": 100.0, "contact": 100.0, "partial": 95.0, "typo": 90.0}
_ID_RE = re.compile(r"#?(\d{1,18})")
SUGGESTIONS = 5
MAX_MATCHES = 50  # customers kept of one ambiguous level (an error lists 8)


@dataclass(frozen=True)
class NameMatch:
    """One customer a name may mean, and the evidence (`how`); `via` names the contact matched."""

    id: int
    name: str
    how: str  # a MatchHow, or "similar" for a suggestion that does not fit
    via: str | None = None
    score: float = 100.0

    def candidate(self) -> Candidate:
        return Candidate(
            self.id, self.name, round(self.score, 1), f"contact {self.via}" if self.via else None
        )


@dataclass(frozen=True)
class Resolution:
    """Every customer fitting `query` at the strongest level met (one = resolved), else suggestions."""

    query: str
    matches: tuple[NameMatch, ...]
    suggestions: tuple[NameMatch, ...] = ()

    @property
    def match(self) -> NameMatch | None:
        return self.matches[0] if len(self.matches) == 1 else None

    @property
    def how(self) -> str | None:
        return self.matches[0].how if self.matches else None


# ---- the levels ---------------------------------------------------------------------------------


def _assign(given: list[str], name: tuple[str, ...], near: dict[str, set[str]] | None) -> int | None:
    """The fewest edits that match each given word to its own word of `name` (None: impossible).

    A word matches an equal word, or (with `near`) a word within a slip of it.
    """
    from rapidfuzz.distance import OSA  # here, not at import: `crm mcp` answers initialize sooner

    pool = Counter(name)
    best: list[int] = []

    def cost(w: str, n: str) -> int | None:
        if w == n:
            return 0
        return OSA.distance(w, n) if near is not None and n in near.get(w, ()) else None

    def place(i: int, spent: int) -> None:
        if best and spent >= best[0]:
            return
        if i == len(given):
            best[:] = [spent]
            return
        for n in list(pool):
            c = cost(given[i], n) if pool[n] else None
            if c is not None:
                pool[n] -= 1
                place(i + 1, spent + c)
                pool[n] += 1

    place(0, 0)
    return best[0] if best else None


def _holding_all(
    lookup: Callable[[str], AbstractSet[int]],
    count: Callable[[str], int],
    words_of: Callable[[int], tuple[str, ...]],
    given: list[str],
    near: dict[str, set[str]] | None,
) -> set[int]:
    """What has, for every given word, that word or (with `near`) a slip of it.

    Rarest word first: once few candidates are left, each is kept if one of its own words is the
    word (or a slip of it), instead of building the set of every name with that word. With
    1,000,000 names of common words ("Blue North Dental 1234") that set holds 50,000.
    """
    groups = []
    for w in set(given):
        like = {w} | (near.get(w, set()) if near else set())
        groups.append((sum(count(x) for x in like), like))
    groups.sort(key=lambda g: g[0])
    ids: set[int] | None = None
    for _size, like in groups:
        if ids is not None and len(ids) <= FILTER_MAX:
            ids = {c for c in ids if not like.isdisjoint(words_of(c))}
        else:
            hit: set[int] = set().union(*(lookup(x) for x in like))
            ids = hit if ids is None else ids & hit
        if not ids:
            return set()
    return ids or set()


def _customers_by_words(idx: NameIndex, given: list[str], near: dict[str, set[str]] | None) -> dict[int, int]:
    """Customers whose name words take every given word, with the edits that took."""
    ids = _holding_all(idx.customers_with_word, idx.customer_word_count, idx.words_of, given, near)
    if near is None and len(set(given)) == len(given):
        return dict.fromkeys(ids or (), 0)  # distinct whole words: every name holding them all fits
    costs = {c: _assign(given, idx.words_of(c), near) for c in ids or ()}
    return {c: k for c, k in costs.items() if k is not None}


def _people_by_words(
    idx: NameIndex, given: list[str], near: dict[str, set[str]] | None
) -> dict[int, tuple[str, int]]:
    """Customers with a contact whose name words take every given word: (contact name, edits)."""
    ids = _holding_all(idx.people_with_word, idx.person_word_count, idx.person_words, given, near)
    out: dict[int, tuple[str, int]] = {}
    simple = near is None and len(set(given)) == len(given)
    for i in sorted(ids or ()):
        cid, pname, words = idx.person(i)
        k = 0 if simple else _assign(given, words, near)
        if k is not None and (cid not in out or k < out[cid][1]):
            out[cid] = (pname, k)
    return out


def words_level(
    idx: NameIndex,
    given: list[str],
    people: list[str] | None = None,
    *,
    typos: bool = True,
    inflections: bool = True,
    suffixed: bool = False,
) -> tuple[str, list[NameMatch]]:
    """The `partial` or `typo` matches of match words ('', [] when none).

    `people` are the same words read as a person's ("Dr. Reed" -> reed); `inflections` says
    whether "dynamic" may be a slip of "dynamics" (in free text "redlined" is not "Redline").
    """
    people = given if people is None else people
    if not any(len(w) >= 2 for w in given) or all(w in FILLERS for w in given):
        return "", []
    if suffixed:  # "Halcyon GmbH": a legal suffix given must be matched by one, never by a person
        people = []
    found = _level_matches(idx, given, people, None, "partial")
    if suffixed:
        found = [m for m in found if idx.suffixed(m.id)]
    if found or not typos:
        return ("partial", found) if found else ("", [])
    near = {
        w: {n for n in idx.near_words(w) if inflections or not is_inflection(w, n)} for w in {*given, *people}
    }
    if not any(near.values()):
        return "", []
    found = _level_matches(idx, given, people, near, "typo")
    if suffixed:
        found = [m for m in found if idx.suffixed(m.id)]
    return ("typo", found) if found else ("", [])


def _level_matches(
    idx: NameIndex, given: list[str], people: list[str], near: dict[str, set[str]] | None, how: str
) -> list[NameMatch]:
    """Every customer fitting at this level as closely as the closest one ("fitting equally")."""
    score = LEVEL_SCORE[how]
    fits: dict[int, tuple[int, str | None]] = {
        c: (k, None) for c, k in _customers_by_words(idx, given, near).items()
    }
    for cid, (pname, k) in _people_by_words(idx, people, near).items() if people else ():
        if cid not in fits or k < fits[cid][0]:
            fits[cid] = (k, pname)
    if not fits:
        return []
    closest = min(k for k, _p in fits.values())
    best = [c for c, (k, _p) in fits.items() if k == closest]
    if len(best) > MAX_MATCHES:  # "Walker" in 3,000 names: ambiguous either way; keep the listing short
        best = heapq.nsmallest(MAX_MATCHES, best)  # the oldest customers; by id, cheap
    found = [NameMatch(c, idx.name_of(c), how, fits[c][1], score) for c in best]
    return sorted(found, key=lambda m: m.name.casefold())


def resolve_in(idx: NameIndex, query: str, near: list[tuple[int, float]] | None = None) -> Resolution:
    """Resolve a name (not an id) against an index: the strongest level any customer meets.

    `near` is `idx.fuzzy(...)` of the query when the caller has it already (a read wants it too).
    """
    key = fold(query)
    words = list(match_words(key))
    if not key:
        return Resolution(query, ())
    exact = idx.customers_with_key(" ".join(words), said=key)
    if exact:
        return Resolution(query, tuple(NameMatch(c, idx.name_of(c), "exact") for c in exact))
    people = idx.people_with_key(person_key(query))
    if people:
        return Resolution(query, tuple(NameMatch(c, idx.name_of(c), "contact", p) for c, p in people.items()))
    _how, found = words_level(idx, words, list(person_words(query)), suffixed=has_suffix(key))
    found = [m for m in found if not m.via or initials_fit(key, m.via)]
    if found:
        return Resolution(query, tuple(found))
    return Resolution(query, (), tuple(suggest(idx, query, near=near)))


def initials_fit(said: str, person: str) -> bool:
    """An initial given ("K. Alvarez") must start a word of the person's name ("J. Alvarez" is not K.)."""
    letters = {w[0] for w in fold(person).split() if w not in TITLES}
    return all(w in letters for w in said.split() if len(w) == 1 and w.isalpha())


def suggest(
    idx: NameIndex, query: str, limit: int = SUGGESTIONS, near: list[tuple[int, float]] | None = None
) -> list[NameMatch]:
    """Close names for a name that fits no customer: word prefixes first, then similar spellings.

    Only names that are really close are offered: most of the words given must be near a word of
    the name, so "brightline" never suggests "Oceanic Airlines".
    """
    words = match_words(fold(query))
    if not words:
        return []
    scored: dict[int, float] = {}
    for cid in idx.with_prefixes(words):
        scored[cid] = 92.0
    for cid, _score in idx.fuzzy(query, limit=20) if near is None else near:
        best = _word_closeness(words, idx.words_of(cid))
        close = sum(b >= 80 for b in best)
        mean = sum(best) / len(best)
        if mean >= 75 or 2 * close >= len(best):
            scored[cid] = max(scored.get(cid, 0.0), min(mean, 91.0))
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1], idx.name_of(kv[0]).casefold()))[:limit]
    return [NameMatch(cid, idx.name_of(cid), "similar", None, round(score, 1)) for cid, score in ranked]


def _word_closeness(given: tuple[str, ...], name: tuple[str, ...]) -> list[float]:
    """How near each given word is to its closest word of the name, 0-100 (a prefix counts as 100)."""
    from rapidfuzz import fuzz  # here, not at import: `crm mcp` answers initialize sooner

    return [max((fuzz.ratio(w, n) if not n.startswith(w) else 100.0) for n in name) for w in given]


# ---- entry points ----------------------------------------------------------------------------------


def resolve_name(session: Session, ref: int | str) -> Resolution:
    """What `ref` (an id, "#id" or a name) means, by the strongest evidence any customer meets."""
    query = str(ref).strip()
    if isinstance(ref, bool):  # JSON true is not customer #1
        return Resolution(query, ())
    m = _ID_RE.fullmatch(query)
    if isinstance(ref, int) or m:
        cid = int(m.group(1)) if m else int(ref)
        name = customer_name(session, customer_id=cid)
        if name is not None:
            return Resolution(query, (NameMatch(cid, name, "id"),))
        return Resolution(query, ())
    return resolve_in(name_index(session), query)


def resolve_customer_match(session: Session, ref: int | str) -> tuple[Customer, NameMatch]:
    """The one customer `ref` means and how it was matched; raises AmbiguousCustomer / CustomerNotFound."""
    r = resolve_name(session, ref)
    if r.match is not None:
        customer = session.get(Customer, r.match.id)
        if customer is not None:
            return customer, r.match
    raise _unresolved(ref, r)


def resolve_match(session: Session, ref: int | str) -> tuple[NameMatch, str]:
    """`resolve_customer_match` without loading the customer: the match and the customer's name.

    For writes that only need the customer's id and name (logging a note): no ORM load. Raises
    AmbiguousCustomer / CustomerNotFound exactly as `resolve_customer_match`.
    """
    r = resolve_name(session, ref)
    if r.match is not None:
        # An id was just read; a name came from the index, which is current in this transaction
        # (every customer insert, delete and rename bumps the names version it is checked against).
        return r.match, r.match.name
    raise _unresolved(ref, r)


def _unresolved(ref: int | str, r: Resolution) -> AmbiguousCustomer | CustomerNotFound:
    query = _quoted(str(ref).strip())
    if len(r.matches) > 1:
        return AmbiguousCustomer(query, [m.candidate() for m in r.matches[:8]])
    return CustomerNotFound(query, [m.candidate() for m in r.suggestions])


def resolve_customer(session: Session, ref: int | str) -> Customer:
    """The one customer `ref` (id or name) means; raises AmbiguousCustomer / CustomerNotFound."""
    return resolve_customer_match(session, ref)[0]


def _quoted(query: str, limit: int = 80) -> str:
    """At most `limit` characters of what the user said, for an error message."""
    return query if len(query) <= limit else query[: limit - 1] + "…"


def rank_customers(
    idx: NameIndex, query: str, near: list[tuple[int, float]] | None = None
) -> tuple[list[Candidate], bool]:
    """Candidates for a read, best first, and whether the best one is what a write would resolve to."""
    r = resolve_in(idx, query, near)
    if r.matches:
        return [m.candidate() for m in r.matches], r.match is not None
    return [m.candidate() for m in r.suggestions], False


def build_in_background(ctx: ToolContext) -> threading.Event:
    """Build the name index of `ctx`'s database in a daemon thread; the event is set when it is done.

    A server calls this as it starts, so a client's first lookup does not wait for the build (2 s at
    100,000 customers, ~20 s at 1,000,000 without a saved index). A lookup arriving sooner waits for
    this build instead of making its own (tools/name_index.py `_IndexCache`); a store fault is left for
    that lookup to meet and report.
    """
    done = threading.Event()

    def build() -> None:
        try:
            with ctx.read() as session:
                name_index(session)
        except Exception:  # the first lookup meets the same fault and reports it
            pass
        finally:
            done.set()

    threading.Thread(target=build, name="crm-names-warm", daemon=True).start()
    return done
