"""One checked call of an op or event: its pre-state, the call, and every clause.

A `Step` belongs to a `Monitor` (see `_hyp_monitor`), whose counters and violation list it
adds to. The order follows the language reference's "How an operation runs": which `checked
requires` are false and which `throws` conditions hold (in the pre-state), the call (on the core
the member runs on), then either the exception against those clauses or the results against
`ensures`, `returns` and the `cases` arms, and the frame either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from ..spec import ast as A
from ..spec._symbols import OpSymbol
from ._contract_error import ContractViolation
from ._hyp_checks import EvaluatorMismatch, Undefined, Unevaluable
from ._hyp_clauses import HypClause, MemberClauses, expr_text
from ._hyp_values import conforms, show_typed
from ._result import Counterexample

if TYPE_CHECKING:
    from ._hyp_monitor import Monitor, SpecViolation


@dataclass
class Outcome:
    """What one call did: its raw result or exception, for the script."""
    called: bool
    result: Any = None
    error: BaseException | None = None
    results: dict[str, Any] = field(default_factory=dict)  # spec values by result name


class Step:
    """One checked call: the pre-state, the call, and every clause of the member."""

    def __init__(self, monitor: Monitor, mc: MemberClauses, args: list[Any]) -> None:
        self.m = monitor
        self.mc = mc
        self.args = args
        self.pre = monitor.model
        self.env = monitor._env(self.pre, mc, args)

    def run(self) -> Outcome:
        m, mc = self.m, self.mc
        failing = [c for c in mc.checked if self._expectation(c, negate=True)]
        due = [c for c in mc.throws if self._expectation(c, negate=False)]
        unknown = [c for c in [*mc.checked, *mc.throws] if c.id in m.unevaluable]
        self.call_text = f"{mc.name}({m.show_args(mc, self.args)})"
        outcome = self._invoke()
        self.post = m._abstraction(mc, "after the call")
        m.set_model(self.post)
        before = len(m.violations)
        comparable = True
        if outcome.error is not None:
            self._check_raised(outcome.error, failing, due, unknown)
        else:
            comparable = self._results(outcome)
            if comparable:
                self._check_returned(outcome, [*failing, *due])
        self._check_frame()
        if mc.outcome is not None:
            m.exercised[mc.outcome.id] += 1
        if m.ev.mode == "both" and comparable:
            self._cross_check(outcome, m.violations[before:])
        if m.auto_invariants:
            m.check_invariants()
        m._raise_pending()
        return outcome

    # ------------------------------------------------------------------ the call
    def _expectation(self, clause: HypClause, negate: bool) -> bool:
        """Whether a checked requires is false (negate) or a throws condition true; one that
        cannot be evaluated counts as neither (and allows its exception)."""
        held = self.m._condition(clause, self.env, None)
        if held is None:
            return False
        due = (not held) if negate else held
        if due:
            self.m.exercised[clause.id] += 1
        return due

    def _invoke(self) -> Outcome:
        m, mc = self.m, self.mc
        ctx = m.context
        saved_core = ctx.this_core
        if mc.runs_on is not None:
            ctx.this_core = m.ev.value(mc.runs_on, self.env)
            self.env["this_core"] = ctx.this_core
        method = m.binding.method(m.instance, mc.name)
        try:
            return Outcome(True, result=method(*self.args))
        except Exception as exc:  # noqa: BLE001 - judging what the implementation raised
            return Outcome(True, error=exc)
        finally:
            ctx.this_core = saved_core

    def _counterexample(self, results: dict[str, Any] | None = None) -> Counterexample:
        m, symbol = self.m, self.mc.symbol
        args = [(p.name, show_typed(a, m.binding.instantiate(p.type)))
                for p, a in zip(symbol.params, self.args)]
        types = {r.name: r.type for r in getattr(symbol, "results", ())}
        args += [(k, show_typed(v, m.binding.instantiate(types[k])))
                 for k, v in (results or {}).items()]
        return Counterexample(args=tuple(args), pre=m.show_model(self.pre),
                              post=m.show_model(self.post), env=m.show_env(self.env))

    def _violate(self, clause: HypClause, problem: str, values: Sequence[tuple[str, str]],
                 results: dict[str, Any] | None = None) -> None:
        self.m._violate(clause, problem, values, self.call_text, self._counterexample(results))

    # ------------------------------------------------------------------ raising
    def _check_raised(self, error: BaseException, failing: list[HypClause],
                      due: list[HypClause], unknown: list[HypClause]) -> None:
        names = {k.__name__ for k in type(error).__mro__}
        raised = f"{type(error).__name__}: {error}"
        allowed = [c for c in [*failing, *due, *unknown] if c.exception in names]
        if not allowed:
            declared = [c for c in [*self.mc.checked, *self.mc.throws] if c.exception in names]
            if declared:
                clause = declared[0]
                why = ("its condition holds" if clause.kind == "checked_requires"
                       else "its condition is false")
                self.m.exercised[clause.id] += 1
                self._violate(clause, f"raised {raised}, although {why}",
                              self.m._reads(clause.expr, self.env, None))
            elif self.mc.outcome is not None:
                self._violate(self.mc.outcome, f"raised {raised}, which no clause allows", [])
            return
        problems = [p for p in (self._effect_problem(c) for c in allowed) if p is not None]
        if len(problems) == len(allowed):
            clause, problem, values = problems[0]
            self._violate(clause, f"raised {type(error).__name__} as it must, but {problem}",
                          values)

    def _effect_problem(self, clause: HypClause) -> tuple[HypClause, str, list] | None:
        """Why the state after throwing breaks `clause`'s effect, or None if it keeps it."""
        if clause.effect is None:
            changed = [f for f in self.mc.modified if self.post[f] != self.pre[f]]
            if not changed:
                return None
            values = [(f"old({f})", self.m.show_field(f, self.pre[f])) for f in changed]
            values += [(f, self.m.show_field(f, self.post[f])) for f in changed]
            return clause, f"it changed {', '.join(changed)}", values
        post_env = {**self.post, **{k: v for k, v in self.env.items() if k not in self.post}}
        try:
            if self.m.ev.holds(clause.effect, post_env, self.pre):
                return None
            problem = "its effect does not hold"
        except Undefined as exc:
            problem = f"its effect has no value: {exc}"
        except Unevaluable as exc:
            self.m.unevaluable.setdefault(clause.id, str(exc))
            return None
        return clause, problem, self.m._reads(clause.effect, post_env, self.pre)

    # ------------------------------------------------------------------ returning
    def _results(self, outcome: Outcome) -> bool:
        """Convert the results to spec values (into outcome.results); False after recording a
        violation when they have the wrong shape or type."""
        symbol = self.mc.symbol
        if not isinstance(symbol, OpSymbol) or not symbol.results:
            return True
        raw = outcome.result
        if len(symbol.results) > 1:
            if not isinstance(raw, (tuple, list)) or len(raw) != len(symbol.results):
                self._bad_result(f"returned {raw!r}; expected a tuple of "
                                 f"{len(symbol.results)} results "
                                 f"({', '.join(r.name for r in symbol.results)})")
                return False
            values = list(raw)
        else:
            values = [raw]
        for var, value in zip(symbol.results, values):
            t = self.m.binding.instantiate(var.type)
            try:
                converted = self.m.binding.to_spec(value, t)
            except Exception as exc:  # noqa: BLE001 - a result of the wrong shape
                self._bad_result(f"result `{var.name}` = {value!r} is not a `{t}`: {exc}")
                return False
            if not conforms(converted, t, self.m.context.ncores):
                self._bad_result(f"result `{var.name}` = {show_typed(converted, t)} is not a "
                                 f"`{t}`")
                return False
            outcome.results[var.name] = converted
        return True

    def _bad_result(self, problem: str) -> None:
        if self.mc.outcome is not None:
            self._violate(self.mc.outcome, problem, [])

    def _check_returned(self, outcome: Outcome, expected: list[HypClause]) -> None:
        m, mc = self.m, self.mc
        results = outcome.results
        post_env = {**self.post, **{k: v for k, v in self.env.items() if k not in self.post},
                    **results}
        if expected:
            clause = expected[0]
            why = "its condition is false" if clause.kind == "checked_requires" else \
                "its condition holds"
            self._violate(clause, f"returned normally instead of raising {clause.exception}, "
                          f"although {why}", m._reads(clause.expr, self.env, None), results)
            return
        for clause in mc.ensures:
            self._hold(clause, clause.expr, post_env, results, "does not hold")
        for clause in mc.returns:
            self._returns(clause, clause.expr, post_env, results)
        applying = []
        for clause in mc.arms:
            held = m._condition(clause, post_env, self.pre)
            if not held:
                continue
            applying.append(clause)
            assert clause.arm is not None
            for effect in clause.arm.effects:
                if isinstance(effect, A.Returns):
                    self._returns(clause, effect.expr, post_env, results)
                else:
                    self._hold(clause, effect.expr, post_env, results, "the arm applies but its "
                               f"effect `{expr_text(effect.expr)}` does not hold")
        arms = ", ".join(c.arm.name.text for c in applying if c.arm is not None)
        if mc.complete is not None:
            m.exercised[mc.complete.id] += 1
            if not applying:
                self._violate(mc.complete, "no arm applies", self._arm_values(post_env), results)
        if mc.disjoint is not None:
            m.exercised[mc.disjoint.id] += 1
            if len(applying) > 1:
                self._violate(mc.disjoint, f"several arms apply: {arms}",
                              self._arm_values(post_env), results)

    def _arm_values(self, post_env: dict[str, Any]) -> list[tuple[str, str]]:
        values: list[tuple[str, str]] = []
        for clause in self.mc.arms:
            values += [v for v in self.m._reads(clause.expr, post_env, self.pre)
                       if v not in values]
        return values

    def _hold(self, clause: HypClause, expr: Any, env: dict[str, Any],
              results: dict[str, Any], problem: str) -> None:
        self.m._must_hold(clause, env, self.pre, problem, expr,
                          lambda c, p, values: self._violate(c, p, values, results))

    def _returns(self, clause: HypClause, expr: Any, env: dict[str, Any],
                 results: dict[str, Any]) -> None:
        m = self.m
        m.exercised[clause.id] += 1
        name, got = next(iter(results.items()))
        try:
            want = m.ev.value(expr, env, self.pre)
        except Undefined as exc:
            self._violate(clause, f"has no value: {exc}", m._reads(expr, env, self.pre), results)
            return
        except Unevaluable as exc:
            m.unevaluable.setdefault(clause.id, str(exc))
            return
        if got != want or (isinstance(want, bool) and type(got) is not bool):
            t = m.binding.instantiate(self.mc.symbol.results[0].type)  # type: ignore[union-attr]
            got_text, want_text = show_typed(got, t), show_typed(want, t)
            values = [(name, got_text), *m._reads(expr, env, self.pre)]
            self._violate(clause, f"returned {got_text}, not {want_text}", values, results)

    # ------------------------------------------------------------------ frame
    def _check_frame(self) -> None:
        clause = self.mc.frame
        if clause is None:
            return
        self.m.exercised[clause.id] += 1
        changed = [f for f in self.mc.unmodified if self.post[f] != self.pre[f]]
        if changed:
            values = [(f"old({f})", self.m.show_field(f, self.pre[f])) for f in changed]
            values += [(f, self.m.show_field(f, self.post[f])) for f in changed]
            self._violate(clause, f"changed {', '.join(changed)}, which it does not modify",
                          values)

    # ------------------------------------------------------------------ cross-check
    def _cross_check(self, outcome: Outcome, found: list["SpecViolation"]) -> None:
        """Judge the step again with the contract compiler's whole-operation check
        (`CompiledOp.check_post`); a different verdict is a bug in the verifier."""
        m, mc = self.m, self.mc
        if any(c.id in m.unevaluable for c in mc.all()):
            return  # one side cannot judge every clause: nothing to compare
        compiled = m.binding.compiled.member(mc.name)
        env = {**self.post, **{k: v for k, v in self.env.items() if k not in self.post},
               **outcome.results}
        raised = None
        if outcome.error is not None:
            raised = compiled.match_exception(outcome.error) or type(outcome.error).__name__
        try:
            compiled.check_post(env, compiled.snapshot(self.pre), raised)
            theirs = None
        except ContractViolation as exc:
            theirs = exc
        mine = [v for v in found if v.clause.kind not in _NOT_COMPARED]
        if theirs is None and mine:
            raise EvaluatorMismatch(
                f"bug in the verifier: in step {self.call_text}, the Hypothesis engine finds "
                f"{mine[0].headline}, but the compiled contract passes the step")
        if theirs is not None and not found:
            first = str(theirs).splitlines()[0]
            raise EvaluatorMismatch(
                f"bug in the verifier: in step {self.call_text}, the compiled contract finds "
                f"{first}, but the Hypothesis engine passes the step")


# clauses the compiled whole-operation check does not judge (so a violation of only these is
# not a disagreement): the result's shape and undeclared exceptions, and cases flags
_NOT_COMPARED = frozenset({"outcome", "cases_complete", "cases_disjoint"})

__all__ = ["Outcome", "Step"]
