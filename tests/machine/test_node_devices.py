"""The per-core timer device, the interrupt controller and inter-processor interrupts."""

from __future__ import annotations

import pytest

from ebbrt.machine import (TIMER_VECTOR, CostModel, InterruptError, Node, SchedulingError,
                           Simulator, Trace)

COST = CostModel(event_dispatch_ns=10, interrupt_entry_ns=30, ipi_latency_ns=500,
                 timer_program_ns=0)


def make(cores: int = 2, cost: CostModel = COST) -> tuple[Simulator, Node]:
    sim = Simulator(instrument=Trace())
    return sim, Node(sim, 0, cores=cores, cost=cost)


def on_timer(sim: Simulator, node: Node, core: int, log: list) -> None:
    node.interrupts.register(core, TIMER_VECTOR,
                             lambda vector: log.append((sim.now, node.current_core.index, vector)))


# --- the timer device --------------------------------------------------------------------


def test_one_shot_timer_fires_once_on_its_core() -> None:
    sim, node = make()
    log: list = []
    on_timer(sim, node, 1, log)
    timer = node.cores[1].timer
    timer.arm(1_000)
    assert timer.armed and timer.deadline == 1_000 and timer.period == 0
    sim.run()
    assert log == [(1_000, 1, TIMER_VECTOR)]
    assert not timer.armed and timer.deadline is None and timer.fired == 1


def test_periodic_timer_repeats_without_drift() -> None:
    sim, node = make()
    log: list = []
    on_timer(sim, node, 0, log)
    node.cores[0].timer.arm(100, period_ns=250)
    sim.run_until(1_000)
    assert [t for t, _, _ in log] == [100, 350, 600, 850]
    assert node.cores[0].timer.deadline == 1_100


def test_a_busy_core_takes_the_timer_interrupt_late_but_the_period_holds() -> None:
    sim, node = make()
    log: list = []
    on_timer(sim, node, 0, log)
    node.cores[0].post(lambda: None, cost_ns=390)   # busy until 400
    node.cores[0].timer.arm(100, period_ns=250)
    sim.run_until(700)
    # fired at 100 and 350 while the core was busy: the two raises coalesce into one
    assert [t for t, _, _ in log] == [400, 600]
    assert "350 node0.core0 irq.coalesced vector=32" in sim.instrument.text()


def test_cancel_inside_the_handler_stops_a_periodic_timer() -> None:
    sim, node = make()
    log: list = []
    timer = node.cores[0].timer

    def handler(vector: int) -> None:
        log.append(sim.now)
        assert timer.armed   # re-armed before the interrupt was raised
        if len(log) == 2:
            assert timer.cancel()

    node.interrupts.register(0, TIMER_VECTOR, handler)
    timer.arm(50, period_ns=50)
    sim.run()
    assert log == [50, 100] and not timer.armed and not timer.cancel()


def test_arming_again_replaces_the_deadline() -> None:
    sim, node = make()
    log: list = []
    on_timer(sim, node, 0, log)
    timer = node.cores[0].timer
    timer.arm(100, period_ns=10)
    timer.arm(300)
    sim.run()
    assert [t for t, _, _ in log] == [300]


def test_zero_timeout_fires_as_a_new_event_not_inline() -> None:
    sim, node = make()
    log: list = []
    on_timer(sim, node, 0, log)
    core = node.cores[0]

    def work() -> None:
        core.timer.arm(0)
        log.append("after-arm")

    core.post(work, cost_ns=20)
    sim.run()
    # armed at the core's local time 10 (after dispatch); taken when the item is done (30)
    assert log == ["after-arm", (30, 0, TIMER_VECTOR)]


def test_timer_deadline_counts_from_the_core_local_time_and_is_charged() -> None:
    sim, node = make(cost=CostModel(event_dispatch_ns=10, timer_program_ns=7))
    core = node.cores[0]
    core.post(lambda: core.timer.arm(100))
    sim.run_until(1)
    assert core.timer.deadline == 117 and core.busy_until == 17


@pytest.mark.parametrize("kwargs", [{"delay_ns": -1}, {"delay_ns": 5, "period_ns": -2},
                                    {"delay_ns": 0.5}])
def test_timer_rejects_bad_times(kwargs) -> None:
    _, node = make()
    with pytest.raises(SchedulingError, match="node0.core0 timer"):
        node.cores[0].timer.arm(**kwargs)


# --- interrupts and IPIs ---------------------------------------------------------------------


def test_ipi_arrives_after_the_latency_on_the_target_core_and_vector() -> None:
    sim, node = make(cores=3)
    log: list = []
    for core in (1, 2):
        for vector in (40, 41):
            node.interrupts.register(core, vector, lambda v, c=core: log.append(
                (sim.now, c, v, node.current_core.index)))
    node.cores[0].post(lambda: node.send_ipi(0, 2, 41))
    sim.run()
    # sent at core 0's local time 10 (after dispatch), raised 500 later, taken at once
    assert log == [(510, 2, 41, 2)]
    assert node.interrupts.ipis_sent == 1 and node.interrupts.delivered == 1


def test_self_ipi_and_ipi_from_outside_any_item() -> None:
    sim, node = make()
    log: list = []
    node.interrupts.register(0, 40, lambda v: log.append(sim.now))
    node.send_ipi(0, 0, 40)
    sim.run()
    assert log == [500]


def test_unregistered_vector_is_spurious_and_ignored() -> None:
    sim, node = make()
    node.interrupts.raise_irq(1, 99)
    sim.run()
    assert node.interrupts.spurious == 1 and node.interrupts.delivered == 0
    assert "node0.core1 irq.spurious vector=99" in sim.instrument.text()
    assert node.cores[1].busy_until == 30   # the entry was still paid


def test_register_unregister_and_errors() -> None:
    sim, node = make()
    handler = lambda v: None  # noqa: E731
    node.interrupts.register(0, 40, handler)
    assert node.interrupts.handler(0, 40) is handler
    with pytest.raises(InterruptError, match="vector 40 on core 0 already has a handler"):
        node.interrupts.register(0, 40, handler)
    assert node.interrupts.vector_table(0) == {40: handler}
    assert node.interrupts.vector_table(1) == {}          # one table per core
    node.interrupts.unregister(0, 40)
    assert node.interrupts.vector_table(0) == {}          # the core's live table
    with pytest.raises(InterruptError, match="has no handler"):
        node.interrupts.unregister(0, 40)
    with pytest.raises(InterruptError, match="vector 256 is out of range; use 0..255"):
        node.interrupts.register(0, 256, handler)
    with pytest.raises(InterruptError, match="no core 2"):
        node.send_ipi(0, 2, 40)
    with pytest.raises(ValueError):
        node.send_ipi(-1, 0, 40)


def test_every_device_happening_is_traced() -> None:
    sim, node = make()
    node.interrupts.register(1, 40, lambda v: None)
    node.interrupts.register(0, TIMER_VECTOR, lambda v: None)
    node.cores[0].timer.arm(50)
    node.cores[0].post(lambda: node.send_ipi(0, 1, 40), label="send")
    sim.run()
    kinds = [line.split()[2] for line in sim.instrument.lines if " sim " not in line]
    assert kinds == ["timer.arm", "run", "ipi.send", "timer.fire", "irq", "irq"]
