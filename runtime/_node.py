"""The runtime on one node: its id allocator, local id map and one event manager per core.

Booting a node makes an event manager for each core (registering its remote-spawn interrupt)
and enters the runtime's own Ebbs in the local id map under their static ids: the event
manager and the timer (multicore; the timer's representative for a core, with its interrupt
handler, is built on that core's first call) and the clock (shared). A reboot (`restart`)
builds a fresh `NodeRuntime`: tables, maps and representatives start empty again, while the id
allocator carries on, so global ids handed out before the crash are never reused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._clock import Clock
from ._ebbref import ebb_not_found
from ._events import EventManager
from ._ids import CLOCK_ID, EVENT_MANAGER_ID, TIMER_ID, EbbId, IdAllocator
from ._table import IdEntry, LocalIdMap
from ._timer import Timer

if TYPE_CHECKING:
    from ..machine import Node
    from ._runtime import Runtime

__all__ = ["NodeRuntime"]


class NodeRuntime:
    """`node`'s share of `runtime`: `ids`, `local_ids`, `ems` (one `EventManager` per core)."""

    def __init__(self, runtime: Runtime, node: Node, ids: IdAllocator) -> None:
        self.runtime = runtime
        self.node = node
        self.name = node.name
        self.ids = ids
        self.local_ids = LocalIdMap(node.name)
        self.ems: tuple[EventManager, ...] = tuple(EventManager(self, core)
                                                   for core in node.cores)
        self.local_ids.insert(EVENT_MANAGER_ID, IdEntry(
            EventManager, root=self, reps={em.index: em for em in self.ems}))
        self.local_ids.insert(TIMER_ID, IdEntry(runtime.timer_type, root=self))
        self.local_ids.insert(CLOCK_ID, IdEntry(Clock, value=Clock(self)))

    def ebb_type_of(self, ebb_id: EbbId) -> type:
        """The type of Ebb `ebb_id`, from this node's local id map or the global one."""
        entry = self.local_ids.find(ebb_id) or self.runtime.global_ids.find(ebb_id)
        if entry is None:
            raise ebb_not_found(ebb_id, self.name)
        return entry.ebb_type

    def timers(self) -> list[Timer]:
        """The Timer representatives built so far on this node, by core."""
        entry = self.local_ids.find(TIMER_ID)
        return [] if entry is None else [entry.reps[i] for i in sorted(entry.reps)]

    def __repr__(self) -> str:
        return f"<NodeRuntime {self.name} {len(self.ems)} cores {len(self.local_ids)} ids>"
