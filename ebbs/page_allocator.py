"""PageAllocator (page_allocator.ebb): a buddy allocator of page frames.

Free memory is kept as blocks of 2^order pages (order 0..11), each aligned to its size, one free
list per order. `alloc(order)` takes a block from the smallest order that has one and splits it,
returning the upper halves to the lower free lists; `free` merges the block with its buddy
(`pfn ^ 2^order`) while the buddy is free at the same order.

The managed range [first_pfn, first_pfn + npages) need not be aligned: it starts as the
maximal aligned blocks that cover it. With that start and eager merging, every free block is as
large as alignment, the range and order 11 allow, so a free aligned run of 2^order pages always
lies inside one free block of at least that order: `alloc` fails only when the spec says it may.

    pages = PageAllocator(first_pfn=0, npages=1024)
    pfn = pages.alloc(3)      # 8 pages, pfn % 8 == 0
    pages.free(pfn, 3)
"""

from __future__ import annotations

from typing import Iterator

from ..verifier import Context, implements
from ..verifier._values import FrozenMap
from ._errors import InvalidArgument, OutOfMemory

MAX_ORDER = 11
PAGE_SIZE = 4096
DEFAULT_PAGES = 64


def aligned_blocks(first: int, count: int, max_order: int = MAX_ORDER) -> Iterator[tuple[int, int]]:
    """The maximal aligned blocks (pfn, order) covering [first, first + count), in order."""
    pfn, end = first, first + count
    while pfn < end:
        order = max_order
        while order > 0 and (pfn % (1 << order) or pfn + (1 << order) > end):
            order -= 1
        yield pfn, order
        pfn += 1 << order


@implements("page_allocator.ebb", "PageAllocator")
class PageAllocator:
    """Allocates blocks of 2^order contiguous, size-aligned page frames (the buddy system)."""

    def __init__(self, context: Context | None = None, *, first_pfn: int = 0,
                 npages: int = DEFAULT_PAGES) -> None:
        if first_pfn < 0 or npages < 0:
            raise InvalidArgument(f"the page range [{first_pfn}, {first_pfn + npages}) must be "
                                  "non-negative")
        self.context = context if context is not None else Context()
        self.first_pfn, self.npages = first_pfn, npages
        # one free list per order; a dict keeps insertion order, so allocation is
        # deterministic, and removes a buddy in O(1)
        self._free: list[dict[int, None]] = [{} for _ in range(MAX_ORDER + 1)]
        self._allocated: dict[int, int] = {}  # first pfn -> order
        for pfn, order in aligned_blocks(first_pfn, npages):
            self._free[order][pfn] = None

    def abstraction(self) -> dict[str, object]:
        return {"free_pages": frozenset(self.free_pfns()),
                "allocated": FrozenMap(self._allocated)}

    # ------------------------------------------------------------------ the spec's operations
    def alloc(self, order: int) -> int:
        if not 0 <= order <= MAX_ORDER:
            raise InvalidArgument(f"order {order} is outside 0..{MAX_ORDER}")
        have = next((o for o in range(order, MAX_ORDER + 1) if self._free[o]), None)
        if have is None:
            raise OutOfMemory(f"no free block of order {order} or larger")
        pfn, _ = self._free[have].popitem()
        while have > order:  # split: keep the lower half, free the upper one
            have -= 1
            self._free[have][pfn + (1 << have)] = None
        self._allocated[pfn] = order
        return pfn

    def free(self, pfn: int, order: int) -> None:
        if self._allocated.get(pfn) != order:
            raise InvalidArgument(f"no block of order {order} is allocated at page {pfn}")
        del self._allocated[pfn]
        while order < MAX_ORDER:
            buddy = pfn ^ (1 << order)
            if buddy not in self._free[order]:
                break
            del self._free[order][buddy]
            pfn = min(pfn, buddy)
            order += 1
        self._free[order][pfn] = None

    def is_free(self, pfn: int) -> bool:
        return self.free_block_of(pfn) is not None

    # ------------------------------------------------------------------ inspection
    def free_block_of(self, pfn: int) -> tuple[int, int] | None:
        """The free block (first pfn, order) holding page `pfn`, or None."""
        for order in range(MAX_ORDER + 1):
            start = pfn & ~((1 << order) - 1)
            if start in self._free[order]:
                return start, order
        return None

    def free_blocks(self) -> list[tuple[int, int]]:
        """Every free block as (first pfn, order), sorted by pfn."""
        return sorted((pfn, order) for order, blocks in enumerate(self._free) for pfn in blocks)

    def free_pfns(self) -> Iterator[int]:
        """Every free page frame (block by block, not sorted)."""
        for order, blocks in enumerate(self._free):
            for pfn in blocks:
                yield from range(pfn, pfn + (1 << order))

    def free_count(self) -> int:
        """The number of free pages."""
        return sum(len(blocks) << order for order, blocks in enumerate(self._free))

    @property
    def allocated(self) -> dict[int, int]:
        """The allocated blocks, first pfn -> order (a copy)."""
        return dict(self._allocated)


__all__ = ["DEFAULT_PAGES", "MAX_ORDER", "PAGE_SIZE", "PageAllocator", "aligned_blocks"]
