"""What every spec can use without declaring it: types, functions, values and exceptions.

Built-in functions are a registry: each entry has its signature (for messages and docs) and a
rule from argument types to the result type (or to a message saying what it takes instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ._scope import Scope
from ._span import NO_SPAN
from ._symbols import BuiltinTypeSymbol, ExceptionSymbol, VarSymbol
from ._types import (BOOL, BYTES, CORE, DURATION, INT, NAT, TIME, AnyType, BitVecType,
                     BytesType, DurationType, EmptyCollectionType, MapType, OptionType, SeqType,
                     SetType, TimeType, Type, is_integer, is_nonnegative)

Rule = Callable[[tuple[Type, ...]], "Type | str"]
ArgHint = Callable[["Type | None", int], "Type | None"]


@dataclass(frozen=True)
class BuiltinFunction:
    name: str
    params: str  # the parameter list as documented, e.g. "set<T> | map<K, V> | seq<T>"
    result: str
    arity: int
    rule: Rule
    arg_hint: ArgHint | None = None  # the type an argument should have, given the expected result
    doc: str = ""

    @property
    def signature(self) -> str:
        return f"{self.name}({self.params}) -> {self.result}"


def _size(args: tuple[Type, ...]) -> Type | str:
    t = args[0]
    if isinstance(t, (SetType, MapType, SeqType, BytesType, EmptyCollectionType, AnyType)):
        return NAT
    return f"size() takes a set, map, sequence or bytes, not `{t}`"


def _keys(args: tuple[Type, ...]) -> Type | str:
    t = args[0]
    if isinstance(t, MapType):
        return SetType(t.key)
    return f"keys() takes a map, not `{t}`"


def _values(args: tuple[Type, ...]) -> Type | str:
    t = args[0]
    if isinstance(t, MapType):
        return SetType(t.value)
    return f"values() takes a map, not `{t}`"


def _indices(args: tuple[Type, ...]) -> Type | str:
    if isinstance(args[0], SeqType):
        return SetType(NAT)
    return f"indices() takes a sequence, not `{args[0]}`"


def _some(args: tuple[Type, ...]) -> Type | str:
    return OptionType(args[0])


def _some_hint(expected: Type | None, index: int) -> Type | None:
    return expected.elem if isinstance(expected, OptionType) else None


def _same_hint(expected: Type | None, index: int) -> Type | None:
    return expected


def _extremum(name: str) -> Rule:
    def rule(args: tuple[Type, ...]) -> Type | str:
        a, b = args
        if is_integer(a) and is_integer(b):
            if a == b:
                return a
            signs = (is_nonnegative(a), is_nonnegative(b))
            return NAT if (all(signs) if name == "min" else any(signs)) else INT
        for kind in (BitVecType, DurationType, TimeType):
            if isinstance(a, kind) and a == b:
                return a
        return (f"{name}() takes two integers, two durations or two times of one type, "
                f"not `{a}` and `{b}`")
    return rule


def _abs(args: tuple[Type, ...]) -> Type | str:
    t = args[0]
    if is_integer(t):
        return NAT
    if isinstance(t, DurationType):
        return DURATION
    return f"abs() takes an integer or a duration, not `{t}`"


def _integer_to(result: Type, name: str) -> Rule:
    def rule(args: tuple[Type, ...]) -> Type | str:
        if is_integer(args[0]):
            return result
        return f"{name}() takes an integer, not `{args[0]}`"
    return rule


def _range(args: tuple[Type, ...]) -> Type | str:
    for t in args:
        if not is_integer(t):
            return f"range() takes two integers, not `{t}`"
    return SetType(NAT) if all(is_nonnegative(t) for t in args) else SetType(INT)


BUILTIN_FUNCTIONS: dict[str, BuiltinFunction] = {f.name: f for f in (
    BuiltinFunction("size", "set<T> | map<K, V> | seq<T> | bytes", "nat", 1, _size,
                    doc="the number of elements (of keys for a map; of bytes)"),
    BuiltinFunction("keys", "map<K, V>", "set<K>", 1, _keys, doc="the keys of a map"),
    BuiltinFunction("values", "map<K, V>", "set<V>", 1, _values,
                    doc="the values a map holds"),
    BuiltinFunction("indices", "seq<T>", "set<nat>", 1, _indices,
                    doc="the positions of a sequence, 0 to size - 1"),
    BuiltinFunction("some", "T", "option<T>", 1, _some, _some_hint, doc="a present option"),
    BuiltinFunction("min", "T, T", "T", 2, _extremum("min"), _same_hint,
                    doc="the smaller of two integers, durations or times"),
    BuiltinFunction("max", "T, T", "T", 2, _extremum("max"), _same_hint,
                    doc="the larger of two integers, durations or times"),
    BuiltinFunction("abs", "int | duration", "nat | duration", 1, _abs,
                    doc="the absolute value"),
    BuiltinFunction("log", "int", "int", 1, _integer_to(INT, "log"),
                    doc="the binary logarithm, rounded down (mostly for complexity bounds)"),
    BuiltinFunction("pow2", "nat", "nat", 1, _integer_to(NAT, "pow2"), doc="2 to the power n"),
    BuiltinFunction("range", "int, int", "set<int>", 2, _range,
                    doc="the integers i with lo <= i < hi (empty when hi <= lo)"),
)}


BUILTIN_TYPES: tuple[BuiltinTypeSymbol, ...] = (
    BuiltinTypeSymbol("bool", 0, lambda: BOOL),
    BuiltinTypeSymbol("int", 0, lambda: INT),
    BuiltinTypeSymbol("nat", 0, lambda: NAT),
    *(BuiltinTypeSymbol(f"u{w}", 0, (lambda w=w: BitVecType(w))) for w in (8, 16, 32, 64)),
    BuiltinTypeSymbol("bytes", 0, lambda: BYTES),
    BuiltinTypeSymbol("time", 0, lambda: TIME),
    BuiltinTypeSymbol("duration", 0, lambda: DURATION),
    BuiltinTypeSymbol("core", 0, lambda: CORE),
    BuiltinTypeSymbol("set", 1, SetType),
    BuiltinTypeSymbol("map", 2, MapType),
    BuiltinTypeSymbol("seq", 1, SeqType),
    BuiltinTypeSymbol("option", 1, OptionType),
)

# values readable in operations, events and temporal properties (`ncores` everywhere in an Ebb)
NOW = VarSymbol("now", TIME, "builtin")
THIS_CORE = VarSymbol("this_core", CORE, "builtin")
NCORES = VarSymbol("ncores", NAT, "builtin")
BUILTIN_VALUES = (NOW, THIS_CORE, NCORES)
RUNTIME_VALUES = frozenset({"now", "this_core"})

INVALID_ARGUMENT = ExceptionSymbol("InvalidArgument")
OUT_OF_MEMORY = ExceptionSymbol("OutOfMemory")
BUILTIN_EXCEPTIONS = (INVALID_ARGUMENT, OUT_OF_MEMORY)


def builtin_scope() -> Scope:
    """A fresh root scope (scopes record which names were used, so each run gets its own)."""
    scope = Scope(None, "builtin")
    symbols: tuple[object, ...] = (*BUILTIN_TYPES, *BUILTIN_FUNCTIONS.values(),
                                   *BUILTIN_VALUES, *BUILTIN_EXCEPTIONS)
    for symbol in symbols:
        scope.declare(symbol.name, symbol, NO_SPAN, None)  # type: ignore[attr-defined]
    return scope


def is_builtin_name(name: str) -> bool:
    return name in _RESERVED


_RESERVED = frozenset({t.name for t in BUILTIN_TYPES} | {v.name for v in BUILTIN_VALUES}
                      | {e.name for e in BUILTIN_EXCEPTIONS})

__all__ = ["BuiltinFunction", "BUILTIN_FUNCTIONS", "BUILTIN_TYPES", "BUILTIN_VALUES",
           "BUILTIN_EXCEPTIONS", "NOW", "THIS_CORE", "NCORES", "INVALID_ARGUMENT",
           "OUT_OF_MEMORY", "RUNTIME_VALUES", "builtin_scope", "is_builtin_name"]
