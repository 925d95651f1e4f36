"""Resolving what a user calls a customer to exactly one customer, or to ranked candidates.

Order of evidence, strongest first: id; exact name (ignoring case, accents, punctuation and legal
suffixes); a contact's full name; names that start with the words given ("kettle & crumb"); a
contact's first name; then fuzzy similarity for typos. A write never guesses: more than one
plausible customer is `AmbiguousCustomer`, none is `CustomerNotFound` with suggestions.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
import threading
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import text
from sqlmodel import Session, select

from store.models import Contact, Customer
from tools.errors import AmbiguousCustomer, Candidate, CustomerNotFound

LEGAL_SUFFIXES = frozenset(
    "inc incorporated corp corporation co company ltd limited llc llp plc gmbh ag sa sas sarl bv nv oy ab "
    "as aps spa srl pty kg kgaa".split()
)
ACCEPT_SCORE = 88.0  # a lone fuzzy match this good is taken
PLAUSIBLE_SCORE = 80.0  # candidates this good make a name ambiguous
SUGGEST_SCORE = 55.0  # shown as "did you mean" when nothing is plausible
FUZZY_POOL_MAX = 5000  # above this many names, fuzzy matching scores a narrowed pool ...
FUZZY_POOL_CAP = 1000  # ... of at most this many (WRatio costs ~1 µs a name)
WORD_MATCH_SCORE = 75.0  # a name word this similar to a query word (a typo in a short word) brings its names in


def normalize(name: str) -> str:
    """Case- and accent-folded words: 'Café Müller & Söhne GmbH' -> 'cafe muller and sohne gmbh'."""
    if name.isascii():  # most names: no accents to strip (a bulk import normalizes 100,000 of them)
        plain = name.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", name)
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = plain.replace("&", " and ").replace("ß", "ss")
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def core(key: str) -> str:
    """A normalized name without trailing legal suffixes: 'acme corp' -> 'acme'."""
    words = key.split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


@dataclass(slots=True)  # 100,000 of them at scale: no per-entry __dict__
class _Entry:
    id: int
    name: str
    core: str


@dataclass
class NameIndex:
    """In-memory lookup structures over customer and contact names, rebuilt when names change."""

    customers: dict[int, _Entry] = field(default_factory=dict)
    by_core: dict[str, list[int]] = field(default_factory=dict)
    contacts_full: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    contacts_first: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)  # sorted distinct name words, for prefix lookup
    by_word: dict[str, set[int]] = field(default_factory=dict)
    version: object = None
    cores: dict[int, str] = field(default_factory=dict)  # customer id -> core, for fuzzy scoring
    _like_cache: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, session: Session, version: object = None) -> NameIndex:
        """The index of every customer and contact name (about a second at 100,000 customers)."""
        idx = cls(version=version)
        # The stored name_key is normalize(name) (written with the name), so it is not recomputed.
        for cid, name, key in session.exec(select(Customer.id, Customer.name, Customer.name_key)):
            idx.add_customer(cid, name, key)  # type: ignore[arg-type]
        for cid, name, key in session.exec(select(Contact.customer_id, Contact.name, Contact.name_key)):
            idx.add_contact(cid, name, key)
        idx.words = sorted(idx.by_word)
        return idx

    def add_customer(self, cid: int, name: str, key: str | None = None) -> None:
        entry = _Entry(cid, name, core(normalize(name) if key is None else key))
        self.customers[cid] = entry
        self.cores[cid] = entry.core
        if self._like_cache:
            self._like_cache.clear()
        self.by_core.setdefault(entry.core, []).append(cid)
        for word in entry.core.split():
            self.by_word.setdefault(word, set()).add(cid)

    def add_contact(self, cid: int, name: str, key: str | None = None) -> None:
        key = normalize(name) if key is None else key
        if not key:
            return
        self.contacts_full.setdefault(key, []).append((cid, name))
        first = key.split()[0]
        if first != key:
            self.contacts_first.setdefault(first, []).append((cid, name))

    def with_prefix(self, word: str) -> set[int]:
        """Customers having a name word that starts with `word`."""
        out: set[int] = set()
        i = bisect.bisect_left(self.words, word)
        while i < len(self.words) and self.words[i].startswith(word):
            out |= self.by_word[self.words[i]]
            i += 1
        return out

    def candidate(self, cid: int, score: float, via: str | None = None) -> Candidate:
        return Candidate(cid, self.customers[cid].name, round(score, 1), via)

    def fuzzy(self, query_core: str, limit: int = 8) -> list[Candidate]:
        """Customers ranked by similarity of their names to the query."""
        # Cores are already normalized (lower-case words), so no processor is needed.
        hits = process.extract(
            query_core, self._fuzzy_pool(query_core), scorer=fuzz.WRatio, processor=None,
            limit=limit, score_cutoff=SUGGEST_SCORE,
        )
        return [self.candidate(cid, score) for _name, score, cid in hits]

    def _fuzzy_pool(self, query_core: str) -> dict[int, str]:
        if len(self.customers) <= FUZZY_POOL_MAX:
            return {cid: e.core for cid, e in self.customers.items()}
        # Large tables: score only names having a word like one of the query's: the same prefix, or
        # a typo away. Typos are found among the distinct name words (thousands), not among the
        # names (100,000). Names sharing more words with the query come first.
        groups = [ws for ws in (self._words_like(w) for w in dict.fromkeys(query_core.split())) if ws]
        # A word in a tenth of all names ("and", "group") says little; it only counts alone. Its
        # size is judged before any set is built: the union of a common word's names is the cost.
        common = len(self.customers) // 10
        by_word = self.by_word
        telling = [ws for ws in groups if sum(len(by_word[w]) for w in ws) <= common] or groups
        counts: Counter[int] = Counter()
        for ws in telling:
            counts.update(by_word[ws[0]] if len(ws) == 1 else set().union(*(by_word[w] for w in ws)))
        chosen = counts.most_common(FUZZY_POOL_CAP) if len(counts) > FUZZY_POOL_CAP else counts.items()
        cores = self.cores
        return {cid: cores[cid] for cid, _n in chosen}

    def _words_like(self, word: str) -> list[str]:
        """Name words starting with `word`, or (4+ letters) within a typo of it; remembered per word."""
        found = self._like_cache.get(word)
        if found is not None:
            return found
        found = []
        if len(word) >= 2:
            i = bisect.bisect_left(self.words, word)
            while i < len(self.words) and self.words[i].startswith(word):
                found.append(self.words[i])
                i += 1
        if len(word) >= 4:
            found += [similar for similar, _score, _i in process.extract(
                word, self.words, scorer=fuzz.ratio, processor=None, score_cutoff=WORD_MATCH_SCORE, limit=None
            ) if not similar.startswith(word)]
        if len(self._like_cache) >= 10_000:  # bounded: a long-running server sees many words
            self._like_cache.clear()
        self._like_cache[word] = found
        return found


class _IndexCache:
    """One NameIndex per database, reused until a customer or contact name changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_url: dict[str, NameIndex] = {}

    def get(self, session: Session, url: str) -> NameIndex:
        version = _names_version(session)
        with self._lock:
            idx = self._by_url.get(url)
            if idx is not None and version is not None and idx.version == version:
                return idx
        idx = NameIndex.build(session, version)
        with self._lock:
            self._by_url[url] = idx
        return idx


def _names_version(session: Session) -> object:
    """A value that changes whenever a name changes (kept by triggers on SQLite); None = unknown."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return None
    row = session.exec(text("SELECT value FROM meta WHERE key = 'names_version'")).first()  # type: ignore[call-overload]
    return row[0] if row else None


INDEX_CACHE = _IndexCache()


def name_index(session: Session) -> NameIndex:
    return INDEX_CACHE.get(session, str(session.get_bind().url))


def _by_id(session: Session, ref: int | str) -> Customer | None:
    if isinstance(ref, int):
        return session.get(Customer, ref)
    m = re.fullmatch(r"#?(\d{1,12})", ref.strip())
    return session.get(Customer, int(m.group(1))) if m else None


def rank_customers(
    idx: NameIndex, query: str, fuzzy: list[Candidate] | None = None
) -> tuple[list[Candidate], bool]:
    """Candidates for `query`, best first, and whether the best one is certain enough to act on.

    `fuzzy` is `idx.fuzzy(core(normalize(query)))` when the caller has it already (find_customers
    wants the near misses too), so the names are scored once.
    """
    key = normalize(query)
    qcore = core(key)
    if not qcore:
        return [], False
    exact = idx.by_core.get(qcore, [])
    if exact:
        return [idx.candidate(c, 100.0) for c in exact], len(exact) == 1
    contacts = idx.contacts_full.get(key, [])
    if contacts:
        cands = _dedupe([idx.candidate(c, 100.0, f"contact {n}") for c, n in contacts])
        return cands, len(cands) == 1
    words = qcore.split()
    if words and len(qcore) >= 3:
        ids = idx.with_prefix(words[0])
        for word in words[1:]:
            ids &= idx.with_prefix(word)
        ordered = [c for c in ids if _words_in_order(words, idx.customers[c].core.split())]
        if ordered:
            cands = sorted((idx.candidate(c, 95.0) for c in ordered), key=lambda c: c.name)
            return cands, len(cands) == 1
    firsts = idx.contacts_first.get(key, []) if " " not in key else []
    if firsts:
        cands = _dedupe([idx.candidate(c, 95.0, f"contact {n}") for c, n in firsts])
        return cands, len(cands) == 1
    if len(qcore) < 3:
        return [], False
    fuzzy = (idx.fuzzy(qcore) if fuzzy is None else fuzzy)[:8]
    plausible = [c for c in fuzzy if c.score >= PLAUSIBLE_SCORE]
    sure = bool(plausible) and plausible[0].score >= ACCEPT_SCORE and (
        len(plausible) == 1 or plausible[1].score < plausible[0].score - 6
    )
    return (plausible if plausible else fuzzy), sure


def _words_in_order(query: list[str], name: list[str]) -> bool:
    """Each query word starts a name word, in order: 'kettle and crumb' ~ 'kettle and crumb bakery'."""
    i = 0
    for word in name:
        if i < len(query) and word.startswith(query[i]):
            i += 1
    return i == len(query)


def _dedupe(cands: list[Candidate]) -> list[Candidate]:
    seen: dict[int, Candidate] = {}
    for c in cands:
        seen.setdefault(c.id, c)
    return list(seen.values())


def resolve_customer(session: Session, ref: int | str) -> Customer:
    """The one customer `ref` (id or name) means; raises AmbiguousCustomer / CustomerNotFound."""
    found = _by_id(session, ref)
    if found is not None:
        return found
    query = str(ref).strip()
    if isinstance(ref, int) or re.fullmatch(r"#?\d{1,12}", query):
        raise CustomerNotFound(query)
    cands, sure = rank_customers(name_index(session), query)
    if sure:
        customer = session.get(Customer, cands[0].id)
        if customer is not None:
            return customer
    if cands and cands[0].score >= PLAUSIBLE_SCORE:
        raise AmbiguousCustomer(query, cands[:8])
    raise CustomerNotFound(query, cands[:5])
