"""Reading a message once: clauses with spans, then typed spans (customers, dates, stages, cues, values).

`read(ctx, text)` returns a `Reading`; later stages look only at it, never at the raw text again.
"""

from assistant.reading.read import read
from assistant.reading.types import (
    Clause,
    Cue,
    DateSpan,
    NewName,
    Reading,
    ShiftSpan,
    StageSpan,
    ValueSpan,
)

__all__ = ["Clause", "Cue", "DateSpan", "NewName", "Reading", "ShiftSpan", "StageSpan", "ValueSpan", "read"]
