"""`ebb run timer-storm`: many Timer hooks on every core of every node.

Each core starts `HOOKS_PER_CORE` hooks, each of a kind drawn from the app's seeded stream:

- `once`: one-shot, a random timeout (1 us .. 500 us);
- `zero`: one-shot with timeout 0 (fires on the next tick, never inside `start`);
- `repeat`: repeating, a random period (5 us .. 100 us), stopped inside its own callback after
  1 to 4 fires (the hook was re-armed before its callback ran, so `stop` cancels it);
- `doomed` + `stopper`: a one-shot with a long timeout (1 ms .. 2 ms) and a shorter one whose
  callback stops it before it fires.

Every callback records how late it came after its due time (the core's clock at `start` plus
the timeout, or the previous fire plus the period); the summary reports the counts and the
latest. A hook that came early is counted too (there should be none: the contracts stop the
run first)."""

from __future__ import annotations

from ._apps import App, AppRun, format_ns
from ._clock import CLOCK
from ._cpu import current_core
from ._timer import TIMER

__all__ = ["APP", "TimerStorm"]

HOOKS_PER_CORE = 24
KINDS = ("once", "once", "zero", "repeat", "repeat", "doomed")


class StormHook:
    """One hook of the storm; `fire` is its callback."""

    __slots__ = ("app", "name", "period", "due", "fires", "stop_after", "victim")

    def __init__(self, app: TimerStorm, name: str, timeout: int, period: int = 0,
                 stop_after: int = 0, victim: StormHook | None = None) -> None:
        self.app, self.name, self.period = app, name, period
        self.due = CLOCK.now() + timeout
        self.fires, self.stop_after, self.victim = 0, stop_after, victim

    def fire(self) -> None:
        app, now = self.app, CLOCK.now()
        app.fires += 1
        app.latest = max(app.latest, now - self.due)
        app.early += now < self.due
        self.fires += 1
        if self.period:
            self.due = now + self.period          # re-armed from this fire
            if self.fires == self.stop_after:
                TIMER.stop(self)
                app.stopped_inside += 1
        if self.victim is not None and TIMER.is_armed(self.victim):
            TIMER.stop(self.victim)
            app.stopped_before += 1

    def __repr__(self) -> str:
        return f"storm({self.name})"


class TimerStorm(App):
    name = "timer-storm"
    description = ("many Timer hooks on every core: one-shot, timeout 0, repeating, stopped "
                   "inside hooks")

    def __init__(self) -> None:
        self.started = self.fires = self.early = self.latest = 0
        self.stopped_inside = self.stopped_before = 0
        self.kinds: dict[str, int] = {kind: 0 for kind in KINDS}

    def start(self, run: AppRun) -> None:
        self.rng = run.rng
        for node in range(run.nodes):
            for core in range(run.cores):
                run.runtime.spawn(self._storm, node=node, core=core)

    def _start(self, hook: StormHook, timeout: int, repeat: bool) -> None:
        TIMER.start(hook, timeout, repeat)
        self.started += 1

    def _storm(self) -> None:
        rng, where = self.rng, current_core().name.replace("node", "n").replace(".core", ".c")
        for i in range(HOOKS_PER_CORE):
            kind = rng.choice(KINDS)
            self.kinds[kind] += 1
            name = f"{where}.{i}"
            if kind == "once":
                timeout = rng.randrange(1_000, 500_000)
                self._start(StormHook(self, name, timeout), timeout, False)
            elif kind == "zero":
                self._start(StormHook(self, name, 0), 0, False)
            elif kind == "repeat":
                period = rng.randrange(5_000, 100_000)
                hook = StormHook(self, name, period, period, stop_after=rng.randint(1, 4))
                self._start(hook, period, True)
            else:
                long, short = rng.randrange(1_000_000, 2_000_000), rng.randrange(1_000, 900_000)
                doomed = StormHook(self, f"{name}.doomed", long)
                self._start(doomed, long, False)
                self._start(StormHook(self, f"{name}.stopper", short, victim=doomed), short,
                            False)

    def summary(self) -> list[str]:
        kinds = ", ".join(f"{kind} {n}" for kind, n in self.kinds.items() if n)
        return [f"hooks started    {self.started} ({kinds})",
                f"hooks fired      {self.fires}, early {self.early}, latest "
                f"{format_ns(self.latest)} after its due time",
                f"hooks stopped    {self.stopped_inside} repeating inside their callback, "
                f"{self.stopped_before} before they fired"]


APP = TimerStorm
