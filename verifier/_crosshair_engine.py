"""The CrossHair engine: symbolic execution of an implementation against its icontract form.

    from ebbrt.verifier import run_crosshair
    results = run_crosshair(UnorderedSet)          # one Result per clause and operation

For each operation (and event) of the bound implementation, CrossHair analyses a check
function (`_crosshair_check`) that builds the pre-state from a bounded history of spec calls
(`_crosshair_harness`), calls the operation, and has the icontract form's postconditions, the
invariants folded in, as its own. Verdicts, per clause the run judges (`_crosshair_clauses`):

- PROVED "symbolically checked: confirmed over all paths": CrossHair exhausted every path of
  every history up to `depth` steps (a bounded proof: longer histories are not covered), and a
  few concrete inputs agree;
- UNKNOWN "symbolically checked N paths, not all": the budget ran out first, or CrossHair
  could not decide some path (the reason says which);
- REFUTED: CrossHair's counterexample, replayed concretely, breaks the clause both in the
  icontract form and under the reference evaluator; an undeclared exception is a REFUTED
  `outcome` clause. After a refutation the broken conditions are masked and CrossHair runs again
  (up to `max_refutations` times) to judge the others;
- UNKNOWN with reason "verifier disagreement: ...": the replay did not reproduce what CrossHair
  said (or a confirmed operation failed on a concrete input): a bug in the verifier, not the
  implementation's failure;
- SKIPPED: no icontract form, or an operation the harness cannot call (its parameter types).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from crosshair.statespace import MessageType

from ..errors import EbbrtError
from ._binding import Binding, binding_of
from ._crosshair_check import OpCheck
from ._crosshair_clauses import Judged, judged_clauses
from ._crosshair_form import Form, FormUnavailable, form_for, read_form
from ._crosshair_harness import DEFAULT_DEPTH, DEFAULT_NCORES, History, decoded_values
from ._crosshair_replay import Replay, example_inputs, replay
from ._crosshair_run import (DEFAULT_MAX_ITERATIONS, DEFAULT_PER_CONDITION_SECONDS,
                             DEFAULT_PER_PATH_SECONDS, Analysis, Budget, analyze)
from ._hyp_clauses import EbbClauses
from ._hyp_monitor import clauses_of
from ._result import Counterexample, Result, Verdict

ENGINE = "crosshair"
MAX_REFUTATIONS = 3
DEFAULT_EXAMPLES = 6
_FAILED = (MessageType.POST_FAIL, MessageType.POST_ERR, MessageType.EXEC_ERR)


class CrossHairEngineError(EbbrtError, ValueError):
    """Bad arguments to the engine (a budget below 1, an unknown op)."""


def run_crosshair(target: Any, *, per_condition_budget: float = DEFAULT_PER_CONDITION_SECONDS,
                  per_path_timeout: float = DEFAULT_PER_PATH_SECONDS,
                  max_iterations: int = DEFAULT_MAX_ITERATIONS,
                  ops: Iterable[str] | None = None, depth: int = DEFAULT_DEPTH,
                  form: type | None = None, ncores: int = DEFAULT_NCORES,
                  max_refutations: int = MAX_REFUTATIONS, examples: int = DEFAULT_EXAMPLES
                  ) -> list[Result]:
    """Check the implementation `target` (a class bound with `@implements`, an instance, or a
    `Binding`) with CrossHair; one `Result` per clause judged, operations in spec order.

    `max_iterations`: paths per CrossHair run (the deterministic budget); `per_condition_budget`
    and `per_path_timeout`: CPU seconds per run and per path (time-based safety nets);
    `ops`: the operations and events to check (default: all); `depth`: history steps before
    the call; `form`: the icontract form to check (default: the compiler's `to_icontract`);
    `examples`: concrete inputs run to cross-check a confirmation."""
    binding = target if isinstance(target, Binding) else binding_of(target)
    _validate(max_iterations, per_condition_budget, per_path_timeout, depth, ncores,
              max_refutations, examples)
    names = _members(binding, ops)
    clauses = clauses_of(binding)
    try:
        icontract_form = read_form(form, binding) if form is not None else form_for(binding)
    except FormUnavailable as exc:
        return [_skipped_member(binding, name, str(exc)) for name in names]
    history = History(binding, depth=depth, ncores=ncores)
    budget = Budget(max_iterations, per_condition_budget, per_path_timeout)
    settings = _Settings(budget, max_refutations, examples, depth)
    results: list[Result] = []
    for name in names:
        try:
            results += _check_member(binding, clauses, icontract_form, history, name, settings)
        except EbbrtError as exc:  # the binding's own complaint (say, a wrong abstraction)
            results.append(_failed_member(binding, name, f"{type(exc).__name__}: {exc}"))
        except Exception as exc:  # noqa: BLE001 - one member's failure does not hide the rest
            results.append(_failed_member(binding, name, f"bug in the verifier: "
                                                         f"{type(exc).__name__}: {exc}"))
    return results


@dataclass(frozen=True)
class _Settings:
    budget: Budget
    max_refutations: int
    examples: int
    depth: int


def _validate(max_iterations: int, per_condition: float, per_path: float, depth: int,
              ncores: int, max_refutations: int, examples: int) -> None:
    for name, value in (("max_iterations", max_iterations), ("ncores", ncores)):
        if value < 1:
            raise CrossHairEngineError(f"{name} must be at least 1, not {value}")
    for name, value in (("depth", depth), ("max_refutations", max_refutations),
                        ("examples", examples)):
        if value < 0:
            raise CrossHairEngineError(f"{name} must be at least 0, not {value}")
    for name, seconds in (("per_condition_budget", per_condition),
                          ("per_path_timeout", per_path)):
        if not seconds > 0:
            raise CrossHairEngineError(f"{name} must be a positive number of seconds, "
                                       f"not {seconds}")


def _members(binding: Binding, ops: Iterable[str] | None) -> list[str]:
    ebb = binding.ebb
    members = sorted([*ebb.ops.values(), *ebb.events.values()],
                     key=lambda m: (m.decl.span.start, m.name))
    every = [m.name for m in members]
    if ops is None:
        return every
    wanted = list(ops)
    unknown = [n for n in wanted if n not in every]
    if unknown:
        raise CrossHairEngineError(f"{ebb.name} has no op or event "
                                   f"{', '.join(f'`{n}`' for n in unknown)}; it has "
                                   f"{', '.join(every)}")
    return [n for n in every if n in wanted]


def _skipped_member(binding: Binding, name: str, reason: str) -> Result:
    ebb = binding.ebb
    member = ebb.ops.get(name) or ebb.events[name]
    return Result(obligation=f"{ebb.name}.{name}.crosshair", kind="crosshair", ebb=ebb.name,
                  subject=name, span=member.span, verdict=Verdict.SKIPPED, engine=ENGINE,
                  message=f"{ebb.name}.{name}: not checked with CrossHair", reason=reason)


def _failed_member(binding: Binding, name: str, reason: str) -> Result:
    skipped = _skipped_member(binding, name, reason)
    return Result(**{**_fields(skipped), "verdict": Verdict.UNKNOWN,
                     "message": f"{binding.ebb.name}.{name}: CrossHair could not check it"})


# ---------------------------------------------------------------------------- one member

def _check_member(binding: Binding, clauses: EbbClauses, form: Form, history: History,
                  name: str, settings: _Settings) -> list[Result]:
    if name in history.unsupported:
        return [_skipped_member(binding, name, history.unsupported[name])]
    if name not in form.ops:
        return [_skipped_member(binding, name, "the icontract form has no method for it")]
    check = OpCheck(binding, history, form, clauses, name)
    judged = judged_clauses(check, clauses)
    verdicts: dict[str, Result] = {}
    masked: frozenset[str] = frozenset()
    analysis: Analysis | None = None
    stop = ""
    for _ in range(settings.max_refutations + 1):
        analysis = analyze(check.function(masked), settings.budget)
        if analysis.state not in _FAILED:
            break
        newly, stop = _judge_counterexample(check, judged, analysis, masked, verdicts)
        masked |= newly
        if stop:
            break
    else:
        stop = f"stopped after {settings.max_refutations + 1} counterexamples"
    assert analysis is not None
    open_clauses = [j for j in judged if j.obligation not in verdicts]
    if stop:
        for j in open_clauses:
            verdicts[j.obligation] = _result(binding, j, Verdict.UNKNOWN, f"{j.title}: not judged",
                                             reason=stop)
    else:
        for j in open_clauses:
            if j.keys <= masked:  # every condition of it was set aside after a counterexample
                verdicts[j.obligation] = _result(
                    binding, j, Verdict.UNKNOWN, f"{j.title}: not judged",
                    reason="its icontract condition was set aside after a counterexample for "
                           "another clause")
            else:
                verdicts[j.obligation] = _final(binding, j, analysis, settings)
        if analysis.state == MessageType.CONFIRMED:
            _cross_check(check, judged, verdicts, settings, masked)
    listed = [verdicts.pop(j.obligation) for j in judged]
    return [*verdicts.values(), *listed]  # a disagreement about the whole op comes first


def _judge_counterexample(check: OpCheck, judged: list[Judged], analysis: Analysis,
                          masked: frozenset[str], verdicts: dict[str, Result]
                          ) -> tuple[frozenset[str], str]:
    """Replay CrossHair's counterexample; record refutations and disagreements. Returns the
    failure keys to mask for the next run, and a reason to stop (when nothing can be masked)."""
    binding = check.binding
    said = f"CrossHair reported {analysis.state.name if analysis.state else 'nothing'}: " \
           f"{_first_line(analysis.message)}"
    if analysis.call is None:
        _disagree(check, verdicts, f"{said}; its counterexample could not be read back")
        return frozenset(), "CrossHair's counterexample could not be read back"
    values = _slot_values(check, analysis.call)
    rerun = replay(check, values, masked)
    if not rerun.valid:
        _disagree(check, verdicts, f"{said}; replayed concretely, {rerun.reason}")
        return frozenset(), "CrossHair's counterexample did not replay"
    failed_keys = {f.key for f in rerun.failures}
    if not failed_keys:
        _disagree(check, verdicts, f"{said}; replayed concretely ({rerun.describe()}), every "
                                   "condition of the icontract form holds")
        return frozenset(), "CrossHair's counterexample did not replay"
    details = {f.key: f.detail for f in rerun.failures}
    # a violation the reference names goes to the clause that is exactly that clause
    single = {next(iter(j.reference_ids)): j for j in judged if len(j.reference_ids) == 1}
    hits = [(j, sorted(j.keys & failed_keys)) for j in judged if j.keys & failed_keys]
    unconfirmed = []
    agreed: list[str] = []  # titles of the reference's violations the form also found
    for j, hit in hits:
        problem = "; ".join(details[k] for k in hit)
        confirmed = [v for v in rerun.violations if v.clause.id in j.reference_ids]
        agreed += [v.clause.title for v in confirmed]
        for violation in confirmed:
            target = single.get(violation.clause.id, j)
            for refuted in {target.obligation: target, j.obligation: j}.values():
                if refuted.obligation not in verdicts:
                    verdicts[refuted.obligation] = _refuted(binding, refuted, problem, rerun,
                                                            violation)
        if not confirmed and j.obligation not in verdicts:
            unconfirmed.append((j, problem))
    for j, problem in unconfirmed:
        if agreed:  # the reference stops judging a call at its first broken rule
            verdicts[j.obligation] = _result(
                binding, j, Verdict.UNKNOWN, f"{j.title}: not judged",
                reason=f"on {rerun.describe()} the icontract form finds it false too "
                       f"({problem}), but {agreed[0]} is broken first there, and the reference "
                       "evaluator judges nothing after that")
            continue
        unevaluable = [rerun.unevaluable[i] for i in sorted(j.reference_ids)
                       if i in rerun.unevaluable]
        others = ", ".join(sorted(rerun.violated_ids))
        seen = (f"cannot evaluate it ({unevaluable[0]})" if unevaluable
                else f"finds {others} violated instead" if others
                else "finds no clause violated")
        verdicts[j.obligation] = _result(
            binding, j, Verdict.UNKNOWN, f"{j.title}: not judged",
            reason=f"verifier disagreement: on {rerun.describe()} the icontract form says it "
                   f"fails ({problem}), the reference evaluator {seen}",
            details=(("verifier_bug", "true"),))
    return frozenset(failed_keys), ""


def _disagree(check: OpCheck, verdicts: dict[str, Result], what: str) -> None:
    binding = check.binding
    ebb, op = binding.ebb.name, check.name
    obligation = f"{ebb}.{op}.crosshair"
    verdicts[obligation] = Result(
        obligation=obligation, kind="crosshair", ebb=ebb, subject=op,
        span=check.target.member.span, verdict=Verdict.UNKNOWN, engine=ENGINE,
        message=f"{ebb}.{op}: CrossHair's verdict was not reproduced",
        reason=f"verifier disagreement: {what}", details=(("verifier_bug", "true"),))


def _cross_check(check: OpCheck, judged: list[Judged], verdicts: dict[str, Result],
                 settings: _Settings, masked: frozenset[str]) -> None:
    """Run a confirmed operation on a few concrete inputs; a clause broken there contradicts
    CrossHair's confirmation."""
    seed = f"{check.binding.ebb.name}.{check.name}"
    inputs = example_inputs(check, settings.examples, seed)
    ran = 0
    for values in inputs:
        rerun = replay(check, values, masked)
        if not rerun.valid:
            continue
        ran += 1
        failed = {f.key for f in rerun.failures}
        for j in judged:
            if verdicts[j.obligation].verdict != Verdict.PROVED:
                continue
            broken = (j.keys & failed) or (j.reference_ids & rerun.violated_ids
                                           if j.kind != "icontract" else set())
            if broken:
                verdicts[j.obligation] = _result(
                    check.binding, j, Verdict.UNKNOWN, f"{j.title}: not judged",
                    reason=f"verifier disagreement: CrossHair confirmed it over all paths, but "
                           f"the concrete input {rerun.describe()} breaks it",
                    details=(("verifier_bug", "true"),))
    for j in judged:
        old = verdicts[j.obligation]
        if old.verdict == Verdict.PROVED:
            verdicts[j.obligation] = Result(**{**_fields(old),
                                               "details": (*old.details,
                                                           ("examples", str(ran)))})


def _final(binding: Binding, j: Judged, analysis: Analysis, settings: _Settings) -> Result:
    """The verdict of a clause nothing refuted, from CrossHair's last run."""
    paths = str(analysis.paths)
    depth = settings.depth
    details = (("paths", paths), ("history_depth", str(depth)))
    state = analysis.state
    if state == MessageType.CONFIRMED:
        return _result(binding, j, Verdict.PROVED,
                       "symbolically checked: confirmed over all paths "
                       f"(histories of up to {_steps(depth)})", details=details)
    if state == MessageType.CANNOT_CONFIRM:
        reason = {
            "iterations": f"the budget of {settings.budget.max_iterations} paths ran out",
            "time": "the time budget ran out (this verdict can vary with machine speed)",
            "exhaustion": "CrossHair could not decide some paths (an operation it cannot "
                          "follow symbolically, or a path that overran its time)",
        }[analysis.stopped_by]
        return _result(binding, j, Verdict.UNKNOWN,
                       f"symbolically checked {paths} paths, not all", reason=reason,
                       details=details)
    if state == MessageType.PRE_UNSAT:
        return _result(binding, j, Verdict.UNKNOWN, f"{j.title}: not judged",
                       reason=f"no input CrossHair tried met the precondition (a history of up "
                              f"to {_steps(depth)} that enables the call) in {paths} paths",
                       details=details)
    what = f"{state.name}: {_first_line(analysis.message)}" if state else "no verdict"
    return _result(binding, j, Verdict.UNKNOWN, f"{j.title}: not judged",
                   reason=f"bug in the verifier: CrossHair could not analyse the check ({what})")


def _refuted(binding: Binding, j: Judged, problem: str, rerun: Replay, violation: Any
             ) -> Result:
    """A refutation both replays agree on: the reference's words, the form's condition."""
    return _result(binding, j, Verdict.REFUTED,
                   f"{j.title} violated: {violation.problem} (on {rerun.describe()})",
                   counterexample=rerun.counterexample,
                   details=(("icontract", problem), ("replayed", violation.render())))


def _result(binding: Binding, j: Judged, verdict: Verdict, message: str, *, reason: str = "",
            counterexample: Counterexample | None = None,
            details: tuple[tuple[str, str], ...] = ()) -> Result:
    return Result(obligation=j.obligation, kind=j.kind, ebb=binding.ebb.name, subject=j.subject,
                  span=j.span, verdict=verdict, engine=ENGINE, message=message, reason=reason,
                  counterexample=counterexample, details=details)


def _fields(result: Result) -> dict[str, Any]:
    return {name: getattr(result, name) for name in result.__dataclass_fields__}


def _slot_values(check: OpCheck, call: tuple[tuple[Any, ...], dict[str, Any]]
                 ) -> dict[str, Any]:
    args, kwargs = call
    values = decoded_values(check.slots, args)
    values.update(kwargs)
    return values


def _steps(depth: int) -> str:
    return f"{depth} step" if depth == 1 else f"{depth} steps"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


__all__ = ["CrossHairEngineError", "ENGINE", "run_crosshair"]
