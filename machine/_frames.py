"""MAC addresses and Ethernet II frames, as they cross the simulated network.

A frame on the wire is `dst (6) | src (6) | ethertype (2) | payload`, padded with zeros to the
60-byte minimum. The 4-byte FCS is left off, as packet captures normally show frames, so
`encode()` is exactly the bytes a pcap record holds.

    frame = EthernetFrame(MacAddress.parse("02:00:00:00:00:02"), MacAddress.for_node(0),
                          ETHERTYPE_EXPERIMENTAL, b"hello")
    assert EthernetFrame.decode(frame.encode()).payload[:5] == b"hello"

Bad bytes never give a traceback: `decode` raises `MalformedFrame`, naming the problem and
the byte offset where it was found.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._errors import MachineError

__all__ = [
    "BROADCAST", "ETHERNET_HEADER_LEN", "ETHERNET_MIN_FRAME", "ETHERNET_MTU",
    "ETHERTYPE_EXPERIMENTAL", "ETHERTYPE_IPV4", "EthernetFrame", "FrameError", "MacAddress",
    "MalformedFrame",
]

ETHERNET_HEADER_LEN = 14
ETHERNET_MIN_FRAME = 60          # without the FCS; shorter frames are zero-padded
ETHERNET_MTU = 1500              # the largest payload of a standard (non-jumbo) frame
ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_EXPERIMENTAL = 0x88B5  # IEEE "local experimental": tshark shows the payload as data
_ETHERTYPE_MIN = 0x0600          # below this the field is an 802.3 length, not a type


class FrameError(MachineError, ValueError):
    """A MAC address or frame that cannot exist (bad text, bad field, payload over the MTU)."""


class MalformedFrame(FrameError):
    """Bytes that do not decode as an Ethernet II frame; `offset` is where the problem is."""

    def __init__(self, problem: str, offset: int) -> None:
        super().__init__(f"malformed Ethernet frame at byte {offset}: {problem}")
        self.problem = problem
        self.offset = offset


@dataclass(frozen=True, slots=True)
class MacAddress:
    """A 48-bit MAC address; `str()` gives the usual `02:00:00:00:00:01` form."""

    octets: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.octets, bytes) or len(self.octets) != 6:
            raise FrameError(f"a MAC address is 6 bytes, got {self.octets!r};"
                             " use MacAddress.parse('02:00:00:00:00:01') for text")

    @classmethod
    def parse(cls, text: str) -> MacAddress:
        """Parse six hex pairs separated by ':' or '-' (case does not matter)."""
        parts = text.replace("-", ":").split(":") if isinstance(text, str) else []
        if len(parts) != 6 or not all(len(p) == 2 and _is_hex(p) for p in parts):
            raise FrameError(f"bad MAC address {text!r}: expected six hex pairs like"
                             " '02:00:00:00:00:01'")
        return cls(bytes(int(p, 16) for p in parts))

    @classmethod
    def for_node(cls, node: int, nic: int = 0) -> MacAddress:
        """The deterministic, locally administered unicast MAC of NIC `nic` on node `node`.

        Layout `02:<nic>:<node + 1, 4 bytes>`: node 0's first NIC is 02:00:00:00:00:01."""
        if not 0 <= node < 0xFFFFFFFF or not 0 <= nic <= 0xFF:
            raise FrameError(f"no MAC for node {node!r}, nic {nic!r}: node must be in"
                             f" 0..{0xFFFFFFFF - 1} and nic in 0..255")
        return cls(bytes([0x02, nic]) + (node + 1).to_bytes(4, "big"))

    @property
    def is_broadcast(self) -> bool:
        return self.octets == b"\xff" * 6

    @property
    def is_multicast(self) -> bool:
        """True for group addresses (the broadcast address included)."""
        return bool(self.octets[0] & 0x01)

    def __str__(self) -> str:
        return ":".join(f"{b:02x}" for b in self.octets)

    def __repr__(self) -> str:
        return f"MacAddress('{self}')"


BROADCAST = MacAddress(b"\xff" * 6)


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)


@dataclass(frozen=True, slots=True)
class EthernetFrame:
    """An Ethernet II frame: destination, source, ethertype and up to MTU bytes of payload."""

    dst: MacAddress
    src: MacAddress
    ethertype: int
    payload: bytes = b""

    def __post_init__(self) -> None:
        for name in ("dst", "src"):
            if not isinstance(getattr(self, name), MacAddress):
                raise FrameError(f"frame {name} must be a MacAddress, got"
                                 f" {getattr(self, name)!r}; use MacAddress.parse(...)")
        if not isinstance(self.ethertype, int) or not _ETHERTYPE_MIN <= self.ethertype <= 0xFFFF:
            raise FrameError(f"bad ethertype {self.ethertype!r}: an Ethernet II type is in"
                             f" 0x{_ETHERTYPE_MIN:04x}..0xffff (e.g. 0x88b5, local experimental)")
        if not isinstance(self.payload, (bytes, bytearray)):
            raise FrameError(f"frame payload must be bytes, got {type(self.payload).__name__}")
        if len(self.payload) > ETHERNET_MTU:
            raise FrameError(f"payload of {len(self.payload)} bytes exceeds the MTU of"
                             f" {ETHERNET_MTU}; split it into several frames")
        if isinstance(self.payload, bytearray):
            object.__setattr__(self, "payload", bytes(self.payload))

    @property
    def wire_length(self) -> int:
        """Bytes on the wire without the FCS: header + payload, at least 60."""
        return max(ETHERNET_MIN_FRAME, ETHERNET_HEADER_LEN + len(self.payload))

    def encode(self) -> bytes:
        """The frame's bytes as a capture shows them (zero-padded to 60, no FCS)."""
        header = self.dst.octets + self.src.octets + self.ethertype.to_bytes(2, "big")
        data = header + self.payload
        return data + bytes(ETHERNET_MIN_FRAME - len(data)) if len(data) < ETHERNET_MIN_FRAME \
            else data

    @classmethod
    def decode(cls, data: bytes) -> EthernetFrame:
        """Parse wire bytes. The payload keeps any padding: Ethernet cannot tell it apart
        from data, so the protocol inside carries its own length."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise MalformedFrame(f"expected bytes, got {type(data).__name__}", 0)
        data = bytes(data)
        if len(data) < ETHERNET_HEADER_LEN:
            raise MalformedFrame(f"truncated header: {len(data)} bytes, an Ethernet header"
                                 f" needs {ETHERNET_HEADER_LEN}", len(data))
        if len(data) < ETHERNET_MIN_FRAME:
            raise MalformedFrame(f"runt frame of {len(data)} bytes: the minimum without FCS is"
                                 f" {ETHERNET_MIN_FRAME}", len(data))
        ethertype = int.from_bytes(data[12:14], "big")
        if ethertype < _ETHERTYPE_MIN:
            raise MalformedFrame(f"type/length field 0x{ethertype:04x} is an 802.3 length,"
                                 " not an Ethernet II ethertype", 12)
        if len(data) - ETHERNET_HEADER_LEN > ETHERNET_MTU:
            raise MalformedFrame(f"payload of {len(data) - ETHERNET_HEADER_LEN} bytes exceeds"
                                 f" the MTU of {ETHERNET_MTU}", ETHERNET_HEADER_LEN + ETHERNET_MTU)
        return cls(MacAddress(data[0:6]), MacAddress(data[6:12]), ethertype, data[14:])

    def summary(self) -> str:
        """One deterministic line for traces: `src>dst type=0x88b5 len=60`."""
        return f"{self.src}>{self.dst} type=0x{self.ethertype:04x} len={self.wire_length}"
