"""Timer (timer.ebb), at model level: EbbRT's per-core timer without the timer device.

Armed hooks sit in a heap ordered by (due time, arming order). `stop` and re-arming use lazy
deletion: the hook's index entry is replaced or dropped, and the heap entry it leaves behind is
marked dead and skipped when it reaches the top. The abstraction reads the index, which holds
exactly the live entries. The harness (or, later, the runtime's timer interrupt) advances
`context.now` and calls the event `fire(hook)` for each hook in `due_hooks()`.

    timer = Timer(context)
    timer.start(hook, 5_000_000, repeat=False)   # fires 5ms from now on this core
    context.now += 5_000_000
    for h in timer.due_hooks(): timer.fire(h)     # calls hook.fire() (or hook())
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

from ..verifier import Context, implements
from ..verifier._values import FrozenMap, RecordValue
from ._errors import InvalidArgument


_DEAD_SLACK = 16  # dead heap entries tolerated beyond the number of live ones


@dataclass(order=True)
class _Entry:
    """One arming of a hook; ordered by due time, then by arming order."""
    due: int
    seq: int
    hook: Any = field(compare=False)
    period: int = field(compare=False)
    core: int = field(compare=False)
    live: bool = field(default=True, compare=False)

    def arm(self) -> RecordValue:
        return RecordValue("Arm", (("due", self.due), ("period", self.period),
                                   ("core", self.core)))


@dataclass(frozen=True)
class Firing:
    """A record of one `fire`: which hook, when and on which core."""
    hook: Any
    at: int
    core: int


@implements("timer.ebb", "Timer")
class Timer:
    """Runs a hook's callback after a timeout, once or every `timeout`, on the core that
    started it."""

    def __init__(self, context: Context | None = None) -> None:
        self.context = context if context is not None else Context()
        self._heap: list[_Entry] = []
        self._armed: dict[Any, _Entry] = {}  # hook -> its live entry
        self._seq = 0
        self._dead = 0  # dead entries still in the heap
        self.fired: list[Firing] = []  # every firing, in order

    def abstraction(self) -> dict[str, object]:
        return {"armed": FrozenMap({h: e.arm() for h, e in self._armed.items()})}

    def _push(self, hook: Any, due: int, period: int, core: int) -> None:
        self._seq += 1
        entry = _Entry(due, self._seq, hook, period, core)
        self._armed[hook] = entry
        heapq.heappush(self._heap, entry)

    def _drop(self, hook: Any) -> _Entry:
        entry = self._armed.pop(hook)
        entry.live = False  # its heap entry is skipped when it reaches the top
        self._dead += 1
        if self._dead > len(self._armed) + _DEAD_SLACK:  # keep the heap O(armed)
            self._heap = [e for e in self._heap if e.live]
            heapq.heapify(self._heap)
            self._dead = 0
        return entry

    # ------------------------------------------------------------------ the spec's operations
    def start(self, hook: Any, timeout: int, repeat: bool) -> None:
        if hook in self._armed:  # a caller bug (`requires`), cheap to catch
            raise InvalidArgument(f"hook {hook!r} is already armed; stop it first")
        self._push(hook, self.context.now + timeout, timeout if repeat else 0,
                   self.context.this_core)

    def stop(self, hook: Any) -> None:
        entry = self._armed.get(hook)
        if entry is None or entry.core != self.context.this_core:  # caller bugs (`requires`)
            where = "not armed" if entry is None else f"armed on core {entry.core}"
            raise InvalidArgument(f"cannot stop hook {hook!r} on core "
                                  f"{self.context.this_core}: it is {where}")
        self._drop(hook)

    def is_armed(self, hook: Any) -> bool:
        return hook in self._armed

    def fire(self, hook: Any) -> None:
        """The event: `hook` is due. A repeating hook is re-armed before its callback runs,
        so the callback may stop it."""
        if hook not in self._armed:  # the event's guard, cheap to check
            raise InvalidArgument(f"hook {hook!r} is not armed, so it cannot fire")
        entry = self._drop(hook)
        if entry.period > 0:
            self._push(hook, self.context.now + entry.period, entry.period, entry.core)
        self.fired.append(Firing(hook, self.context.now, self.context.this_core))
        callback = getattr(hook, "fire", None)
        if callable(callback):
            callback()
        elif callable(hook):
            hook()

    # ------------------------------------------------------------------ for the runtime
    def _prune(self) -> None:
        while self._heap and not self._heap[0].live:
            heapq.heappop(self._heap)
            self._dead -= 1

    def next_due(self) -> int | None:
        """When the earliest armed hook is due (None when none is armed)."""
        self._prune()
        return self._heap[0].due if self._heap else None

    def due_hooks(self) -> list[Any]:
        """The armed hooks due at `context.now`, earliest first (ties: arming order). Walks
        only the heap's top, where the due entries are (a child is never due earlier)."""
        self._prune()
        now, heap, due = self.context.now, self._heap, []
        frontier = [0] if heap else []
        while frontier:
            i = frontier.pop()
            if heap[i].due > now:
                continue
            if heap[i].live:
                due.append(heap[i])
            frontier.extend(c for c in (2 * i + 1, 2 * i + 2) if c < len(heap))
        return [e.hook for e in sorted(due)]

    def __len__(self) -> int:
        return len(self._armed)


__all__ = ["Firing", "Timer"]
