"""Company-like names that no customer has ("Met Orchid Florals"), so the engine can offer to create one.

This never decides that a name means an existing customer: that is the resolver's job
(`assistant.customers`). It only finds Title-Case names after words like "with", "met", "for".
"""

from __future__ import annotations

import re

from assistant.reading.types import NewName

# Words that are never (the edge of) a company name; weekdays, months and stage words included.
_EDGE = frozenset(
    ["a", "an", "the", "and", "or", "but", "to", "of", "for", "on", "in", "at", "by", "with", "from", "about", "re", "as", "is", "are", "was", "were", "be", "it", "this", "that", "they", "we", "he", "she", "i", "me", "my", "our", "their", "them", "us", "you", "your", "his", "her", "today", "tomorrow", "yesterday", "tonight", "next", "last", "week", "month", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "lead", "qualified", "proposal", "negotiation", "won", "lost", "call", "called", "meeting", "met", "note", "follow", "up", "quick", "new", "customer", "client", "just", "also", "please", "pls", "mtg", "email", "emailed", "sent", "send"]
)  # noqa: SIM905 - a word list reads best as text
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


def _plain(word: str) -> str:
    return re.sub(r"[^\w&]", "", word.lower())
