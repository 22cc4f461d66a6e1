"""Physical memory: byte-addressable pages, zero-filled, bounds-checked, charged to the core."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ebbrt.machine import (PAGE_SIZE, CostModel, MemoryBoundsError, Node, PhysicalMemory,
                           Simulator)


def test_round_trip_and_zero_fill() -> None:
    mem = PhysicalMemory(pages=4)
    assert mem.size == 4 * PAGE_SIZE == 16384
    assert mem.read(100, 4) == bytes(4) and mem.resident_pages == 0
    mem.write(100, b"abcd")
    assert mem.read(100, 4) == b"abcd" and mem.read(99, 6) == b"\0abcd\0"
    assert mem.resident_pages == 1
    mem.write(0, bytearray(b"xy"))
    mem.write(2, memoryview(b"z"))
    assert mem.read(0, 3) == b"xyz"
    assert mem.read(5, 0) == b""


def test_accesses_cross_page_boundaries() -> None:
    mem = PhysicalMemory(pages=4)
    data = bytes(range(256)) * 20          # 5120 bytes: spans three pages from 0x0ffe
    mem.write(0x0FFE, data)
    assert mem.read(0x0FFE, len(data)) == data
    assert mem.read(PAGE_SIZE, 2) == data[2:4]
    assert mem.resident_pages == 3


def test_last_byte_is_reachable() -> None:
    mem = PhysicalMemory(pages=1)
    mem.write(PAGE_SIZE - 1, b"!")
    assert mem.read(PAGE_SIZE - 1, 1) == b"!"


@pytest.mark.parametrize("paddr, nbytes", [(-1, 1), (16384, 1), (16383, 2), (0, 16385)])
def test_out_of_bounds_reads_and_writes_fail_clearly(paddr: int, nbytes: int) -> None:
    mem = PhysicalMemory(pages=4, name="node0.mem")
    with pytest.raises(MemoryBoundsError) as read_error:
        mem.read(paddr, nbytes)
    message = str(read_error.value)
    assert (f"read of {nbytes} byte(s) at {paddr:#x} is outside physical memory 0x0..0x3fff"
            in message)
    assert message.startswith("node0.mem:") and "4 pages of 4096 bytes" in message
    with pytest.raises(IndexError, match="write of"):
        mem.write(paddr, bytes(nbytes))
    assert mem.resident_pages == 0


def test_bad_arguments() -> None:
    mem = PhysicalMemory(pages=1)
    with pytest.raises(ValueError, match="cannot read -1 bytes"):
        mem.read(0, -1)
    with pytest.raises(TypeError, match="physical address must be an int"):
        mem.read("0", 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one page"):
        PhysicalMemory(pages=0)


def test_clear_zeroes_everything() -> None:
    mem = PhysicalMemory(pages=2)
    mem.write(10, b"data")
    mem.clear()
    assert mem.read(10, 4) == bytes(4) and mem.resident_pages == 0


def test_accesses_inside_an_item_are_charged_to_its_core() -> None:
    sim = Simulator()
    cost = CostModel(event_dispatch_ns=0, memory_access_ns=10, memory_byte_ps=500)
    node = Node(sim, 0, cores=2, memory_pages=4, cost=cost)
    node.cores[1].post(lambda: (node.memory.write(0, bytes(100)), node.memory.read(0, 3)))
    node.memory.write(0, bytes(1000))     # outside any item: free
    sim.run()
    assert node.cores[1].busy_until == (10 + 50) + (10 + 2)
    assert node.cores[0].busy_until == 0


@given(st.lists(st.tuples(st.integers(0, 4 * PAGE_SIZE - 1), st.binary(max_size=600)),
                max_size=20))
def test_memory_matches_a_flat_bytearray(writes) -> None:
    mem = PhysicalMemory(pages=4)
    model = bytearray(4 * PAGE_SIZE)
    for paddr, data in writes:
        if paddr + len(data) > len(model):
            with pytest.raises(MemoryBoundsError):
                mem.write(paddr, data)
            continue
        mem.write(paddr, data)
        model[paddr:paddr + len(data)] = data
    assert mem.read(0, len(model)) == bytes(model)
