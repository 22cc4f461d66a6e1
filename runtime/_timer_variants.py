"""Deliberately broken Timers, for showing that the run-time contracts catch them.

Each is a subclass of the runtime's `Timer` with one bug; run an app on one with
`Runtime(..., timer=EarlyTimer)` (or `ebb run timer-storm --timer broken-early`, a hidden
option). What catches each, with contracts `full`:

- `broken-early` (`EarlyTimer`): rounds deadlines down to a 10 us tick, so a hook fires up to
  a tick early. Caught by the monitor of `temporal no_early`, at the early `fire`.
- `broken-rearm` (`ForgetfulTimer`): forgets to re-arm a repeating hook when it fires. Caught
  by `fire`'s second `ensures` (compiled).
- `broken-inline` (`InlineTimer`): fires a timeout-0 hook inside `start` instead of on the
  next tick. Caught by the monitor of `no_early` (a fire inside the matching start).
"""

from __future__ import annotations

from heapq import heappop
from typing import Any

from ._timer import _DEAD, Timer

__all__ = ["EarlyTimer", "ForgetfulTimer", "InlineTimer", "TIMER_VARIANTS"]

TICK_NS = 10_000


class EarlyTimer(Timer):
    """Broken: treats a hook due within the next 10 us tick as due now, and programs the
    device a tick early to match."""

    def _program(self, due: int) -> None:
        super()._program(due - TICK_NS)

    def _expired(self, vector: int) -> None:
        now = self.core.now + TICK_NS            # the bug: "due within a tick" fires now
        armed_before = self._seq
        self._programmed = None
        while self._heap:
            entry = self._heap[0]
            if entry[2] is _DEAD:
                heappop(self._heap)
                self._dead -= 1
            elif entry[0] > now or entry[1] > armed_before:
                break
            else:
                self._fire_due(entry[2])
        if self._heap:
            self._program(self._heap[0][0])


class ForgetfulTimer(Timer):
    """Broken: a repeating hook fires once, like a one-shot: `fire` forgets to re-arm it."""

    def fire(self, hook: Any) -> None:
        self._drop(hook)
        self.fired += 1


class InlineTimer(Timer):
    """Broken: a hook started with timeout 0 fires at once, inside `start`."""

    def start(self, hook: Any, timeout: int, repeat: bool) -> None:
        super().start(hook, timeout, repeat)
        if timeout == 0:
            self._fire_due(hook)


TIMER_VARIANTS: dict[str, type[Timer]] = {
    "broken-early": EarlyTimer,
    "broken-rearm": ForgetfulTimer,
    "broken-inline": InlineTimer,
}
