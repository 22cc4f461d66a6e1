"""Packet capture: the bytes are classic libpcap (checked with a reader written here, apart
from the library's), `read_pcap` parses them back and reports damage with an offset, and the
same seed gives the same capture and the same trace, byte for byte."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest

from ebbrt.machine import (BROADCAST, ETHERTYPE_EXPERIMENTAL, EthernetFrame, MalformedCapture,
                           Network, Nic, PcapWriter, Simulator, Trace, read_pcap)


def parse_independently(data: bytes) -> tuple[dict, list[tuple[int, int, int, int, bytes]]]:
    """A minimal little-endian pcap reader, written from the format description."""
    magic, major, minor, zone, sigfigs, snaplen, linktype = struct.unpack("<IHHiIII", data[:24])
    header = {"magic": magic, "version": (major, minor), "thiszone": zone, "sigfigs": sigfigs,
              "snaplen": snaplen, "linktype": linktype}
    records, offset = [], 24
    while offset < len(data):
        sec, sub, incl, orig = struct.unpack("<IIII", data[offset:offset + 16])
        records.append((sec, sub, incl, orig, data[offset + 16:offset + 16 + incl]))
        offset += 16 + incl
    assert offset == len(data), "trailing bytes after the last record"
    return header, records


def scenario(seed: int, *, nanosecond: bool = True,
             traced: bool = True) -> tuple[bytes, Trace, Network]:
    """Three nodes exchanging frames over a faulty network, captured to memory."""
    trace = Trace()
    sim = Simulator(seed=seed, instrument=trace if traced else None)
    net = Network(sim, latency=20_000, loss=0.2, duplicate=0.1, reorder=0.3,
                  reorder_delay=30_000)
    nics = [net.attach(Nic(sim, node=i)) for i in range(3)]

    def answer(nic: Nic) -> None:               # so what is captured depends on the faults
        for request in nic.receive():
            if request.payload[:1] == b"Q":
                nic.send(EthernetFrame(request.src, nic.mac, ETHERTYPE_EXPERIMENTAL,
                                       b"R" + request.payload[1:]))
    for nic in nics:
        nic.on_receive = lambda nic=nic: answer(nic)
    buffer = io.BytesIO()
    writer = PcapWriter(buffer, nanosecond=nanosecond)
    net.capture(writer)
    for n in range(60):
        src, dst = nics[n % 3], nics[(n + 1) % 3]
        target = BROADCAST if n % 10 == 0 else dst.mac
        payload = b"Q" + n.to_bytes(4, "big") * (1 + n * 7 % 40)
        sim.schedule(n * 3_000, lambda s=src, f=EthernetFrame(target, src.mac,
                     ETHERTYPE_EXPERIMENTAL, payload): s.send(f))
    sim.schedule(100_000, lambda: net.partition({0}, {1, 2}))
    sim.schedule(130_000, net.heal)
    sim.schedule(150_000, lambda: net.crash(2))
    sim.schedule(170_000, lambda: net.restart(2))
    sim.run()
    writer.close()
    return buffer.getvalue(), trace, net


def test_capture_headers_and_records_parse_back() -> None:
    data, trace, net = scenario(seed=1)
    header, records = parse_independently(data)
    assert header == {"magic": 0xA1B23C4D, "version": (2, 4), "thiszone": 0, "sigfigs": 0,
                      "snaplen": 65535, "linktype": 1}
    assert len(records) == net.sent               # every frame put on the wire, once
    refused = [line for line in trace.lines if line.endswith("reason=nic-down")]
    lost_in_crash = [int(line.rsplit("lost=", 1)[1]) for line in trace.lines
                     if " nic.crash " in line]
    requests = [r for r in records if r[4][14:15] == b"Q"]
    # node 2 crashed at 150 us with a reply and request 50 on its tx ring (both lost) and
    # refused requests 53 and 56 while down: 57 of the 60 requests reached the wire
    assert (len(requests), len(refused), sum(lost_in_crash)) == (57, 2, 2)
    sent_times = [int(line.split()[0]) for line in trace.lines if " frame.sent " in line]
    assert [sec * 1_000_000_000 + sub for sec, sub, *_ in records] == sent_times
    for sec, sub, incl, orig, frame in records:
        assert incl == orig == len(frame) >= 60 and sub < 1_000_000_000
        decoded = EthernetFrame.decode(frame)
        assert decoded.ethertype == ETHERTYPE_EXPERIMENTAL


def test_microsecond_capture_uses_the_classic_magic() -> None:
    data, _, _ = scenario(seed=1, nanosecond=False)
    nanos, _, _ = scenario(seed=1)
    header, records = parse_independently(data)
    _, ns_records = parse_independently(nanos)
    assert header["magic"] == 0xA1B2C3D4
    assert [(s, u) for s, u, *_ in records] == [(s, n // 1000) for s, n, *_ in ns_records]
    assert read_pcap(data).nanosecond is False


def test_read_pcap_agrees_with_the_independent_reader() -> None:
    data, _, _ = scenario(seed=2)
    capture = read_pcap(data)
    _, records = parse_independently(data)
    assert (capture.nanosecond, capture.snaplen, capture.linktype) == (True, 65535, 1)
    assert [(r.time_ns, r.data, r.original_length) for r in capture.records] == [
        (s * 1_000_000_000 + n, frame, orig) for s, n, _, orig, frame in records]


def test_read_pcap_reads_big_endian_files() -> None:
    big = struct.pack(">IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 100, 1)
    big += struct.pack(">IIII", 3, 5, 60, 70) + bytes(60)
    (record,) = read_pcap(big).records
    assert record.time_ns == 3_000_005_000 and record.original_length == 70


def test_snaplen_truncates_records_but_keeps_the_original_length(tmp_path: Path) -> None:
    path = tmp_path / "cut.pcap"
    with PcapWriter(path, snaplen=64) as writer:
        writer.write(1_500_000_000, bytes(100))
        writer.write(2_000_000_001, bytes(60))
    assert writer.frames_written == 2
    capture = read_pcap(path.read_bytes())
    assert [(r.time_ns, len(r.data), r.original_length) for r in capture.records] == [
        (1_500_000_000, 64, 100), (2_000_000_001, 60, 60)]
    with pytest.raises(ValueError, match="closed"):
        writer.write(0, bytes(60))


@pytest.mark.parametrize(("damage", "offset", "problem"), [
    (lambda d: d[:10], 10, "shorter than the 24-byte global header"),
    (lambda d: b"\x0a\x0d\x0d\x0a" + d[4:], 0, "pcapng is not supported"),
    (lambda d: d[:4] + b"\x03\x00" + d[6:], 4, "version 3.4"),
    (lambda d: d[:30], 24, "truncated record header"),
    (lambda d: d[:50], 40, "only 10 remain"),
    (lambda d: d[:24] + struct.pack("<IIII", 0, 2_000_000_000, 60, 60) + d[40:], 28,
     "sub-second field"),
    (lambda d: d[:24] + struct.pack("<IIII", 0, 0, 61, 60) + d[40:], 32, "exceeds"),
])
def test_damaged_captures_are_malformed_capture_errors(damage, offset: int,
                                                       problem: str) -> None:
    data, _, _ = scenario(seed=1)
    with pytest.raises(MalformedCapture) as caught:
        read_pcap(damage(data))
    assert caught.value.offset == offset and problem in caught.value.problem
    assert isinstance(caught.value, ValueError)


def test_same_seed_same_capture_and_trace_other_seed_differs() -> None:
    first, first_trace, first_net = scenario(seed=7)
    again, again_trace, again_net = scenario(seed=7)
    other, other_trace, _ = scenario(seed=8)
    assert first == again
    assert first_trace.text() == again_trace.text()
    assert first_trace.digest() == again_trace.digest()
    assert first_net.counters() == again_net.counters()
    assert first != other and first_trace.digest() != other_trace.digest()
    # the scenario really exercised every kind of fault
    counters = first_net.counters()
    for key in ("dropped.loss", "dropped.partition", "dropped.receiver-down"):
        assert counters.get(key, 0) > 0, key
    assert counters["duplicated"] > 0


def test_tracing_does_not_change_the_run() -> None:
    traced, trace, traced_net = scenario(seed=7)
    quiet, silent, quiet_net = scenario(seed=7, traced=False)
    assert traced == quiet and traced_net.counters() == quiet_net.counters()
    assert trace.count > 0 and silent.count == 0
