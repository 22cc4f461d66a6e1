"""The interrupt controller: a handler per (core, vector), device interrupts and IPIs.

A device (the timer, a NIC) or another core raises a vector on a core; the core takes it as
soon as the event it is running (if any) has finished, before any queued work, and calls the
handler registered for that vector on that core as `handler(vector)`. A vector with no
handler is counted and traced as spurious and otherwise ignored, as hardware does. A vector
raised again while it is still pending on that core coalesces with it (one call).

An inter-processor interrupt leaves the source core at that core's local time and is raised on
the target core `CostModel.ipi_latency_ns` later (self-IPIs included).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ._errors import MachineError

if TYPE_CHECKING:
    from ._node import Node

__all__ = ["InterruptController", "InterruptError", "InterruptHandler", "NIC_VECTOR",
           "TIMER_VECTOR", "VECTORS"]

VECTORS = 256
TIMER_VECTOR = 32
"""The vector each core's timer device raises unless told otherwise."""
NIC_VECTOR = 33
"""The vector `Node.attach_nic` wires a NIC's receive interrupt to unless told otherwise."""

InterruptHandler = Callable[[int], None]


class InterruptError(MachineError, ValueError):
    """A bad vector or core number, or a vector registered twice on one core."""


class InterruptController:
    """One per node. Counts: `delivered`, `spurious`, `ipis_sent`, `ipis_lost` (to a crash)."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.delivered = 0
        self.spurious = 0
        self.ipis_sent = 0
        self.ipis_lost = 0
        # a vector table per core, vector -> handler (each core reads its own as it takes one)
        self._handlers: tuple[dict[int, InterruptHandler], ...] = tuple(
            {} for _ in node.cores)

    # --- handlers ----------------------------------------------------------------------

    def register(self, core: int, vector: int, handler: InterruptHandler) -> None:
        """Call `handler(vector)` when `vector` is taken on `core`."""
        self._key(core, vector)
        table = self._handlers[core]
        if vector in table:
            raise InterruptError(f"{self.node.name}: vector {vector} on core {core} already has a"
                                 " handler; unregister it first")
        table[vector] = handler

    def unregister(self, core: int, vector: int) -> None:
        self._key(core, vector)
        if self._handlers[core].pop(vector, None) is None:
            raise InterruptError(f"{self.node.name}: vector {vector} on core {core} has no handler")

    def handler(self, core: int, vector: int) -> InterruptHandler | None:
        self._key(core, vector)
        return self._handlers[core].get(vector)

    def vector_table(self, core: int) -> dict[int, InterruptHandler]:
        """Core `core`'s live vector table (vector -> handler), for the core to read as it
        takes an interrupt; change it only through `register` and `unregister`."""
        return self._handlers[core]

    def clear(self) -> None:
        """Forget every handler (a power cycle)."""
        for table in self._handlers:
            table.clear()

    # --- raising -----------------------------------------------------------------------

    def raise_irq(self, core: int, vector: int) -> None:
        """A device raises `vector` on `core`: the core takes it when it is next free."""
        self._key(core, vector)
        self.node.cores[core].interrupt(vector)

    def send_ipi(self, src_core: int, dst_core: int, vector: int) -> None:
        """An inter-processor interrupt from `src_core` to `dst_core` (may be the same core)."""
        self._key(dst_core, vector)
        self._key(src_core, vector)
        node = self.node
        source = node.cores[src_core]
        delay = source.now - node.sim.now + node.cost.ipi_latency_ns
        generation = node.generation
        self.ipis_sent += 1
        node.sim.record(source.name, "ipi.send", f"to=core{dst_core} vector={vector}")

        def arrive() -> None:
            if not node.up or node.generation != generation:
                self.ipis_lost += 1
                node.sim.record(node.name, "ipi.lost", f"from=core{src_core} to=core{dst_core}"
                                f" vector={vector} reason=crash")
                return
            node.cores[dst_core].interrupt(vector, last=True)   # this event's last act

        node.sim.post(delay, arrive, label=f"{node.name}.ipi")

    # --- taking (called by the core) ---------------------------------------------------------

    def take(self, core: int, vector: int) -> None:
        """Run the handler of `vector` on `core` (the core has already charged the entry)."""
        handler = self._handlers[core].get(vector)
        if handler is None:
            self.spurious += 1
            self.node.sim.record(self.node.cores[core].name, "irq.spurious", f"vector={vector}")
            return
        self.delivered += 1
        handler(vector)

    def _key(self, core: int, vector: int) -> tuple[int, int]:
        if type(vector) is not int or not 0 <= vector < VECTORS:
            raise InterruptError(f"{self.node.name}: interrupt vector {vector!r} is out of range;"
                                 f" use 0..{VECTORS - 1}")
        if type(core) is not int or not 0 <= core < len(self.node.cores):
            raise InterruptError(f"{self.node.name}: no core {core!r}; this node has cores"
                                 f" 0..{len(self.node.cores) - 1}")
        return core, vector
