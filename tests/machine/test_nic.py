"""The NIC: fixed-size rings that drop and count when full, serialization one frame at a
time, the receive interrupt (also wired through a real Node), draining, crash/restart."""

from __future__ import annotations

import pytest

from ebbrt.machine import (ETHERTYPE_EXPERIMENTAL, NIC_VECTOR, EthernetFrame, FrameError,
                           MacAddress, Network, Nic, Node, Simulator, Trace)


def numbered(src: Nic, dst: Nic, n: int) -> EthernetFrame:
    return EthernetFrame(dst.mac, src.mac, ETHERTYPE_EXPERIMENTAL, n.to_bytes(4, "big"))


def numbers(frames: list[EthernetFrame]) -> list[int]:
    return [int.from_bytes(f.payload[:4], "big") for f in frames]


def two_nics(*, tx_ring: int = 8, rx_ring: int = 8, **conditions) -> tuple[Simulator, Network,
                                                                          Nic, Nic]:
    sim = Simulator(seed=3, instrument=Trace())
    net = Network(sim, **conditions)
    a = net.attach(Nic(sim, node=0, tx_ring=tx_ring, rx_ring=rx_ring))
    b = net.attach(Nic(sim, node=1, tx_ring=tx_ring, rx_ring=rx_ring))
    return sim, net, a, b


def test_nic_defaults_name_and_mac() -> None:
    nic = Nic(Simulator(), node=4, index=1)
    assert nic.name == "node4.nic1"
    assert nic.mac == MacAddress.for_node(4, 1)
    assert repr(nic) == "<Nic node4.nic1 02:01:00:00:00:05 up>"
    with pytest.raises(FrameError, match="tx_ring must be a positive"):
        Nic(Simulator(), tx_ring=0)


def test_send_requires_a_frame() -> None:
    _, _, a, _ = two_nics()
    with pytest.raises(FrameError, match="expects an EthernetFrame, got bytes"):
        a.send(b"raw bytes")  # type: ignore[arg-type]


def test_receive_interrupt_once_per_frame_and_rings_drain_in_order() -> None:
    sim, _, a, b = two_nics()
    interrupts: list[int] = []
    b.on_receive = lambda: interrupts.append(b.rx_pending)
    for n in range(5):
        assert a.send(numbered(a, b, n))
    assert a.tx_pending == 5
    sim.run()
    assert interrupts == [1, 2, 3, 4, 5]     # nobody drained: the ring fills up
    assert b.poll() is not None and b.rx_pending == 4
    assert numbers(b.receive(limit=2)) == [1, 2]
    assert numbers(b.receive()) == [3, 4]
    assert b.poll() is None and b.receive() == []
    assert a.counters() == {"sent": 5, "received": 0, "dropped_tx_full": 0,
                            "dropped_rx_full": 0, "dropped_down": 0}
    assert b.received == 5


def test_tx_ring_overflow_drops_and_counts() -> None:
    sim, net, a, b = two_nics(tx_ring=3)
    accepted = [a.send(numbered(a, b, n)) for n in range(5)]
    assert accepted == [True, True, True, False, False]
    assert a.dropped_tx_full == 2 and a.tx_pending == 3
    sim.run()
    assert numbers(b.receive()) == [0, 1, 2]
    assert a.sent == 3 and net.sent == 3
    drops = [line for line in sim.instrument.lines if "reason=tx-ring-full" in line]
    assert len(drops) == 2 and drops[0].startswith("0 node0.nic0 frame.dropped")


def test_tx_ring_frees_a_slot_when_a_frame_is_serialized() -> None:
    sim, _, a, b = two_nics(tx_ring=1, bandwidth=8_000_000_000)   # 60 bytes -> 60 ns
    assert a.send(numbered(a, b, 0)) and not a.send(numbered(a, b, 1))
    sim.run_until(59)
    assert a.tx_pending == 1 and not a.send(numbered(a, b, 2))
    sim.run_until(60)
    assert a.tx_pending == 0 and a.send(numbered(a, b, 3))
    sim.run()
    assert numbers(b.receive()) == [0, 3]
    assert a.dropped_tx_full == 2


def test_rx_ring_overflow_drops_and_counts_on_both_sides() -> None:
    sim, net, a, b = two_nics(rx_ring=2)
    for n in range(4):
        a.send(numbered(a, b, n))
    sim.run()
    assert numbers(b.receive()) == [0, 1]
    assert b.dropped_rx_full == 2 and b.received == 2
    assert net.delivered == 2 and net.dropped["rx-ring-full"] == 2
    # a driver that drains in its interrupt handler keeps up
    b.on_receive = lambda: b.receive()
    for n in range(4):
        a.send(numbered(a, b, n))
    sim.run()
    assert b.dropped_rx_full == 2 and b.received == 6


def test_crash_loses_ring_contents_and_refuses_until_restart() -> None:
    sim, net, a, b = two_nics()
    for n in range(3):
        a.send(numbered(a, b, n))
    b.send(numbered(b, a, 9))
    sim.run()
    assert b.rx_pending == 3
    for n in range(3, 6):
        a.send(numbered(a, b, n))
    a.crash()
    b.crash()
    assert not a.up and a.tx_pending == 0 and b.rx_pending == 0
    assert a.dropped_down == 3 + 1 and b.dropped_down == 3   # a: 3 queued to send, frame 9
    assert not a.send(numbered(a, b, 7)) and a.dropped_down == 5
    sim.run()
    assert a.sent == 3                      # the three queued at the crash never left
    a.restart()
    b.restart()
    a.restart()                             # idempotent
    assert a.up and a.send(numbered(a, b, 8))
    sim.run()
    assert numbers(b.receive()) == [8]
    assert a.rx_pending == 0
    kinds = [line.split()[2] for line in sim.instrument.lines if "nic." in line]
    assert kinds == ["nic.crash", "nic.crash", "nic.restart", "nic.restart"]


def test_nic_without_a_network_sends_into_nothing() -> None:
    sim = Simulator(instrument=Trace())
    nic = Nic(sim, node=0)
    assert nic.send(EthernetFrame(MacAddress.for_node(1), nic.mac, ETHERTYPE_EXPERIMENTAL))
    sim.run()
    assert nic.sent == 1
    assert any("reason=no-link" in line for line in sim.instrument.lines)


def test_a_frame_leaves_no_earlier_than_the_senders_local_clock() -> None:
    sim, _, a, b = two_nics()
    local = {"now": 0}
    a.clock = lambda: sim.now + local["now"]
    local["now"] = 2_000                          # work that has been charged 2 us so far
    a.send(numbered(a, b, 1))
    a.send(numbered(a, b, 2))                     # queued behind it on the ring
    sim.run()
    sent = [int(line.split()[0]) for line in sim.instrument.lines if " frame.sent " in line]
    assert sent == [2_480, 2_960]


def test_wired_to_a_node_the_receive_interrupt_runs_on_the_chosen_core() -> None:
    sim = Simulator(seed=1, instrument=Trace())
    net = Network(sim)
    nodes = [Node(sim, i, cores=2) for i in range(2)]
    nics = [net.attach(Nic(sim, node=i)) for i in range(2)]
    for node, nic in zip(nodes, nics):
        node.attach_nic(nic, core=1)
    taken: list[tuple[int, str, list[int]]] = []

    def handler(vector: int) -> None:
        taken.append((sim.now, nodes[1].current_core.name, numbers(nics[1].receive())))
    nodes[1].interrupts.register(1, NIC_VECTOR, handler)
    nodes[0].cores[0].post(lambda: nics[0].send(numbered(nics[0], nics[1], 5)))
    sim.run()
    (sent,) = [int(line.split()[0]) for line in sim.instrument.lines if " frame.sent " in line]
    assert taken == [(sent + 10_000, "node1.core1", [5])]   # core 1 was idle: taken at once

    nodes[1].crash()                              # the node's crash takes its NIC down
    assert not nics[1].up and not net.is_up(nodes[1])
    nics[0].send(numbered(nics[0], nics[1], 6))
    sim.run()
    assert net.dropped["receiver-down"] == 1 and len(taken) == 1
    nodes[1].restart()
    nodes[1].interrupts.register(1, NIC_VECTOR, handler)
    nics[0].send(numbered(nics[0], nics[1], 7))
    sim.run()
    assert [t[2] for t in taken] == [[5], [7]]
