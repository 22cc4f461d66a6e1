"""The open-addressing hash table under the unordered containers: probing, tombstones,
resizing both ways, colliding hashes, and the counters of hash and eq calls."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ebbrt.ebbs._hash_table import MIN_CAPACITY, HashTable, capacity_for


def _table(**kwargs) -> HashTable:
    return HashTable(**kwargs)


def test_insert_find_erase_and_positions() -> None:
    t = _table()
    slot, inserted = t.insert(5, "five")
    assert inserted and t.key_at(slot) == 5 and t.value_at(slot) == "five"
    again, inserted = t.insert(5, "other")
    assert (again, inserted) == (slot, False) and t.value_at(slot) == "five"
    assert t.find(5) == slot and t.find(6) is None
    assert t.erase(5) and not t.erase(5) and len(t) == 0
    assert t.position(None, 7).at_end and t.position(None, 7).key == 7


def test_assign_adds_or_replaces() -> None:
    t = _table()
    assert t.assign(1, "a")[1] is True
    assert t.assign(1, "b")[1] is False
    assert dict(t.items()) == {1: "b"}


def test_grows_at_three_quarters_and_keeps_every_key() -> None:
    t = _table()
    capacities = []
    for k in range(1000):
        t.insert(k, k * k)
        capacities.append(t.capacity)
        assert 4 * (len(t) + t.tombstones) <= 3 * t.capacity
    assert capacities[0] == MIN_CAPACITY and capacities[-1] >= 1334
    assert sorted(set(capacities)) == [MIN_CAPACITY * 2 ** i for i in range(len(set(capacities)))]
    assert all(t.find(k) is not None and t.value_at(t.find(k)) == k * k for k in range(1000))
    assert t.layout_problems() == []


def test_shrinks_when_mostly_empty_and_stays_correct() -> None:
    t = _table()
    for k in range(512):
        t.insert(k, None)
    big = t.capacity
    for k in range(500):
        assert t.erase(k)
    # each shrink goes to the capacity that holds the keys half full; it ends small
    assert big >= 1024 and t.capacity <= 8 * capacity_for(12)
    assert sorted(t.keys()) == list(range(500, 512))
    assert t.layout_problems() == []


def test_tombstones_are_reused_and_purged_by_rehash() -> None:
    t = _table()
    for k in range(4):
        t.insert(k, None)
    t.erase(2)
    assert t.tombstones == 1
    # churn: insert and erase fresh keys; tombstones must not fill the table
    for k in range(100, 2100):
        t.insert(k, None)
        t.erase(k)
        assert 4 * (len(t) + t.tombstones) <= 3 * t.capacity
    assert sorted(t.keys()) == [0, 1, 3] and t.capacity == MIN_CAPACITY
    assert t.layout_problems() == []


def test_colliding_hashes_chain_and_count_eq_calls() -> None:
    t = _table(hash_fn=lambda k: 0)
    for k in range(20):
        t.insert(k, None)
    assert all(t.find(k) is not None for k in range(20)) and t.find(99) is None
    before = dict(t.calls)
    t.find(19)  # walks the whole chain, comparing with every key before it
    assert t.calls["hash"] - before["hash"] == 1
    assert t.calls["eq"] - before["eq"] == 20
    for k in range(0, 20, 2):
        t.erase(k)
    assert sorted(t.keys()) == list(range(1, 20, 2)) and t.layout_problems() == []


def test_hash_is_called_once_per_operation_and_never_by_a_rehash() -> None:
    t = _table()
    for k in range(300):  # several resizes
        t.insert(k, None)
    assert t.calls["hash"] == 300
    assert t.calls["eq"] == 0  # distinct keys, stored hashes differ: no eq needed
    t.insert(7, None)
    assert t.calls == {"hash": 301, "eq": 1}


def test_average_cost_stays_constant_as_the_table_grows() -> None:
    """calls(hash) + calls(eq) per find is O(1) on average (the spec's complexity)."""
    per_find = []
    for n in (64, 512, 4096):
        t = _table()
        for k in range(n):
            t.insert(k * 7919, None)
        start = t.calls["hash"] + t.calls["eq"]
        for k in range(n):
            t.find(k * 7919)
            t.find(-k - 1)
        per_find.append((t.calls["hash"] + t.calls["eq"] - start) / (2 * n))
    assert max(per_find) <= 2.0


def test_clear_resets_to_the_minimum() -> None:
    t = _table()
    for k in range(100):
        t.insert(k, None)
    t.clear()
    assert len(t) == 0 and t.capacity == MIN_CAPACITY and list(t.keys()) == []


def test_insert_after_a_tombstone_finds_the_key_further_down_the_chain() -> None:
    t = _table(hash_fn=lambda k: 0)
    t.insert(1, None)
    t.insert(2, None)
    t.erase(1)  # a tombstone at the head of the chain, 2 behind it
    assert t.insert(2, None)[1] is False and len(t) == 1
    assert t.insert(3, None)[1] is True and t.tombstones == 0  # the tombstone is reused


_OPS = st.lists(st.tuples(st.sampled_from(["insert", "assign", "erase", "find"]),
                          st.integers(-5, 15), st.integers(0, 9)), min_size=20, max_size=150)
HASHES = {"builtin": hash, "constant": lambda k: 0, "mod5": lambda k: k % 5,
          "high_bits": lambda k: k << 40}


@pytest.mark.parametrize("hashing", sorted(HASHES))
@settings(max_examples=40)
@given(ops=_OPS)
def test_behaves_like_a_dict(hashing, ops) -> None:
    """Differential test against Python's dict, with good and colliding hash functions."""
    t, d = _table(hash_fn=HASHES[hashing]), {}
    for op, k, v in ops:
        if op == "insert":
            slot, inserted = t.insert(k, v)
            assert inserted == (k not in d)
            d.setdefault(k, v)
            assert t.value_at(slot) == d[k]
        elif op == "assign":
            assert t.assign(k, v)[1] == (k not in d)
            d[k] = v
        elif op == "erase":
            assert t.erase(k) == (k in d)
            d.pop(k, None)
        else:
            slot = t.find(k)
            assert (slot is None) == (k not in d)
        assert len(t) == len(d)
    assert dict(t.items()) == d
    assert t.layout_problems() == []
