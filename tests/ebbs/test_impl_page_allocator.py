"""The buddy allocator: decomposition of the managed range, split on alloc, merge on free,
out-of-memory exactly when no aligned free run exists, and random sequences judged against
page_allocator.ebb."""

from __future__ import annotations

import pytest
from broken.oracle import Oracle, Step
from hypothesis import given, settings
from hypothesis import strategies as st

from ebbrt.ebbs import InvalidArgument, OutOfMemory, PageAllocator
from ebbrt.ebbs.page_allocator import DEFAULT_PAGES, MAX_ORDER, aligned_blocks


def test_a_range_starts_as_its_maximal_aligned_blocks() -> None:
    assert list(aligned_blocks(0, 64)) == [(0, 6)]
    assert list(aligned_blocks(3, 14)) == [(3, 0), (4, 2), (8, 3), (16, 0)]
    assert list(aligned_blocks(0, 5000)) == [(0, 11), (2048, 11), (4096, 9), (4608, 8),
                                            (4864, 7), (4992, 3)]
    assert list(aligned_blocks(7, 0)) == []


def test_alloc_splits_the_smallest_block_and_returns_aligned_pages() -> None:
    pages = PageAllocator()
    assert pages.free_blocks() == [(0, 6)] and pages.free_count() == DEFAULT_PAGES
    assert pages.alloc(0) == 0
    assert pages.free_blocks() == [(1, 0), (2, 1), (4, 2), (8, 3), (16, 4), (32, 5)]
    assert pages.alloc(2) == 4 and pages.alloc(0) == 1
    assert pages.allocated == {0: 0, 4: 2, 1: 0}
    assert not pages.is_free(5) and pages.is_free(2) and pages.is_free(63)


def test_free_merges_buddies_back_into_one_block() -> None:
    pages = PageAllocator()
    blocks = [pages.alloc(o) for o in (0, 0, 1, 2, 3, 4, 5)]
    assert pages.free_count() == 0
    for pfn, order in reversed(list(zip(blocks, (0, 0, 1, 2, 3, 4, 5)))):
        pages.free(pfn, order)
    assert pages.free_blocks() == [(0, 6)] and pages.allocated == {}


def test_out_of_memory_when_no_block_of_the_order_fits() -> None:
    pages = PageAllocator(npages=8)
    with pytest.raises(OutOfMemory):
        pages.alloc(4)
    a = pages.alloc(2)
    pages.alloc(1)
    with pytest.raises(MemoryError):  # OutOfMemory is also a MemoryError
        pages.alloc(2)
    pages.free(a, 2)
    assert pages.alloc(2) == a


def test_an_unaligned_range_never_merges_past_its_ends() -> None:
    pages = PageAllocator(first_pfn=3, npages=14)  # pages 3..16
    got = []
    while True:
        try:
            got.append(pages.alloc(0))
        except OutOfMemory:
            break
    assert sorted(got) == list(range(3, 17))
    for pfn in got:
        pages.free(pfn, 0)
    assert pages.free_blocks() == [(3, 0), (4, 2), (8, 3), (16, 0)]
    assert pages.alloc(3) == 8
    with pytest.raises(OutOfMemory):
        pages.alloc(3)


def test_order_eleven_blocks_do_not_merge_further() -> None:
    pages = PageAllocator(npages=4096)
    a, b = pages.alloc(MAX_ORDER), pages.alloc(MAX_ORDER)
    pages.free(a, MAX_ORDER)
    pages.free(b, MAX_ORDER)
    assert pages.free_blocks() == [(0, 11), (2048, 11)]


def test_bad_frees_and_orders_are_rejected() -> None:
    pages = PageAllocator()
    pfn = pages.alloc(1)
    with pytest.raises(InvalidArgument):
        pages.free(pfn, 0)
    pages.free(pfn, 1)
    with pytest.raises(InvalidArgument, match="no block of order 1"):
        pages.free(pfn, 1)
    with pytest.raises(InvalidArgument):
        pages.alloc(12)
    with pytest.raises(InvalidArgument):
        PageAllocator(first_pfn=-1)


def _fits_somewhere(free: frozenset[int], order: int) -> bool:
    size = 1 << order
    return any(p % size == 0 and all(q in free for q in range(p, p + size)) for p in free)


@settings(max_examples=60)
@given(st.integers(0, 9), st.integers(1, 80),
       st.lists(st.tuples(st.booleans(), st.integers(0, 7), st.integers(0, 30)), max_size=40))
def test_alloc_fails_exactly_when_no_aligned_free_run_exists(first, npages, ops) -> None:
    """The spec's `throws OutOfMemory when !(exists p in free_pages: fits(p, order))`, for
    any range: buddy merging keeps every free aligned run inside one free block."""
    pages = PageAllocator(first_pfn=first, npages=npages)
    live: list[tuple[int, int]] = []
    for is_alloc, order, pick in ops:
        if is_alloc or not live:
            free = pages.abstraction()["free_pages"]
            try:
                pfn = pages.alloc(order)
            except OutOfMemory:
                assert not _fits_somewhere(free, order)
                continue
            assert pfn % (1 << order) == 0 and set(range(pfn, pfn + (1 << order))) <= free
            live.append((pfn, order))
        else:
            pages.free(*live.pop(pick % len(live)))
    assert pages.free_count() + sum(1 << o for _, o in live) == npages


OPS = st.lists(st.tuples(st.sampled_from(["alloc", "alloc", "free", "is_free"]),
                         st.integers(0, 7), st.integers(0, 70)), min_size=8, max_size=20)


@settings(max_examples=30)
@given(OPS)
def test_page_allocator_keeps_every_clause_on_random_sequences(ops) -> None:
    oracle = Oracle(PageAllocator)
    assert oracle.run([]).violations == []
    for op, order, pick in ops:
        allocated = oracle.model()["allocated"]
        if op == "free":
            if not allocated:
                continue
            pfn = sorted(allocated)[pick % len(allocated)]
            step = Step("free", (pfn, allocated[pfn]))
        else:
            step = Step("alloc", (order,)) if op == "alloc" else Step("is_free", (pick,))
        ran, _, violations = oracle.try_step(step)
        assert ran and violations == [], f"after {[str(s) for s in oracle.history]}"
