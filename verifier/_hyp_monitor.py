"""One instance of a bound implementation, called step by step with every clause checked.

The Hypothesis engine drives a `Monitor`; a replay script drives the same checks through
`monitored(cls, context)`, whose op and event methods are the implementation's, checked:

    ctx = Context(ncores=2)
    s = monitored(UnorderedSet, ctx)
    s.insert(3)
    s.erase(3)          # raises SpecViolation: UnorderedSet.erase: ensures `...` violated

A step (`Monitor.call`) runs like the language reference's "How an operation runs": the
preconditions (requires, or an event's guard) must hold; the step runs on the core its
`on core(e)` (event) or `sync remote on core(e)` (op) names; a false `checked requires` or a
true `throws` condition means it must raise one of their exceptions with that clause's effect;
otherwise it returns, and `ensures`, `returns` and the applying `cases` arms must hold; either
way fields outside `modifies` keep their values; then the invariants must hold.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Sequence

from ..errors import EbbrtError
from ..spec._types import TIME
from ._binding import Binding, Context, binding_of
from ._contract_error import ContractViolation
from ._hyp_checks import (ClauseEvaluator, EvaluatorMismatch, Undefined, Unevaluable,
                          clause_reads)
from ._hyp_clauses import EbbClauses, HypClause, MemberClauses, ebb_clauses
from ._hyp_step import Outcome, Step
from ._hyp_values import show_typed
from ._result import Counterexample

_CLAUSES: dict[int, tuple[Binding, EbbClauses]] = {}


def clauses_of(binding: Binding) -> EbbClauses:
    """The clauses of a binding's Ebb (built once per Ebb symbol)."""
    key = id(binding.ebb)
    cached = _CLAUSES.get(key)
    if cached is None or cached[1].ebb is not binding.ebb:
        cached = (binding, ebb_clauses(binding.ebb))
        _CLAUSES[key] = cached
    return cached[1]


class SpecViolation(EbbrtError, AssertionError):
    """The implementation broke a clause: which one, why, and the values it read."""

    def __init__(self, clause: HypClause, problem: str, values: Sequence[tuple[str, str]],
                 counterexample: Counterexample, step: str = "") -> None:
        self.clause = clause
        self.problem = problem
        self.values = tuple(values)
        self.counterexample = counterexample
        self.step = step
        self.trace: list[Any] = []  # the run's steps up to here (`_hyp_trace.TraceStep`s)
        self.script = ""  # the replay script, filled in by the engine
        super().__init__(self.render())

    @property
    def headline(self) -> str:
        span = self.clause.span
        return f"{span.file}:{span.line}:{span.column}: {self.clause.title} violated"

    def render(self) -> str:
        lines = [self.headline, f"  {self.problem}"]
        if self.step:
            lines.append(f"  in step: {self.step}")
        lines += [f"  {name} = {value}" for name, value in self.values]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


class PreconditionFailed(EbbrtError, ValueError):
    """A monitored call whose requires (or event guard) is false: a caller bug, not the
    implementation's."""


class Monitor:
    """A bound implementation's instance with clause checking.

    `ignore`: clause ids whose violations are recorded but not raised (the engine uses it to
    look for further bugs after one is found). `check_invariants`: check the invariants after
    every step (the state machine checks them in its own `@invariant` instead). `owns_instance`:
    only this monitor calls the instance, so its abstraction changes only with a call or the
    context, and is recomputed only then (a monitored proxy lets users call anything, so it
    recomputes every time)."""

    def __init__(self, target: Any, context: Context | None = None, *,
                 evaluator: str = "compiled", ignore: Iterable[str] = (),
                 check_invariants: bool = True, owns_instance: bool = False) -> None:
        self.binding = target if isinstance(target, Binding) else binding_of(target)
        self.context = context if context is not None else Context()
        self.clauses = clauses_of(self.binding)
        self.ev = ClauseEvaluator(self.binding.checked, evaluator)
        self.ignore = frozenset(ignore)
        self.auto_invariants = check_invariants
        self.exercised: Counter[str] = Counter()
        self.unevaluable: dict[str, str] = {}
        self.violations: list[SpecViolation] = []
        self._types = {name: self.binding.instantiate(var.type)
                       for name, var in self.binding.ebb.model.items()}
        self._pending: list[SpecViolation] = []
        self.owns_instance = owns_instance
        self.instance = self.binding.create(self.context)
        self.model = self.binding.model(self.instance)
        self._model_stamp: tuple[int, int] | None = self._stamp()
        self._check_initial()
        if self.auto_invariants:
            self.check_invariants()
        self._raise_pending()

    # ------------------------------------------------------------------ public steps
    def refresh(self, mc: MemberClauses | None = None, when: str = "before the call"
                ) -> dict[str, Any]:
        """The current abstraction, recomputed unless it is known to be current."""
        if not self.owns_instance or self._model_stamp != self._stamp():
            self.set_model(self._abstraction(mc, when))
        return self.model

    def set_model(self, model: dict[str, Any]) -> None:
        """Record the abstraction just computed (after a call)."""
        self.model = model
        self._model_stamp = self._stamp()

    def _stamp(self) -> tuple[int, int]:
        return (self.context.now, self.context.this_core)

    def enabled(self, name: str, args: Sequence[Any], *, refresh: bool = True) -> bool:
        """Whether `name(*args)` may be called now: its requires (or guard) hold and the core
        it runs on is defined. With `refresh`, the abstraction is recomputed first."""
        mc = self.clauses.members[name]
        if refresh:
            self.refresh(mc)
        env = self._env(self.model, mc, args)
        for clause in mc.preconditions:
            if self._condition(clause, env, None) is not True:
                return False
        if mc.runs_on is not None:
            try:
                self.ev.value(mc.runs_on, env)
            except (Undefined, Unevaluable):
                return False
        return True

    def normal_path(self, name: str, args: Sequence[Any]) -> bool:
        """Whether `name(*args)` is due to return normally: every `checked requires` holds and
        no `throws` condition does (read on the current model, as `enabled` leaves it)."""
        mc = self.clauses.members[name]
        env = self._env(self.model, mc, args)
        return (all(self._condition(c, env, None) is True for c in mc.checked)
                and not any(self._condition(c, env, None) is True for c in mc.throws))

    def call(self, name: str, args: Sequence[Any], *, checked_preconditions: bool = True
             ) -> Outcome:
        """Call op or event `name` with spec-value `args` and check it. With
        `checked_preconditions` (the default) a false precondition raises PreconditionFailed;
        the engine asks `enabled` first and passes False."""
        mc = self.clauses.members[name]
        if checked_preconditions and not self.enabled(name, args):
            failed = [c.text for c in mc.preconditions]
            where = f"{self.binding.ebb.name}.{name}({self.show_args(mc, args)})"
            raise PreconditionFailed(f"{where}: the precondition does not hold "
                                     f"({' && '.join(failed)}); this call is a caller bug")
        for clause in mc.preconditions:
            self.exercised[clause.id] += 1
        return Step(self, mc, list(args)).run()

    def check_invariants(self) -> None:
        """Check every invariant on the current abstraction."""
        env = {**self.refresh(None, "when checking the invariants"), **self._builtins()}
        before = len(self.violations)
        for clause in self.clauses.invariants:
            self._must_hold(clause, env, None, "does not hold")
        if self.ev.mode == "both" and not any(c.id in self.unevaluable
                                              for c in self.clauses.invariants):
            self._cross_check_invariants(env, found=len(self.violations) > before)
        self._raise_pending()

    def _cross_check_invariants(self, env: dict[str, Any], found: bool) -> None:
        try:
            self.binding.compiled.check_invariants(env)
            theirs = ""
        except ContractViolation as exc:
            theirs = str(exc).splitlines()[0]
        if bool(theirs) != found:
            mine = "a violation" if found else "none"
            raise EvaluatorMismatch(f"bug in the verifier: on the invariants the Hypothesis engine"
                                    f" finds {mine}, the compiled contract "
                                    f"{theirs or 'none'}")

    # ------------------------------------------------------------------ helpers
    def _check_initial(self) -> None:
        env = self._builtins()
        for clause in self.clauses.initial:
            assert clause.expr is not None
            self.exercised[clause.id] += 1
            try:
                want = self.ev.value(clause.expr, env)
            except Unevaluable as exc:
                self.unevaluable.setdefault(clause.id, str(exc))
                continue
            except Undefined as exc:
                self._violate(clause, f"the initial value has no value ({exc})", [])
                continue
            got = self.model[clause.member]
            if got != want:
                shown = self.show_field(clause.member, got)
                self._violate(clause, f"a new instance has {clause.member} = {shown}, not "
                              f"{self.show_field(clause.member, want)}", [(clause.member, shown)])

    def _builtins(self) -> dict[str, Any]:
        ctx = self.context
        return {"now": ctx.now, "this_core": ctx.this_core, "ncores": ctx.ncores}

    def _env(self, model: dict[str, Any], mc: MemberClauses, args: Sequence[Any]
             ) -> dict[str, Any]:
        env = {**model, **self._builtins()}
        env.update({p.name: a for p, a in zip(mc.symbol.params, args)})
        return env

    def _abstraction(self, mc: MemberClauses | None, when: str) -> dict[str, Any]:
        try:
            return self.binding.model(self.instance)
        except Exception as exc:  # noqa: BLE001 - the implementation's abstraction is broken
            # blamed on the step being checked: the call, else the invariants
            clause = mc.outcome if mc is not None else next(iter(self.clauses.invariants), None)
            if clause is None:
                raise
            self._violate(clause, f"{self.binding.cls.__qualname__}.{self.binding.abstraction}()"
                          f" raised {type(exc).__name__}: {exc} {when}", [])
            self._raise_pending(force=True)
            raise  # pragma: no cover - _raise_pending(force=True) always raises

    def _condition(self, clause: HypClause, env: dict[str, Any], pre: dict[str, Any] | None
                   ) -> bool | None:
        """True, False (no value counts as false: clauses are read strictly), or None when
        it cannot be evaluated (recorded)."""
        assert clause.expr is not None
        try:
            return self.ev.holds(clause.expr, env, pre)
        except Undefined:
            return False
        except Unevaluable as exc:
            self.unevaluable.setdefault(clause.id, str(exc))
            return None

    def _must_hold(self, clause: HypClause, env: dict[str, Any], pre: dict[str, Any] | None,
                   problem: str, expr: Any = None, report: Any = None) -> bool:
        """Evaluate a clause that must be true (`expr`, else the clause's own); a violation goes
        to `report(clause, problem, values)` (default: `_violate`)."""
        expr = expr if expr is not None else clause.expr
        self.exercised[clause.id] += 1
        try:
            if self.ev.holds(expr, env, pre):
                return True
            detail = problem
        except Undefined as exc:
            detail = f"has no value: {exc}"
        except Unevaluable as exc:
            self.unevaluable.setdefault(clause.id, str(exc))
            return True
        (report or self._violate)(clause, detail, self._reads(expr, env, pre))
        return False

    def _reads(self, expr: Any, env: dict[str, Any], pre: dict[str, Any] | None
               ) -> list[tuple[str, str]]:
        out = []
        for name, in_old, t in clause_reads(self.binding.checked, expr):
            source = pre if in_old else env
            if source is not None and name in source:
                shown = show_typed(source[name], self.binding.instantiate(t))
                out.append((f"old({name})" if in_old else name, shown))
        return out

    def show_field(self, name: str, value: Any) -> str:
        return show_typed(value, self._types.get(name))

    def show_model(self, model: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        return tuple((k, self.show_field(k, v)) for k, v in model.items())

    def show_args(self, mc: MemberClauses, args: Sequence[Any]) -> str:
        return ", ".join(show_typed(a, self.binding.instantiate(p.type))
                         for p, a in zip(mc.symbol.params, args))

    def show_env(self, env: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        return (("now", show_typed(env["now"], TIME)), ("this_core", str(env["this_core"])),
                ("ncores", str(env["ncores"])))

    def _violate(self, clause: HypClause, problem: str, values: Sequence[tuple[str, str]],
                 step: str = "", counterexample: Counterexample | None = None) -> None:
        cx = counterexample or Counterexample(pre=self.show_model(self.model),
                                              env=self.show_env(self._builtins()))
        violation = SpecViolation(clause, problem, values, cx, step)
        self.violations.append(violation)
        self._pending.append(violation)

    def _raise_pending(self, force: bool = False) -> None:
        pending, self._pending = self._pending, []
        for violation in pending:
            if force or violation.clause.id not in self.ignore:
                raise violation


class MonitoredInstance:
    """The implementation's ops and events as methods, each call checked by a `Monitor`;
    other attributes are the instance's own."""

    def __init__(self, monitor: Monitor) -> None:
        object.__setattr__(self, "monitor", monitor)

    def __getattr__(self, name: str) -> Any:
        monitor: Monitor = object.__getattribute__(self, "monitor")
        members = monitor.clauses.members
        spec_name = next((n for n, py in monitor.binding.methods.items() if py == name), None)
        if spec_name is None or spec_name not in members:
            return getattr(monitor.instance, name)

        def checked_call(*args: Any) -> Any:
            return monitor.call(spec_name, args).result
        checked_call.__name__ = name
        return checked_call

    def check_invariants(self) -> None:
        object.__getattribute__(self, "monitor").check_invariants()

    def __repr__(self) -> str:
        monitor = object.__getattribute__(self, "monitor")
        return f"monitored({monitor.instance!r})"


def monitored(target: Any, context: Context | None = None, *, evaluator: str = "compiled",
              ignore: Iterable[str] = ()) -> MonitoredInstance:
    """A new instance of a bound class (or `Binding`) whose op and event methods check every
    clause of the spec, raising `SpecViolation` at the first broken one."""
    return MonitoredInstance(Monitor(target, context, evaluator=evaluator, ignore=ignore))


__all__ = ["Monitor", "MonitoredInstance", "Outcome", "PreconditionFailed", "SpecViolation",
           "clauses_of", "monitored"]
