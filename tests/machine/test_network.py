"""The switch and its link conditions: delivery by MAC, broadcast, latency, serialization at
the link's bandwidth, per-link overrides, changes during a run, and bad settings."""

from __future__ import annotations

import pytest

from ebbrt.machine import (BROADCAST, ETHERTYPE_EXPERIMENTAL, EthernetFrame, LinkConditions,
                           MacAddress, Network, NetworkError, Nic, Simulator, Trace)


def cluster(n: int, **conditions) -> tuple[Simulator, Network, list[Nic], dict[int, list]]:
    """`n` nodes with one NIC each; arrivals[node] collects (time, frame number)."""
    sim = Simulator(seed=11, instrument=Trace())
    net = Network(sim, **conditions)
    nics = [net.attach(Nic(sim, node=i)) for i in range(n)]
    arrivals: dict[int, list] = {i: [] for i in range(n)}
    for i, nic in enumerate(nics):
        nic.on_receive = (lambda i=i, nic=nic: arrivals[i].extend(
            (sim.now, int.from_bytes(f.payload[:4], "big")) for f in nic.receive()))
    return sim, net, nics, arrivals


def frame(src: Nic, dst: Nic | MacAddress, n: int, size: int = 4) -> EthernetFrame:
    dst_mac = dst if isinstance(dst, MacAddress) else dst.mac
    return EthernetFrame(dst_mac, src.mac, ETHERTYPE_EXPERIMENTAL,
                         n.to_bytes(4, "big") + bytes(size - 4))


def test_latency_plus_serialization_for_back_to_back_frames() -> None:
    sim, net, (a, b), arrivals = cluster(2, latency=5_000, bandwidth=100_000_000)
    for n in range(3):
        a.send(frame(a, b, n, size=1500))        # 1514 bytes at 100 Mbit/s: 121_120 ns each
    sim.run()
    assert arrivals[1] == [(126_120, 0), (247_240, 1), (368_360, 2)]
    assert net.counters() == {"sent": 3, "delivered": 3, "duplicated": 0, "dropped": 0}


def test_minimum_frame_defaults_and_unlimited_bandwidth() -> None:
    sim, net, (a, b), arrivals = cluster(2)
    assert net.conditions == LinkConditions()
    a.send(frame(a, b, 1))                       # 60 bytes at 1 Gbit/s: 480 ns, then 10 us
    sim.run()
    net.set_bandwidth(None)
    a.send(frame(a, b, 2))
    start = sim.now
    sim.run()
    assert arrivals[1] == [(10_480, 1), (start + 10_000, 2)]


def test_unicast_goes_to_its_destination_and_broadcast_to_all_others() -> None:
    sim, net, nics, arrivals = cluster(4, bandwidth=None, latency=100)
    nics[0].send(frame(nics[0], nics[2], 7))
    nics[1].send(frame(nics[1], BROADCAST, 8))
    sim.run()
    assert arrivals == {0: [(100, 8)], 1: [], 2: [(100, 7), (100, 8)], 3: [(100, 8)]}
    assert net.sent == 2 and net.delivered == 4


def test_unknown_and_self_addressed_unicast_are_dropped() -> None:
    sim, net, (a, b), arrivals = cluster(2)
    a.send(frame(a, MacAddress.parse("02:00:00:00:00:63"), 1))
    a.send(frame(a, a, 2))
    sim.run()
    assert arrivals == {0: [], 1: []}
    assert dict(net.dropped) == {"unknown-destination": 1, "self-addressed": 1}
    assert net.counters()["dropped"] == 2
    assert any("frame.dropped id=0" in line and "reason=unknown-destination" in line
               for line in sim.instrument.lines)


def test_per_link_override_in_both_directions_following_global_for_the_rest() -> None:
    sim, net, (a, b, c), arrivals = cluster(3, bandwidth=None, latency=1_000)
    net.set_link(a, 2, latency=50_000)
    assert net.link(2, 0).latency == 50_000 and net.link(0, 1).latency == 1_000
    a.send(frame(a, b, 1))
    a.send(frame(a, c, 2))
    c.send(frame(c, a, 3))
    sim.run()
    assert arrivals == {0: [(50_000, 3)], 1: [(1_000, 1)], 2: [(50_000, 2)]}
    net.set_loss(1.0)                            # the override keeps following global loss
    assert net.link(0, 2).loss == 1.0 and net.link(0, 2).latency == 50_000
    net.set_loss(0.0)
    net.clear_link(0, 2)
    assert net.link(0, 2) == net.conditions


def test_per_link_bandwidth_sets_that_path_serialization() -> None:
    sim, net, (a, b, c), arrivals = cluster(3, latency=0, bandwidth=1_000_000_000)
    net.set_link(0, 2, bandwidth=10_000_000)     # 60 bytes at 10 Mbit/s: 48 us
    a.send(frame(a, c, 1))
    a.send(frame(a, b, 2))                       # waits behind the slow frame in the tx ring
    sim.run()
    assert arrivals[2] == [(48_000, 1)] and arrivals[1] == [(48_480, 2)]


def test_a_change_during_a_run_applies_to_frames_sent_after_it() -> None:
    sim, net, (a, b), arrivals = cluster(2, bandwidth=None, latency=1_000)
    a.send(frame(a, b, 1))
    sim.schedule(10, lambda: net.set_latency(9_000))
    sim.schedule(20, lambda: a.send(frame(a, b, 2)))
    sim.run()
    assert arrivals[1] == [(1_000, 1), (9_020, 2)]
    assert "10 network conditions latency=9000" in sim.instrument.lines


@pytest.mark.parametrize(("call", "message"), [
    (lambda net: net.set_loss(1.5), "loss is a probability in"),
    (lambda net: net.set_duplication(-0.1), "duplicate is a probability"),
    (lambda net: net.set_latency(-1), "latency must be a whole number of ns"),
    (lambda net: net.set_bandwidth(0), "bandwidth must be a positive number"),
    (lambda net: net.set_reordering(0.5, max_delay=1.5), "reorder_delay must be"),
    (lambda net: net.set_conditions(jitter=5), "unknown link condition"),
    (lambda net: net.set_link(0, 1, loss=2), "loss is a probability"),
    (lambda net: net.crash(9), "no NIC of node 9 is attached"),
    (lambda net: net.partition({0, 1}, {1}), "node 1 is in two partition groups"),
    (lambda net: net.partition({"node0"}), "expected a node number, a Node or a Nic"),
])
def test_bad_settings_are_clear_errors(call, message: str) -> None:
    _, net, _, _ = cluster(2)
    with pytest.raises(NetworkError, match=message) as caught:
        call(net)
    assert isinstance(caught.value, ValueError)


def test_attach_refuses_duplicates() -> None:
    sim, net, (a, _), _ = cluster(2)
    with pytest.raises(NetworkError, match="already attached"):
        net.attach(a)
    with pytest.raises(NetworkError, match="MAC 02:00:00:00:00:01, already used by node0.nic0"):
        net.attach(Nic(sim, node=5, mac=a.mac))
    with pytest.raises(NetworkError, match="another Simulator"):
        net.attach(Nic(Simulator(), node=6))
    assert [nic.name for nic in net.nics] == ["node0.nic0", "node1.nic0"]
