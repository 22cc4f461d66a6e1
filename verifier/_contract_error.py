"""What a broken contract looks like: the `Clause` it came from, the `ContractViolation` raised,
and the checking `Mode`s.

    ebbs/timer.ebb:31:5: Timer.start: ensures `armed == old(armed)[hook := ...]` violated
      hook = h1
      armed = {}
      old(armed) = {}

Kinds: `requires`, `checked requires`, `ensures`, `returns`, `throws`, `case`, `modifies` (the
frame), `invariant`, and for events `when` (the guard) and `on core` (where it runs). A clause
that has no value (a partial operation outside its domain, e.g. `m[k]` for a missing key) is
violated too: `undefined` then says which operation, and where.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import EbbrtError
from ..spec._span import Span
from ._values import show

KINDS = ("requires", "checked requires", "ensures", "returns", "throws", "case", "modifies",
         "invariant", "when", "on core")


@dataclass(frozen=True, eq=False)
class Clause:
    """One checkable clause of an op or event (or an invariant of the Ebb)."""
    ebb: str
    op: str           # the op or event; "" for an invariant (the op is named when checked)
    kind: str         # one of KINDS
    index: int        # position among the op's checked clauses (or the Ebb's invariants)
    text: str         # the condition, formatted with spec/_printer.format_expr
    label: str        # the clause's note, or an invariant's / case arm's name; may be ""
    span: Span
    exception: str | None = None  # `checked requires` and `throws`: the exception named

    @property
    def title(self) -> str:
        """`throws OutOfMemory when`, `checked requires`, `ensures`, ... for messages."""
        if self.kind == "throws":
            return f"throws {self.exception} when"
        if self.kind == "checked requires":
            return f"checked requires (throws {self.exception})"
        return self.kind


class ContractViolation(EbbrtError, AssertionError):
    """A clause of a spec did not hold at run time."""

    def __init__(self, clause: Clause, values: Mapping[str, Any] | None = None, *,
                 op: str | None = None, detail: str = "", undefined: str | None = None) -> None:
        self.clause = clause
        self.ebb = clause.ebb
        self.op = op if op is not None else clause.op
        self.kind = clause.kind
        self.text = clause.text
        self.label = clause.label
        self.span = clause.span
        self.detail = detail
        self.undefined = undefined
        self.values: dict[str, str] = {name: _show(v) for name, v in (values or {}).items()}
        super().__init__(self._message())

    @property
    def clause_text(self) -> str:
        return self.clause.text

    def _message(self) -> str:
        where = f"{self.ebb}.{self.op}" if self.op else self.ebb
        lines = [f"{self.span}: {where}: {self.clause.title} `{self.text}` violated"]
        if self.undefined:
            lines.append(f"  it has no value: {self.undefined}")
        if self.detail:
            lines.append(f"  {self.detail}")
        if self.label:
            lines.append(f"  ({self.label})")
        lines += [f"  {name} = {value}" for name, value in self.values.items()]
        return "\n".join(lines)


def _show(value: Any) -> str:
    try:
        return show(value)
    except Exception:  # a value the implementation made up: still report the violation
        return repr(value)


class Mode:
    """How much of a contract `enforce` checks: `Mode.OFF`, `Mode.REQUIRES` (`requires` and
    `checked requires`, and an event's guard and core), `Mode.FULL` (everything), or
    `Mode.SAMPLED(n)` (everything on every n-th call of each op, nothing on the others)."""

    __slots__ = ("kind", "every")
    OFF: "Mode"
    REQUIRES: "Mode"
    FULL: "Mode"

    def __init__(self, kind: str, every: int = 1) -> None:
        if kind not in ("off", "requires", "full", "sampled"):
            raise ValueError(f"unknown mode {kind!r}: use Mode.OFF, Mode.REQUIRES, Mode.FULL "
                             "or Mode.SAMPLED(n)")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"Mode.SAMPLED(n) needs a whole n >= 1, not {every!r}")
        self.kind = kind
        self.every = every

    @staticmethod
    def SAMPLED(n: int) -> "Mode":  # noqa: N802 - reads like the constants beside it
        return Mode("sampled", n)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mode) and (self.kind, self.every) == (other.kind, other.every)

    def __hash__(self) -> int:
        return hash((self.kind, self.every))

    def __repr__(self) -> str:
        if self.kind == "sampled":
            return f"Mode.SAMPLED({self.every})"
        return f"Mode.{self.kind.upper()}"


Mode.OFF = Mode("off")
Mode.REQUIRES = Mode("requires")
Mode.FULL = Mode("full")

__all__ = ["Clause", "ContractViolation", "KINDS", "Mode"]
