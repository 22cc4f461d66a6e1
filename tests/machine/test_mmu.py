"""The MMU: mappings, translation, faults to the client handler, retry, unhandled faults."""

from __future__ import annotations

import pytest

from ebbrt.machine import (PAGE_SIZE, CostModel, Mapping, MappingError, Mmu, Node, PageFault,
                           PhysicalMemory, Simulator, Trace)


def make_mmu(pages: int = 8) -> Mmu:
    return Mmu(PhysicalMemory(pages), name="node0.mmu")


def test_translate_keeps_the_offset() -> None:
    mmu = make_mmu()
    mmu.map(0x10, 3)
    assert mmu.translate(0x10 * PAGE_SIZE + 0x123) == 3 * PAGE_SIZE + 0x123
    assert mmu.translate(0x10FFF, write=True) == 0x3FFF
    assert mmu.lookup(0x10) == Mapping(3, True) and mmu.lookup(0x11) is None
    assert mmu.faults == 0


def test_unmap_then_access_faults() -> None:
    mmu = make_mmu()
    mmu.map(2, 5, writable=False)
    assert mmu.unmap(2) == Mapping(5, False)
    with pytest.raises(PageFault, match=r"page fault at 0x2000 \(read, not-mapped\)"):
        mmu.translate(0x2000)
    with pytest.raises(MappingError, match="virtual page 0x2 is not mapped"):
        mmu.unmap(2)


def test_fault_handler_gets_the_faulting_address_and_the_access_is_retried() -> None:
    mmu = make_mmu()
    calls: list = []

    def handler(vaddr: int, write: bool) -> None:
        calls.append((vaddr, write))
        mmu.map(vaddr // PAGE_SIZE, 7)

    mmu.fault_handler = handler
    assert mmu.translate(0x5123, write=True) == 0x7123
    assert calls == [(0x5123, True)] and mmu.faults == 1
    assert mmu.translate(0x5FFF) == 0x7FFF and mmu.faults == 1   # mapped now: no fault


def test_write_to_a_read_only_page_faults_and_can_be_upgraded() -> None:
    mmu = make_mmu()
    mmu.map(1, 1, writable=False)
    assert mmu.translate(0x1010) == 0x1010
    with pytest.raises(PageFault) as caught:
        mmu.translate(0x1010, write=True)
    assert "(write, read-only)" in str(caught.value)
    assert caught.value.vaddr == 0x1010 and caught.value.write

    def copy_on_write(vaddr: int, write: bool) -> None:
        mmu.unmap(vaddr // PAGE_SIZE)
        mmu.map(vaddr // PAGE_SIZE, 6, writable=True)

    mmu.fault_handler = copy_on_write
    assert mmu.translate(0x1010, write=True) == 0x6010


def test_a_handler_that_does_not_map_gives_an_unhandled_fault() -> None:
    mmu = make_mmu()
    calls: list = []
    mmu.fault_handler = lambda vaddr, write: calls.append(vaddr)
    with pytest.raises(PageFault) as caught:
        mmu.translate(0xABC000)
    assert calls == [0xABC000]   # called once: the access is retried once, not looped
    assert "page fault at 0xabc000 (read, not-mapped) not resolved" in str(caught.value)
    assert isinstance(caught.value, LookupError)


def test_no_handler_fault_names_the_address_and_the_fix() -> None:
    with pytest.raises(PageFault, match="0x3000.*no fault handler is registered; set"):
        make_mmu().translate(0x3000)


@pytest.mark.parametrize("vaddr", [-1, 1 << 48, "0x10"])
def test_addresses_outside_the_virtual_space(vaddr) -> None:
    with pytest.raises(PageFault, match="is not a virtual address"):
        make_mmu().translate(vaddr)


def test_map_errors() -> None:
    mmu = make_mmu(pages=4)
    mmu.map(9, 2)
    with pytest.raises(MappingError, match="page 0x9 is already mapped to physical page 0x2"):
        mmu.map(9, 3)
    with pytest.raises(MappingError, match="physical page 4 does not exist; this node has"
                                           " pages 0..3"):
        mmu.map(10, 4)
    with pytest.raises(ValueError, match="virtual page -1 is out of range"):
        mmu.map(-1, 0)
    assert list(mmu.mappings) == [9]


def test_virtual_read_and_write_span_pages_and_fault_per_page() -> None:
    mmu = make_mmu()
    faulted: list = []
    free = iter([4, 2, 6])

    def handler(vaddr: int, write: bool) -> None:
        faulted.append(vaddr)
        mmu.map(vaddr // PAGE_SIZE, next(free))

    mmu.fault_handler = handler
    data = bytes(range(200)) * 30   # 6000 bytes from 0x10f00: pages 0x10, 0x11, 0x12
    mmu.write(0x10F00, data)
    assert faulted == [0x10F00, 0x11000, 0x12000]
    assert mmu.read(0x10F00, len(data)) == data
    assert mmu.memory.read(4 * PAGE_SIZE + 0xF00, 0x100) == data[:0x100]
    assert mmu.memory.read(2 * PAGE_SIZE, 10) == data[0x100:0x10A]


def test_faults_on_a_node_are_traced_and_charged() -> None:
    sim = Simulator(instrument=Trace())
    node = Node(sim, 2, memory_pages=8,
                cost=CostModel(event_dispatch_ns=0, page_fault_ns=700, memory_access_ns=0,
                               memory_byte_ps=0))
    node.mmu.fault_handler = lambda vaddr, write: node.mmu.map(vaddr >> 12, 1)
    node.cores[0].post(lambda: node.mmu.write(0x4000, b"hi"))
    sim.run()
    assert node.cores[0].busy_until == 700
    expected = "0 node2.core0 page.fault vaddr=0x4000 access=write reason=not-mapped"
    assert expected in sim.instrument.lines
    assert node.memory.read(PAGE_SIZE, 2) == b"hi"
