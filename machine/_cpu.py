"""A core: runs one item at a time to completion, interrupts before queued work.

Work reaches a core through `post(fn, cost_ns=...)` (its run queue) or as an interrupt
(`interrupt(vector)`, from the timer, the controller or an IPI). When the core is free it takes
one item: a pending interrupt first, else the oldest queued work. The item runs to completion
at the core's start time; what it costs (dispatch, interrupt entry, `charge()` calls made while
it runs, then its declared `cost_ns`) moves the core's `busy_until` forward, and the core's next
item starts no earlier than that. Each item is one simulator event, so cores interleave in
virtual time, deterministically.

While an item runs, `core.now` is the core's local clock: the start time plus what the item has
been charged so far. Things the item sends out (an IPI, a timer deadline) leave at that time.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Callable

from ._errors import NodeDown, SchedulingError
from ._sim import action_name
from ._timer import TimerDevice

if TYPE_CHECKING:
    from ._node import Node
    from ._sim import Scheduled

__all__ = ["Core"]

Work = Callable[[], None]


class Core:
    """Core `index` of `node`; `name` (e.g. `node0.core1`) is its source in the trace.

    Counters: `items_run` (work and interrupts taken), `busy_ns` (everything charged)."""

    def __init__(self, node: Node, index: int) -> None:
        self.node = node
        self.index = index
        self.sim = node.sim
        self.name = f"{node.name}.core{index}"
        self.timer = TimerDevice(self)
        self.busy_until = 0
        self.items_run = 0
        self.busy_ns = 0
        self._work: deque[tuple[Work, int, str]] = deque()
        self._irqs: deque[int] = deque()
        self._wakeup: Scheduled | None = None
        self._running = False
        self._charged = 0

    # --- state -------------------------------------------------------------------------

    @property
    def now(self) -> int:
        """The core's local time: `sim.now`, plus what the running item has been charged."""
        return self.sim.now + self._charged if self._running else self.sim.now

    @property
    def running(self) -> bool:
        """True while one of this core's items is executing."""
        return self._running

    @property
    def queued(self) -> int:
        """Items waiting: queued work plus pending interrupts."""
        return len(self._work) + len(self._irqs)

    @property
    def idle(self) -> bool:
        return not self._running and not self._work and not self._irqs

    # --- giving it work ------------------------------------------------------------------

    def post(self, fn: Work, *, cost_ns: int = 0, label: str = "") -> None:
        """Queue `fn()` to run on this core after the work already queued."""
        if type(cost_ns) is not int or cost_ns < 0:   # (type, not isinstance: no bools)
            raise SchedulingError(f"{self.name}: cost_ns must be an int >= 0, got {cost_ns!r}")
        if not self.node.up:
            raise NodeDown(f"{self.name}: cannot post {label or 'work'!r}: {self.node.name} is"
                           " crashed; restart it first")
        self._work.append((fn, cost_ns, label))
        if self._wakeup is None and not self._running:
            self._wake()

    def interrupt(self, vector: int) -> None:
        """Mark `vector` pending; the core takes it when the current item is done.

        As in hardware, a vector already pending is not queued twice (the raises coalesce);
        pending vectors are taken in the order they were raised."""
        if not self.node.up:
            self.sim.record(self.name, "irq.lost", f"vector={vector} reason=crash")
            return
        if vector in self._irqs:
            self.sim.record(self.name, "irq.coalesced", f"vector={vector}")
            return
        self._irqs.append(vector)
        self._wake()

    def charge(self, ns: int) -> None:
        """Add `ns` to the running item's cost; outside an item of this core it is free."""
        if self._running:
            self._charged += ns

    # --- running -----------------------------------------------------------------------

    def _wake(self) -> None:
        """Make sure a dispatch is scheduled (unless one is, or an item is running)."""
        if self._wakeup is None and not self._running:
            sim = self.sim
            delay = self.busy_until - sim._now
            self._wakeup = sim.schedule(delay if delay > 0 else 0, self._dispatch,
                                        label=self.name)

    def _dispatch(self) -> None:
        """Take and run one item, then account for its cost."""
        self._wakeup = None
        node, sim = self.node, self.sim
        vector = -1                       # >= 0: the item is this interrupt, not queued work
        if self._irqs:
            vector = self._irqs.popleft()
            self._charged = node.cost.interrupt_entry_ns
            declared = 0
            if sim.instrument is not None:
                sim.record(self.name, "irq", f"vector={vector}")
        elif self._work:
            fn, declared, label = self._work.popleft()
            self._charged = node.cost.event_dispatch_ns
            if sim.instrument is not None:
                sim.record(self.name, "run", label or action_name(fn))
        else:
            return
        start = sim._now
        self._running = True
        node.current_core = self
        try:
            if vector >= 0:
                node.interrupts.take(self.index, vector)
            else:
                fn()
        finally:
            charged = self._charged + declared
            self._running = False
            self._charged = 0
            node.current_core = None
            self.busy_until = start + charged
            self.busy_ns += charged
            self.items_run += 1
            if (self._work or self._irqs) and node.up:
                self._wake()

    def reset(self) -> None:
        """Drop queued work and pending interrupts and disarm the timer (a crash)."""
        if self._wakeup is not None:
            self._wakeup.cancel()
            self._wakeup = None
        self._work.clear()
        self._irqs.clear()
        self.timer.reset()
        self.busy_until = self.sim.now

    def __repr__(self) -> str:
        return f"<Core {self.name} queued={self.queued} busy_until={self.busy_until}>"
