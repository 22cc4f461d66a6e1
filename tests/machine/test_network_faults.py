"""Faults on the simulated network: loss, duplication and reordering drawn from the seeded
streams (exact counts for the fixed seed, plus sanity bounds that any seed should meet),
partitions and heal, node crash and restart."""

from __future__ import annotations

from ebbrt.machine import ETHERTYPE_EXPERIMENTAL, EthernetFrame, Network, Nic, Simulator, Trace

SEED = 5
FRAMES = 1000


def stream(frames: int = FRAMES, gap: int = 1_000, **conditions) -> tuple[Simulator, Network,
                                                                          list[int]]:
    """Node 0 sends `frames` numbered frames to node 1, one every `gap` ns; returns the
    numbers node 1 received, in arrival order."""
    sim = Simulator(seed=SEED, instrument=Trace())
    net = Network(sim, bandwidth=None, latency=10_000, **conditions)
    a = net.attach(Nic(sim, node=0, tx_ring=frames))
    b = net.attach(Nic(sim, node=1, rx_ring=2 * frames))
    for n in range(frames):
        sim.schedule(n * gap, lambda n=n: a.send(EthernetFrame(
            b.mac, a.mac, ETHERTYPE_EXPERIMENTAL, n.to_bytes(4, "big"))))
    sim.run()
    return sim, net, [int.from_bytes(f.payload[:4], "big") for f in b.receive()]


def out_of_order(received: list[int]) -> int:
    return sum(1 for before, after in zip(received, received[1:]) if after < before)


def test_loss() -> None:
    sim, net, received = stream(loss=0.1)
    assert net.dropped["loss"] == 107                  # this seed
    assert 60 <= net.dropped["loss"] <= 140            # any seed, p = 0.1 of 1000
    assert net.delivered == len(received) == FRAMES - 107
    assert received == sorted(set(received))           # no reordering, no copies
    lost = [line for line in sim.instrument.lines if line.endswith("reason=loss")]
    assert len(lost) == 107


def test_duplication() -> None:
    sim, net, received = stream(duplicate=0.05)
    assert net.duplicated == 33                        # this seed
    assert 15 <= net.duplicated <= 85
    assert len(received) == FRAMES + 33 and set(received) == set(range(FRAMES))
    twice = {n for n in received if received.count(n) == 2}
    assert len(twice) == 33
    copies = [line for line in sim.instrument.lines if "frame.duplicated" in line]
    assert len(copies) == 33 and all(line.endswith("copy=2") for line in copies)


def test_reordering() -> None:
    _, net, received = stream(reorder=0.2, reorder_delay=5_000)
    assert sorted(received) == list(range(FRAMES))     # every frame, exactly once
    assert out_of_order(received) == 141               # this seed
    assert 80 <= out_of_order(received) <= 220
    assert net.dropped_total == 0 and net.duplicated == 0


def test_no_faults_no_reordering() -> None:
    _, net, received = stream()
    assert received == list(range(FRAMES))
    assert net.counters() == {"sent": FRAMES, "delivered": FRAMES, "duplicated": 0,
                              "dropped": 0}


def test_fault_streams_are_independent() -> None:
    """Turning on duplication and reordering does not change which frames are lost."""
    _, _, lossy = stream(loss=0.1)
    _, net, everything = stream(loss=0.1, duplicate=0.05, reorder=0.2, reorder_delay=5_000)
    assert net.dropped["loss"] == 107
    assert set(everything) == set(lossy)


def test_loss_changes_during_the_run() -> None:
    sim = Simulator(seed=SEED)
    net = Network(sim, bandwidth=None)
    a, b = (net.attach(Nic(sim, node=i, rx_ring=64)) for i in range(2))
    send = lambda: a.send(EthernetFrame(b.mac, a.mac, ETHERTYPE_EXPERIMENTAL))  # noqa: E731
    for _ in range(10):
        send()
    sim.run()
    net.set_loss(1.0)
    for _ in range(10):
        send()
    sim.run()
    net.set_loss(0.0)
    send()
    sim.run()
    assert b.received == 11 and net.dropped["loss"] == 10


def three_nodes() -> tuple[Simulator, Network, list[Nic]]:
    sim = Simulator(seed=SEED, instrument=Trace())
    net = Network(sim, bandwidth=None, latency=1_000)
    return sim, net, [net.attach(Nic(sim, node=i)) for i in range(3)]


def exchange(sim: Simulator, nics: list[Nic]) -> dict[tuple[int, int], bool]:
    """Every node sends one frame to every other; which (src, dst) pairs got through?"""
    for nic in nics:
        nic.receive()
    for src in nics:
        for dst in nics:
            if src is not dst:
                src.send(EthernetFrame(dst.mac, src.mac, ETHERTYPE_EXPERIMENTAL,
                                       bytes([src.node])))
    sim.run()
    return {(f.payload[0], dst.node): True for dst in nics for f in dst.receive()}


def test_partition_and_heal() -> None:
    sim, net, nics = three_nodes()
    net.partition({0}, {1, 2})
    assert not net.can_reach(0, 1) and net.can_reach(1, 2)
    assert set(exchange(sim, nics)) == {(1, 2), (2, 1)}
    assert net.dropped["partition"] == 4
    net.partition({nics[0], 1})                   # replaces the first; 2 is left on its own
    assert set(exchange(sim, nics)) == {(0, 1), (1, 0)}
    net.heal()
    assert len(exchange(sim, nics)) == 6
    assert net.dropped["partition"] == 8
    lines = sim.instrument.lines
    assert "0 network partition 0 | 1,2" in lines and any(" network heal" in x for x in lines)


def test_frames_already_in_flight_cross_a_new_partition() -> None:
    sim, net, (a, b, _) = three_nodes()
    a.send(EthernetFrame(b.mac, a.mac, ETHERTYPE_EXPERIMENTAL))
    sim.run_until(500)                            # on the wire, not yet arrived
    net.partition({0}, {1})
    sim.run()
    assert b.received == 1


def test_crash_and_restart_of_a_node() -> None:
    sim, net, nics = three_nodes()
    a, b, c = nics
    a.send(EthernetFrame(b.mac, a.mac, ETHERTYPE_EXPERIMENTAL))
    sim.run_until(500)
    net.crash(1)                                  # the frame in flight is lost on arrival
    assert not net.is_up(1) and net.is_up(0)
    assert not b.send(EthernetFrame(c.mac, b.mac, ETHERTYPE_EXPERIMENTAL))
    got = exchange(sim, nics)
    assert set(got) == {(0, 2), (2, 0)}
    assert net.dropped["receiver-down"] == 1 + 2  # in flight + one from each live node
    assert b.dropped_down == 1 + 2 + 3            # its 3 sends while down + 3 arrivals
    net.restart(b)
    assert net.is_up(1)
    assert len(exchange(sim, nics)) == 6
