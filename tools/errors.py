"""Domain errors, defined once and translated at each edge (MCP tool error, chat question, CLI line)."""

from __future__ import annotations

from dataclasses import dataclass

from store.faults import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseReadOnly,
    DatabaseUnavailable,
    DiskFull,
    StorageError,
)
from store.migrations import SchemaDamaged, SchemaTooNew
from tools.dates import InvalidDate

QUOTE_LIMIT = 80


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """`value` as repr() for an error message, cut to about `limit` characters.

    A message should point at the bad input, not repeat it: a 100 KB name must not make a 100 KB error.
    """
    if not isinstance(value, str):  # a number or null reads as itself
        text = str(value)
        return text if len(text) <= limit else text[:limit] + "…"
    if len(value) <= limit:
        return repr(value)
    return repr(value[:limit]) + f"… ({len(value):,} characters)"


class CrmError(Exception):
    """A mistake or a refusal a user or model can act on; str(e) says what and how."""


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    score: float
    via: str | None = None  # e.g. "contact Holly Park" when matched through a contact

    def label(self) -> str:
        return f"{self.name} (#{self.id}{', ' + self.via if self.via else ''})"


class CustomerNotFound(CrmError):
    def __init__(self, query: str, candidates: list[Candidate] | None = None) -> None:
        self.query = query
        self.candidates = candidates or []
        hint = ""
        if self.candidates:
            hint = " Did you mean: " + "; ".join(c.label() for c in self.candidates) + "?"
        super().__init__(f"No customer matches {quoted(query)}.{hint}")


class AmbiguousCustomer(CrmError):
    def __init__(self, query: str, candidates: list[Candidate]) -> None:
        self.query = query
        self.candidates = candidates
        names = "; ".join(c.label() for c in candidates)
        if len(candidates) == 1:  # a near miss: close enough to suggest, not to act on
            super().__init__(
                f"{quoted(query)} is not an exact match. Did you mean {names}? Say it by name or #id."
            )
        else:
            super().__init__(
                f"{quoted(query)} could be several customers: {names}. Say which one (by name or #id)."
            )


class DuplicateCustomer(CrmError):
    def __init__(self, name: str, existing_id: int, existing_name: str) -> None:
        self.name = name
        self.existing_id = existing_id
        super().__init__(f"A customer named {quoted(existing_name)} already exists (#{existing_id}).")


class InvalidStage(CrmError):
    def __init__(self, value: str, valid: list[str]) -> None:
        self.value = value
        self.valid = valid
        super().__init__(f"{quoted(value)} is not a pipeline stage. Valid stages: {', '.join(valid)}.")


class NotFound(CrmError):
    """A follow-up, contact or user id that does not exist."""


class InvalidArgument(CrmError):
    """A value of the right type that makes no sense (empty body, negative days, bad cursor…)."""


class NothingToUndo(CrmError):
    pass


class UndoConflict(CrmError):
    pass


class ImportFailed(CrmError):
    """A bad file or row; nothing was imported. `problems` holds one line per bad row."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:20]
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__("Nothing imported: " + "; ".join(shown) + more)


__all__ = [
    "AmbiguousCustomer",
    "Candidate",
    "CrmError",
    "CustomerNotFound",
    "DatabaseBusy",
    "DatabaseDamaged",
    "DatabaseReadOnly",
    "DatabaseUnavailable",
    "DiskFull",
    "DuplicateCustomer",
    "ImportFailed",
    "InvalidArgument",
    "InvalidDate",
    "InvalidStage",
    "NotFound",
    "NothingToUndo",
    "SchemaDamaged",
    "SchemaTooNew",
    "StorageError",
    "UndoConflict",
    "USER_ERRORS",
    "quoted",
]

# Everything an edge should show the user as a message rather than a crash. StorageError (busy,
# read-only, disk full, damaged file) is no mistake of the user's: its message says so, and its
# `retry` attribute says whether the same call may simply be tried again.
USER_ERRORS: tuple[type[Exception], ...] = (CrmError, InvalidDate, SchemaTooNew, StorageError)
