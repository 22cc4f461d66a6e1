"""Semantic types: what the type checker assigns to every expression.

Types are frozen dataclasses compared by value, except that declared types (records, enums,
handles) compare by the identity of their declaring symbol, so two records that happen to share
a name in different files are different types.

Three types exist only inside the checker and never reach a well-typed result: `ERROR` (an
expression already reported; compatible with everything so one mistake is reported once),
`ANY` (an element type not yet known: `none`, `[]`) and `EMPTY` (`{}` before the context says
whether it is a set or a map).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Mapping

if TYPE_CHECKING:
    from ._symbols import EnumSymbol, HandleSymbol, RecordSymbol


class Type:
    """Base of every semantic type."""

    def __str__(self) -> str:
        return self.show()

    def show(self) -> str:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError


@dataclass(frozen=True)
class BoolType(Type):
    def show(self) -> str:
        return "bool"


@dataclass(frozen=True)
class IntType(Type):
    """A mathematical integer, optionally bounded (inclusive). `nat` is `IntType(0, None)`."""
    low: int | None = None
    high: int | None = None
    name: str = field(default="int", compare=False)  # as written, for messages

    def show(self) -> str:
        if self.low is None and self.high is None:
            return "int"
        if self.name == "nat" and self.low == 0 and self.high is None:
            return "nat"
        low = "" if self.low is None else str(self.low)
        high = "" if self.high is None else str(self.high)
        return f"{self.name}[{low}..{high}]"

    @property
    def nonnegative(self) -> bool:
        return self.low is not None and self.low >= 0


@dataclass(frozen=True)
class BitVecType(Type):
    """`u8` .. `u64`: unsigned machine words whose arithmetic wraps around."""
    width: int

    def show(self) -> str:
        return f"u{self.width}"


@dataclass(frozen=True)
class BytesType(Type):
    def show(self) -> str:
        return "bytes"


@dataclass(frozen=True)
class TimeType(Type):
    """An instant on the (simulated) clock, in nanoseconds."""

    def show(self) -> str:
        return "time"


@dataclass(frozen=True)
class DurationType(Type):
    """A length of time, in nanoseconds."""

    def show(self) -> str:
        return "duration"


@dataclass(frozen=True)
class CoreType(Type):
    """A core id: a natural number below `ncores`."""

    def show(self) -> str:
        return "core"


@dataclass(frozen=True)
class SetType(Type):
    elem: Type

    def show(self) -> str:
        return f"set<{self.elem}>"


@dataclass(frozen=True)
class SeqType(Type):
    elem: Type

    def show(self) -> str:
        return f"seq<{self.elem}>"


@dataclass(frozen=True)
class OptionType(Type):
    elem: Type

    def show(self) -> str:
        return f"option<{self.elem}>"


@dataclass(frozen=True)
class MapType(Type):
    key: Type
    value: Type

    def show(self) -> str:
        return f"map<{self.key}, {self.value}>"


def _with_args(name: str, args: tuple[Type, ...]) -> str:
    return f"{name}<{', '.join(a.show() for a in args)}>" if args else name


@dataclass(frozen=True)
class RecordType(Type):
    """A record or a message, with its type arguments (records may be generic)."""
    symbol: "RecordSymbol"
    args: tuple[Type, ...] = ()

    def show(self) -> str:
        return _with_args(self.symbol.name, self.args)

    def field_types(self) -> dict[str, Type]:
        """The fields with this instance's type arguments substituted."""
        mapping = dict(zip(self.symbol.type_params, self.args))
        return {name: substitute(t, mapping) for name, t in self.symbol.fields.items()}


@dataclass(frozen=True)
class EnumType(Type):
    symbol: "EnumSymbol"

    def show(self) -> str:
        return self.symbol.name


@dataclass(frozen=True)
class HandleType(Type):
    """An opaque handle: values compare for equality and nothing else."""
    symbol: "HandleSymbol"
    args: tuple[Type, ...] = ()

    def show(self) -> str:
        return _with_args(self.symbol.name, self.args)


@dataclass(frozen=True)
class TypeParam(Type):
    """A type parameter of an Ebb, record, handle or func; `owner` makes it unique."""
    name: str
    owner: str

    def show(self) -> str:
        return self.name


@dataclass(frozen=True)
class ErrorType(Type):
    def show(self) -> str:
        return "<error>"


@dataclass(frozen=True)
class AnyType(Type):
    def show(self) -> str:
        return "_"


@dataclass(frozen=True)
class EmptyCollectionType(Type):
    def show(self) -> str:
        return "{}"


BOOL = BoolType()
INT = IntType()
NAT = IntType(0, None, "nat")
BYTES = BytesType()
TIME = TimeType()
DURATION = DurationType()
CORE = CoreType()
U8 = BitVecType(8)
ERROR = ErrorType()
ANY = AnyType()
EMPTY = EmptyCollectionType()


# ------------------------------------------------------------------------------ predicates

def is_integer(t: Type) -> bool:
    """int, nat, ranged ints and core ids: the types that mix in arithmetic."""
    return isinstance(t, (IntType, CoreType))


def is_nonnegative(t: Type) -> bool:
    return isinstance(t, CoreType) or (isinstance(t, IntType) and t.nonnegative)


def is_unknown(t: Type) -> bool:
    """True for types that accept anything: an error already reported, or a placeholder."""
    return isinstance(t, (ErrorType, AnyType))


def is_temporal(t: Type) -> bool:
    return isinstance(t, (TimeType, DurationType))


def is_complete(t: Type) -> bool:
    """False while `t` still holds a placeholder (`none`, `{}` or `[]` without context)."""
    if isinstance(t, (AnyType, EmptyCollectionType)):
        return False
    return all(is_complete(c) for c in children(t))


def children(t: Type) -> tuple[Type, ...]:
    if isinstance(t, (SetType, SeqType, OptionType)):
        return (t.elem,)
    if isinstance(t, MapType):
        return (t.key, t.value)
    if isinstance(t, (RecordType, HandleType)):
        return t.args
    return ()


def rebuild(t: Type, kids: tuple[Type, ...]) -> Type:
    """`t` with its component types replaced (the inverse of `children`)."""
    if isinstance(t, SetType):
        return SetType(kids[0])
    if isinstance(t, SeqType):
        return SeqType(kids[0])
    if isinstance(t, OptionType):
        return OptionType(kids[0])
    if isinstance(t, MapType):
        return MapType(kids[0], kids[1])
    if isinstance(t, RecordType):
        return RecordType(t.symbol, kids)
    if isinstance(t, HandleType):
        return HandleType(t.symbol, kids)
    return t


def map_type(t: Type, fn: Callable[[Type], Type | None]) -> Type:
    """Rewrite `t` bottom-up: `fn` returns a replacement, or None to keep descending."""
    replaced = fn(t)
    if replaced is not None:
        return replaced
    kids = children(t)
    return rebuild(t, tuple(map_type(k, fn) for k in kids)) if kids else t


def substitute(t: Type, mapping: Mapping[TypeParam, Type]) -> Type:
    if not mapping:
        return t
    return map_type(t, lambda x: mapping.get(x) if isinstance(x, TypeParam) else None)


# ------------------------------------------------------------------------------ relations

def compatible(a: Type, b: Type) -> bool:
    """Whether values of `a` and `b` may meet (be assigned, compared for equality).

    Integer types (with their bounds, and core ids) mix freely: a bound is a proof obligation,
    not a typing rule. Every other type must match exactly, placeholders aside.
    """
    if is_unknown(a) or is_unknown(b):
        return True
    if is_integer(a) and is_integer(b):
        return True
    if isinstance(a, EmptyCollectionType):
        return isinstance(b, (SetType, MapType, EmptyCollectionType))
    if isinstance(b, EmptyCollectionType):
        return isinstance(a, (SetType, MapType))
    if type(a) is not type(b):
        return False
    if isinstance(a, (RecordType, EnumType, HandleType)) and a.symbol is not getattr(b, "symbol"):
        return False
    if isinstance(a, (BitVecType, TypeParam)):
        return a == b
    ka, kb = children(a), children(b)
    return len(ka) == len(kb) and all(compatible(x, y) for x, y in zip(ka, kb))


def join(a: Type, b: Type) -> Type:
    """The common type of two compatible types, filling placeholders from either side."""
    if isinstance(a, ErrorType) or isinstance(b, ErrorType):
        return ERROR
    if isinstance(a, (AnyType, EmptyCollectionType)):
        return b if not isinstance(b, AnyType) else a
    if isinstance(b, (AnyType, EmptyCollectionType)):
        return a
    if is_integer(a) and is_integer(b):
        if a == b:
            return a
        return NAT if is_nonnegative(a) and is_nonnegative(b) else INT
    ka, kb = children(a), children(b)
    if ka and len(ka) == len(kb):
        return rebuild(a, tuple(join(x, y) for x, y in zip(ka, kb)))
    return a


def unify(pattern: Type, actual: Type, params: frozenset[TypeParam],
          bindings: dict[TypeParam, Type]) -> bool:
    """Bind the type parameters `params` occurring in `pattern` so that it matches `actual`."""
    if isinstance(pattern, TypeParam) and pattern in params:
        bound = bindings.get(pattern)
        if bound is None or isinstance(bound, (AnyType, EmptyCollectionType)):
            bindings[pattern] = actual
            return True
        if compatible(bound, actual):
            bindings[pattern] = join(bound, actual)
            return True
        return False
    if is_unknown(actual) or is_unknown(pattern):
        return True
    if not compatible(_erase(pattern, params), actual):
        return False
    kp, ka = children(pattern), children(actual)
    if len(kp) != len(ka):
        return True  # `{}` against a map or set: nothing to learn
    return all(unify(p, x, params, bindings) for p, x in zip(kp, ka))


def _erase(t: Type, params: frozenset[TypeParam]) -> Type:
    return map_type(t, lambda x: ANY if isinstance(x, TypeParam) and x in params else None)


def element_type(t: Type) -> Type | None:
    """What a quantifier binds for each member of `t`: set and seq elements, map keys."""
    if isinstance(t, (SetType, SeqType)):
        return t.elem
    if isinstance(t, MapType):
        return t.key
    if isinstance(t, (ErrorType, AnyType, EmptyCollectionType)):
        return ERROR if isinstance(t, ErrorType) else ANY
    return None


__all__ = [
    "Type", "BoolType", "IntType", "BitVecType", "BytesType", "TimeType", "DurationType",
    "CoreType", "SetType", "SeqType", "OptionType", "MapType", "RecordType", "EnumType",
    "HandleType", "TypeParam", "ErrorType", "AnyType", "EmptyCollectionType",
    "BOOL", "INT", "NAT", "BYTES", "TIME", "DURATION", "CORE", "U8", "ERROR", "ANY", "EMPTY",
    "is_integer", "is_nonnegative", "is_unknown", "is_temporal", "is_complete", "compatible",
    "join", "unify", "substitute", "element_type", "map_type",
]
