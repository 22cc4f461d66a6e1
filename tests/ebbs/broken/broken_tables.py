"""Hash tables with one bug each, for the broken UnorderedSet and UnorderedMap variants.

Each overrides one method of `ebbrt.ebbs._hash_table.HashTable` with a version that differs by the
bug its docstring names.
"""

from __future__ import annotations

from typing import Any

from ebbrt.ebbs._hash_table import EMPTY, TOMBSTONE, HashTable


def _live(keys: list[Any], i: int) -> bool:
    return keys[i] is not EMPTY and keys[i] is not TOMBSTONE


class RehashSkipsSlotZero(HashTable):
    """Off by one: the rehash loop starts at slot 1, so the key in slot 0 is lost at a resize."""

    def _live_entries(self) -> list[tuple[Any, Any, int]]:
        return [(self._keys[i], self._values[i], self._hashes[i])
                for i in range(1, len(self._keys)) if _live(self._keys, i)]


class RehashDropsLast(HashTable):
    """Off by one: the rehash copies `live - 1` entries, dropping the last one at a resize."""

    def _live_entries(self) -> list[tuple[Any, Any, int]]:
        return super()._live_entries()[:-1]


class RehashKeepsOldHashes(HashTable):
    """Stale state after resize: keys move to their new slots but the stored-hash array is
    carried over from the old layout, so probes compare against the wrong stored hash."""

    def _rehash(self, capacity: int) -> None:
        stale = list(self._hashes)
        super()._rehash(capacity)
        self._hashes = (stale + [0] * capacity)[:capacity]


class RehashLeavesValues(HashTable):
    """Stale state after resize: keys move to their new slots, values stay where they were."""

    def _rehash(self, capacity: int) -> None:
        stale = list(self._values)
        super()._rehash(capacity)
        self._values = (stale + [None] * capacity)[:capacity]


class EraseLeavesHole(HashTable):
    """Missing tombstone: erase empties the slot, cutting the probe chain, so keys placed
    past it by collisions can no longer be found (though they are still stored)."""

    def erase(self, key: Any) -> bool:
        found = self.find(key)
        if found is None:
            return False
        self._keys[found], self._values[found] = EMPTY, None
        self._live -= 1
        return True


class EraseAlsoNext(HashTable):
    """Wrong frame: a botched backward-shift erase also drops the key in the next slot."""

    def erase(self, key: Any) -> bool:
        found = self.find(key)
        if found is None:
            return False
        for i in (found, (found + 1) & (len(self._keys) - 1)):
            if _live(self._keys, i):
                self._keys[i], self._values[i] = TOMBSTONE, None
                self._live -= 1
                self._tombstones += 1
        return True


class InsertAtFirstTombstone(HashTable):
    """Missing case: insert stops at the first tombstone and puts the key there without
    looking further down the chain, so a key already present past it is added again."""

    def insert(self, key: Any, value: Any) -> tuple[int, bool]:
        h = self._hash(key)
        keys, mask = self._keys, len(self._keys) - 1
        i = self._home(h)
        while True:
            if keys[i] is EMPTY or keys[i] is TOMBSTONE:
                return self._place(i, key, value, h), True
            if self._hashes[i] == h and self._eq(keys[i], key):
                return i, False
            i = (i + 1) & mask


class ClearKeepsCount(HashTable):
    """Stale state: clear empties the slots but keeps the old count of live keys."""

    def clear(self) -> None:
        live = self._live
        self._reset(len(self._keys))
        self._live = live


__all__ = ["ClearKeepsCount", "EraseAlsoNext", "EraseLeavesHole", "InsertAtFirstTombstone",
           "RehashDropsLast", "RehashKeepsOldHashes", "RehashLeavesValues",
           "RehashSkipsSlotZero"]
