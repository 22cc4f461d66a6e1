"""Monitors of the pattern clauses: `never a before b [+ d]` and `a leads_to b within [lo, hi]
[unless c]`, judged on the simulated clock.

Readings (docs/runtime.md, "Monitors", says the same for users):

never a before b + d. An occurrence of `a` at time T, with its binders' values, is a
violation unless the most recent matching occurrence of `b` (same values for the binders the two
patterns share), at S, has S + d <= T (`d` evaluated with the binders of both, 0 without `+ d`),
and no matching call of `b` is in progress (called, not yet returned: an operation occurs when
it returns, so an `a` inside `b` is before it). The most recent `b` decides because a later `b`
re-arms: a hook restarted at 12ms with t = 10ms must not fire before 22ms, though an earlier
start at 0 would have allowed 10ms. One `b` allows any number of `a`s (a repeating timer fires
many times after one start); how far apart they come is for other clauses (Timer's guard
`now >= armed[hook].due`).

a leads_to b within [lo, hi] unless c. Each occurrence of `a` at S opens an obligation with
window [S + lo, S + hi] (`lo`, `hi` evaluated over `a`'s binders when `a` occurs). A matching `b`
(same values for the binders `a` and `b` share) at T discharges every open matching obligation
whose window has begun (S + lo <= T); if it discharges none and some matching obligation is open,
it came too early for the oldest one, which is reported and closed. A matching `c` closes every
open matching obligation (same values for the binders `a` and `c` share). An obligation still
open when the clock passes S + hi + latency_slack is reported as too late: `advance(now)` checks
with now > deadline, and every observation advances the clock first. A `b` with no open
obligation is not judged: leads_to says what follows an `a`, nothing else.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from ..spec import ast as A
from ..verifier._reference import Undefined
from ._monitor_clauses import Bound, Judge, compile_pattern, free_names, key_of, reads_model, shared
from ._monitor_violation import ClauseInfo
from ._observations import MonitorError, Observation, format_us


class NeverBeforeMonitor:
    """`never a before b [+ d]`."""

    def __init__(self, judge: Judge, info: ClauseInfo, formula: A.NeverBefore) -> None:
        self.judge, self.info = judge, info
        self.event = compile_pattern(judge.checked, formula.event)
        self.before = compile_pattern(judge.checked, formula.before)
        self.key = shared(self.event, self.before)
        self.offset = formula.offset
        self.offset_reads_model = reads_model(judge.checked, [formula.offset])
        self.names = tuple(dict.fromkeys((self.event.name, self.before.name)))
        self.types = {**self.before.types, **self.event.types}
        self.last: dict[tuple, tuple[int, Bound, Observation]] = {}  # key -> latest `b`
        self.in_progress: dict[tuple, int] = {}  # key -> calls of `b` not yet returned

    def observe(self, obs: Observation) -> None:
        if self.event.occurs(obs):
            self._judge_event(obs)
        if obs.name == self.before.name:
            self._track_before(obs)

    def _track_before(self, obs: Observation) -> None:
        tracked = obs.kind == self.before.occurs_as or (
            obs.kind == "call" and self.before.occurs_as == "return")
        bound = self.before.bind(obs) if tracked else None
        if bound is None:
            return
        key = key_of(bound, self.key, self.judge.instance(obs))
        if obs.kind == "call":
            self.in_progress[key] = self.in_progress.get(key, 0) + 1
            return
        if obs.kind == "return":
            left = self.in_progress.get(key, 0) - 1
            if left > 0:
                self.in_progress[key] = left
            else:
                self.in_progress.pop(key, None)
        if not obs.raised:
            self.last[key] = (obs.time, bound, obs)

    def _judge_event(self, obs: Observation) -> None:
        bound = self.event.bind(obs)
        if bound is None:
            return
        judge = self.judge
        judge.checks += 1
        key = key_of(bound, self.key, judge.instance(obs))
        a, b = self.event.name, self.before.name
        if self.in_progress.get(key):
            self._report(obs, bound, f"{a} occurred inside a matching call of {b}, before it "
                                     f"returned: {b} occurs when it returns, so this {a} comes "
                                     f"before it")
            return
        latest = self.last.get(key)
        if latest is None:
            self._report(obs, bound, f"{a} occurred with no matching {b} before it")
            return
        start, before_bound, before_obs = latest
        env = {**before_bound, **bound}
        try:
            offset = self._offset(obs, env)
        except Undefined as exc:
            self._report(obs, env, f"the offset has no value ({exc}), so {a} cannot be judged",
                         before_obs)
            return
        allowed = start + offset
        if obs.time < allowed:
            self._report(obs, env,
                         f"{a} came {format_us(allowed - obs.time)} early: the matching {b} at "
                         f"{format_us(start)} allows it from {format_us(allowed)}", before_obs)

    def _offset(self, obs: Observation, bound: Bound) -> int:
        if self.offset is None:
            return 0
        base = self.judge.state(obs) if self.offset_reads_model else self.judge.builtins(obs)
        return self.judge.value(self.offset, {**base, **bound})

    def _report(self, obs: Observation, bound: Bound, problem: str,
                earlier: Observation | None = None) -> None:
        self.judge.report(self.info, problem, obs.time, self.judge.shown(bound, self.types),
                          (earlier,) if earlier is not None else ())


@dataclass(eq=False)
class _Obligation:
    seq: int
    response_key: tuple
    unless_key: tuple | None
    bound: Bound
    start: int
    low_at: int
    high_at: int
    trigger: Observation
    open: bool = True


class LeadsToMonitor:
    """`a leads_to b within [lo, hi] [unless c]`."""

    def __init__(self, judge: Judge, info: ClauseInfo, formula: A.LeadsTo, slack: int) -> None:
        self.judge, self.info, self.slack = judge, info, slack
        checked = judge.checked
        self.trigger = compile_pattern(checked, formula.trigger)
        self.response = compile_pattern(checked, formula.response)
        self.unless = compile_pattern(checked, formula.unless) if formula.unless else None
        self.response_key = shared(self.trigger, self.response)
        self.unless_key = shared(self.trigger, self.unless) if self.unless else ()
        self.low, self.high = formula.low, formula.high
        self.bounds_read_model = reads_model(checked, [formula.low, formula.high])
        for bound in (formula.low, formula.high):
            stray = {n for k, n in free_names(checked, bound) if k == "binder"}
            stray -= set(self.trigger.binders)
            if stray:
                raise MonitorError(f"{bound.span}: cannot monitor {info.text!r}: its bound reads "
                                   f"{', '.join(sorted(stray))}, which {self.trigger.name} "
                                   "does not bind; the window must be known when it occurs")
        self.names = tuple(dict.fromkeys((self.trigger.name, self.response.name,
                                          *((self.unless.name,) if self.unless else ()))))
        self.types = {**self.response.types, **(self.unless.types if self.unless else {}),
                      **self.trigger.types}
        self.by_response: dict[tuple, dict[int, _Obligation]] = {}
        self.by_unless: dict[tuple, dict[int, _Obligation]] = {}
        self.deadlines: list[tuple[int, int, _Obligation]] = []  # (S + hi + slack, seq, o)
        self._seq = 0

    # ------------------------------------------------------------------ observations
    def observe(self, obs: Observation) -> None:
        # `c` and `b` first: an obligation is never closed by the observation that opens it
        if self.unless is not None and self.unless.occurs(obs):
            self._cancel(obs)
        if self.response.occurs(obs):
            self._respond(obs)
        if self.trigger.occurs(obs):
            self._open(obs)

    def _open(self, obs: Observation) -> None:
        bound = self.trigger.bind(obs)
        if bound is None:
            return
        judge = self.judge
        base = judge.state(obs) if self.bounds_read_model else judge.builtins(obs)
        env = {**base, **bound}
        try:
            low, high = judge.value(self.low, env), judge.value(self.high, env)
        except Undefined as exc:  # no window, so the clause cannot be met
            judge.checks += 1
            judge.report(self.info, f"the window of this {self.trigger.name} has no value "
                         f"({exc})", obs.time, judge.shown(bound, self.types))
            return
        self._seq += 1
        instance = judge.instance(obs)
        ob = _Obligation(self._seq, key_of(bound, self.response_key, instance),
                         key_of(bound, self.unless_key, instance) if self.unless else None,
                         bound, obs.time, obs.time + low, obs.time + high, obs)
        self.by_response.setdefault(ob.response_key, {})[ob.seq] = ob
        if ob.unless_key is not None:
            self.by_unless.setdefault(ob.unless_key, {})[ob.seq] = ob
        heapq.heappush(self.deadlines, (ob.high_at + self.slack, ob.seq, ob))

    def _respond(self, obs: Observation) -> None:
        bound = self.response.bind(obs)
        if bound is None:
            return
        waiting = self.by_response.get(key_of(bound, self.response_key,
                                              self.judge.instance(obs)))
        if not waiting:
            return
        begun = [o for o in waiting.values() if o.low_at <= obs.time]
        if begun:
            self.judge.checks += len(begun)
            for ob in begun:
                self._close(ob)
            return
        ob = next(iter(waiting.values()))  # the oldest
        self.judge.checks += 1
        self._close(ob)
        self._report(ob, obs.time, f"{self.response.name} came {format_us(ob.low_at - obs.time)}"
                                   f" too early: {self._asks(ob)}")

    def _cancel(self, obs: Observation) -> None:
        bound = self.unless.bind(obs) if self.unless is not None else None
        if bound is None:
            return
        waiting = self.by_unless.get(key_of(bound, self.unless_key, self.judge.instance(obs)))
        for ob in list((waiting or {}).values()):
            self.judge.checks += 1
            self._close(ob)

    # ------------------------------------------------------------------ the clock
    def expire(self, now: int) -> None:
        """Report every open obligation whose deadline is before `now`."""
        while self.deadlines and self.deadlines[0][0] < now:
            deadline, _, ob = heapq.heappop(self.deadlines)
            if not ob.open:
                continue
            self.judge.checks += 1
            self._close(ob)
            unless = f" (unless {self.unless.name})" if self.unless is not None else ""
            self._report(ob, now, f"no matching {self.response.name} by "
                                           f"{format_us(deadline)}: {self._asks(ob)}{unless}")

    def next_deadline(self) -> int | None:
        """The last instant an open obligation may still be met; None when none is open."""
        while self.deadlines and not self.deadlines[0][2].open:
            heapq.heappop(self.deadlines)
        return self.deadlines[0][0] if self.deadlines else None

    def open_obligations(self) -> int:
        return sum(len(group) for group in self.by_response.values())

    # ------------------------------------------------------------------ helpers
    def _asks(self, ob: _Obligation) -> str:
        slack = f" + {format_us(self.slack)} slack" if self.slack else ""
        return (f"the {self.trigger.name} at {format_us(ob.start)} asks for one within "
                f"[{format_us(ob.low_at)}, {format_us(ob.high_at)}]{slack}")

    def _close(self, ob: _Obligation) -> None:
        ob.open = False
        for index, key in ((self.by_response, ob.response_key), (self.by_unless, ob.unless_key)):
            group = index.get(key) if key is not None else None
            if group is not None:
                group.pop(ob.seq, None)
                if not group:
                    del index[key]

    def _report(self, ob: _Obligation, time: int, problem: str) -> None:
        self.judge.report(self.info, problem, time, self.judge.shown(ob.bound, self.types),
                          (ob.trigger,))


__all__ = ["LeadsToMonitor", "NeverBeforeMonitor"]
