"""The engine's vocabulary, in one place: interaction kinds, cue words, negation and hedging, and the
shorthand reps type on a phone (f/u, mtg, w/, @, tmrw, wk, EOD, EOW, vm, pls).

Everything here is words and compiled patterns; the stages of `assistant.reading` look them up.
Dates themselves are read by `tools.dates` (which knows tmrw, EOD, EOW); customers by `tools.names`.
"""

from __future__ import annotations

import re
from typing import Literal

from tools._date_rules import NUMBER_WORDS as DATE_NUMBER_WORDS


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.VERBOSE)


# ---- shorthand -----------------------------------------------------------------------------------
# Expanded only where the engine writes its own words (a follow-up description); a note keeps the rep's text.
SHORTHAND: dict[str, str] = {
    "f/u": "follow up",
    "fu": "follow up",
    "fup": "follow up",
    "mtg": "meeting",
    "mtng": "meeting",
    "w/": "with",
    "w/o": "without",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmw": "tomorrow",
    "wk": "week",
    "vm": "voicemail",
    "pls": "please",
    "plz": "please",
    "eod": "end of day",
    "eow": "end of week",
    "b/c": "because",
    "re:": "about",
    "abt": "about",
    "thx": "thanks",
    "appt": "appointment",
    "convo": "conversation",
    "prop": "proposal",
}
_SHORT_RE = re.compile(
    r"(?<![\w/])(" + "|".join(re.escape(k) for k in sorted(SHORTHAND, key=len, reverse=True)) + r")(?![\w/])",
    re.IGNORECASE,
)


def expand_shorthand(text: str) -> str:
    """'mtg w/ lars' -> 'meeting with lars' (for descriptions the engine composes)."""
    out = _SHORT_RE.sub(lambda m: SHORTHAND[m.group(1).lower()], text)
    out = re.sub(r"(?i)(?<![\w/])w\s+(?=[^\W\d_])", "with ", out)  # "f/u w ivan"
    return re.sub(r"\s+@\s+", " at ", out)


# ---- interaction kinds ---------------------------------------------------------------------------
# (kind, pattern) in priority order: a message with "met" and "call" is a meeting.
KIND_CUES: list[tuple[str, re.Pattern[str]]] = [
    (
        "meeting",
        _rx(r"""\b(?:met|meet(?:ing)?s?|mtgs?|mtng|had\s+(?:a\s+)?(?:coffee|lunch|dinner|breakfast|drinks)
        |coffee|lunch|dinner|breakfast|drinks|visited|site\s+visit|on-?site|sat\s+down|demo(?:'?d|ed)?
    |walkthrough
        |workshop|presented|in\s+person|face\s+to\s+face|zoom|teams\s+call|video\s+call|tour)\b"""),
    ),
    (
        "call",
        _rx(r"""\b(?:called|calls?|phoned|rang|ringing|spoke|spoken|talked|chatted|on\s+the\s+phone
    |off\s+the\s+phone
        |phone\s+with|on\s+a\s+call|hung\s+up|voicemail
        |vm|left\s+(?:a\s+)?(?:message|vm)|dialed|phone\s+call)\b"""),
    ),
    (
        "email",
        _rx(r"""\b(?:emailed|e-mailed|e-?mails?|sent\s+(?:an?\s+)?(?:e-?mail|mail)|replied|wrote|inbox
        |mailed|forwarded|dm'?d|messaged|texted)\b"""),
    ),
]
# Kind cues that are the act itself (a verb), not a topic: "emailed … about the demo" is an email.
KIND_VERB_RE = _rx(r"""met|visited|phoned|rang|called|spoke|spoken|talked|chatted|emailed|e-mailed|mailed
    |texted|messaged
    |replied|wrote|dm'?d|sat\s+down|had\s+(?:a\s+)?(?:coffee|lunch|dinner|breakfast|drinks)""")
# Before a kind word, these make it the event asked for ("they want a demo"), not what happened.
WANTED_BEFORE_RE = _rx(r"""\b(?:wants?|wanted|wanna|asked\s+for|asking\s+for|requested|requests?
    |would\s+(?:like|love)|['\u2019]d\s+(?:like|love)|like\s+to\s+have|needs?|keen\s+on|up\s+for|open\s+to|pushing\s+for
    |(?:asked|offered|invited|hoping|hoped|planning|planned|wants?|wanted|needs?|needed)\s+(?:(?:us|me|them)\s+)?to)
    \s+(?:(?:to\s+)?(?:have|do|book|set\s+up|schedule|get)\s+)?(?:a|an|another|the|some|one\s+more)?\s*
    (?:(?:quick|short|proper|follow[\s-]*up|intro|second|live|product|site|virtual|zoom|phone)\s+)?$""")
# What a correction says the last interaction was: "that one was in person, not a call".
KIND_WORDS: dict[str, Literal["note", "call", "meeting", "email"]] = {
    "meeting": "meeting",
    "mtg": "meeting",
    "in person": "meeting",
    "in-person": "meeting",
    "visit": "meeting",
    "face to face": "meeting",
    "lunch": "meeting",
    "coffee": "meeting",
    "call": "call",
    "phone call": "call",
    "phone": "call",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "note": "note",
}
KIND_WORD_RE = _rx(
    r"\b(?:in[\s-]person|face\s+to\s+face|phone\s+call|meeting|mtg|visit|lunch|coffee|call|phone"
    r"|e-?mail|mail|note)\b"
)

# ---- planned events: a future-dated one of these is something the rep attends --------------------
EVENT_RE = _rx(r"""\b(?:call|calls|meeting|meetings|mtg|mtng|demo|demos|walkthrough|walk-through|tour
    |site\s+visit|visit|on-?site
    |lunch|coffee|dinner|breakfast|drinks|presentation|pitch|workshop|training|onboarding|kick-?off|review
    |check-?in|catch-?up|webinar|interview|appointment|appt|session|sync|standup|call\s+back|callback
    |zoom|kick-?off
    |go-?live|launch|install|installation|delivery|signing|renewal\s+call)\b""")
# "booked", "set for", "on for": a plan, so its date is in the future.
PLAN_RE = _rx(r"""\b(?:booked|scheduled|set\s+(?:up\s+)?for|set\s+up|planned|lined\s+up|on\s+for
    |confirmed\s+for
    |(?:i'?m|we'?re|i\s+am|we\s+are)\s+(?:meeting|seeing|visiting|calling|demoing|presenting|having|going\s+to\s+see)
    |(?:seeing|visiting)\s+(?:us|me|(?:the|our)\s+(?:office|shop|store|site|warehouse|showroom|team|factory))\b
    |(?<!\bwere\s)(?<!\bwas\s)(?<!\bis\s)(?<!\bare\s)(?<!'s\s)(?<!'re\s)(?<!\u2019s\s)(?<!\u2019re\s)(?:seeing|visiting|catching\s+up\s+with|having\s+(?:lunch|coffee|dinner|drinks|breakfast
    |a\s+call|a\s+meeting|a\s+demo|a\s+catch-?up)\s+with|popping\s+in|dropping\s+by|stopping\s+by|swinging\s+by
    |heading\s+(?:over|out)\s+to)
    |(?:is|are|'s|'re)\s+coming\s+(?:in|over|by|round|around|to\s+(?:the\s+|our\s+)?(?:office|shop|store|site))
    |arranged|penciled|pencilled|locked\s+in|agreed\s+(?:on|to)|invite\s+sent)\b""")

# ---- promises: something the rep must do ---------------------------------------------------------
# A clause with one of these and a future date is a follow-up; without a date the engine asks when.
FOLLOWUP_CUE_RE = _rx(r"""\b(?:fol{1,3}o?w(?:ing)?[\s-]*up|fol{1,3}o?wup|f/u|remind\s+me
    |set\s+(?:a\s+)?reminder|(?<![^\W\d_]\s)reminder(?!\s+(?:program|programme|emails?|texts?|sms|system|service
    |feature|campaign|tool|app|letters?|calls?|messages?|notifications?))
    |ping|call\s+(?:them\s+|him\s+|her\s+)?back|callback|circle\s+back|check\s+(?:in|back)|touch\s+base
    |reach\s+out|chase
    |nudge|get\s+back\s+to|pick\s+(?:this|it|that)\s+up\s+again|revisit|follow\s+through
    |pick\s+up\s+(?:the|our|this|that)\s+(?:conversation|thread|discussion|talks?)
    |pick\s+(?:the|our)\s+(?:conversation|thread|discussion|talks?)\s+(?:back\s+)?up
    |resume\s+(?:the\s+|our\s+)?(?:conversation|thread|discussion|talks)
    |try\s+(?:him|her|them|again)|try\s+\w+\s+again)\b""")
# A clause that only marks what follows as the rep's to-do ("todo - call acme friday", "task: …"): no news.
TASK_MARKER_RE = _rx(r"""^\W*(?:todo|to-?do|to\s+do|tasks?|action(?:\s+items?)?|a/i|ai|note\s+to\s+self
    |reminder\s+to\s+self|remember|don'?t\s+forget)\W*$""")
# Where a clause's second action begins: "send X the deck by friday and book a call for the 10th".
AND_THEN_RE = _rx(
    r"""\s*(?:,\s*)?(?:\band|&|\bplus|\bthen|\balso)\s+(?:then\s+|also\s+)?|\s*[,;]\s*(?:then\s+|also\s+)?"""
)
# Their request reported, which is also worth logging: "Acme wants 200 bags by the end of the quarter".
REQUEST_CUE_RE = _rx(
    r"^(?:wants?|needs?|asked\s+for|asking\s+for|expects?|expecting|requested|would\s+(?:like|love)"
    r"|['\u2019]d\s+(?:like|love))$"
)
PROMISE_RE = _rx(r"""\b(?:send|resend|share|email|mail|deliver|prepare|draft|write\s+up|put\s+together
    |get\s+(?:them|him|her)
    |owe|owes|need\s+to|needs\s+to|have\s+to|has\s+to|must|promised|will|i'll|we'll|ill|gonna|going\s+to
    |to\s+do
    |todo|to-do|needs|need|wants|want|asked\s+for|asking\s+for|expects?|expecting|due
    |(?<!\bi\s)(?<!\bwe\s)would\s+(?:like|love)(?!\s+to\b)|(?<![iI])['\u2019]d\s+(?:like|love)(?!\s+to\b))\b""")
# The rep's own obligation: makes its clause a plan even beside a past verb
# ("promised rosa the schedule thurs").
OBLIGATION_RE = _rx(r"""\b(?:promised|owe|owes|need\s+to|needs\s+to|have\s+to|has\s+to|must|gotta
    |got\s+to|i'll|we'll
    |i\s+will|we\s+will|i'm\s+(?:going\s+to|gonna|sending|calling|meeting|seeing|visiting|dropping)
    |(?:i'm|i\s+am|we're|we\s+are)\s+to|(?:i|we)\s+(?:should|ought\s+to|need\s+to)
    |gonna)\b""")
# The rep telling the engine to do something: "remind me to…", "call Acme Friday", "send Dana the deck".
IMPERATIVE_RE = _rx(r"""^\s*(?:please\s+|pls\s+|and\s+|also\s+|then\s+)?(?:fol{1,3}o?w[\s-]*up
    |fol{1,3}o?wup|f/u|remind\s+me
    |set\s+(?:a\s+)?reminder|reminder|ping|call\s+back|callback|circle\s+back|check\s+in|touch\s+base
    |reach\s+out|chase
    |nudge|get\s+back\s+to|schedule|book|re-?book|call(?!\s+with\b)|ring|phone|email|e-mail|text|visit|meet|send
    |get(?!\s+(?:back|in|on|off|up|out|going|started|it)\b)|give
    |todo|to-?do
    |task|pick\s+(?:this|it)\s+up)\b(?!\s+(?:from|with|went|was|is|came))""")
THEIR_PROMISE_RE = _rx(
    r"^\s*(?:and\s+)?(?:they|he|she|(?-i:[A-Z][a-z]+))\s+(?:will|'ll|is\s+going\s+to|are\s+going\s+to|promised\s+to"
    r"|said\s+they'?d|to\s+send)\b"
)

THIRD_PERSON_RE = _rx(r"(?:they|he|she)\b")
# What the customer's own 'will' sounds like right after their name: "Helios will sign", "Acme's going to".
WILL_RE = _rx(r"(?:(?<=\w)'ll|\bwill|\bis\s+going\s+to|\bare\s+going\s+to)\b")
# Words that may stand between who did something and the deed: "Lumière has just sent over the brief".
DOING_FILLERS = frozenset({"has", "have", "had", "just", "already", "finally", "also"})
# The rep's own promise of an action at a clause's start: "I'll get the onboarding pack over to Lumen".
PLEDGE_RE = _rx(r"""\s*(?:and\s+|also\s+|then\s+)?(?:i'll|we'll|i\s+will|we\s+will|i'm\s+to|i\s+am\s+to
    |we're\s+to
    |i'm\s+going\s+to|we're\s+going\s+to)\s+(?!be\b|say\b|admit\b|tell\s+you\b|keep\b|let\s+you\b)
    (?:get|send|bring|drop|share|email|mail|deliver|prepare|draft|write|put|have|call|ring|phone|book
    |schedule|set\s+up|chase|confirm)\b""")
# The rep's obligation said outright: "I owe her the SLA draft", "remind me to …", "need to chase …".
OWED_RE = _rx(r"""\b(?:owe|owes|remind\s+me|need\s+to|have\s+to|must|gotta|got\s+to|ought\s+to
    |(?:i|we)\s+should|(?:i'm|we're|i\s+am|we\s+are)\s+(?:gonna|going\s+to))\b""")
# What the customer asked for, before a promise that says 'it': "she wants a quote. I'll have it to her …".
ASKED_FOR_RE = _rx(r"""\b(?:wants?|wanted|needs?|needed|asked\s+(?:us\s+)?for|asking\s+for|requested
    |would\s+like)\s+
    (?:a|an|the|some|our|a\s+new)\s+(?P<thing>[a-z][\w-]*(?:\s+(?!by\b|on\b|for\b|from\b|and\b|to\b)[a-z][\w-]*)?)
    \s*(?=[.,;:!?]|$|\s+(?:and\s+)?(?:i|we)(?:'ll|\s+will)\b)""")
THEY_WILL_RE = _rx(
    r"\b(?:they|he|she)(?:'d|'ll|\s+will|\s+would|\s+are\s+going\s+to|\s+is\s+going\s+to|\s+promised\s+to)\b"
)

# ---- part of the day: the time a follow-up gets when only the part of the day is said ----------------
# (tools.dates keeps "tomorrow morning" a date; a rep's "first thing Monday" still means a time to act.)
PART_OF_DAY: tuple[tuple[re.Pattern[str], tuple[int, int]], ...] = (
    (_rx(r"\b(?:first\s+thing|early|(?:in\s+the\s+)?morning|a\.?m\.?(?!\w))"), (9, 0)),
    (_rx(r"\b(?:noon|midday|lunch\s*time|lunchtime|around\s+lunch)\b"), (12, 0)),
    (_rx(r"\b(?:afternoon|p\.?m\.?(?!\w))"), (14, 0)),
    (_rx(r"\b(?:eod|cob|end\s+of\s+(?:the\s+)?(?:day|business)|close\s+of\s+(?:play|business))\b"), (17, 0)),
    (_rx(r"\b(?:evening|tonight)\b"), (18, 0)),
)
# Where the part of the day is said around a date: "first thing tomorrow", "friday in the afternoon".
PART_BEFORE_RE = _rx(r"(?:first\s+thing|early|eod|cob|end\s+of\s+(?:the\s+)?day)\s+(?:on\s+)?$")
PART_AFTER_RE = _rx(
    r"\s*(?:in\s+the\s+|at\s+|around\s+|by\s+)?(?:morning|afternoon|evening|noon|midday|lunch(?:\s*time)?"
    r"|first\s+thing|eod|cob|end\s+of\s+(?:the\s+)?day)\b|\s*[ap]\.?m\.?(?!\w)"
)
# "ping holly first thing": with no day said, first thing is the next morning.
FIRST_THING_RE = _rx(r"\bfirst\s+thing\b(?:\s+in\s+the\s+morning)?")

# ---- tense of a clause ---------------------------------------------------------------------------
PAST_RE = _rx(r"""\b(?:met|called|rang|phoned|spoke|talked|chatted|had|was|were|did|went|sent|emailed
    |visited|discussed
    |said|told|asked|mentioned|wanted|agreed|confirmed|got|received|heard|left|saw|came|demoed|presented
    |wrote|spoken|gave|took|brought|showed|ran|sat|caught\s+up|dropped\s+by|stopped\s+by|swung\s+by|rung
    |yesterday|yday|yest|ago|last|earlier|this\s+morning|this\s+am|this\s+a\.m\.|first\s+thing\s+today)\b
    |\b\w{3,}ed\b""")
FUTURE_RE = _rx(r"""\b(?:will|'ll|going\s+to|gonna|need\s+to|needs\s+to|have\s+to|has\s+to|must|should
    |owe|owes|by|before
    |due|until|till|next|tomorrow|tmrw|tmr|upcoming|coming|booked|scheduled|planned|set\s+for|on\s+for
    |lined\s+up
    |want\s+to|wants|plan\s+to|later|send|remind|follow|ping|chase|check\s+back|circle\s+back
    |pick\s+\w+\s+up)\b""")

# ---- stage outcomes ------------------------------------------------------------------------------
# Outcome phrasings and the stage each implies (the stage must also be configured to apply).
OUTCOMES: list[tuple[str, re.Pattern[str]]] = [
    (
        "won",
        _rx(r"""\b(?:signed(?!\s+off)|sign(?:s|ing)?(?!\s+off)|inked|closed[\s-]+won|close[\s-]+won
    |closed\s+the\s+deal|won(?!'t)|is\s+a\s+go
        |are\s+a\s+go|it'?s\s+a\s+go|green[\s-]?lit|gave\s+(?:us\s+)?the\s+green\s+light|said\s+yes
    |accepted\s+(?:the|our)
        |deal\s+done|done\s+deal|they'?re\s+in|placed\s+(?:the|an|their)\s+order|countersigned
    |verbal(?:ly)?\s+(?:yes|ok|okay|agreement|agreed|commit(?:ment|ted)?|go)|green[\s-]?light(?:ed)?|greenlit
    |po\s+(?:received|came\s+in))\b"""),
    ),
    (
        "proposal",
        _rx(r"""\b(?:(?:proposal|quote|offer)\s+(?:is\s+|was\s+)?(?:sent|out|submitted|delivered)
        |(?:sent|submitted|delivered|emailed)\s+(?:the\s+|a\s+|our\s+|them\s+the\s+|them\s+a\s+
    |over\s+the\s+)?(?:proposal|quote))\b"""),
    ),
    (
        "lost",
        _rx(r"""\b(?:lost(?!\s+(?:track|touch|contact|the\s+(?:file|paperwork|link|thread)|my|our|power
    |signal))|lose
        |closed[\s-]+lost|close[\s-]+lost|dead|churned|passed\s+on|(?:went|gone|going)\s+with\s+(?:a\s+
    |an\s+|the\s+)?
        (?:competitor|cheaper|different|other|another|rival|someone|in-?house)|chose\s+(?:a\s+|an\s+
    |the\s+)?(?:competitor
        |cheaper|different|other|another|rival|someone)
        |(?:went|gone|going|opted|decided\s+to\s+go)\s+(?:with|for)\s+(?:\w[\w.&'-]*\s+){1,3}?
        (?:in\s+the\s+end|instead|after\s+all|over\s+us)
        |(?:went|gone|opted|decided\s+to\s+go|chose\s+to\s+go)\s+(?:with|for)\s+(?-i:[A-Z])[\w.&'-]*
        (?:\s+(?-i:[A-Z])[\w.&'-]*)*(?=\s*(?:[.!,;]|$))
        |(?:chose|picked|selected)\s+(?-i:[A-Z])[\w.&'-]*(?:\s+(?-i:[A-Z])[\w.&'-]*)*\s+(?:over\s+us|instead)
        |said\s+no|declined|walked\s+away|(?:pulled|backed)\s+out(?!\s+of\s+(?:the\s+|their\s+|our\s+|this\s+
    |tomorrow['\u2019]s\s+|today['\u2019]s\s+|\w+day['\u2019]s\s+|next\s+week['\u2019]s\s+)?(?:call|meeting|mtg|demo|visit
    |lunch|coffee|dinner|presentation|workshop|webinar|session|review|tour|kick-?off|trade\s+show|event|expo))
    |not\s+moving\s+forward
    |no\s+longer\s+interested
        |(?:isn't|aren't|is\s+not|are\s+not)\s+interested(?!\s+in\b)
        |not\s+interested(?!\s+in\b)|killed\s+the\s+deal|no\s+deal)\b"""),
    ),
]
# Inside / after a lost outcome, who won instead: "went with GreenCo", "lost them to a cheaper vendor".
WINNER_IN_RE = _rx(r"""\b(?:with|for|chose|picked|selected)\s+
    (?P<w>(?:a\s+|an\s+|the\s+)?[\w&'.-]+(?:\s+(?!in\b
    |instead\b|after\b|over\b)[\w&'.-]+){0,3}?)(?=\s+(?:in\s+the\s+end|instead|after\s+all|over\s+us)|\s*$)""")
WINNER_AFTER_RE = _rx(r"""(?:\s+(?!to\b)[\w'-]+){0,3}?\s+to\s+
    (?P<w>(?:a\s+|an\s+|the\s+)?[\w&'.-]+(?:\s+(?!on\b
    |for\b|in\b|because\b|after\b|over\b)[\w&'.-]+){0,3}?)(?=\s*(?:[.!,;]|$|\s+(?:on|for|in|because|after|over)\b))""")
# An outcome said with these words before it has not happened (yet): "won't sign until", "hoping they sign".
NEGATION_RE = _rx(r"""\b(?:not|never|no|n't|won't|wont|don't|didn't|doesn't|hasn't|haven't|isn't|aren't
    |wasn't|yet|until|unless
    |without)\b
    |\b(?:has|have|had|did|does|do|is|are|was|were|could|would|should|ca|wo)n['’]?t\b""")
HEDGE_RE = _rx(r"""\b(?:hope|hoping|hopefully|might|may|maybe|could|would|should|likely|probably|expect
    |expecting|expected
    |if|once|when|whether|close\s+to|about\s+to|almost|nearly|ready\s+to|want\s+to|wants\s+to|plan\s+to
    |going\s+to|gonna
    |will|'ll|fingers\s+crossed|aim|aiming|soon|next\s+week|tomorrow|before|after|need|needs|to\s+sign
    |to\s+be\s+signed)\b""")
# A stage command: "move Acme to proposal", "mark Globex as won", "Acme -> negotiation".
STAGE_CMD_RE = _rx(r"""\b(?:move|moved|mark|marked|set|put|change|changed|bump|bumped|advance|advanced
    |update|updated
    |switch|switched|flip|flipped|progress|progressed)\b""")
STAGE_MARKER_RE = _rx(r"""(?:\b(?:to|as|into|in|at|now)\s+(?:the\s+)?(?:stage\s+)?$|(?:->|→|=>|:|-|–|—)\s*$
    |\b(?:is|are|now|went|got|just|officially|finally|stage)\s+$)""")

# ---- follow-up edits -----------------------------------------------------------------------------
DONE_RE = _rx(r"""(?:✅|✔️?|☑️?|\b(?:done|sent|sent\s+over|delivered|shared|submitted|finished|completed|chased
    |complete|handled
    |sorted|took\s+care\s+of|taken\s+care\s+of|confirmed|emailed|mailed|got\s+(?:them|him|her)
    |gave\s+(?:them|him|her)
    |answered|did|closed\s+out|wrapped\s+up|ticked\s+off|checked\s+off|knocked\s+out|went\s+(?:out|over|off)
    |went\s+to|is\s+out|are\s+out|out\s+the\s+door|sent\s+off|dispatched|posted|handed\s+over|dropped\s+off
    |(?:tick|check|cross|strike)\s+(?:that|it|this|them)\s+off|(?:mark|marked)\s+(?:that|it
    |this)\s+(?:as\s+)?done
    |all\s+set|taken\s+care)\b)""")
CANCEL_RE = _rx(r"""\b(?:cancel|cancelled|canceled|drop|dropped|scrap|scrapped|forget|kill|delete|remove
    |skip|ditch
    |no\s+need|not\s+needed|no\s+longer\s+needed|don't\s+need|doesn't\s+need|call\s+off|called\s+off
    |off\s+the\s+table|fell\s+through|(?:pulled|backed)\s+out\s+of|bailed\s+on)\b""")
# A plan reported as called off ("… but it got cancelled", "the demo fell through", "they cancelled on us"):
# what was planned is no follow-up, and no meeting took place.
CALLED_OFF_RE = _rx(r"""\b(?:(?:got|was|were|been|is|are|now|['\u2019]s)\s+(?:now\s+)?(?:cancell?ed
    |called\s+off|scrapped|dropped|pulled)
    |(?:is|are|['\u2019]s)\s+(?:now\s+)?off(?=\s*(?:$|[.!,;]|\s+(?:now|again|for\s+now)\b))|fell\s+through|didn'?t\s+happen|did\s+not\s+happen|never\s+happened
    |no[\s-]?showed|was\s+a\s+no[\s-]?show|cancell?ed\s+on\s+(?:me|us)|bailed\s+on|(?:pulled|backed)\s+out\s+of
    |postponed(?:\s+[\w'\u2019]+){0,3}\s+indefinitely|(?:put|is|was)\s+on\s+hold
    |(?:cancell?ed|bailed|pulled\s+out)(?=\s*(?:$|[.!,;]|\s+(?:last|at|this|today|yesterday|again)\b)))""")
# What a called-off phrase is about when it refers back to the plan: "but it got cancelled", "the demo fell
# through", "they cancelled on us".
REFERS_BACK_RE = _rx(
    r"^\s*(?:but|and|though|however|then|so)?\s*(?:it|that|this|which|they|she|he|we"
    r"|the\s+(?:call|meeting|mtg|demo|visit|site\s+visit|lunch|coffee|dinner|breakfast|drinks|presentation"
    r"|pitch|workshop|walkthrough|tour|appointment|appt|session|sync|check-?in|catch-?up|review|kick-?off"
    r"|whole\s+thing|plan))?\s*$"
)
MOVE_RE = _rx(r"""\b(?:move|moved|push|pushed|postpone|postponed|reschedule|rescheduled|bump|bumped|delay
    |delayed|shift
    |shifted|defer|deferred|slide|slip|slipped|snooze|snoozed|give|another|(?<![\w-])back(?![\w-])|later
    |forward|earlier(?!\s+(?:today|this\s+(?:morning|week|afternoon)|on\b)))\b""")
# The verbs of MOVE_RE that always move something to a new date ahead ("back", "give", "later" may not).
MOVE_VERB_RE = _rx(r"""(?:move|moved|push|pushed|postpone|postponed|reschedule|rescheduled|bump|bumped|delay
    |delayed|shift|shifted|defer|deferred|slide|slip|slipped|snooze|snoozed)""")
# "another week", "back two days", "a week later", "by 3 days": a shift of the follow-up's own date.
SHIFT_RE = _rx(r"""\b(?:another|one\s+more|an\s+extra|a\s+further|back|by|out|forward
    |ahead)\s+(?:(?P<n>\d+|a|an|one|two|three
    |four|five|six|seven|couple\s+of|few)\s+)?(?P<unit>days?|weeks?|wks?|months?)\b
    |\b(?P<n2>\d+|a|an|one|two|three|four|five|six|seven)\s+(?:more\s+|extra\s+)?(?P<unit2>days?|weeks?
    |wks?|months?)
    \s+(?:later|back|out|more)\b|\b(?P<n3>\d+|one|two|three|four|five|six|seven)\s+(?:more
    |extra)\s+(?P<unit3>days?|weeks?|wks?)\b""")
# "push the call two days", "move the demo a week": a moving verb, a few words, then by how much.
MOVE_BY_RE = _rx(r"""\b(?:push|pushed|move|moved|bump|bumped|slide|slip|shift|shifted|delay|delayed|postpone
    |postponed|kick|kicked|snooze|snoozed)\b(?:\s+(?!\d)[\w'&-]+){0,5}?\s+(?P<n>\d+|a|an|one|two|three|four|five|six|seven
    |couple\s+of|couple|few)\s+(?P<unit>days?|weeks?|wks?|months?)\b(?!\s+(?:ago|earlier|before))""")
NUMBER_WORDS = {**DATE_NUMBER_WORDS, "couple of": 2, "couple": 2, "few": 3}
FOLLOWUP_WORD_RE = _rx(
    r"\b(?:fol{1,3}o?w[\s-]*ups?|fol{1,3}o?wups?|f/u|reminders?|check[\s-]*ins?|tasks?|to-?dos?)\b"
)

# ---- questions -----------------------------------------------------------------------------------
TAG_QUESTION_RE = _rx(r"""(?:,\s*|\s)(?:right|correct|no|yes|yeah|isn'?t\s+it|aren'?t\s+they|is\s+it
    |hasn'?t\s+it|has\s+it
    |have\s+they|haven'?t\s+they|did\s+they|didn'?t\s+they|don'?t\s+they|do\s+they|won'?t\s+they|wasn'?t\s+it
    |isn'?t\s+that\s+so
    |ok|yeah\?)\s*\?+\s*$""")
# A negative tag asks even without its '?': "we lost them didn't we", "that was the budget email, wasn't it",
# "still at proposal isnt it" (typed without the apostrophe), "nobody's followed up yet right".
BARE_TAG_RE = _rx(r"""(?:,\s*|\s)(?:isn'?t|aren'?t|wasn'?t|weren'?t|didn'?t|don'?t|doesn'?t|hasn'?t|haven'?t
    |won't|right|yeah|correct)
    \s+(?:it|they|we|he|she|you|i|that|there|so)?\s*[.!]*\s*$|,\s*(?:right|yeah|correct)\s*[.!]*\s*$
    |(?:,\s*|\s)(?:isn't|aren't|wasn't|didn't|hasn't|haven't)\s*[.!]*\s*$
    |\b(?:yet|still|now|already|then|again|too|though)\s+(?:right|yeah|correct)\s*[.!]*\s*$
    |(?<!\bwent)(?<!\bgo)(?<!\bgoes)(?<!\bgoing)(?<!\bturned)(?<!\bworked)(?<!\bdone)(?<!\bdid)(?<!\bgot)
    (?<!\ball)(?<!\bturn)(?<!\bthat's)(?<!\bjust)(?<!\bthats)(?<!\bleft)(?<!\bhim)(?<!\bher)(?<!\bthem)
    \s+(?:right|correct|yeah|yea|yep)\s*[.!]*\s*$""")
# "pine street dental hasn't signed yet has it": a positive tag after a negative statement asks too.
NEGATIVE_THEN_TAG_RE = _rx(r"""\b(?:(?:is|are|was|were|has|have|had|do|does|did|wo|ca|could|would|should)n'?t
    |not|never|no)\b.*(?<!\bi)(?<!\byou)(?<!\bhe)(?<!\bshe)(?<!\bit)(?<!\bwe)(?<!\bthey)(?<!\bwho)
    (?<!\bthat)(?<!\bwhat)(?<!\bwhy)(?<!\bhow)
    (?:\s(?:has|have|is|are|was|were|did|does|do|will|can|could|would)\s+(?:they|he|she|we|you)
    |\s(?:is|was)\s+it
    |(?:,|\syet|\sstill|\salready|\sthough)\s*(?:has|did|does|will|can|could|would)\s+it)\s*[.!]*\s*$""")
# "Lumen Optics is still at proposal": a short claim that nothing changed reads as a check of it.
STILL_CHECK_RE = _rx(r"""^\s*[^,;.!?]{2,60}?(?:\s+is|\s+are|['\u2019]s|['\u2019]re)\s+still\s+(?:just\s+)?
    (?:at|in|on|a|an)?\s*(?:the\s+)?[\w-]+(?:\s+stage)?\s*[.!]*\s*$""")
# "nobody's followed up with fjord yet", "no one has called delta this week": a check, asked as a statement.
NOBODY_RE = _rx(r"""\s*(?:nobody|no\s*one|noone|no-one)(?:['\u2019]s|\s+has|\s+have|\s+had|\s+ever)?\s+
    (?:\w+\s+){0,2}?(?:followed|called|contacted|spoken|talked|emailed|reached|heard|been|got|rung|rang|seen|met)\b""")
# A message that starts like a command is not a question even with "?": "can you remind me to…" is a request.
REQUEST_RE = _rx(r"""^\s*(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:remind|log|note|add|set
    |schedule|move|mark|book
    |put|record|create|make|follow|cancel|drop|push|change|update)\b""")
LAST_CONTACT_RE = _rx(r"""\b(?:last\s+(?:time|contact|touch|spoke|talked|heard|call|meeting|email
    |interaction|met|called|emailed|contacted|saw|visited|chatted|caught\s+up|pinged)|when\s+did
    |latest\s+(?:contact|interaction)|spoken\s+to|talked\s+to|heard\s+from|gotten\s+back|got\s+back
    |get\s+back|been\s+in\s+touch
    |reached\s+out|contacted|called\s+back|followed\s+up)\b""")
STAGE_Q_RE = _rx(
    r"""\b(?:stage|still|closed|signed|won|lost|in\s+proposal|at\s+proposal|status|where\s+(?:are|is)|deal)\b"""
)
PHONE_Q_RE = _rx(r"\b(?:number|phone|mobile|cell|tel|telephone|ring|reach)\b")
EMAIL_Q_RE = _rx(r"\b(?:e-?mail|address|mail)\b")
CONTACT_Q_RE = re.compile(
    r"(?i)\b(?:contacts?|who(?:'s|\s+is|\s+are)\s+(?:our|the|my|their)\s+(?:main\s+)?(?:contacts?|person|people|guy)"
    r"|who\s+(?:do|should|can|would)\s+(?:we|i)\s+(?:deal|talk|speak|work)\s+(?:with|to)"
    r"|who\s+(?:to\s+)?(?:call|ask|talk\s+to|email)\s+at|who\s+works\s+(?:at|for)|people\s+at)\b"
)
# "anything still open with X?", "what do we still owe Helios": the open follow-ups are asked for.
OPEN_ITEMS_RE = _rx(r"""\b(?:open|outstanding|pending|owe|owed|owing|left\s+to\s+do|to-?dos?
    |on\s+the\s+(?:list|books)
    |still\s+(?:to\s+do|due|waiting|on\s+us)|(?:do|did)\s+(?:we|i)\s+promise)\b""")

# ---- read requests: what a question (or a "show me …") asks for ----------------------------------
FOLLOWUP_WORDS = r"fol{1,3}o?w[\s-]*ups?|fol{1,3}o?wups?|reminders?|check[\s-]*ins?|tasks?"
FOLLOWUPS_ASKED_RE = _rx(rf"""\b(?:{FOLLOWUP_WORDS}|due|overdue|to-?dos?|agenda|open|outstanding|pending
    |need(?:s)?\s+(?:a\s+)?follow|late|slipping|slipped|slip(?:ping)?\s+through|(?:am|are|is|we're|i'm)\s+behind
    |behind\s+on
    |past\s+due|missed|lined\s+up|coming\s+up|on\s+(?:the|my|our)\s+(?:calendar|schedule|plate))\b""")
# "kim's follow-ups this week", "overdue follow-ups", "follow-ups for kim": a list asked for without a
# question.
LIST_FOLLOWUPS_RE = _rx(r"""^\s*(?:show\s+(?:me\s+)?|list\s+)?(?:(?:the\s+)?(?:[^\W\d_]+['\u2019]s|my|our
    |team|all|open|overdue
    |upcoming|pending|late)\s+)+(?:follow[\s-]*ups?|followups?|reminders|tasks|to-?dos)\b
    |^\s*(?:show\s+(?:me\s+)?|list\s+)?(?:follow[\s-]*ups|followups|reminders)\s+(?:for|of|due|this|next
    |today|owned
    |overdue)\b""")
BARE_AGENDA_RE = _rx(
    r"^\s*(?:overdue|due\s+(?:today|tomorrow|this\s+week|next\s+week)|(?:my\s+)?follow[\s-]*ups?|today|this\s+week"
    r"|next\s+week|agenda|my\s+agenda)\s*[?!.]*\s*$"
)
# "what does kim have this week?", "what's on my plate today?"
AGENDA_RE = _rx(r"""\bwho\s+(?:do|should|must)\s+(?:i|we)\s+(?:need\s+to\s+|have\s+to\s+)?(?:call|contact
    |chase|ping|email
    |follow\s+up\s+with|get\s+back\s+to)\b|\b(?:have|got)\b.*\b(?:this\s+week|today|next\s+week|tomorrow
    |due)\b|\bon\s+(?:my|\w+['\u2019]s)
    \s+(?:plate|agenda|list)\b""")
PROFILE_RE = _rx(r"""^\s*(?:please\s+)?(?:tell\s+me\s+(?:about|more\s+about)|what\s+do\s+(?:we|i
    |you)\s+know\s+(?:about|on)
    |what(?:'s|\s+is|s)\s+(?:new|up|happening|going\s+on|the\s+latest|the\s+status)\s+(?:with|w/|on|at|for|of)
    |(?:the\s+)?latest\s+(?:on|with|w/|from|for)|brief\s+me\s+(?:on|about)|briefing\s+(?:on|for)
    |any(?:thing)?\s+(?:new|news|updates?|word)\s+(?:from|with|w/|on|at|for|re)
    |info\s+(?:on|about|for)
    |status\s+(?:of|on|for)|catch\s+me\s+up\s+on|remind\s+me\s+(?:about|who)|who\s+is|what\s+about
    |(?:show|pull\s+up|open)\s+(?:me\s+)?(?:the\s+)?(?:profile|details|card|record|file|history)?\s*(?:of
    |for|on)?
    |(?:give|get)\s+me\s+(?:the\s+)?(?:profile|details|card|record|file|history)?\s*(?:of|for|on)?
    |profile\s+(?:of|for)?|history\s+(?:of|with|w/|for)|where\s+are\s+we\s+(?:with|w/|on)|how(?:'s|\s+is
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
    |^\s*(?:any\s+)?(?:notes|interactions?|any\s+note)\s+(?:about|mentioning|on|with
    |re:?)\s+(?P<topic3>[^:]+)$)""")
STALE_RE = _rx(r"""\b(?:gone\s+(?:quiet|cold|dark|silent)|go(?:ne)?\s+cold|went\s+(?:quiet|cold|dark)
    |stale|quiet
    |(?:haven'?t|hasn'?t)\s+(?:we\s+|i\s+)?(?:talked|spoken|heard|contacted|been\s+in\s+touch|reached
    |had\s+contact)
    |(?:have|has)\s+(?:we\s+|i\s+)?not\s+(?:talked|spoken|heard|contacted)|heard\s+from\s+us
    |no\s+(?:one\s+has\s+)?(?:contact|touch
    |activity|interaction)|not\s+(?:talked|spoken|contacted|touched|heard)|neglected|dormant|untouched
    |(?:need|needs)\s+(?:some\s+)?attention
    |forgotten|ignored|no\s+news)\b""")
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
# "show me the qualified deals", "list the proposal-stage accounts": a read asked for as a command.
SHOW_RE = _rx(r"""^\s*(?:please\s+|pls\s+)?(?:show|list|display|pull\s+up|give\s+me|get\s+me|tell\s+me
    |brief\s+me
    |catch\s+me\s+up|find|search|look\s*up|lookup|look\s+for|where\s+is|is\s+there\s+a)\b""")
PLURAL_CUSTOMERS_RE = _rx(r"""\b(?:deals?|customers?|clients?|accounts?|ones|companies|leads|prospects
    |opportunities
    |opps)\b""")
# "rosa's number pls", "helios email?": a detail asked for by naming it (setting one says "is …").
DETAIL_ASKED_RE = _rx(r"""^\s*(?:[\w.&-]+\s+){0,3}?[\w.&-]+(?:['\u2019]s)?\s+(?:phone\s+)?(?:number|phone
    |cell|mobile|email|e-mail
    |address|contact\s+details)\s*(?:pls|please|plz)?\s*[?!.]*\s*$""")
# "number for arjun", "email of the helios cto?": the detail first, then whose.
DETAIL_FOR_RE = _rx(r"""^\s*(?:what(?:['\u2019]?s|\s+is)\s+)?(?:the\s+)?(?:phone\s+)?(?:number|phone|cell
    |mobile|email|e-mail|contact\s+details)\s+(?:for|of)\s+(?:[\w.&'\u2019-]+\s*){1,4}(?:pls|please|plz)?\s*[?!.]*\s*$""")
# "last contact w/ globex", "latest touch with acme", "last call w/ juno?": when the rep last dealt with a
# customer, asked in shorthand (the words after the name are checked to hold no report: "last call with
# acme went well" tells).
LAST_CONTACT_ASKED_RE = _rx(r"""^\s*(?:(?:the\s+)?(?:last|latest|most\s+recent)\s+(?:contact|touch(?:point)?
    |call|meeting|email|interaction|activity|note|convo|conversation|chat|word)\s*(?:w/|with|from|for|at|on|re)
    |(?:when\s+)?(?:(?:we|i)\s+)?last\s+(?:spoke|spoken|talked|talk|met|called|emailed|contacted|heard
    |saw|visited|chatted|caught\s+up|touched\s+base|reached\s+out|pinged)\s*(?:to|with|w/|from)?)\s+
    (?P<rest>(?:[\w.&'\u2019-]+\s*){1,4}?)\s*[?.!]*$""")
# "acme status", "status w/ globex", "update on helios?": a customer's name and the word for its state,
# and nothing else ("update from acme: they signed" is a report under a heading).
STATUS_AFTER_RE = _rx(r"""^\s*(?:(?P<name>(?:[\w.&'\u2019-]+\s+){1,4}?)(?:status|update|latest|lowdown
    |summary)
    |(?:the\s+)?(?:status|update|updates|news|latest|lowdown|summary)\s*(?:of|on|for|with|w/|re|from|at)\s+
    (?P<rest>(?:[\w.&'\u2019-]+\s*){1,4}?))\s*[?.!]*$""")
# A read request's customer slot, read as a tool argument ("update on summit", "last spoke to juno").
NAME_SLOT_READS = (STATUS_AFTER_RE, LAST_CONTACT_ASKED_RE)
# Read requests that need no question word: each alone makes the message a question.
READ_REQUESTS: tuple[re.Pattern[str], ...] = (
    BARE_AGENDA_RE,
    LIST_FOLLOWUPS_RE,
    CHANGES_RE,
    PROFILE_RE,
    SHOW_RE,
    SEARCH_RE,
    DETAIL_ASKED_RE,
    DETAIL_FOR_RE,
    STATUS_AFTER_RE,
)
SHORT_READ_WORDS = 4  # "pipeline", "my pipeline by stage": a short message naming a report asks for it


# ---- data and glue -------------------------------------------------------------------------------
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"(?<![\w@])\+?\(?\d[\d ()./-]{5,}\d(?![\w@])")
AMOUNT_RE = _rx(
    r"(?:[$€£]\s?\d[\d,.]*\s?(?:k|m|bn)?\b|\b\d[\d,.]*\s?(?:k|m)\b|\b\d[\d,.]*\s?(?:usd|eur|gbp|dollars|euros)\b)"
)
NOTE_PREFIX_RE = _rx(r"^\s*(?:note|notes|nb|fyi|log|memo)\s*(?:for|on|re|about|to|:|-)\s*")
# Where pasted words begin: text in quotes, or after "X wrote:" / "forwarded:" / "> ".
# A single quote between two letters is an apostrophe ("I'm", "Nora's"), not the end of the quote; a quote
# left open runs to the end of the message.
QUOTE_RE = re.compile(
    r"\"[^\"]{3,}\"?|“[^”]{3,}”?|«[^»]{3,}»?|‘[^’]{3,}’?"
    r"|(?<![\w])'(?=\S)(?:[^']|(?<=\w)'(?=\w)){6,}(?:'(?![\w])|$)"
)
PASTE_LEAD_RE = _rx(
    r"\b(?:wrote|writes|said|says|emailed|texted|messaged|replied)\s*:\s*"
    r"|\b(?:forwarded|forwarding|fwd|fw|pasting|pasted|copying|copied|quoting)\b[^:\n]{0,40}:\s*|^\s*>"
)
# Words that carry no topic: ignored when matching a message to a follow-up's description.
GLUE = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "to",
        "of",
        "for",
        "on",
        "in",
        "at",
        "by",
        "with",
        "from",
        "about",
        "re",
        "regarding",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "this",
        "that",
        "these",
        "those",
        "them",
        "they",
        "their",
        "he",
        "she",
        "his",
        "her",
        "him",
        "we",
        "us",
        "our",
        "i",
        "me",
        "my",
        "you",
        "your",
        "its",
        "so",
        "then",
        "just",
        "also",
        "please",
        "pls",
        "follow",
        "followup",
        "up",
        "f",
        "u",
        "fu",
        "remind",
        "reminder",
        "send",
        "sent",
        "done",
        "did",
        "do",
        "does",
        "get",
        "got",
        "give",
        "gave",
        "have",
        "has",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "need",
        "needs",
        "needed",
        "want",
        "wants",
        "wanted",
        "over",
        "out",
        "today",
        "tomorrow",
        "yesterday",
        "week",
        "weeks",
        "day",
        "days",
        "next",
        "last",
        "another",
        "more",
        "back",
        "move",
        "push",
        "drop",
        "cancel",
        "cancelled",
        "anymore",
        "no",
        "not",
        "any",
        "that's",
        "thats",
        "call",
        "called",
        "check",
        "one",
        "all",
        "✅",
        "w",
        "s",
        "t",
        "ok",
        "okay",
        "yes",
        "yeah",
        "now",
        "still",
        "later",
        "already",
        "officially",
        "finally",
    ]
)  # noqa: SIM905 - a word list reads best as text
CLAUSE_LEAD_RE = _rx(r"^(?:and|but|then|also|so|plus|&|oh|btw|ps|p\.s\.|ok|okay|well)\b[\s,]*")
# Connectors and pronouns that start a new clause inside run-on dictation.
CLAUSE_BREAK_RE = _rx(r"""(?<=\w)\s+(?=(?:and\s+)?(?:they|we|she|he|i|i'll|we'll|they're|we're|they'll
    |she'll|he'll
    |follow\s+up|f/u|remind\s+me|circle\s+back|check\s+back|ping\s+(?:them|him|her)|also|then|but
    |need\s+to|needs\s+to|gotta|have\s+to)\b)
    |(?<=\w)(?<!\bto)(?<!\bwill)(?<!\bcan)(?<!\bmust)(?<!\bplease)(?<!\bpls)(?<!\band)(?<!\bshould)(?<!'ll)\s+
    (?=(?:send|book|schedule|email|ping|chase|remind|set\s+up)\s+(?:him|her|them|it|a|an|the|us|me|over)\b
    |book\s+it\b)""")

# ---- dialogue ------------------------------------------------------------------------------------
CANCEL_ANSWER_RE = _rx(r"""^\s*(?:cancel|c|no|nope|nah|never\s*mind|nevermind|nvm|forget\s+it|stop|abort
    |skip|none
    |none\s+of\s+(?:them|these)|quit|exit)\s*[.!]*\s*$""")
YES_RE = _rx(r"""^\s*(?:y|yes|yeah|yep|yup|sure|ok|okay|please|please\s+do|do\s+it|go\s+ahead|create(?:\s+it)?
    |yes,?\s+(?:please|create\s+it|do\s+it|add\s+it)|add\s+it|correct|right|confirm)\s*[.!]*\s*$""")
# "new" to "I don't know X — create it?": the rep means a new customer of that name.
NEW_RE = _rx(
    r"^\s*(?:new|a\s+new\s+one|(?:it'?s\s+|yes,?\s+)?(?:a\s+)?new\s+(?:customer|client|lead|one|account)"
    r"|create\s+(?:a\s+)?new(?:\s+one)?)\s*[.!]*\s*$"
)
BOTH_RE = _rx(
    r"^\s*(?:both|both\s+of\s+them|all|all\s+of\s+them|each|each\s+of\s+them|every\s+one|everyone)\s*[.!]*\s*$"
)
# A message that corrects the last write: "no wait, the 14th", "wrong customer — it was X".
CORRECTION_RE = _rx(r"""^\s*(?:no+\b|nope|nah|sorry|oops|wait|actually|correction|make\s+(?:that|it)
    |i\s+meant|meant|not\s
    |wrong|that\s+(?:one\s+)?(?:was|is|should)|it\s+was|it's|should\s+(?:be|have\s+been)|change\s+(?:that
    |it)\s+to|scratch\s+that
    |the\s+(?:date|customer|kind)\s+(?:is|was|should))""")
NEGATED_KIND_RE = _rx(
    r"\bnot\s+(?:a|an|the|by)?\s*(?:in[\s-]person|phone\s+call|meeting|mtg|visit|call|phone|e-?mail|mail|note)\b"
)


# A sentence-initial word that starts one customer's name reads as that customer when one of these
# follows it ("Summit called, …", "Harbor signed!"): it is the subject of a report.
LEAD_VERB_RE = _rx(r"""(?:['\u2019]s\s+|\s+(?:just\s+|finally\s+|also\s+|have\s+|has\s+)?)
    (?:called|rang|phoned|rung
    |emailed|e-mailed|mailed|texted|messaged|wrote|replied|said|says|wants|wanted|needs|needed|asked|signed
    |confirmed|agreed|accepted|declined|sent|went|got|came|loved|liked|approved|paid|placed|booked|cancelled
    |canceled|pushed|moved|ordered|renewed|churned
    |pulled|backed|chose|picked|countered|responded|reached|called\s+back|signed\s+off)\b""")


# Words that name a kind of business: after a partial customer name ("granite peak roofing" beside
# Granite Peak Insurance) one of these means a different company, so the name is not decisive.
def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# A piece of the rep's work with a customer, or its write-up, and their shorthand: after a partial name
# ("globex mtg notes: …", "acme qbr minutes -", "helios call recap:", "juno f/u:") they name that
# customer's occasion, never another company.
WORK_NOUNS = _word_set(
    """
meeting meetings mtg mtgs mtng call calls convo conversation chat catchup catch-up checkin check-in sync
syncs standup stand-up huddle qbr qbrs ebr mbr kickoff kick-off demo demos visit visits workshop review
presentation pitch onboarding session sessions 1on1 followup follow-up fu fup vm voicemail email emails
note notes minutes mins recap recaps summary debrief debriefs writeup write-up readout takeaways actions
fyi news update updates
"""
)
# The write-up of an occasion: a day right after one in a heading ("acme call notes monday: …") is when the
# occasion took place.
WRITE_UP_NOUNS = _word_set(
    """
note notes minutes mins recap recaps summary debrief debriefs writeup write-up readout takeaways
"""
)
# A lookup in shorthand, around a customer's name: "acme last contact", "recap acme", "status acme".
LOOKUP_NOUNS = _word_set(
    """
status update updates latest recap summary info details history notes stage lowdown overview news profile
rundown activity touchpoint touchpoints timeline where
"""
)
# After "last": what was last ("last call acme", "last time we spoke to acme").
LOOKUP_LAST = _word_set(
    """
contact touch touchpoint call meeting email interaction convo conversation chat time spoke spoken talked
heard met called emailed contacted visited note message msg text reply word visit
"""
)
LOOKUP_WORDS = (
    LOOKUP_NOUNS
    | LOOKUP_LAST
    | _word_set(
        """
last the our my we i w/ w with on for of re about from at to quick please pls any and 's - recent recently
latest are do stand things is it now so far
"""
    )
)

# Things a "new …" can be that are not a person's role: "their new price is Premium Plus".
NOT_ROLES = _word_set(
    """
price prices plan plans address office website site logo name product products date deadline budget offer
quote contract tier package pricing system platform vendor supplier location store branch email number
phone policy process launch version release schedule rate rates brand slogan menu range line list sheet deck
catalog catalogue brochure terms model design colour color logo
"""
)


# What a product, plan or service is called ("Premium Support", "Enterprise Plan", "SSO Add-on", "Gold
# Tier"): its head noun last, or a grade first. Such words are no person's name, so no contact is added.
THING_HEADS = _word_set(
    """
support plan plans tier tiers package packages bundle bundles license licence licenses licences seat seats
subscription subscriptions module modules edition editions addon add-on add-ons addons upgrade upgrades
service services warranty integration integrations feature features credit credits hosting onboarding training
suite pack dashboard api sso reporting analytics storage backup backups maintenance sla retainer option
options program programme membership level team desk helpdesk department dept inbox hotline mailbox payable
receivable
"""
)
THING_GRADES = _word_set(
    """
premium enterprise basic standard pro professional starter advanced deluxe unlimited extended priority
platinum gold silver bronze ultimate essential essentials business premier elite plus free
"""
)


def names_a_thing(name: str) -> bool:
    """Whether a Title Case name is a product's or a plan's ("Premium Support", "Enterprise Plan"), not a
    person's."""
    words = [w.strip(".,;:'’").lower() for w in name.split()]
    words = [w for w in words if w]
    if not words:
        return False
    if any(any(ch.isdigit() for ch in w) for w in words):
        return True  # "X200 Pro", "Plan 3": a model or a plan, not a person
    return bool(word_forms(words[-1]) & THING_HEADS) or (len(words) > 1 and words[0] in THING_GRADES)


COMPANY_WORDS = _word_set(
    """
roofing analytics labs lab group groups consulting consultants consultancy insurance solutions systems
services partners partnership associates industries holdings dental dentistry orthodontics bakery bakeries
books bookstore foods motors logistics studio studios software technologies technology realty realtors
properties construction builders landscaping plumbing electric electrical solar utilities pharma pharmacy
pharmaceuticals healthcare clinic clinics hospital physio chiropractic capital financial bank investors
ventures enterprises inc llc ltd gmbh plc corp corporation co company companies agency agencies designs
interiors supplies outfitters optics robotics networks telecom airlines aviation hotels hotel inn lodge
resort resorts restaurant restaurants cafe bistro diner pizzeria roasters brewing brewery breweries
distillery wines winery wineries vineyard vineyards cellars farm farms farming dairy orchards ranch gardens
nursery florals florist flowers fitness gym yoga pilates salon spa barbers autos automotive cars dealership
garage transport transportation trucking haulage movers warehouse law lawyers attorneys accounting
accountants architects architecture engineering engineers manufacturing metals plastics publishers films
pictures productions toys apparel clothing fashion boutique textiles furniture homes housing estates
lettings rentals pets vet vets veterinary grooming kennels traders wholesalers distributors stores markets
mart outlet emporium gallery galleries jewellers beauty skincare laboratories biotech sciences fabrication
mills mill foundry mining minerals petroleum janitorial recruitment academy college university institute
childcare daycare foundation trust charity church ministries athletics roofers painters carpentry hvac
plumbers electricians contractors contracting landscapers media tech digital marketing energy health medical
finance design supply travel legal printing publishing press records music games garden dynamics innovations
concepts creations collective cooperative brothers bros sons aerospace marine maritime imaging optical
eyecare acoustics provisions organics naturals botanicals nutrition orthodontist dentists surgery surgeons
pediatrics physiotherapy opticians chemists apothecary tavern pub brasserie trattoria taqueria bakehouse
creamery deli delicatessen patisserie chocolatiers confectionery nurseries greenhouse greenhouses vintners
orchard ranches stables kennel cattery barbershop tattoo parlour parlor cinemas theatre theater arena
stadium marina campground motel motels hostel guesthouse inns lodges villas chalets llp pty srl
"""
)


def company_word(word: str) -> bool:
    """Whether `word` (any case, plural or singular) names a kind of business ("estates", "winery")."""
    return any(form in COMPANY_WORDS for form in word_forms(word))


def word_forms(word: str) -> set[str]:
    """`word` lower-cased with its singular/plural neighbours: 'wineries' -> {wineries, winery, ...}."""
    w = word.lower()
    forms = {w, w + "s", w + "es"}
    if w.endswith("s"):
        forms.add(w[:-1])
    if w.endswith("es"):
        forms.add(w[:-2])
    if w.endswith("ies"):
        forms.add(w[:-3] + "y")
    if w.endswith("y"):
        forms.add(w[:-1] + "ies")
    return forms


# ---- record edits: new customers, contacts, tags, fields ----------------------------------------
# Each is matched at a clause's start (after CLAUSE_LEAD_RE) and yields spans; `assistant.understanding`
# assembles them into edits. Person names are Title Case ("Maria Lopez", "Élodie de la Cruz"), or any
# words right after the word "contact".
_TITLE = r"[A-ZÀ-Þ][\w'’.-]*"
TITLE_WORD = _TITLE  # a capitalised word
PERSON_NAME = rf"{_TITLE}(?:\s+(?:(?:de|da|van|von|der|del|la|le|di|du|bin|al|el)\s+)*{_TITLE}){{0,3}}"
ANY_PERSON = r"[^\W\d_][\w'’.-]*(?:\s+(?!(?:as|at|for|to|with|from|of|is|the)\b)[^\W\d_][\w'’.-]*){0,3}?"
ROLE_WORDS = (
    r"[A-Za-z][\w&/.-]*(?:\s+(?!(?:at|for|with|from|in|on|is)\b|of\s+(?-i:[A-Z0-9]))[A-Za-z][\w&/.-]*){0,4}?"
)
NEW_RECORD_WORD = r"(?:customer|lead|client|account|company|prospect)"
CREATE_CUE_RE = _rx(rf"""(?:please\s+|pls\s+|can\s+you\s+|could\s+you\s+)?(?:add|create|new|make|register
    |set\s+up|open|start)\s+(?:up\s+)?(?:a\s+|an\s+)?(?:new\s+)?{NEW_RECORD_WORD}\b
    (?:\s+(?:called|named|record\s+for|for))?\s*(?:[:\-\u2013]\s*)?""")
# "add Orchid Florals as a new customer", "Orchid Florals is a new lead"
CREATE_AS_RE = _rx(rf"""(?:please\s+)?(?:add\s+)?(?P<name>[^\W_][^,;:@]{{1,60}}?)\s+(?:as
    |is)\s+(?:a\s+|an\s+)?new
    \s+{NEW_RECORD_WORD}\b""")
# Where a new customer's name ends: the details that follow it.
NEW_NAME_END_RE = _rx(r"""\s*(?:[,;(]|\bwith\b|\bcontact\b|\bstage\b|\bowned\b|\bowner\b|\be-?mail\b|\bphone\b
    |\btel\b|\bmobile\b|\bcell\b|\btagged\b|\bworth\b|\bvalue\b|\bas\s+(?:a|an|the)\b|\bin\s+(?:stage\s+)?(?:lead
    |qualified|proposal|negotiation)\b|\s[-\u2013\u2014]\s|[\w.+-]+@|\.(?:\s|$)|\s+(?:and|then|also|so)\s+(?-i:[a-z])|$)""")
CREATE_CONTACT_RE = _rx(rf"""\b(?:contact(?:\s+person)?(?:\s+is)?|with|person
    |main\s+contact(?:\s+is)?)\s*:?\s+
    (?P<person>{ANY_PERSON})(?=\s*(?:,|;|\(|<|[\w.+-]+@|\+?\d|\bas\b|\bthe\b|\bwho\b|\(|$))""")
# "Ivory Tower has a new contact: Ben Cole (CFO)", "Juno got a new store manager, Lee Park"
HAS_NEW_CONTACT_RE = _rx(rf"""(?P<customer>[^,;:]+?)\s+(?:has|have|got|hired|brought\s+on)\s+(?:a\s+)?new
    \s+(?:contact(?:\s+person)?|(?P<role>{ROLE_WORDS}))\s*[:,\-\u2013]?\s*(?P<person>(?-i:{PERSON_NAME}))
    \s*(?:\((?P<prole>[^)@]{{1,40}})\))?""")
CONTACT_CUE_RE = _rx(r"""(?:please\s+|pls\s+)?(?:add|new|create|save)\s+(?:a\s+)?(?:new\s+)?contact
    (?:\s+person)?s?\b\s*:?\s*""")
# "add Maria Lopez as CFO at Globex": "add" and a Title Case name, then a role or where they work.
ADD_PERSON_RE = _rx(rf"""(?:please\s+|pls\s+)?add\s+(?P<person>(?-i:{_TITLE}\s+{PERSON_NAME}))
    (?=\s*(?:\(|\bas\b|\bat\b|\bfor\b|\bto\b|@\s))""")
CONTACT_TAIL_RE = _rx(rf"""(?P<person>{ANY_PERSON})?\s*(?:\((?P<prole>[^)@]{{1,40}})\)
    |,\s*(?P<crole>(?!as\b)(?![\w.+-]+@){ROLE_WORDS})(?=\s+(?:at|for|with|from)\s))?
    (?:\s*,?\s*as\s+(?:the\s+|a\s+|an\s+|their\s+|our\s+)?(?:new\s+)?(?P<role>{ROLE_WORDS}))?
    \s*,?\s*(?:at|for|to|@|with|from|of(?=\s+(?-i:[A-Z0-9])))\s+(?P<customer>[^,;(]+?)
    \s*(?=[,;(]|$|\s+(?:as|e-?mail|phone)\b)""")
CONTACT_AT_RE = _rx(rf"""(?:at|for|to|with)\s+(?P<customer>[^:,;\-\u2013]+?)\s*[:\-\u2013,]\s*
    (?P<person>{ANY_PERSON})
    (?=\s*(?:[,;(]|[\w.+-]+@|\+?\d|$))\s*(?:\((?P<prole>[^)@]{{1,40}})\)
    |,\s*(?P<role>(?![\w.+-]+@)(?!\+?\d){ROLE_WORDS})(?=\s*(?:,|;|$)))?""")
# "Kettle & Crumb: new contact Ana Ruiz (baker), ana@kc.example": the person, then their details.
CONTACT_BARE_RE = _rx(rf"""(?P<person>{ANY_PERSON})(?=\s*(?:[,;(]|<|[\w.+-]+@|\+?\d|$))\s*
    (?:\((?P<prole>[^)@]{{1,40}})\)|,\s*(?P<role>(?![\w.+-]+@)(?!\+?\d){ROLE_WORDS})(?=\s*(?:,|;|$)))?""")
# "Lisa Wong is the new buyer at Kettle & Crumb"
PERSON_IS_ROLE_RE = _rx(rf"""(?P<person>(?-i:{_TITLE}(?:\s+{_TITLE}){{1,3}}))\s+is\s+(?:now\s+)?
    (?:(?:the|our|their|a|an)\s+(?:new\s+)?|new\s+)(?P<role>{ROLE_WORDS})\s+(?:at|of|for|with)\s+""")
# "Acme's new CFO is Maria Lopez", "the new buyer at Juno is Lee Park"
NEW_ROLE_IS_RE = _rx(rf"""(?:['\u2019]s\s+|\b(?:the|their|our|its)\s+|^)new\s+(?P<role>{ROLE_WORDS})
    (?:\s+(?:at|for|of)\s+[^,;]+?)?\s+is\s+(?P<person>(?-i:{PERSON_NAME}))""")
TAG_ADD_RE = _rx(r"""(?:please\s+)?(?:tag|label)\s+(?!along\b)(?P<customer>.+?)\s+(?:as|with)\s+(?P<tags>.+)$
    |(?:please\s+)?add\s+(?:the\s+|a\s+)?(?:tags?|labels?)\s*:?\s*(?P<tags2>.+?)\s+(?:to|on)\s+(?P<customer2>.+)$""")
TAG_REMOVE_RE = _rx(r"""(?:please\s+)?(?:remove|drop|delete|take\s+off|clear)\s+(?:the\s+)?(?:tags?|labels?)
    \s*:?\s*(?P<tags>.+?)\s+(?:from|on|off)\s+(?P<customer>.+)$|untag\s+(?P<customer2>.+?)\s+(?P<tags2>\S+)$""")
# "remove the vip tag from Juno", "add a priority tag to Acme", "add Lumen tags: optics, reactivation"
TAG_WORD_AFTER_RE = _rx(r"""(?:please\s+)?(?P<op>add|put|remove|drop|delete|take\s+off|clear)\s+
    (?:the\s+|a\s+|an\s+)?
    (?P<tags>[\w#&-]+(?:\s*(?:,|and|&)\s*[\w#&-]+)*)\s+(?:as\s+(?:a\s+|an\s+)?)?(?:tags?|labels?)
    \s+(?:to|on|onto|for|from|off(?:\s+of)?)\s+
    (?P<customer>.+)$""")
# "tag kettle & crumb wholesale": the customer, then one tag word (kept only when the customer part names
# a customer and the whole does not — `assistant.reading.read` checks)
TAG_BARE_RE = _rx(r"""(?:please\s+)?tag\s+(?!along\b)(?P<customer>[^,;:]+?)\s+(?P<tags>[\w#-]+)\s*[.!]*$""")
TAG_LIST_RE = _rx(
    r"""(?:please\s+)?(?:add|set)\s+(?P<customer>.+?)\s+(?:tags?|labels?)\s*[:\-\u2013]\s*(?P<tags>.+)$"""
)
TAG_SPLIT_RE = re.compile(r"\s*(?:,|;|\band\b|\+|&)\s*", re.IGNORECASE)
# Fields of a customer the chat sets, by the words reps use for them.
FIELD_WORDS: tuple[tuple[Literal["email", "phone", "value", "owner"], re.Pattern[str]], ...] = (
    ("email", _rx(r"\b(?:e-?mail(?:\s+address)?)\b(?!ed)")),
    (
        "phone",
        _rx(r"""\b(?:phone(?:\s+number)?|number|mobile|cell|tel|telephone|(?:main|direct|office|land|phone)
        \s*line|switchboard|landline)\b"""),
    ),
    (
        "value",
        _rx(r"""\b(?:deal\s+(?:size|value|amount)|(?:deal\s+)?value
        |(?:deal|contract|opportunity|account)\s+(?:is\s+)?worth)\b"""),
    ),
    ("owner", _rx(r"\b(?:account\s+)?owner\b")),
)
# Between a field word and its new value: "email is …", "phone number: …", "email to …", "value = …".
FIELD_LINK_RE = _rx(r"""(?:\s+(?:for|of|at)\s+[^,;:@\d]{1,40}?)?\s*(?:(?:is|are)(?:\s+now)?\s+
    |now\s+|should\s+be\s+
    |=\s*|:\s*|->\s*|→\s*|(?:changed\s+|set\s+|updated\s+)?to\s+|(?:is\s+)?changed\s+to\s+)(?:now\s+)?""")
REASSIGN_RE = _rx(r"""(?:please\s+)?(?:reassign|assign|transfer|hand\s+over|give)\s+(?P<customer>.+?)\s+
    (?:over\s+)?to\s+(?P<who>[^\W\d_][\w.-]*)\s*[.!]*$""")
RENAME_RE = _rx(
    r"""(?:please\s+)?rename\s+(?P<customer>.+?)\s+(?:to|as)\s+(?P<name>[^\W_].{0,80}?)\s*[.!]*$"""
)
# "Helios renamed to Helios Robotics", "Juno is now called Juno Pets"
RENAMED_RE = _rx(r"""(?P<customer>[^,;:]+?)\s+(?:was\s+|has\s+been\s+|got\s+|have\s+)?(?:renamed|rebranded)
    \s+(?:to|as)\s+(?P<name>[^\W_].{0,80}?)\s*[.!]*$
    |(?P<customer2>[^,;:]+?)\s+(?:is|are)\s+now\s+called\s+(?P<name2>[^\W_].{0,80}?)\s*[.!]*$""")
MONEY_RE = _rx(r"[$€£]?\s?(?P<n>\d[\d,]*(?:\.\d+)?)\s?(?P<unit>k|m|bn|thousand|million)?\b")
