"""Monitors of the clauses judged in a model state (from `model_of(node, core)`): `always P`,
and an event's `on core(e)` and `when G`.

always P: P is evaluated after every observation of the Ebb, in the state `model_of` gives for
the observation's node and core, with `now` its time and `this_core` its core. A P that has no
value counts as false. A clause that keeps failing is reported once, when it starts to fail
(again after it held in between), not at every observation.

on core(e) / when G: at an `event` observation (emitted before the event's effect, so the state
is the one just before the event), with the event's parameters bound to its arguments, G must be
true and e must equal the core the observation names. A false guard is reported (and the core is
then not judged: e usually has no value where G is false).
"""

from __future__ import annotations

from typing import Hashable

from ..spec import ast as A
from ..spec._printer import format_expr
from ..spec._symbols import EbbSymbol, EventSymbol
from ..verifier._hyp_values import show_typed
from ..verifier._reference import Undefined
from ._monitor_clauses import Judge
from ._monitor_violation import ClauseInfo
from ._observations import Observation


class AlwaysMonitor:
    """`always P` (a property or an assumption)."""

    names: tuple[str, ...] = ()  # every observation of the Ebb

    def __init__(self, judge: Judge, info: ClauseInfo, formula: A.Always) -> None:
        self.judge, self.info, self.expr = judge, info, formula.expr
        self.failing: set[Hashable] = set()  # instances where P is false right now

    def observe(self, obs: Observation) -> None:
        judge = self.judge
        judge.checks += 1
        holds, why = judge.holds(self.expr, judge.state(obs))
        instance = judge.instance(obs)
        if holds:
            self.failing.discard(instance)
        elif instance not in self.failing:
            self.failing.add(instance)
            judge.report(self.info, f"`{format_expr(self.expr)}` {why} after "
                                    f"{obs.kind} {obs.name} on node {obs.node} core {obs.core}",
                         obs.time, [])


def event_infos(ebb: EbbSymbol, event: EventSymbol) -> tuple[ClauseInfo, ClauseInfo | None]:
    """The clause records of an event's core clause and guard."""
    decl = event.decl
    params = ", ".join(p.name for p in event.params)
    core = ClauseInfo("event core", ebb.name,
                      f"event {event.name}({params}) on core({format_expr(decl.core)})",
                      event.name, decl.core.span)
    guard = None if decl.guard is None else ClauseInfo(
        "event guard", ebb.name, f"event {event.name}({params}) when {format_expr(decl.guard)}",
        event.name, decl.guard.span)
    return core, guard


class EventMonitor:
    """An event's `on core(e)` and (when `check_guard`) its `when G`."""

    def __init__(self, judge: Judge, ebb: EbbSymbol, event: EventSymbol,
                 check_guard: bool = True) -> None:
        self.judge, self.event = judge, event
        self.names = (event.name,)
        self.core_info, guard_info = event_infos(ebb, event)
        self.guard_info = guard_info if check_guard else None
        self.types = {p.name: p.type for p in event.params}

    @property
    def infos(self) -> tuple[ClauseInfo, ...]:
        return (self.core_info,) + ((self.guard_info,) if self.guard_info else ())

    def observe(self, obs: Observation) -> None:
        if obs.kind != "event" or obs.name != self.event.name:
            return
        judge = self.judge
        env = {**judge.state(obs), **obs.args}
        decl = self.event.decl
        if self.guard_info is not None and decl.guard is not None:
            judge.checks += 1
            holds, why = judge.holds(decl.guard, env)
            if not holds:
                self._report(self.guard_info, obs, f"the guard `{format_expr(decl.guard)}` "
                                                   f"{why} just before {self.event.name}")
                return
        judge.checks += 1
        try:
            core = judge.value(decl.core, env)
        except Undefined as exc:
            self._report(self.core_info, obs, f"{self.event.name} ran on core {obs.core}, where "
                                              f"`{format_expr(decl.core)}` has no value ({exc})")
            return
        if core != obs.core:
            self._report(self.core_info, obs, f"{self.event.name} ran on core {obs.core}, but "
                                              f"`{format_expr(decl.core)}` is core {core}")

    def _report(self, info: ClauseInfo, obs: Observation, problem: str) -> None:
        shown = [(name, value, show_typed(value, self.types.get(name)))
                 for name, value in obs.args.items()]
        self.judge.report(info, problem, obs.time, shown)


__all__ = ["AlwaysMonitor", "EventMonitor", "event_infos"]
