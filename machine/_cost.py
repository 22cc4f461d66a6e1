"""The deterministic cost model: what each kind of work costs in simulated nanoseconds.

Costs never come from the host. A core adds them to its local clock while an event runs, so
the next event on that core starts later; the totals are the cost counters that complexity
checks measure.

    cost = CostModel(ipi_latency_ns=500)           # everything else at its default
    cost.memory_access(4096)                       # ns to touch a 4 KiB page: 10 + 1024
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["CostModel"]


@dataclass(frozen=True)
class CostModel:
    """Per-kind costs. All are non-negative ints; `_ns` fields are nanoseconds."""

    event_dispatch_ns: int = 100
    "taking one item off a core's run queue and calling it"
    interrupt_entry_ns: int = 300
    "entering an interrupt handler (before the handler's own work)"
    ipi_latency_ns: int = 1_000
    "from `send_ipi` on the source core until the interrupt is raised on the target core"
    timer_program_ns: int = 50
    "programming (arming or cancelling) a core's timer device"
    memory_access_ns: int = 10
    "fixed part of one physical memory read or write"
    memory_byte_ps: int = 250
    "per byte of a memory access, in picoseconds (250 ps: 4 bytes per ns)"
    page_fault_ns: int = 2_000
    "taking a page fault (before the fault handler's own work)"

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if type(value) is not int or value < 0:
                raise ValueError(f"CostModel.{field.name} must be an int >= 0, got {value!r}")

    def memory_access(self, nbytes: int) -> int:
        """ns for one access of `nbytes` bytes (the per-byte part rounded up)."""
        return self.memory_access_ns + -(-nbytes * self.memory_byte_ps // 1000)
