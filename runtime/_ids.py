"""Ebb ids: one 32-bit number names an Ebb on every core of every node, as in EbbRT.

The id space is cut into ranges of 2**20 ids. Range 0 is *local*: every node allocates from it
on its own, so a local id names a node-private Ebb and means something else (or nothing) on
another node. Range `k + 1` belongs to node `k`, which allocates *global* ids from it; a global
id is unique in the whole runtime, so it can be sent to other nodes and used there (a
distributed Ebb finds its representative on each node through the runtime's global id map).
Ids below `FIRST_FREE_LOCAL_ID` are the static ids of the runtime's own Ebbs (the event
manager, the timer, the clock), the same on every node, like EbbRT's `kEventManagerId`.
Id 0 is the null id and names nothing.
"""

from __future__ import annotations

from ._errors import IdSpaceExhausted

__all__ = ["CLOCK_ID", "EVENT_MANAGER_ID", "EbbId", "FIRST_FREE_LOCAL_ID", "ID_SPACE_BITS",
           "IdAllocator", "MAX_NODES", "TIMER_ID", "global_id_range", "home_node", "is_global"]

EbbId = int
ID_SPACE_BITS = 20
"""Each id range holds 2**ID_SPACE_BITS ids."""
_RANGE = 1 << ID_SPACE_BITS
MAX_NODES = (1 << (32 - ID_SPACE_BITS)) - 1
"""Ids are 32-bit and range 0 is local, so at most this many nodes get a global range."""

EVENT_MANAGER_ID = 1
TIMER_ID = 2
CLOCK_ID = 3
FIRST_FREE_LOCAL_ID = 16
"""Ids 1..15 are static: the runtime's own Ebbs have them on every node."""


def global_id_range(node_id: int) -> range:
    """The global ids node `node_id` allocates from: range `node_id + 1` of the id space."""
    if type(node_id) is not int or not 0 <= node_id < MAX_NODES:
        raise ValueError(f"node {node_id!r} has no global id range: ids are 32-bit, so nodes "
                         f"are numbered 0..{MAX_NODES - 1}")
    start = (node_id + 1) << ID_SPACE_BITS
    return range(start, start + _RANGE)


def is_global(ebb_id: EbbId) -> bool:
    """True for an id from some node's global range (valid on every node)."""
    return ebb_id >= _RANGE


def home_node(ebb_id: EbbId) -> int | None:
    """The node whose range a global id comes from; None for a local id."""
    return (ebb_id >> ID_SPACE_BITS) - 1 if ebb_id >= _RANGE else None


class IdAllocator:
    """One node's id allocator (EbbRT's `EbbAllocator`): local ids from range 0, global ids
    from the node's own range, each handed out once, lowest first."""

    def __init__(self, node_id: int) -> None:
        self.node_id = node_id
        self._global = global_id_range(node_id)
        self._next_local = FIRST_FREE_LOCAL_ID
        self._next_global = self._global.start

    def allocate_local(self) -> EbbId:
        """A fresh node-private id."""
        if self._next_local >= _RANGE:
            raise IdSpaceExhausted(f"node{self.node_id} has used all {_RANGE - FIRST_FREE_LOCAL_ID}"
                                   " local ids; reuse an Ebb or give it a global id")
        ebb_id, self._next_local = self._next_local, self._next_local + 1
        return ebb_id

    def allocate_global(self) -> EbbId:
        """A fresh id unique in the whole runtime, from this node's range."""
        if self._next_global >= self._global.stop:
            raise IdSpaceExhausted(f"node{self.node_id} has used its whole global id range "
                                   f"{self._global.start:#x}..{self._global.stop - 1:#x}; "
                                   "allocate from another node")
        ebb_id, self._next_global = self._next_global, self._next_global + 1
        return ebb_id

    def __repr__(self) -> str:
        return (f"<IdAllocator node{self.node_id} next local {self._next_local:#x} "
                f"next global {self._next_global:#x}>")
