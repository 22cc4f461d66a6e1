"""The Timer Ebb (ebbs/timer.ebb) on the cores' timer devices.

One representative per core (a multicore Ebb with the static id `TIMER_ID`, reached as
`TIMER`), built on the core's first call. Each core's device holds one deadline, so the
representative keeps its armed hooks in a heap of `[due, seq, hook, period]` entries, ordered by
due time then arming order, and programs the device for the earliest. The spec's facts:

- a hook fires on the core that started it: only that core's representative knows it, and its
  device interrupts only that core;
- `timeout == 0` fires on the next tick, never inside `start`: the device is armed with delay 0,
  which fires as a new simulator event;
- it never fires early: the handler fires only hooks whose due time has come;
- a repeating hook is re-armed (due `now + period`) before its callback runs, so calling
  `stop` in the callback cancels it.

`stop` and re-arming mark the old heap entry dead (lazy deletion); dead entries are skipped at
the top and the heap is rebuilt when they outnumber the live ones. A hook is any object: its
`fire()` method is called if it has one, else the hook itself. `abstraction()` is the spec's
model state, `armed: map<Hook, Arm>`, so the spec's contracts can be enforced on this class
(`implements(*Timer.SPEC)(Timer)` binds it to the spec).
"""

from __future__ import annotations

from heapq import heapify, heappop, heappush
from typing import TYPE_CHECKING, Any

from ..ebbs import library_dir
from ._clock import CoreContext
from ._cpu import current_event_manager
from ._ebbref import EbbRef
from ._errors import InvalidArgument
from ._ids import TIMER_ID
from ._reps import MulticoreEbb

if TYPE_CHECKING:
    from ._node import NodeRuntime

__all__ = ["TIMER", "Timer"]

_DEAD = object()        # in an entry's hook slot: stopped or fired, skip it
_DEAD_SLACK = 16        # dead heap entries tolerated beyond the number of live ones


class Timer(MulticoreEbb):
    """Runs a hook's callback after a timeout, once or every `timeout`, on the core that
    started it. Times are integer nanoseconds."""

    SPEC = (str(library_dir() / "timer.ebb"), "Timer")   # for ebbrt.verifier.implements

    def __init__(self, root: NodeRuntime) -> None:
        em = current_event_manager("building a Timer representative")
        self.core = em.core
        self.context = CoreContext(em.core)
        self._runtime = em.runtime                   # its call gate also sees `fire` events
        self.fired = 0                               # hooks fired by this representative
        self._device = em.core.timer
        self._heap: list[list[Any]] = []
        self._armed: dict[Any, list[Any]] = {}       # hook -> its live entry
        self._seq = 0
        self._dead = 0
        self._programmed: int | None = None          # the due time the device is armed for
        em.register_interrupt(self._device.vector, self._expired)

    # ------------------------------------------------------------------ the spec's operations
    def start(self, hook: Any, timeout: int, repeat: bool) -> None:
        """Arm `hook` to fire `timeout` ns from now on this core (and every `timeout` after
        that if `repeat`)."""
        if hook in self._armed:
            raise InvalidArgument(f"{hook!r} is already armed on {self.core.name}; a hook is "
                                  "armed at most once: stop it before starting it again")
        if type(timeout) is not int or timeout < 0 or (repeat and timeout == 0):
            raise InvalidArgument(f"timeout must be an int >= 0 ns (> 0 for a repeating hook), "
                                  f"got {timeout!r} with repeat={repeat!r}")
        due = self.core.now + timeout
        self._push(hook, due, timeout if repeat else 0)
        if self._programmed is None or due < self._programmed:
            self._program(due)

    def stop(self, hook: Any) -> None:
        """Disarm `hook`: it does not fire again, even if it was due."""
        if hook not in self._armed:
            raise InvalidArgument(f"{hook!r} is not armed on {self.core.name}; stop a hook on "
                                  "the core that started it, while it is armed")
        self._drop(hook)
        if not self._armed and self._programmed is not None:
            self._device.cancel()
            self._programmed = None

    def is_armed(self, hook: Any) -> bool:
        return hook in self._armed

    def fire(self, hook: Any) -> None:
        """The spec's event `fire(hook)`, its effect on the model: a one-shot hook is disarmed,
        a repeating one re-armed `period` from now. The interrupt handler calls this and then
        the hook's callback, so the callback sees the hook re-armed and may stop it (and the
        event's `ensures` is judged before the callback changes anything)."""
        period = self._drop(hook)
        if period:
            self._push(hook, self.core.now + period, period)
        self.fired += 1

    def abstraction(self) -> dict[str, object]:
        """The spec's model: `armed: map<Hook, Arm>`, Arm{due, period, core}."""
        from ..verifier._values import FrozenMap, RecordValue
        core = self.core.index
        return {"armed": FrozenMap({
            hook: RecordValue("Arm", (("due", e[0]), ("period", e[3]), ("core", core)))
            for hook, e in self._armed.items()})}

    def __len__(self) -> int:
        return len(self._armed)

    def __repr__(self) -> str:
        return f"<Timer {self.core.name} armed={len(self._armed)}>"

    # ------------------------------------------------------------------ the device
    def _expired(self, vector: int) -> None:
        """The timer interrupt: fire every hook due by now, earliest first, then program the
        device for the next one. Only hooks armed before the interrupt fire in it: a hook
        re-armed or started by a callback waits for the next tick, so this always ends."""
        now = self.core.now
        armed_before = self._seq
        self._programmed = None
        while self._heap:                        # (re-read: _drop may rebuild the heap)
            entry = self._heap[0]
            if entry[2] is _DEAD:
                heappop(self._heap)
                self._dead -= 1
            elif entry[0] > now or entry[1] > armed_before:
                break
            else:
                self._fire_due(entry[2])         # marks `entry` dead; popped next round
        if self._heap:
            self._program(self._heap[0][0])

    def _fire_due(self, hook: Any) -> None:
        """Fire one due hook: the spec's event `fire` (disarm or re-arm), then the hook's
        callback. With a call gate set, `fire` is handed to it as `gate(TIMER, self, "fire",
        (hook,), {})`, so contracts and monitors see the event before its effect."""
        gate = self._runtime.call_gate
        if gate is None:
            self.fire(hook)
        else:
            gate(TIMER, self, "fire", (hook,), {})
        callback = getattr(type(hook), "fire", None)     # the hook's fire(), else the hook
        if callback is not None:
            callback(hook)
        else:
            hook()

    def _program(self, due: int) -> None:
        self._device.arm(max(0, due - self.core.now))
        self._programmed = due

    def _push(self, hook: Any, due: int, period: int) -> None:
        self._seq += 1
        entry = [due, self._seq, hook, period]
        self._armed[hook] = entry
        heappush(self._heap, entry)

    def _drop(self, hook: Any) -> int:
        """Disarm `hook`; returns its period."""
        entry = self._armed.pop(hook)
        entry[2] = _DEAD
        self._dead += 1
        if self._dead > len(self._armed) + _DEAD_SLACK:   # keep the heap O(armed)
            self._heap = [e for e in self._heap if e[2] is not _DEAD]
            heapify(self._heap)
            self._dead = 0
        return entry[3]


TIMER: EbbRef[Timer] = EbbRef[Timer](TIMER_ID)
