"""The in-memory index of customer and contact names that the resolver (`tools.names`) reads.

Names are folded once (case, accents, punctuation, '&' = 'and', trailing legal suffixes dropped)
into *match words*; the index maps whole words to customers and contacts, and keeps the distinct
words bucketed by first letter so that a typo is looked up among a few thousand words, not among
every name. Only `tools.names` and `tools.spotting` use it; nothing else decides what a name means.
"""

from __future__ import annotations

import bisect
import gc
import re
import sys
import threading
import unicodedata
from array import array
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from sqlmodel import Session

from store.customer_rows import contact_names, customer_names_and_keys
from store.queries import names_version

LEGAL_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "ltd",
        "limited",
        "llc",
        "llp",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "aps",
        "spa",
        "srl",
        "pty",
        "kg",
        "kgaa",
    ]
)
# Words that join a name without telling names apart: "The Thistle Bakery" = "Thistle Bakery".
FILLERS = frozenset({"the", "and", "of"})
# What stands before a person's name without being part of it: "Dr. Tamsin Reed" is Tamsin.
TITLES = frozenset(["dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "dame", "rev", "hon"])
SUGGEST_SCORE = 55.0  # the weakest fuzzy score worth showing as "did you mean"
POOL_CAP = 600  # names scored by a fuzzy read (WRatio costs ~1 µs a name; a full scan of 100,000 ~150 ms)
_TYPO_CACHE_MAX = 10_000


_WORD_RE = re.compile(r"[a-z0-9]+")


def normalize(name: str) -> str:
    """Case- and accent-folded words: 'Café Müller & Söhne GmbH' -> 'cafe muller and sohne gmbh'."""
    if name.isascii():  # most names: no accents to strip (a bulk import normalizes 100,000 of them)
        plain = name.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", name)
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = plain.replace("&", " and ").replace("ß", "ss")
    return " ".join(_WORD_RE.findall(plain))


_APOSTROPHE_RE = re.compile(r"(?<=\w)['\u2019](?=\w)")
_DOTTED_RE = re.compile(r"\b(?:[^\W\d_]\.){2,}")


# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
    }
)


def fold(name: str) -> str:
    """`normalize` for matching: "O'Brien's" is one word, "G.m.b.H." is "gmbh", "Bjørnstad" is "bjornstad"."""
    if not name.isascii():
        name = name.translate(_LETTERS)
    if "." not in name and "'" not in name and "\u2019" not in name:
        return normalize(name)  # most names; a bulk build folds 100,000 of them
    name = _DOTTED_RE.sub(lambda m: m.group().replace(".", "") + " ", name)
    return normalize(_APOSTROPHE_RE.sub("", name))


def core(key: str) -> str:
    """A normalized name without trailing legal suffixes: 'acme corp' -> 'acme'."""
    words = key.split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


_SUFFIX_SYNONYMS = {"limited": "ltd", "incorporated": "inc", "corporation": "corp", "company": "co"}


def full_key(key: str) -> str:
    """A normalized name with its legal suffix spelled one way: 'acme limited' -> 'acme ltd'."""
    return " ".join(_SUFFIX_SYNONYMS.get(w, w) for w in key.split() if w not in FILLERS)


def match_words(key: str) -> tuple[str, ...]:
    """The words of a normalized name that identify it: trailing legal suffixes and fillers dropped.

    Only a trailing suffix goes: "spa", "as", "co" inside a name are words of it ("Orion AS Dynamics"
    is not Orion Dynamics).
    """
    words = core(key).split()
    kept = tuple(w for w in words if w not in FILLERS)
    return kept or tuple(words)


def has_suffix(key: str) -> bool:
    """Whether a normalized name ends in a legal suffix ('halcyon gmbh')."""
    words = key.split()
    return len(words) > 1 and words[-1] in LEGAL_SUFFIXES


def person_key(name: str, words: list[str] | None = None) -> str:
    """A contact's full name without titles: 'Dr. Tamsin Reed' -> 'tamsin reed' ('J. Alvarez' keeps its J)."""
    words = fold(name).split() if words is None else words
    return " ".join([w for w in words if w not in TITLES] or words)


def person_words(name: str, words: list[str] | None = None) -> tuple[str, ...]:
    """A contact's name words without titles and initials: 'Dr. J. Tamsin Reed' -> ('tamsin', 'reed')."""
    words = fold(name).split() if words is None else words
    kept = tuple(w for w in words if w not in TITLES and not (len(w) == 1 and w.isalpha()))
    return kept or tuple(words)


@cache
def common_words() -> frozenset[str]:
    """Everyday English words: written alone in lower case they are words, not names."""
    raw = resources.files("tools").joinpath("common_words.txt").read_text(encoding="utf-8")
    return frozenset(line for line in raw.split() if line and not line.startswith("#"))


def typo_budget(a: str, b: str) -> int:
    """How many edits still count as a slip between two words: none for short words or numbers."""
    n = min(len(a), len(b))
    if n < 5 or any(ch.isdigit() for ch in a + b):
        return 0  # "Studio55" is not a slip of "Studio54": a number is said exactly
    return 1 if n < 9 else 2


_INFLECTIONS = ("s", "es", "d", "ed", "ing", "er", "ers", "ly")


def is_inflection(a: str, b: str) -> bool:
    """'redlined' is a form of 'redline', not a slip of it."""
    longer, shorter = (a, b) if len(a) >= len(b) else (b, a)
    return longer.startswith(shorter) and longer[len(shorter) :] in _INFLECTIONS


class _Words:
    """Many short word tuples in two flat int arrays (vocabulary ids), by position: a tuple per name
    costs ~100 bytes at 2.4 million names (1,000,000 customers and their contacts)."""

    __slots__ = ("_at", "_end")

    def __init__(self) -> None:
        self._at = array("i")  # the words of every name, one after the other
        self._end = array("i")  # where each name's words end in _at

    def append(self, ids: list[int]) -> None:
        self._at.extend(ids)
        self._end.append(len(self._at))

    def ids(self, pos: int) -> array[int]:
        return self._at[self._end[pos - 1] if pos else 0 : self._end[pos]]


@dataclass
class NameIndex:
    """Customer and contact names by exact key, by whole word, and distinct words for typos.

    Names are kept by position (the order they were added) in flat lists and arrays rather than an
    object per name: at 1,000,000 customers and 1.4 million contacts that is the difference between
    ~1.2 GB and well under 1 GB for the MCP server. Customers are found by id through a bisection of
    their ids (added in id order, as `build` does), or a dict when they were added in another order.
    """

    _ids: array[int] = field(default_factory=lambda: array("q"))  # customer id by position
    _names: list[str] = field(default_factory=list)
    _words: _Words = field(default_factory=_Words, repr=False)
    _suffixed: bytearray = field(default_factory=bytearray, repr=False)  # ends in a legal suffix
    _pos: dict[int, int] | None = field(default=None, repr=False)  # id -> position, when not in id order
    _vocab: list[str] = field(default_factory=list, repr=False)  # word id -> word (interned)
    _vocab_ids: dict[str, int] = field(default_factory=dict, repr=False)
    _by_key: dict[str, int | list[int]] = field(default_factory=dict)  # " ".join(match words) -> id(s)
    _by_word: dict[str, array[int]] = field(default_factory=dict)  # word -> customer ids (the postings)
    _p_customer: array[int] = field(default_factory=lambda: array("q"))  # a person's customer id
    _p_names: list[str] = field(default_factory=list)
    _p_words: _Words = field(default_factory=_Words, repr=False)
    _people_by_key: dict[str, int | list[int]] = field(default_factory=dict)  # -> person position(s)
    _people_by_word: dict[str, array[int]] = field(default_factory=dict)  # word -> person positions
    _sets: _SetCache = field(default_factory=lambda: _SetCache(), repr=False)
    _buckets: dict[str, set[str]] = field(default_factory=dict)  # first letter -> distinct words
    _bucket_lists: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _typos: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _sorted: list[str] | None = field(default=None, repr=False)  # customer name words, for prefixes
    version: object = None

    @classmethod
    def build(cls, session: Session, version: object = None) -> NameIndex:
        """The index of every customer and contact name (about a second at 100,000 customers)."""
        idx = cls(version=version)
        # Millions of small containers are made and none is garbage: the collector's passes over the
        # growing heap were a third of the build at 1,000,000 customers.
        collecting = gc.isenabled()
        gc.disable()
        try:
            for cid, name, key in customer_names_and_keys(session):
                idx.add_customer(cid, name, key)
            for cid, name in contact_names(session):
                idx.add_contact(cid, name)
        finally:
            if collecting:
                gc.enable()
        return idx

    # ---- building --------------------------------------------------------------------------------

    def add_customer(self, cid: int, name: str, stored_key: str | None = None) -> None:
        """Index a customer; `stored_key` is its stored normalize(name), reused where it equals fold(name)."""
        plain = name.isascii() and "." not in name and "'" not in name
        key = stored_key if stored_key is not None and plain else fold(name)
        words = tuple(map(sys.intern, match_words(key)))
        pos = len(self._names)
        if self._pos is None and self._ids and cid <= self._ids[-1]:  # out of id order: look up by dict
            self._pos = {c: i for i, c in enumerate(self._ids)}
        if self._pos is not None:
            self._pos[cid] = pos
        self._ids.append(cid)
        self._names.append(name)
        self._words.append(self._word_ids(words))
        self._suffixed.append(has_suffix(key))
        _add(self._by_key, " ".join(words), cid)
        self._add_words(self._by_word, words, cid)

    def add_contact(self, cid: int, name: str) -> None:
        folded = fold(name).split()
        if not folded:
            return
        if any(len(w) == 1 or w in TITLES for w in folded):
            words, key = person_words(name, folded), person_key(name, folded)
        else:  # most names: no title, no initial
            words, key = tuple(folded), " ".join(folded)
        words = tuple(map(sys.intern, words))
        i = len(self._p_names)
        self._p_customer.append(cid)
        self._p_names.append(name)
        self._p_words.append(self._word_ids(words))
        _add(self._people_by_key, key, i)
        self._add_words(self._people_by_word, words, i)

    def _word_ids(self, words: tuple[str, ...]) -> list[int]:
        ids = []
        for w in words:
            i = self._vocab_ids.get(w)
            if i is None:
                i = self._vocab_ids[w] = len(self._vocab)
                self._vocab.append(w)
            ids.append(i)
        return ids

    def _position(self, cid: int) -> int:
        """Where customer `cid` is kept; KeyError when it is not in the index."""
        if self._pos is not None:
            return self._pos[cid]
        ids = self._ids
        if ids:  # ids without gaps (no customer removed): the id gives the position
            i = cid - ids[0]
            if 0 <= i < len(ids) and ids[i] == cid:
                return i
        i = bisect.bisect_left(ids, cid)
        if i == len(ids) or ids[i] != cid:
            raise KeyError(cid)
        return i

    def _positions(self) -> Iterator[tuple[int, int]]:
        """(customer id, position) of every customer, in the order added (a re-added id: its latest)."""
        if self._pos is None:
            yield from ((cid, i) for i, cid in enumerate(self._ids))
        else:
            yield from self._pos.items()

    def _add_words(self, by_word: dict[str, array[int]], words: tuple[str, ...], value: int) -> None:
        for word in words:
            ids = by_word.get(word)
            if ids is None:
                by_word[word] = array("q", (value,))
                self._bucket(word)
            elif ids[-1] != value:  # a word twice in one name is one posting
                ids.append(value)
            self._sets.forget(by_word, word)

    def _bucket(self, word: str) -> None:
        if len(word) < 5 or any(ch.isdigit() for ch in word):
            return  # no slip is read in a short word or a number (see typo_budget)
        bucket = self._buckets.get(word[0])
        if bucket is None:
            bucket = self._buckets[word[0]] = set()
        if word not in bucket:
            bucket.add(word)
            if self._bucket_lists:
                self._bucket_lists.pop(word[0], None)
            if self._typos:
                self._typos.clear()

    # ---- reading -----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._ids) if self._pos is None else len(self._pos)

    def name_of(self, cid: int) -> str:
        return self._names[self._position(cid)]

    def suffixed(self, cid: int) -> bool:
        return bool(self._suffixed[self._position(cid)])

    def words_of(self, cid: int) -> tuple[str, ...]:
        return tuple(map(self._vocab.__getitem__, self._words.ids(self._position(cid))))

    def has_word(self, word: str) -> bool:
        """Whether `word` is a whole word of some customer's or contact's name."""
        return word in self._by_word or word in self._people_by_word

    def _posting(self, by_word: dict[str, array[int]], word: str) -> frozenset[int]:
        found = by_word.get(word)
        return _EMPTY if found is None else self._sets.get(by_word, word, found)

    def customers_with_key(self, key: str, said: str | None = None) -> list[int]:
        """Customers whose match words are `key`; of several, those with the suffix `said` has
        ("Acme Corp" beside "Acme Inc"), when any has it."""
        found = self._by_key.get(key, [])
        ids = [found] if isinstance(found, int) else found
        if len(ids) > 1 and said is not None:
            same = full_key(said)
            ids = [c for c in ids if full_key(fold(self.name_of(c))) == same] or ids
        return ids

    def customers_with_word(self, word: str) -> frozenset[int]:
        return self._posting(self._by_word, word)

    def people_with_key(self, key: str) -> dict[int, str]:
        """Customer id -> the name of its contact whose full name is `key` (the first, if two)."""
        found = self._people_by_key.get(key, [])
        out: dict[int, str] = {}
        for i in [found] if isinstance(found, int) else found:
            out.setdefault(self._p_customer[i], self._p_names[i])
        return out

    def people_with_word(self, word: str) -> frozenset[int]:
        return self._posting(self._people_by_word, word)

    def customer_word_count(self, word: str) -> int:
        """How many customers have `word` in their name."""
        return len(self._by_word.get(word, ()))

    def person_word_count(self, word: str) -> int:
        """How many contacts have `word` in their name."""
        return len(self._people_by_word.get(word, ()))

    def person_words(self, i: int) -> tuple[str, ...]:
        return tuple(map(self._vocab.__getitem__, self._p_words.ids(i)))

    def person(self, i: int) -> tuple[int, str, tuple[str, ...]]:
        return self._p_customer[i], self._p_names[i], self.person_words(i)

    def near_words(self, word: str) -> tuple[str, ...]:
        """Name words within a slip of `word` (same first letter; not the word itself)."""
        found = self._typos.get(word)
        if found is not None:
            return found
        found = ()
        if len(word) >= 5 and not word.isdigit():
            bucket = self._bucket_lists.get(word[0])
            if bucket is None and word[0] in self._buckets:
                bucket = self._bucket_lists[word[0]] = sorted(self._buckets[word[0]])
            if bucket:
                limit = 2 if len(word) >= 9 else 1
                from rapidfuzz import process  # here, not at import: `crm mcp` answers initialize sooner
                from rapidfuzz.distance import OSA

                hits = process.extract(word, bucket, scorer=OSA.distance, score_cutoff=limit, limit=None)
                found = tuple(w for w, dist, _i in hits if w != word and dist <= typo_budget(word, w))
        if len(self._typos) >= _TYPO_CACHE_MAX:  # bounded: a long-running server sees many words
            self._typos.clear()
        self._typos[word] = found
        return found

    def fuzzy(self, query: str, limit: int = 8) -> list[tuple[int, float]]:
        """Customers ranked by similarity of their whole names to what was typed (reads, suggestions)."""
        from rapidfuzz import fuzz, process  # here, not at import: `crm mcp` answers initialize sooner

        query_core = " ".join(match_words(fold(query)))
        hits = process.extract(
            query_core,
            self._fuzzy_pool(query_core),
            scorer=fuzz.WRatio,
            processor=None,
            limit=limit,
            score_cutoff=SUGGEST_SCORE,
        )
        return [(cid, score) for _name, score, cid in hits]

    def _fuzzy_pool(self, query_core: str) -> dict[int, str]:
        """At most POOL_CAP names worth scoring: those sharing the query's rarest words.

        Each query word brings the names holding it, a slip of it or a word it starts. The rarest
        groups are taken whole while they fit; when even the rarest is too big (every word is a
        common one, "blue north dental"), the groups are intersected instead, rarest first. So a
        distinctive word ("1234", "halcyon") decides the pool at once, whatever the other words.
        """
        if len(self) <= POOL_CAP:
            return {cid: self._core(pos) for cid, pos in self._positions()}
        groups = []
        for word in dict.fromkeys(query_core.split()):
            like = {word, *self.near_words(word), *self._prefixed(word)}
            held = {w for w in like if w in self._by_word}
            if held:
                groups.append(_Group(self, held))
        if not groups:
            return {}
        groups.sort(key=len)
        pool: set[int] = set(groups[0].ids())
        if len(pool) <= POOL_CAP:
            for g in groups[1:]:
                if len(pool) + len(g) > POOL_CAP:
                    break
                pool |= g.ids()
        else:
            for g in groups[1:]:
                narrower = g.narrow(pool)
                if narrower:
                    pool = narrower
                if len(pool) <= POOL_CAP:
                    break
        if len(pool) > POOL_CAP:  # still too many: keep those holding the query's very words
            for word in sorted(query_core.split(), key=self.customer_word_count):
                narrower = _Group(self, {word}).narrow(pool) if word in self._by_word else set()
                if narrower:
                    pool = narrower
                if len(pool) <= POOL_CAP:
                    break
        chosen = sorted(pool)[:POOL_CAP] if len(pool) > POOL_CAP else pool
        return {cid: self._core(self._position(cid)) for cid in chosen}

    def _core(self, pos: int) -> str:
        return " ".join(map(self._vocab.__getitem__, self._words.ids(pos)))

    def _prefixed(self, word: str, cap: int = 200) -> list[str]:
        """Customer name words starting with `word` (3+ letters), from a sorted list made on first use."""
        if len(word) < 3:
            return []
        if self._sorted is None or len(self._sorted) != len(self._by_word):
            self._sorted = sorted(self._by_word)
        i = bisect.bisect_left(self._sorted, word)
        out: list[str] = []
        while i < len(self._sorted) and self._sorted[i].startswith(word) and len(out) < cap:
            out.append(self._sorted[i])
            i += 1
        return out

    def with_prefixes(self, words: tuple[str, ...]) -> set[int]:
        """Customers having, for every given word, a name word that starts with it ('brightline med')."""
        groups = [
            _Group(self, {w for w in self._prefixed(word) or [word] if w in self._by_word}) for word in words
        ]
        out: set[int] | None = None
        for g in sorted(groups, key=len):  # the rarest first: the others only narrow what it found
            out = set(g.ids()) if out is None else g.narrow(out)
            if not out:
                return set()
        return out or set()


FILTER_MAX = 500  # candidates few enough to check by their own words rather than build a word's set


class _Group:
    """The customers holding any of some words (a query word, its slips, the words it starts).

    Its size is known without building the set when one word holds them all; narrowing a few
    candidates by it checks their own words instead of building it (at 1,000,000 names of common
    words a word's set holds 50,000).
    """

    __slots__ = ("_ids", "_index", "_size", "words")

    def __init__(self, index: NameIndex, words: set[str]) -> None:
        self._index = index
        self.words = words
        self._ids: AbstractSet[int] | None = None
        if len(words) == 1:
            self._size = index.customer_word_count(next(iter(words)))
        else:
            self._size = len(self.ids())

    def __len__(self) -> int:
        return self._size

    def ids(self) -> AbstractSet[int]:
        if self._ids is None:
            found = [self._index.customers_with_word(w) for w in self.words]
            self._ids = found[0] if len(found) == 1 else set().union(*found)
        return self._ids

    def narrow(self, pool: set[int]) -> set[int]:
        """The customers of `pool` in this group."""
        if len(pool) <= FILTER_MAX:
            return {c for c in pool if not self.words.isdisjoint(self._index.words_of(c))}
        return pool & self.ids()


_EMPTY: frozenset[int] = frozenset()
SET_CACHE_MEMBERS = 2_000_000  # ids held as sets for the words read lately (~70 MB at most)


class _SetCache:
    """Postings as sets for the words read lately, the least recently read dropped first.

    The postings are kept as arrays of ids (8 bytes each, against ~30 in a set of ints: 300 MB at
    1,000,000 customers); a lookup turns one into a frozenset (C speed, ~1 ms per 50,000 ids) and
    keeps it while the sets held stay under SET_CACHE_MEMBERS ids, so the common words a server is
    asked about again cost a dict lookup, as before.
    """

    def __init__(self) -> None:
        self._held: dict[tuple[int, str], frozenset[int]] = {}
        self._members = 0
        self._lock = threading.Lock()

    def get(self, by_word: dict[str, array[int]], word: str, ids: array[int]) -> frozenset[int]:
        key = (id(by_word), word)
        with self._lock:
            found = self._held.pop(key, None)
            if found is not None:
                self._held[key] = found  # now the most recent
                return found
        found = frozenset(ids)
        with self._lock:
            if key not in self._held:
                self._held[key] = found
                self._members += len(found)
            while self._members > SET_CACHE_MEMBERS and len(self._held) > 1:
                oldest = next(iter(self._held))
                self._members -= len(self._held.pop(oldest))
        return found

    def forget(self, by_word: dict[str, array[int]], word: str) -> None:
        if self._held:
            with self._lock:
                dropped = self._held.pop((id(by_word), word), None)
                if dropped is not None:
                    self._members -= len(dropped)


def _add(index: dict[str, int | list[int]], key: str, value: int) -> None:
    """Add `value` under `key`; a lone value is kept bare (a list per name costs 100,000 lists)."""
    found = index.get(key)
    if found is None:
        index[key] = value
    elif isinstance(found, int):
        index[key] = [found, value]
    else:
        found.append(value)


class _IndexCache:
    """One NameIndex per database, reused until a customer or contact name changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_url: dict[str, NameIndex] = {}

    def get(self, session: Session, url: str) -> NameIndex:
        version = names_version(session)
        with self._lock:
            idx = self._by_url.get(url)
            if idx is not None and version is not None and idx.version == version:
                return idx
        idx = NameIndex.build(session, version)
        with self._lock:
            self._by_url[url] = idx
        return idx


INDEX_CACHE = _IndexCache()


def name_index(session: Session) -> NameIndex:
    """The name index of the session's database, rebuilt only when a name changed."""
    return INDEX_CACHE.get(session, str(session.get_bind().engine.url))
