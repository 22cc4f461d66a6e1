"""Spec values for the Hypothesis engine: does a value have a type, which values has a run
seen (so calls can reuse them: `erase` a key that is present, `set_value` a future that
`make_promise` returned), and how is a value written in a replay script.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Callable, Mapping

from ..spec._types import (BitVecType, BoolType, BytesType, CoreType, DurationType, EnumType,
                           HandleType, IntType, MapType, OptionType, RecordType, SeqType,
                           SetType, TimeType, Type, TypeParam)
from ._values import NONE, Duration, EnumValue, FrozenMap, Handle, RecordValue, Some, Time, show

HISTORY = 32  # values remembered from calls (arguments and results), per type, newest kept


# ---------------------------------------------------------------------------- conformance

def conforms(value: Any, t: Type, ncores: int) -> bool:
    """Whether `value` is a spec value of type `t` (bounds included)."""
    check = _CONFORMS.get(type(t))
    return True if check is None else check(value, t, ncores)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _int(v: Any, t: IntType, n: int) -> bool:
    return _is_int(v) and (t.low is None or v >= t.low) and (t.high is None or v <= t.high)


def _set(v: Any, t: SetType, n: int) -> bool:
    return isinstance(v, frozenset) and all(conforms(x, t.elem, n) for x in v)


def _seq(v: Any, t: SeqType, n: int) -> bool:
    return isinstance(v, tuple) and all(conforms(x, t.elem, n) for x in v)


def _map(v: Any, t: MapType, n: int) -> bool:
    return isinstance(v, FrozenMap) and all(conforms(k, t.key, n) and conforms(x, t.value, n)
                                            for k, x in v.items())


def _option(v: Any, t: OptionType, n: int) -> bool:
    return v is NONE or (isinstance(v, Some) and conforms(v.value, t.elem, n))


def _record(v: Any, t: RecordType, n: int) -> bool:
    """A field may hold None: a value the record leaves unspecified (the key of an end
    iterator), which clauses must not read."""
    fields = t.field_types()
    return (isinstance(v, RecordValue) and [k for k, _ in v.fields] == list(fields)
            and all(x is None or conforms(x, fields[k], n) for k, x in v.fields))


def _opaque(v: Any, t: Type, n: int) -> bool:
    return isinstance(v, Hashable)


_CONFORMS: dict[type, Callable[[Any, Any, int], bool]] = {
    BoolType: lambda v, t, n: isinstance(v, bool),
    IntType: _int,
    BitVecType: lambda v, t, n: _is_int(v) and 0 <= v < (1 << t.width),
    CoreType: lambda v, t, n: _is_int(v) and 0 <= v < n,
    TimeType: lambda v, t, n: _is_int(v),
    DurationType: lambda v, t, n: _is_int(v),
    BytesType: lambda v, t, n: isinstance(v, bytes),
    SetType: _set, SeqType: _seq, MapType: _map, OptionType: _option, RecordType: _record,
    EnumType: lambda v, t, n: isinstance(v, EnumValue) and v.enum == t.symbol.name
    and v.member in t.symbol.members,
    HandleType: _opaque, TypeParam: _opaque,
}


# ---------------------------------------------------------------------------- display

def show_typed(value: Any, t: Type | None) -> str:
    """`show(value)`, with times and durations (plain nanoseconds) printed with a unit."""
    return show(_for_display(value, t) if t is not None else value)


def _for_display(value: Any, t: Type) -> Any:
    if isinstance(t, (TimeType, DurationType)) and _is_int(value):
        return Time(value) if isinstance(t, TimeType) else Duration(value)
    if isinstance(t, SetType) and isinstance(value, frozenset):
        return frozenset(_for_display(x, t.elem) for x in value)
    if isinstance(t, SeqType) and isinstance(value, tuple):
        return tuple(_for_display(x, t.elem) for x in value)
    if isinstance(t, MapType) and isinstance(value, FrozenMap):
        return FrozenMap({_for_display(k, t.key): _for_display(x, t.value)
                          for k, x in value.items()})
    if isinstance(t, OptionType) and isinstance(value, Some):
        return Some(_for_display(value.value, t.elem))
    if isinstance(t, RecordType) and isinstance(value, RecordValue):
        fields = t.field_types()
        return RecordValue(value.type_name, tuple(
            (k, _for_display(x, fields[k]) if k in fields else x) for k, x in value.fields))
    return value


# ---------------------------------------------------------------------------- seen values

def _kind(t: Type) -> object:
    """Values are shared between types that mix: every integer type, time and duration."""
    if isinstance(t, (IntType, CoreType, BitVecType)):
        return "int"
    if isinstance(t, (TimeType, DurationType)):
        return "ns"
    if isinstance(t, RecordType):
        return ("record", id(t.symbol))
    if isinstance(t, (HandleType, EnumType)):
        return ("named", id(t.symbol))
    return t


class ValuePool:
    """Values a run has seen, per type: the current model's (recomputed every step) and the
    arguments and results of calls (the newest HISTORY kept).

    The order must be the same every time Hypothesis replays a run, or it reports the run as
    flaky: values are ranked by when the run first saw them (a result before the model holding
    it), and values first seen together in a model by how they print. Objects the
    implementation made print with their address, so among themselves they keep the order the
    model gave (they nearly always come from a result, which ranks them first)."""

    def __init__(self, ncores: int) -> None:
        self.ncores = ncores
        self.history: dict[object, list[Any]] = {}
        self.model: dict[object, list[Any]] = {}
        self.rank: dict[Any, int] = {}

    def _rank(self, values: list[Any]) -> None:
        for value in values:
            if value not in self.rank:
                self.rank[value] = len(self.rank)

    def remember(self, value: Any, t: Type) -> None:
        if not isinstance(value, Hashable):
            return
        self._rank([value])
        bucket = self.history.setdefault(_kind(t), [])
        if value in bucket:
            bucket.remove(value)
        bucket.append(value)
        del bucket[:-HISTORY]

    def observe_model(self, model: Mapping[str, Any], types: Mapping[str, Type]) -> None:
        found: dict[object, dict[Any, None]] = {}
        for name, value in model.items():
            _walk(value, types[name], found)
        for values in found.values():
            self._rank(sorted((v for v in values if v not in self.rank), key=stable_key))
        self.model = {k: sorted(v, key=self.rank.__getitem__) for k, v in found.items()}

    def candidates(self, t: Type) -> list[Any]:
        """Every value of type `t` seen: the model's, then the history's."""
        model, history = self.split(t)
        return list(dict.fromkeys([*model, *history]))

    def history_of(self, t: Type) -> list[Any]:
        """The arguments and results of type `t` the run remembers, oldest first."""
        return [v for v in self.history.get(_kind(t), ()) if conforms(v, t, self.ncores)]

    def split(self, t: Type) -> tuple[list[Any], list[Any]]:
        """The values of type `t` in the current model, and those only in the history."""
        kind = _kind(t)
        model = [v for v in self.model.get(kind, ()) if conforms(v, t, self.ncores)]
        known = set(model)
        history = [v for v in self.history.get(kind, ())
                   if v not in known and conforms(v, t, self.ncores)]
        return model, history


_PRINTABLE = (bool, int, bytes, str, Handle, EnumValue, RecordValue, Some, FrozenMap,
              frozenset, tuple, type(NONE))


def stable_key(value: Any) -> tuple[str, str]:
    """How a value prints, when that is the same in every run (not for an object the
    implementation made, whose repr holds its address: those sort equal, keeping their order)."""
    if isinstance(value, _PRINTABLE):
        return (type(value).__name__, show(value))
    return (type(value).__name__, "")


def _walk(value: Any, t: Type, found: dict[object, dict[Any, None]]) -> None:
    if isinstance(value, Hashable):
        found.setdefault(_kind(t), {})[value] = None
    if isinstance(t, (SetType, SeqType)) and isinstance(value, (frozenset, tuple)):
        for x in value:
            _walk(x, t.elem, found)
    elif isinstance(t, MapType) and isinstance(value, Mapping):
        for k, x in value.items():
            _walk(k, t.key, found)
            _walk(x, t.value, found)
    elif isinstance(t, OptionType) and isinstance(value, Some):
        _walk(value.value, t.elem, found)
    elif isinstance(t, RecordType) and isinstance(value, RecordValue):
        fields = t.field_types()
        for k, x in value.fields:
            if k in fields:
                _walk(x, fields[k], found)


# ---------------------------------------------------------------------------- script text

class NotWritable(Exception):
    """A value the script cannot spell: an object the implementation made."""


def python_expr(value: Any) -> str:
    """`value` as Python source over the names of `ebbrt.verifier._values`."""
    if value is None or isinstance(value, (bool, int, bytes, str, float)):
        return repr(value)
    if value is NONE:
        return "NONE"
    if isinstance(value, Handle):
        return f"Handle({value.type_name!r}, {value.index})"
    if isinstance(value, Some):
        return f"Some({python_expr(value.value)})"
    if isinstance(value, EnumValue):
        return f"EnumValue({value.enum!r}, {value.member!r})"
    if isinstance(value, RecordValue):
        fields = ", ".join(f"({k!r}, {python_expr(x)})" for k, x in value.fields)
        trailing = "," if len(value.fields) == 1 else ""
        return f"RecordValue({value.type_name!r}, ({fields}{trailing}))"
    if isinstance(value, FrozenMap):
        items = sorted(value.items(), key=lambda kv: stable_key(kv[0]))
        inner = ", ".join(f"{python_expr(k)}: {python_expr(x)}" for k, x in items)
        return f"FrozenMap({{{inner}}})"
    if isinstance(value, frozenset):
        if not value:
            return "frozenset()"
        inner = ", ".join(python_expr(x) for x in sorted(value, key=stable_key))
        return f"frozenset({{{inner}}})"
    if isinstance(value, tuple):
        inner = ", ".join(python_expr(x) for x in value)
        return f"({inner}{',' if len(value) == 1 else ''})"
    raise NotWritable(f"{value!r} is an object the implementation made")


SCRIPT_IMPORTS = ("Handle", "Some", "NONE", "EnumValue", "RecordValue", "FrozenMap")


__all__ = ["HISTORY", "NotWritable", "SCRIPT_IMPORTS", "stable_key", "ValuePool", "conforms",
           "python_expr", "show_typed"]
