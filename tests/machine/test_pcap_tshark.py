"""The capture of a faulty run opens in tshark with every frame dissected and none malformed.

The frames are real Ethernet payloads: IPv4/UDP to the discard port 9 (so no dissector reads
meaning into the bytes) with correct header and UDP checksums (which tshark is told to
verify), and the IEEE local-experimental ethertype 0x88b5, shown as data.
A deliberately broken capture checks that the test would notice. Skips when tshark is not
installed (Debian: `apt-get install -y tshark`)."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from ebbrt.machine import (BROADCAST, ETHERTYPE_EXPERIMENTAL, ETHERTYPE_IPV4, EthernetFrame,
                           MacAddress, Network, Nic, PcapWriter, Simulator)

TSHARK = shutil.which("tshark")
pytestmark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed"
                                " (Debian: apt-get install -y tshark)")

WARNING = 0x600000                 # tshark's expert severity levels: warning, then error
CHECKSUM_BAD = "0"


def internet_checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_udp(src: bytes, dst: bytes, sport: int, dport: int, data: bytes, ident: int) -> bytes:
    """An IPv4 packet carrying a UDP datagram, both checksums correct."""
    length = 8 + len(data)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, length)
    udp_checksum = internet_checksum(
        pseudo + struct.pack("!HHHH", sport, dport, length, 0) + data) or 0xFFFF
    udp = struct.pack("!HHHH", sport, dport, length, udp_checksum) + data
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + length, ident, 0, 64, 17, 0, src, dst)
    header = header[:10] + struct.pack("!H", internet_checksum(header)) + header[12:]
    return header + udp


def ip_of(nic: Nic) -> bytes:
    return bytes([10, 0, 0, nic.node + 1])


def tshark(path: Path, *options: str) -> str:
    done = subprocess.run([TSHARK, "-n", "-r", str(path), "-o", "ip.check_checksum:TRUE",
                           "-o", "udp.check_checksum:TRUE", *options],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def dissect(path: Path) -> list[tuple[str, list[str]]]:
    """Per frame: its protocol stack and what tshark found wrong with it (an expert
    warning or error, which a malformed packet always raises; a bad IP or UDP checksum)."""
    fields = tshark(path, "-T", "fields", "-E", "separator=/t", "-e", "frame.protocols",
                    "-e", "_ws.expert.severity", "-e", "ip.checksum.status",
                    "-e", "udp.checksum.status")
    frames = []
    for line in fields.splitlines():
        protocols, severities, ip_status, udp_status = line.split("\t")
        problems = [f"expert severity 0x{level:x}" for level in
                    (int(v) for v in severities.split(",") if v) if level >= WARNING]
        problems += [f"bad {name} checksum" for name, status in
                     (("IP", ip_status), ("UDP", udp_status)) if CHECKSUM_BAD in status.split(",")]
        frames.append((protocols, problems))
    return frames


def capture_a_faulty_run(path: Path) -> int:
    sim = Simulator(seed=4)
    net = Network(sim, latency=15_000, bandwidth=100_000_000, loss=0.1, duplicate=0.1,
                  reorder=0.2)
    nics = [net.attach(Nic(sim, node=i)) for i in range(3)]

    def echo(nic: Nic) -> None:
        for frame in nic.receive():
            if frame.ethertype == ETHERTYPE_EXPERIMENTAL and frame.payload.startswith(b"ping"):
                nic.send(EthernetFrame(frame.src, nic.mac, ETHERTYPE_EXPERIMENTAL,
                                       b"pong" + frame.payload[4:]))
    for nic in nics:
        nic.on_receive = lambda nic=nic: echo(nic)
    for n in range(40):
        src, dst = nics[n % 3], nics[(n + 2) % 3]
        if n % 2:
            frame = EthernetFrame(dst.mac, src.mac, ETHERTYPE_IPV4, ipv4_udp(
                ip_of(src), ip_of(dst), 9, 9, bytes([n]) * (n * 37 % 1400), ident=n))
        else:
            frame = EthernetFrame(BROADCAST if n % 8 == 0 else dst.mac, src.mac,
                                  ETHERTYPE_EXPERIMENTAL, b"ping" + n.to_bytes(2, "big"))
        sim.schedule(n * 20_000, lambda s=src, f=frame: s.send(f))
    with PcapWriter(path) as writer:
        net.capture(writer)
        sim.run()
    return writer.frames_written


def test_tshark_reads_every_frame_and_none_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "run.pcap"
    written = capture_a_faulty_run(path)
    listing = tshark(path).splitlines()
    assert len(listing) == written > 40           # the requests plus the echoed pongs
    assert not any("Malformed" in line for line in listing)
    frames = dissect(path)
    assert [problems for _, problems in frames] == [[]] * written
    assert {protocols for protocols, _ in frames} == {"eth:ethertype:ip:udp:data",
                                                      "eth:ethertype:data"}


def test_the_check_catches_a_broken_capture(tmp_path: Path) -> None:
    a, b = MacAddress.for_node(0), MacAddress.for_node(1)
    good = ipv4_udp(b"\x0a\x00\x00\x01", b"\x0a\x00\x00\x02", 1, 2, b"data", ident=1)
    path = tmp_path / "broken.pcap"
    with PcapWriter(path) as writer:
        writer.write(0, EthernetFrame(b, a, ETHERTYPE_IPV4, good[:-1] + b"X").encode())
        writer.write(1, EthernetFrame(b, a, ETHERTYPE_IPV4, b"\x45\x00\x00\xff" + bytes(50))
                     .encode())
    (_, bad_checksum), (_, malformed) = dissect(path)
    assert bad_checksum == ["expert severity 0x800000", "bad UDP checksum"]
    assert "expert severity 0x800000" in malformed
    assert "Malformed" in tshark(path)
