"""Customers spotted inside free text: whole words, the resolver's levels, and the cautions of prose."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from tools.name_index import NameIndex
from tools.spotting import spot_in

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "names"
TEXT_CASES = json.loads((FIXTURES / "text_cases.json").read_text())
SECOND = FIXTURES.parent / "names2"


@cache
def index(seed: Path = FIXTURES / "seed.json") -> NameIndex:
    idx = NameIndex()
    for i, c in enumerate(json.loads(seed.read_text())["customers"], 1):
        idx.add_customer(i, c["name"])
        for p in c.get("contacts") or []:
            idx.add_contact(i, p["name"])
    return idx


CASES = [(FIXTURES, c) for c in TEXT_CASES] + [
    (SECOND, c) for c in json.loads((SECOND / "text_cases.json").read_text())
]


@pytest.mark.parametrize(("book", "case"), CASES, ids=[c["text"][:40] for _b, c in CASES])
def test_names_in_sentences(book: Path, case: dict) -> None:
    spots = spot_in(index(book / "seed.json"), case["text"])
    resolved = [s.matches[0].name for s in spots if s.resolved]
    ambiguous = [sorted(m.name for m in s.matches) for s in spots if s.ambiguous]
    if case["ambiguous"]:
        assert ambiguous == [sorted(case["expect"])] and resolved == []
    elif case["unknown"]:
        assert resolved == [] and ambiguous == []
    else:
        assert sorted(resolved) == sorted(case["expect"]) and ambiguous == []


def test_spans_point_at_the_words_that_name_the_customer() -> None:
    text = "Quick one: Orion Dynamics wants the deck"
    [spot] = spot_in(index(), text)
    assert text[spot.start : spot.end] == spot.text == "Orion Dynamics"
    assert spot.how == "exact"


@pytest.mark.parametrize(
    ("text", "unknown", "suggested"),
    [
        ("Met Bramble Labs today, they want a pilot", "Bramble Labs", "Halcyon Labs"),
        ("Orion Dynamics Health called about the pilot", "Orion Dynamics Health", "Orion Dynamics"),
        ("thistle bakery group wants a quote", "thistle bakery group", "Thistle Bakery"),
    ],
)
def test_a_company_that_only_shares_words_is_an_unknown_spot(text: str, unknown: str, suggested: str) -> None:
    spots = spot_in(index(), text)
    assert [s.text for s in spots] == [unknown]
    assert spots[0].unknown and suggested in [m.name for m in spots[0].suggestions]


@pytest.mark.parametrize(
    ("text", "meant", "how"),
    [
        ("thistel bakery wants a quote", "Thistle Bakery", "typo"),
        ("Quick call with Orion Dynamcs", "Orion Dynamics", "typo"),
        ("quill & ink signed!", "Quill & Ink Stationers Ltd", "partial"),
        ("Summit Roofing L.L.C. paid", "Summit Roofing LLC", "exact"),
        ("O'Brien's Hardware reordered", "O'Brien's Hardware", "exact"),
    ],
)
def test_slips_and_partial_names_in_text(text: str, meant: str, how: str) -> None:
    [spot] = [s for s in spot_in(index(), text) if s.matches]
    assert spot.resolved and spot.matches[0].name == meant and spot.how == how


@pytest.mark.parametrize(
    "text",
    [
        "the bakery was closed",  # a word many names use
        "they redlined it",  # an inflection is not a slip
        "we reached the summit",
        "labs are expensive",
    ],
)
def test_ordinary_words_name_no_one(text: str) -> None:
    assert [s for s in spot_in(index(), text) if s.matches] == []


def test_a_very_long_paste_is_read_only_near_its_start() -> None:
    text = "Orion Dynamics: " + "word " * 50_000 + "Thistle Bakery"
    assert [s.matches[0].name for s in spot_in(index(), text)] == ["Orion Dynamics"]


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("Met Orion Dynamic today", "Orion Dynamics"),  # a company-like run reads as the argument would
        ("Lunch with Iron Oak Capitol, they want a quote", "Iron Oak Capital"),
        ("Called Crane Logistic about the depot", "Crane Logistics Limited"),
    ],
)
def test_a_company_like_run_is_read_as_a_tool_argument_would_be(text: str, meant: str) -> None:
    [spot] = [s for s in spot_in(index(), text) if s.matches]
    assert spot.resolved and spot.matches[0].name == meant and spot.how == "typo"


@pytest.mark.parametrize(
    "text",
    [
        "Met with Halcyon Spa today",  # a capitalised suffix after a name without one: another company
        "Call Z. Reed tomorrow",  # an initial that does not fit the contact
    ],
)
def test_a_word_or_initial_that_does_not_fit_makes_the_name_unknown(text: str) -> None:
    idx = NameIndex()
    idx.add_customer(1, "Halcyon Labs")
    idx.add_customer(2, "Zeta Works")
    idx.add_contact(2, "Dr. Tamsin Reed")
    assert [s for s in spot_in(idx, text) if s.matches] == []
