"""Physical memory: 4 KiB pages, byte-addressable, bounds-checked.

Pages are allocated on first write (a 4 GiB node costs nothing until it is used); a page never
written reads as zeros. Each access is charged to the core running at the time, through the
`charge` callback the node passes in.

    mem = PhysicalMemory(pages=16)
    mem.write(0x1ffe, b"hello")        # crosses from page 1 into page 2
    mem.read(0x1ffe, 5)                # b'hello'
"""

from __future__ import annotations

from typing import Callable

from ._errors import MemoryBoundsError

__all__ = ["PAGE_SIZE", "PhysicalMemory"]

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
"""Bytes per page (4 KiB), for physical memory and the MMU alike."""


def _no_charge(nbytes: int) -> None:
    return None


class PhysicalMemory:
    """`pages` pages of 4 KiB; addresses 0 .. pages * PAGE_SIZE - 1."""

    def __init__(self, pages: int, *, name: str = "mem",
                 charge: Callable[[int], None] = _no_charge) -> None:
        if type(pages) is not int or pages < 1:
            raise ValueError(f"memory must have at least one page, got pages={pages!r}")
        self.pages = pages
        self.size = pages * PAGE_SIZE
        self.name = name
        self._charge = charge
        self._frames: dict[int, bytearray] = {}

    @property
    def resident_pages(self) -> int:
        """How many pages have been written (and so hold storage)."""
        return len(self._frames)

    def read(self, paddr: int, nbytes: int) -> bytes:
        """`nbytes` bytes starting at physical address `paddr`."""
        self._check(paddr, nbytes, "read")
        self._charge(nbytes)
        out = bytearray()
        for page, start, end in _pieces(paddr, nbytes):
            frame = self._frames.get(page)
            out += frame[start:end] if frame is not None else bytes(end - start)
        return bytes(out)

    def write(self, paddr: int, data: bytes | bytearray | memoryview) -> None:
        """Store `data` starting at physical address `paddr`."""
        data = memoryview(data).cast("B")
        self._check(paddr, len(data), "write")
        self._charge(len(data))
        offset = 0
        for page, start, end in _pieces(paddr, len(data)):
            frame = self._frames.get(page)
            if frame is None:
                frame = self._frames[page] = bytearray(PAGE_SIZE)
            frame[start:end] = data[offset:offset + end - start]
            offset += end - start

    def clear(self) -> None:
        """Every byte back to zero (a power cycle)."""
        self._frames.clear()

    def _check(self, paddr: int, nbytes: int, what: str) -> None:
        if type(paddr) is not int:
            raise TypeError(f"{self.name}: physical address must be an int, got {paddr!r}")
        if not isinstance(nbytes, int) or nbytes < 0:
            raise ValueError(f"{self.name}: cannot {what} {nbytes!r} bytes; use a count >= 0")
        if paddr < 0 or paddr + nbytes > self.size:
            raise MemoryBoundsError(
                f"{self.name}: {what} of {nbytes} byte(s) at {paddr:#x} is outside physical memory"
                f" 0x0..{self.size - 1:#x} ({self.pages} pages of {PAGE_SIZE} bytes)")

    def __repr__(self) -> str:
        return f"<PhysicalMemory {self.name} {self.pages} pages, {self.resident_pages} resident>"


def _pieces(addr: int, nbytes: int):
    """Split [addr, addr + nbytes) into (page, start, end) runs within single pages."""
    end_addr = addr + nbytes
    while addr < end_addr:
        page, start = addr >> PAGE_SHIFT, addr & (PAGE_SIZE - 1)
        end = min(PAGE_SIZE, start + end_addr - addr)
        yield page, start, end
        addr += end - start
