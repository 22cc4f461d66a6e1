"""Monitors of an Ebb's event and temporal clauses, judging a stream of observations on the
simulated clock.

    checked = check_paths([library_dir() / "timer.ebb"]).checked
    monitors = compile_monitors(checked, "Timer", model_of=timer_model, ncores=2)
    monitors.observe(Observation(0, 0, 0, "Timer", "call", "start", {...}))
    ...
    monitors.advance(sim.now)        # obligations overdue by now are violations

One monitor per clause: `temporal`/`assume` clauses (`_monitor_temporal`, `_monitor_state`) and
each event's `on core(e)` and `when G` (`_monitor_state`). The readings of the temporal forms
are in those modules' docstrings and in docs/runtime.md. A violation raises `MonitorViolation`
(or is collected, with `stop_on_violation=False`), with the clause, its spec location and the
last observations before it.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Callable, Protocol, Sequence

from ..spec import ast as A
from ..spec._symbols import EbbSymbol
from ..spec._typecheck import Checked
from ..verifier._hyp_values import show_typed
from ._monitor_clauses import Judge, ModelOf, reads_model, temporal_info
from ._monitor_state import AlwaysMonitor, EventMonitor, event_infos
from ._monitor_temporal import LeadsToMonitor, NeverBeforeMonitor
from ._monitor_violation import ClauseInfo, MonitorViolation
from ._observations import MonitorError, Observation, format_us

HISTORY = 20  # observations kept for a violation's trail


class _ClauseMonitor(Protocol):
    names: tuple[str, ...]  # the observations it judges by name; () for every one of the Ebb

    def observe(self, obs: Observation) -> None: ...


class MonitorSet:
    """The monitors of one Ebb's clauses over one run. Feed every observation, in time order,
    to `observe`; call `advance(now)` when the clock moves without one (or before reading the
    verdicts at the end). `checks` counts clause evaluations; `violations` lists every verdict
    so far (with `stop_on_violation`, the first one is also raised)."""

    def __init__(self, checked: Checked, ebb: EbbSymbol, *, model_of: ModelOf | None = None,
                 ncores: int | None = None, history: int = HISTORY,
                 stop_on_violation: bool = True, evaluator: str = "compiled") -> None:
        self._judge = Judge(checked, ebb, model_of, ncores, self._report, evaluator)
        self.ebb = ebb
        self.clauses: tuple[ClauseInfo, ...] = ()
        self.skipped: tuple[tuple[ClauseInfo, str], ...] = ()  # (clause, why not monitored)
        self.stop_on_violation = stop_on_violation
        self.history: deque[Observation] = deque(maxlen=max(history, 1))
        self.violations: list[MonitorViolation] = []
        self.now = 0
        self._every: list[_ClauseMonitor] = []
        self._routes: dict[str, list[_ClauseMonitor]] = {}
        self._timed: list[LeadsToMonitor] = []
        self._broken_assumption: MonitorViolation | None = None

    def _install(self, monitor: _ClauseMonitor, infos: Sequence[ClauseInfo]) -> None:
        self.clauses += tuple(infos)
        if not monitor.names:
            self._every.append(monitor)
        for name in monitor.names:
            self._routes.setdefault(name, []).append(monitor)
        if isinstance(monitor, LeadsToMonitor):
            self._timed.append(monitor)

    # ------------------------------------------------------------------ feeding
    @property
    def checks(self) -> int:
        """How many clause evaluations the monitors have done (each judgement counts once)."""
        return self._judge.checks

    @property
    def model_of(self) -> ModelOf | None:
        return self._judge.model_of

    def observe(self, obs: Observation) -> list[MonitorViolation]:
        """Judge one observation (any Ebb's: others only join the trail). Returns the new
        violations; with `stop_on_violation` the first of them is raised instead."""
        first = len(self.violations)
        self._tick(obs.time)
        self.history.append(obs)
        if obs.ebb == self.ebb.name:
            for m in self._routes.get(obs.name, ()):
                m.observe(obs)
            for m in self._every:
                m.observe(obs)
        return self._deliver(first)

    def advance(self, now: int) -> list[MonitorViolation]:
        """Move the clock to `now`: every obligation whose deadline is before `now` is a
        violation. Returns them (or raises the first, with `stop_on_violation`)."""
        first = len(self.violations)
        self._tick(now)
        return self._deliver(first)

    def next_deadline(self) -> int | None:
        """The last instant at which some open obligation can still be met (`advance` to any
        later time reports it); None when nothing is pending. A runtime may schedule a check
        just after it so an overdue obligation stops the run on time."""
        deadlines = [d for m in self._timed if (d := m.next_deadline()) is not None]
        return min(deadlines) if deadlines else None

    def pending(self) -> int:
        """How many leads_to obligations are open."""
        return sum(m.open_obligations() for m in self._timed)

    @property
    def assumptions_broken(self) -> bool:
        """Whether the environment broke an assumption in this run (the Ebb's guarantees are
        then void)."""
        return self._broken_assumption is not None

    # ------------------------------------------------------------------ internals
    def _tick(self, now: int) -> None:
        if now < self.now:
            raise MonitorError(f"observations must come in time order: {format_us(now)} after "
                               f"{format_us(self.now)}")
        self.now = now
        for m in self._timed:
            m.expire(now)

    def _deliver(self, first: int) -> list[MonitorViolation]:
        new = self.violations[first:]
        if new and self.stop_on_violation:
            raise new[0]
        return new

    def _report(self, info: ClauseInfo, problem: str, time: int,
                bindings: list[tuple[str, Any, str]], extra: tuple[Observation, ...] = ()
                ) -> None:
        earlier = [o for o in extra if all(o is not h for h in self.history)]
        trail_obs = earlier + list(self.history)
        trail = [f"(earlier) {o.text(self._show_for(o))}" for o in earlier]
        trail += [o.text(self._show_for(o)) for o in self.history]
        note = ""
        if self._broken_assumption is not None and info.kind != "assumption":
            b = self._broken_assumption
            note = (f"the environment broke assumption `{b.label or b.clause}` earlier "
                    f"(at {format_us(b.time)}), so {self.ebb.name}'s guarantees are void")
        violation = MonitorViolation(info, problem, time, bindings, trail_obs, trail, note)
        if info.kind == "assumption" and self._broken_assumption is None:
            self._broken_assumption = violation
        self.violations.append(violation)

    def _show_for(self, obs: Observation) -> Callable[[str, Any], str] | None:
        """Arguments of this Ebb's observations print with their spec types (durations with
        a unit); other Ebbs' as plain spec values."""
        if obs.ebb != self.ebb.name:
            return None
        member = self.ebb.ops.get(obs.name) or self.ebb.events.get(obs.name)
        if member is None:
            return None
        types = {p.name: p.type for p in member.params}
        results = getattr(member, "results", ())
        if len(results) == 1:
            types["result"] = results[0].type
        return lambda name, value: show_typed(value, types.get(name))


def compile_monitors(checked: Checked | Any, ebb: EbbSymbol | str, *, latency_slack: int = 0,
                     model_of: ModelOf | None = None, ncores: int | None = None,
                     history: int = HISTORY, stop_on_violation: bool = True,
                     check_guards: bool = True, evaluator: str = "compiled") -> MonitorSet:
    """The monitors of `ebb`'s temporal and assume clauses and of its events' core clauses
    (and guards, with `check_guards`).

    `checked`: a `Checked` (or a `CheckResult`, whose `.checked` is used). `model_of(node,
    core)`: the model state (the implementation's abstraction) an observation on that core is
    judged in; without it the clauses that read the state (`always`, events' core and guard,
    windows over the model) are not monitored and are listed in `skipped`. `ncores`: the value
    of `ncores` in clauses (else `model_of` must give it). `latency_slack` (ns) is added to
    every leads_to deadline. `history`: how many observations a violation shows. `evaluator`:
    `compiled` (the contract compiler's code) or `reference` (`ebbrt.verifier.evaluate`); both
    give the reference evaluator's values."""
    if getattr(checked, "ok", True) is False:
        raise MonitorError("the spec has errors; fix what `ebb check` reports before monitoring "
                           "it")
    checked = getattr(checked, "checked", checked)
    if not isinstance(checked, Checked):
        raise MonitorError(f"compile_monitors needs a checked spec (`check_paths(...)`), not "
                           f"{type(checked).__name__}")
    try:
        symbol = checked.ebb(ebb) if isinstance(ebb, str) else ebb
    except KeyError:
        known = ", ".join(e.name for e in checked.ebbs) or "none"
        raise MonitorError(f"the checked spec has no Ebb named {ebb!r} (it has: {known})"
                           ) from None
    monitors = MonitorSet(checked, symbol, model_of=model_of, ncores=ncores, history=history,
                          stop_on_violation=stop_on_violation, evaluator=evaluator)
    judge = monitors._judge
    skipped: list[tuple[ClauseInfo, str]] = []
    no_state = "it reads the model state and no model_of was given"
    for decl in symbol.decl.members:
        if not isinstance(decl, A.TemporalDecl):
            continue
        info = temporal_info(symbol, decl)
        if model_of is None and _reads_state(checked, decl.formula):
            skipped.append((info, no_state))
            continue
        monitors._install(_TEMPORAL[type(decl.formula)](judge, info, decl.formula,
                                                        latency_slack), [info])
    for event in symbol.events.values():
        if model_of is None:
            skipped += [(i, no_state) for i in event_infos(symbol, event) if i is not None]
            continue
        monitor = EventMonitor(judge, symbol, event, check_guards)
        monitors._install(monitor, monitor.infos)
    monitors.skipped = tuple(skipped)
    return monitors


def _reads_state(checked: Checked, f: A.Formula) -> bool:
    if isinstance(f, A.Always):
        return True
    return reads_model(checked, [f.offset] if isinstance(f, A.NeverBefore) else [f.low, f.high])


_TEMPORAL = {
    A.Always: lambda judge, info, f, slack: AlwaysMonitor(judge, info, f),
    A.NeverBefore: lambda judge, info, f, slack: NeverBeforeMonitor(judge, info, f),
    A.LeadsTo: lambda judge, info, f, slack: LeadsToMonitor(judge, info, f, slack),
}

__all__ = ["HISTORY", "MonitorSet", "compile_monitors"]
