"""The slab allocator: object layout, refills from the page allocator, per-core free lists,
taking from another core when pages run out, and random sequences judged against
slab_allocator.ebb."""

from __future__ import annotations

import pytest
from broken.oracle import Oracle, Step
from hypothesis import given, settings
from hypothesis import strategies as st

from ebbrt.ebbs import InvalidArgument, OutOfMemory, PageAllocator, SlabAllocator
from ebbrt.ebbs.slab_allocator import objects_in_page
from ebbrt.verifier import Context


def test_objects_are_aligned_to_their_size_and_inside_their_page() -> None:
    assert list(objects_in_page(0, 1024)) == [0, 1024, 2048, 3072]
    assert list(objects_in_page(2, 4096)) == [8192]
    odd = objects_in_page(1, 24)  # 24 does not divide 4096: ends of the page stay unused
    assert odd[0] == 4104 and odd[-1] + 24 <= 8192 and all(a % 24 == 0 for a in odd)
    assert len(odd) == 170


def test_refill_takes_one_page_and_hands_out_lowest_first() -> None:
    pages = PageAllocator(npages=4)
    slab = SlabAllocator(object_size=512, pages=pages)
    assert [slab.alloc() for _ in range(3)] == [0, 512, 1024]
    assert pages.allocated == {0: 0} and slab.slabs == [0]
    assert len(slab.free_list(0)) == 8 - 3
    for _ in range(5):
        slab.alloc()
    assert slab.alloc() == 4096 and slab.slabs == [0, 1]  # the second refill


def test_free_returns_the_object_to_this_cores_list() -> None:
    ctx = Context(ncores=2)
    slab = SlabAllocator(ctx, object_size=2048, pages=PageAllocator(ctx, npages=2))
    a = slab.alloc()
    ctx.this_core = 1
    slab.free(a)
    assert slab.free_list(1) == [a]
    assert slab.alloc() == a  # core 1 reuses what it freed before taking a page


def test_out_of_pages_takes_from_another_core_then_fails() -> None:
    ctx = Context(ncores=2)
    slab = SlabAllocator(ctx, object_size=4096, pages=PageAllocator(ctx, npages=2))
    ctx.this_core = 1
    first = slab.alloc()
    slab.alloc()
    slab.free(first)  # core 1's list: [first]; no page left
    ctx.this_core = 0
    assert slab.alloc() == first
    with pytest.raises(OutOfMemory):
        slab.alloc()
    model = slab.abstraction()
    assert model["available"] == frozenset() and len(model["live"]) == 2


def test_abstraction_counts_free_lists_and_pages_still_free() -> None:
    slab = SlabAllocator(object_size=1024, pages=PageAllocator(npages=3))
    assert len(slab.abstraction()["available"]) == 12
    a = slab.alloc()
    model = slab.abstraction()
    assert model["live"] == {a} and len(model["available"]) == 11 and a not in model["available"]
    assert slab.object_bytes() == model["object_size"] == 1024


def test_two_slabs_may_share_one_page_allocator() -> None:
    pages = PageAllocator(npages=2)
    small, big = SlabAllocator(object_size=64, pages=pages), SlabAllocator(object_size=4096,
                                                                          pages=pages)
    small.alloc()
    big.alloc()
    with pytest.raises(OutOfMemory):
        big.alloc()
    assert pages.free_count() == 0 and len(small.abstraction()["available"]) == 63


def test_bad_sizes_and_frees_are_rejected() -> None:
    for size in (0, 4, 12, 4097, 8192):
        with pytest.raises(InvalidArgument, match="multiple of 8"):
            SlabAllocator(object_size=size)
    slab = SlabAllocator()
    a = slab.alloc()
    slab.free(a)
    with pytest.raises(InvalidArgument, match="double free"):
        slab.free(a)


OPS = st.lists(st.tuples(st.sampled_from(["alloc", "alloc", "alloc", "free", "object_bytes"]),
                         st.integers(0, 200), st.integers(0, 1)), min_size=8, max_size=40)


@settings(max_examples=30)
@given(st.sampled_from([64, 24, 1024, 4096]), st.integers(1, 2), OPS)
def test_slab_keeps_every_clause_on_random_sequences(size, npages, ops) -> None:
    def factory(ctx: Context) -> SlabAllocator:
        return SlabAllocator(ctx, object_size=size, pages=PageAllocator(ctx, npages=npages))

    oracle = Oracle(SlabAllocator, factory, Context(ncores=2))
    assert oracle.run([]).violations == []
    for op, pick, core in ops:
        live = sorted(oracle.model()["live"])
        if op == "free":
            if not live:
                continue
            step = Step("free", (live[pick % len(live)],), core=core)
        else:
            step = Step(op, core=core)
        ran, _, violations = oracle.try_step(step)
        assert ran and violations == [], f"after {[str(s) for s in oracle.history]}"
