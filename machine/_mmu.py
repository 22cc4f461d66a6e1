"""The MMU: one address space's page table, and page faults that go to a client handler.

A virtual address is `vpage * PAGE_SIZE + offset` with 48-bit virtual addresses. A miss (no
mapping, or a write to a read-only page) calls the registered fault handler with the faulting
address and whether it was a write; the handler may `map` the page, and the access is then
retried once. If there is no handler, or the retry misses again, the access raises `PageFault`
naming the address.

    mmu.fault_handler = lambda vaddr, write: mmu.map(vaddr >> 12, 7)
    mmu.translate(0x5123)       # faults once, the handler maps vpage 5 -> ppage 7: 0x7123
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ._errors import MachineError, PageFault
from ._memory import PAGE_SHIFT, PAGE_SIZE, PhysicalMemory

__all__ = ["FaultHandler", "Mapping", "MappingError", "Mmu", "VIRTUAL_BITS"]

VIRTUAL_BITS = 48
VIRTUAL_PAGES = 1 << (VIRTUAL_BITS - PAGE_SHIFT)

FaultHandler = Callable[[int, bool], None]
"""`handler(vaddr, write)`: called on a miss; map the page to make the retry succeed."""


class MappingError(MachineError, ValueError):
    """A bad `map`/`unmap`: a page number out of range, or a page (not) already mapped."""


@dataclass(frozen=True)
class Mapping:
    """One page-table entry."""

    ppage: int
    writable: bool


class Mmu:
    """Page table for one address space over `memory`.

    `on_fault(vaddr, write, reason)` is the node's hook for tracing and charging a fault."""

    def __init__(self, memory: PhysicalMemory, *, name: str = "mmu",
                 on_fault: Callable[[int, bool, str], None] | None = None) -> None:
        self.memory = memory
        self.name = name
        self.fault_handler: FaultHandler | None = None
        self.faults = 0
        self._on_fault = on_fault
        self._table: dict[int, Mapping] = {}

    # --- the page table ----------------------------------------------------------------

    def map(self, vpage: int, ppage: int, *, writable: bool = True) -> None:
        """Map virtual page `vpage` to physical page `ppage`."""
        self._check_vpage(vpage)
        if type(ppage) is not int or not 0 <= ppage < self.memory.pages:
            raise MappingError(f"{self.name}: physical page {ppage!r} does not exist; this node has"
                               f" pages 0..{self.memory.pages - 1}")
        existing = self._table.get(vpage)
        if existing is not None:
            raise MappingError(f"{self.name}: virtual page {vpage:#x} is already mapped to physical"
                               f" page {existing.ppage:#x}; unmap it first")
        self._table[vpage] = Mapping(ppage, bool(writable))

    def unmap(self, vpage: int) -> Mapping:
        """Remove the mapping of `vpage` and return it."""
        self._check_vpage(vpage)
        mapping = self._table.pop(vpage, None)
        if mapping is None:
            raise MappingError(f"{self.name}: virtual page {vpage:#x} is not mapped")
        return mapping

    def lookup(self, vpage: int) -> Mapping | None:
        """The mapping of `vpage`, or None; never faults."""
        return self._table.get(vpage)

    @property
    def mappings(self) -> dict[int, Mapping]:
        """A copy of the page table, by virtual page, in page order."""
        return dict(sorted(self._table.items()))

    def clear(self) -> None:
        """Drop every mapping and the fault handler (a power cycle)."""
        self._table.clear()
        self.fault_handler = None

    # --- translation -------------------------------------------------------------------

    def translate(self, vaddr: int, *, write: bool = False) -> int:
        """The physical address for `vaddr`; a miss goes to the fault handler, retried once."""
        if type(vaddr) is not int or not 0 <= vaddr < VIRTUAL_PAGES * PAGE_SIZE:
            raise PageFault(f"{self.name}: {vaddr!r} is not a virtual address"
                            f" (0 .. 2**{VIRTUAL_BITS}-1)",
                            vaddr=vaddr if type(vaddr) is int else -1, write=write)
        vpage, offset = vaddr >> PAGE_SHIFT, vaddr & (PAGE_SIZE - 1)
        reason = self._miss(vpage, write)
        if reason is None:
            return (self._table[vpage].ppage << PAGE_SHIFT) | offset
        self.faults += 1
        if self._on_fault is not None:
            self._on_fault(vaddr, write, reason)
        what = f"{self.name}: page fault at {vaddr:#x} ({_access(write)}, {reason})"
        if self.fault_handler is None:
            raise PageFault(f"{what} and no fault handler is registered; set mmu.fault_handler"
                            " or map the page", vaddr=vaddr, write=write)
        self.fault_handler(vaddr, write)
        reason = self._miss(vpage, write)
        if reason is not None:
            raise PageFault(f"{what} not resolved: the fault handler returned without mapping"
                            " the page", vaddr=vaddr, write=write)
        return (self._table[vpage].ppage << PAGE_SHIFT) | offset

    def read(self, vaddr: int, nbytes: int) -> bytes:
        """Read `nbytes` at virtual address `vaddr`, page by page (each page may fault)."""
        return b"".join(self.memory.read(self.translate(addr), size)
                        for addr, size in _page_runs(vaddr, nbytes))

    def write(self, vaddr: int, data: bytes | bytearray | memoryview) -> None:
        """Write `data` at virtual address `vaddr`, page by page (each page may fault)."""
        view = memoryview(data).cast("B")
        done = 0
        for addr, size in _page_runs(vaddr, len(view)):
            self.memory.write(self.translate(addr, write=True), view[done:done + size])
            done += size

    def _miss(self, vpage: int, write: bool) -> str | None:
        mapping = self._table.get(vpage)
        if mapping is None:
            return "not-mapped"
        if write and not mapping.writable:
            return "read-only"
        return None

    def _check_vpage(self, vpage: int) -> None:
        if type(vpage) is not int or not 0 <= vpage < VIRTUAL_PAGES:
            raise MappingError(f"{self.name}: virtual page {vpage!r} is out of range; use"
                               f" 0..{VIRTUAL_PAGES - 1:#x} ({VIRTUAL_BITS}-bit addresses)")

    def __repr__(self) -> str:
        return f"<Mmu {self.name} {len(self._table)} mappings, {self.faults} faults>"


def _access(write: bool) -> str:
    return "write" if write else "read"


def _page_runs(vaddr: int, nbytes: int):
    """Split [vaddr, vaddr + nbytes) into (address, size) runs within single pages."""
    if not isinstance(nbytes, int) or nbytes < 0:
        raise ValueError(f"cannot access {nbytes!r} bytes; use a count >= 0")
    end = vaddr + nbytes
    while vaddr < end:
        size = min(PAGE_SIZE - (vaddr & (PAGE_SIZE - 1)), end - vaddr)
        yield vaddr, size
        vaddr += size
