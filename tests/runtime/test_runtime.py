"""The `Runtime` object: counters, interrupts from devices, a network, crash and restart."""

from __future__ import annotations

import pytest
from runtime_helpers import make_runtime, where

from ebbrt.machine import (ETHERTYPE_EXPERIMENTAL, NIC_VECTOR, EthernetFrame, Network,
                           Simulator)
from ebbrt.runtime import (CLOCK, TIMER, EbbNotFound, Runtime, SharedEbb, current_core, sleep,
                           spawn_remote)


def test_counters_add_up_over_cores():
    rt = make_runtime(cores=2)

    async def main():
        for _ in range(3):
            await sleep(1_000)
        spawn_remote(lambda: None, 1)
    rt.spawn(main)
    rt.run()
    counters = rt.counters()
    # main, three resumes, three timer interrupts, one IPI interrupt, the remote event
    assert counters["events"] == 9
    assert counters["interrupts"] == 4 and counters["hooks_fired"] == 3
    assert counters["ipis"] == counters["remote_spawns"] == 1
    assert counters["faults"] == 2          # TIMER and EVENT_MANAGER, each once, on core 0
    assert counters["calls"] == 0 and counters["sim_events"] == rt.sim.events_run


def test_device_interrupts_run_as_events_for_example_a_nic():
    sim = Simulator(seed=1)
    rt = Runtime(sim, nodes=2, cores=1, network=Network(sim, latency=5_000))
    received = []

    def on_frame(vector):
        for frame in rt.nics[1].receive():
            received.append((frame.payload[:5], *where()))
    rt.register_interrupt(1, 0, NIC_VECTOR, on_frame)

    def send():
        nic = rt.nics[0]
        nic.send(EthernetFrame(rt.nics[1].mac, nic.mac, ETHERTYPE_EXPERIMENTAL, b"hello"))
    rt.spawn(send, node=0)
    rt.run()
    ((payload, core, at),) = received
    assert payload == b"hello" and core == "node1.core0" and at > 5_000
    assert rt.counters()["interrupts"] == 1


def test_a_restarted_node_boots_a_fresh_runtime():
    rt = make_runtime(nodes=2, cores=1)

    class Box(SharedEbb):
        def get(self):
            return "box"

    refs = []
    rt.spawn(lambda: refs.append(Box.create(Box())), node=1)
    rt.spawn(lambda: TIMER.start(lambda: refs.append("fired"), 50_000, False), node=1)
    rt.run_until(10_000)
    before = rt.counters()
    rt.crash(1)
    rt.restart(1)
    rt.run_until(100_000)
    assert refs[1:] == []                          # the hook died with the node
    with rt.on_core(1, 0):
        with pytest.raises(EbbNotFound):
            refs[0].get()                          # the local id map starts empty again
        assert CLOCK.now() == 100_000
        again = rt.node_runtime(1).ids.allocate_global()
    assert again > refs[0].id                      # global ids are never handed out twice
    after = rt.counters()
    assert after["events"] >= before["events"]     # counts survive the reboot


def test_on_core_runs_code_as_that_core_and_restores():
    rt = make_runtime(nodes=2, cores=2)
    with rt.on_core(1, 1) as em:
        assert current_core() is rt.nodes[1].cores[1] and em is rt.event_manager(1, 1)
        with rt.on_core(0, 0):
            assert current_core().name == "node0.core0"
        assert current_core().name == "node1.core1"
    assert "2 nodes x 2 cores at 0 ns" in repr(rt)
    with pytest.raises(ValueError, match="at least one node"):
        Runtime(Simulator(), nodes=0)
