"""A core: runs one item at a time to completion, interrupts before queued work.

Work reaches a core through `post(fn, cost_ns=...)` (its run queue) or as an interrupt
(`interrupt(vector)`, from the timer, the controller or an IPI). When the core is free it takes
one item: a pending interrupt first, else the oldest queued work. The item runs to completion
at the core's start time; what it costs (dispatch, interrupt entry, `charge()` calls made while
it runs, then its declared `cost_ns`) moves the core's `busy_until` forward, and the core's next
item starts no earlier than that. Each item is one simulator event, so cores interleave in
virtual time, deterministically; a core whose next item would be the simulator's next event
anyway runs it at once (`Simulator.take_turn`) instead of through the heap.

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
        self._vectors: dict[int, Callable[[int], None]] | None = None   # the controller's, for us

    # --- state -------------------------------------------------------------------------

    @property
    def now(self) -> int:
        """The core's local time: `sim.now`, plus what the running item has been charged."""
        return self.sim._now + self._charged if self._running else self.sim._now

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

    def interrupt(self, vector: int, *, last: bool = False) -> None:
        """Mark `vector` pending; the core takes it when the current item is done.

        As in hardware, a vector already pending is not queued twice (the raises coalesce);
        pending vectors are taken in the order they were raised. `last`: the caller is a
        simulator event (a device's) that does nothing after this call, so if the core is
        free and its dispatch would be the next event anyway, it runs within this call
        (`Simulator.take_turn`: the same run, without the heap)."""
        if not self.node.up:
            self.sim.record(self.name, "irq.lost", f"vector={vector} reason=crash")
            return
        if vector in self._irqs:
            self.sim.record(self.name, "irq.coalesced", f"vector={vector}")
            return
        self._irqs.append(vector)
        if self._wakeup is None and not self._running:
            sim = self.sim
            due = self.busy_until if self.busy_until > sim._now else sim._now
            if last and sim.take_turn(due, self.name):
                self._dispatch()
            else:
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
        """Take and run items, one per simulator event, accounting for each one's cost.

        After an item, if more are waiting and the next one's dispatch would be the next
        simulator event anyway (`Simulator.take_turn`), it runs here at once, as that event;
        else a dispatch is scheduled. So a busy core runs its queue without the heap while
        nothing else is due, and the run is the same either way."""
        self._wakeup = None
        node, sim = self.node, self.sim
        cost = node.cost
        irqs, work = self._irqs, self._work
        while True:
            vector = -1                   # >= 0: the item is this interrupt, not queued work
            if irqs:
                vector = irqs.popleft()
                self._charged = cost.interrupt_entry_ns
                declared = 0
                if sim.instrument is not None:
                    sim.record(self.name, "irq", f"vector={vector}")
            elif work:
                fn, declared, label = work.popleft()
                self._charged = cost.event_dispatch_ns
                if sim.instrument is not None:
                    sim.record(self.name, "run", label or action_name(fn))
            else:
                return
            start = sim._now
            self._running = True
            node.current_core = self
            try:
                try:
                    if vector < 0:
                        fn()
                    else:   # node.interrupts.take(index, vector), inline for a known vector
                        vectors = self._vectors
                        if vectors is None:
                            vectors = self._vectors = node.interrupts.vector_table(self.index)
                        handler = vectors.get(vector)
                        if handler is None:
                            node.interrupts.take(self.index, vector)   # spurious: counted there
                        else:
                            node.interrupts.delivered += 1
                            handler(vector)
                finally:
                    charged = self._charged + declared
                    self._running = False
                    node.current_core = None
                    self.busy_until = start + charged
                    self.busy_ns += charged
                    self.items_run += 1
            except BaseException:
                if (work or irqs) and node.up:   # the error propagates; the core keeps going
                    self._wake()
                raise
            if not (work or irqs) or not node.up:
                return
            if not sim.take_turn(self.busy_until, self.name):
                self._wake()
                return

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
