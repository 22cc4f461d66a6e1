"""What a monitor reports: the clause, where the spec says it, what broke, and the run up to it.

    ebbs/timer.ebb:70:3: Timer broke its temporal property `no_early` at 4000.000us
      clause: temporal no_early: never fire(h) before start(h, t, _) + t
      fire came 1000.000us early: the matching start at 0.000us allows it from 5000.000us
      bound: h = h0, t = 5ms
      the last 3 observations, oldest first:
               0.000us  node 0 core 0  call    Timer.start(hook=h0, timeout=5ms, repeat=false)
               0.000us  node 0 core 0  return  Timer.start(hook=h0, timeout=5ms, repeat=false)
            4000.000us  node 0 core 0  event   Timer.fire(hook=h0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..errors import EbbrtError
from ..spec._span import Span
from ._observations import MonitorError, Observation, format_us

# violation kind -> its headline; `{ebb}`, `{label}` (` `name`` or empty) and `{name}` (the
# clause's label, or the event's name) are filled in
HEADLINES = {
    "property": "{ebb} broke its temporal property{label}",
    "assumption": "the environment broke assumption{label} of {ebb}",
    "event core": "{ebb} ran event `{name}` on the wrong core",
    "event guard": "{ebb} raised event `{name}` when its guard was false",
}


@dataclass(frozen=True)
class ClauseInfo:
    """One monitored clause: its kind (a key of HEADLINES), its text in spec syntax, its label
    (the temporal clause's name or the event's name; may be empty) and its span."""
    kind: str
    ebb: str
    text: str
    label: str
    span: Span

    @property
    def location(self) -> str:
        return f"{self.span.file}:{self.span.line}:{self.span.column}"

    def headline(self) -> str:
        label = f" `{self.label}`" if self.label and self.kind in ("property", "assumption") else ""
        return HEADLINES[self.kind].format(ebb=self.ebb, label=label, name=self.label)


class MonitorViolation(EbbrtError, AssertionError):
    """A run broke a monitored clause. `kind` says whose fault: `property` and `event core` /
    `event guard` are the Ebb's, `assumption` the environment's. `observations` are the last
    ones before the verdict (oldest first), `bindings` the pattern variables' values."""

    def __init__(self, info: ClauseInfo, problem: str, time: int,
                 bindings: Sequence[tuple[str, Any, str]], observations: Sequence[Observation],
                 trail: Sequence[str], note: str = "") -> None:
        self.info = info
        self.clause = info.text
        self.location = info.location
        self.kind = info.kind
        self.label = info.label
        self.ebb = info.ebb
        self.problem = problem
        self.time = time
        self.bindings = {name: value for name, value, _ in bindings}
        self.shown_bindings = tuple((name, shown) for name, _, shown in bindings)
        self.observations = tuple(observations)
        self.trail = tuple(trail)
        self.note = note
        super().__init__(self.render())

    @property
    def headline(self) -> str:
        return f"{self.location}: {self.info.headline()} at {format_us(self.time)}"

    def render(self) -> str:
        lines = [self.headline, f"  clause: {self.clause}", f"  {self.problem}"]
        if self.shown_bindings:
            lines.append("  bound: " + ", ".join(f"{n} = {v}" for n, v in self.shown_bindings))
        if self.note:
            lines.append(f"  note: {self.note}")
        if self.trail:
            count = len(self.trail)
            lines.append(f"  the last {count} observation{'s' * (count != 1)}, oldest first:")
            lines += [f"    {line}" for line in self.trail]
        else:
            lines.append("  no observation before it")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


__all__ = ["ClauseInfo", "HEADLINES", "MonitorError", "MonitorViolation"]
