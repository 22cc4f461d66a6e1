"""Hypothesis strategies for spec types: values in the shapes of `_values`.

    from ebbrt.verifier import strategy_for
    strategy_for(IntType(0, 11))           # integers 0..11
    strategy_for(SetType(INT))             # frozensets of small ints
    strategy_for(HandleType(hook_symbol))  # Handle("Hook", 0..HANDLE_POOL-1)

Bounds are deliberately small, so that the values an operation is called with collide with
the ones already in the model (`insert(3)` twice, `erase` of a present key) far more often than
uniform integers would:

| type | values |
|---|---|
| `bool` | both |
| `int` | `-INT_BOUND..INT_BOUND` |
| `nat`, `int[a..]`, `int[..b]` | `a..a + 2*INT_BOUND`, `b - 2*INT_BOUND..b` |
| `int[a..b]`, `nat[a..b]` | the whole range |
| `u8`..`u64` | the whole range (Hypothesis shrinks toward 0) |
| `core` | `0..ncores-1` |
| `time`, `duration` | `0..MAX_NS` nanoseconds, mostly whole microseconds |
| `bytes` | at most `MAX_BYTES` bytes |
| `set`, `map`, `seq` | at most `MAX_COLLECTION` elements |
| `option<T>` | `NONE` or `Some(T)` |
| records, enums | every field / every member |
| handles, unbound type parameters | `Handle(name, 0..HANDLE_POOL-1)` |

A type parameter bound by the binding's `types` draws from its bound type. `requires` clauses
are not encoded here: the state machine filters calls by them (see `_state_machine`).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from hypothesis import strategies as st

from ..errors import EbbrtError
from ..spec._types import (AnyType, BitVecType, BoolType, BytesType, CoreType, DurationType,
                           EmptyCollectionType, EnumType, ErrorType, HandleType, IntType,
                           MapType, OptionType, RecordType, SeqType, SetType, TimeType, Type,
                           TypeParam)
from ._values import NONE, EnumValue, FrozenMap, Handle, RecordValue, Some

INT_BOUND = 16          # `int` draws from -16..16; a half-open range spans 2 * INT_BOUND
HANDLE_POOL = 4         # Handle(name, 0..3): few enough that the same handle comes back
MAX_COLLECTION = 4      # elements of a drawn set, map or sequence
MAX_BYTES = 8
MAX_NS = 10_000_000     # 10 ms: times and durations
MICROSECOND = 1_000
DEFAULT_NCORES = 2


class StrategyError(EbbrtError, TypeError):
    """A type that has no values to draw (an unresolved or placeholder type)."""


TypeArgs = Mapping[Any, Type]  # type parameter (TypeParam or its name) -> bound type


def strategy_for(t: Type, *, types: TypeArgs | None = None, ncores: int = DEFAULT_NCORES,
                 handle_pool: int = HANDLE_POOL) -> st.SearchStrategy[Any]:
    """A strategy for the spec values of type `t`.

    `types` binds type parameters (keys are `TypeParam`s or their names, as in
    `Binding.types`; a parameter bound to itself, or not bound, draws opaque `Handle`s);
    `ncores` bounds `core` values; `handle_pool` is how many distinct handles of each type
    may appear."""
    if ncores < 1:
        raise StrategyError(f"ncores must be at least 1, not {ncores}")
    return _Strategies(types or {}, ncores, handle_pool).of(t)


class _Strategies:
    def __init__(self, types: TypeArgs, ncores: int, handle_pool: int) -> None:
        self.types = types
        self.ncores = ncores
        self.handle_pool = handle_pool

    def of(self, t: Type) -> st.SearchStrategy[Any]:
        rule = _RULES.get(type(t))
        if rule is None:
            raise StrategyError(f"no values to draw for the type `{t}`; hint: strategies "
                                "exist only for fully checked types")
        return rule(self, t)

    # ------------------------------------------------------------------ scalars
    def boolean(self, t: BoolType) -> st.SearchStrategy[Any]:
        return st.booleans()

    def integer(self, t: IntType) -> st.SearchStrategy[Any]:
        low, high = integer_bounds(t)
        return st.integers(low, high)

    def bitvector(self, t: BitVecType) -> st.SearchStrategy[Any]:
        return st.integers(0, (1 << t.width) - 1)

    def core(self, t: CoreType) -> st.SearchStrategy[Any]:
        return st.integers(0, self.ncores - 1)

    def nanoseconds(self, t: Type) -> st.SearchStrategy[Any]:
        return nanoseconds()

    def bytes_(self, t: BytesType) -> st.SearchStrategy[Any]:
        return st.binary(max_size=MAX_BYTES)

    # ------------------------------------------------------------------ collections
    def set_(self, t: SetType) -> st.SearchStrategy[Any]:
        return st.frozensets(self.of(t.elem), max_size=MAX_COLLECTION)

    def seq(self, t: SeqType) -> st.SearchStrategy[Any]:
        return st.lists(self.of(t.elem), max_size=MAX_COLLECTION).map(tuple)

    def map_(self, t: MapType) -> st.SearchStrategy[Any]:
        return st.dictionaries(self.of(t.key), self.of(t.value),
                               max_size=MAX_COLLECTION).map(FrozenMap)

    def option(self, t: OptionType) -> st.SearchStrategy[Any]:
        return st.one_of(st.just(NONE), self.of(t.elem).map(Some))

    # ------------------------------------------------------------------ declared types
    def record(self, t: RecordType) -> st.SearchStrategy[Any]:
        fields = t.field_types()
        names = tuple(fields)
        name = t.symbol.name
        parts = st.tuples(*(self.of(ft) for ft in fields.values()))
        return parts.map(lambda values: RecordValue(name, tuple(zip(names, values))))

    def enum(self, t: EnumType) -> st.SearchStrategy[Any]:
        return st.sampled_from([EnumValue(t.symbol.name, m) for m in t.symbol.members])

    def handle(self, t: HandleType) -> st.SearchStrategy[Any]:
        return handles(t.symbol.name, self.handle_pool)

    def type_param(self, t: TypeParam) -> st.SearchStrategy[Any]:
        bound = self.types.get(t, self.types.get(t.name))
        if bound is None or isinstance(bound, TypeParam):
            return handles(t.name, self.handle_pool)
        return self.of(bound)


def integer_bounds(t: IntType) -> tuple[int, int]:
    """The range `strategy_for` draws an integer type from (see the table above)."""
    low, high = t.low, t.high
    if low is None and high is None:
        return -INT_BOUND, INT_BOUND
    if high is None:
        assert low is not None
        return low, low + 2 * INT_BOUND
    if low is None:
        return high - 2 * INT_BOUND, high
    return low, high


def nanoseconds() -> st.SearchStrategy[int]:
    """Non-negative nanoseconds up to MAX_NS, mostly whole microseconds (specs write `us`): a
    whole number of microseconds, plus a few nanoseconds when the selector draws its largest
    value (Hypothesis favours the smallest), so odd values come up too."""
    return st.tuples(st.integers(0, MAX_NS // MICROSECOND), st.integers(0, 3),
                     st.integers(1, MICROSECOND - 1)).map(_to_nanoseconds)


def _to_nanoseconds(drawn: tuple[int, int, int]) -> int:
    us, selector, extra = drawn
    return min(MAX_NS, us * MICROSECOND + (extra if selector == 3 else 0))


def handles(type_name: str, pool: int = HANDLE_POOL) -> st.SearchStrategy[Handle]:
    """`Handle(type_name, i)` for i in 0..pool-1: shrinks toward `Handle(type_name, 0)`."""
    return st.integers(0, max(pool, 1) - 1).map(lambda i: Handle(type_name, i))


def _unsupported(self: _Strategies, t: Type) -> st.SearchStrategy[Any]:
    raise StrategyError(f"no values to draw for the placeholder type `{t}`; hint: it comes "
                        "from a spec with errors, which has no strategies")


_RULES: dict[type, Callable[[_Strategies, Any], st.SearchStrategy[Any]]] = {
    BoolType: _Strategies.boolean, IntType: _Strategies.integer,
    BitVecType: _Strategies.bitvector, CoreType: _Strategies.core,
    TimeType: _Strategies.nanoseconds, DurationType: _Strategies.nanoseconds,
    BytesType: _Strategies.bytes_, SetType: _Strategies.set_, SeqType: _Strategies.seq,
    MapType: _Strategies.map_, OptionType: _Strategies.option, RecordType: _Strategies.record,
    EnumType: _Strategies.enum, HandleType: _Strategies.handle,
    TypeParam: _Strategies.type_param,
    ErrorType: _unsupported, AnyType: _unsupported, EmptyCollectionType: _unsupported,
}

__all__ = ["DEFAULT_NCORES", "HANDLE_POOL", "INT_BOUND", "MAX_BYTES", "MAX_COLLECTION",
           "MAX_NS", "MICROSECOND", "StrategyError", "handles", "integer_bounds",
           "nanoseconds", "strategy_for"]
