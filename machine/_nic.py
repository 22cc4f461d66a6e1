"""A network interface card: a MAC, a transmit ring, a receive ring and a receive interrupt.

`send(frame)` puts a frame on the transmit ring; the NIC serializes frames one at a time onto
its link (at the link's bandwidth, which the `Network` knows) and hands each to the network
when its last bit is out. Arriving frames go on the receive ring and raise the receive
interrupt: `on_receive()` is called once per accepted frame, and the Node wires it to its
interrupt controller. The driver drains the ring with `poll()` (one frame) or `receive()`.

A frame leaves no earlier than `clock()`, when that is set: pointed at the running core's
local time, a frame sent by work that has already been charged 2 us of cost starts on the
wire 2 us after the event began, as IPIs and timer deadlines do.

Both rings have fixed sizes. A full ring drops the frame and counts it, as hardware does; a
crashed NIC neither sends nor receives, and loses whatever its rings held.

    nic = Nic(sim, node=0)
    nic.on_receive = lambda: print("irq", nic.receive())
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Callable

from ._frames import EthernetFrame, FrameError, MacAddress

if TYPE_CHECKING:
    from ._network import Network
    from ._sim import Scheduled, Simulator

__all__ = ["Nic"]

DEFAULT_RING_SIZE = 256


class Nic:
    """One NIC of one node; `name` (e.g. `node0.nic0`) is its source in the trace."""

    def __init__(self, sim: Simulator, *, node: int = 0, index: int = 0,
                 mac: MacAddress | None = None, tx_ring: int = DEFAULT_RING_SIZE,
                 rx_ring: int = DEFAULT_RING_SIZE) -> None:
        for what, size in (("tx_ring", tx_ring), ("rx_ring", rx_ring)):
            if not isinstance(size, int) or size < 1:
                raise FrameError(f"{what} must be a positive number of slots, got {size!r}")
        self.sim = sim
        self.node = node
        self.index = index
        self.mac = mac if mac is not None else MacAddress.for_node(node, index)
        self.name = f"node{node}.nic{index}"
        self.tx_ring_size = tx_ring
        self.rx_ring_size = rx_ring
        self.on_receive: Callable[[], None] | None = None
        self.clock: Callable[[], int] | None = None   # local time of a send; None: sim.now
        self.network: Network | None = None     # set by Network.attach
        self.up = True
        self.sent = 0              # frames whose last bit left this NIC
        self.received = 0          # frames accepted into the receive ring
        self.dropped_tx_full = 0
        self.dropped_rx_full = 0
        self.dropped_down = 0      # frames lost because this NIC was down (or crashed)
        self._tx: deque[tuple[EthernetFrame, int]] = deque()   # (frame, not before time)
        self._rx: deque[EthernetFrame] = deque()
        self._transmitting: Scheduled | None = None

    # --- transmit -----------------------------------------------------------------------

    def send(self, frame: EthernetFrame) -> bool:
        """Queue `frame` for transmission; False (and counted) when it was dropped."""
        if not isinstance(frame, EthernetFrame):
            raise FrameError(f"{self.name}.send expects an EthernetFrame, got"
                             f" {type(frame).__name__}; build one with EthernetFrame(dst, src,"
                             " ethertype, payload)")
        if not self.up:
            self.dropped_down += 1
            self.sim.record(self.name, "frame.dropped", f"{frame.summary()} reason=nic-down")
            return False
        if len(self._tx) >= self.tx_ring_size:
            self.dropped_tx_full += 1
            self.sim.record(self.name, "frame.dropped", f"{frame.summary()} reason=tx-ring-full")
            return False
        ready = self.clock() if self.clock is not None else self.sim.now
        self._tx.append((frame, ready))
        if self._transmitting is None:
            self._start_transmit()
        return True

    @property
    def tx_pending(self) -> int:
        """Frames on the transmit ring (the one being serialized included)."""
        return len(self._tx)

    def _start_transmit(self) -> None:
        frame, ready = self._tx[0]
        network = self.network
        delay = network.serialization_ns(self, frame) if network is not None else 0
        if ready > self.sim.now:
            delay += ready - self.sim.now
        self._transmitting = self.sim.schedule(delay, self._finish_transmit,
                                               label=f"{self.name} tx")

    def _finish_transmit(self) -> None:
        frame, _ = self._tx.popleft()
        self.sent += 1
        if self.network is not None:
            self.network._carry(self, frame)
        else:
            self.sim.record(self.name, "frame.dropped", f"{frame.summary()} reason=no-link")
        if self._tx:
            self._start_transmit()
        else:
            self._transmitting = None

    # --- receive ------------------------------------------------------------------------

    def _accept(self, frame: EthernetFrame) -> str | None:
        """Called by the network when a frame arrives: None if it was queued, else why not."""
        if not self.up:
            self.dropped_down += 1
            return "receiver-down"
        if len(self._rx) >= self.rx_ring_size:
            self.dropped_rx_full += 1
            return "rx-ring-full"
        self._rx.append(frame)
        self.received += 1
        return None

    def _interrupt(self) -> None:
        """Raise the receive interrupt (the network calls this after a trace record)."""
        if self.on_receive is not None:
            self.on_receive()

    def poll(self) -> EthernetFrame | None:
        """Take the oldest frame off the receive ring, or None when it is empty."""
        return self._rx.popleft() if self._rx else None

    def receive(self, limit: int | None = None) -> list[EthernetFrame]:
        """Drain up to `limit` frames (all when None) from the receive ring, oldest first."""
        count = len(self._rx) if limit is None else min(limit, len(self._rx))
        return [self._rx.popleft() for _ in range(count)]

    @property
    def rx_pending(self) -> int:
        return len(self._rx)

    # --- faults -------------------------------------------------------------------------

    def crash(self) -> None:
        """Stop: frames on both rings are lost, nothing is sent or accepted until restart."""
        if not self.up:
            return
        self.up = False
        if self._transmitting is not None:
            self._transmitting.cancel()
            self._transmitting = None
        lost = len(self._tx) + len(self._rx)
        self.dropped_down += lost
        self._tx.clear()
        self._rx.clear()
        self.sim.record(self.name, "nic.crash", f"lost={lost}")

    def restart(self) -> None:
        """Come back up with empty rings; counters keep their totals."""
        if self.up:
            return
        self.up = True
        self.sim.record(self.name, "nic.restart")

    def counters(self) -> dict[str, int]:
        return {"sent": self.sent, "received": self.received,
                "dropped_tx_full": self.dropped_tx_full,
                "dropped_rx_full": self.dropped_rx_full, "dropped_down": self.dropped_down}

    def __repr__(self) -> str:
        state = "up" if self.up else "down"
        return f"<Nic {self.name} {self.mac} {state}>"
