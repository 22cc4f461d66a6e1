"""Representative scopes: where an Ebb's representatives live and how a fault finds them.

An Ebb type subclasses one of these and gets `create` (make the Ebb, return its `EbbRef`) and
`handle_fault(id)` (called on a translation miss, on the faulting core: find or build the
representative, cache it in this core's table, return it), as EbbRT's `SharedEbb` and
`MulticoreEbb` give a C++ class:

- `SharedEbb`: one representative per node, given to `create` on that node; every core of
  the node faults to the same object.
- `MulticoreEbb`: one representative per core, built on that core's first fault from the
  root object given to `create` (`build_rep(root)`, by default `cls(root)`).
- `DistributedEbb`: one representative per node, built on the node's first fault from the
  root stored with the Ebb's global id in the runtime's global id map, so every node can
  fault it in. Two cores of a node that fault at once may both build one; the first inserted
  into the node's local id map wins and the other core uses it (EbbRT's `Insert` + `Find`).

Ids: `create(..., id=None)` allocates a global id from the running node's range; pass
`id=runtime.node_runtime(n).ids.allocate_local()` (or a static id) for a node-private one.
"""

from __future__ import annotations

from typing import Any, TypeVar

from ._cpu import current_event_manager
from ._ebbref import EbbRef, ebb_not_found
from ._errors import InvalidArgument
from ._ids import EbbId
from ._table import IdEntry, LocalIdMap, cache_ref

__all__ = ["DistributedEbb", "MulticoreEbb", "SharedEbb"]

E = TypeVar("E")


def _register(table: LocalIdMap, ebb_id: EbbId, entry: IdEntry) -> None:
    _, inserted = table.insert(ebb_id, entry)
    if not inserted:
        raise InvalidArgument(f"Ebb id {ebb_id:#x} is already in use in {table.name}; let "
                              "create() allocate an id, or pass one that is free")


def _entry(cls: type, entry: IdEntry | None, ebb_id: EbbId, where: str) -> IdEntry:
    if entry is None:
        raise ebb_not_found(ebb_id, where)
    if not issubclass(entry.ebb_type, cls):
        raise InvalidArgument(f"Ebb {ebb_id:#x} is a {entry.ebb_type.__qualname__}, not a "
                              f"{cls.__qualname__}; use EbbRef[{entry.ebb_type.__qualname__}]")
    return entry


class SharedEbb:
    """One representative per node, shared by all the node's cores."""

    @classmethod
    def create(cls: type[E], rep: E, *, id: EbbId | None = None) -> EbbRef[E]:
        """Make `rep` the node's representative of a new Ebb; returns its `EbbRef`."""
        node_rt = current_event_manager(f"creating a {cls.__qualname__}").node_rt
        ebb_id = id if id is not None else node_rt.ids.allocate_global()
        _register(node_rt.local_ids, ebb_id, IdEntry(cls, value=rep))
        return EbbRef[cls](ebb_id)  # type: ignore[valid-type]

    @classmethod
    def handle_fault(cls, ebb_id: EbbId) -> Any:
        em = current_event_manager(f"a fault on Ebb {ebb_id:#x}")
        entry = _entry(cls, em.node_rt.local_ids.find(ebb_id), ebb_id, em.node_rt.name)
        cache_ref(ebb_id, entry.value)
        return entry.value


class MulticoreEbb:
    """One representative per core, each built lazily from the node's root object."""

    @classmethod
    def create(cls: type[E], root: Any = None, *, id: EbbId | None = None) -> EbbRef[E]:
        """A new Ebb whose representatives are built from `root` on each core's first call."""
        node_rt = current_event_manager(f"creating a {cls.__qualname__}").node_rt
        ebb_id = id if id is not None else node_rt.ids.allocate_global()
        _register(node_rt.local_ids, ebb_id, IdEntry(cls, root=root))
        return EbbRef[cls](ebb_id)  # type: ignore[valid-type]

    @classmethod
    def build_rep(cls, root: Any) -> Any:
        """This core's new representative (EbbRT: `new T(root)`); override to build otherwise."""
        return cls(root)

    @classmethod
    def handle_fault(cls, ebb_id: EbbId) -> Any:
        em = current_event_manager(f"a fault on Ebb {ebb_id:#x}")
        entry = _entry(cls, em.node_rt.local_ids.find(ebb_id), ebb_id, em.node_rt.name)
        rep = entry.reps.get(em.index)
        if rep is None:   # the Ebb's own type builds it (a ref may name a base class)
            rep = entry.reps.setdefault(em.index, entry.ebb_type.build_rep(entry.root))
        cache_ref(ebb_id, rep)
        return rep

    @classmethod
    def reps(cls, ref: EbbRef[Any] | EbbId) -> dict[int, Any]:
        """The representatives built so far on the running node, by core (EbbRT's
        `MulticoreEbbRoot::GetReps`), e.g. to add up per-core counters."""
        ebb_id = ref if isinstance(ref, int) else ref.id
        node_rt = current_event_manager(f"listing the representatives of {ebb_id:#x}").node_rt
        return dict(_entry(cls, node_rt.local_ids.find(ebb_id), ebb_id, node_rt.name).reps)


class DistributedEbb:
    """One representative per node, built on each node's first fault from a root kept in
    the runtime's global id map."""

    @classmethod
    def create(cls: type[E], root: Any = None, *, id: EbbId | None = None) -> EbbRef[E]:
        """A new Ebb with a global id; any node's first call builds that node's
        representative from `root`."""
        em = current_event_manager(f"creating a {cls.__qualname__}")
        ebb_id = id if id is not None else em.node_rt.ids.allocate_global()
        _register(em.runtime.global_ids, ebb_id, IdEntry(cls, root=root))
        return EbbRef[cls](ebb_id)  # type: ignore[valid-type]

    @classmethod
    def build_rep(cls, root: Any) -> Any:
        """The running node's new representative; override to build otherwise."""
        return cls(root)

    @classmethod
    def handle_fault(cls, ebb_id: EbbId) -> Any:
        em = current_event_manager(f"a fault on Ebb {ebb_id:#x}")
        local = em.node_rt.local_ids
        entry = local.find(ebb_id)
        if entry is None:
            shared = _entry(cls, em.runtime.global_ids.find(ebb_id), ebb_id, "any node")
            candidate = IdEntry(shared.ebb_type, value=shared.ebb_type.build_rep(shared.root))
            # building may take a while (or block): another core may have inserted first
            entry, won = local.insert(ebb_id, candidate)
            if not won and em.core.sim.instrument is not None:
                em.core.sim.record(em.core.name, "ebb.fault.lost",
                                   f"id={ebb_id:#x}: another core's representative was first")
        entry = _entry(cls, entry, ebb_id, em.node_rt.name)
        cache_ref(ebb_id, entry.value)
        return entry.value
