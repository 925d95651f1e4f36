"""Which option an answer picks ("2", "motors", "the media one"): the dialogue's reading of a reply to
a numbered question. Which customer a *name* means is the resolver's job (`assistant.customers`)."""

from __future__ import annotations

from tools.names import normalize


def match_option(answer: str, labels: list[str]) -> int | None:
    """The option an answer picks: its number, or (part of) its label; None when unclear."""

    a = answer.strip().strip(".!?)#").strip()
    if a.isdigit():
        n = int(a)
        return n - 1 if 1 <= n <= len(labels) else None
    words = [
        w
        for w in normalize(a).split()
        if w not in ("the", "one", "a", "at", "of", "it", "is", "that", "please")
    ]
    if not words:
        return None
    hits = [
        i
        for i, label in enumerate(labels)
        if all(any(x.startswith(w) for x in normalize(label).split()) for w in words)
    ]
    return hits[0] if len(hits) == 1 else None
