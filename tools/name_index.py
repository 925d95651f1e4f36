"""The in-memory index of customer and contact names that the resolver (`tools.names`) reads.

Names are folded once (case, accents, punctuation, '&' = 'and', trailing legal suffixes dropped)
into *match words*; the index maps whole words to customers and contacts, and keeps the distinct
words bucketed by first letter so that a typo is looked up among a few thousand words, not among
every name. Only `tools.names` and `tools.spotting` use it; nothing else decides what a name means.
"""

from __future__ import annotations

import bisect
import copy
import gc
import hashlib
import itertools
import marshal
import re
import sys
import threading
import time
import unicodedata
import weakref
from array import array
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import Session

from store import name_snapshot
from store.customer_rows import contact_names, customer_names_and_keys
from store.name_changes import (
    changes_between,
    contact_names_by_id,
    customer_names_by_id,
    names_state,
    shared_safely,
    stamp_version,
)

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
REFRESH_MAX_ROWS = 20_000  # name changes applied in place at most; more: a new build is about as quick


_T = TypeVar("_T")
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
    costs ~100 bytes at 2.4 million names (1,000,000 customers and their contacts).

    A name changed or added by a refresh appends its words to `_at` and is kept in `_over`
    (position -> its slice of `_at`), so `_end` is never written once shared and `_at` only appended
    to: the indexes of successive versions share both, each with its own `_over`, which `folded`
    writes into new arrays.
    """

    __slots__ = ("_at", "_end", "_over")

    def __init__(self) -> None:
        self._at = array("i")  # the words of every name, one after the other
        self._end = array("i")  # where each name's words end in _at
        self._over: dict[int, tuple[int, int]] = {}  # position -> (start, end) in _at, set after sharing

    def append(self, ids: list[int]) -> None:
        """The next position's words (a build only)."""
        self._at.extend(ids)
        self._end.append(len(self._at))

    def put(self, pos: int, ids: list[int]) -> None:
        """New words for position `pos` (a refresh: one kept before, or the next)."""
        start = len(self._at)
        self._at.extend(ids)
        self._over[pos] = (start, len(self._at))

    def ids(self, pos: int) -> array[int]:
        if self._over:
            found = self._over.get(pos)
            if found is not None:
                return self._at[found[0] : found[1]]
        return self._at[self._end[pos - 1] if pos else 0 : self._end[pos]]

    def _len(self, pos: int) -> int:
        return self._end[pos] - (self._end[pos - 1] if pos else 0)

    def sharing(self) -> _Words:
        """A copy sharing the arrays, with its own `_over`."""
        out = _Words()
        out._at, out._end, out._over = self._at, self._end, dict(self._over)
        return out

    def appended(self) -> int:
        """Word ids appended to `_at` past the base's (by this index's refreshes and their siblings)."""
        return len(self._at) - (self._end[-1] if self._end else 0)

    def folded(self) -> _Words:
        """The same words in arrays of its own: positions added appended, names changed written in
        place; a changed name with another number of words stays in `_over` (rare: a rename) while
        there are few such, else every position is laid out anew (a loop over all: ~1 s at 2.4 million)."""
        if not self._over:
            return self.sharing()
        if sum(
            1 for pos, (a, b) in self._over.items() if pos < len(self._end) and b - a != self._len(pos)
        ) > (FOLD_AT // 4):
            out = _Words()
            for pos in range(len(self._end) + sum(1 for pos in self._over if pos >= len(self._end))):
                out.append(list(self.ids(pos)))
            return out
        n = len(self._end)
        at, end = self._at[: self._end[n - 1] if n else 0], self._end[:]
        changed = sorted(self._over.items())
        for pos, (start, stop) in changed:
            if pos >= n:  # added: positions n, n+1, ... in turn
                at.extend(self._at[start:stop])
                end.append(len(at))
        rest: dict[int, tuple[int, int]] = {}
        for pos, (start, stop) in changed:
            if pos < n:
                lo, hi = end[pos - 1] if pos else 0, end[pos]
                if hi - lo == stop - start:
                    at[lo:hi] = self._at[start:stop]
                else:
                    rest[pos] = (start, stop)
        out = _Words()
        for pos, (start, stop) in rest.items():
            lo = len(at)
            at.extend(self._at[start:stop])
            out._over[pos] = (lo, len(at))
        out._at, out._end = at, end
        return out


_Key = int | list[int]  # the id(s) under a key: a lone id is kept bare (a list per name costs 100,000)


@dataclass
class NameIndex:
    """Customer and contact names by exact key, by whole word, and distinct words for typos.

    Names are kept by position (the order they were added) in flat lists and arrays rather than an
    object per name: at 1,000,000 customers and 1.4 million contacts that is the difference between
    ~1.2 GB and well under 1 GB for the MCP server. Customers are found by id through a bisection of
    their ids (added in id order, as `build` does), or a dict when they were added in another order;
    contacts likewise by their contact id, which is how the lookups name a contact ("person").

    `refreshed` makes the index of a later names version from this one and the changed rows only,
    in time proportional to the change: the new index shares this one's containers (its *base*,
    never written once shared) and copies only the small *overlay* of what changed since the base
    was made (`*_over`: key -> new value, None for removed; position -> new value; a name added
    takes the next position after the base's, its id in `_pos_over`). Readers look in the overlay first.
    Once the overlay is large, `folded` makes an equal index with the overlay written into new
    bases (the cache does that in the background). An index handed out is never changed (other
    threads read it). Postings and key lists stay sorted by id, so it answers exactly like a new build.
    """

    _ids: array[int] = field(default_factory=lambda: array("q"))  # customer id by position
    _names: list[str] = field(default_factory=list)
    _words: _Words = field(default_factory=_Words, repr=False)
    _suffixed: bytearray = field(default_factory=bytearray, repr=False)  # ends in a legal suffix
    _pos: dict[int, int] | None = field(default=None, repr=False)  # id -> position, when not in id order
    _gone: set[int] = field(default_factory=set, repr=False)  # positions of customers removed since
    _vocab: list[str] = field(default_factory=list, repr=False)  # word id -> word (interned)
    _vocab_ids: dict[str, int] = field(default_factory=dict, repr=False)
    _by_key: dict[str, _Key] = field(default_factory=dict)  # " ".join(match words) -> id(s)
    _by_word: dict[str, array[int]] = field(default_factory=dict)  # word -> customer ids (the postings)
    _p_ids: array[int] = field(default_factory=lambda: array("q"), repr=False)  # contact id by position
    _p_pos: dict[int, int] | None = field(default=None, repr=False)  # contact id -> position, out of order
    _p_gone: set[int] = field(default_factory=set, repr=False)
    _p_customer: array[int] = field(default_factory=lambda: array("q"))  # a person's customer id
    _p_names: list[str] = field(default_factory=list)
    _p_words: _Words = field(default_factory=_Words, repr=False)
    _people_by_key: dict[str, _Key] = field(default_factory=dict)  # -> contact id(s)
    _people_by_word: dict[str, array[int]] = field(default_factory=dict)  # word -> contact ids
    # The overlay: what changed since the containers above were shared (see the class docstring).
    _names_over: dict[int, str] = field(default_factory=dict, repr=False)
    _suffixed_over: dict[int, int] = field(default_factory=dict, repr=False)
    _pos_over: dict[int, int] = field(default_factory=dict, repr=False)  # id -> position, added since
    _by_key_over: dict[str, _Key | None] = field(default_factory=dict, repr=False)
    _by_word_over: dict[str, array[int] | None] = field(default_factory=dict, repr=False)
    _p_pos_over: dict[int, int] = field(default_factory=dict, repr=False)
    _p_customer_over: dict[int, int] = field(default_factory=dict, repr=False)
    _p_names_over: dict[int, str] = field(default_factory=dict, repr=False)
    _people_by_key_over: dict[str, _Key | None] = field(default_factory=dict, repr=False)
    _people_by_word_over: dict[str, array[int] | None] = field(default_factory=dict, repr=False)
    _sets: _SetCache = field(default_factory=lambda: _SetCache(), repr=False)
    _buckets: dict[str, set[str]] = field(default_factory=dict)  # first letter -> distinct words
    _bucket_lists: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _typos: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _sorted: list[str] | None = field(default=None, repr=False)  # _by_word's words, for prefixes
    _sorted_over: list[str] | None = field(default=None, repr=False)  # _by_word_over's words, sorted
    # While a refresh runs: the containers it made itself (id -> object), which it may change in
    # place; every other one may be shared with the index it started from and is copied first.
    _owned: dict[int, object] | None = field(default=None, repr=False)
    version: object = None
    stamp: int | None = None  # the stamp of its version's change rows (store/name_changes.py)

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
            for kid, cid, name in contact_names(session):
                idx.add_contact(cid, name, kid)
        finally:
            if collecting:
                gc.enable()
        return idx

    # ---- building (an index nobody reads yet: no overlay) ------------------------------------------

    def add_customer(self, cid: int, name: str, stored_key: str | None = None) -> None:
        """Index a customer; `stored_key` is its stored normalize(name), reused where it equals fold(name)."""
        words, key = _customer_words(name, stored_key)
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

    def add_contact(self, cid: int, name: str, contact_id: int | None = None) -> None:
        """Index a contact of customer `cid`; `contact_id` names it (by default: the next number)."""
        found = _contact_words(name)
        if found is None:
            return
        words, key = found
        if contact_id is None:
            contact_id = self._p_ids[-1] + 1 if self._p_ids else 0
        i = len(self._p_names)
        if self._p_pos is None and self._p_ids and contact_id <= self._p_ids[-1]:
            self._p_pos = {c: p for p, c in enumerate(self._p_ids)}
        if self._p_pos is not None:
            self._p_pos[contact_id] = i
        self._p_ids.append(contact_id)
        self._p_customer.append(cid)
        self._p_names.append(name)
        self._p_words.append(self._word_ids(words))
        _add(self._people_by_key, key, contact_id)
        self._add_words(self._people_by_word, words, contact_id)

    def _word_ids(self, words: tuple[str, ...]) -> list[int]:
        ids = []
        for w in words:
            i = self._vocab_ids.get(w)
            if i is None:
                i = self._vocab_ids[w] = len(self._vocab)
                self._vocab.append(w)
            ids.append(i)
        return ids

    def _add_words(self, by_word: dict[str, array[int]], words: tuple[str, ...], value: int) -> None:
        for word in words:
            ids = by_word.get(word)
            if ids is None:
                by_word[word] = array("q", (value,))
                self._bucket(word)
            elif ids[-1] != value:  # a word twice in one name is one posting
                self._sets.forget(ids)
                ids.append(value)

    def _bucket(self, word: str) -> None:
        if len(word) < 5 or any(ch.isdigit() for ch in word):
            return  # no slip is read in a short word or a number (see typo_budget)
        bucket = self._buckets.get(word[0])
        if bucket is None:
            bucket = self._buckets[word[0]] = set()
        if word not in bucket:
            if self._owned is not None:
                bucket = self._buckets[word[0]] = self._mine(bucket)
            bucket.add(word)
            if self._bucket_lists:
                self._bucket_lists.pop(word[0], None)
            if self._typos:
                self._typos.clear()

    # ---- saving to a file and loading back (store/name_snapshot.py) -------------------------------

    def snapshot_data(self) -> tuple[object, ...]:
        """This index (without an overlay: a build or a fold) as plain containers for `marshal`."""
        assert not isinstance(self, _Layered)
        return (
            str(self.version),
            self.stamp,
            self._ids.tobytes(),
            self._names,
            self._words._at.tobytes(),
            self._words._end.tobytes(),
            self._words._over,
            bytes(self._suffixed),
            self._pos,
            self._gone,
            self._vocab,
            self._by_key,
            {w: ids.tobytes() for w, ids in self._by_word.items()},
            self._p_ids.tobytes(),
            self._p_pos,
            self._p_gone,
            self._p_customer.tobytes(),
            self._p_names,
            self._p_words._at.tobytes(),
            self._p_words._end.tobytes(),
            self._p_words._over,
            self._people_by_key,
            {w: ids.tobytes() for w, ids in self._people_by_word.items()},
            self._buckets,
        )

    @classmethod
    def from_snapshot_data(cls, data: Any) -> NameIndex | None:
        """The index `snapshot_data` gave; None unless every part has the type and length it must."""
        try:
            _check(isinstance(data, tuple) and len(data) == 24)
            (version, stamp, ids, names, at, end, over, suffixed, pos, gone, vocab, by_key, by_word) = data[
                :13
            ]
            (
                p_ids,
                p_pos,
                p_gone,
                p_customer,
                p_names,
                p_at,
                p_end,
                p_over,
                people_by_key,
                people_by_word,
            ) = data[13:23]
            buckets = data[23]
            _check(isinstance(version, str) and isinstance(stamp, int))
            for part in (names, vocab, p_names):
                _check(isinstance(part, list))
            for part in (over, by_key, by_word, p_over, people_by_key, people_by_word, buckets):
                _check(isinstance(part, dict))
            for part in (gone, p_gone):
                _check(isinstance(part, set))
            for part in (pos, p_pos):
                _check(part is None or isinstance(part, dict))
            idx = cls(version=version, stamp=stamp)
            idx._ids, idx._p_ids, idx._p_customer = (
                _array("q", ids),
                _array("q", p_ids),
                _array("q", p_customer),
            )
            idx._names, idx._p_names, idx._vocab = names, p_names, vocab
            idx._words._at, idx._words._end, idx._words._over = _array("i", at), _array("i", end), over
            idx._p_words._at, idx._p_words._end, idx._p_words._over = (
                _array("i", p_at),
                _array("i", p_end),
                p_over,
            )
            _check(isinstance(suffixed, bytes))
            idx._suffixed = bytearray(suffixed)
            _check(len(idx._ids) == len(names) == len(idx._words._end) == len(idx._suffixed))
            _check(len(idx._p_ids) == len(p_names) == len(idx._p_words._end) == len(idx._p_customer))
            _check(all(0 <= e <= len(idx._words._at) for e in idx._words._end[-1:]))
            _check(all(0 <= e <= len(idx._p_words._at) for e in idx._p_words._end[-1:]))
            idx._pos, idx._p_pos, idx._gone, idx._p_gone = pos, p_pos, gone, p_gone
            idx._by_key, idx._people_by_key, idx._buckets = by_key, people_by_key, buckets
            idx._by_word = {w: _array("q", b) for w, b in by_word.items()}
            idx._people_by_word = {w: _array("q", b) for w, b in people_by_word.items()}
            idx._vocab_ids = {w: i for i, w in enumerate(vocab)}
        except (TypeError, ValueError):
            return None
        return idx

    def _mine(self, obj: _T) -> _T:
        """`obj` itself when this refresh made it, else a copy it owns from now on."""
        owned = self._owned
        assert owned is not None
        if id(obj) in owned:
            return obj
        mine = copy.copy(obj)
        owned[id(mine)] = mine
        return mine

    # ---- refreshing ------------------------------------------------------------------------------

    def refreshed(self, session: Session, version: str, stamp: int | None) -> NameIndex | None:
        """The index at names version `version`: this one with the changes since applied to a layer.

        None when the changes cannot be told exactly (a version without its rows, too many rows, a
        version not after this one's): then only a new build is right.
        """
        try:
            since, upto = int(str(self.version)), int(version)
        except ValueError:
            return None
        if upto < since:
            return None
        changes = changes_between(session, since, self.stamp, upto, REFRESH_MAX_ROWS)
        if changes is None:
            return None
        customers = sorted({c for _v, c, _k in changes if c is not None})
        contacts = sorted({k for _v, _c, k in changes if k is not None})
        if len(customers) + len(contacts) > max(1_000, len(self) // 4):
            return None  # most names changed: a new build is quicker than copying and applying
        out = self._layer(version)
        out.stamp = stamp
        out._owned = {}
        try:
            for cid in customers:
                out._drop_customer(cid)
            for kid in contacts:
                out._drop_contact(kid)
            for cid, name, key in customer_names_by_id(session, customers):
                out._put_customer(cid, name, key)
            for kid, cid, name in contact_names_by_id(session, contacts):
                out._put_contact(kid, cid, name)
        finally:
            out._owned = None
        return out

    def _layer(self, version: object) -> _Layered:
        """A copy to change: this index's containers shared, its overlay copied (small); postings, key
        lists and buckets shared until changed (`_mine`); the vocabulary shared (it only grows, under
        the cache's refresh lock)."""
        return _Layered(
            _ids=self._ids,
            _names=self._names,
            _words=self._words.sharing(),
            _suffixed=self._suffixed,
            _pos=self._pos,
            _gone=set(self._gone),
            _vocab=self._vocab,
            _vocab_ids=self._vocab_ids,
            _by_key=self._by_key,
            _by_word=self._by_word,
            _p_ids=self._p_ids,
            _p_pos=self._p_pos,
            _p_gone=set(self._p_gone),
            _p_customer=self._p_customer,
            _p_names=self._p_names,
            _p_words=self._p_words.sharing(),
            _people_by_key=self._people_by_key,
            _people_by_word=self._people_by_word,
            _names_over=dict(self._names_over),
            _suffixed_over=dict(self._suffixed_over),
            _pos_over=dict(self._pos_over),
            _by_key_over=dict(self._by_key_over),
            _by_word_over=dict(self._by_word_over),
            _p_pos_over=dict(self._p_pos_over),
            _p_customer_over=dict(self._p_customer_over),
            _p_names_over=dict(self._p_names_over),
            _people_by_key_over=dict(self._people_by_key_over),
            _people_by_word_over=dict(self._people_by_word_over),
            _sets=self._sets,  # keyed by the posting arrays themselves, which are never written once shared
            _buckets=dict(self._buckets),
            _bucket_lists=dict(self._bucket_lists),
            _typos=dict(self._typos),
            _sorted=self._sorted,
            _sorted_over=self._sorted_over,
            version=version,
        )

    def fold_due(self) -> bool:
        """Whether the overlay (what each refresh copies) or the words appended since the base (never
        reclaimed until a fold: one customer renamed 60,000 times) call for a fold."""
        appended = self._words.appended() + self._p_words.appended()
        return self.overlay_size() + appended // 4 > FOLD_AT

    def overlay_size(self) -> int:
        """Entries in the overlay: what each refresh copies (`folded` makes it 0)."""
        return (
            len(self._names_over)
            + len(self._suffixed_over)
            + len(self._pos_over)
            + len(self._by_key_over)
            + len(self._by_word_over)
            + len(self._p_pos_over)
            + len(self._p_customer_over)
            + len(self._p_names_over)
            + len(self._people_by_key_over)
            + len(self._people_by_word_over)
            + len(self._words._over)
            + len(self._p_words._over)
        )

    def folded(self) -> NameIndex:
        """An index equal to this one with its overlay written into containers of its own (time and
        memory proportional to the whole index: the cache runs it in the background)."""
        ids, pos = _folded_ids(self._ids, self._pos, self._pos_over)
        p_ids, p_pos = _folded_ids(self._p_ids, self._p_pos, self._p_pos_over)
        by_word = _merged(self._by_word, self._by_word_over)
        return NameIndex(
            _ids=ids,
            _names=_folded_list(self._names, self._names_over),
            _words=self._words.folded(),
            _suffixed=bytearray(_folded_list(list(self._suffixed), self._suffixed_over)),
            _pos=pos,
            _gone=self._gone,
            _vocab=self._vocab,
            _vocab_ids=self._vocab_ids,
            _by_key=_merged(self._by_key, self._by_key_over),
            _by_word=by_word,
            _p_ids=p_ids,
            _p_pos=p_pos,
            _p_gone=self._p_gone,
            _p_customer=array("q", _folded_list(list(self._p_customer), self._p_customer_over)),
            _p_names=_folded_list(self._p_names, self._p_names_over),
            _p_words=self._p_words.folded(),
            _people_by_key=_merged(self._people_by_key, self._people_by_key_over),
            _people_by_word=_merged(self._people_by_word, self._people_by_word_over),
            _sets=self._sets,
            _buckets=dict(self._buckets),
            _bucket_lists=dict(self._bucket_lists),
            _typos=dict(self._typos),
            _sorted=sorted(by_word),
            version=self.version,
            stamp=self.stamp,
        )

    # ---- reading (an index without an overlay: a build or a fold; _Layered reads one with) ---------

    def __len__(self) -> int:
        return (len(self._ids) if self._pos is None else len(self._pos)) - len(self._gone)

    def _position(self, cid: int) -> int:
        """Where customer `cid` is kept; KeyError when it is not in the index."""
        ids = self._ids
        pos = cid - ids[0] if ids else -1
        if self._pos is not None or not (0 <= pos < len(ids) and ids[pos] == cid):  # most: ids without gaps
            pos = _locate(ids, self._pos, cid)
        if self._gone and pos in self._gone:
            raise KeyError(cid)
        return pos

    def _p_position(self, contact_id: int) -> int:
        """Where contact `contact_id` is kept; KeyError when it is not in the index."""
        pos = _locate(self._p_ids, self._p_pos, contact_id)
        if self._p_gone and pos in self._p_gone:
            raise KeyError(contact_id)
        return pos

    def _positions(self) -> Iterator[tuple[int, int]]:
        """(customer id, position) of every customer, by id (a re-added id: its latest)."""
        pairs: Iterator[tuple[int, int]] | list[tuple[int, int]]
        if self._pos is None:
            pairs = ((cid, i) for i, cid in enumerate(self._ids))
        else:
            pairs = sorted(self._pos.items())
        for cid, pos in pairs:
            if pos not in self._gone:
                yield cid, pos

    def contact_count(self) -> int:
        """How many contacts are indexed."""
        return (len(self._p_ids) if self._p_pos is None else len(self._p_pos)) - len(self._p_gone)

    def name_of(self, cid: int) -> str:
        return self._names[self._position(cid)]

    def suffixed(self, cid: int) -> bool:
        return bool(self._suffixed[self._position(cid)])

    def words_of(self, cid: int) -> tuple[str, ...]:
        return tuple(map(self._vocab.__getitem__, self._words.ids(self._position(cid))))

    def has_word(self, word: str) -> bool:
        """Whether `word` is a whole word of some customer's or contact's name."""
        return word in self._by_word or word in self._people_by_word

    def _has_customer_word(self, word: str) -> bool:
        return word in self._by_word

    def customers_with_key(self, key: str, said: str | None = None) -> list[int]:
        """Customers whose match words are `key`; of several, those with the suffix `said` has
        ("Acme Corp" beside "Acme Inc"), when any has it."""
        found = self._by_key.get(key)
        return self._of_key([] if found is None else [found] if isinstance(found, int) else found, said)

    def _of_key(self, ids: list[int], said: str | None) -> list[int]:
        if len(ids) > 1 and said is not None:
            same = full_key(said)
            ids = [c for c in ids if full_key(fold(self.name_of(c))) == same] or ids
        return ids

    def customers_with_word(self, word: str) -> frozenset[int]:
        found = self._by_word.get(word)
        return _EMPTY if found is None else self._sets.get(found)

    def people_with_key(self, key: str) -> dict[int, str]:
        """Customer id -> the name of its contact whose full name is `key` (the first, if two)."""
        found = self._people_by_key.get(key, [])
        out: dict[int, str] = {}
        for i in [found] if isinstance(found, int) else found:
            pos = self._p_position(i)
            out.setdefault(self._p_customer[pos], self._p_names[pos])
        return out

    def people_with_word(self, word: str) -> frozenset[int]:
        found = self._people_by_word.get(word)
        return _EMPTY if found is None else self._sets.get(found)

    def customer_word_count(self, word: str) -> int:
        """How many customers have `word` in their name."""
        return len(self._by_word.get(word, ()))

    def person_word_count(self, word: str) -> int:
        """How many contacts have `word` in their name."""
        return len(self._people_by_word.get(word, ()))

    def person_words(self, i: int) -> tuple[str, ...]:
        """The name words of contact `i` (a contact id, as people_with_word gives)."""
        return tuple(map(self._vocab.__getitem__, self._p_words.ids(self._p_position(i))))

    def person(self, i: int) -> tuple[int, str, tuple[str, ...]]:
        """(customer id, name, name words) of contact `i`."""
        pos = self._p_position(i)
        return (
            self._p_customer[pos],
            self._p_names[pos],
            tuple(map(self._vocab.__getitem__, self._p_words.ids(pos))),
        )

    def _prefixed(self, word: str, cap: int = 200) -> list[str]:
        """Customer name words starting with `word` (3+ letters), from a sorted list made on first use."""
        if len(word) < 3:
            return []
        if self._sorted is None or len(self._sorted) != len(self._by_word):
            self._sorted = sorted(self._by_word)
        return _starting(self._sorted, word, cap, None)

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
            held = {w for w in like if self._has_customer_word(w)}
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
                narrower = _Group(self, {word}).narrow(pool) if self._has_customer_word(word) else set()
                if narrower:
                    pool = narrower
                if len(pool) <= POOL_CAP:
                    break
        chosen = sorted(pool)[:POOL_CAP] if len(pool) > POOL_CAP else pool
        return {cid: self._core(self._position(cid)) for cid in chosen}

    def _core(self, pos: int) -> str:
        return " ".join(map(self._vocab.__getitem__, self._words.ids(pos)))

    def with_prefixes(self, words: tuple[str, ...]) -> set[int]:
        """Customers having, for every given word, a name word that starts with it ('brightline med')."""
        groups = [
            _Group(self, {w for w in self._prefixed(word) or [word] if self._has_customer_word(w)})
            for word in words
        ]
        out: set[int] | None = None
        for g in sorted(groups, key=len):  # the rarest first: the others only narrow what it found
            out = set(g.ids()) if out is None else g.narrow(out)
            if not out:
                return set()
        return out or set()


class _Layered(NameIndex):
    """A refreshed index: the base containers of the one it was made from, shared, and an overlay of
    what changed since (see NameIndex). Its readers look in the overlay first; the plain NameIndex's
    do not, so a built or folded index reads as fast as before the overlay existed."""

    def __len__(self) -> int:
        kept = len(self._ids) if self._pos is None else len(self._pos)
        return kept + len(self._pos_over) - len(self._gone)

    def _position(self, cid: int) -> int:
        """Where customer `cid` is kept: in the base, or among those added since."""
        ids = self._ids
        pos = cid - ids[0] if ids else -1
        if self._pos is not None or not (0 <= pos < len(ids) and ids[pos] == cid):
            found = self._pos_over.get(cid)
            pos = _locate(ids, self._pos, cid) if found is None else found
        if self._gone and pos in self._gone:
            raise KeyError(cid)
        return pos

    def _p_position(self, contact_id: int) -> int:
        found = self._p_pos_over.get(contact_id) if self._p_pos_over else None
        if found is None:
            return NameIndex._p_position(self, contact_id)
        if found in self._p_gone:
            raise KeyError(contact_id)
        return found

    def _positions(self) -> Iterator[tuple[int, int]]:
        """(customer id, position) of every customer, by id (a re-added id: its latest)."""
        pairs: Iterator[tuple[int, int]] | list[tuple[int, int]]
        if self._pos is None and not self._pos_over:
            pairs = ((cid, i) for i, cid in enumerate(self._ids))
        else:
            base = self._pos if self._pos is not None else {c: i for i, c in enumerate(self._ids)}
            pairs = sorted({**base, **self._pos_over}.items())
        for cid, pos in pairs:
            if pos not in self._gone:
                yield cid, pos

    def name_of(self, cid: int) -> str:
        pos = self._position(cid)
        if self._names_over:
            found = self._names_over.get(pos)
            if found is not None:
                return found
        return self._names[pos]

    def _kept(self, cid: int) -> int:
        """Where customer `cid` is or was kept (removed ones too); KeyError when never."""
        found = self._pos_over.get(cid)
        return _locate(self._ids, self._pos, cid) if found is None else found

    def _p_kept(self, kid: int) -> int:
        found = self._p_pos_over.get(kid)
        return _locate(self._p_ids, self._p_pos, kid) if found is None else found

    def _p_name_at(self, pos: int) -> str:
        if self._p_names_over:
            found = self._p_names_over.get(pos)
            if found is not None:
                return found
        return self._p_names[pos]

    def _p_customer_at(self, pos: int) -> int:
        if self._p_customer_over:
            found = self._p_customer_over.get(pos)
            if found is not None:
                return found
        return self._p_customer[pos]

    def suffixed(self, cid: int) -> bool:
        pos = self._position(cid)
        if self._suffixed_over:
            found = self._suffixed_over.get(pos)
            if found is not None:
                return bool(found)
        return bool(self._suffixed[pos])

    def has_word(self, word: str) -> bool:
        """Whether `word` is a whole word of some customer's or contact's name."""
        return (
            self._has_customer_word(word)
            or _look(self._people_by_word, self._people_by_word_over, word) is not None
        )

    def _has_customer_word(self, word: str) -> bool:
        over = self._by_word_over
        if over and word in over:
            return over[word] is not None
        return word in self._by_word

    def customers_with_key(self, key: str, said: str | None = None) -> list[int]:
        """Customers whose match words are `key`; of several, those with the suffix `said` has
        ("Acme Corp" beside "Acme Inc"), when any has it."""
        over = self._by_key_over
        found = over[key] if over and key in over else self._by_key.get(key)
        return self._of_key([] if found is None else [found] if isinstance(found, int) else found, said)

    def customers_with_word(self, word: str) -> frozenset[int]:
        over = self._by_word_over
        found = over[word] if over and word in over else self._by_word.get(word)
        return _EMPTY if found is None else self._sets.get(found)

    def people_with_key(self, key: str) -> dict[int, str]:
        """Customer id -> the name of its contact whose full name is `key` (the first, if two)."""
        over = self._people_by_key_over
        found = over[key] if over and key in over else self._people_by_key.get(key)
        out: dict[int, str] = {}
        for i in [] if found is None else [found] if isinstance(found, int) else found:
            pos = self._p_position(i)
            out.setdefault(self._p_customer_at(pos), self._p_name_at(pos))
        return out

    def people_with_word(self, word: str) -> frozenset[int]:
        over = self._people_by_word_over
        found = over[word] if over and word in over else self._people_by_word.get(word)
        return _EMPTY if found is None else self._sets.get(found)

    def customer_word_count(self, word: str) -> int:
        """How many customers have `word` in their name."""
        over = self._by_word_over
        found = over[word] if over and word in over else self._by_word.get(word)
        return 0 if found is None else len(found)

    def person_word_count(self, word: str) -> int:
        """How many contacts have `word` in their name."""
        over = self._people_by_word_over
        found = over[word] if over and word in over else self._people_by_word.get(word)
        return 0 if found is None else len(found)

    def person(self, i: int) -> tuple[int, str, tuple[str, ...]]:
        """(customer id, name, name words) of contact `i`."""
        pos = self._p_position(i)
        return (
            self._p_customer_at(pos),
            self._p_name_at(pos),
            tuple(map(self._vocab.__getitem__, self._p_words.ids(pos))),
        )

    def _prefixed(self, word: str, cap: int = 200) -> list[str]:
        """Customer name words starting with `word` (3+ letters), from sorted lists made on first use:
        the base's words (shared by the refreshes made from it) and the overlay's."""
        if len(word) < 3:
            return []
        if self._sorted is None or len(self._sorted) != len(self._by_word):
            self._sorted = sorted(self._by_word)
        out = _starting(self._sorted, word, cap, self._by_word_over)
        if self._by_word_over:
            if self._sorted_over is None:
                self._sorted_over = sorted(w for w, ids in self._by_word_over.items() if ids is not None)
            more = _starting(self._sorted_over, word, cap, None)
            if more:
                out = sorted(set(out).union(more))[:cap]
        return out

    def _drop_customer(self, cid: int) -> None:
        try:
            pos = self._position(cid)
        except KeyError:
            return
        words = self.words_of(cid)
        self._take(self._by_key, self._by_key_over, " ".join(words), cid)
        self._take_words(self._by_word, self._by_word_over, words, cid)
        self._gone.add(pos)

    def _put_customer(self, cid: int, name: str, stored_key: str) -> None:
        words, key = _customer_words(name, stored_key)
        try:
            pos = self._kept(cid)  # kept before (removed or renamed): the same place
        except KeyError:
            pos = self._pos_over[cid] = len(self._ids) + len(self._pos_over)  # the next position
        self._names_over[pos] = name
        self._suffixed_over[pos] = has_suffix(key)
        self._words.put(pos, self._word_ids(words))
        self._gone.discard(pos)
        self._put(self._by_key, self._by_key_over, " ".join(words), cid)
        self._put_words(self._by_word, self._by_word_over, words, cid)

    def _drop_contact(self, kid: int) -> None:
        try:
            pos = self._p_position(kid)
        except KeyError:
            return
        found = _contact_words(self._p_name_at(pos))
        assert found is not None  # only names with words are kept
        words, key = found
        self._take(self._people_by_key, self._people_by_key_over, key, kid)
        self._take_words(self._people_by_word, self._people_by_word_over, words, kid)
        self._p_gone.add(pos)

    def _put_contact(self, kid: int, cid: int, name: str) -> None:
        found = _contact_words(name)
        if found is None:
            return  # not indexed, as add_contact
        words, key = found
        try:
            pos = self._p_kept(kid)
        except KeyError:
            pos = self._p_pos_over[kid] = len(self._p_ids) + len(self._p_pos_over)
        self._p_customer_over[pos] = cid
        self._p_names_over[pos] = name
        self._p_words.put(pos, self._word_ids(words))
        self._p_gone.discard(pos)
        self._put(self._people_by_key, self._people_by_key_over, key, kid)
        self._put_words(self._people_by_word, self._people_by_word_over, words, kid)

    @staticmethod
    def _put(index: dict[str, _Key], over: dict[str, _Key | None], key: str, value: int) -> None:
        """`_add` into the overlay, keeping the ids under a key in order (as a build adds them)."""
        found = _look(index, over, key)
        if found is None:
            over[key] = value
        elif isinstance(found, int):
            if found != value:
                over[key] = sorted((found, value))
        elif value not in found:
            ids = list(found)
            bisect.insort(ids, value)
            over[key] = ids

    @staticmethod
    def _take(index: dict[str, _Key], over: dict[str, _Key | None], key: str, value: int) -> None:
        found = _look(index, over, key)
        if found is None:
            return
        if isinstance(found, int):
            if found == value:
                _unset(index, over, key)
            return
        if value not in found:
            return
        rest = [v for v in found if v != value]
        over[key] = rest[0] if len(rest) == 1 else rest  # one id is kept bare, as a build does

    def _put_words(
        self,
        by_word: dict[str, array[int]],
        over: dict[str, array[int] | None],
        words: tuple[str, ...],
        value: int,
    ) -> None:
        for word in dict.fromkeys(words):
            ids = _look(by_word, over, word)
            if ids is None:
                new = array("q", (value,))
                self._owned_add(new)
                over[word] = new
                if by_word is self._by_word:
                    self._sorted_over = None
                self._bucket(word)
            else:
                i = bisect.bisect_left(ids, value)
                if i < len(ids) and ids[i] == value:
                    continue
                mine = over[word] = self._mine(ids)  # a new array: the set cache never saw it
                mine.insert(i, value)

    def _take_words(
        self,
        by_word: dict[str, array[int]],
        over: dict[str, array[int] | None],
        words: tuple[str, ...],
        value: int,
    ) -> None:
        for word in dict.fromkeys(words):
            ids = _look(by_word, over, word)
            if ids is None:
                continue
            i = bisect.bisect_left(ids, value)
            if i == len(ids) or ids[i] != value:
                continue
            if len(ids) == 1:
                _unset(by_word, over, word)
                if by_word is self._by_word:
                    self._sorted_over = None
                self._unbucket(word)
            else:
                mine = over[word] = self._mine(ids)
                del mine[i]

    def _owned_add(self, obj: object) -> None:
        assert self._owned is not None
        self._owned[id(obj)] = obj

    def _unbucket(self, word: str) -> None:
        """Forget `word` as a typo target once no customer or contact name has it."""
        if self.has_word(word):
            return
        bucket = self._buckets.get(word[0]) if word else None
        if bucket is None or word not in bucket:
            return
        if len(bucket) == 1:
            del self._buckets[word[0]]
        else:
            mine = self._buckets[word[0]] = self._mine(bucket)
            mine.discard(word)
        self._bucket_lists.pop(word[0], None)
        self._typos.clear()


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
    asked about again cost a dict lookup, as before. Sets are kept by the array they were made from
    (held with them, so its id is not reused): a refresh replaces the arrays it changes and shares
    the others, so the indexes of successive versions share one cache.
    """

    def __init__(self) -> None:
        self._held: dict[int, tuple[array[int], frozenset[int]]] = {}
        self._members = 0
        self._lock = threading.Lock()

    def get(self, ids: array[int]) -> frozenset[int]:
        key = id(ids)
        with self._lock:
            found = self._held.pop(key, None)
            if found is not None:
                self._held[key] = found  # now the most recent
                return found[1]
        made = frozenset(ids)
        with self._lock:
            if key not in self._held:
                self._held[key] = (ids, made)
                self._members += len(made)
            while self._members > SET_CACHE_MEMBERS and len(self._held) > 1:
                oldest = next(iter(self._held))
                self._members -= len(self._held.pop(oldest)[1])
        return made

    def forget(self, ids: array[int]) -> None:
        """Before `ids` is changed in place (a build adding to a posting)."""
        if self._held:
            with self._lock:
                dropped = self._held.pop(id(ids), None)
                if dropped is not None:
                    self._members -= len(dropped[1])


def _add(index: dict[str, int | list[int]], key: str, value: int) -> None:
    """Add `value` under `key`; a lone value is kept bare (a list per name costs 100,000 lists)."""
    found = index.get(key)
    if found is None:
        index[key] = value
    elif isinstance(found, int):
        index[key] = [found, value]
    else:
        found.append(value)


def _customer_words(name: str, stored_key: str | None) -> tuple[tuple[str, ...], str]:
    """A customer's match words and folded name, as the index keeps them."""
    plain = name.isascii() and "." not in name and "'" not in name
    key = stored_key if stored_key is not None and plain else fold(name)
    return tuple(map(sys.intern, match_words(key))), key


def _contact_words(name: str) -> tuple[tuple[str, ...], str] | None:
    """A contact's name words and full-name key, as the index keeps them (None: no words at all)."""
    folded = fold(name).split()
    if not folded:
        return None
    if any(len(w) == 1 or w in TITLES for w in folded):
        words, key = person_words(name, folded), person_key(name, folded)
    else:  # most names: no title, no initial
        words, key = tuple(folded), " ".join(folded)
    return tuple(map(sys.intern, words)), key


def _check(holds: bool) -> None:
    if not holds:
        raise ValueError("not a name index snapshot")


def _array(typecode: str, raw: Any) -> array[int]:
    _check(isinstance(raw, bytes))
    out = array(typecode)
    out.frombytes(raw)
    return out


def _locate(ids: array[int], by_id: dict[int, int] | None, wanted: int) -> int:
    """The position of `wanted` among ids kept in id order (or in `by_id`); KeyError when absent."""
    if by_id is not None:
        return by_id[wanted]
    if ids:  # ids without gaps (none removed): the id gives the position
        i = wanted - ids[0]
        if 0 <= i < len(ids) and ids[i] == wanted:
            return i
    i = bisect.bisect_left(ids, wanted)
    if i == len(ids) or ids[i] != wanted:
        raise KeyError(wanted)
    return i


_K = TypeVar("_K")
_V = TypeVar("_V")


def _look(base: dict[_K, _V], over: dict[_K, _V | None], key: _K) -> _V | None:
    """The value under `key`: the overlay's (None: removed), else the base's."""
    if over and key in over:
        return over[key]
    return base.get(key)


def _unset(base: dict[_K, _V], over: dict[_K, _V | None], key: _K) -> None:
    """Remove `key`: a tombstone over the base's value, or just the overlay's entry."""
    if key in base:
        over[key] = None
    else:
        over.pop(key, None)


def _merged(base: dict[_K, _V], over: dict[_K, _V | None]) -> dict[_K, _V]:
    out = dict(base)
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def _folded_list(base: list[_V], over: Mapping[int, _V]) -> list[_V]:
    """A list with the overlay's positions written in (those past its end appended, in turn)."""
    out = base[:]
    n = len(out)
    for pos in sorted(over):
        if pos < n:
            out[pos] = over[pos]
        else:
            out.append(over[pos])
    return out


def _folded_ids(
    ids: array[int], by_id: dict[int, int] | None, added: dict[int, int]
) -> tuple[array[int], dict[int, int] | None]:
    """The ids by position with those added since the base appended, and the id -> position dict
    when they are no longer in id order (None when they are)."""
    if not added:
        return ids, by_id
    out = ids[:]
    extra = sorted(added, key=added.__getitem__)
    ordered = by_id is None and (not ids or ids[-1] < extra[0])
    ordered = ordered and all(a < b for a, b in itertools.pairwise(extra))
    out.extend(extra)
    if ordered:
        return out, None
    return out, {**(by_id if by_id is not None else {c: i for i, c in enumerate(ids)}), **added}


def _starting(
    words: list[str], prefix: str, cap: int, over: dict[str, array[int] | None] | None
) -> list[str]:
    """The first `cap` of sorted `words` that start with `prefix` (not those `over` removed)."""
    i = bisect.bisect_left(words, prefix)
    out: list[str] = []
    while i < len(words) and words[i].startswith(prefix) and len(out) < cap:
        w = words[i]
        if not over or w not in over or over[w] is not None:
            out.append(w)
        i += 1
    return out


class _IndexCache:
    """One NameIndex per database, kept current as names change.

    When the names version moved, the index is brought up to it from the changed rows only
    (`NameIndex.refreshed`), or built anew when that cannot be done exactly. What a session sees
    is shared with other threads only when it is committed: an index made in a transaction that
    changed names itself (and may yet roll back) is that session's alone. A shared index whose
    overlay passed FOLD_AT entries, or that went FOLD_IDLE seconds without a change, is folded in a
    background thread (`NameIndex.folded`), which puts the result in its place if nothing newer came.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_url: dict[str, NameIndex] = {}
        self._refreshing: dict[str, threading.Lock] = {}
        self._folding: set[str] = set()  # urls whose index a background thread folds
        self._changed: dict[str, float] = {}  # url -> when its shared index last changed (monotonic)
        self._paths: dict[str, Path] = {}  # url -> its saved index's file (SQLite)
        self._wake: dict[str, threading.Event] = {}  # url -> set when its shared index changes
        # Indexes shared before, while something still holds them: a session reading an older
        # snapshot (SQLite: its transaction began before the last name change) gets the one of its
        # version instead of a new build.
        self._recent: weakref.WeakValueDictionary[tuple[str, str, int | None], NameIndex] = (
            weakref.WeakValueDictionary()
        )

    def get(self, session: Session, url: str) -> NameIndex:
        version, stamp = state = names_state(session)
        mine = session.info.get(_SESSION_KEY)
        if mine is not None and mine[0] == url and (mine[1].version, mine[1].stamp) == state:
            made: NameIndex = mine[1]
            return made  # made earlier in this session, not shared (see below)
        with self._lock:
            idx = self._by_url.get(url)
            refreshing = self._refreshing.setdefault(url, threading.Lock())
            earlier = None if version is None else self._recent.get((url, version, stamp))
        if idx is not None and version is not None and (idx.version, idx.stamp) == state:
            return idx
        if earlier is not None:
            return earlier
        with refreshing:  # one at a time: a refresh adds to the vocabulary its source shares
            with self._lock:
                idx = self._by_url.get(url)
            if idx is not None and version is not None and (idx.version, idx.stamp) == state:
                return idx  # another thread got there first
            if idx is None and version is not None:  # this process's first lookup: a saved index?
                idx = _load(session)
            if idx is not None and version is not None and (idx.version, idx.stamp) == state:
                new: NameIndex | None = idx  # the saved one is of this very version
            else:
                new = (
                    idx.refreshed(session, version, stamp)
                    if idx is not None and version is not None
                    else None
                )
            built = new is None
            if new is None:
                new = NameIndex.build(session, version)
                new.stamp = stamp
            if version is not None and shared_safely(session, state):
                path = name_snapshot.path_for(session) if built else None
                save = path is not None and len(new) + new.contact_count() >= SAVE_MIN
                if save and new.stamp is None:  # a version without rows: stamped first, to be told apart
                    new.stamp = stamp_version(session, version)  # (sessions reading without: _recent)
                if save and path is not None and new.stamp is not None:
                    self._paths[url] = path
                    # Not a daemon: a short-lived process (one crm command) finishes writing first.
                    threading.Thread(target=_write, args=(path, new), name="crm-name-save").start()
                if new.fold_due() and not FOLD_IN_BACKGROUND:
                    new = new.folded()
                with self._lock:
                    self._by_url[url] = new  # the committed state: the one every new session sees
                    self._recent[(url, version, stamp)] = new
                    self._changed[url] = time.monotonic()
                    fold = FOLD_IN_BACKGROUND and isinstance(new, _Layered) and url not in self._folding
                    if fold:
                        self._folding.add(url)
                    self._wake.setdefault(url, threading.Event()).set()  # a waiting fold looks again
                if fold:
                    threading.Thread(
                        target=self._fold, args=(url,), name="crm-name-fold", daemon=True
                    ).start()
            else:
                session.info[_SESSION_KEY] = (url, new)
        return new

    def _fold(self, url: str) -> None:
        """Fold the shared index of `url` once its overlay is big, or names went unchanged FOLD_IDLE
        seconds (its readers then read as fast as a build's); a refresh may come meanwhile."""
        while True:
            with self._lock:
                idx = self._by_url.get(url)
                if not isinstance(idx, _Layered):  # none, or built, loaded or folded: nothing to fold
                    self._folding.discard(url)  # with the check: a publish after it starts a new thread
                    return
                wait = 0.0 if idx.fold_due() else self._changed[url] + FOLD_IDLE - time.monotonic()
            if wait > 0:
                self._wake[url].wait(wait)  # a new index may make a fold due sooner
                self._wake[url].clear()
                continue
            # Under the refresh lock: no refresh is made from the index being folded meanwhile (a fold
            # thrown away for a newer index, again and again while names change faster than a fold
            # takes, would never land); a refresh waits for the fold once (~0.3 s at 1,000,000).
            with self._refreshing[url]:
                with self._lock:
                    idx = self._by_url.get(url)
                if not isinstance(idx, _Layered):
                    continue
                folded = idx.folded()
                with self._lock:
                    self._by_url[url] = folded
                    self._recent[(url, str(idx.version), idx.stamp)] = folded
                    path = self._paths.get(url)
            if (
                path is not None
                and folded.stamp is not None
                and len(folded) + folded.contact_count() >= SAVE_MIN
            ):
                _write(path, folded)  # a long-running server's file keeps up (written in this thread)


# Overlay entries past which the shared index is folded into new bases (each refresh copies the
# overlay: ~8,000 entries are ~1 ms; a fold at 1,000,000 customers ~0.3 s, in the background).
FOLD_AT = 8_192
FOLD_IDLE = 30.0  # seconds without a name change after which a smaller overlay is folded too
FOLD_IN_BACKGROUND = True  # tests fold in the lookup itself, to compare the folded index at once

SAVE_MIN = 20_000  # names (customers and contacts) from which a build is saved beside the database
SNAPSHOT_LAYOUT = 1  # what snapshot_data holds; with the code's own digest it names the file's kind


@cache
def _snapshot_kind() -> tuple[object, ...] | None:
    """What a saved index must have been written by: this layout, this very module (the folding of
    names lives here: other code may fold differently), this Python's marshal and byte order."""
    try:
        code = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None  # no source to tell the code by: no saved indexes
    return (SNAPSHOT_LAYOUT, code, tuple(sys.version_info[:2]), sys.byteorder, marshal.version)


def _load(session: Session) -> NameIndex | None:
    """The index saved beside the session's database, if one can be trusted to be what it says; its
    version and stamp are then checked against the database's history like any cached index's."""
    path, kind = name_snapshot.path_for(session), _snapshot_kind()
    if path is None or kind is None:
        return None
    INDEX_CACHE._paths[str(session.get_bind().engine.url)] = path
    collecting = gc.isenabled()
    gc.disable()  # as in a build: millions of containers, none garbage
    try:
        data = name_snapshot.read(path, kind)
        return None if data is None else NameIndex.from_snapshot_data(data)
    finally:
        if collecting:
            gc.enable()


def _write(path: Path, idx: NameIndex) -> None:
    kind = _snapshot_kind()
    if kind is not None:
        name_snapshot.write(path, kind, idx.snapshot_data())


_SESSION_KEY = "crm_name_index"  # session.info: an index this session made and could not share


INDEX_CACHE = _IndexCache()


def name_index(session: Session) -> NameIndex:
    """The name index of the session's database, rebuilt only when a name changed."""
    if session.autoflush and (session.new or session.dirty or session.deleted):
        # A name this session changed and has not written yet: the version and change rows come from
        # the database's triggers, which see it only once flushed (as an ORM query would autoflush).
        session.flush()
    return INDEX_CACHE.get(session, str(session.get_bind().engine.url))
