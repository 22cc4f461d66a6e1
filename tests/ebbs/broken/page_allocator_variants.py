"""Broken PageAllocator variants (page_allocator.ebb). Every sequence runs on the default
allocator: 64 pages from page frame 0, one free block of order 6."""

from __future__ import annotations

from ebbrt.ebbs import OutOfMemory, PageAllocator
from ebbrt.ebbs.page_allocator import MAX_ORDER

from .oracle import Ref, Step
from .variant import BrokenVariant


class PageSplitStopsOneEarly(PageAllocator):
    """Off by one in the split loop (`while have > order + 1`): a block twice the size asked
    for is taken, and its upper half is neither free nor allocated. Breaks alloc's
    `ensures free_pages == old(free_pages) - block(pfn, order)`."""

    def alloc(self, order: int) -> int:
        have = next((o for o in range(order, MAX_ORDER + 1) if self._free[o]), None)
        if have is None:
            raise OutOfMemory(f"no free block of order {order} or larger")
        pfn, _ = self._free[have].popitem()
        while have > order + 1:
            have -= 1
            self._free[have][pfn + (1 << have)] = None
        self._allocated[pfn] = order
        return pfn


class PageMergeWithRightNeighbour(PageAllocator):
    """Wrong buddy: free merges with the block to its right (`pfn + 2^order`) instead of the
    buddy (`pfn ^ 2^order`), making misaligned blocks that alloc then hands out. Breaks
    alloc's `ensures old(fits(pfn, order))` and the invariant `aligned`."""

    def free(self, pfn: int, order: int) -> None:
        del self._allocated[pfn]
        while order < MAX_ORDER:
            neighbour = pfn + (1 << order)
            if neighbour not in self._free[order]:
                break
            del self._free[order][neighbour]
            order += 1
        self._free[order][pfn] = None


class PageMergeLeavesBuddyListed(PageAllocator):
    """Stale state after merge: the buddy absorbed by a merge stays on its free list, so a
    later alloc hands out pages that are still part of a free block. Breaks alloc's
    `ensures free_pages == old(free_pages) - block(pfn, order)`."""

    def free(self, pfn: int, order: int) -> None:
        del self._allocated[pfn]
        while order < MAX_ORDER:
            buddy = pfn ^ (1 << order)
            if buddy not in self._free[order]:
                break
            pfn = min(pfn, buddy)
            order += 1
        self._free[order][pfn] = None


class PageFreeNeverMerges(PageAllocator):
    """Missing case: free never merges with the buddy, so two free halves of an aligned run
    cannot be allocated as one block. Breaks `throws OutOfMemory when !(exists p in
    free_pages: fits(p, order))`: it throws although such a run exists."""

    def free(self, pfn: int, order: int) -> None:
        del self._allocated[pfn]
        self._free[order][pfn] = None


class PageAllocRaisesMemoryError(PageAllocator):
    """Wrong exception: alloc raises the builtin MemoryError, not OutOfMemory, when no block
    fits. Breaks `throws OutOfMemory when ...` (the exception is matched by name)."""

    def alloc(self, order: int) -> int:
        if not any(self._free[o] for o in range(order, MAX_ORDER + 1)):
            raise MemoryError(f"no block of order {order}")
        return super().alloc(order)


class PageFreeForgetsRecordAfterMerge(PageAllocator):
    """Stale state after merge: free merges first and then removes the allocation record at
    the merged block's first page, so a block freed into its lower buddy stays recorded as
    allocated. Breaks free's `ensures allocated == old(allocated) - {pfn}`."""

    def free(self, pfn: int, order: int) -> None:
        while order < MAX_ORDER:
            buddy = pfn ^ (1 << order)
            if buddy not in self._free[order]:
                break
            del self._free[order][buddy]
            pfn = min(pfn, buddy)
            order += 1
        self._allocated.pop(pfn, None)
        self._free[order][pfn] = None


VARIANTS = [
    BrokenVariant("PageSplitStopsOneEarly", PageAllocator, PageSplitStopsOneEarly,
                  "off_by_one", "ensures: free_pages == old(free_pages) - block(pfn, order)",
                  (Step("alloc", (0,)),)),
    BrokenVariant("PageMergeWithRightNeighbour", PageAllocator, PageMergeWithRightNeighbour,
                  "wrong_result", "ensures: old(fits(pfn, order))",
                  (*[Step("alloc", (0,))] * 4, Step("free", (Ref(2), 0)),
                   Step("free", (Ref(1), 0)), Step("alloc", (1,)))),
    BrokenVariant("PageMergeLeavesBuddyListed", PageAllocator, PageMergeLeavesBuddyListed,
                  "stale_state", "ensures: free_pages == old(free_pages) - block(pfn, order)",
                  (Step("alloc", (0,)), Step("free", (Ref(0), 0)), Step("alloc", (0,)))),
    BrokenVariant("PageFreeNeverMerges", PageAllocator, PageFreeNeverMerges, "missing_case",
                  "throws: no throws condition holds",
                  (Step("alloc", (5,)), Step("alloc", (5,)), Step("free", (Ref(0), 5)),
                   Step("free", (Ref(1), 5)), Step("alloc", (6,)))),
    BrokenVariant("PageAllocRaisesMemoryError", PageAllocator, PageAllocRaisesMemoryError,
                  "wrong_exception", "throws: OutOfMemory when", (Step("alloc", (7,)),)),
    BrokenVariant("PageFreeForgetsRecordAfterMerge", PageAllocator,
                  PageFreeForgetsRecordAfterMerge, "stale_state",
                  "ensures: allocated == old(allocated) - {pfn}",
                  (Step("alloc", (0,)), Step("alloc", (0,)), Step("free", (Ref(0), 0)),
                   Step("free", (Ref(1), 0)))),
]
