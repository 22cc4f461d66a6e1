"""The result model shared by every engine (z3 prover, CrossHair, Hypothesis) and reporter.

A verdict is an ordered value: PROVED > TESTED > UNKNOWN > SKIPPED > REFUTED. One clause may be
judged by several engines; `combine` turns their results into one: any refutation wins (a
counterexample is a fact), otherwise the strongest verdict.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Iterable

from ..spec._span import Span


class Verdict(enum.IntEnum):
    REFUTED = 1   # a counterexample shows the obligation false
    SKIPPED = 2   # not attempted: the construct is not supported (reason says which)
    UNKNOWN = 3   # attempted, undecided: budget exhausted, nonlinear arithmetic, ...
    TESTED = 4    # held on every example tried (details say how many)
    PROVED = 5    # holds for every input

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Counterexample:
    """Values that refute an obligation, printed in spec terms (`armed = {h1 -> Arm{...}}`).

    `pre` and `post` map model fields to their values before and after; `args` maps the
    operation's parameters (and results) to theirs; `env` holds the rest (`now`, `this_core`)."""

    args: tuple[tuple[str, str], ...] = ()
    pre: tuple[tuple[str, str], ...] = ()
    post: tuple[tuple[str, str], ...] = ()
    env: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, dict[str, str]]:
        return {"args": dict(self.args), "pre": dict(self.pre), "post": dict(self.post),
                "env": dict(self.env)}


@dataclass(frozen=True)
class Result:
    """One engine's judgement of one obligation."""

    obligation: str          # stable id, e.g. "Timer.start.invariant_preserved.real_cores"
    kind: str                # obligation kind, e.g. "invariant_preserved"
    ebb: str
    subject: str             # what it is about: an op, event, invariant or protocol name
    span: Span               # the clause in the spec
    verdict: Verdict
    engine: str              # "z3", "crosshair", "hypothesis", "check"
    message: str             # one sentence in spec terms
    reason: str = ""         # for UNKNOWN and SKIPPED: why
    counterexample: Counterexample | None = None
    details: tuple[tuple[str, str], ...] = field(default=())  # e.g. (("examples", "200"),)
    severity: str = "error"  # "warning" for advisory obligations such as a trivial ensures
    cached: bool = False

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "obligation": self.obligation, "kind": self.kind, "ebb": self.ebb,
            "subject": self.subject, "verdict": self.verdict.name, "engine": self.engine,
            "message": self.message, "severity": self.severity,
            "location": {"file": self.span.file, "line": self.span.line,
                         "column": self.span.column, "end_line": self.span.end_line,
                         "end_column": self.span.end_column},
        }
        if self.reason:
            data["reason"] = self.reason
        if self.counterexample is not None:
            data["counterexample"] = self.counterexample.as_dict()
        if self.details:
            data["details"] = dict(self.details)
        return data


def combine(results: Iterable[Result]) -> Verdict:
    """The verdict of one clause judged by several engines."""
    verdicts = [r.verdict for r in results]
    if not verdicts:
        return Verdict.SKIPPED
    if Verdict.REFUTED in verdicts:
        return Verdict.REFUTED
    return max(verdicts)
