"""Hypothesis strategies for spec types: every value drawn has the type the checker gave."""

from __future__ import annotations

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from ebbrt.spec import check_text
from ebbrt.spec._types import (BOOL, BYTES, CORE, DURATION, INT, NAT, TIME, BitVecType,
                               IntType, Type, TypeParam)
from ebbrt.verifier import strategy_for
from ebbrt.verifier._hyp_values import conforms
from ebbrt.verifier._strategies import (HANDLE_POOL, INT_BOUND, MAX_BYTES, MAX_COLLECTION,
                                        MAX_NS, StrategyError, integer_bounds)
from ebbrt.verifier._values import NONE, EnumValue, FrozenMap, Handle, RecordValue, Some

SPEC = '''
handle Hook "a hook"
enum Color { "a colour" Red "r", Green "g", Blue "b" }
record Pair<T> { "two of a kind" left: T "l", right: T "r" }
record Arm { "an armed hook" due: time "d", period: duration "p", core: core "c" }

ebb Shapes<K> shared {
  "One model field of every type the strategies must cover."
  model flag: bool = false "b"
  model count: int = 0 "i"
  model size: nat = 0 "n"
  model order: nat[0..11] = 0 "r"
  model offset: int[-5..5] = 0 "o"
  model above: int[3..] = 3 "a"
  model byte: u8 = 0 "u"
  model word: u64 = 0 "w"
  model where: core = 0 "c"
  model when: time = 0us "t"
  model wait: duration = 0us "d"
  model data: bytes = b"" "y"
  model names: set<int> = {} "s"
  model table: map<Hook, Arm> = {} "m"
  model queue: seq<nat[0..3]> = [] "q"
  model maybe: option<Color> = none "o"
  model pair: Pair<int> = Pair{left: 0, right: 0} "p"
  model colour: Color = Color.Red "e"
  model hook: Hook "h"
  model key: K "k"
}
'''

CHECKED = check_text(SPEC, "shapes.ebb")
assert CHECKED.ok, CHECKED.render()
SHAPES = CHECKED.checked.ebb("Shapes")
FIELDS: dict[str, Type] = {name: var.type for name, var in SHAPES.model.items()}
K = SHAPES.type_params[0]


@pytest.mark.parametrize("field", sorted(FIELDS))
@settings(max_examples=60)
@given(data=st.data())
def test_every_value_has_the_checkers_type(field: str, data: st.DataObject) -> None:
    t = FIELDS[field]
    value = data.draw(strategy_for(t, ncores=3))
    assert conforms(value, t, 3), (field, value)


@pytest.mark.parametrize("t, low, high", [
    (INT, -INT_BOUND, INT_BOUND), (NAT, 0, 2 * INT_BOUND), (IntType(0, 11, "nat"), 0, 11),
    (IntType(-5, 5), -5, 5), (IntType(3, None), 3, 3 + 2 * INT_BOUND),
    (IntType(None, -2), -2 - 2 * INT_BOUND, -2), (BitVecType(8), 0, 255),
])
def test_integers_cover_their_range_and_no_more(t: IntType | BitVecType, low: int, high: int
                                                 ) -> None:
    s = strategy_for(t)
    assert find(s, lambda x: x == low) == low
    assert find(s, lambda x: x == high) == high
    with pytest.raises(Exception):
        find(s, lambda x: x < low or x > high, settings=settings(max_examples=300))
    if isinstance(t, IntType):
        assert integer_bounds(t) == (low, high)


def test_machine_words_use_the_full_range_and_shrink_toward_zero() -> None:
    word = strategy_for(BitVecType(64))
    assert find(word, lambda x: x > 2 ** 63) == 2 ** 63 + 1
    assert find(word, lambda x: True) == 0


def test_cores_are_below_ncores() -> None:
    for ncores in (1, 2, 4):
        s = strategy_for(CORE, ncores=ncores)
        assert find(s, lambda c: c == ncores - 1) == ncores - 1
        with pytest.raises(Exception):
            find(s, lambda c: not 0 <= c < ncores, settings=settings(max_examples=200))


@settings(max_examples=200)
@given(data=st.data())
def test_times_are_nonnegative_and_bounded(data: st.DataObject) -> None:
    for t in (TIME, DURATION):
        ns = data.draw(strategy_for(t))
        assert 0 <= ns <= MAX_NS


def test_times_are_mostly_whole_microseconds() -> None:
    seen: list[int] = []

    @settings(max_examples=300, database=None)
    @given(strategy_for(DURATION))
    def collect(ns: int) -> None:
        seen.append(ns)

    collect()
    whole = sum(1 for ns in seen if ns % 1000 == 0)
    assert whole > len(seen) // 2
    assert whole < len(seen)  # raw nanoseconds come up too


@settings(max_examples=100)
@given(data=st.data())
def test_collections_are_small_and_typed(data: st.DataObject) -> None:
    names = data.draw(strategy_for(FIELDS["names"]))
    table = data.draw(strategy_for(FIELDS["table"]))
    queue = data.draw(strategy_for(FIELDS["queue"]))
    blob = data.draw(strategy_for(BYTES))
    assert isinstance(names, frozenset) and len(names) <= MAX_COLLECTION
    assert isinstance(table, FrozenMap) and len(table) <= MAX_COLLECTION
    assert isinstance(queue, tuple) and len(queue) <= MAX_COLLECTION
    assert all(0 <= x <= 3 for x in queue)
    assert isinstance(blob, bytes) and len(blob) <= MAX_BYTES
    for hook, arm in table.items():
        assert isinstance(hook, Handle) and hook.type_name == "Hook"
        assert [k for k, _ in arm.fields] == ["due", "period", "core"]


def test_options_records_and_enums_reach_every_shape() -> None:
    maybe = strategy_for(FIELDS["maybe"])
    assert find(maybe, lambda v: True) is NONE
    assert find(maybe, lambda v: isinstance(v, Some)) == Some(EnumValue("Color", "Red"))
    colour = strategy_for(FIELDS["colour"])
    for member in ("Red", "Green", "Blue"):
        assert find(colour, lambda v: v.member == member) == EnumValue("Color", member)
    pair = find(strategy_for(FIELDS["pair"]), lambda v: v["left"] != v["right"])
    assert isinstance(pair, RecordValue) and pair.type_name == "Pair"
    assert [k for k, _ in pair.fields] == ["left", "right"]


def test_handles_come_from_a_small_pool_so_they_collide() -> None:
    hooks = strategy_for(FIELDS["hook"])
    two = find(st.tuples(hooks, hooks), lambda p: p[0] == p[1] and p[0].index > 0)
    assert two[0] == two[1] == Handle("Hook", 1)
    with pytest.raises(Exception):
        find(hooks, lambda h: h.index >= HANDLE_POOL, settings=settings(max_examples=200))


def test_type_parameters_draw_handles_unless_bound() -> None:
    assert find(strategy_for(K), lambda v: True) == Handle("K", 0)
    assert find(strategy_for(K, types={"K": K}), lambda v: True) == Handle("K", 0)
    assert find(strategy_for(K, types={"K": INT}), lambda v: v < 0) == -1
    assert find(strategy_for(K, types={K: BOOL}), lambda v: v) is True


def test_types_without_values_are_refused() -> None:
    from ebbrt.spec._types import ANY, EMPTY, ERROR
    for t in (ERROR, ANY, EMPTY):
        with pytest.raises(StrategyError, match="no values to draw"):
            strategy_for(t)
    with pytest.raises(StrategyError, match="ncores"):
        strategy_for(CORE, ncores=0)
    with pytest.raises(StrategyError, match="no values to draw"):
        strategy_for(TypeParam("T", "x"), types={"T": ERROR})
