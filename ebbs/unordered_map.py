"""UnorderedMap (unordered_map.ebb): key-value pairs with unique keys, in an open-addressing
hash table.

    m = UnorderedMap()
    m.insert(1, 10)                    # (position of 1, True)
    m.insert(1, 99)                    # (position of 1, False): the value stays 10
    m.insert_or_assign(1, 99)          # False: replaced
    m.at(2)                            # raises OutOfRange
"""

from __future__ import annotations

from typing import Any, Iterator

from ..verifier import implements
from ..verifier._values import FrozenMap
from ._errors import OutOfRange
from ._hash_container import HashContainer
from ._hash_table import Position


@implements("unordered_map.ebb", "UnorderedMap", types={"K": "int", "V": "int"})
class UnorderedMap(HashContainer):
    """A map from unique keys to values, organised by the key's hash. `erase`, `find`,
    `contains` and `size` are `HashContainer`'s."""

    def abstraction(self) -> dict[str, object]:
        return {"entries": FrozenMap(self._table.items())}

    # ------------------------------------------------------------------ the spec's operations
    def insert(self, k: Any, v: Any) -> tuple[Position[Any], bool]:
        slot, inserted = self._table.insert(k, v)
        return self._table.position(slot, k), inserted

    def insert_or_assign(self, k: Any, v: Any) -> bool:
        return self._table.assign(k, v)[1]

    def at(self, k: Any) -> Any:
        slot = self._table.find(k)
        if slot is None:
            raise OutOfRange(f"no entry has the key {k!r}")
        return self._table.value_at(slot)

    # ------------------------------------------------------------------ Python conveniences
    def value(self, pos: Position[Any]) -> Any:
        """The value at a position `find` or `insert` returned (before any later change)."""
        if pos.at_end:
            raise OutOfRange("the end position has no value")
        return self._table.value_at(pos.slot)

    def items(self) -> Iterator[tuple[Any, Any]]:
        return self._table.items()

    def __getitem__(self, k: Any) -> Any:
        return self.at(k)

    def __setitem__(self, k: Any, v: Any) -> None:
        self.insert_or_assign(k, v)

    def __repr__(self) -> str:
        return "UnorderedMap({" + ", ".join(f"{k!r}: {v!r}" for k, v in self.items()) + "})"


__all__ = ["UnorderedMap"]
