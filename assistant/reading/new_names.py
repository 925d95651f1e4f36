"""Company-like names that no customer has ("Met Orchid Florals"), so the engine can offer to create one.

This never decides that a name means an existing customer: that is the resolver's job
(`assistant.customers`). It only finds Title-Case names after words like "with", "met", "for".
"""

from __future__ import annotations

import re

from assistant.reading.types import NewName


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that are never (the edge of) a company name; weekdays, months and stage words included.
_EDGE = _words(
    """
a an the and or but to of for on in at by with from about re as is are was were be it this that they
we he she i me my our their them us you your his her today tomorrow yesterday tonight next last week
month monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri
sat sun january february march april may june july august september october november december jan
feb mar apr jun jul aug sep sept oct nov dec lead qualified proposal negotiation won lost call
called meeting met note follow up quick new customer client just also please pls mtg email emailed
sent send
"""
)
_TRIGGER_RE = re.compile(
    r"\b(?:with|met|meet|called|call|emailed|email|for|to|visited|from|at|about|customer|client|lead|saw|w/|@)\s+"
    r"(?:the\s+)?(?P<name>(?:[A-Z0-9][\w'&.-]*)(?:\s+(?:&\s+)?[A-Z0-9][\w'&.-]*){0,4})"
)
_LEADING_RE = re.compile(r"^\s*(?P<name>[A-Z][\w'&.-]*(?:\s+(?:&\s+)?[A-Z][\w'&.-]*){1,4})\b")


def new_names(text: str, taken: list[tuple[int, int]]) -> list[NewName]:
    """Candidate new company names in the first 400 characters, outside spans already taken."""
    head = text[:400]
    out: list[NewName] = []
    for m in list(_TRIGGER_RE.finditer(head)) + list(_LEADING_RE.finditer(head)):
        start, words = m.start("name"), m.group("name").split()
        while words and _plain(words[-1]) in _EDGE:
            words.pop()
        while words and _plain(words[0]) in _EDGE:
            start = head.index(words[0], start) + len(words[0])
            words.pop(0)
        name = " ".join(words).strip(" .,'")
        if not name or len(_plain(name)) < 3 or _plain(name).isdigit():
            continue
        start = head.index(words[0], start)
        end = start + len(name)
        if any(s < end and start < e for s, e in taken) or any(n.start == start for n in out):
            continue
        out.append(NewName(start, end, name))
    return sorted(out, key=lambda n: n.start)


# A lower-case first name is read as a person only where the sentence puts one: after a verb that takes
# a person ("owe nora", "get felix", "chase ivan"), a preposition ("w/ rosa", "to mei"), or before a
# reporting verb or a possessive ("paula asked", "nora's email"). The resolver still decides whom.
_PERSON_BEFORE_RE = re.compile(
    r"(?i)(?:^|\b(?:owe|owes|owed|send|sending|sent|get|got|give|gave|tell|told|call|called|calling|ring|rang"
    r"|ping|pinged|email|emailed|e-mail|text|texted|message|messaged|meet|met|meeting|chase|chased|remind|ask"
    r"|asked|thank|thanked|cc|nudge|nudged|brief|briefed|phone|phoned|promised|update|updated|show|showed"
    r"|with|to|for|from|and|via|by|visit|visited|see|saw|hear|heard|back\s+to|up\s+with|in\s+with|left|leave"
    r"|try|tried|reach|reached|pinging|thanks|congrats|invite|invited|introduce|introduced)\s+"
    r"|(?:^|\s)(?:w/|w|@)\s*)$"
)
_PERSON_AFTER_RE = re.compile(
    r"(?i)^(?:['\u2019]s\b|\s+(?:said|says|asked|asks|wants|wanted|needs|needed|called|rang|emailed|replied"
    r"|wrote|writes|confirmed|mentioned|will|'ll|has|had|texted|messaged|agreed|loved|likes|liked|thinks"
    r"|thought|came|is|was|signed|sent|got|left|says|told|promised|requested|phoned|pinged|approved|owes|back)\b)"
)
_LOWER_WORD_RE = re.compile(
    r"(?<![\w'&/-])([A-Za-z\u00c0-\u00ff][a-z\u00df-\u00ff]{2,14})(?![\w&-]|'[a-z]{2})"
)


def person_words(text: str, taken: list[tuple[int, int]]) -> list[NewName]:
    """Words in a person's place ("owe nora the pricing", "Nora's coming in"): to be tried as contacts."""
    head = text[:400]
    out: list[NewName] = []
    for m in _LOWER_WORD_RE.finditer(head):
        start, end = m.span(1)
        if m.group(1).lower() in _EDGE or any(s < end and start < e for s, e in taken):
            continue
        if _PERSON_BEFORE_RE.search(head[max(0, start - 20) : start]) or _PERSON_AFTER_RE.match(head[end:]):
            out.append(NewName(start, end, m.group(1)))
    return out


def _plain(word: str) -> str:
    return re.sub(r"[^\w&]", "", word.lower())
