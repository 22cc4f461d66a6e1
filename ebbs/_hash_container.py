"""What UnorderedSet and UnorderedMap share: a `HashTable` behind the operations the two specs
spell the same way (`erase`, `find`, `contains`, `size`; `clear`, which only UnorderedSet's
spec has), and the specs' complexity measure."""

from __future__ import annotations

import operator
from typing import Any, Callable, Iterator

from ..verifier import Context
from ._hash_table import HashTable, Position


class HashContainer:
    """A container of unique keys in an open-addressing hash table (see `_hash_table`)."""

    def __init__(self, context: Context | None = None, *, hash_fn: Callable[[Any], int] = hash,
                 eq_fn: Callable[[Any, Any], bool] = operator.eq) -> None:
        self.context = context if context is not None else Context()
        self._table: HashTable[Any, Any] = HashTable(hash_fn, eq_fn)

    @property
    def calls(self) -> dict[str, int]:
        """Calls of the key's hash and equality so far (the spec's complexity measure)."""
        return self._table.calls

    # ------------------------------------------------------------------ the specs' operations
    def erase(self, k: Any) -> int:
        return 1 if self._table.erase(k) else 0

    def find(self, k: Any) -> Position[Any]:
        return self._table.position(self._table.find(k), k)

    def contains(self, k: Any) -> bool:
        return self._table.find(k) is not None

    def size(self) -> int:
        return len(self._table)

    def clear(self) -> None:
        """Erase every key (UnorderedSet's `clear`; for UnorderedMap a convenience)."""
        self._table.clear()

    # ------------------------------------------------------------------ Python conveniences
    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, k: object) -> bool:
        return self.contains(k)

    def __iter__(self) -> Iterator[Any]:
        return self._table.keys()
