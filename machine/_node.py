"""A node: cores (each with a timer), an interrupt controller, physical memory, an MMU, NICs.

    sim = Simulator(seed=1, instrument=Trace())
    node = Node(sim, 0, cores=2, memory_pages=64)
    node.interrupts.register(1, 40, lambda vector: print("IPI on core 1 at", sim.now))
    node.cores[0].post(lambda: node.send_ipi(0, 1, 40), cost_ns=500)
    sim.run()

Everything notable (work run, interrupts, IPIs, timer arms and fires, page faults, crashes) is
recorded through the simulator's instrument with this node's name as the source prefix.
A crash drops queued work, pending interrupts, IPIs in flight and timer programming, and
crashes attached NICs; a restart brings the node back empty, like a reboot: memory zeroed, no
mappings, no interrupt handlers, no fault handler.
"""

from __future__ import annotations

from typing import Protocol

from ._cost import CostModel
from ._cpu import Core
from ._errors import MachineError
from ._interrupts import NIC_VECTOR, InterruptController
from ._memory import PhysicalMemory
from ._mmu import Mmu
from ._sim import Simulator

__all__ = ["Node"]


class _NicLike(Protocol):
    """What a node needs of a NIC (machine/_nic.py's `Nic` has it)."""

    on_receive: object

    def crash(self) -> None: ...
    def restart(self) -> None: ...


class Node:
    """Node `node_id` of the simulation, named `node<id>` in the trace."""

    def __init__(self, sim: Simulator, node_id: int, *, cores: int = 1, memory_pages: int = 1024,
                 cost: CostModel | None = None) -> None:
        if type(node_id) is not int or node_id < 0:
            raise ValueError(f"node_id must be an int >= 0, got {node_id!r}")
        if type(cores) is not int or cores < 1:
            raise ValueError(f"node{node_id}: needs at least one core, got cores={cores!r}")
        self.sim = sim
        self.id = node_id
        self.name = f"node{node_id}"
        self.cost = cost if cost is not None else CostModel()
        self.up = True
        self.generation = 0   # bumped by each crash, so work from before it can tell
        self.current_core: Core | None = None   # the core whose item is running, if any
        self.cores: tuple[Core, ...] = tuple(Core(self, index) for index in range(cores))
        self.interrupts = InterruptController(self)
        self.memory = PhysicalMemory(memory_pages, name=f"{self.name}.mem",
                                     charge=self._charge_memory)
        self.mmu = Mmu(self.memory, name=f"{self.name}.mmu", on_fault=self._fault_taken)
        self.nics: list[_NicLike] = []

    # --- convenience over the devices --------------------------------------------------

    def core(self, index: int) -> Core:
        if type(index) is not int or not 0 <= index < len(self.cores):
            raise MachineError(f"{self.name}: no core {index!r}; this node has cores"
                               f" 0..{len(self.cores) - 1}")
        return self.cores[index]

    def send_ipi(self, src_core: int, dst_core: int, vector: int) -> None:
        """Interrupt `dst_core` with `vector` after `cost.ipi_latency_ns`."""
        self.interrupts.send_ipi(src_core, dst_core, vector)

    def charge(self, ns: int) -> None:
        """Charge `ns` to the item running on this node now (free outside any item)."""
        if self.current_core is not None:
            self.current_core.charge(ns)

    def attach_nic(self, nic: _NicLike, *, core: int = 0, vector: int = NIC_VECTOR) -> None:
        """Wire `nic`'s receive interrupt to `vector` on `core`; crash and restart it with us."""
        self.interrupts._key(core, vector)  # validates both now, not at the first frame
        nic.on_receive = lambda: self.interrupts.raise_irq(core, vector)
        self.nics.append(nic)

    # --- crash and restart -------------------------------------------------------------

    def crash(self) -> None:
        """Stop: queued work, pending interrupts and IPIs in flight are lost; NICs crash."""
        if not self.up:
            return
        self.up = False
        self.generation += 1
        dropped = sum(core.queued for core in self.cores)
        for core in self.cores:
            core.reset()
        for nic in self.nics:
            nic.crash()
        self.sim.record(self.name, "crash", f"dropped={dropped}")

    def restart(self) -> None:
        """Come back empty, like a reboot; the software must register its handlers again."""
        if self.up:
            raise MachineError(f"{self.name} is running; crash it before restarting it")
        for core in self.cores:
            core.reset()
        self.interrupts.clear()
        self.memory.clear()
        self.mmu.clear()
        self.up = True
        for nic in self.nics:
            nic.restart()
        self.sim.record(self.name, "restart", f"generation={self.generation}")

    # --- hooks for the devices -------------------------------------------------------------

    def _charge_memory(self, nbytes: int) -> None:
        if self.current_core is not None:
            self.current_core.charge(self.cost.memory_access(nbytes))

    def _fault_taken(self, vaddr: int, write: bool, reason: str) -> None:
        self.charge(self.cost.page_fault_ns)
        source = self.current_core.name if self.current_core is not None else self.mmu.name
        self.sim.record(source, "page.fault",
                        f"vaddr={vaddr:#x} access={'write' if write else 'read'} reason={reason}")

    def __repr__(self) -> str:
        state = "up" if self.up else "crashed"
        return f"<Node {self.name} {len(self.cores)} cores {self.memory.pages} pages {state}>"
