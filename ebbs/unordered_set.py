"""UnorderedSet (unordered_set.ebb): a set of unique keys in an open-addressing hash table.

    s = UnorderedSet()
    pos, inserted = s.insert(3)        # pos.key == 3, inserted is True
    s.find(4).at_end                   # True: 4 is absent
    s.calls["hash"] + s.calls["eq"]    # the spec's complexity measure so far
"""

from __future__ import annotations

from typing import Any

from ..verifier import implements
from ._hash_container import HashContainer
from ._hash_table import Position


@implements("unordered_set.ebb", "UnorderedSet", types={"K": "int"})
class UnorderedSet(HashContainer):
    """A set of unique keys, organised by hash (open addressing with resizing). `erase`,
    `find`, `contains`, `size` and `clear` are `HashContainer`'s."""

    def abstraction(self) -> dict[str, object]:
        return {"elems": frozenset(self._table.keys())}

    # ------------------------------------------------------------------ the spec's operations
    def insert(self, t: Any) -> tuple[Position[Any], bool]:
        slot, inserted = self._table.insert(t, None)
        return self._table.position(slot, t), inserted

    # ------------------------------------------------------------------ Python conveniences
    def __repr__(self) -> str:
        return f"UnorderedSet({{{', '.join(repr(k) for k in self)}}})"


__all__ = ["UnorderedSet"]
