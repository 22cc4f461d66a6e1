"""A core's timer device (like a local APIC timer): one deadline, one-shot or periodic.

`arm(delay_ns)` programs one interrupt `delay_ns` after the core's local time; with
`period_ns` it then repeats every period (the next deadline is set from the previous one, so a
periodic timer never drifts, and it is re-armed before the interrupt is raised). Arming again
replaces the previous programming; `cancel()` disarms. A zero delay still fires as a new
event, never inline. The device raises its vector on its own core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._errors import SchedulingError
from ._interrupts import TIMER_VECTOR

if TYPE_CHECKING:
    from ._cpu import Core
    from ._sim import Scheduled

__all__ = ["TimerDevice"]


class TimerDevice:
    """The timer of one core; `fired` counts interrupts raised."""

    def __init__(self, core: Core, vector: int = TIMER_VECTOR) -> None:
        self.core = core
        self.vector = vector
        self.fired = 0
        self._period = 0
        self._deadline: int | None = None
        self._pending: Scheduled | None = None
        self._label = f"{core.name}.timer"   # its simulator events' label, made once

    @property
    def armed(self) -> bool:
        return self._deadline is not None

    @property
    def deadline(self) -> int | None:
        """The virtual time of the next interrupt, or None when disarmed."""
        return self._deadline

    @property
    def period(self) -> int:
        """The repeat period in ns; 0 for a one-shot timer."""
        return self._period

    def arm(self, delay_ns: int, *, period_ns: int = 0) -> None:
        """Interrupt `delay_ns` from the core's local time, then every `period_ns` if > 0."""
        if type(delay_ns) is not int or delay_ns < 0 or type(period_ns) is not int \
                or period_ns < 0:
            what, value = (("delay_ns", delay_ns) if type(delay_ns) is not int or delay_ns < 0
                           else ("period_ns", period_ns))
            raise SchedulingError(f"{self.core.name} timer: {what} must be an int >= 0 (ns),"
                                  f" got {value!r}")
        core = self.core
        if self._pending is not None:
            self._pending.cancel()
        sim = core.sim
        if core._running:   # core.charge(timer_program_ns) and core.now, inline (hot path)
            core._charged += core.node.cost.timer_program_ns
            deadline = sim._now + core._charged + delay_ns
        else:
            deadline = sim._now + delay_ns
        self._period = period_ns
        self._deadline = deadline
        self._pending = sim.schedule(deadline - sim._now, self._expire, label=self._label)
        if sim.instrument is not None:
            sim.record(core.name, "timer.arm", f"deadline={deadline} period={period_ns}")

    def cancel(self) -> bool:
        """Disarm; True if the timer was armed."""
        if self._deadline is None:
            return False
        self._disarm()
        self.core.charge(self.core.node.cost.timer_program_ns)
        self.core.sim.record(self.core.name, "timer.cancel")
        return True

    def reset(self) -> None:
        """Disarm without charging or tracing (a power cycle)."""
        self._disarm()

    def _program(self, deadline: int) -> None:
        sim = self.core.sim
        self._deadline = deadline
        self._pending = sim.schedule(deadline - sim._now, self._expire, label=self._label)

    def _disarm(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        self._pending = None
        self._deadline = None
        self._period = 0

    def _expire(self) -> None:
        core = self.core
        deadline = self._deadline
        self._pending = None
        if self._period:
            self._program(deadline + self._period)  # type: ignore[operator]
        else:
            self._deadline = None
        self.fired += 1
        if core.sim.instrument is not None:
            core.sim.record(core.name, "timer.fire", f"vector={self.vector}")
        core.interrupt(self.vector, last=True)   # this event's last act
