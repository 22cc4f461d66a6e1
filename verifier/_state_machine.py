"""A Hypothesis `RuleBasedStateMachine` per bound implementation, built from its spec.

Rules:
- one per operation (`op_<name>`): arguments drawn for the parameter types, mixing fresh
  values (`strategy_for`) with the values the requires point at (`_hyp_hints`: `p in E`,
  `p == E`) and values the run has seen: the current model's (keys of a map, elements of a
  set) and earlier arguments and results (a future `make_promise` returned, a page `alloc`
  handed out). The pool of seen values plays the part of Hypothesis `Bundle`s,
  for every type rather than only handles, so a `requires x in elems` is met often. The
  `requires` clauses filter the call: up to ATTEMPTS draws, and if none satisfies them the
  step makes no call (rejecting the whole example, as `assume` would, wastes the steps
  before it). Input heuristics on top (`_hyp_bias`): the newest values first, an op's
  previous argument again, the low corner of ranges, half the steps aiming at the normal
  path;
- one per event (`event_<name>`), enabled (`@precondition`) when some choice of arguments
  among the values seen satisfies its `when` guard; the harness runs it on its core;
- `advance_time`: `now` moves forward by a drawn duration (so timers fall due);
- `switch_core`: the calling core changes (with `ncores` > 1).
After every step the `Monitor` has checked the step's clauses against the pre-state through
the abstraction; the invariants are an `@invariant`. A violation is raised as `SpecViolation`
carrying the trace of the run (`_hyp_trace`), which the engine minimizes and prints as a script.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ..spec._types import BoolType, CoreType, EnumType, IntType, Type
from ._binding import Binding, Context
from ._hyp_clauses import MemberClauses
from ._hyp_monitor import Monitor, SpecViolation, clauses_of
from ._hyp_trace import TraceRecorder, result_parts
from ._hyp_bias import biased, recent_first
from ._hyp_hints import Hint, argument_hints, hint_values
from ._hyp_values import ValuePool, conforms
from ._strategies import DEFAULT_NCORES, nanoseconds, strategy_for
from ._values import EnumValue

ATTEMPTS = 3          # argument draws per op step before the step gives up on its requires
MAX_EVENT_CHOICES = 64  # argument combinations tried for an event's guard


@dataclass
class Tally:
    """What the runs of one machine class exercised, summed over examples."""
    examples: Counter[str] = field(default_factory=Counter)   # clause id -> examples
    steps: Counter[str] = field(default_factory=Counter)      # clause id -> checks
    attempts: Counter[str] = field(default_factory=Counter)   # member -> steps that tried it
    calls: Counter[str] = field(default_factory=Counter)      # member -> calls made
    unevaluable: dict[str, str] = field(default_factory=dict)
    runs: int = 0
    abandoned: int = 0   # paths the crosshair backend gave up on as not deterministic

    def add(self, monitor: Monitor, attempts: Counter[str], calls: Counter[str]) -> None:
        self.runs += 1
        for clause_id, count in monitor.exercised.items():
            if count:
                self.examples[clause_id] += 1
                self.steps[clause_id] += count
        self.attempts.update(attempts)
        self.calls.update(calls)
        for clause_id, reason in monitor.unevaluable.items():
            self.unevaluable.setdefault(clause_id, reason)


class SpecMachine(RuleBasedStateMachine):
    """Base of the generated machines; the class attributes are set per binding."""

    binding: Binding
    ncores: int = DEFAULT_NCORES
    evaluator: str = "compiled"
    ignore: frozenset[str] = frozenset()
    tally: Tally
    hints: dict[str, dict[str, list[Hint]]] = {}

    def __init__(self) -> None:
        super().__init__()
        self.context = Context(now=0, this_core=0, ncores=self.ncores)
        self.trace = TraceRecorder()
        self.pool = ValuePool(self.ncores)
        self.attempts: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.monitor: Monitor | None = None
        self.strategies: dict[Type, st.SearchStrategy[Any]] = {}
        self.event_choices: tuple[int, dict[str, list[tuple[Any, ...]]]] = (-1, {})
        self.step_index = 0
        self.previous_args: dict[tuple[str, str], list[Any]] = {}  # (op, param) -> [value]
        try:
            self.monitor = Monitor(self.binding, self.context, evaluator=self.evaluator,
                                   ignore=self.ignore, check_invariants=False,
                                   owns_instance=True)
        except SpecViolation as violation:
            raise self._traced(violation) from None
        self.model_types = {name: self.binding.instantiate(var.type)
                            for name, var in self.binding.ebb.model.items()}

    def teardown(self) -> None:
        if self.monitor is not None:
            self.tally.add(self.monitor, self.attempts, self.calls)

    # ------------------------------------------------------------------ steps
    def call_op(self, name: str, data: st.DataObject) -> None:
        monitor = self._monitor()
        mc = monitor.clauses.members[name]
        self.attempts[name] += 1
        self.step_index += 1
        monitor.refresh(mc)
        self.pool.observe_model(monitor.model, self.model_types)
        types = [self.binding.instantiate(p.type) for p in mc.symbol.params]
        hints = self.hints[name]
        # half the steps of an op that may throw aim at its normal path (`_hyp_bias`)
        aim_normal = bool(mc.checked or mc.throws) and data.draw(st.booleans())
        for attempt in range(ATTEMPTS):
            drawn: dict[str, Any] = {}
            for p, t in zip(mc.symbol.params, types):
                suggested = self._suggested(hints.get(p.name), t, drawn)
                again = self.previous_args.get((name, p.name))
                drawn[p.name] = self._draw_argument(data, t, suggested, again)
            args = tuple(drawn.values())
            if monitor.enabled(name, args, refresh=False) and (
                    not aim_normal or attempt == ATTEMPTS - 1
                    or monitor.normal_path(name, args)):
                break
        else:
            return
        for p, value in zip(mc.symbol.params, args):
            self.previous_args[(name, p.name)] = [value]
        self._run(mc, args, types)

    def call_event(self, name: str, data: st.DataObject) -> None:
        monitor = self._monitor()
        mc = monitor.clauses.members[name]
        self.attempts[name] += 1
        choices = self.enabled_choices(name)
        self.step_index += 1
        if not choices:  # pragma: no cover - the precondition saw choices
            return
        args = choices[data.draw(_index(len(choices)))]
        self._run(mc, args, [self.binding.instantiate(p.type) for p in mc.symbol.params])

    def _run(self, mc: MemberClauses, args: tuple[Any, ...], types: list[Type]) -> None:
        monitor = self._monitor()
        self.calls[mc.name] += 1
        try:
            outcome = monitor.call(mc.name, args, checked_preconditions=False)
        except SpecViolation as violation:
            self.trace.call(mc.name, args)
            raise self._traced(violation) from None
        results = outcome.results
        declared = getattr(mc.symbol, "results", ())
        self.trace.call(mc.name, args, result_parts(outcome.result, list(results.values()),
                                                    len(declared)))
        for value, t in zip(args, types):
            self.pool.remember(value, t)
        for var in getattr(mc.symbol, "results", ()):
            if var.name in results:
                self.pool.remember(results[var.name], self.binding.instantiate(var.type))

    def advance_time(self, by: int) -> None:
        if by:
            self.step_index += 1
            self.context.now += by
            self.trace.now(self.context.now)

    def switch_core(self, core: int) -> None:
        if core != self.context.this_core:
            self.step_index += 1
            self.context.this_core = core
            self.trace.core(core)

    def verify_invariants(self) -> None:
        try:
            self._monitor().check_invariants()
        except SpecViolation as violation:
            raise self._traced(violation) from None

    # ------------------------------------------------------------------ helpers
    def enabled_choices(self, name: str) -> list[tuple[Any, ...]]:
        """The argument tuples (among values seen) for which event `name` may fire now."""
        step, cache = self.event_choices
        if step != self.step_index:
            cache = {}
            self.event_choices = (self.step_index, cache)
        if name not in cache:
            cache[name] = self._event_choices(name)
        return cache[name]

    def _event_choices(self, name: str) -> list[tuple[Any, ...]]:
        monitor = self._monitor()
        mc = monitor.clauses.members[name]
        monitor.refresh(mc)
        self.pool.observe_model(monitor.model, self.model_types)
        hints = self.hints[name]
        domains = []
        for p in mc.symbol.params:
            t = self.binding.instantiate(p.type)
            domains.append(self._suggested(hints.get(p.name), t, {}) or self._domain(t))
        combos = itertools.islice(itertools.product(*domains), MAX_EVENT_CHOICES)
        return [args for args in combos if monitor.enabled(name, args, refresh=False)]

    def _domain(self, t: Type) -> list[Any]:
        if isinstance(t, CoreType):
            return list(range(self.ncores))
        if isinstance(t, BoolType):
            return [False, True]
        if isinstance(t, EnumType):
            return [EnumValue(t.symbol.name, m) for m in t.symbol.members]
        if isinstance(t, IntType) and t.low is not None and t.high is not None \
                and t.high - t.low < 16:
            return list(range(t.low, t.high + 1))
        return self.pool.candidates(t)

    def _suggested(self, hints: list[Hint] | None, t: Type, drawn: dict[str, Any]
                   ) -> list[Any]:
        """The values the requires suggest for a parameter (see `_hyp_hints`)."""
        if not hints:
            return []
        monitor = self._monitor()
        env = {**monitor.model, "now": self.context.now, "this_core": self.context.this_core,
               "ncores": self.ncores, **drawn}
        values = hint_values(hints, lambda e: monitor.ev.value(e, env))
        return [v for v in values if conforms(v, t, self.ncores)]

    def _draw_argument(self, data: st.DataObject, t: Type, suggested: list[Any],
                       again: list[Any] | None = None) -> Any:
        """A value of type `t`: one the requires suggest (twice as likely as the others), with
        them the newest arguments and results among them (`_hyp_bias.recent_first`); the
        value `again` this parameter had at the op's previous call; one of the current
        model's, an earlier argument or result, or a fresh value (which the minimizer prefers;
        integers biased as `_hyp_bias.biased` says). Values are picked by index with cached
        strategies (a new `sampled_from` per draw costs Hypothesis more than the whole step)."""
        base = self.strategies.get(t)
        if base is None:
            base = biased(t, strategy_for(t, types=self.binding.types, ncores=self.ncores))
            self.strategies[t] = base
        model, history = self.pool.split(t)
        again = [v for v in again or () if not suggested or v in suggested]
        if suggested:  # index 0: fresh
            recent = recent_first(self.pool.history_of(t), suggested)
            sources = [[], suggested, suggested, recent, again, model, history]
        else:
            sources = [[], model, model, history, again]
        available = [i for i, values in enumerate(sources) if i == 0 or values]
        pick = available[data.draw(_index(len(available)))] if len(available) > 1 else 0
        if pick == 0:
            return data.draw(base)
        values = sources[pick]
        return values[data.draw(_index(len(values)))]

    def _monitor(self) -> Monitor:
        assert self.monitor is not None
        return self.monitor

    def _traced(self, violation: SpecViolation) -> SpecViolation:
        """The violation with the run's steps up to it (the engine minimizes and prints them)."""
        violation.trace = list(self.trace.steps)
        return violation


def machine_class(binding: Binding, *, ncores: int = DEFAULT_NCORES,
                  evaluator: str = "compiled", ignore: frozenset[str] = frozenset(),
                  tally: Tally | None = None) -> type[SpecMachine]:
    """A state machine class testing `binding`'s implementation against its spec."""
    clauses = clauses_of(binding)
    hints = {name: argument_hints(binding.checked, mc.symbol)
             for name, mc in clauses.members.items()}
    namespace: dict[str, Any] = {
        "binding": binding, "ncores": ncores, "evaluator": evaluator, "ignore": ignore,
        "hints": hints,
        "tally": tally if tally is not None else Tally(),
        "env_advance_time": rule(by=nanoseconds())(_advance_time),
        "spec_invariants": invariant()(SpecMachine.verify_invariants),
    }
    if ncores > 1:
        namespace["env_switch_core"] = rule(core=st.integers(0, ncores - 1))(_switch_core)
    for name, mc in clauses.members.items():
        if mc.is_event:
            namespace[f"event_{name}"] = precondition(_has_choices(name))(
                rule(data=st.data())(_event_rule(name)))
        else:
            namespace[f"op_{name}"] = rule(data=st.data())(_op_rule(name))
    return type(f"{binding.cls.__name__}SpecMachine", (SpecMachine,), namespace)


@lru_cache(maxsize=None)
def _index(n: int) -> st.SearchStrategy[int]:
    """`0..n-1`, one strategy object per n."""
    return st.integers(0, n - 1)


def _advance_time(self: SpecMachine, by: int) -> None:
    self.advance_time(by)


def _switch_core(self: SpecMachine, core: int) -> None:
    self.switch_core(core)


def _op_rule(name: str) -> Callable[[SpecMachine, st.DataObject], None]:
    def op(self: SpecMachine, data: st.DataObject) -> None:
        self.call_op(name, data)
    op.__name__ = f"op_{name}"
    return op


def _event_rule(name: str) -> Callable[[SpecMachine, st.DataObject], None]:
    def event(self: SpecMachine, data: st.DataObject) -> None:
        self.call_event(name, data)
    event.__name__ = f"event_{name}"
    return event


def _has_choices(name: str) -> Callable[[SpecMachine], bool]:
    def enabled(self: SpecMachine) -> bool:
        return bool(self.enabled_choices(name))
    return enabled


__all__ = ["ATTEMPTS", "MAX_EVENT_CHOICES", "SpecMachine", "Tally", "machine_class"]
