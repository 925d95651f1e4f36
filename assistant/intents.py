"""What a rep's message asks for, by rules: record edits and list questions, read before the pipeline.

Reports, promises, outcomes and follow-up edits come out of here as "log"/"stage"/… and are read by
`assistant.pipeline`; only the record edits (contacts, tags, email/phone, new customers) and the list
questions use the slots below.

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
FIELD_RE = _rx(r"""\b(?:(?P<email>e-?mail(?:\s+address)?)|(?P<phone>phone(?:\s+number)?|number|mobile|cell|tel
    |telephone|(?:main|direct|office|land|phone)\s*line|switchboard|landline))\b(?!ed)""")
TAG_ADD_RE = _rx(r"""^\s*(?:please\s+)?(?:tag|label)\s+(?P<customer>.+?)\s+(?:as|with)\s+(?P<tags>.+)$
    |^\s*(?:please\s+)?add\s+(?:the\s+)?(?:tags?|labels?)\s+(?P<tags2>.+?)\s+(?:to
    |on)\s+(?P<customer2>.+)$""")
TAG_REMOVE_RE = _rx(r"""^\s*(?:please\s+)?(?:remove|drop|delete)\s+(?:the\s+)?(?:tags?
    |labels?)\s+(?P<tags>.+?)\s+
    (?:from|on)\s+(?P<customer>.+)$|^\s*untag\s+(?P<customer2>.+?)\s+(?P<tags2>\S+)$""")

FOLLOWUP_WORD = r"fol{1,3}o?w[\s-]*ups?|fol{1,3}o?wups?|reminders?|check[\s-]*ins?|tasks?"
COMPLETE_RE = _rx(rf"""\b(?:done|finished|finish|completed|complete|closed|close|did|ticked?\s+off|tick\s+off
    |checked\s+off|handled|sorted)\b.*\b(?:{FOLLOWUP_WORD})\b
    |\b(?:{FOLLOWUP_WORD})\b.*\b(?:is\s+|are\s+)?(?:done|finished|completed|complete|handled|sorted)\b""")
DROP_FOLLOWUP_RE = _rx(rf"\b(?:cancel|drop|delete|remove|scrap|kill)\b.*\b(?:{FOLLOWUP_WORD})\b")
RESCHEDULE_RE = _rx(rf"""\b(?:move|push|reschedule|postpone|shift|bump|delay|change|defer|slide)\b
    .*\b(?:{FOLLOWUP_WORD})\b|\b(?:{FOLLOWUP_WORD})\b.*\b(?:moved|pushed|rescheduled|postponed)\b
    |^\s*(?:reschedule|postpone|push\s+back|defer)\b""")

STAGE_WORDS = (
    r"lead|leads|new|prospect|qualified|qualify|sql|proposal(?:\s+sent)?|sent\s+proposal|quote(?:\s+sent)?"
    r"|quoted|negotiation|negotiating|negotiations|contract|closed[\s-]+won|close[\s-]+won|won|win|signed"
    r"|closed[\s-]+lost|close[\s-]+lost|lost|dead|churned|deal\s+won|deal\s+lost"
)
STAGE_CMD_RE = _rx(rf"""\b(?P<verb>move|moved|mark|marked|set|put|change|changed|bump|bumped|advance|advanced
    |update|updated|switch|switched|stage|flip|flipped)\b(?P<between>.*?)\b(?:to|as|into|in|->|=|:)\s+
    (?:the\s+)?(?:stage\s+)?(?P<stage>{STAGE_WORDS})\b(?:\s+stage)?""")
STAGE_ARROW_RE = _rx(rf"^(?P<between>.+?)\s*(?:->|→|=>)\s*(?P<stage>{STAGE_WORDS})\s*[.!]*$")
STAGE_IS_RE = _rx(r"""^(?P<between>.+?)\s+(?:is|are|has|have|just|now|went|got|moved)\s+(?:now\s+|just\s+
    |officially\s+|already\s+
    |been\s+|finally\s+)*(?:in\s+|at\s+|to\s+)?(?:the\s+)?(?P<stage>closed[\s-]+won|closed[\s-]+lost
    |signed|won|lost
    |dead|churned|qualified|negotiation|negotiating|proposal)\b(?:\s+stage)?\s*[.!]*$""")
# "Acme signed", "acme corp: closed lost!", "Globex - proposal sent": a name, then only the outcome.
STAGE_SAID_RE = _rx(r"""^(?P<between>.+?)\s*(?:[:\-\u2013\u2014]\s*|\s)(?:just\s+|has\s+|have\s+
    |finally\s+|officially\s+)*
    (?P<stage>signed|closed[\s-]+won|closed[\s-]+lost|proposal\s+sent|quote\s+sent|won|lost|dead
    |churned)\s*[.!]*$""")
# "proposal sent to Globex", "sent the proposal to Acme", "signed Acme", "closed lost: Evergreen".
STAGE_FIRST_RE = _rx(r"""^\s*(?:we\s+|just\s+)*(?P<stage>proposal\s+sent|quote\s+sent|sent\s+(?:the\s+
    |a\s+|our\s+)?proposal
    |closed[\s-]+won|closed[\s-]+lost)\s*(?:to|with|for|:|-|\u2013|\u2014)?\s+(?P<between>.+?)\s*[.!]*$""")
# Words before an outcome that deny or postpone it: "Acme has not signed", "Acme is close to signed".
_NOT_YET_RE = re.compile(
    r"(?i)\b(?:not|never|n't|almost|nearly|close\s+to|to|if|once|when|until|before|might|may"
    r"|could|would|will|should|expect(?:ed|s)?|hope|hoping|about\s+to|yet)\s*[:,-]?\s*$"
)
STAGE_VERB_RE = _rx(r"""^\s*(?:we\s+|just\s+)*(?P<stage>won|lost|signed
    |closed)\s+(?:the\s+)?(?:deal\s+(?:with\s+)?)?
    (?P<between>.+?)(?:\s+deal)?\s*[.!]*$""")

QUESTION_START = (
    r"who|what|what's|whats|which|any|anything|anyone|anybody|show|list|do|does|did|are|is|how|give|get"
    r"|tell|when|where|can|could|pull|display"
)
FOLLOWUPS_Q_RE = _rx(rf"""\b(?:{FOLLOWUP_WORD}|due|overdue|to-?dos?|agenda|need(?:s)?\s+(?:a\s+)?follow|late
    |past\s+due|missed)\b""")
# "kim's follow-ups this week", "overdue follow-ups", "follow-ups for kim": a list asked for without a
# question.
LIST_FOLLOWUPS_RE = _rx(r"""^\s*(?:show\s+(?:me\s+)?|list\s+)?(?:(?:the\s+)?(?:[^\W\d_]+['\u2019]s|my|our
    |team|all|open|overdue
    |upcoming|pending|late)\s+)+(?:follow[\s-]*ups?|followups?|reminders|tasks|to-?dos)\b
    |^\s*(?:show\s+(?:me\s+)?|list\s+)?(?:follow[\s-]*ups|followups|reminders)\s+(?:for|of|due|this|next
    |today|owned
    |overdue)\b""")
# "what does kim have this week?", "what's on my plate today?"
AGENDA_RE = _rx(r"""\bwho\s+(?:do|should|must)\s+(?:i|we)\s+(?:need\s+to\s+|have\s+to\s+)?(?:call|contact
    |chase|ping|email
    |follow\s+up\s+with|get\s+back\s+to)\b|\b(?:have|got)\b.*\b(?:this\s+week|today|next\s+week|tomorrow
    |due)\b|\bon\s+(?:my|\w+['\u2019]s)
    \s+(?:plate|agenda|list)\b""")
_CLAUSE_RE = re.compile(r"[.!?;\n]+\s*|,\s+|\s+[-\u2013\u2014]+\s+")
QUESTION_RE = _rx(rf"^\s*(?:{QUESTION_START})\b|\?\s*$")
PROFILE_RE = _rx(r"""^\s*(?:please\s+)?(?:tell\s+me\s+(?:about|more\s+about)|what\s+do\s+(?:we|i
    |you)\s+know\s+(?:about|on)
    |what(?:'s|\s+is|s)\s+(?:new|up|happening|going\s+on|the\s+latest|the\s+status)\s+(?:with|on|at|for|of)
    |(?:the\s+)?latest\s+(?:on|with|from|for)|brief\s+me\s+(?:on|about)|briefing\s+(?:on|for)
    |info\s+(?:on|about|for)
    |status\s+(?:of|on|for)|catch\s+me\s+up\s+on|remind\s+me\s+(?:about|who)|who\s+is|what\s+about
    |(?:show|give|get|pull\s+up|open)\s+(?:me\s+)?(?:the\s+)?(?:profile|details|card|record|file
    |history)?\s*(?:of|for|on)?
    |profile\s+(?:of|for)?|history\s+(?:of|with|for)|where\s+are\s+we\s+(?:with|on)|how(?:'s|\s+is
    |\s+are)\s+(?:things\s+with\s+)?
    |what\s+did\s+(?:we|i)\s+(?:discuss|talk\s+about)\s+with|summary\s+(?:of
    |for))\s*(?P<rest>.+?)\s*(?:doing|going)?\s*[?.!]*$""")
SEARCH_RE = _rx(r"""(?:\b(?:who|which\s+(?:customers?|clients?|accounts?|companies)|any(?:one|body)
    |what\s+customers?
    |customers?\s+(?:who|that))\b.*?\b(?:mention(?:ed|s)?|talk(?:ed|s)?\s+about|said|say|brought\s+up
    |asked\s+(?:about|for)
    |complain(?:ed|s)?\s+about|rais(?:ed|es)|discuss(?:ed|es)?|wanted|wants|interested\s+in|care[sd]?\s+about
    |spoke\s+about)\s+(?P<topic>.+)
    |^\s*(?:search|find|grep|look\s+for)\s+(?:the\s+|my\s+|our\s+)?(?:notes?|interactions?|timeline
    |history)\s+
    (?:for|about|on|mentioning|with)\s+(?P<topic2>.+)
    |^\s*(?:any\s+)?(?:notes?|interactions?)\s+(?:about|mentioning|on|with|re:?)\s+(?P<topic3>.+))""")
STALE_RE = _rx(r"""\b(?:gone\s+(?:quiet|cold|dark|silent)|go(?:ne)?\s+cold|went\s+(?:quiet|cold|dark)
    |stale|quiet
    |haven'?t\s+(?:we\s+|i\s+)?(?:talked|spoken|heard|contacted|been\s+in\s+touch|reached)
    |have\s+(?:we\s+|i\s+)?not\s+(?:talked|spoken|heard|contacted)
    |no\s+(?:contact|touch|activity|interaction)|not\s+(?:talked|spoken|contacted|touched)|neglected
    |dormant|untouched
    |(?:need|needs)\s+(?:some\s+)?attention|forgotten|ignored|slipping)\b""")
PIPELINE_RE = _rx(
    r"\b(?:pipeline|funnel|forecast|deals?\s+(?:by|per)\s+stage|(?:by|per|each)\s+stage|how\s+many\s+deals)\b"
)
FIND_RE = _rx(r"""^\s*(?:please\s+)?(?:find|search(?:\s+for)?|look\s*up|lookup|look\s+for|where\s+is
    |is\s+there\s+a
    |do\s+we\s+have\s+(?:a\s+)?(?:customer|client|account)?(?:\s+(?:called|named))?)\s+(?:customer\s+
    |client\s+)?
    (?P<query>.+?)\s*[?.!]*$""")
CHANGES_RE = _rx(
    r"\b(?:recent\s+changes|what\s+(?:has\s+)?changed|what\s+did\s+i\s+(?:change|do|log)|change\s*log"
    r"|activity\s+log|audit)\b"
)
MINE_RE = _rx(r"\b(?:my|mine|me|i|i've|i'm)\b")

FOLLOWUP_CUE_RE = _rx(r"""\b(?:fol{1,3}o?w(?:ing)?[\s-]*up|fol{1,3}o?wup|remind\s+me
    |set\s+(?:a\s+)?reminder|reminder|ping|call\s+back
    |callback|call\s+them\s+back|circle\s+back|check\s+in|check\s+back|touch\s+base|reach\s+out|chase
    |nudge|get\s+back\s+to
    |schedule\s+(?:a\s+)?(?:call|meeting|demo|follow[\s-]*up)|book\s+(?:a\s+)?(?:call|meeting|demo))\b""")
IMPERATIVE_RE = _rx(r"""^\s*(?:please\s+|pls\s+|and\s+)?(?:fol{1,3}o?w[\s-]*up|fol{1,3}o?wup|remind\s+me
    |set\s+(?:a\s+)?reminder
    |reminder|ping|call\s+back|callback|circle\s+back|check\s+in|touch\s+base|reach\s+out|chase|nudge
    |get\s+back\s+to
    |schedule|book|call(?!\s+with\b)|ring|phone|email|e-mail|text|visit|meet|send|todo|to-?do|task)\b""")


@dataclass
class Intent:
    """The kind of request and the slots read from its wording."""

    name: str
    slots: dict[str, str] = field(default_factory=dict)


# A message that reads as a question is never logged as a note, whatever else it looks like.
ASKING_RE = _rx(r"""^\s*(?:who|what|what's|whats|which|how|how's|where|why)\b
    |^\s*(?:is|are|do|does|did|can|could|any|anything|anyone|has|have|should|will|when)\b.*\?\s*$""")


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
    if (m := CONTACT_RE.match(t) or CONTACT_IS_RE.match(t)) is not None and not FOLLOWUP_CUE_RE.search(t):
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
    question = bool(QUESTION_RE.search(t))
    if question and (m := SEARCH_RE.search(t)) is not None:
        return Intent("search_notes", {"topic": m.group("topic") or m.group("topic2") or m.group("topic3")})
    if not question and (m := SEARCH_RE.search(t)) is not None and (m.group("topic2") or m.group("topic3")):
        return Intent("search_notes", {"topic": m.group("topic2") or m.group("topic3")})
    clauses = _CLAUSE_RE.split(t)
    if any(COMPLETE_RE.search(c) for c in clauses):
        return Intent("complete_followup", {"status": "done"})
    if any(DROP_FOLLOWUP_RE.search(c) for c in clauses):
        return Intent("complete_followup", {"status": "cancelled"})
    if any(RESCHEDULE_RE.search(c) and not STAGE_CMD_RE.search(c) for c in clauses):
        return Intent("reschedule_followup")
    if question and STALE_RE.search(t):
        return Intent("stale")
    if question and FOLLOWUPS_Q_RE.search(t) and not IMPERATIVE_RE.match(t):
        return Intent("followups")
    if re.fullmatch(
        r"(?i)\s*(?:overdue|due\s+(?:today|this\s+week)|(?:my\s+)?follow[\s-]*ups?|today|this\s+week)\s*[?!.]*",
        t,
    ):
        return Intent("followups")
    if LIST_FOLLOWUPS_RE.match(t) or (question and AGENDA_RE.search(t)):
        return Intent("followups")
    if PIPELINE_RE.search(t) and (question or len(t.split()) <= 4):
        return Intent("pipeline")
    if CHANGES_RE.search(t):
        return Intent("changes")
    if (m := PROFILE_RE.match(t)) is not None and m.group("rest").strip():
        return Intent("profile", {"rest": m.group("rest")})
    if (m := FIND_RE.match(t)) is not None:
        return Intent("find", {"query": m.group("query")})
    if stage := stage_command(t):
        return Intent("stage", stage)
    return Intent("log")


MAX_STAGE_MESSAGE = 1000


def stage_command(t: str) -> dict[str, str] | None:
    """The stage phrase of a message: {'stage': said, 'start': i, 'end': j, 'target_from': k}, or None."""
    # A long paste is a note: outcome phrases are short messages, and the end-anchored patterns below
    # would cost time proportional to the square of the length.
    rules = (
        (STAGE_CMD_RE,)
        if len(t) > MAX_STAGE_MESSAGE
        else (STAGE_CMD_RE, STAGE_ARROW_RE, STAGE_IS_RE, STAGE_VERB_RE, STAGE_FIRST_RE, STAGE_SAID_RE)
    )
    for rx in rules:
        m = rx.search(t[:MAX_STAGE_MESSAGE])
        if m is None:
            continue
        between = m.group("between") or ""
        if rx is STAGE_CMD_RE and re.search(r"(?i)\bfollow[\s-]*up|\bmeeting|\bcall\b", between):
            continue  # "move the follow-up to …" is not a stage
        if rx in (STAGE_SAID_RE, STAGE_IS_RE, STAGE_VERB_RE) and _NOT_YET_RE.search(t[: m.start("stage")]):
            continue  # "Acme has not signed", "close to signed": not an outcome yet
        if rx is STAGE_SAID_RE and not _outcome_of_name(t[: m.start("stage")]):
            continue
        said = " ".join(m.group("stage").lower().replace("-", " ").split())
        if said.startswith("sent "):
            said = "proposal sent"
        return {
            "stage": said,
            "span_start": str(m.start("between")),
            "span_end": str(m.end("between")),
            "whole_start": str(m.start()),
            "whole_end": str(m.end()),
        }
    return None


def _outcome_of_name(before: str) -> bool:
    """'Acme signed', 'Acme: closed lost', 'Met Acme, they signed' — but not 'they need the DPA signed'."""
    head = before.rstrip()
    if re.search(r"[:\-\u2013\u2014]$", head):
        return True
    words = head.split()
    if words and words[-1].lower() in (
        "they",
        "we",
        "finally",
        "just",
        "officially",
        "has",
        "have",
        "he",
        "she",
    ):
        return True
    return 0 < len(words) <= 4 and not re.search(r"(?i)\b(?:the|a|an|their|our|his|her|its)\b", head)


def owner_words(text: str) -> list[str]:
    """Words that may name a rep: "kim's follow-ups", "follow-ups for kim", "what does kim have"."""
    pats = [
        r"\b(\w+)['\u2019]s\b",
        r"\bfor\s+(\w+)\b",
        r"\b(?:does|has|did)\s+(\w+)\s+(?:have|need|got|own)",
        r"\bowned\s+by\s+(\w+)",
        r"\b(\w+)\s+(?:has|have|needs?|owes?)\b",
    ]
    out: list[str] = []
    for p in pats:
        out += [w.lower() for w in re.findall(p, text, re.IGNORECASE)]
    return list(dict.fromkeys(out))
