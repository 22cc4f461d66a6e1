"""What the runtime tells the monitors: one `Observation` per call, return and event of an Ebb.

The monitors (`_monitors.py`) judge a stream of these, so they do not depend on how the
runtime is built. The stream must be in the order things happened, with non-decreasing times:

- `call`:   an operation was entered (`args`: its arguments, by spec parameter name);
- `return`: the operation returned (`args` again, the same as at the call, and `result`). An
            operation *occurs* when it returns (docs/language.md, "Temporal properties"). A
            `result` that is an exception instance means it raised: then it did not occur.
- `event`:  an event (a callback such as Timer's `fire`) occurs, on `core`. Emit it *before* the
            event's effect is applied to the Ebb's state, i.e. just before the implementation's
            event method runs: its `on core(e)` and `when` clauses are judged in the state just
            before the event.

Values are spec values (verifier/_values.py: ints, bools, FrozenMap, RecordValue, ...; times and
durations are int nanoseconds); a handle may be any hashable object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..errors import EbbrtError
from ..verifier._values import show

KINDS = frozenset({"call", "return", "event"})


@dataclass(frozen=True, slots=True)
class Observation:
    """One thing an Ebb did, at simulated time `time` (ns) on core `core` of node `node`."""
    time: int
    node: int
    core: int
    ebb: str  # the Ebb's name as its spec declares it (`Timer`)
    kind: str  # call | return | event
    name: str  # the operation or event
    args: Mapping[str, Any] = field(default_factory=dict)
    result: Any = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise MonitorError(f"an observation's kind is `call`, `return` or `event`, not "
                               f"{self.kind!r}")

    @property
    def raised(self) -> bool:
        """Whether this is the return of an operation that raised (so it did not occur)."""
        return self.kind == "return" and isinstance(self.result, BaseException)

    def text(self, show_value: Callable[[str, Any], str] | None = None) -> str:
        """One line: `5000.000us  node 0 core 1  event   Timer.fire(hook=h0)`. `show_value(name,
        value)` prints an argument (default: spec syntax, durations as plain nanoseconds)."""
        shown = show_value or (lambda _name, value: show(value))
        args = ", ".join(f"{k}={shown(k, v)}" for k, v in self.args.items())
        line = (f"{format_us(self.time):>14}  node {self.node} core {self.core}  "
                f"{self.kind:<6}  {self.ebb}.{self.name}({args})")
        if self.raised:
            return f"{line} raised {type(self.result).__name__}: {self.result}"
        if self.kind == "return" and self.result is not None:
            return f"{line} -> {shown('result', self.result)}"
        return line


class MonitorError(EbbrtError, ValueError):
    """The monitors cannot judge what they were given: a malformed observation, a stream out of
    time order, a clause they cannot monitor, a name no state provides. A wiring or setup
    problem, never a verdict about the Ebb."""


def format_us(ns: int) -> str:
    """A simulated time in microseconds, exactly: `5000.000us`, `0.250us`."""
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    return f"{sign}{ns // 1000}.{ns % 1000:03d}us"


__all__ = ["KINDS", "MonitorError", "Observation", "format_us"]
