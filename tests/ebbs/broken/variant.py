"""The record of one broken variant (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .oracle import Step

BUG_KINDS = ("off_by_one", "wrong_frame", "missing_case", "stale_state", "wrong_exception",
             "lost_update", "wrong_core", "wrong_result")


@dataclass(frozen=True)
class BrokenVariant:
    """A broken subclass of `good_class`, and a sequence on which it breaks its spec."""
    name: str
    good_class: type
    broken_class: type
    bug_kind: str
    expected_clause_hint: str  # "kind: fragment": the clause kind and a piece of its text
    sequence: Sequence[Step]
    ncores: int = 1

    def __post_init__(self) -> None:
        assert self.bug_kind in BUG_KINDS, f"{self.name}: unknown bug kind {self.bug_kind!r}"
        assert issubclass(self.broken_class, self.good_class)
        assert self.broken_class.__doc__, f"{self.name}: say what the bug is in a docstring"
        assert ": " in self.expected_clause_hint, f"{self.name}: hint is \"kind: fragment\""

    @property
    def clause_kind(self) -> str:
        return self.expected_clause_hint.split(": ", 1)[0]

    @property
    def clause_fragment(self) -> str:
        return self.expected_clause_hint.split(": ", 1)[1]
