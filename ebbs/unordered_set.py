"""UnorderedSet (unordered_set.ebb): a set of unique keys in an open-addressing hash table.

    s = UnorderedSet()
    pos, inserted = s.insert(3)        # pos.key == 3, inserted is True
    s.find(4).at_end                   # True: 4 is absent
    s.calls["hash"] + s.calls["eq"]    # the spec's complexity measure so far
"""

from __future__ import annotations

import operator
from typing import Any, Callable, Iterator

from ..verifier import Context, implements
from ._hash_table import HashTable, Position


@implements("unordered_set.ebb", "UnorderedSet", types={"K": "int"})
class UnorderedSet:
    """A set of unique keys, organised by hash (open addressing with resizing)."""

    def __init__(self, context: Context | None = None, *, hash_fn: Callable[[Any], int] = hash,
                 eq_fn: Callable[[Any, Any], bool] = operator.eq) -> None:
        self.context = context if context is not None else Context()
        self._table: HashTable[Any, None] = HashTable(hash_fn, eq_fn)

    @property
    def calls(self) -> dict[str, int]:
        """Calls of the key's hash and equality so far (the spec's complexity measure)."""
        return self._table.calls

    def abstraction(self) -> dict[str, object]:
        return {"elems": frozenset(self._table.keys())}

    # ------------------------------------------------------------------ the spec's operations
    def insert(self, t: Any) -> tuple[Position[Any], bool]:
        slot, inserted = self._table.insert(t, None)
        return self._table.position(slot, t), inserted

    def erase(self, k: Any) -> int:
        return 1 if self._table.erase(k) else 0

    def find(self, k: Any) -> Position[Any]:
        return self._table.position(self._table.find(k), k)

    def contains(self, k: Any) -> bool:
        return self._table.find(k) is not None

    def size(self) -> int:
        return len(self._table)

    def clear(self) -> None:
        self._table.clear()

    # ------------------------------------------------------------------ Python conveniences
    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, k: object) -> bool:
        return self.contains(k)

    def __iter__(self) -> Iterator[Any]:
        return self._table.keys()

    def __repr__(self) -> str:
        return f"UnorderedSet({{{', '.join(repr(k) for k in self)}}})"


__all__ = ["UnorderedSet"]
