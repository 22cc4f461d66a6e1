"""Ebb ids: the local range is shared by every node, each node has its own global range."""

from __future__ import annotations

import pytest

from ebbrt.runtime import (FIRST_FREE_LOCAL_ID, ID_SPACE_BITS, MAX_NODES, IdAllocator,
                           IdSpaceExhausted, global_id_range, home_node, is_global)


def test_local_ids_start_after_the_static_ones_and_are_the_same_on_every_node():
    a, b = IdAllocator(0), IdAllocator(5)
    assert [a.allocate_local() for _ in range(3)] == [FIRST_FREE_LOCAL_ID + i for i in range(3)]
    assert b.allocate_local() == FIRST_FREE_LOCAL_ID     # node-private: numbers repeat
    assert not is_global(FIRST_FREE_LOCAL_ID) and home_node(FIRST_FREE_LOCAL_ID) is None


def test_global_ids_come_from_the_nodes_own_range_and_never_collide():
    allocators = [IdAllocator(n) for n in range(4)]
    ids = [a.allocate_global() for a in allocators for _ in range(3)]
    assert len(set(ids)) == len(ids)
    for node, allocator in enumerate(allocators):
        span = global_id_range(node)
        assert span.start == (node + 1) << ID_SPACE_BITS and len(span) == 1 << ID_SPACE_BITS
        ebb_id = allocator.allocate_global()
        assert ebb_id in span and is_global(ebb_id) and home_node(ebb_id) == node


def test_ranges_are_disjoint_and_fit_in_32_bits():
    assert global_id_range(0).start == 1 << ID_SPACE_BITS           # above every local id
    assert global_id_range(MAX_NODES - 1).stop == 1 << 32
    with pytest.raises(ValueError, match="nodes are numbered 0..4094"):
        global_id_range(MAX_NODES)


def test_running_out_of_ids_is_an_error_naming_the_range():
    allocator = IdAllocator(2)
    allocator._next_global = global_id_range(2).stop - 1   # skip ahead rather than loop 2**20
    allocator.allocate_global()
    with pytest.raises(IdSpaceExhausted, match=r"node2 has used its whole global id range "
                                               r"0x300000..0x3fffff"):
        allocator.allocate_global()
    allocator._next_local = 1 << ID_SPACE_BITS
    with pytest.raises(IdSpaceExhausted, match="local ids"):
        allocator.allocate_local()
