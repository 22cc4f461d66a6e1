"""UnorderedSet and UnorderedMap: direct tests, then random operation sequences judged clause
by clause against unordered_set.ebb / unordered_map.ebb with the reference evaluator."""

from __future__ import annotations

import pytest
from broken.oracle import Oracle, Step
from hypothesis import given, settings
from hypothesis import strategies as st

from ebbrt.ebbs import OutOfRange, Position, UnorderedMap, UnorderedSet
from ebbrt.verifier._binding import binding_of
from ebbrt.verifier._values import FrozenMap, RecordValue


# ---------------------------------------------------------------------------- UnorderedSet

def test_set_insert_reports_position_and_novelty() -> None:
    s = UnorderedSet()
    pos, inserted = s.insert(3)
    assert inserted and not pos.at_end and pos.key == 3
    pos, inserted = s.insert(3)
    assert not inserted and pos.key == 3
    assert s.abstraction() == {"elems": frozenset({3})}


def test_set_find_contains_erase_size_clear() -> None:
    s = UnorderedSet()
    for k in (1, 2, 3):
        s.insert(k)
    assert s.find(2).key == 2 and s.find(9).at_end and not s.find(9)
    assert s.contains(1) and 1 in s and not s.contains(9)
    assert s.erase(2) == 1 and s.erase(2) == 0
    assert s.size() == 2 == len(s) and sorted(s) == [1, 3]
    s.clear()
    assert s.size() == 0 and s.abstraction() == {"elems": frozenset()}


def test_set_counts_hash_and_eq_calls() -> None:
    s = UnorderedSet(hash_fn=lambda k: 0)
    for k in range(10):
        s.insert(k)
    assert s.calls["hash"] == 10 and s.calls["eq"] == sum(range(10))


def test_set_iterator_converts_to_the_spec_record() -> None:
    binding = binding_of(UnorderedSet)
    op = binding.ebb.ops["find"]
    value = binding.to_spec(UnorderedSet().find(4), op.results[0].type)
    assert value == RecordValue("Iter", (("at_end", True), ("key", 4)))


# ---------------------------------------------------------------------------- UnorderedMap

def test_map_insert_keeps_existing_value_and_assign_replaces() -> None:
    m = UnorderedMap()
    pos, inserted = m.insert(1, 10)
    assert inserted and pos.key == 1 and m.value(pos) == 10
    pos, inserted = m.insert(1, 20)
    assert not inserted and m.at(1) == 10
    assert m.insert_or_assign(1, 30) is False and m.at(1) == 30
    assert m.insert_or_assign(2, 40) is True
    assert m.abstraction() == {"entries": FrozenMap({1: 30, 2: 40})}


def test_map_at_raises_out_of_range_by_name_and_as_key_error() -> None:
    m = UnorderedMap()
    with pytest.raises(OutOfRange, match="no entry has the key 5"):
        m.at(5)
    with pytest.raises(KeyError):
        m[5]
    assert OutOfRange.__name__ == "OutOfRange"


def test_map_python_surface() -> None:
    m = UnorderedMap()
    for k in range(50):
        m[k] = -k
    assert len(m) == 50 and m[49] == -49 and 3 in m and sorted(m)[:3] == [0, 1, 2]
    assert m.erase(3) == 1 and 3 not in m and m.find(3).at_end
    with pytest.raises(OutOfRange):
        m.value(m.find(3))
    m.clear()
    assert m.size() == 0


def test_end_position_is_falsy_and_found_position_truthy() -> None:
    assert not Position(True, 1) and Position(False, 1, 0)


# ---------------------------------------------------------------------------- against the spec

KEYS = st.integers(-6, 12)
# the built-in hash, a few collisions, and one chain holding every key
HASHES = {"builtin": None, "mod3": lambda k: k % 3, "constant": lambda k: 0}


def _set_step(draw_op: tuple[str, int]) -> Step:
    op, k = draw_op
    return Step(op, (k,)) if op in ("insert", "erase", "find", "contains") else Step(op)


SET_STEPS = st.lists(st.tuples(
    st.sampled_from(["insert", "insert", "insert", "erase", "find", "contains", "size",
                     "clear"]), KEYS), min_size=10, max_size=40)


def _factory(cls, hash_fn):
    if hash_fn is None:
        return None
    return lambda ctx: cls(ctx, hash_fn=hash_fn)


@pytest.mark.parametrize("hashing", sorted(HASHES))
@settings(max_examples=30)
@given(ops=SET_STEPS)
def test_set_keeps_every_clause_on_random_sequences(hashing, ops) -> None:
    oracle = Oracle(UnorderedSet, _factory(UnorderedSet, HASHES[hashing]))
    run = oracle.run([_set_step(o) for o in ops])
    assert run.violations == []
    assert oracle.instance._table.layout_problems() == []


MAP_STEPS = st.lists(st.tuples(
    st.sampled_from(["insert", "insert", "insert_or_assign", "erase", "at", "find",
                     "contains", "size"]), KEYS, st.integers(-3, 3)),
                     min_size=10, max_size=40)


def _map_step(op: str, k: int, v: int) -> Step:
    if op in ("insert", "insert_or_assign"):
        return Step(op, (k, v))
    return Step(op) if op == "size" else Step(op, (k,))


@pytest.mark.parametrize("hashing", sorted(HASHES))
@settings(max_examples=30)
@given(ops=MAP_STEPS)
def test_map_keeps_every_clause_on_random_sequences(hashing, ops) -> None:
    oracle = Oracle(UnorderedMap, _factory(UnorderedMap, HASHES[hashing]))
    run = oracle.run([_map_step(*o) for o in ops])
    assert run.violations == []
    assert oracle.instance._table.layout_problems() == []
