"""Broken UnorderedSet variants (unordered_set.ebb)."""

from __future__ import annotations

from typing import Any

from ebbrt.ebbs import UnorderedSet
from ebbrt.ebbs._hash_table import HashTable, Position
from ebbrt.verifier import Context

from . import broken_tables as T
from .oracle import Step
from .variant import BrokenVariant


class _TableSwap(UnorderedSet):
    """Base of the variants whose bug is in the hash table: the set over a broken table."""
    table_class: type[HashTable] = HashTable

    def __init__(self, context: Context | None = None, **hashing: Any) -> None:
        super().__init__(context, **hashing)
        self._table = self.table_class(self._table.hash_fn, self._table.eq_fn)


class SetRehashSkipsSlotZero(_TableSwap):
    """Off by one in the rehash loop (starts at slot 1): a key sitting in slot 0 vanishes when
    the table grows. Breaks insert's `case fresh ensures elems == old(elems) + {t}`."""
    table_class = T.RehashSkipsSlotZero


class SetEraseLeavesHole(_TableSwap):
    """Erase empties the slot instead of leaving a tombstone: a colliding key placed after it
    becomes unreachable. Breaks find's `k in elems ==> !is_end(it) ...` (and contains)."""
    table_class = T.EraseLeavesHole


class SetEraseAlsoNext(_TableSwap):
    """Wrong frame: erase also removes the key in the next slot. Breaks erase's
    `ensures elems == old(elems) - {k}`."""
    table_class = T.EraseAlsoNext


class SetInsertDuplicateAfterTombstone(_TableSwap):
    """Missing case: insert reuses the first tombstone on the probe path without checking the
    rest of the chain, so a present key is inserted again and reported as new. Breaks insert's
    `case duplicate ensures elems == old(elems) && !inserted`."""
    table_class = T.InsertAtFirstTombstone


class SetClearKeepsCount(_TableSwap):
    """Stale state: clear keeps the old element count, so size() is wrong after it. Breaks
    size's `returns size(elems)`."""
    table_class = T.ClearKeepsCount


class SetStaleHashesAfterResize(_TableSwap):
    """Stale state after resize: the stored hashes are not moved with their keys, so keys
    are not found after the table grows. Breaks contains' `returns k in elems`."""
    table_class = T.RehashKeepsOldHashes


class SetDuplicateReturnsEnd(UnorderedSet):
    """Missing case: inserting a key already present returns the end position instead of the
    key's position. Breaks insert's `ensures !is_end(pos) && deref(pos) == t`."""

    def insert(self, t: Any) -> tuple[Position[Any], bool]:
        slot, inserted = self._table.insert(t, None)
        return (self._table.position(slot, t) if inserted else Position(True, t)), inserted


class SetEraseRaisesWhenAbsent(UnorderedSet):
    """Wrong exception: erase of an absent key raises KeyError (as Python's set.remove does)
    instead of returning 0. Breaks the rule that an op with no true `throws` must not throw."""

    def erase(self, k: Any) -> int:
        if not self._table.erase(k):
            raise KeyError(k)
        return 1


def _inserts(keys: range | list[int]) -> list[Step]:
    return [Step("insert", (k,)) for k in keys]


VARIANTS = [
    BrokenVariant("SetRehashSkipsSlotZero", UnorderedSet, SetRehashSkipsSlotZero,
                  "off_by_one", "case: elems == old(elems) + {t}", _inserts(range(7))),
    BrokenVariant("SetEraseLeavesHole", UnorderedSet, SetEraseLeavesHole, "lost_update",
                  "ensures: k in elems ==> !is_end(it)",
                  _inserts([1, 9]) + [Step("erase", (1,)), Step("find", (9,))]),
    BrokenVariant("SetEraseAlsoNext", UnorderedSet, SetEraseAlsoNext, "wrong_frame",
                  "ensures: elems == old(elems) - {k}",
                  _inserts([8, 3]) + [Step("erase", (3,))]),
    BrokenVariant("SetInsertDuplicateAfterTombstone", UnorderedSet,
                  SetInsertDuplicateAfterTombstone, "missing_case",
                  "case: elems == old(elems) && !inserted",
                  _inserts([1, 9]) + [Step("erase", (1,)), Step("insert", (9,))]),
    BrokenVariant("SetClearKeepsCount", UnorderedSet, SetClearKeepsCount, "stale_state",
                  "returns: size(elems)",
                  (Step("insert", (1,)), Step("clear"), Step("size"))),
    BrokenVariant("SetStaleHashesAfterResize", UnorderedSet, SetStaleHashesAfterResize,
                  "stale_state", "returns: k in elems",
                  _inserts([6, 3, 5, 11, 0, 9, 12]) + [Step("contains", (11,))]),
    BrokenVariant("SetDuplicateReturnsEnd", UnorderedSet, SetDuplicateReturnsEnd,
                  "missing_case", "ensures: !is_end(pos) && deref(pos) == t",
                  (Step("insert", (5,)), Step("insert", (5,)))),
    BrokenVariant("SetEraseRaisesWhenAbsent", UnorderedSet, SetEraseRaisesWhenAbsent,
                  "wrong_exception", "throws: no throws condition holds",
                  (Step("erase", (4,)),)),
]
