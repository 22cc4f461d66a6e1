"""Python values of spec types, shared by the prover's counterexamples, the reference evaluator
and (later) the contract compiler and Hypothesis strategies. `show` prints them in spec syntax.

    bool -> bool; int, nat, ranged, uN, core -> int; time, duration -> int nanoseconds (values
    meant for display, such as counterexamples, wrap them in `Duration`/`Time` so they print
    with a unit); bytes -> bytes; set<T> -> frozenset;
    map<K,V> -> FrozenMap; seq<T> -> tuple; option<T> -> NONE or Some(v); record and message ->
    RecordValue; enum -> EnumValue; handle and type parameters -> Handle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping


@dataclass(frozen=True)
class Some:
    value: Any


class _NoneValue:
    _instance: "_NoneValue | None" = None

    def __new__(cls) -> "_NoneValue":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NONE"

    def __reduce__(self) -> str:
        return "NONE"


NONE = _NoneValue()


@dataclass(frozen=True)
class RecordValue:
    type_name: str
    fields: tuple[tuple[str, Any], ...]

    def __getitem__(self, name: str) -> Any:
        for key, value in self.fields:
            if key == name:
                return value
        raise KeyError(name)


@dataclass(frozen=True)
class EnumValue:
    enum: str
    member: str


@dataclass(frozen=True)
class Handle:
    """An opaque value: handles and values of type parameters. Only identity matters."""
    type_name: str
    index: int


@dataclass(frozen=True)
class Duration:
    ns: int


@dataclass(frozen=True)
class Time:
    ns: int


class FrozenMap(Mapping[Any, Any]):
    """An immutable, hashable mapping (map<K, V> values)."""

    __slots__ = ("_items", "_hash")

    def __init__(self, items: Mapping[Any, Any] | Any = ()) -> None:
        self._items = dict(items)
        self._hash: int | None = None

    def __getitem__(self, key: Any) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._items.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other)

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    def set(self, key: Any, value: Any) -> "FrozenMap":
        items = dict(self._items)
        items[key] = value
        return FrozenMap(items)

    def without(self, keys: Any) -> "FrozenMap":
        return FrozenMap({k: v for k, v in self._items.items() if k not in keys})


_UNITS = (("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000), ("ns", 1))


def _show_ns(ns: int) -> str:
    if ns == 0:
        return "0us"
    for unit, scale in _UNITS:
        if ns % scale == 0:
            return f"{ns // scale}{unit}"
    return f"{ns}ns"  # pragma: no cover - the loop ends at ns


def _sort_key(value: Any) -> tuple[str, int, str]:
    """Numbers by value (`2` before `10`), everything else by its spec text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return ("int", value, "")
    return (type(value).__name__, 0, show(value))


def show(value: Any) -> str:
    """A value in spec syntax: `{h1 -> Arm{due: 5us, period: 0us, core: 1}}`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (Duration, Time)):
        return _show_ns(value.ns)
    if isinstance(value, bytes):
        return 'b"' + "".join(chr(c) if 32 <= c < 127 and chr(c) not in '"\\' else f"\\x{c:02x}"
                              for c in value) + '"'
    if value is NONE:
        return "none"
    if isinstance(value, Some):
        return f"some({show(value.value)})"
    if isinstance(value, Handle):
        prefix = value.type_name[:1].lower() or "h"
        return f"{prefix}{value.index}"
    if isinstance(value, EnumValue):
        return f"{value.enum}.{value.member}"
    if isinstance(value, RecordValue):
        inner = ", ".join(f"{k}: {show(v)}" for k, v in value.fields)
        return f"{value.type_name}{{{inner}}}"
    if isinstance(value, (frozenset, set)):
        return "{" + ", ".join(show(v) for v in sorted(value, key=_sort_key)) + "}"
    if isinstance(value, Mapping):
        keys = sorted(value, key=_sort_key)
        return "{" + ", ".join(f"{show(k)} -> {show(value[k])}" for k in keys) + "}"
    if isinstance(value, tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return repr(value)
