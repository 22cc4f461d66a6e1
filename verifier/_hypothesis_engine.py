"""The Hypothesis engine: stateful property tests of an implementation against its spec.

    from ebbrt.verifier import run_hypothesis
    results = run_hypothesis(MySet, max_examples=100, stateful_step_count=30)

One `Result` per clause (see `_hyp_clauses` for the kinds and ids):
- TESTED: the clause held in every example; `details` say in how many examples it was
  exercised (and how many checks that made);
- REFUTED: a run broke it; the counterexample shows the breaking step (arguments and results,
  the model before and after, `now` and the cores), `details["script"]` is a replayable Python
  script of the minimized run ending at the violating call, `details["violation"]` the message;
- UNKNOWN: never exercised (its requires never held, its condition never came up), with the
  reason; or the run was flaky, or the evaluators disagreed (a bug in the verifier);
- SKIPPED: the clause cannot be evaluated (an uninterpreted function, say).

A run stops at the first broken clause; its trace is then minimized by replaying shorter and
simpler versions outside Hypothesis (`_hyp_trace`: deterministic, a fixed budget of replays;
Hypothesis' own shrinking costs minutes per bug on a state machine and slips between clauses).
The engine then runs again with the broken clauses recorded but not raised, to find the next,
until a run finds nothing new (at most `max_rounds` runs).

Runs are deterministic: `derandomize=True` (or the given `seed`), no example database, and
the machine orders every value it picks from by something stable (not by hash or address).

`backend="crosshair"` runs the same machine on the hypothesis-crosshair backend, which solves
for the drawn values symbolically (it found `add(6)` breaking an `ensures` that holds for
0..5 within five examples). Its limits, as measured (crosshair-tool 0.0.113,
hypothesis-crosshair 0.0.32): about a second per example even on a two-operation spec, so keep
budgets small (5-10 examples of 3-5 steps); Hypothesis' stateful rule selection makes CrossHair
abandon some paths as "not deterministic" (counted in `details["abandoned paths"]`, their
reports kept out of the output); values the rules pick by index from the run's own pool are
concrete choices it does not reason about; and its runs are not guaranteed to repeat exactly.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, seed as hypothesis_seed, settings
from hypothesis.errors import Flaky
from hypothesis.stateful import run_state_machine_as_test

from ..errors import EbbrtError
from ._binding import Binding, Context, binding_of
from ._hyp_checks import EVALUATORS, EvaluatorMismatch
from ._hyp_clauses import EbbClauses, HypClause
from ._hyp_monitor import Monitor, SpecViolation, clauses_of
from ._hyp_script import render_script
from ._hyp_trace import minimize
from ._hyp_isolation import no_local_constants
from ._result import Result, Verdict
from ._state_machine import Tally, machine_class
from ._strategies import DEFAULT_NCORES

ENGINE = "hypothesis"
BACKENDS = ("hypothesis", "crosshair")
DEFAULT_MAX_EXAMPLES = 100
DEFAULT_STEPS = 30
MAX_ROUNDS = 4


class HypothesisEngineError(EbbrtError, ValueError):
    """Bad arguments to the engine (an unknown backend, a budget below 1)."""


def run_hypothesis(target: Any, *, max_examples: int = DEFAULT_MAX_EXAMPLES,
                   stateful_step_count: int = DEFAULT_STEPS, seed: int | None = 0,
                   backend: str = "hypothesis", ncores: int = DEFAULT_NCORES,
                   evaluator: str = "compiled", max_rounds: int = MAX_ROUNDS
                   ) -> list[Result]:
    """Test the implementation `target` (a class bound with `@implements`, an instance, or a
    `Binding`) against its spec; one `Result` per clause, in spec order."""
    binding = target if isinstance(target, Binding) else binding_of(target)
    _validate(max_examples, stateful_step_count, backend, ncores, max_rounds, evaluator)
    config = _settings(max_examples, stateful_step_count, seed, backend)
    _try_creating(binding, ncores)
    clauses = clauses_of(binding)
    refuted: dict[str, SpecViolation] = {}
    fatal = ""   # why no clause can be judged TESTED: a verifier bug, a flaky run
    note = ""    # a caveat on the TESTED ones
    tally = Tally()
    options = dict(ncores=ncores, evaluator=evaluator)
    for _ in range(max_rounds):
        tally = Tally()
        ignore = frozenset(refuted)
        machine = machine_class(binding, ignore=ignore, tally=tally, **options)
        if seed is not None:
            machine = hypothesis_seed(seed)(machine)
        try:
            _run(machine, config, backend, tally)
            break
        except Flaky as exc:  # before groups: FlakyFailure is an ExceptionGroup too
            fatal = f"the run was flaky (is the implementation deterministic?): {exc}"
            break
        except BaseExceptionGroup as group:
            failures = _leaves(group)
        except Exception as exc:  # noqa: BLE001 - sorted out just below
            failures = [exc]
        fatal = _fatal([f for f in failures if not isinstance(f, SpecViolation)])
        for violation in (f for f in failures if isinstance(f, SpecViolation)):
            if violation.clause.id in refuted:  # raised although ignored: it stops every run
                fatal = fatal or (f"every run stops at {violation.clause.title}: "
                                  f"{violation.problem}")
                continue
            refuted[violation.clause.id] = _minimized(binding, violation, ignore, **options)
        if fatal:
            break
    else:
        note = (f"stopped after {max_rounds} rounds that each found a broken clause; the "
                "clauses not refuted were tested up to the last one")
    engine = ENGINE if backend == "hypothesis" else f"{ENGINE}-{backend}"
    return [_result(c, clauses, tally, refuted, fatal, note, engine) for c in clauses.all]


def _try_creating(binding: Binding, ncores: int) -> None:
    """Fail early, and clearly, when no instance can be made or abstracted at all."""
    try:
        Monitor(binding, Context(ncores=ncores), check_invariants=False)
    except SpecViolation:
        pass  # a wrong initial state: the runs report it
    except Exception as exc:  # noqa: BLE001 - the implementation's own failure, reported
        raise HypothesisEngineError(
            f"cannot test {binding.cls.__qualname__}: creating an instance and reading its "
            f"abstraction raised {type(exc).__name__}: {exc}") from exc


def _minimized(binding: Binding, violation: SpecViolation, ignore: frozenset[str], *,
               ncores: int, evaluator: str) -> SpecViolation:
    """The violation on the shortest, simplest trace that still shows it, with its script."""
    steps = violation.trace
    found = minimize(binding, steps, violation.clause.id, ncores=ncores, evaluator=evaluator,
                     ignore=ignore)
    if found is not None:
        steps, replayed = found
        replayed.trace = steps
        violation = replayed
    violation.script = render_script(binding, steps, headline=violation.render(),
                                     ncores=ncores, evaluator=evaluator, ignore=sorted(ignore))
    return violation


def _leaves(group: BaseExceptionGroup) -> list[BaseException]:
    out: list[BaseException] = []
    for exc in group.exceptions:
        out += _leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc]
    return out


def _fatal(failures: list[BaseException]) -> str:
    """Why a run cannot be trusted, from what it raised besides violations (a disagreement
    between the evaluators); anything else is a bug in the engine and propagates."""
    for exc in failures:
        if isinstance(exc, EvaluatorMismatch):
            return str(exc)
    for exc in failures:
        raise exc
    return ""


def _run(machine: type, config: settings, backend: str, tally: Tally) -> None:
    """Run the machine. CrossHair prints a report to stdout for every path it abandons as
    not deterministic (Hypothesis' stateful rule selection makes some): it is kept out of the
    user's output and counted instead."""
    if backend == "hypothesis":
        with no_local_constants():
            run_state_machine_as_test(machine, settings=config)
        return
    noise = io.StringIO()
    try:
        with contextlib.redirect_stdout(noise), no_local_constants():
            run_state_machine_as_test(machine, settings=config)
    finally:
        tally.abandoned += noise.getvalue().count("*** Begin Not Deterministic Debug ***")


def _validate(max_examples: int, steps: int, backend: str, ncores: int, rounds: int,
              evaluator: str) -> None:
    if evaluator not in EVALUATORS:
        raise HypothesisEngineError(f"unknown evaluator {evaluator!r}; choose one of "
                                    f"{', '.join(EVALUATORS)}")
    if backend not in BACKENDS:
        raise HypothesisEngineError(f"unknown backend {backend!r}; choose one of "
                                    f"{', '.join(BACKENDS)}")
    for name, value in (("max_examples", max_examples), ("stateful_step_count", steps),
                        ("ncores", ncores), ("max_rounds", rounds)):
        if value < 1:
            raise HypothesisEngineError(f"{name} must be at least 1, not {value}")


def _settings(max_examples: int, steps: int, seed: int | None, backend: str) -> settings:
    options: dict[str, Any] = dict(
        max_examples=max_examples, stateful_step_count=steps, derandomize=seed is None,
        database=None, deadline=None, suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet, report_multiple_bugs=False, print_blob=False,
        phases=(Phase.explicit, Phase.generate))  # `_hyp_trace.minimize` shrinks instead
    if backend != "hypothesis":
        options["backend"] = backend
    return settings(**options)


# ---------------------------------------------------------------------------- results

def _result(clause: HypClause, clauses: EbbClauses, tally: Tally,
            refuted: dict[str, SpecViolation], fatal: str, note: str, engine: str) -> Result:
    base = dict(obligation=clause.id, kind=clause.kind, ebb=clause.ebb, subject=clause.member,
                span=clause.span, engine=engine)
    violation = refuted.get(clause.id)
    if violation is not None:
        return Result(**base, verdict=Verdict.REFUTED,
                      message=f"{clause.title} violated: {violation.problem}",
                      counterexample=violation.counterexample,
                      details=(("script", violation.script),
                               ("violation", violation.render())))
    if fatal:
        return Result(**base, verdict=Verdict.UNKNOWN, message=f"{clause.title}: not judged",
                      reason=fatal)
    if clause.id in tally.unevaluable:
        return Result(**base, verdict=Verdict.SKIPPED, message=f"{clause.title}: not checked",
                      reason=tally.unevaluable[clause.id])
    examples, steps = tally.examples[clause.id], tally.steps[clause.id]
    if examples:
        details = (("examples", str(examples)), ("checks", str(steps)),
                   ("runs", str(tally.runs)))
        if tally.abandoned:
            details += (("abandoned paths", str(tally.abandoned)),)
        if note:
            details += (("note", note),)
        return Result(**base, verdict=Verdict.TESTED,
                      message=f"{clause.title}: held in {examples} of {tally.runs} examples "
                              f"({steps} checks)", details=details)
    return Result(**base, verdict=Verdict.UNKNOWN, message=f"{clause.title}: never exercised",
                  reason=_never_exercised(clause, clauses, tally),
                  details=(("examples", "0"), ("runs", str(tally.runs))))


def _never_exercised(clause: HypClause, clauses: EbbClauses, tally: Tally) -> str:
    member = clauses.members.get(clause.member)
    if member is None:
        return f"never exercised in {tally.runs} examples"
    attempts, calls = tally.attempts[clause.member], tally.calls[clause.member]
    if clause.kind in ("requires", "guard") or calls == 0:
        if member.is_event:
            return (f"never exercised: the guard `{member.preconditions[0].text}` never held "
                    f"for the values seen in {tally.runs} examples") if member.preconditions \
                else f"never exercised: the event never fired in {tally.runs} examples"
        if attempts == 0:
            return f"never exercised: `{clause.member}` was never tried in {tally.runs} examples"
        return (f"never exercised: the requires of `{clause.member}` never held in {attempts} "
                f"attempts")
    return _REASONS.get(clause.kind, "never exercised in {calls} calls").format(
        calls=calls, text=clause.text, exception=clause.exception)


_REASONS = {
    "checked_requires": "never exercised: its condition was never false in {calls} calls, so "
                        "raising {exception} was never tested",
    "throws": "never exercised: its condition never held in {calls} calls",
    "case": "never exercised: the arm's condition never held in {calls} calls",
    "ensures": "never exercised: none of {calls} calls returned normally",
    "returns": "never exercised: none of {calls} calls returned normally",
    "cases_complete": "never exercised: none of {calls} calls returned normally",
    "cases_disjoint": "never exercised: none of {calls} calls returned normally",
}


__all__ = ["BACKENDS", "DEFAULT_MAX_EXAMPLES", "DEFAULT_STEPS", "ENGINE",
           "HypothesisEngineError", "MAX_ROUNDS", "run_hypothesis"]
