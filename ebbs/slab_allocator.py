"""SlabAllocator (slab_allocator.ebb): objects of one fixed size, carved from pages.

Each core keeps a free list (a stack of addresses). An allocation on a core with an empty list
refills it with a fresh slab: one page taken from the PageAllocator, cut into every object that
fits in it aligned to the object size (address = pfn * 4096 + offset). When no page is left, it
takes an object from another core's free list, so an allocation fails only when no object is
free anywhere: the spec's `available` is every object on a free list plus every object of every
page the page allocator can still hand out (a free page is always an order-0 block).

    slab = SlabAllocator(object_size=128, pages=PageAllocator(npages=16))
    a = slab.alloc()          # a % 128 == 0
    slab.free(a)
"""

from __future__ import annotations

from typing import Iterator

from ..verifier import Context, implements
from ._errors import InvalidArgument, OutOfMemory
from .page_allocator import PAGE_SIZE, PageAllocator

DEFAULT_OBJECT_SIZE = 512  # 8 objects per page: a small pool, so running out is reachable in tests
DEFAULT_SLAB_PAGES = 1  # pages of the private page allocator made when none is given


def objects_in_page(pfn: int, object_size: int) -> range:
    """The addresses of the objects of `object_size` that fit in page `pfn`, each aligned to
    its size (for a size that does not divide the page, a few bytes at the ends stay unused)."""
    start, end = pfn * PAGE_SIZE, (pfn + 1) * PAGE_SIZE
    first = -(-start // object_size) * object_size
    return range(first, end - object_size + 1, object_size)


@implements("slab_allocator.ebb", "SlabAllocator")
class SlabAllocator:
    """Allocates objects of one size, aligned to that size, from slabs of pages."""

    def __init__(self, context: Context | None = None, *,
                 object_size: int = DEFAULT_OBJECT_SIZE,
                 pages: PageAllocator | None = None) -> None:
        if not (8 <= object_size <= PAGE_SIZE and object_size % 8 == 0):
            raise InvalidArgument(f"object_size {object_size} must be a multiple of 8 in "
                                  f"8..{PAGE_SIZE}")
        self.context = context if context is not None else Context()
        self.object_size = object_size
        self.pages = (pages if pages is not None
                      else PageAllocator(self.context, npages=DEFAULT_SLAB_PAGES))
        self._free_lists: dict[int, list[int]] = {}  # core -> free objects, a stack
        self._live: set[int] = set()
        self.slabs: list[int] = []  # the pages taken, in order

    def abstraction(self) -> dict[str, object]:
        available = {a for objects in self._free_lists.values() for a in objects}
        for pfn in self.pages.free_pfns():
            available.update(objects_in_page(pfn, self.object_size))
        return {"object_size": self.object_size, "live": frozenset(self._live),
                "available": frozenset(available)}

    # ------------------------------------------------------------------ the spec's operations
    def alloc(self) -> int:
        free_list = self._free_lists.setdefault(self.context.this_core, [])
        if not free_list:
            self._refill(free_list)
        a = free_list.pop()
        self._live.add(a)
        return a

    def free(self, a: int) -> None:
        if a not in self._live:  # a caller bug (`requires`), cheap to catch
            raise InvalidArgument(f"address {a:#x} is not a live object (double free?)")
        self._live.remove(a)
        self._free_lists.setdefault(self.context.this_core, []).append(a)

    def object_bytes(self) -> int:
        return self.object_size

    # ------------------------------------------------------------------ refills
    def _refill(self, free_list: list[int]) -> None:
        """Put at least one object on `free_list`: a new slab, else one from another core."""
        try:
            pfn = self.pages.alloc(0)
        except OutOfMemory:
            donor = next((objects for core, objects in sorted(self._free_lists.items())
                          if objects), None)
            if donor is None:
                raise OutOfMemory("no free object on any core and no free page") from None
            free_list.append(donor.pop())
            return
        self.slabs.append(pfn)
        free_list.extend(reversed(objects_in_page(pfn, self.object_size)))  # lowest first out

    # ------------------------------------------------------------------ inspection
    def free_list(self, core: int) -> list[int]:
        """Core `core`'s free objects, the next to be handed out last (a copy)."""
        return list(self._free_lists.get(core, ()))

    def live_objects(self) -> Iterator[int]:
        return iter(sorted(self._live))


__all__ = ["DEFAULT_OBJECT_SIZE", "SlabAllocator", "objects_in_page"]
