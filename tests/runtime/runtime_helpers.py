"""Helpers for the runtime tests: a small runtime, and where and when an event runs."""

from __future__ import annotations

from ebbrt.machine import CostModel, Simulator, Trace
from ebbrt.runtime import CLOCK, Runtime, current_core

FREE = CostModel(event_dispatch_ns=0, interrupt_entry_ns=0, ipi_latency_ns=0,
                 timer_program_ns=0)


def make_runtime(nodes: int = 1, cores: int = 2, *, seed: int = 0, cost: CostModel | None = None,
                 trace: bool = False) -> Runtime:
    sim = Simulator(seed=seed, instrument=Trace() if trace else None)
    return Runtime(sim, nodes=nodes, cores=cores, cost=cost)


def where() -> tuple[str, int]:
    """(core name, its local time) of the running event."""
    return current_core().name, CLOCK.now()
