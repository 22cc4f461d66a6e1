"""Broken UnorderedMap variants (unordered_map.ebb)."""

from __future__ import annotations

from typing import Any

from ebbrt.ebbs import UnorderedMap
from ebbrt.ebbs._hash_table import HashTable, Position
from ebbrt.verifier import Context

from . import broken_tables as T
from .oracle import Step
from .variant import BrokenVariant


class _TableSwap(UnorderedMap):
    """Base of the variants whose bug is in the hash table: the map over a broken table."""
    table_class: type[HashTable] = HashTable

    def __init__(self, context: Context | None = None, **hashing: Any) -> None:
        super().__init__(context, **hashing)
        self._table = self.table_class(self._table.hash_fn, self._table.eq_fn)


class MapRehashDropsLast(_TableSwap):
    """Off by one in the rehash copy loop: the last live pair is dropped when the table grows.
    Breaks insert's `case fresh ensures entries == old(entries)[k := v] && inserted`."""
    table_class = T.RehashDropsLast


class MapValuesStaleAfterResize(_TableSwap):
    """Stale state after resize: keys move to their new slots but values stay behind, so
    keys get other keys' values. Breaks insert's `case fresh` (the entries change)."""
    table_class = T.RehashLeavesValues


class MapInsertOverwrites(UnorderedMap):
    """Missing case: insert of a present key replaces its value (it behaves as
    insert_or_assign). Breaks insert's `case duplicate ensures entries == old(entries) && ...`."""

    def insert(self, k: Any, v: Any) -> tuple[Position[Any], bool]:
        slot, inserted = self._table.assign(k, v)
        return self._table.position(slot, k), inserted


class MapAtRaisesKeyError(UnorderedMap):
    """Wrong exception: at() of an absent key raises a plain KeyError, not OutOfRange. Breaks
    `checked requires k in entries throws OutOfRange`."""

    def at(self, k: Any) -> Any:
        slot = self._table.find(k)
        if slot is None:
            raise KeyError(k)
        return self._table.value_at(slot)


class MapAtDefaultsToZero(UnorderedMap):
    """Missing case: at() of an absent key returns 0 (a default value) instead of raising.
    Breaks `checked requires k in entries throws OutOfRange` (nothing is raised)."""

    def at(self, k: Any) -> Any:
        slot = self._table.find(k)
        return 0 if slot is None else self._table.value_at(slot)


class MapFindInsertsDefault(UnorderedMap):
    """Wrong frame: find() of an absent key inserts it with value 0 (operator[] semantics)
    before answering. Breaks find's `pure` (the frame: `entries` must not change)."""

    def find(self, k: Any) -> Position[Any]:
        slot, _ = self._table.insert(k, 0)
        return self._table.position(slot, k)


class MapAssignReportsReplaced(UnorderedMap):
    """Wrong result: insert_or_assign returns whether the key was present, the opposite of
    what it should. Breaks `returns k !in old(entries)`."""

    def insert_or_assign(self, k: Any, v: Any) -> bool:
        return not self._table.assign(k, v)[1]


class MapEraseNeighbour(_TableSwap):
    """Wrong frame: erase also drops the pair in the next slot. Breaks erase's
    `ensures entries == old(entries) - {k}`."""
    table_class = T.EraseAlsoNext


VARIANTS = [
    BrokenVariant("MapRehashDropsLast", UnorderedMap, MapRehashDropsLast, "off_by_one",
                  "case: entries == old(entries)[k := v] && inserted",
                  [Step("insert", (k, k)) for k in range(7)]),
    BrokenVariant("MapValuesStaleAfterResize", UnorderedMap, MapValuesStaleAfterResize,
                  "stale_state", "case: entries == old(entries)[k := v] && inserted",
                  [Step("insert", (k, 100 + k)) for k in range(7)]),
    BrokenVariant("MapInsertOverwrites", UnorderedMap, MapInsertOverwrites, "missing_case",
                  "case: entries == old(entries) && !inserted",
                  (Step("insert", (1, 10)), Step("insert", (1, 20)))),
    BrokenVariant("MapAtRaisesKeyError", UnorderedMap, MapAtRaisesKeyError, "wrong_exception",
                  "throws: k in entries throws OutOfRange", (Step("at", (3,)),)),
    BrokenVariant("MapAtDefaultsToZero", UnorderedMap, MapAtDefaultsToZero, "missing_case",
                  "checked requires: k in entries throws OutOfRange", (Step("at", (3,)),)),
    BrokenVariant("MapFindInsertsDefault", UnorderedMap, MapFindInsertsDefault, "wrong_frame",
                  "frame: modifies nothing", (Step("find", (2,)),)),
    BrokenVariant("MapAssignReportsReplaced", UnorderedMap, MapAssignReportsReplaced,
                  "wrong_result", "returns: k !in old(entries)",
                  (Step("insert_or_assign", (1, 5)),)),
    BrokenVariant("MapEraseNeighbour", UnorderedMap, MapEraseNeighbour, "wrong_frame",
                  "ensures: entries == old(entries) - {k}",
                  (Step("insert", (10, 60)), Step("insert", (0, 11)), Step("erase", (0,)))),
]
