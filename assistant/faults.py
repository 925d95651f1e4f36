"""What the rep is told when something fails that is not their wording: a busy or broken database
is reported as that (with whether trying again helps), never as "please rephrase".
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError

from store.faults import StorageError

BUSY = "The database is busy — try again in a moment. Nothing was saved."


def explain(error: BaseException) -> str:
    """One sentence for an unexpected failure while handling a message."""
    if isinstance(error, StorageError):  # storage errors in plain words
        return f"{str(error).rstrip('.')}. Nothing was saved."
    if isinstance(error, OperationalError):
        text = str(getattr(error, "orig", error)).lower()
        if "locked" in text or "busy" in text:
            return BUSY
        if "readonly" in text or "read-only" in text:
            return "The database is read-only here, so nothing could be saved."
        if "disk" in text and "full" in text:
            return "The disk is full, so nothing could be saved."
        return f"The database could not be used ({text[:80]}). Nothing was saved."
    if isinstance(error, DBAPIError):
        return (
            "The database reported an error, so nothing was saved. "
            "Try again; if it persists, tell your admin."
        )
    return f"Sorry — something went wrong on my side ({type(error).__name__}). Nothing more was saved."
