"""Broken SlabAllocator variants (slab_allocator.ebb). Every sequence runs on the default
allocator: 64-byte objects backed by one page (frame 0), so 64 objects in all."""

from __future__ import annotations

from ebbrt.ebbs import OutOfMemory, SlabAllocator
from ebbrt.ebbs.page_allocator import PAGE_SIZE
from ebbrt.ebbs.slab_allocator import objects_in_page

from .oracle import Ref, Step
from .variant import BrokenVariant

SLAB_HEADER = 8  # bytes a variant below reserves at the start of each slab


class SlabRefillSkipsFirstObject(SlabAllocator):
    """Off by one: a refill puts objects 1..n-1 of the new page on the free list, so object 0
    is lost. Breaks alloc's `ensures a in old(available) && available == old(available) - {a}`."""

    def _refill(self, free_list: list[int]) -> None:
        pfn = self.pages.alloc(0)
        self.slabs.append(pfn)
        free_list.extend(reversed(objects_in_page(pfn, self.object_size)[1:]))


class SlabFreeKeepsLive(SlabAllocator):
    """Lost update: free puts the object back on the free list but leaves it in the live set.
    Breaks free's `ensures live == old(live) - {a}` and the invariant `live_not_available`."""

    def free(self, a: int) -> None:
        self._free_lists.setdefault(self.context.this_core, []).append(a)


class SlabAllocLeavesObjectListed(SlabAllocator):
    """Stale state: alloc reads the top of the free list without popping it, so the object
    handed out stays available (and is handed out again). Breaks alloc's
    `ensures a in old(available) && available == old(available) - {a}`."""

    def alloc(self) -> int:
        free_list = self._free_lists.setdefault(self.context.this_core, [])
        if not free_list:
            self._refill(free_list)
        a = free_list[-1]
        self._live.add(a)
        return a


class SlabNoStealFromOtherCores(SlabAllocator):
    """Missing case: when the page allocator is exhausted, alloc raises OutOfMemory although
    another core's free list still has objects. Breaks `throws OutOfMemory when available ==
    {}` (it throws while objects are available)."""

    def _refill(self, free_list: list[int]) -> None:
        pfn = self.pages.alloc(0)
        self.slabs.append(pfn)
        free_list.extend(reversed(objects_in_page(pfn, self.object_size)))


class SlabExhaustedRaisesIndexError(SlabAllocator):
    """Wrong exception: with no page and no object left, alloc pops an empty free list and
    raises IndexError instead of OutOfMemory. Breaks `throws OutOfMemory when available ==
    {}`."""

    def _refill(self, free_list: list[int]) -> None:
        try:
            super()._refill(free_list)
        except OutOfMemory:
            pass


class SlabHeaderMisalignsObjects(SlabAllocator):
    """Wrong layout: a refill reserves an 8-byte slab header at the start of the page and
    lays the objects out after it, so they are not aligned to their size (and are not the
    objects the model counts as available). Breaks alloc's `ensures a in old(available) ...`
    and the invariant `live_aligned`."""

    def _refill(self, free_list: list[int]) -> None:
        pfn = self.pages.alloc(0)
        self.slabs.append(pfn)
        start = pfn * PAGE_SIZE + SLAB_HEADER
        end = (pfn + 1) * PAGE_SIZE
        free_list.extend(reversed(range(start, end - self.object_size + 1, self.object_size)))


class SlabReleasesSlabWithLiveObjects(SlabAllocator):
    """Wrong frame: freeing the first object of a slab returns the whole page to the page
    allocator (the check meant "every object of the slab is free"), so live objects become
    available again. Breaks free's `ensures available == old(available) + {a}` and the
    invariant `live_not_available`."""

    def free(self, a: int) -> None:
        super().free(a)
        if a % PAGE_SIZE == 0:
            pfn = a // PAGE_SIZE
            slab = set(objects_in_page(pfn, self.object_size))
            for core, objects in self._free_lists.items():
                self._free_lists[core] = [x for x in objects if x not in slab]
            self.slabs.remove(pfn)
            self.pages.free(pfn, 0)


VARIANTS = [
    BrokenVariant("SlabRefillSkipsFirstObject", SlabAllocator, SlabRefillSkipsFirstObject,
                  "off_by_one", "ensures: available == old(available) - {a}",
                  (Step("alloc"),)),
    BrokenVariant("SlabFreeKeepsLive", SlabAllocator, SlabFreeKeepsLive, "lost_update",
                  "ensures: live == old(live) - {a}", (Step("alloc"), Step("free", (Ref(0),)))),
    BrokenVariant("SlabAllocLeavesObjectListed", SlabAllocator, SlabAllocLeavesObjectListed,
                  "stale_state", "ensures: available == old(available) - {a}",
                  (Step("alloc"),)),
    BrokenVariant("SlabNoStealFromOtherCores", SlabAllocator, SlabNoStealFromOtherCores,
                  "missing_case", "throws: no throws condition holds",
                  (Step("alloc", core=1), Step("alloc", core=0)), ncores=2),
    BrokenVariant("SlabExhaustedRaisesIndexError", SlabAllocator,
                  SlabExhaustedRaisesIndexError, "wrong_exception",
                  "throws: OutOfMemory when available == {}", (Step("alloc"),) * 65),
    BrokenVariant("SlabHeaderMisalignsObjects", SlabAllocator, SlabHeaderMisalignsObjects,
                  "wrong_result", "ensures: a in old(available)", (Step("alloc"),)),
    BrokenVariant("SlabReleasesSlabWithLiveObjects", SlabAllocator,
                  SlabReleasesSlabWithLiveObjects, "wrong_frame",
                  "ensures: available == old(available) + {a}",
                  (Step("alloc"), Step("alloc"), Step("free", (Ref(0),)))),
]
