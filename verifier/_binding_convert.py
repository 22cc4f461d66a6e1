"""Python values an implementation returns -> spec values (the shapes of `_values`).

Implementations may answer in their own Python shapes: a `list` for a `seq`, a `dict` for a
`map`, `None` for an absent option, an object with attributes for a record (an iterator with
`.at_end` and `.key`), a Python `enum.Enum` (or the member's name) for a spec enum. Every
conversion is built once per type (`converter`), and scalar types convert to nothing at all
(`None`: the value is already a spec value), so the hot path of a checked call pays only for the
structured values it actually reads.
"""

from __future__ import annotations

import enum
from typing import Any, Callable, Mapping

from ..spec._types import (EnumType, MapType, OptionType, RecordType, SeqType, SetType, Type)
from ._values import NONE, EnumValue, FrozenMap, RecordValue, Some

Converter = Callable[[Any], Any]


def converter(t: Type) -> Converter | None:
    """The conversion of a value of (instantiated) type `t`; None when no conversion is needed
    (booleans, integers, times, bytes, handles, type parameters)."""
    make = _RULES.get(type(t))
    return make(t) if make is not None else None


def to_spec(value: Any, t: Type) -> Any:
    convert = converter(t)
    return convert(value) if convert is not None else value


def _identity(value: Any) -> Any:
    return value


def _or_identity(t: Type) -> Converter:
    return converter(t) or _identity


def _set(t: SetType) -> Converter:
    elem = converter(t.elem)
    if elem is None:
        return lambda v: v if type(v) is frozenset else frozenset(v)
    return lambda v: frozenset(elem(x) for x in v)


def _seq(t: SeqType) -> Converter:
    elem = converter(t.elem)
    if elem is None:
        return lambda v: v if type(v) is tuple else tuple(v)
    return lambda v: tuple(elem(x) for x in v)


def _map(t: MapType) -> Converter:
    key, value = _or_identity(t.key), _or_identity(t.value)
    plain = converter(t.key) is None and converter(t.value) is None

    def convert(v: Mapping[Any, Any]) -> FrozenMap:
        if plain:
            return v if type(v) is FrozenMap else FrozenMap(v)
        return FrozenMap({key(k): value(x) for k, x in v.items()})
    return convert


def _option(t: OptionType) -> Converter:
    """`None` and `NONE` are none; `Some(x)` is some(x); any other value `x` is some(x)."""
    inner = _or_identity(t.elem)

    def convert(v: Any) -> Any:
        if v is None or v is NONE:
            return NONE
        if isinstance(v, Some):
            return Some(inner(v.value))
        return Some(inner(v))
    return convert


def _record(t: RecordType) -> Converter:
    fields = [(name, _or_identity(ft)) for name, ft in t.field_types().items()]
    name = t.symbol.name

    def convert(v: Any) -> RecordValue:
        if isinstance(v, RecordValue):
            return RecordValue(name, tuple((f, c(v[f])) for f, c in fields))
        missing = [f for f, _ in fields if not hasattr(v, f)]
        if missing:
            raise TypeError(f"a `{name}` value needs the fields {', '.join(fields_of(fields))};"
                            f" {type(v).__name__} has no attribute "
                            + ", ".join(f"`{m}`" for m in missing))
        return RecordValue(name, tuple((f, c(getattr(v, f))) for f, c in fields))
    return convert


def fields_of(fields: list[tuple[str, Converter]]) -> list[str]:
    return [f"`{f}`" for f, _ in fields]


def _enum(t: EnumType) -> Converter:
    name, members = t.symbol.name, frozenset(t.symbol.members)

    def convert(v: Any) -> EnumValue:
        if isinstance(v, EnumValue):
            return v
        member = v.name if isinstance(v, enum.Enum) else v
        if member not in members:
            raise TypeError(f"{v!r} is not a member of the enum `{name}` "
                            f"({', '.join(sorted(members))})")
        return EnumValue(name, member)
    return convert


_RULES: dict[type, Callable[[Any], Converter]] = {
    SetType: _set, SeqType: _seq, MapType: _map, OptionType: _option, RecordType: _record,
    EnumType: _enum,
}

__all__ = ["Converter", "converter", "to_spec"]
