"""Where representatives are found: the per-core translation table, the node's local id map
and the runtime's global id map.

- A core's *translation table* is a plain dict, id -> representative, owned by the core's
  event manager (`em.table`). A call through an `EbbRef` looks the id up there and nowhere
  else; `cache_ref` fills it (EbbRT's `EbbRef::CacheRef`), usually from a `handle_fault`.
- A node's `LocalIdMap` (EbbRT's `local_id_map`) holds what each Ebb's fault handler needs on
  that node: the shared representative, a multicore root and its per-core representatives, a
  distributed Ebb's representative once built. `insert` is first-wins, so two cores that fault
  at once and both build a representative agree on the first one inserted.
- The runtime's `GlobalIdMap` (EbbRT's `GlobalIdMap`, a network service there; one shared
  object here) maps a global id to what any node needs to build its representative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._cpu import CPU, current_event_manager, forget_cached_methods
from ._ids import EbbId

__all__ = ["GlobalIdMap", "IdEntry", "LocalIdMap", "cache_ref"]


@dataclass
class IdEntry:
    """What a node (or the runtime) knows about one Ebb id: the Ebb's type and its data.

    `value` is the representative (shared and distributed Ebbs) or None; `root` is the root a
    multicore Ebb builds its representatives from, or the data a distributed Ebb's
    representatives are built from; `reps` holds a multicore Ebb's representatives by core."""
    ebb_type: type
    value: Any = None
    root: Any = None
    reps: dict[int, Any] = field(default_factory=dict)


class LocalIdMap:
    """One node's id -> `IdEntry` map."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[EbbId, IdEntry] = {}

    def find(self, ebb_id: EbbId) -> IdEntry | None:
        return self._entries.get(ebb_id)

    def insert(self, ebb_id: EbbId, entry: IdEntry) -> tuple[IdEntry, bool]:
        """Store `entry` unless the id has one already: the first insert wins. Returns the
        entry now stored and whether it is `entry`."""
        stored = self._entries.setdefault(ebb_id, entry)
        return stored, stored is entry

    def erase(self, ebb_id: EbbId) -> bool:
        return self._entries.pop(ebb_id, None) is not None

    def __contains__(self, ebb_id: object) -> bool:
        return ebb_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<LocalIdMap {self.name} {len(self._entries)} ids>"


class GlobalIdMap(LocalIdMap):
    """The runtime's global id -> `IdEntry` map, shared by all its nodes."""


def cache_ref(ebb_id: EbbId, rep: Any) -> None:
    """Cache `rep` as `ebb_id`'s representative in the running core's translation table."""
    em = current_event_manager(f"caching a representative for Ebb {ebb_id:#x}")
    em.table[ebb_id] = rep
    em.gated_table.pop(ebb_id, None)    # a stand-in for a replaced representative
    if CPU.cached:                      # methods of a replaced representative
        forget_cached_methods()
