"""The event manager: ordering, inline and forced-async spawns, blocking and resuming on the
core that blocked, remote spawn through one IPI, the idle callback, failures."""

from __future__ import annotations

import pytest
from runtime_helpers import FREE, make_runtime, where

from ebbrt.machine import CostModel
from ebbrt.runtime import (EVENT_MANAGER, SPAWN_VECTOR, InvalidArgument, NodeBoundary, Promise,
                           current_core, sleep, spawn_local, spawn_remote)
from ebbrt.runtime._cpu import CPU, OUTSIDE

COST = CostModel(event_dispatch_ns=100, interrupt_entry_ns=300, ipi_latency_ns=1_000)


def test_forced_async_events_run_after_the_spawner_in_spawn_order():
    rt = make_runtime(cost=COST)
    log = []

    def spawner():
        for name in "abc":
            spawn_local(lambda name=name: log.append((name, *where())), force_async=True)
        log.append(("spawner", *where()))
    rt.spawn(spawner)
    rt.run()
    assert log == [("spawner", "node0.core0", 100), ("a", "node0.core0", 200),
                   ("b", "node0.core0", 300), ("c", "node0.core0", 400)]


def test_an_inline_spawn_runs_inside_the_call():
    rt = make_runtime()
    log = []

    def spawner():
        log.append("before")
        spawn_local(lambda: log.append("inline"))
        log.append("after")
    rt.spawn(spawner)
    rt.run()
    assert log == ["before", "inline", "after"]
    assert rt.counters()["events"] == 2


def test_an_inline_coroutine_runs_until_it_blocks_then_the_spawner_goes_on():
    rt = make_runtime(cost=FREE)
    log = []
    promise = Promise()

    async def waiter():
        log.append("waiter starts")
        log.append(("waiter got", await promise.future, current_core().name))

    def spawner():
        spawn_local(waiter)
        log.append("spawner goes on")
        promise.set_value(5)
        log.append("spawner ends")
    rt.spawn(spawner)
    rt.run()
    assert log == ["waiter starts", "spawner goes on", "spawner ends",
                   ("waiter got", 5, "node0.core0")]


def test_a_blocked_event_lets_others_run_and_resumes_on_its_core():
    rt = make_runtime(cores=2, cost=COST)
    log = []
    promise = Promise()

    async def blocked():
        log.append(("blocks", *where()))
        value = await promise.future
        log.append(("resumed", value, *where()))

    def other():
        log.append(("other runs", *where()))
        promise.set_value("v")
    rt.spawn(blocked)
    rt.spawn(other)
    rt.run()
    assert log == [("blocks", "node0.core0", 100), ("other runs", "node0.core0", 200),
                   ("resumed", "v", "node0.core0", 300)]


def test_fulfilled_on_another_core_it_resumes_where_it_blocked_via_an_ipi():
    rt = make_runtime(cores=2, cost=COST, trace=True)
    log = []
    promise = Promise()

    async def blocked():
        log.append(("blocks", *where()))
        log.append(("resumed", await promise.future, *where()))
    rt.spawn(blocked, core=0)
    rt.spawn(lambda: (log.append(("fulfils", *where())), promise.set_value(1)), core=1)
    rt.run()
    # core 1 fulfils at 100; the IPI lands at 1100; interrupt entry 300; the resume 100 later
    assert log == [("blocks", "node0.core0", 100), ("fulfils", "node0.core1", 100),
                   ("resumed", 1, "node0.core0", 1500)]
    assert "0 node0.core1 ipi.send to=core0 vector=48" in rt.sim.instrument.lines
    assert rt.counters()["ipis"] == 1


def test_a_burst_of_remote_spawns_sends_one_ipi_and_keeps_the_order():
    rt = make_runtime(cores=2, cost=COST, trace=True)
    log = []

    def burst(tag):
        for i in range(3):
            spawn_remote(lambda i=i: log.append((tag, i, *where())), 1)
    rt.spawn(lambda: burst("first"), core=0)
    rt.run()
    rt.spawn(lambda: burst("second"), core=0)
    rt.run()
    assert [entry[:3] for entry in log] == [("first", i, "node0.core1") for i in range(3)] + \
                                           [("second", i, "node0.core1") for i in range(3)]
    assert [t for *_, t in log[:3]] == [1500, 1600, 1700]    # IPI at 1100, entry 300, then FIFO
    sends = [line for line in rt.sim.instrument.lines if "ipi.send" in line]
    assert len(sends) == 2 and all(f"vector={SPAWN_VECTOR}" in line for line in sends)
    counters = rt.counters()
    assert counters["remote_spawns"] == 6 and counters["ipis"] == 2


def test_spawn_remote_names_the_cores_there_are():
    rt = make_runtime(cores=2)
    errors = []

    def bad():
        with pytest.raises(InvalidArgument, match=r"no core 2 on node0.*0\.\.1") as info:
            spawn_remote(lambda: None, 2)
        errors.append(info.value)
    rt.spawn(bad)
    rt.run()
    assert len(errors) == 1


def test_the_idle_callback_runs_while_the_core_has_nothing_else():
    rt = make_runtime(cores=1, cost=COST)
    log = []

    def idle():
        log.append(("idle", *where()))
        if len(log) == 4:
            EVENT_MANAGER.set_idle_callback(None)

    def start():
        EVENT_MANAGER.set_idle_callback(idle)
        spawn_local(lambda: log.append(("work", *where())), force_async=True)
    rt.spawn(start)
    assert rt.run() == 5                     # start, work, then idle until it stops itself
    assert log == [("work", "node0.core0", 200), ("idle", "node0.core0", 300),
                   ("idle", "node0.core0", 400), ("idle", "node0.core0", 500)]


def test_an_unhandled_exception_stops_the_run_and_leaves_no_core_running():
    rt = make_runtime()

    async def broken():
        await sleep(1_000)
        raise KeyError("lost")
    rt.spawn(broken)
    with pytest.raises(KeyError, match="lost"):
        rt.run()
    assert CPU.em is None and CPU.table is OUTSIDE


def test_an_event_awaits_only_runtime_futures():
    rt = make_runtime()

    class Foreign:
        def __await__(self):
            yield "something else"

    async def confused():
        await Foreign()
    rt.spawn(confused)
    with pytest.raises(TypeError, match="can only await an ebbrt.runtime Future"):
        rt.run()


def test_coroutines_compose_and_sleep_blocks_for_simulated_time():
    rt = make_runtime(cost=FREE)
    log = []

    async def nap(ns):
        await sleep(ns)
        return ns

    async def main():
        total = 0
        for ns in (1_000, 2_500, 0):
            total += await nap(ns)
            log.append(where())
        log.append(total)
    rt.spawn(main)
    rt.run()
    assert log == [("node0.core0", 1_000), ("node0.core0", 3_500), ("node0.core0", 3_500), 3_500]


def test_a_future_cannot_wake_an_event_on_another_node():
    rt = make_runtime(nodes=2, cores=1)
    promise = Promise()

    async def waiter():
        await promise.future
    rt.spawn(waiter, node=0)
    rt.spawn(lambda: promise.set_value(1), node=1)
    with pytest.raises(NodeBoundary, match="fulfilled on node1.core0; nodes share no memory"):
        rt.run()


def test_spawn_checks_node_and_core():
    rt = make_runtime(nodes=1, cores=2)
    with pytest.raises(ValueError, match="no node 1; this runtime has nodes 0..0"):
        rt.spawn(lambda: None, node=1)
    with pytest.raises(ValueError, match="node0 has no core 2"):
        rt.spawn(lambda: None, core=2)
