"""The Messenger: datagrams between nodes over the simulated NICs, delivered exactly once under
loss, duplication and reordering (acks, retransmission from Timer hooks, dedupe by sequence);
malformed frames are dropped and counted, never a traceback."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ebbrt.machine import (ETHERTYPE_EXPERIMENTAL, ETHERTYPE_IPV4, EthernetFrame, MacAddress,
                           Network, Nic, Simulator, Trace)
from ebbrt.runtime import (Datagram, InvalidArgument, MalformedDatagram, Messenger,
                           MessengerConfig, RunContracts, Runtime, RuntimeFault)
from ebbrt.runtime._messenger import ACK, DATA, HEADER
from ebbrt.verifier import Mode

MS = 1_000_000


def cluster(nodes: int = 2, seed: int = 0, **conditions: float) -> tuple[Runtime, Network]:
    sim = Simulator(seed=seed, instrument=Trace(limit=100))
    network = Network(sim, **conditions)
    rt = Runtime(sim, nodes=nodes, cores=2, network=network)
    RunContracts(rt, Mode.FULL).install()      # the retransmission timers are checked too
    return rt, network


def start_messenger(rt: Runtime, inboxes: dict[int, list[tuple[int, bytes]]],
                    config: MessengerConfig | None = None) -> object:
    with rt.on_core(0, 0):
        messenger = Messenger.create(config)
    for node in range(len(rt.nodes)):
        inbox = inboxes.setdefault(node, [])
        rt.spawn(lambda inbox=inbox: messenger.listen(
            lambda src, payload: inbox.append((src, payload))), node=node)
    return messenger


def totals(rt: Runtime, messenger: object) -> dict[str, int]:
    result: dict[str, int] = {}
    for node in range(len(rt.nodes)):
        with rt.on_core(node, 0):
            for key, value in messenger().counters().items():
                result[key] = result.get(key, 0) + value
    return result


def test_every_message_is_delivered_exactly_once_under_loss_duplication_and_reordering():
    rt, network = cluster(nodes=3, seed=4, loss=0.3, duplicate=0.3, reorder=0.3)
    inboxes: dict[int, list[tuple[int, bytes]]] = {}
    messenger = start_messenger(rt, inboxes)
    expected: dict[int, list[tuple[int, bytes]]] = {n: [] for n in range(3)}

    def chatter(node: int, core: int) -> None:
        for i in range(15):
            dst = (node + 1 + i % 2) % 3
            payload = b"%d.%d says %d" % (node, core, i)
            messenger.send(dst, payload)
            expected[dst].append((node, payload))
    for node in range(3):
        for core in range(2):      # both cores send: the hooks live on the sending core
            rt.spawn(lambda node=node, core=core: chatter(node, core), node=node, core=core)
    rt.run_until(200 * MS)
    for node in range(3):
        assert sorted(inboxes[node]) == sorted(expected[node])      # each once, none lost
    counts = totals(rt, messenger)
    assert counts["sent"] == counts["delivered"] == 90
    assert counts["retransmits"] > 10 and counts["duplicates"] > 10
    assert counts["in_flight"] == 0 and counts["malformed"] == 0
    assert network.counters()["dropped.loss"] > 30 and network.duplicated > 10


def test_a_message_sent_before_the_receiver_listens_is_retried_until_it_does():
    rt, _ = cluster()
    with rt.on_core(0, 0):
        messenger = Messenger.create(MessengerConfig(retransmit_ns=50_000))
    inbox: list[tuple[int, bytes]] = []
    rt.spawn(lambda: messenger.send(1, b"early"), node=0)
    rt.spawn(lambda: messenger.send(0, b"wake up"), node=1)   # builds node 1's end, deaf
    rt.run_until(300_000)
    assert inbox == []
    rt.spawn(lambda: messenger.listen(lambda src, payload: inbox.append((src, payload))),
             node=1)
    rt.run_until(5 * MS)
    assert inbox == [(0, b"early")]
    counts = totals(rt, messenger)
    assert counts["not_listening"] >= 2 and counts["delivered"] == 1
    assert counts["in_flight"] == 1     # node 0 never listens: "wake up" is still retried


def test_malformed_frames_are_dropped_and_counted_by_reason():
    rt, network = cluster()
    inboxes: dict[int, list[tuple[int, bytes]]] = {}
    messenger = start_messenger(rt, inboxes)
    rogue = network.attach(Nic(rt.sim, node=7))
    node0 = MacAddress.for_node(0)

    def header(kind=DATA, src=1, dst=0, seq=0, length=2, magic=b"EB", version=1) -> bytes:
        return HEADER.pack(magic, version, kind, src, dst, seq, length)
    bad = {
        "ethertype": (ETHERTYPE_IPV4, header() + b"hi"),
        "short": (ETHERTYPE_EXPERIMENTAL, b"EB\x01"),
        "magic": (ETHERTYPE_EXPERIMENTAL, header(magic=b"XX") + b"hi"),
        "version": (ETHERTYPE_EXPERIMENTAL, header(version=9) + b"hi"),
        "kind": (ETHERTYPE_EXPERIMENTAL, header(kind=7) + b"hi"),
        "truncated": (ETHERTYPE_EXPERIMENTAL, header(length=900) + b"hi"),
        "destination": (ETHERTYPE_EXPERIMENTAL, header(dst=1) + b"hi"),
        "source": (ETHERTYPE_EXPERIMENTAL, header(src=9) + b"hi"),
    }
    for ethertype, payload in bad.values():
        rogue.send(EthernetFrame(node0, rogue.mac, ethertype, payload))
    rt.run_until(MS)
    rt.spawn(lambda: messenger.send(0, b"still works"), node=1)
    rt.run_until(5 * MS)
    assert inboxes[0] == [(1, b"still works")]
    with rt.on_core(0, 0):
        counters = messenger().counters()
    assert counters["malformed"] == len(bad)
    assert {k[len("malformed."):]: n for k, n in counters.items()
            if k.startswith("malformed.")} == dict.fromkeys(bad, 1)


def test_a_datagram_survives_ethernet_padding():
    datagram = Datagram(DATA, 3, 4, 70_000, b"hi")
    frame = EthernetFrame(MacAddress.for_node(4), MacAddress.for_node(3),
                          ETHERTYPE_EXPERIMENTAL, datagram.encode())
    padded = EthernetFrame.decode(frame.encode()).payload
    assert len(padded) == 46 and Datagram.decode(padded) == datagram
    assert Datagram.decode(Datagram(ACK, 0, 1, 5).encode()).kind == ACK


@given(st.binary(max_size=64))
def test_decoding_any_bytes_gives_a_datagram_or_a_named_problem(data: bytes) -> None:
    try:
        datagram = Datagram.decode(data)
    except MalformedDatagram as bad:
        assert bad.reason in {"short", "magic", "version", "kind", "truncated"}
    else:
        assert datagram.encode() == data[:HEADER.size + len(datagram.payload)]


def test_sending_wrongly_is_refused_with_the_reason():
    rt, _ = cluster()
    with rt.on_core(0, 0):
        messenger = Messenger.create()
        with pytest.raises(InvalidArgument, match="another node's number, 0..1"):
            messenger.send(0, b"to myself")
        with pytest.raises(InvalidArgument, match="no node 5"):
            messenger.send(5, b"nowhere")
        with pytest.raises(InvalidArgument, match="at most 1486 bytes"):
            messenger.send(1, bytes(1487))
        with pytest.raises(InvalidArgument, match="handler"):
            messenger.listen(42)
    plain = Runtime(Simulator(), nodes=2)
    with plain.on_core(0, 0):
        alone = Messenger.create()
        with pytest.raises(RuntimeFault, match="no network"):
            alone.send(1, b"x")
