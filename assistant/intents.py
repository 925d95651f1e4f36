"""The older sentence rules, for what the clause reading does not cover yet: the chat's control words
(help, undo, cancel, greetings) and the record edits (a new customer, a contact, tags, an email or
phone). Everything else — reports, promises, outcomes, follow-up edits, questions — is "log": it goes
to `assistant.pipeline`, which reads the message into clauses and frames.

`classify` looks at the wording only (customers are found by `assistant.customers`, dates by
`tools.dates`). Patterns are compiled once at import; the order of the checks is the priority.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"(?<![\w@])\+?\(?\d[\d ()./-]{5,}\d(?![\w@])")


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.VERBOSE)


HELP_RE = _rx(
    r"^\s*(?:help|\?+|h|commands|menu|what\s+can\s+(?:you|i)\s+do|how\s+does\s+this\s+work"
    r"|how\s+do\s+i\s+use\s+(?:this|you))\s*[?!.]*\s*$"
)
UNDO_RE = _rx(
    r"^\s*(?:undo|revert|undo\s+(?:that|it|the\s+last(?:\s+\w+)?|last(?:\s+\w+)?)|oops,?\s+undo(?:\s+that)?"
    r"|take\s+(?:that|it)\s+back|roll\s*back(?:\s+that)?|scratch\s+that)\s*[.!]*\s*$"
)
CANCEL_RE = _rx(
    r"^\s*(?:cancel|c|no|nope|never\s*mind|nevermind|nvm|forget\s+it|stop|abort|skip|none"
    r"|none\s+of\s+(?:them|these)|quit|exit)\s*[.!]*\s*$"
)
YES_RE = _rx(
    r"^\s*(?:y|yes|yeah|yep|yup|sure|ok|okay|please|please\s+do|do\s+it|go\s+ahead|create(?:\s+it)?"
    r"|yes,?\s+(?:please|create\s+it|do\s+it|add\s+it)|add\s+it|correct|right|confirm)\s*[.!]*\s*$"
)
GREETING_RE = _rx(
    r"^\s*(?:hi|hello|hey|yo|good\s+(?:morning|afternoon|evening)|thanks|thank\s+you|thx|ty"
    r"|cheers)\b[\s!.,]*(?:there|bot|crm)?[\s!.]*$"
)

CREATE_RE = _rx(r"""^\s*(?:please\s+)?(?:add|create|new|make|register|set\s+up)\s+(?:a\s+|an\s+)?(?:new\s+)?
    (?:customer|lead|client|account|company|prospect)\b\s*(?:called|named|:|-)?\s*(?P<rest>.+)$""")
CONTACT_RE = _rx(r"""^\s*(?:please\s+)?(?:add\s+(?:a\s+)?(?:new\s+)?contact:?|new\s+contact:?|add)\s+
    (?P<person>[^,@]+?)\s+(?:as\s+(?:the\s+|a\s+|an\s+|their\s+)?(?P<role>[^,@]+?)\s+)?(?:at|for|to|@|with)\s+
    (?P<customer>[^,;]+?)\s*(?:[,;(]\s*(?P<rest>.*))?$""")
CONTACT_IS_RE = _rx(r"""^\s*(?P<person>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)+)\s+is\s+(?:the\s+)?(?:new\s+)?
    (?P<role>[^,@]+?)\s+(?:at|of|for)\s+(?P<customer>[^,;]+?)\s*(?:[,;(]\s*(?P<rest>.*))?$""")
# "new contact at fjord: Ana Silva, buyer, ana@fjord.example"
CONTACT_AT_RE = _rx(r"""^\s*(?:please\s+)?(?:add\s+(?:a\s+)?)?(?:new\s+)?contact\s+(?:at|for)\s+
    (?P<customer>[^:,;]+?)\s*[:\-\u2013]\s*
    (?P<person>[^,@;(]+?)\s*(?:[,(]\s*(?P<role>[^,@;)]+?)\s*\)?)?\s*(?:[,;]\s*(?P<rest>.*))?$""")
FIELD_RE = _rx(r"""\b(?:(?P<email>e-?mail(?:\s+address)?)|(?P<phone>phone(?:\s+number)?|number|mobile|cell|tel
    |telephone|(?:main|direct|office|land|phone)\s*line|switchboard|landline))\b(?!ed)""")
TAG_ADD_RE = _rx(r"""^\s*(?:please\s+)?(?:tag|label)\s+(?P<customer>.+?)\s+(?:as|with)\s+(?P<tags>.+)$
    |^\s*(?:please\s+)?add\s+(?:the\s+)?(?:tags?|labels?)\s+(?P<tags2>.+?)\s+(?:to
    |on)\s+(?P<customer2>.+)$""")
TAG_REMOVE_RE = _rx(r"""^\s*(?:please\s+)?(?:remove|drop|delete)\s+(?:the\s+)?(?:tags?
    |labels?)\s+(?P<tags>.+?)\s+
    (?:from|on)\s+(?P<customer>.+)$|^\s*untag\s+(?P<customer2>.+?)\s+(?P<tags2>\S+)$""")

FOLLOWUP_CUE_RE = _rx(r"""\b(?:fol{1,3}o?w(?:ing)?[\s-]*up|fol{1,3}o?wup|remind\s+me
    |set\s+(?:a\s+)?reminder|reminder|ping|call\s+back
    |callback|call\s+them\s+back|circle\s+back|check\s+in|check\s+back|touch\s+base|reach\s+out|chase
    |nudge|get\s+back\s+to
    |schedule\s+(?:a\s+)?(?:call|meeting|demo|follow[\s-]*up)|book\s+(?:a\s+)?(?:call|meeting|demo))\b""")


@dataclass
class Intent:
    """The kind of request and the slots read from its wording."""

    name: str
    slots: dict[str, str] = field(default_factory=dict)


def classify(text: str) -> Intent:
    """The intent of one message (before customers and dates are resolved)."""
    t = text.strip()
    if not t:
        return Intent("empty")
    for name, rx in (("help", HELP_RE), ("undo", UNDO_RE), ("cancel", CANCEL_RE), ("greeting", GREETING_RE)):
        if rx.match(t):
            return Intent(name)
    if (m := CREATE_RE.match(t)) is not None:
        return Intent("create_customer", {"rest": m.group("rest")})
    contact = CONTACT_RE.match(t) or CONTACT_IS_RE.match(t) or CONTACT_AT_RE.match(t)
    if (m := contact) is not None and not FOLLOWUP_CUE_RE.search(t):
        slots = {k: v for k, v in m.groupdict().items() if v}
        if not re.match(r"(?i)^\s*(?:a\s+)?(?:tags?|labels?|note)\b", slots.get("person", "")):
            return Intent("add_contact", slots)
    if (m := TAG_REMOVE_RE.match(t)) is not None:
        return Intent(
            "tags",
            {
                "op": "remove",
                "customer": m.group("customer") or m.group("customer2"),
                "tags": m.group("tags") or m.group("tags2"),
            },
        )
    if (m := TAG_ADD_RE.match(t)) is not None:
        return Intent(
            "tags",
            {
                "op": "add",
                "customer": m.group("customer") or m.group("customer2"),
                "tags": m.group("tags") or m.group("tags2"),
            },
        )
    if (f := FIELD_RE.search(t)) is not None and (
        EMAIL_RE.search(t) if f.group("email") else PHONE_RE.search(t)
    ):
        value = EMAIL_RE.search(t) if f.group("email") else PHONE_RE.search(t)
        assert value is not None
        return Intent(
            "update_field",
            {"field": "email" if f.group("email") else "phone", "value": value.group().strip()},
        )
    return Intent("log")
