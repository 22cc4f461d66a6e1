"""Packet capture in the classic libpcap format, which tcpdump, tshark and Wireshark read.

A file is a 24-byte global header (magic, version 2.4, snaplen, linktype 1 = Ethernet), then
one record per frame: a 16-byte header (seconds, sub-second part, captured length, original
length) and the frame's bytes. Timestamps are the simulated clock: with `nanosecond=True`
(the default) the magic is 0xa1b23c4d and the sub-second field holds ns, otherwise the magic
is 0xa1b2c3d4 and it holds us. Simulated time 0 is the Unix epoch.

    with PcapWriter("run.pcap") as pcap:
        network.capture(pcap)
        sim.run()

`read_pcap` parses such bytes back (either magic, either byte order) and reports a damaged
file as `MalformedCapture` with the offset of the problem.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ._errors import MachineError

__all__ = ["LINKTYPE_ETHERNET", "MalformedCapture", "PcapCapture", "PcapRecord", "PcapWriter",
           "read_pcap"]

MAGIC_MICROSECONDS = 0xA1B2C3D4
MAGIC_NANOSECONDS = 0xA1B23C4D
LINKTYPE_ETHERNET = 1
DEFAULT_SNAPLEN = 65535
# magic, version major, minor, thiszone, sigfigs, snaplen, linktype
_GLOBAL_HEADER = struct.Struct("<IHHiIII")
# seconds, sub-second, captured length, original length
_RECORD_HEADER = struct.Struct("<IIII")


class MalformedCapture(MachineError, ValueError):
    """Bytes that are not a valid pcap capture; `offset` is where the problem is."""

    def __init__(self, problem: str, offset: int) -> None:
        super().__init__(f"malformed pcap capture at byte {offset}: {problem}")
        self.problem = problem
        self.offset = offset


class PcapWriter:
    """Writes frames with their simulated timestamps to a path or an open binary stream.

    A path is opened (and truncated) at once and closed by `close()` or the `with` block; a
    stream given by the caller is flushed on `close()` but left open."""

    def __init__(self, target: str | Path | BinaryIO, *, nanosecond: bool = True,
                 snaplen: int = DEFAULT_SNAPLEN) -> None:
        if not isinstance(snaplen, int) or not 60 <= snaplen <= 0x7FFFFFFF:
            raise ValueError(f"snaplen must be 60..{0x7FFFFFFF} bytes, got {snaplen!r}")
        self.nanosecond = nanosecond
        self.snaplen = snaplen
        self.frames_written = 0
        self._owns_stream = isinstance(target, (str, Path))
        self._stream: BinaryIO = (open(target, "wb") if isinstance(target, (str, Path))
                                  else target)
        magic = MAGIC_NANOSECONDS if nanosecond else MAGIC_MICROSECONDS
        self._stream.write(_GLOBAL_HEADER.pack(magic, 2, 4, 0, 0, snaplen, LINKTYPE_ETHERNET))
        self._closed = False

    def write(self, time_ns: int, data: bytes) -> None:
        """Append one frame captured at simulated time `time_ns` (cut to `snaplen`)."""
        if self._closed:
            raise ValueError("this PcapWriter is closed; open a new one to keep capturing")
        if time_ns < 0:
            raise ValueError(f"a capture timestamp cannot be negative, got {time_ns!r} ns")
        seconds, sub = divmod(time_ns, 1_000_000_000)
        if not self.nanosecond:
            sub //= 1000
        if seconds > 0xFFFFFFFF:
            raise ValueError(f"simulated time {time_ns} ns is past what pcap's 32-bit seconds"
                             " field can hold (year 2106)")
        kept = data[:self.snaplen]
        self._stream.write(_RECORD_HEADER.pack(seconds, sub, len(kept), len(data)))
        self._stream.write(kept)
        self.frames_written += 1

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._stream.flush()
        if self._owns_stream:
            self._stream.close()

    def __enter__(self) -> PcapWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class PcapRecord:
    time_ns: int
    data: bytes
    original_length: int


@dataclass(frozen=True, slots=True)
class PcapCapture:
    nanosecond: bool
    snaplen: int
    linktype: int
    records: tuple[PcapRecord, ...]


_MAGICS = {MAGIC_MICROSECONDS: False, MAGIC_NANOSECONDS: True}


def read_pcap(data: bytes) -> PcapCapture:
    """Parse a classic pcap capture (either timestamp resolution, either byte order)."""
    if len(data) < _GLOBAL_HEADER.size:
        raise MalformedCapture(f"file of {len(data)} bytes is shorter than the"
                               f" {_GLOBAL_HEADER.size}-byte global header", len(data))
    for order in "<>":
        magic = struct.unpack_from(order + "I", data, 0)[0]
        if magic in _MAGICS:
            break
    else:
        raise MalformedCapture(f"unknown magic 0x{data[:4].hex()}: not a classic pcap file"
                               " (pcapng is not supported)", 0)
    nanosecond = _MAGICS[magic]
    _, major, minor, _, _, snaplen, linktype = struct.unpack_from(
        order + _GLOBAL_HEADER.format[1:], data, 0)
    if (major, minor) != (2, 4):
        raise MalformedCapture(f"version {major}.{minor}, expected 2.4", 4)
    record_header = struct.Struct(order + _RECORD_HEADER.format[1:])
    records = []
    offset = _GLOBAL_HEADER.size
    scale = 1 if nanosecond else 1000
    while offset < len(data):
        if len(data) - offset < record_header.size:
            raise MalformedCapture("truncated record header", offset)
        seconds, sub, captured, original = record_header.unpack_from(data, offset)
        if sub >= 1_000_000_000 // scale:
            raise MalformedCapture(f"sub-second field {sub} out of range", offset + 4)
        if captured > original or captured > snaplen:
            raise MalformedCapture(f"captured length {captured} exceeds the original length"
                                   f" {original} or the snaplen {snaplen}", offset + 8)
        start = offset + record_header.size
        if start + captured > len(data):
            raise MalformedCapture(f"record needs {captured} bytes, only"
                                   f" {len(data) - start} remain", start)
        records.append(PcapRecord(seconds * 1_000_000_000 + sub * scale,
                                  bytes(data[start:start + captured]), original))
        offset = start + captured
    return PcapCapture(nanosecond, snaplen, linktype, tuple(records))
