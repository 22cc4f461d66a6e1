"""No engine's green is trusted alone: CrossHair's verdicts, replayed concretely.

A counterexample CrossHair reports is run twice without CrossHair:
- through the icontract form (`OpCheck`, the same conditions CrossHair saw, now on concrete
  values): which conditions does the input really break?
- through the reference `Monitor` (`ebbrt.verifier.evaluate` on every clause of the spec, the
  Hypothesis engine's checker) on the implementation itself: which clauses does it break?
Only a violation both see is the implementation's failure. Anything else is a disagreement
inside the verifier (CrossHair's symbolic reasoning, the compiled form or the reference), which
the engine reports as such.

An operation CrossHair confirms is run the same two ways on a few deterministic inputs
(`example_inputs`): a violation there contradicts the confirmation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ._binding import Binding, Context
from ._crosshair_check import Failure, OpCheck, analysis_control, declared
from ._crosshair_harness import Call, Invalid, Slot
from ._hyp_monitor import Monitor, SpecViolation, clauses_of
from ._result import Counterexample
from ._values import show

EXAMPLE_INT_BOUND = 8   # example slots draw integers 0..EXAMPLE_INT_BOUND - 1 (decoded mod the
                        # size of small domains, so every step and handle gets picked)
EXAMPLE_ATTEMPTS = 12   # draws per wanted example (most draws are invalid histories)


@dataclass
class Replay:
    """One input, run concretely both ways."""
    valid: bool
    reason: str = ""                                         # why it is not a valid input
    failures: list[Failure] = field(default_factory=list)    # icontract form: broken conditions
    violations: list[SpecViolation] = field(default_factory=list)  # reference: broken clauses
    history: list[str] = field(default_factory=list)         # the steps before the call
    call: str = ""                                           # the call under check
    counterexample: Counterexample | None = None             # the call, in spec terms
    unevaluable: dict[str, str] = field(default_factory=dict)  # clause id -> why not

    @property
    def violated_ids(self) -> set[str]:
        return {v.clause.id for v in self.violations}

    def describe(self) -> str:
        """`insert(3); erase(3); then find(3)`: the history, then the call under check."""
        history = "; ".join(self.history) or "a new instance"
        return f"{history}; then {self.call}" if self.call else history


class MonitorExecutor:
    """History steps through the reference `Monitor`, on the implementation itself. Every
    violation is recorded, none raised, so a replay always reaches the call under check."""

    def __init__(self, binding: Binding) -> None:
        self.binding = binding
        self.clauses = clauses_of(binding)
        self.ignore = frozenset(c.id for c in self.clauses.all)
        self.monitor: Monitor | None = None

    def create(self, context: Context) -> Any:
        self.monitor = Monitor(self.binding, context, evaluator="reference", ignore=self.ignore,
                               check_invariants=True)
        return self.monitor.instance

    def enabled(self, instance: Any, call: Call, args: tuple[Any, ...]) -> bool:
        assert self.monitor is not None
        return self.monitor.enabled(call.name, list(args))

    def call(self, instance: Any, call: Call, args: tuple[Any, ...]) -> Any:
        assert self.monitor is not None
        outcome = self.monitor.call(call.name, list(args), checked_preconditions=False)
        if outcome.error is not None and not declared(self.clauses.members[call.name],
                                                      outcome.error):
            raise Invalid(f"history step {call.name} raised {type(outcome.error).__name__}")
        return outcome.result


def replay(check: OpCheck, values: dict[str, Any], masked: frozenset[str] = frozenset()
           ) -> Replay:
    """Run the input `values` (slot name -> value) through the form and the reference."""
    try:
        outcome = check.perform(check.prepare(values))
    except Invalid as exc:
        return Replay(False, f"it is not a valid input when run concretely ({exc})")
    except Exception as exc:  # noqa: BLE001 - building the pre-state crashed
        return Replay(False, f"building its pre-state raised {type(exc).__name__}: {exc}")
    failures = check.failures(outcome, masked)
    executor = MonitorExecutor(check.binding)
    try:
        _, run, args = check.history.run(values, check.target, executor)
    except Invalid as exc:
        return Replay(False, "the reference evaluator does not accept the history the icontract "
                             f"form accepts ({exc})", failures)
    except SpecViolation as exc:
        return Replay(False, f"the reference evaluator stopped the history: {exc.headline}",
                      failures)
    monitor = executor.monitor
    assert monitor is not None
    history = [_step(name, a) for name, a in run.steps]
    call = _step(check.name, args)
    if not monitor.enabled(check.name, list(args)):
        return Replay(False, f"the reference evaluator finds `{call}` not enabled, though the "
                             "icontract form's precondition holds", failures, [], history, call)
    before = len(monitor.violations)
    pre = dict(monitor.model)
    env = (("now", _show(run.context.now)), ("this_core", str(run.context.this_core)),
           ("ncores", str(run.context.ncores)), ("history", "; ".join(history) or "(none)"))
    shown = [(p.name, _show(a)) for p, a in zip(check.target.params, args)]
    try:
        result = monitor.call(check.name, list(args), checked_preconditions=False)
        shown += [(k, _show(v)) for k, v in result.results.items()]
        if result.error is not None:
            shown.append(("raised", f"{type(result.error).__name__}: {result.error}"))
    except SpecViolation:  # the abstraction itself failed: the monitor raises regardless
        pass
    counterexample = Counterexample(
        args=tuple(shown), pre=tuple((k, _show(v)) for k, v in pre.items()),
        post=tuple((k, _show(v)) for k, v in monitor.model.items()), env=env)
    return Replay(True, "", failures, monitor.violations[before:], history, call,
                  counterexample, dict(monitor.unevaluable))


def example_inputs(check: OpCheck, wanted: int, seed: str) -> list[dict[str, Any]]:
    """Up to `wanted` valid inputs (slot name -> value) for `check`, drawn deterministically
    from `seed`: small integers, so histories collide with the values the state holds."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for _ in range(wanted * EXAMPLE_ATTEMPTS):
        if len(out) >= wanted:
            break
        values = {slot.name: _draw(rng, slot) for slot in check.slots}
        try:
            check.prepare(values)
        except Invalid:
            continue
        except Exception as exc:  # noqa: BLE001 - a crash while building: a fine example
            if analysis_control(exc):
                raise
        out.append(values)
    return out


def _draw(rng: random.Random, slot: Slot) -> Any:
    if slot.annotation is bool:
        return rng.random() < 0.5
    return rng.randrange(EXAMPLE_INT_BOUND)


def _step(name: str, args: tuple[Any, ...]) -> str:
    return f"{name}({', '.join(_show(a) for a in args)})"


def _show(value: Any) -> str:
    try:
        return show(value)
    except Exception:  # noqa: BLE001 - an implementation's own object
        return repr(value)


__all__ = ["EXAMPLE_ATTEMPTS", "EXAMPLE_INT_BOUND", "MonitorExecutor", "Replay",
           "example_inputs", "replay"]
