"""Same seed, same trace, byte for byte; another seed, another trace.

The scenario uses every device: several nodes with several cores, periodic and one-shot
timers, IPIs, messages between nodes with random delays, random work costs, page faults, and a
crash and restart; all randomness comes from the simulator's named streams.
"""

from __future__ import annotations

import os
import subprocess
import sys

from ebbrt.machine import PAGE_SIZE, TIMER_VECTOR, Node, Simulator, Trace

IPI_VECTOR = 48
NODES, CORES = 3, 3


def scenario(seed: int, until: int = 400_000) -> Trace:
    trace = Trace()
    sim = Simulator(seed=seed, instrument=trace)
    nodes = [Node(sim, n, cores=CORES, memory_pages=64) for n in range(NODES)]
    work_rng, route_rng, wire_rng = sim.rng("work"), sim.rng("route"), sim.rng("wire")

    def deliver(dst: Node, core: int, hops: int) -> None:
        """A message arrives at node `dst`: handle it on `core` and maybe pass it on."""
        if dst.up:
            dst.cores[core].post(lambda: handle(dst, core, hops),
                                 cost_ns=work_rng.randrange(50, 5_000), label=f"msg hops={hops}")

    def handle(node: Node, core: int, hops: int) -> None:
        vaddr = route_rng.randrange(16) * PAGE_SIZE + route_rng.randrange(PAGE_SIZE - 8)
        node.mmu.write(vaddr, hops.to_bytes(8, "little"))
        node.send_ipi(core, route_rng.randrange(CORES), IPI_VECTOR)
        if hops < 40:
            dst = nodes[route_rng.randrange(NODES)]
            sim.schedule(wire_rng.randrange(1_000, 20_000),
                         lambda: deliver(dst, route_rng.randrange(CORES), hops + 1),
                         label=f"wire to {dst.name}")

    def boot(node: Node) -> None:
        free_pages = iter(range(1, node.memory.pages))
        node.mmu.fault_handler = lambda vaddr, write: node.mmu.map(vaddr // PAGE_SIZE,
                                                                    next(free_pages))
        for core in node.cores:
            node.interrupts.register(core.index, IPI_VECTOR,
                                     lambda v, c=core: c.charge(work_rng.randrange(10, 500)))
            node.interrupts.register(core.index, TIMER_VECTOR,
                                     lambda v, c=core: c.post(lambda: None, cost_ns=300))
            core.timer.arm(work_rng.randrange(1, 10_000),
                           period_ns=work_rng.choice([0, 7_000, 13_000]))

    for node in nodes:
        boot(node)
    for n in range(NODES):
        sim.schedule(n * 100, lambda n=n: deliver(nodes[n], 0, 0))
    sim.schedule(150_000, nodes[1].crash, label="crash node1")
    sim.schedule(220_000, lambda: (nodes[1].restart(), boot(nodes[1])), label="restart node1")
    sim.run_until(until)
    return trace


def test_same_seed_same_trace_byte_for_byte() -> None:
    first, second = scenario(seed=11), scenario(seed=11)
    assert first.count > 1_000
    assert first.text() == second.text()
    assert first.digest() == second.digest()
    kinds = {line.split()[2] for line in first.lines}
    assert {"event", "run", "irq", "ipi.send", "timer.fire", "page.fault", "crash",
            "restart"} <= kinds


def test_another_seed_gives_another_trace() -> None:
    assert scenario(seed=11).digest() != scenario(seed=12).digest()


def test_same_trace_in_another_process_with_other_hash_randomisation() -> None:
    """Nothing in the trace may depend on the host: not set order, not ids, not addresses."""
    here = os.path.dirname(__file__)
    code = ("import sys; sys.path.insert(0, sys.argv[1]);"
            " from test_determinism import scenario; print(scenario(seed=11).digest())")
    env = dict(os.environ, PYTHONHASHSEED="12345")
    # cwd: not the checkout, whose `ebbrt/` folder would shadow the installed package
    child = subprocess.run([sys.executable, "-c", code, here], env=env, capture_output=True,
                           text=True, check=True, timeout=120, cwd=here)
    assert child.stdout.strip() == scenario(seed=11).digest()


def test_taking_turns_changes_nothing(monkeypatch) -> None:
    """`Simulator.take_turn` (a core or device starting its next event without the heap) is
    only an optimisation: with it refused every time, the run is the same, line for line."""
    fast = scenario(seed=11)
    monkeypatch.setattr(Simulator, "take_turn", lambda self, time, label: False)
    slow = scenario(seed=11)
    assert fast.count == slow.count and fast.text() == slow.text()
