"""`Runtime`: the Ebb runtime on a simulated cluster.

    sim = Simulator(seed=1)
    rt = Runtime(sim, nodes=2, cores=4)
    rt.spawn(main, node=0, core=0)       # main() runs as an event on node0.core0
    rt.run_until(10_000_000)             # 10 ms of simulated time
    rt.counters()                        # {'events': ..., 'faults': ..., ...}

It builds the nodes (`machine.Node`), boots the runtime on each (event managers, static Ebbs,
interrupt handlers), optionally plugs a NIC per node into a `Network`, and offers the run
calls of the simulator. `call_gate` is the one hook for checking calls: when it is a callable,
every call through an `EbbRef` on any core of this runtime is handed to it as
`gate(ref, rep, method, args, kwargs)` (see _ebbref.py); None, the default, is the fast path.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ..machine import NIC_VECTOR, CostModel, Network, Nic, Node, Simulator
from ._cpu import CPU
from ._ebbref import CallGate, EbbRef
from ._events import EventManager
from ._ids import IdAllocator
from ._node import NodeRuntime
from ._table import GlobalIdMap
from ._timer import Timer


__all__ = ["Runtime", "direct_gate"]


def direct_gate(ref: EbbRef[Any], rep: Any, method: str, args: tuple, kwargs: dict) -> Any:
    """A call gate that only makes the call: set it to count every call (`calls`)."""
    return getattr(rep, method)(*args, **kwargs)


class Runtime:
    """`nodes` nodes of `cores` cores each on `sim`, running the Ebb runtime.

    With a `network`, each node gets a NIC (`nics[n]`) plugged into it, whose receive
    interrupt is `NIC_VECTOR` on core 0; handle it with `register_interrupt`. `timer` is the
    class of the Timer Ebb's representatives (a subclass of `Timer`, e.g. a broken variant
    that a test wants caught)."""

    def __init__(self, sim: Simulator, *, nodes: int = 1, cores: int = 1,
                 network: Network | None = None, cost: CostModel | None = None,
                 memory_pages: int = 1024, call_gate: CallGate | None = None,
                 timer: type[Timer] = Timer) -> None:
        if type(nodes) is not int or nodes < 1:
            raise ValueError(f"a runtime needs at least one node, got nodes={nodes!r}")
        if not (isinstance(timer, type) and issubclass(timer, Timer)):
            raise TypeError(f"timer must be Timer or a subclass of it, not {timer!r}")
        self.sim = sim
        self.call_gate = call_gate
        self.timer_type = timer         # the Timer Ebb's class on every node (TIMER_ID)
        self.network = network
        self.global_ids = GlobalIdMap("global")
        self.nodes: tuple[Node, ...] = tuple(
            Node(sim, n, cores=cores, memory_pages=memory_pages, cost=cost)
            for n in range(nodes))
        self.nics: tuple[Nic, ...] = ()
        if network is not None:
            self.nics = tuple(network.attach(Nic(sim, node=node.id)) for node in self.nodes)
            for node, nic in zip(self.nodes, self.nics):
                node.attach_nic(nic, core=0, vector=NIC_VECTOR)
        self._ids = [IdAllocator(node.id) for node in self.nodes]
        self._node_rts = [NodeRuntime(self, node, self._ids[node.id]) for node in self.nodes]
        self._retired = {"events": 0, "interrupts": 0, "faults": 0, "calls": 0,
                         "remote_spawns": 0, "ipis": 0, "hooks_fired": 0}

    # ------------------------------------------------------------------ looking things up
    def node_runtime(self, node: int) -> NodeRuntime:
        self._check_node(node)
        return self._node_rts[node]

    def event_manager(self, node: int = 0, core: int = 0) -> EventManager:
        ems = self.node_runtime(node).ems
        if type(core) is not int or not 0 <= core < len(ems):
            raise ValueError(f"node{node} has no core {core!r}; its cores are 0..{len(ems) - 1}")
        return ems[core]

    @property
    def now(self) -> int:
        return self.sim.now

    # ------------------------------------------------------------------ starting work
    def spawn(self, work: Callable[[], Any], *, node: int = 0, core: int = 0) -> None:
        """Queue `work` (a function, or an `async def` function) as an event on a core;
        this is how work enters the runtime from outside."""
        self.event_manager(node, core)._post(work)

    def register_interrupt(self, node: int, core: int, vector: int,
                           handler: Callable[[int], Any]) -> None:
        """Run `handler(vector)` as an event when `vector` is taken on that core (a device's
        interrupt, e.g. a NIC's receive interrupt)."""
        self.event_manager(node, core).register_interrupt(vector, handler)

    @contextmanager
    def on_core(self, node: int = 0, core: int = 0) -> Iterator[EventManager]:
        """Run the body as if on that core (its translation table live; no simulated time
        passes): for tests and interactive use, e.g. to create an Ebb before a run."""
        em = self.event_manager(node, core)
        saved_table, saved_em = CPU.table, CPU.em
        CPU.switch(em.table if self.call_gate is None else em.gated_table, em)
        try:
            yield em
        finally:
            CPU.switch(saved_table, saved_em)

    # ------------------------------------------------------------------ running
    def run_until(self, time: int) -> None:
        """Run the simulation up to virtual time `time` (ns)."""
        self.sim.run_until(time)

    def run_for(self, duration: int) -> None:
        self.sim.run_for(duration)

    def run(self, max_events: int | None = None) -> int:
        """Run until nothing is left to do (never, while a core has an idle callback)."""
        return self.sim.run(max_events)

    # ------------------------------------------------------------------ crash and restart
    def crash(self, node: int) -> None:
        """Crash a node: its pending work, interrupts and timers are lost."""
        self._check_node(node)
        self.nodes[node].crash()

    def restart(self, node: int) -> None:
        """Reboot a crashed node: a fresh runtime there (empty tables and local id map; the
        runtime's global id map and the node's id allocator carry on)."""
        self._check_node(node)
        old = self._node_rts[node]
        self.nodes[node].restart()
        for key, value in _counts([old]).items():
            self._retired[key] += value
        self._node_rts[node] = NodeRuntime(self, self.nodes[node], self._ids[node])

    # ------------------------------------------------------------------ counters
    def counters(self) -> dict[str, int]:
        """Totals over every core: `events` run (interrupt handlers included), `interrupts`,
        `faults` (translation faults), `calls` (calls through an EbbRef that went through the
        call gate: every call while a gate is set; the ungated fast path is not counted),
        `remote_spawns`, `ipis`, `hooks_fired` (timer hooks), and `sim_events` (simulator
        events, machine included)."""
        totals = dict(self._retired)
        for key, value in _counts(self._node_rts).items():
            totals[key] += value
        totals["sim_events"] = self.sim.events_run
        return totals

    def _check_node(self, node: int) -> None:
        if type(node) is not int or not 0 <= node < len(self.nodes):
            raise ValueError(f"no node {node!r}; this runtime has nodes 0..{len(self.nodes) - 1}")

    def __repr__(self) -> str:
        cores = len(self.nodes[0].cores)
        gate = "" if self.call_gate is None else " gated"
        return f"<Runtime {len(self.nodes)} nodes x {cores} cores at {self.sim.now} ns{gate}>"


def _counts(node_rts: list[NodeRuntime]) -> dict[str, int]:
    ems = [em for node_rt in node_rts for em in node_rt.ems]
    return {"events": sum(em.events for em in ems),
            "interrupts": sum(em.interrupts for em in ems),
            "faults": sum(em.faults for em in ems),
            "calls": sum(em.gated_calls for em in ems),
            "remote_spawns": sum(em.remote_spawns for em in ems),
            "ipis": sum(em.ipis for em in ems),
            "hooks_fired": sum(t.fired for node_rt in node_rts for t in node_rt.timers())}
