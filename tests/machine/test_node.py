"""A node's cores: one item at a time, costs push later items, interrupts first; crash/restart."""

from __future__ import annotations

import pytest

from ebbrt.machine import (CostModel, MachineError, Node, NodeDown, SchedulingError, Simulator,
                           Trace)

COST = CostModel(event_dispatch_ns=10, interrupt_entry_ns=30, ipi_latency_ns=500,
                 timer_program_ns=0, memory_access_ns=0, memory_byte_ps=1000, page_fault_ns=100)


def make(cores: int = 2, **kw) -> tuple[Simulator, Node]:
    sim = Simulator(instrument=Trace())
    return sim, Node(sim, 0, cores=cores, cost=kw.pop("cost", COST), **kw)


def test_a_core_runs_one_item_at_a_time_and_costs_push_later_items() -> None:
    sim, node = make()
    core = node.cores[0]
    starts: list = []
    core.post(lambda: starts.append(("a", sim.now, core.now)), cost_ns=200)
    core.post(lambda: starts.append(("b", sim.now, core.now)), cost_ns=50)
    core.post(lambda: starts.append(("c", sim.now, core.now)))
    assert core.queued == 3 and not core.idle
    sim.run()
    # each item starts when the previous one's dispatch + declared cost is over
    assert starts == [("a", 0, 10), ("b", 210, 220), ("c", 270, 280)]
    assert core.busy_until == 280 and core.busy_ns == 280 and core.items_run == 3
    assert core.idle


def test_cores_run_in_parallel() -> None:
    sim, node = make()
    starts: list = []
    for core in node.cores:
        core.post(lambda c=core: starts.append((c.index, sim.now)), cost_ns=1_000)
        core.post(lambda c=core: starts.append((c.index, sim.now)))
    sim.run()
    assert sorted(starts) == [(0, 0), (0, 1_010), (1, 0), (1, 1_010)]


def test_work_posted_from_a_running_item_waits_for_it() -> None:
    sim, node = make()
    core = node.cores[0]
    log: list = []

    def first() -> None:
        core.post(lambda: log.append(("second", sim.now)))
        assert core.running and core.queued == 1
        log.append(("first", sim.now))

    core.post(first, cost_ns=90)
    sim.run()
    assert log == [("first", 0), ("second", 100)]


def test_charge_advances_the_local_clock_and_busy_until() -> None:
    sim, node = make()
    core = node.cores[0]
    seen: list = []

    def work() -> None:
        seen.append(core.now)
        core.charge(40)
        node.charge(60)   # the node charges whichever core is running
        seen.append(core.now)

    core.post(work, cost_ns=5)
    core.charge(1_000)   # outside an item: free
    node.charge(1_000)
    sim.run()
    assert seen == [10, 110] and core.busy_until == 115 and sim.now == 0


def test_interrupts_wait_for_the_running_item_and_go_before_queued_work() -> None:
    sim, node = make()
    core = node.cores[0]
    log: list = []
    node.interrupts.register(0, 50, lambda vector: log.append(("irq", vector, sim.now)))
    core.post(lambda: (core.post(lambda: log.append(("work", sim.now))),
                       node.interrupts.raise_irq(0, 50)), cost_ns=100)
    sim.run()
    assert log == [("irq", 50, 110), ("work", 140)]
    assert node.interrupts.delivered == 1


def test_an_error_in_an_item_propagates_and_the_core_keeps_going() -> None:
    sim, node = make()
    core = node.cores[0]
    log: list = []

    def fail() -> None:
        raise RuntimeError("work failed")

    core.post(fail, cost_ns=5)
    core.post(lambda: log.append(sim.now))
    with pytest.raises(RuntimeError, match="work failed"):
        sim.run()
    assert not core.running and node.current_core is None
    sim.run()
    assert log == [15]


@pytest.mark.parametrize("cost", [-1, 1.5, True])
def test_post_rejects_a_bad_cost(cost) -> None:
    _, node = make()
    with pytest.raises(SchedulingError, match="cost_ns must be an int >= 0"):
        node.cores[0].post(lambda: None, cost_ns=cost)


def test_node_validation_and_core_lookup() -> None:
    sim = Simulator()
    with pytest.raises(ValueError, match="at least one core"):
        Node(sim, 0, cores=0)
    with pytest.raises(ValueError, match="node_id"):
        Node(sim, -1)
    node = Node(sim, 3, cores=2)
    assert node.core(1) is node.cores[1] and node.cores[1].name == "node3.core1"
    with pytest.raises(MachineError, match="no core 2; this node has cores 0..1"):
        node.core(2)
    assert "node3" in repr(node) and "node3.core0" in repr(node.cores[0])


def test_cost_model_validation_and_memory_cost() -> None:
    with pytest.raises(ValueError, match="CostModel.ipi_latency_ns must be an int >= 0, got -5"):
        CostModel(ipi_latency_ns=-5)
    cost = CostModel(memory_access_ns=10, memory_byte_ps=250)
    assert cost.memory_access(0) == 10
    assert cost.memory_access(4096) == 10 + 1024
    assert cost.memory_access(1) == 11   # rounded up


# --- crash and restart -----------------------------------------------------------------------


class FakeNic:
    def __init__(self) -> None:
        self.on_receive = None
        self.up = True

    def crash(self) -> None:
        self.up = False

    def restart(self) -> None:
        self.up = True


def test_crash_drops_work_interrupts_timers_and_ipis() -> None:
    sim, node = make()
    log: list = []
    node.interrupts.register(1, 60, lambda v: log.append("ipi"))
    node.interrupts.register(0, 32, lambda v: log.append("timer"))
    node.cores[0].post(lambda: node.send_ipi(0, 1, 60))
    node.cores[0].post(lambda: log.append("queued"), cost_ns=10)
    node.cores[1].post(lambda: log.append("other"), cost_ns=10)
    node.cores[0].timer.arm(5_000)
    sim.run_until(100)   # the IPI is in flight, "queued" has run
    assert log == ["other", "queued"] or log == ["queued", "other"]
    node.cores[1].post(lambda: log.append("lost"), cost_ns=10)
    nic = FakeNic()
    node.attach_nic(nic)
    node.crash()
    node.crash()   # already down: nothing more happens
    assert not node.up and not nic.up and node.generation == 1
    assert not node.cores[0].timer.armed
    sim.run()
    assert "ipi" not in log and "timer" not in log and "lost" not in log
    assert node.interrupts.ipis_lost == 1
    with pytest.raises(NodeDown, match="node0.core0: cannot post 'late': node0 is crashed"):
        node.cores[0].post(lambda: None, label="late")
    assert "crash dropped=1" in sim.instrument.text()


def test_restart_comes_back_empty() -> None:
    sim, node = make(memory_pages=4)
    node.memory.write(0, b"state")
    node.mmu.map(1, 1)
    node.mmu.fault_handler = lambda vaddr, write: None
    node.interrupts.register(0, 40, lambda v: None)
    with pytest.raises(MachineError, match="crash it before restarting"):
        node.restart()
    node.crash()
    sim.run_for(1_000)
    node.restart()
    assert node.up and node.memory.read(0, 5) == bytes(5)
    assert node.mmu.mappings == {} and node.mmu.fault_handler is None
    assert node.interrupts.handler(0, 40) is None
    log: list = []
    node.cores[0].post(lambda: log.append(sim.now))
    sim.run()
    assert log == [1_000]


def test_crash_from_inside_an_item_stops_the_rest() -> None:
    sim, node = make()
    log: list = []
    node.cores[0].post(node.crash)
    node.cores[0].post(lambda: log.append("never"))
    sim.run()
    assert log == [] and not node.up


def test_attached_nic_raises_its_vector_on_its_core() -> None:
    sim, node = make()
    log: list = []
    nic = FakeNic()
    node.attach_nic(nic, core=1, vector=70)
    node.interrupts.register(1, 70, lambda v: log.append((node.current_core.index, v)))
    nic.on_receive()
    sim.run()
    assert log == [(1, 70)] and node.nics == [nic]
    with pytest.raises(MachineError, match="no core 5"):
        node.attach_nic(FakeNic(), core=5)
