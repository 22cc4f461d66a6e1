"""The network joining NICs: one switch, link conditions, faults, crashes and capture.

The switch forwards by destination MAC (the broadcast or any group address goes to every
other NIC; an unknown unicast address is dropped) without queueing of its own. A frame's
life:

1. its sender's NIC serializes it: `wire_length * 8 / bandwidth` ns, one frame at a time;
2. when the last bit is out it is *sent*: counted, traced, written to the capture;
3. for each destination the switch decides, in this order: receiver down -> dropped;
   sender and receiver in different partition groups -> dropped; loss -> dropped;
   duplication -> a second copy; reordering -> an extra random delay for that copy;
4. after `latency` (plus any extra delay) it *arrives*: the receiver must still be up and
   have room on its receive ring; then it is *delivered* and the receive interrupt raised.

Conditions (`LinkConditions`) are global, optionally overridden per pair of nodes
(`set_link(a, b, latency=...)`), and may change at any time during a run; a change applies to
frames sent after it. So does a partition: a frame already on its way crosses it. Serializing
uses the bandwidth of the path to a unicast frame's destination (the global one for group
addresses). Nodes are named by number; a `Node` or one of its `Nic`s names its node too. Every random decision comes from the simulator's seeded streams
`network.loss`, `network.duplicate` and `network.reorder`, so one seed gives one run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Iterable, Union

from ._errors import MachineError
from ._frames import EthernetFrame, MacAddress
from ._nic import Nic
from ._node import Node

if TYPE_CHECKING:
    from ._pcap import PcapWriter
    from ._sim import Simulator

__all__ = ["LinkConditions", "Network", "NetworkError"]

SOURCE = "network"
NodeRef = Union[int, Node, Nic]      # a node, by number or by one of its objects


class NetworkError(MachineError, ValueError):
    """A bad network setting (a probability outside [0, 1], an unknown node, ...)."""


@dataclass(frozen=True, slots=True)
class LinkConditions:
    """How frames fare on a path. Times are ns; bandwidth is bits/s (None: no limit).

    `reorder` is the probability that a frame gets an extra delay drawn uniformly from
    1..`reorder_delay` ns, so it can overtake or be overtaken by frames sent close to it."""

    latency: int = 10_000
    bandwidth: int | None = 1_000_000_000
    loss: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    reorder_delay: int = 50_000

    def __post_init__(self) -> None:
        for name in ("latency", "reorder_delay"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise NetworkError(f"{name} must be a whole number of ns >= 0, got {value!r}")
        bw = self.bandwidth
        if bw is not None and (isinstance(bw, bool) or not isinstance(bw, int) or bw <= 0):
            raise NetworkError(f"bandwidth must be a positive number of bits/s or None"
                               f" (unlimited), got {bw!r}")
        for name in ("loss", "duplicate", "reorder"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not 0.0 <= value <= 1.0:
                raise NetworkError(f"{name} is a probability in [0, 1], got {value!r}")


_CONDITION_NAMES = frozenset(f.name for f in fields(LinkConditions))


class Network:
    """A switched network of NICs on one simulator."""

    def __init__(self, sim: Simulator, conditions: LinkConditions | None = None,
                 **changes: object) -> None:
        self.sim = sim
        self.conditions = _apply(conditions or LinkConditions(), changes)
        self.sent = 0
        self.delivered = 0
        self.duplicated = 0
        self.dropped: Counter[str] = Counter()
        self._nics: list[Nic] = []
        self._by_mac: dict[MacAddress, Nic] = {}
        self._links: dict[frozenset[int], dict[str, object]] = {}
        self._effective: dict[frozenset[int], LinkConditions] = {}   # overrides applied
        self._group_of: dict[int, int] | None = None   # node -> partition group; None: whole
        self._capture: PcapWriter | None = None
        self._next_frame_id = 0
        self._loss_rng = sim.rng("network.loss")
        self._dup_rng = sim.rng("network.duplicate")
        self._reorder_rng = sim.rng("network.reorder")

    # --- membership ---------------------------------------------------------------------

    def attach(self, nic: Nic) -> Nic:
        """Plug `nic` into the switch; its MAC must be unique on this network."""
        if nic.network is not None:
            raise NetworkError(f"{nic.name} is already attached to a network")
        if nic.mac in self._by_mac:
            raise NetworkError(f"{nic.name} has MAC {nic.mac}, already used by"
                               f" {self._by_mac[nic.mac].name}; give each NIC its own MAC")
        if nic.sim is not self.sim:
            raise NetworkError(f"{nic.name} runs on another Simulator than this network")
        nic.network = self
        self._nics.append(nic)
        self._by_mac[nic.mac] = nic
        return nic

    @property
    def nics(self) -> list[Nic]:
        return list(self._nics)

    def nics_of(self, node: NodeRef) -> list[Nic]:
        key = self._node(node)
        found = [nic for nic in self._nics if nic.node == key]
        if not found:
            raise NetworkError(f"no NIC of node {key!r} is attached to this network;"
                               f" attached nodes: {sorted({n.node for n in self._nics})}")
        return found

    def _node(self, node: NodeRef) -> int:
        if isinstance(node, Nic):
            return node.node
        if isinstance(node, Node):
            return node.id
        if isinstance(node, int) and not isinstance(node, bool):
            return node
        raise NetworkError(f"expected a node number, a Node or a Nic, got {node!r}")

    # --- conditions ---------------------------------------------------------------------

    def set_conditions(self, **changes: object) -> None:
        """Change global conditions, e.g. `set_conditions(loss=0.1, latency=50_000)`."""
        self.conditions = _apply(self.conditions, changes)
        self._effective.clear()
        self.sim.record(SOURCE, "conditions", _describe(changes))

    def set_latency(self, ns: int) -> None:
        self.set_conditions(latency=ns)

    def set_bandwidth(self, bits_per_second: int | None) -> None:
        self.set_conditions(bandwidth=bits_per_second)

    def set_loss(self, probability: float) -> None:
        self.set_conditions(loss=probability)

    def set_duplication(self, probability: float) -> None:
        self.set_conditions(duplicate=probability)

    def set_reordering(self, probability: float, max_delay: int | None = None) -> None:
        changes: dict[str, object] = {"reorder": probability}
        if max_delay is not None:
            changes["reorder_delay"] = max_delay
        self.set_conditions(**changes)

    def set_link(self, a: NodeRef, b: NodeRef, **changes: object) -> None:
        """Override conditions between nodes `a` and `b` (both directions); fields not
        given keep following the global conditions."""
        key = frozenset((self._node(a), self._node(b)))
        merged = {**self._links.get(key, {}), **changes}
        _apply(self.conditions, merged)            # validate now, not at the next frame
        self._links[key] = merged
        self._effective.clear()
        self.sim.record(SOURCE, "link", f"{_pair(key)} {_describe(changes)}")

    def clear_link(self, a: NodeRef, b: NodeRef) -> None:
        """Let the path between `a` and `b` follow the global conditions again."""
        key = frozenset((self._node(a), self._node(b)))
        if self._links.pop(key, None) is not None:
            self._effective.clear()
            self.sim.record(SOURCE, "link", f"{_pair(key)} cleared")

    def link(self, a: NodeRef, b: NodeRef) -> LinkConditions:
        """The conditions in force between nodes `a` and `b`."""
        key = frozenset((self._node(a), self._node(b)))
        overrides = self._links.get(key)
        if not overrides:
            return self.conditions
        effective = self._effective.get(key)
        if effective is None:
            effective = self._effective[key] = _apply(self.conditions, overrides)
        return effective

    def serialization_ns(self, nic: Nic, frame: EthernetFrame) -> int:
        """Time to put `frame` on the wire from `nic`: bits / bandwidth, rounded up."""
        target = self._by_mac.get(frame.dst)
        bandwidth = (self.link(nic.node, target.node) if target is not None
                     else self.conditions).bandwidth
        if bandwidth is None:
            return 0
        return -(-frame.wire_length * 8 * 1_000_000_000 // bandwidth)

    # --- partitions and crashes -----------------------------------------------------------

    def partition(self, *groups: Iterable[NodeRef]) -> None:
        """Split the network: nodes reach only nodes of their own group. Nodes named in no
        group form one more group together. Replaces any earlier partition."""
        group_of: dict[int, int] = {}
        described = []
        for number, group in enumerate(groups, start=1):
            nodes = sorted({self._node(member) for member in group})
            for node in nodes:
                if node in group_of:
                    raise NetworkError(f"node {node} is in two partition groups; each node"
                                       " belongs to at most one")
                group_of[node] = number
            described.append(",".join(map(str, nodes)))
        self._group_of = group_of
        self.sim.record(SOURCE, "partition", " | ".join(described))

    def heal(self) -> None:
        """Remove the partition: every node reaches every other again."""
        self._group_of = None
        self.sim.record(SOURCE, "heal")

    def can_reach(self, a: NodeRef, b: NodeRef) -> bool:
        """True unless a partition separates nodes `a` and `b`."""
        if self._group_of is None:
            return True
        return self._group_of.get(self._node(a), 0) == self._group_of.get(self._node(b), 0)

    def crash(self, node: NodeRef) -> None:
        """Crash every NIC of `node`: it neither sends nor receives until `restart`.

        Only the NICs: `Node.crash()` crashes a whole node, its attached NICs included."""
        for nic in self.nics_of(node):
            nic.crash()

    def restart(self, node: NodeRef) -> None:
        for nic in self.nics_of(node):
            nic.restart()

    def is_up(self, node: NodeRef) -> bool:
        return all(nic.up for nic in self.nics_of(node))

    # --- capture ------------------------------------------------------------------------

    def capture(self, writer: PcapWriter | None) -> None:
        """Write every frame sent from now on to `writer` (None stops capturing)."""
        self._capture = writer

    # --- the life of a frame ----------------------------------------------------------------

    def _carry(self, sender: Nic, frame: EthernetFrame) -> None:
        """`sender` has put `frame` on the wire: count, capture, forward."""
        frame_id = self._next_frame_id
        self._next_frame_id = frame_id + 1
        self.sent += 1
        # trace details are built only when someone records them
        tag = f"id={frame_id} {frame.summary()}" if self.sim.instrument is not None else ""
        self.sim.record(SOURCE, "frame.sent", tag)
        if self._capture is not None:
            self._capture.write(self.sim.now, frame.encode())
        if frame.dst.is_multicast:
            for receiver in self._nics:
                if receiver is not sender:
                    self._forward(sender, receiver, frame, tag)
            return
        receiver = self._by_mac.get(frame.dst)
        if receiver is None or receiver is sender:
            self._drop(tag, "unknown-destination" if receiver is None else "self-addressed")
        else:
            self._forward(sender, receiver, frame, tag)

    def _forward(self, sender: Nic, receiver: Nic, frame: EthernetFrame, tag: str) -> None:
        if tag:
            tag = f"{tag} to={receiver.name}"
        if not receiver.up:
            receiver.dropped_down += 1
            self._drop(tag, "receiver-down")
            return
        if not self.can_reach(sender.node, receiver.node):
            self._drop(tag, "partition")
            return
        path = self.link(sender.node, receiver.node)
        if path.loss and self._loss_rng.random() < path.loss:
            self._drop(tag, "loss")
            return
        copies = 2 if path.duplicate and self._dup_rng.random() < path.duplicate else 1
        for copy in range(copies):
            delay = path.latency
            if path.reorder and path.reorder_delay and self._reorder_rng.random() < path.reorder:
                delay += self._reorder_rng.randint(1, path.reorder_delay)
            copy_tag = f"{tag} copy=2" if copy and tag else tag
            if copy:
                self.duplicated += 1
                self.sim.record(SOURCE, "frame.duplicated", copy_tag)
            self.sim.post(delay, lambda t=copy_tag: self._arrive(receiver, frame, t),
                          label=f"{receiver.name} rx")

    def _arrive(self, receiver: Nic, frame: EthernetFrame, tag: str) -> None:
        refused = receiver._accept(frame)
        if refused is not None:
            self._drop(tag, refused)
            return
        self.delivered += 1
        self.sim.record(SOURCE, "frame.delivered", tag)
        receiver._interrupt()

    def _drop(self, tag: str, reason: str) -> None:
        self.dropped[reason] += 1
        self.sim.record(SOURCE, "frame.dropped", f"{tag} reason={reason}")

    # --- counters -----------------------------------------------------------------------

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())

    def counters(self) -> dict[str, int]:
        """sent, delivered, duplicated, dropped (total) and `dropped.<reason>` for each."""
        result = {"sent": self.sent, "delivered": self.delivered,
                  "duplicated": self.duplicated, "dropped": self.dropped_total}
        result.update({f"dropped.{r}": n for r, n in sorted(self.dropped.items())})
        return result


def _apply(base: LinkConditions, changes: dict[str, object] | None) -> LinkConditions:
    if not changes:
        return base
    unknown = sorted(set(changes) - _CONDITION_NAMES)
    if unknown:
        raise NetworkError(f"unknown link condition(s) {', '.join(unknown)}; known:"
                           f" {', '.join(sorted(_CONDITION_NAMES))}")
    return replace(base, **changes)  # type: ignore[arg-type]


def _describe(changes: dict[str, object]) -> str:
    return " ".join(f"{name}={value}" for name, value in sorted(changes.items()))


def _pair(key: frozenset[int]) -> str:
    return "-".join(str(n) for n in sorted(key))
