"""An open-addressing hash table (linear probing, tombstones, resizing) for the unordered
containers, counting the calls of hash and equality that their specs measure complexity in.

Layout: three parallel slot arrays (keys, values, stored hashes). A slot is empty, a tombstone
(an erased key: probes must walk past it, inserts may reuse it) or live. The home slot of a hash
is picked by Fibonacci hashing, so keys that differ only in high bits still spread. The table
keeps at least one empty slot, so every probe ends: it grows (or rehashes in place, dropping
tombstones) before `live + tombstones` would pass 3/4 of the slots, and shrinks when an erase
leaves it under 1/8 full. A rehash reuses the stored hashes, so it calls neither hash nor eq.

`calls` holds the complexity measure's counters: `calls["hash"]` and `calls["eq"]`.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterator, TypeVar

K = TypeVar("K")
V = TypeVar("V")

MIN_CAPACITY = 8
_GOLDEN = 0x9E3779B97F4A7C15  # 2^64 / golden ratio, for Fibonacci hashing
_MASK64 = (1 << 64) - 1


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


EMPTY = _Marker("EMPTY")
TOMBSTONE = _Marker("TOMBSTONE")


@dataclass(frozen=True)
class Position(Generic[K]):
    """A position in a container (record `Iter` of iterator.ebb): a key, or the end.

    `slot` is where the key sat when the position was made; like a C++ iterator, it is valid
    only until the container next changes. An end position made by a failed search carries
    the key searched for, so `key` always has the key type (the spec's record needs one)."""
    at_end: bool
    key: Any = None
    slot: int = -1

    def __bool__(self) -> bool:  # `if s.find(k):` reads as "found"
        return not self.at_end


def capacity_for(count: int) -> int:
    """The smallest power-of-two capacity that holds `count` keys at most half full."""
    capacity = MIN_CAPACITY
    while capacity < 2 * count:
        capacity *= 2
    return capacity


class HashTable(Generic[K, V]):
    """Keys (unique under `eq`) with values, by open addressing. `hash_fn` and `eq_fn` are
    the key's hash and equality (tests pass colliding ones)."""

    def __init__(self, hash_fn: Callable[[Any], int] = hash,
                 eq_fn: Callable[[Any, Any], bool] = operator.eq) -> None:
        self.hash_fn = hash_fn
        self.eq_fn = eq_fn
        self.calls: dict[str, int] = {"hash": 0, "eq": 0}
        self._reset(MIN_CAPACITY)

    def _reset(self, capacity: int) -> None:
        self._keys: list[Any] = [EMPTY] * capacity
        self._values: list[Any] = [None] * capacity
        self._hashes: list[int] = [0] * capacity
        self._live = 0
        self._tombstones = 0
        self._shift = 64 - (capacity.bit_length() - 1)

    # ------------------------------------------------------------------ measured primitives
    def _hash(self, key: Any) -> int:
        self.calls["hash"] += 1
        return self.hash_fn(key)

    def _eq(self, a: Any, b: Any) -> bool:
        self.calls["eq"] += 1
        return bool(self.eq_fn(a, b))

    def _home(self, h: int) -> int:
        return ((h * _GOLDEN) & _MASK64) >> self._shift

    def _probe(self, key: Any, h: int) -> tuple[int | None, int]:
        """(the slot holding `key` or None, the slot an insert of `key` should use)."""
        keys, hashes = self._keys, self._hashes
        mask = len(keys) - 1
        i = self._home(h)
        reusable: int | None = None
        while True:
            k = keys[i]
            if k is EMPTY:
                return None, (i if reusable is None else reusable)
            if k is TOMBSTONE:
                if reusable is None:
                    reusable = i
            elif hashes[i] == h and self._eq(k, key):
                return i, i
            i = (i + 1) & mask

    # ------------------------------------------------------------------ sizing
    @property
    def capacity(self) -> int:
        return len(self._keys)

    @property
    def tombstones(self) -> int:
        return self._tombstones

    def _needs_room(self) -> bool:
        """Whether filling one more empty slot would pass the 3/4 load factor."""
        return 4 * (self._live + self._tombstones + 1) > 3 * len(self._keys)

    def _rehash(self, capacity: int) -> None:
        """Move every live key into fresh arrays of `capacity` slots (tombstones vanish)."""
        entries = self._live_entries()
        self._reset(capacity)
        mask = capacity - 1
        for k, v, h in entries:
            i = self._home(h)
            while self._keys[i] is not EMPTY:
                i = (i + 1) & mask
            self._keys[i], self._values[i], self._hashes[i] = k, v, h
        self._live = len(entries)

    def _live_entries(self) -> list[tuple[Any, Any, int]]:
        """(key, value, hash) of every live slot, in slot order."""
        return [(k, v, h) for k, v, h in zip(self._keys, self._values, self._hashes)
                if k is not EMPTY and k is not TOMBSTONE]

    def _place(self, slot: int, key: Any, value: Any, h: int) -> int:
        """Put a new key at `slot` (from `_probe`), first making room if it needs some."""
        if self._keys[slot] is TOMBSTONE:
            self._tombstones -= 1
        elif self._needs_room():
            self._rehash(capacity_for(self._live + 1))
            slot = self._probe_empty(h)
        self._keys[slot], self._values[slot], self._hashes[slot] = key, value, h
        self._live += 1
        return slot

    def _probe_empty(self, h: int) -> int:
        """The first empty slot from `h`'s home (right after a rehash: no tombstones)."""
        mask = len(self._keys) - 1
        i = self._home(h)
        while self._keys[i] is not EMPTY:
            i = (i + 1) & mask
        return i

    # ------------------------------------------------------------------ operations
    def __len__(self) -> int:
        return self._live

    def find(self, key: Any) -> int | None:
        """The slot holding `key`, or None."""
        return self._probe(key, self._hash(key))[0]

    def insert(self, key: Any, value: Any) -> tuple[int, bool]:
        """Add `key` -> `value` unless `key` is present: (its slot, whether it was added)."""
        h = self._hash(key)
        found, slot = self._probe(key, h)
        if found is not None:
            return found, False
        return self._place(slot, key, value, h), True

    def assign(self, key: Any, value: Any) -> tuple[int, bool]:
        """Map `key` to `value`, adding or replacing: (its slot, whether it was added)."""
        h = self._hash(key)
        found, slot = self._probe(key, h)
        if found is not None:
            self._values[found] = value
            return found, False
        return self._place(slot, key, value, h), True

    def erase(self, key: Any) -> bool:
        """Remove `key`; whether it was present."""
        found = self.find(key)
        if found is None:
            return False
        self._keys[found], self._values[found] = TOMBSTONE, None
        self._live -= 1
        self._tombstones += 1
        if len(self._keys) > MIN_CAPACITY and 8 * self._live < len(self._keys):
            self._rehash(capacity_for(self._live))
        return True

    def clear(self) -> None:
        self._reset(MIN_CAPACITY)

    def key_at(self, slot: int) -> Any:
        return self._keys[slot]

    def value_at(self, slot: int) -> Any:
        return self._values[slot]

    def position(self, slot: int | None, searched: Any) -> Position[Any]:
        """The position of `slot`, or (None) the end, carrying the key `searched` for."""
        if slot is None:
            return Position(True, searched)
        return Position(False, self._keys[slot], slot)

    def slots(self) -> Iterator[int]:
        """Every live slot, in slot order."""
        for i, k in enumerate(self._keys):
            if k is not EMPTY and k is not TOMBSTONE:
                yield i

    def keys(self) -> Iterator[Any]:
        return (self._keys[i] for i in self.slots())

    def items(self) -> Iterator[tuple[Any, Any]]:
        return ((self._keys[i], self._values[i]) for i in self.slots())

    def layout_problems(self) -> list[str]:
        """What is wrong with the table's own invariant (empty when nothing is): the counts
        match the arrays, one slot at least is empty (so probes end), and every live key is
        reachable from its home slot without crossing an empty slot."""
        problems = []
        live = sum(1 for _ in self.slots())
        tombs = sum(1 for k in self._keys if k is TOMBSTONE)
        if (live, tombs) != (self._live, self._tombstones):
            problems.append(f"counts say {self._live} live and {self._tombstones} tombstones; "
                            f"the slots hold {live} and {tombs}")
        if EMPTY not in self._keys:
            problems.append("no empty slot: a probe for a missing key would not end")
        mask = len(self._keys) - 1
        for i in self.slots():
            j = self._home(self._hashes[i])
            while j != i:
                if self._keys[j] is EMPTY:
                    problems.append(f"slot {i} is unreachable from its home slot")
                    break
                j = (j + 1) & mask
        return problems

__all__ = ["EMPTY", "HashTable", "MIN_CAPACITY", "Position", "TOMBSTONE", "capacity_for"]
