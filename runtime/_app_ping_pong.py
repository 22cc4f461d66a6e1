"""`ebb run ping-pong`: pairs of nodes exchange pings through the Messenger over a bad network.

Nodes 0 and 1 (and 2 and 3, ...: every pair; an odd last node idles) play: the first sends
`ping <i>`, the second answers `pong <i>`, and the next ping leaves when the pong arrives, `PINGS`
times. The network loses 10% of the frames, duplicates 5% and delays 20% by up to 50 us (so they
may overtake each other); the Messenger's acknowledgements and retransmissions deliver every
message exactly once anyway. The summary reports the round trips (time from a ping's send to
its pong's delivery, on the pinging node's clock) and what the Messenger did."""

from __future__ import annotations

from functools import partial

from ._apps import App, AppRun, format_ns
from ._clock import CLOCK
from ._messenger import Messenger, MessengerConfig
from ._observations import format_us

__all__ = ["APP", "PingPong"]

PINGS = 20
LOSS, DUPLICATE, REORDER = 0.10, 0.05, 0.20


class PingPong(App):
    name = "ping-pong"
    description = (f"pairs of nodes exchange {PINGS} pings through the Messenger over a network "
                   f"that loses {LOSS:.0%} of the frames (needs 2 nodes)")
    min_nodes = 2

    def __init__(self) -> None:
        self.round_trips: list[int] = []
        self.sent_at: dict[int, int] = {}        # pinging node -> when its last ping left
        self.pairs = 0

    def start(self, run: AppRun) -> None:
        self.run = run
        run.network.set_conditions(loss=LOSS, duplicate=DUPLICATE, reorder=REORDER)
        with run.runtime.on_core(0, 0):       # the Ebb exists before the run starts
            self.messenger = Messenger.create(MessengerConfig(retransmit_ns=100_000))
        self.pairs = run.nodes // 2
        for pinger in range(0, 2 * self.pairs, 2):
            run.runtime.spawn(partial(self._boot_ponger, pinger + 1), node=pinger + 1)
            run.runtime.spawn(partial(self._boot_pinger, pinger, pinger + 1), node=pinger)

    def _boot_ponger(self, node: int) -> None:
        self.messenger.listen(self._pong)

    def _boot_pinger(self, node: int, peer: int) -> None:
        self.messenger.listen(partial(self._on_pong, node))
        self._ping(node, peer, 0)

    def _ping(self, node: int, peer: int, i: int) -> None:
        self.sent_at[node] = CLOCK.now()
        self.messenger.send(peer, b"ping %d" % i)

    def _pong(self, src: int, payload: bytes) -> None:
        """The second of a pair: answer each ping."""
        word, _, number = payload.partition(b" ")
        if word == b"ping":
            self.messenger.send(src, b"pong " + number)

    def _on_pong(self, node: int, src: int, payload: bytes) -> None:
        word, _, number = payload.partition(b" ")
        if word != b"pong" or not number.isdigit():
            return
        i = int(number)
        rtt = CLOCK.now() - self.sent_at[node]
        self.round_trips.append(rtt)
        if i + 1 < PINGS:
            self._ping(node, src, i + 1)
        else:
            self.run.say(f"node{node} <-> node{src}: {PINGS} round trips, done at "
                         f"{format_us(CLOCK.now())}")

    def summary(self) -> list[str]:
        totals: dict[str, int] = {}
        for node in range(2 * self.pairs):
            with self.run.runtime.on_core(node, 0):
                for key, value in self.messenger().counters().items():
                    totals[key] = totals.get(key, 0) + value
        trips = self.round_trips
        lines = [f"round trips      {len(trips)} of {PINGS * self.pairs}"]
        if trips:
            mean = sum(trips) // len(trips)
            lines[0] += (f" (min {format_ns(min(trips))}, mean {format_ns(mean)}, max "
                         f"{format_ns(max(trips))})")
        lines.append(f"messages         sent {totals.get('sent', 0)}, delivered "
                     f"{totals.get('delivered', 0)}, retransmitted {totals.get('retransmits', 0)}"
                     f", duplicates dropped {totals.get('duplicates', 0)}, malformed "
                     f"{totals.get('malformed', 0)}")
        return lines


APP = PingPong
