"""The deterministic discrete-event core: one heap, a virtual clock, seeded random streams.

Events live in one heap of `(time, priority, seq, event)` entries, stored flat as lists
`[time, priority, seq, action, label]` (a `Scheduled` handle, or a plain list for `post`):
earlier time first, then lower priority, then `seq` (a counter), so events with equal time
and priority run in the order they were scheduled. Nothing reads the host clock or global
randomness; the same seed and the same program give the same run, event for event. An event
whose last act would schedule the very next event may start it in place instead
(`take_turn`): the same run, without the heap.

    sim = Simulator(seed=7, instrument=Trace())
    sim.schedule(1_000, lambda: print("at", sim.now))   # 1 us from now
    sim.run()
"""

from __future__ import annotations

import hashlib
import random
from heapq import heappop, heappush
from typing import Callable

from ._errors import SchedulingError, SimulatorBusy
from ._trace import Instrument

__all__ = ["Scheduled", "Simulator"]

Action = Callable[[], None]

END_OF_TIME = (1 << 63) - 1
"""The last representable virtual time (ns, ~292 years): nothing can be scheduled later."""


class Scheduled(list):
    """A handle on one scheduled event; `cancel()` stops it from running.

    The handle *is* the heap entry, `[time, priority, seq, action, label]`, so scheduling
    allocates one object and the heap compares entries in C: earlier time first, then lower
    priority, then lower seq (FIFO among equals; seq is unique, so comparison never reaches
    the action). Cancelling clears the action; the entry stays in the heap and is skipped
    when it reaches the top (lazy deletion), so cancel is O(1)."""

    __slots__ = ()

    @property
    def time(self) -> int:
        return self[0]

    @property
    def priority(self) -> int:
        return self[1]

    @property
    def seq(self) -> int:
        return self[2]

    @property
    def label(self) -> str:
        return self[4]

    @property
    def cancelled(self) -> bool:
        """True once `cancel()` was called (even if the event had already run)."""
        return self[3] is None

    def cancel(self) -> None:
        """Do not run this event. Cancelling twice, or after it ran, does nothing."""
        self[3] = None

    def __repr__(self) -> str:
        what = self[4] or (action_name(self[3]) if self[3] is not None else "event")
        state = " cancelled" if self[3] is None else ""
        return f"<Scheduled {what} at {self[0]} priority {self[1]} seq {self[2]}{state}>"

    # Hashable by identity so handles can sit in sets and dict keys. Equality stays list
    # equality (defining __eq__ here would route the heap's `<` through a Python-level slot);
    # within one simulator equal contents means equal seq, so it is identity anyway.
    __hash__ = object.__hash__  # type: ignore[assignment]


def action_name(action: object) -> str:
    """A deterministic name for an action (never a repr with a host address in it)."""
    name = getattr(action, "__qualname__", None)
    return name if isinstance(name, str) else type(action).__qualname__


def _check_time(what: str, value: object) -> None:
    """Times and durations are integer nanoseconds in [0, END_OF_TIME]."""
    if type(value) is not int:
        raise SchedulingError(f"cannot {what} {value!r}: virtual time is integer nanoseconds;"
                              " pass an int (e.g. 1_500 for 1.5 us)")
    if not 0 <= value <= END_OF_TIME:
        raise SchedulingError(f"cannot {what} {value!r} ns: use a value in 0..{END_OF_TIME}")


class Simulator:
    """Virtual time in integer nanoseconds, an event heap and named random streams."""

    def __init__(self, seed: int = 0, instrument: Instrument | None = None) -> None:
        if not isinstance(seed, int):
            raise TypeError(f"seed must be an int, got {seed!r}")
        self._seed = seed
        self.instrument = instrument  # read by the loop when a run starts
        self.events_run = 0
        self._now = 0
        self._seq = 0
        self._heap: list[Scheduled] = []
        self._streams: dict[str, random.Random] = {}
        self._running = False
        # the running loop's bounds and instrument, for `take_turn`
        self._until = -1
        self._stop_at = -1           # events_run at which the loop's budget is spent (-1: none)
        self._live: Instrument | None = None

    # --- time and randomness ---------------------------------------------------------

    @property
    def seed(self) -> int:
        return self._seed

    @property
    def now(self) -> int:
        """The virtual time in nanoseconds; it never goes backwards."""
        return self._now

    def rng(self, stream: str) -> random.Random:
        """The random stream called `stream`, seeded from sha256(seed, stream).

        Each name has its own generator (the same object on every call), so a new consumer
        of randomness never shifts the numbers another consumer sees."""
        generator = self._streams.get(stream)
        if generator is None:
            material = hashlib.sha256(f"{self._seed}\x00{stream}".encode("utf-8")).digest()
            generator = random.Random(int.from_bytes(material, "big"))
            self._streams[stream] = generator
        return generator

    def record(self, source: str, kind: str, detail: str = "") -> None:
        """Report a happening at `now` to the instrument, if there is one."""
        if self.instrument is not None:
            self.instrument.record(self._now, source, kind, detail)

    # --- scheduling --------------------------------------------------------------------

    def schedule(self, delay: int, action: Action, *, priority: int = 0,
                 label: str = "") -> Scheduled:
        """Run `action()` `delay` ns from now (0: after the events already due now).

        `delay` is an int; only its sign and range are checked here (this is the hot path)."""
        time = self._now + delay
        if delay < 0 or time > END_OF_TIME:
            raise self._bad_delay(delay, action, label)
        seq = self._seq
        self._seq = seq + 1
        event = Scheduled((time, priority, seq, action, label))
        heappush(self._heap, event)
        return event

    def post(self, delay: int, action: Action, *, priority: int = 0, label: str = "") -> None:
        """`schedule` without a handle, for events nobody will cancel; cheaper (no handle
        object: the heap entry is a plain list)."""
        time = self._now + delay
        if delay < 0 or time > END_OF_TIME:
            raise self._bad_delay(delay, action, label)
        seq = self._seq
        self._seq = seq + 1
        heappush(self._heap, [time, priority, seq, action, label])

    def _bad_delay(self, delay: int, action: Action, label: str) -> SchedulingError:
        what = repr(label or action_name(action))
        if delay < 0:
            return SchedulingError(f"cannot schedule {what} with negative delay {delay!r} ns;"
                                   " time never goes backwards: use a delay >= 0")
        return SchedulingError(f"cannot schedule {what} with delay {delay!r} ns: that is past the"
                               f" end of virtual time ({END_OF_TIME} ns); use a smaller delay")

    def schedule_at(self, time: int, action: Action, *, priority: int = 0,
                    label: str = "") -> Scheduled:
        """Run `action()` at absolute virtual time `time` (>= now)."""
        _check_time("schedule at", time)
        if time < self._now:
            raise SchedulingError(
                f"cannot schedule {label or action_name(action)!r} at time {time!r} ns, which is"
                f" before now ({self._now} ns): use a time >= now")
        return self.schedule(time - self._now, action, priority=priority, label=label)

    @property
    def next_time(self) -> int | None:
        """The time of the next event that will run, or None when nothing is pending."""
        heap = self._heap
        while heap and heap[0][3] is None:
            heappop(heap)
        return heap[0][0] if heap else None

    @property
    def pending(self) -> int:
        """How many events are scheduled and not cancelled."""
        return sum(1 for entry in self._heap if entry[3] is not None)

    # --- running -----------------------------------------------------------------------

    def step(self) -> bool:
        """Run the next event; False when none is left."""
        return self._loop(END_OF_TIME, 1) == 1

    def run_until(self, time: int) -> None:
        """Run every event with time <= `time`, then set `now` to `time`."""
        _check_time("run until", time)
        if time < self._now:
            raise SchedulingError(
                f"cannot run until {time!r} ns: it is before now ({self._now} ns)")
        self._loop(time, -1)
        self._now = time

    def run_for(self, duration: int) -> None:
        """Run for `duration` ns of virtual time from now."""
        _check_time("run for", duration)
        self.run_until(self._now + duration)

    def run(self, max_events: int | None = None) -> int:
        """Run until no event is left (or `max_events` ran); return how many ran."""
        if max_events is not None and max_events < 0:
            raise ValueError(f"max_events must be >= 0 or None, got {max_events!r}")
        return self._loop(END_OF_TIME, -1 if max_events is None else max_events)

    def take_turn(self, time: int, label: str) -> bool:
        """Start, inside the running event, the event that `schedule_at(time, ...)` would add,
        if that event would be the very next to run anyway; the caller then runs it at once.

        The running event must be finished (this is its last act) and `time >= now`. The turn
        is taken when the running loop may run one more event with that time (its `until` and
        budget) and nothing in the heap comes first (earlier, or equal time and priority <= 0:
        a new event would have the largest seq). Then, exactly as if the loop had popped it,
        the clock moves to `time`, the event is counted and traced (as `label`), and True is
        returned. Otherwise nothing changes and the caller schedules the event. Either way the
        run is the same, event for event and trace line for trace line; a taken turn only
        skips the heap. Outside a run it is never taken."""
        if not self._running or time > self._until or self.events_run == self._stop_at:
            return False
        heap = self._heap
        while heap and heap[0][3] is None:   # cancelled: the loop would skip them
            heappop(heap)
        if heap:
            top = heap[0]
            if top[0] < time or (top[0] == time and top[1] <= 0):
                return False
        self._now = time
        self.events_run += 1
        if self._live is not None:
            self._live.record(time, "sim", "event", label)
        return True

    def _loop(self, until: int, budget: int) -> int:
        """THE event loop: pop, skip cancelled, stop past `until`, advance the clock, trace, run.

        Runs at most `budget` events (-1: no limit) with time <= `until`; events started by
        `take_turn` count. An exception from an action propagates; that event counts as run
        and `now` stays at its time."""
        if self._running:
            raise SimulatorBusy("step/run/run_until/run_for was called from inside an event;"
                                " schedule the work as a new event instead")
        heap = self._heap
        instrument = self._live = self.instrument
        first = self.events_run
        self._until = until
        self._stop_at = stop_at = -1 if budget < 0 else first + budget
        self._running = True
        try:
            while heap and self.events_run != stop_at:
                event = heappop(heap)
                action = event[3]
                if action is None:  # cancelled
                    continue
                time = event[0]
                if time > until:  # not due yet: put it back unchanged (same seq, same place)
                    heappush(heap, event)
                    break
                self._now = time
                self.events_run += 1
                if instrument is not None:
                    instrument.record(time, "sim", "event", event[4] or action_name(action))
                action()
        finally:
            self._running = False
        return self.events_run - first
