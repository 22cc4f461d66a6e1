"""The event manager: one per core, running that core's events one at a time, to completion or
until they block (EbbRT's `EventManager`, non-preemptive).

Every event runs as one item of the simulated core (`core.post`, or an interrupt), so it
costs what the machine's cost model says (a dispatch, or an interrupt entry, plus whatever it
charges), and other cores' events interleave with it in virtual time.

- `spawn_local(work, force_async=False)`: run `work` as an event on this core: at once, inside
  the call (EbbRT native's synchronous spawn), or, when forced, queued behind what is waiting.
- `spawn_remote(work, target)`: queue `work` on core `target` of this node. The target's remote
  queue is drained by an inter-processor interrupt (`SPAWN_VECTOR`); one IPI is sent when the
  queue goes from empty to not empty, and the handler moves everything queued by then.
- Work that returns a coroutine (an `async def` function) becomes an event that may block on
  a future and resume later on this core (see _blocking.py).
- `set_idle_callback(fn)`: `fn` runs, as an event, whenever the core has nothing else to do;
  like EbbRT's it polls, so a core with one never idles (bound the run with `run_until`).

`_run_event` is the event loop: every event on every core starts there.
"""

from __future__ import annotations

from collections import deque
from functools import partial
from types import CoroutineType
from typing import TYPE_CHECKING, Any, Callable

from ._blocking import Event, start_event
from ._cpu import CPU, forget_cached_methods
from ._ebbref import EbbRef
from ._errors import InvalidArgument, RuntimeFault
from ._ids import EVENT_MANAGER_ID
from ._reps import MulticoreEbb

if TYPE_CHECKING:
    from ..machine import Core
    from ._node import NodeRuntime

__all__ = ["EVENT_MANAGER", "EventManager", "SPAWN_VECTOR", "spawn_local", "spawn_remote"]

SPAWN_VECTOR = 48
"""The IPI vector that drains a core's remote-spawn queue: the first vector after the timer
(32), the NIC (33) and the rest of the 16 legacy interrupt lines remapped at 32..47."""

Work = Callable[..., Any]

_QUEUED, _IDLE = -1, -2   # what `_run_event` runs, when it is not an interrupt handler (>= 0)


class EventManager(MulticoreEbb):
    """The event manager of one core; reach the running core's with `EVENT_MANAGER`.

    Counters: `events` (everything run as an event here, interrupt handlers included),
    `interrupts`, `faults` (translation faults taken here), `gated_calls` (calls routed
    through the call gate here), `remote_spawns` (sent from here), `ipis` (sent from here)."""

    def __init__(self, node_rt: NodeRuntime, core: Core) -> None:
        self.node_rt = node_rt
        self.runtime = node_rt.runtime
        self.core = core
        self.index = core.index
        self.table: dict[int, Any] = {}   # this core's translation table: id -> rep
        self.gated_table: dict[int, Any] = {}   # the same, while a call gate is set: id -> stand-in
        self.events = self.interrupts = self.faults = self.gated_calls = 0
        self.remote_spawns = self.ipis = 0
        self._generation = core.node.generation
        self._queued = 0                       # async work posted as core items, not yet run
        self._remote: deque[Work] = deque()    # spawned here by other cores, not yet drained
        self._idle: Work | None = None
        self._idle_posted = False
        self._event_count = 0
        self.register_interrupt(SPAWN_VECTOR, self._drain_remote)

    @classmethod
    def build_rep(cls, root: Any) -> Any:
        raise RuntimeFault("bug: event managers are built when a node boots, never on a fault")

    # ------------------------------------------------------------------ spawning
    def spawn_local(self, work: Work, force_async: bool = False) -> None:
        """Run `work` as an event on this core: now, or (`force_async`) after queued work."""
        if force_async:
            self._post(work)
        else:   # inline: a nested event; this core's registers are already live
            self.events += 1
            result = work()
            if type(result) is CoroutineType:
                start_event(result, self)

    def spawn_remote(self, work: Work, target: int) -> None:
        """Queue `work` as an event on core `target` of this node, by inter-processor interrupt."""
        ems = self.node_rt.ems
        if type(target) is not int or not 0 <= target < len(ems):
            raise InvalidArgument(f"no core {target!r} on {self.node_rt.name}; spawn_remote "
                                  f"takes a core index 0..{len(ems) - 1}")
        queue = ems[target]._remote
        queue.append(work)
        self.remote_spawns += 1
        if len(queue) == 1:   # it was empty: nobody has interrupted the target yet
            self.ipis += 1
            self.core.node.send_ipi(self.index, target, SPAWN_VECTOR)

    def set_idle_callback(self, callback: Work | None) -> None:
        """Run `callback` as an event whenever this core is idle (None: stop)."""
        self._idle = callback
        if callback is not None and self.core.idle:
            self._post_idle()

    def queue_length(self) -> int:
        """Events queued on this core and not started."""
        return self._queued

    def register_interrupt(self, vector: int, handler: Callable[[int], Any]) -> None:
        """Run `handler(vector)` as an event whenever `vector` is taken on this core."""
        self.core.node.interrupts.register(self.index, vector, partial(self._run_event, handler))

    def next_event_name(self) -> str:
        self._event_count += 1
        return f"{self.core.name}#{self._event_count}"

    # ------------------------------------------------------------------ the loop
    def _run_event(self, work: Work, taken: int = _IDLE) -> None:
        """THE event loop body: run one event on this core, start to finish or until it blocks.

        Every core item of the event manager is a call of this, `taken` saying which kind:
        `_QUEUED` work (`_post`, as a `partial`), the `_IDLE` callback, or an interrupt handler
        (`register_interrupt`): `taken` is then the vector, and the handler is called with it.
        Point the registers at this core (its translation table, or its gated table while a
        call gate is set), run the work, turn a coroutine it returns into an event (it runs
        until it blocks), restore the registers, and post the idle callback if the core has
        nothing else to do."""
        cpu = CPU                         # CPU.switch(...), inline: this is the hot path
        saved_table, saved_em = cpu.table, cpu.em
        cached = cpu.cached
        if cached:
            forget_cached_methods()
        cpu.table = self.table if self.runtime.call_gate is None else self.gated_table
        cpu.em = self
        self.events += 1
        try:
            if taken >= 0:
                self.interrupts += 1
                result = work(taken)
            else:
                if taken == _QUEUED:
                    self._queued -= 1
                result = work()
            if type(result) is CoroutineType:
                start_event(result, self)
        finally:
            if cached:                    # forget_cached_methods(), inline
                for ref in cached:
                    ref.__dict__.clear()
                cached.clear()
            cpu.table, cpu.em = saved_table, saved_em
        if self._idle is not None:
            self._after_item()

    def _post(self, work: Work) -> None:
        """Queue `work` as one item of this core."""
        core = self.core
        if core.node.generation != self._generation:   # the node rebooted since
            core.sim.record(core.name, "event.lost", "reason=reboot")
            return
        self._queued += 1
        if core.sim.instrument is None:
            core.post(partial(self._run_event, work, _QUEUED))
        else:
            core.post(partial(self._run_event, work, _QUEUED), label=_label(work))

    def _drain_remote(self, vector: int) -> None:
        """The remote-spawn IPI: queue everything other cores spawned here, in order."""
        remote = self._remote
        while remote:
            self._post(remote.popleft())

    def _after_item(self) -> None:
        if self._idle is not None and not self._idle_posted and not self.core.queued:
            self._post_idle()

    def _post_idle(self) -> None:
        self._idle_posted = True
        self.core.post(self._run_idle, label="idle" if self.core.sim.instrument else "")

    def _run_idle(self) -> None:
        self._idle_posted = False
        if self._idle is not None:
            self._run_event(self._idle)      # which posts the idle callback again

    def __repr__(self) -> str:
        return f"<EventManager {self.core.name} queued={self._queued}>"


def _label(work: Work) -> str:
    """The trace's name for an event: `resume <event>` for a wake-up, else the work's name."""
    owner = getattr(work, "__self__", None)
    if isinstance(owner, Event):
        return f"resume {owner.name}"
    qualname = getattr(work, "__qualname__", None)
    return qualname if isinstance(qualname, str) else type(work).__qualname__


EVENT_MANAGER: EbbRef[EventManager] = EbbRef[EventManager](EVENT_MANAGER_ID)


def spawn_local(work: Work, force_async: bool = False) -> None:
    """`EVENT_MANAGER.spawn_local(work, force_async)` on the running core."""
    EVENT_MANAGER.spawn_local(work, force_async)


def spawn_remote(work: Work, target: int) -> None:
    """`EVENT_MANAGER.spawn_remote(work, target)` from the running core."""
    EVENT_MANAGER.spawn_remote(work, target)
