"""Time as software on a simulated core sees it.

`Clock` is a shared Ebb (one representative per node, static id `CLOCK_ID`, reached as
`CLOCK`): `CLOCK.now()` is the running core's local clock in nanoseconds, `core.now`, which is
the simulator's time plus what the running event has been charged so far (so time moves on
inside an event that does costly work). Outside any event it is the simulator's time.

`CoreContext` is the same view in the shape the verifier's contracts read (`now`, `this_core`,
`ncores`, like `ebbrt.verifier.Context`): a representative keeps one as `self.context`, so
contracts enforced on it see the simulated clock and the core the call runs on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._cpu import CPU
from ._ebbref import EbbRef
from ._ids import CLOCK_ID
from ._reps import SharedEbb

if TYPE_CHECKING:
    from ..machine import Core
    from ._node import NodeRuntime

__all__ = ["CLOCK", "Clock", "CoreContext"]


class Clock(SharedEbb):
    """The node's clock: nanoseconds of simulated time, as the running core sees them."""

    def __init__(self, node_rt: NodeRuntime) -> None:
        self.sim = node_rt.node.sim

    def now(self) -> int:
        """The running core's local time in ns (the simulator's time outside any event)."""
        em = CPU.em
        return em.core.now if em is not None else self.sim.now

    def __repr__(self) -> str:
        return f"<Clock at {self.now()} ns>"


CLOCK: EbbRef[Clock] = EbbRef[Clock](CLOCK_ID)


class CoreContext:
    """What a contract reads about where and when a call runs: `now` (the running core's
    local time), `this_core` (its index) and `ncores` (cores on the node). `home` is the core
    used outside any event (the core the representative belongs to)."""

    __slots__ = ("home",)

    def __init__(self, home: Core) -> None:
        self.home = home

    @property
    def now(self) -> int:
        em = CPU.em
        return (em.core if em is not None else self.home).now

    @property
    def this_core(self) -> int:
        em = CPU.em
        return em.index if em is not None else self.home.index

    @property
    def ncores(self) -> int:
        return len(self.home.node.cores)

    def __repr__(self) -> str:
        return f"CoreContext(now={self.now}, this_core={self.this_core}, ncores={self.ncores})"
