"""Properties of the write rule, over generated names on the near-twin book (hypothesis).

- a real customer's name plus a word that is in no customer's name never resolves for a write;
- a real name with one slip (a letter changed, dropped, added or two swapped, after the first) in
  one long word still resolves to that customer when no other name has a word as close.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from tools.name_index import FILLERS, LEGAL_SUFFIXES, TITLES, NameIndex, fold, match_words
from tools.names import resolve_in

SEED = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "names" / "seed.json").read_text())
NAMES = [c["name"] for c in SEED["customers"]]


@cache
def index() -> NameIndex:
    idx = NameIndex()
    for i, c in enumerate(SEED["customers"], 1):
        idx.add_customer(i, c["name"])
        for p in c.get("contacts") or []:
            idx.add_contact(i, p["name"])
    return idx


WORDS_OF = [
    {w for n in [c["name"], *(p["name"] for p in c.get("contacts") or [])] for w in fold(n).split()}
    for c in SEED["customers"]
]
ALL_WORDS = set().union(*WORDS_OF)
settings.register_profile(
    "crm", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@settings(settings.get_profile("crm"))
@given(
    name=st.sampled_from(NAMES),
    extra=st.text("abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10),
    where=st.sampled_from(["start", "end", "middle"]),
)
def test_a_real_name_plus_a_foreign_word_never_resolves(name: str, extra: str, where: str) -> None:
    assume(extra not in ALL_WORDS and extra not in LEGAL_SUFFIXES | FILLERS | TITLES)
    words = name.split()
    at = {"start": 0, "end": len(words), "middle": max(1, len(words) // 2)}[where]
    query = " ".join(words[:at] + [extra.capitalize()] + words[at:])
    r = resolve_in(index(), query)
    assert r.match is None, f"{query!r} was taken for {r.match}"


def slips(word: str) -> st.SearchStrategy[str]:
    i = st.integers(1, len(word) - 1)
    letter = st.sampled_from("abcdefghijklmnopqrstuvwxyz")
    return st.one_of(
        st.tuples(i, letter).map(lambda a: word[: a[0]] + a[1] + word[a[0] + 1 :]),  # changed
        i.map(lambda k: word[:k] + word[k + 1 :]),  # dropped
        st.tuples(i, letter).map(lambda a: word[: a[0]] + a[1] + word[a[0] :]),  # added
        st.integers(1, len(word) - 2).map(
            lambda k: word[:k] + word[k + 1] + word[k] + word[k + 2 :]
        ),  # swapped
    )


@st.composite
def slipped_names(draw: st.DrawFn) -> tuple[int, str, str]:
    i = draw(st.integers(0, len(NAMES) - 1))
    words = list(match_words(fold(NAMES[i])))
    long = [k for k, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    assume(long)
    k = draw(st.sampled_from(long))
    slipped = draw(slips(words[k]))
    assume(slipped != words[k])
    return i + 1, " ".join(words[:k] + [slipped] + words[k + 1 :]), slipped


@settings(settings.get_profile("crm"))
@given(case=slipped_names())
def test_one_slip_in_a_long_word_still_resolves(case: tuple[int, str, str]) -> None:
    cid, query, slipped = case
    others = set().union(*(words for k, words in enumerate(WORDS_OF, 1) if k != cid))
    # No other customer has a word as close to the slip (then the slip could be either): the premise.
    assume(all(OSA.distance(slipped, w) > 1 for w in others))
    assume(slipped not in ALL_WORDS)
    r = resolve_in(index(), query)
    assert r.match is not None and r.match.id == cid, f"{query!r} -> {r.matches}"
