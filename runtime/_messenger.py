"""`Messenger`: datagrams between nodes over the NICs, each delivered exactly once.

    messenger = Messenger.create()                 # a distributed Ebb: one rep per node
    messenger.listen(lambda src, payload: ...)     # on every node that receives
    messenger.send(1, b"ping")                     # to node 1; returns the sequence number

A message travels as one Ethernet frame (ethertype `ETHERTYPE_EXPERIMENTAL`) whose payload is a
14-byte header and the message:

    magic "EB" | version 1 | kind (1 data, 2 ack) | src node u16 | dst node u16 | seq u32 |
    length u16 | payload (length bytes; Ethernet pads short frames, so the length is needed)

Numbers are big-endian. The receiving node's NIC interrupt (on the NIC's core) takes the
frames; each new data message runs the handler as an event of its own, `handler(src, payload)`,
and is acknowledged. The sender keeps every message until its ack comes and retransmits it
from a Timer hook on the core that sent it, with a timeout that doubles up to 8x. Sequence
numbers count per destination; the receiver remembers which it has delivered from each source
(all below a low-water mark, and a set above it), so a retransmitted or duplicated message is
acknowledged again but never delivered twice. A message that arrives before `listen` on its node
is neither acknowledged nor remembered: the sender tries again.

A frame that is not a well-formed message for this node (another ethertype, a short or
truncated header, a bad magic, version or kind, another node's address, an unknown source) is
dropped and counted by reason (`malformed`), never a traceback.
"""

from __future__ import annotations

import struct
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from ..machine import (ETHERNET_MTU, ETHERTYPE_EXPERIMENTAL, NIC_VECTOR, EthernetFrame,
                       MacAddress)
from ._cpu import current_event_manager
from ._errors import InvalidArgument, RuntimeFault
from ._events import spawn_local
from ._reps import DistributedEbb
from ._timer import TIMER

__all__ = ["DATA", "ACK", "Datagram", "MalformedDatagram", "Messenger", "MessengerConfig"]

HEADER = struct.Struct("!2sBBHHIH")
MAGIC = b"EB"
VERSION = 1
DATA, ACK = 1, 2
MAX_PAYLOAD = ETHERNET_MTU - HEADER.size
MAX_BACKOFF = 8          # the retransmission timeout grows to at most 8x the first one

Handler = Callable[[int, bytes], Any]


class MalformedDatagram(RuntimeFault, ValueError):
    """Bytes that are not a Messenger datagram; `reason` is a short name for the counters."""

    def __init__(self, reason: str, problem: str) -> None:
        super().__init__(f"malformed datagram ({reason}): {problem}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Datagram:
    """One message or acknowledgement, as the header above describes it."""
    kind: int
    src: int
    dst: int
    seq: int
    payload: bytes = b""

    def encode(self) -> bytes:
        return HEADER.pack(MAGIC, VERSION, self.kind, self.src, self.dst, self.seq,
                           len(self.payload)) + self.payload

    @classmethod
    def decode(cls, data: bytes) -> Datagram:
        """Parse `data` (a frame's payload, padding included); `MalformedDatagram` if bad."""
        if len(data) < HEADER.size:
            raise MalformedDatagram("short", f"{len(data)} bytes, the header alone is "
                                             f"{HEADER.size}")
        magic, version, kind, src, dst, seq, length = HEADER.unpack_from(data)
        if magic != MAGIC:
            raise MalformedDatagram("magic", f"starts with {magic!r}, not {MAGIC!r}")
        if version != VERSION:
            raise MalformedDatagram("version", f"version {version}, this is {VERSION}")
        if kind not in (DATA, ACK):
            raise MalformedDatagram("kind", f"kind {kind} is neither data (1) nor ack (2)")
        if length > len(data) - HEADER.size:
            raise MalformedDatagram("truncated", f"says {length} payload bytes, has "
                                                 f"{len(data) - HEADER.size}")
        return cls(kind, src, dst, seq, bytes(data[HEADER.size:HEADER.size + length]))


@dataclass(frozen=True)
class MessengerConfig:
    """`retransmit_ns`: the first retransmission timeout (it doubles on each retry, up to
    8x)."""
    retransmit_ns: int = 100_000

    def __post_init__(self) -> None:
        if type(self.retransmit_ns) is not int or self.retransmit_ns <= 0:
            raise InvalidArgument(f"retransmit_ns must be a positive int (ns), got "
                                  f"{self.retransmit_ns!r}")


class _Delivered:
    """The sequence numbers delivered from one source: all below `low`, and `above`."""

    __slots__ = ("low", "above")

    def __init__(self) -> None:
        self.low = 0
        self.above: set[int] = set()

    def add(self, seq: int) -> bool:
        """Remember `seq`; False if it was delivered before."""
        if seq < self.low or seq in self.above:
            return False
        self.above.add(seq)
        while self.low in self.above:
            self.above.remove(self.low)
            self.low += 1
        return True


class _Outgoing:
    """A message not yet acknowledged; also the Timer hook that retransmits it."""

    __slots__ = ("messenger", "dst", "seq", "frame", "tries", "core", "acked")

    def __init__(self, messenger: Messenger, dst: int, seq: int, frame: EthernetFrame,
                 core: int) -> None:
        self.messenger, self.dst, self.seq, self.frame = messenger, dst, seq, frame
        self.tries, self.core, self.acked = 1, core, False

    def fire(self) -> None:
        if not self.acked:
            self.messenger._retransmit(self)

    def __repr__(self) -> str:
        return f"<message node{self.messenger.node}->node{self.dst} #{self.seq}>"


class Messenger(DistributedEbb):
    """Each node's end of the messenger; built on the node's first call from the root, a
    `MessengerConfig` (or None for the defaults)."""

    def __init__(self, root: MessengerConfig | None = None) -> None:
        em = current_event_manager("building a Messenger representative")
        runtime = em.runtime
        if not runtime.nics:
            raise RuntimeFault("the Messenger sends frames, but this runtime has no network: "
                               "build it with Runtime(sim, ..., network=Network(sim))")
        self.node = em.node_rt.node.id
        self.nodes = len(runtime.nodes)
        self.nic = runtime.nics[self.node]
        self.sim = runtime.sim
        self.name = f"node{self.node}.messenger"
        self.config = root if root is not None else MessengerConfig()
        self._handler: Handler | None = None
        self._next_seq: dict[int, int] = {}
        self._unacked: dict[tuple[int, int], _Outgoing] = {}
        self._delivered: dict[int, _Delivered] = {}
        self.sent = self.retransmits = self.acks_sent = self.acks_received = 0
        self.delivered = self.duplicates = self.not_listening = 0
        self.malformed: Counter[str] = Counter()
        runtime.register_interrupt(self.node, 0, NIC_VECTOR, self._on_receive)

    # ------------------------------------------------------------------ the API
    def listen(self, handler: Handler | None) -> None:
        """Deliver this node's messages to `handler(src, payload)`, each as an event on the
        NIC's core (None: stop delivering; messages are then not acknowledged)."""
        if handler is not None and not callable(handler):
            raise InvalidArgument(f"a Messenger handler is called as handler(src, payload); "
                                  f"got {handler!r}")
        self._handler = handler

    def send(self, dst: int, payload: bytes) -> int:
        """Send `payload` to node `dst`; it will be delivered there exactly once (as long as
        the network delivers some frame eventually). Returns its sequence number."""
        if type(dst) is not int or not 0 <= dst < self.nodes or dst == self.node:
            raise InvalidArgument(f"no node {dst!r} to send to from node{self.node}: give "
                                  f"another node's number, 0..{self.nodes - 1}")
        if not isinstance(payload, (bytes, bytearray)) or len(payload) > MAX_PAYLOAD:
            raise InvalidArgument(f"a message is at most {MAX_PAYLOAD} bytes of `bytes`, got "
                                  f"{type(payload).__name__} of {_size(payload)}")
        seq = self._next_seq.get(dst, 0)
        self._next_seq[dst] = seq + 1
        frame = self._frame(Datagram(DATA, self.node, dst, seq, bytes(payload)))
        core = current_event_manager("sending a message").index
        out = self._unacked[(dst, seq)] = _Outgoing(self, dst, seq, frame, core)
        self.sent += 1
        self._trace("msg.send", f"to=node{dst} seq={seq} len={len(payload)}")
        self.nic.send(frame)
        TIMER.start(out, self.config.retransmit_ns, False)
        return seq

    def in_flight(self) -> int:
        """Messages sent and not yet acknowledged."""
        return len(self._unacked)

    def counters(self) -> dict[str, int]:
        totals = {"sent": self.sent, "retransmits": self.retransmits,
                  "acks_sent": self.acks_sent, "acks_received": self.acks_received,
                  "delivered": self.delivered, "duplicates": self.duplicates,
                  "not_listening": self.not_listening, "in_flight": len(self._unacked),
                  "malformed": sum(self.malformed.values())}
        totals.update({f"malformed.{reason}": n for reason, n in sorted(self.malformed.items())})
        return totals

    def __repr__(self) -> str:
        return f"<Messenger node{self.node} in flight={len(self._unacked)}>"

    # ------------------------------------------------------------------ sending
    def _frame(self, datagram: Datagram) -> EthernetFrame:
        return EthernetFrame(MacAddress.for_node(datagram.dst), self.nic.mac,
                             ETHERTYPE_EXPERIMENTAL, datagram.encode())

    def _retransmit(self, out: _Outgoing) -> None:
        out.tries += 1
        self.retransmits += 1
        self._trace("msg.retransmit", f"to=node{out.dst} seq={out.seq} try={out.tries}")
        self.nic.send(out.frame)
        backoff = min(1 << (out.tries - 1), MAX_BACKOFF)
        TIMER.start(out, self.config.retransmit_ns * backoff, False)

    # ------------------------------------------------------------------ receiving
    def _on_receive(self, vector: int) -> None:
        """The NIC's receive interrupt: take every frame on the ring."""
        for frame in self.nic.receive():
            try:
                datagram = self._check(frame)
            except MalformedDatagram as bad:
                self.malformed[bad.reason] += 1
                self._trace("msg.drop", f"reason={bad.reason} from={frame.src}")
                continue
            if datagram.kind == ACK:
                self._on_ack(datagram)
            else:
                self._on_data(datagram)

    def _check(self, frame: EthernetFrame) -> Datagram:
        if frame.ethertype != ETHERTYPE_EXPERIMENTAL:
            raise MalformedDatagram("ethertype", f"ethertype {frame.ethertype:#06x}")
        datagram = Datagram.decode(frame.payload)
        if datagram.dst != self.node:
            raise MalformedDatagram("destination", f"for node {datagram.dst}, this is node "
                                                   f"{self.node}")
        if not datagram.src < self.nodes or datagram.src == self.node:
            raise MalformedDatagram("source", f"from node {datagram.src}, which cannot send "
                                              "here")
        return datagram

    def _on_ack(self, ack: Datagram) -> None:
        out = self._unacked.pop((ack.src, ack.seq), None)
        if out is None:
            return          # a duplicate ack, or one for a message acknowledged already
        out.acked = True
        self.acks_received += 1
        em = current_event_manager("taking an acknowledgement")
        if em.index == out.core and TIMER.is_armed(out):
            TIMER.stop(out)  # only the core that armed it may stop it; elsewhere it fires idle

    def _on_data(self, data: Datagram) -> None:
        handler = self._handler
        if handler is None:
            self.not_listening += 1
            self._trace("msg.drop", f"reason=not-listening from=node{data.src} seq={data.seq}")
            return
        self.acks_sent += 1
        self.nic.send(self._frame(Datagram(ACK, self.node, data.src, data.seq)))
        if not self._delivered.setdefault(data.src, _Delivered()).add(data.seq):
            self.duplicates += 1
            self._trace("msg.duplicate", f"from=node{data.src} seq={data.seq}")
            return
        self.delivered += 1
        self._trace("msg.deliver", f"from=node{data.src} seq={data.seq} len={len(data.payload)}")
        src, payload = data.src, data.payload
        spawn_local(lambda: handler(src, payload), True)

    def _trace(self, kind: str, detail: str) -> None:
        if self.sim.instrument is not None:
            self.sim.record(self.name, kind, detail)


def _size(payload: Any) -> str:
    try:
        return f"{len(payload)} bytes"
    except TypeError:
        return "no length"
