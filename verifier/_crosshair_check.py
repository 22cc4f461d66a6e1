"""One operation as CrossHair analyses it: an icontract-decorated check function.

    @icontract.require(valid)                        # the history replays, the op is enabled,
    @icontract.ensure(lambda result: kept(result))   # the invariants hold; then the form's
    def check_<op>(s0, s0_i0, s1, s1_i0, t):         # postconditions and exception clauses
        instance, args = <the pre-state the precondition built>
        return Outcome(<call the op>)

The precondition builds the pre-state (see `_crosshair_harness`) and leaves it for the body,
which calls the op (unwrapped) on it and records what it returned or raised: an exception the
spec declares for the op, any other exception (a crash, judged as the op's `outcome` clause),
or a `ContractViolation` the form's own throw judgement raised. The postcondition is the form's
conditions plus, for a hand-written form, what icontract cannot say: a `throws` or `checked
requires` exception is raised exactly when due (judged with the contract compiler's code for
each condition). `failures` evaluates the same conditions one by one, so that a concrete replay
can say which of them a counterexample breaks.
"""

from __future__ import annotations

import inspect
import re
import types
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, NoReturn

import icontract
import z3
from crosshair.core import suspected_proxy_intolerance_exception
from crosshair.util import CrosshairUnsupported, NotDeterministic

from ._binding import Binding, Context
from ._contract_error import ContractViolation
from ._crosshair_clauses import identify_ref
from ._crosshair_form import ClauseRef, Form, OpForm
from ._crosshair_harness import Call, History, Invalid, Run, Slot, decoded_values
from ._hyp_clauses import EbbClauses, HypClause, MemberClauses
from ._reference import Undefined, evaluate


@dataclass(frozen=True)
class Failure:
    """A condition an outcome breaks: a form condition (`form:<index>`) or a spec clause the
    engine judges itself (`clause:<id>`)."""
    key: str
    detail: str


class Outcome:
    """What one call of the op under check did."""

    def __init__(self, instance: Any, run: Run, args: tuple[Any, ...], kwargs: dict[str, Any],
                 old: Any, pre_env: dict[str, Any] | None, expected: list[HypClause]) -> None:
        self.instance = instance
        self.run = run
        self.args = args
        self.kwargs = kwargs
        self.old = old
        self.pre_env = pre_env
        self.expected = expected
        self.result: Any = None
        self.raised: BaseException | None = None   # an exception the spec declares
        self.crash: BaseException | None = None    # any other exception
        self.violation: ContractViolation | None = None  # the form judged a throw wrong

    def __repr__(self) -> str:  # CrossHair prints the return value in its messages
        return "<outcome>"

    def __deepcopy__(self, memo: dict[int, Any]) -> "Outcome":
        return self  # CrossHair copies return values for messages; we never read that copy

    def __ch_deep_realize__(self, memo: dict[int, Any]) -> "Outcome":
        return self  # (CrossHair's realizing copy would rebuild the exceptions it holds)


class _Settled:
    """The instance after the call, as the postconditions see it: its abstraction computed
    once (each condition of the form asks for it, and under CrossHair that is the costly
    part), everything else forwarded to the instance."""

    def __init__(self, instance: Any, abstraction: str, raw: Any) -> None:
        object.__setattr__(self, "_instance", instance)
        object.__setattr__(self, abstraction, lambda: raw)

    def __getattr__(self, name: str) -> Any:
        return getattr(object.__getattribute__(self, "_instance"), name)


class FormExecutor:
    """Runs history steps on an instance of the icontract form: a member's preconditions are
    the form's (or, for a member the form does not contract, the spec's); the method runs
    unwrapped; an event runs on the core its `on core` names (an op, its `sync remote on`)."""

    def __init__(self, binding: Binding, form: Form, clauses: EbbClauses) -> None:
        self.binding = binding
        self.form = form
        self.clauses = clauses
        self.context = Context()

    def create(self, context: Context) -> Any:
        self.context = context  # one run at a time: the history's, then the call's
        return self.form.create(context)

    def enabled(self, instance: Any, call: Call, args: tuple[Any, ...]) -> bool:
        with self._on_core(instance, call, args) as placed:
            if not placed:
                return False
            op = self.form.ops.get(call.name)
            if op is not None and op.contracted:
                return bool(op.requires(op.kwargs(instance, [p.name for p in call.params],
                                                  args)))
            member = self.clauses.members[call.name]
            if not member.preconditions:
                return True
            env = self.env(instance, call, args)
            return all(_holds(c.expr, env, self.binding, None) for c in member.preconditions)

    def call(self, instance: Any, call: Call, args: tuple[Any, ...]) -> Any:
        """A history step: the implementation's own method (not the form's wrapper, whose
        judgement of throws is for the call under check only)."""
        try:
            return self.invoke(instance, call, args, form=False)
        except Exception as exc:  # noqa: BLE001 - a step of the history raised
            if analysis_control(exc):
                raise_for_crosshair(exc)
            if declared(self.clauses.members[call.name], exc):
                return None
            raise Invalid(f"history step {call.name} raised {type(exc).__name__}") from None

    def invoke(self, instance: Any, call: Call, args: tuple[Any, ...], *, form: bool = True,
               stay: bool = False) -> Any:
        """Call the member (the form's method unwrapped, or the implementation's), on its core
        when it is an event; with `stay`, `this_core` stays that core afterwards (for the
        postconditions of the call under check, which read it as of the call)."""
        with self._on_core(instance, call, args, stay=stay) as placed:
            if not placed:
                raise Invalid(f"{call.name} runs on no core")
            function = self.function(call.name) if form else \
                _unwrap(getattr(self.binding.cls, self.binding.methods[call.name]))
            return function(instance, *args)

    @contextmanager
    def _on_core(self, instance: Any, call: Call, args: tuple[Any, ...], *, stay: bool = False
                 ) -> Iterator[bool]:
        """A member runs on the core its `on core(e)` (or `sync remote on core(e)`) names:
        `this_core` is that core for its precondition and its call (False when `e` has no
        value here), as in the Monitor."""
        runs_on = self.clauses.members[call.name].runs_on
        if runs_on is None:
            yield True
            return
        try:
            core = _value(runs_on, self.env(instance, call, args), self.binding, None)
        except (Undefined, KeyError):
            yield False
            return
        context = self.context
        saved, context.this_core = context.this_core, core
        try:
            yield True
        finally:
            if not stay:
                context.this_core = saved

    def function(self, name: str) -> Callable[..., Any]:
        op = self.form.ops.get(name)
        if op is not None:
            return op.function
        return getattr(self.form.cls, self.binding.methods[name])

    def raw_model(self, instance: Any) -> Any:
        """The abstraction as the implementation returns it, called unwrapped (an icontract
        class invariant wraps every public method, and would check in mid-analysis)."""
        method = getattr(self.form.cls, self.binding.abstraction, None)
        return {} if method is None else _unwrap(method)(instance)

    def model(self, instance: Any) -> dict[str, Any]:
        """The abstraction, converted to spec values."""
        raw = self.raw_model(instance)
        shim = types.SimpleNamespace(**{self.binding.abstraction: lambda: raw})
        return self.binding.model(shim)

    def env(self, instance: Any, call: Call, args: tuple[Any, ...]) -> dict[str, Any]:
        context = self.context
        env = dict(self.model(instance))
        env.update(now=context.now, this_core=context.this_core, ncores=context.ncores)
        env.update({p.name: a for p, a in zip(call.params, args)})
        return env


class OpCheck:
    """The check function of one op (or event) and the evaluation of its conditions."""

    def __init__(self, binding: Binding, history: History, form: Form, clauses: EbbClauses,
                 name: str) -> None:
        self.binding = binding
        self.history = history
        self.name = name
        self.target = history.target(name)
        self.slots: list[Slot] = history.slots(self.target)
        self.op: OpForm = form.ops[name]
        self.member: MemberClauses = clauses.members[name]
        self.invariants = clauses.invariants
        self._own_exceptions = self.judges_exceptions
        self.executor = FormExecutor(binding, form, clauses)
        self._stash: tuple[tuple[int, ...], tuple[Any, Run, tuple[Any, ...]]] | None = None

    @property
    def exception_clauses(self) -> list[HypClause]:
        return [*self.member.checked, *self.member.throws]

    @property
    def judges_exceptions(self) -> bool:
        """Whether the engine judges the exception clauses itself: not when the form does (a
        postcondition names one, as `to_icontract`'s "no throw was demanded" does, and its
        method judges a throw before letting it through); a hand-written form cannot."""
        if not self.exception_clauses:
            return False
        own = {c.id for c in self.exception_clauses}
        for condition in self.op.postconditions:
            if condition.ref is not None:
                found = identify_ref(condition.ref, self.member, self.invariants)
                if found is not None and found.id in own:
                    return False
        return True

    # ------------------------------------------------------------------ one call
    def prepare(self, values: dict[str, Any]) -> tuple[Any, Run, tuple[Any, ...]]:
        """The pre-state and arguments `values` decode to; `Invalid` when they are not a valid
        history, or the op is not enabled there."""
        instance, run, args = self.history.run(values, self.target, self.executor)
        if not self.executor.enabled(instance, self.target, args):
            raise Invalid(f"{self.name} is not enabled")
        if self.invariants and not self._invariants_hold(instance, args):
            raise Invalid("the history breaks an invariant")  # that step's op is to blame
        return instance, run, args

    def _invariants_hold(self, instance: Any, args: tuple[Any, ...]) -> bool:
        """Whether the pre-state keeps every invariant: the op under check is judged on
        keeping them (as the prover's `invariant_preserved`), not on repairing a state an
        earlier step broke (an invariant that cannot be evaluated counts as kept)."""
        env = self.executor.env(instance, self.target, args)
        return all(_holds(c.expr, env, self.binding, None) is not False
                   for c in self.invariants)

    def perform(self, prepared: tuple[Any, Run, tuple[Any, ...]]) -> Outcome:
        """Call the op. An exception the spec declares for it is `raised`; any other is a
        `crash` (judged as the op's `outcome` clause, so that it can be masked like a clause)."""
        instance, run, args = prepared
        kwargs = self.op.kwargs(instance, [p.name for p in self.target.params], args)
        old = self.op.old(kwargs)
        pre_env = expected = None
        if self._own_exceptions:
            pre_env = self.executor.env(instance, self.target, args)
            expected = self._expected(pre_env)
        outcome = Outcome(instance, run, args, kwargs, old, pre_env, expected or [])
        try:
            outcome.result = self.executor.invoke(instance, self.target, args, stay=True)
        except ContractViolation as exc:  # the form's own judgement of a throw
            cause = exc.__cause__ or exc.__context__
            if cause is not None and analysis_control(cause):
                raise_for_crosshair(cause)  # the throw it judged was CrossHair's, not the op's
            outcome.violation = exc
        except Exception as exc:  # noqa: BLE001 - judged below, as the spec says
            if analysis_control(exc):
                raise_for_crosshair(exc)
            if declared(self.member, exc):
                outcome.raised = exc
            else:
                outcome.crash = exc
        return outcome

    def _expected(self, env: dict[str, Any]) -> list[HypClause]:
        """The exception clauses that demand a throw here: a false `checked requires`, a true
        `throws ... when` (no value counts as false, as in the Monitor)."""
        out = []
        for clause in self.exception_clauses:
            held = _holds(clause.expr, env, self.binding, None)
            if held is None:
                continue
            if held != (clause.kind == "checked_requires"):
                out.append(clause)
        return out

    # ------------------------------------------------------------------ conditions
    def failures(self, outcome: Outcome, masked: frozenset[str] = frozenset(), *,
                 first: bool = False) -> list[Failure]:
        """The conditions `outcome` breaks (all, or only the first with `first`)."""
        out: list[Failure] = []
        if outcome.violation is not None:
            key = self._violation_key(outcome.violation)
            if key not in masked:
                out.append(Failure(key, str(outcome.violation).splitlines()[0]))
            return out
        if outcome.crash is not None:
            key = self.outcome_key
            if key not in masked:
                crash = outcome.crash
                out.append(Failure(key, f"raised {type(crash).__name__}: {crash}"))
            return out
        if outcome.raised is None:
            settled = _Settled(outcome.instance, self.binding.abstraction,
                               self.executor.raw_model(outcome.instance))
            kwargs = {**outcome.kwargs, "self": settled, "result": outcome.result,
                      "OLD": outcome.old}
            for condition in self.op.postconditions:
                key = f"form:{condition.index}"
                if key in masked:
                    continue
                if not condition.holds(kwargs):
                    out.append(Failure(key, f"`{condition.text}` is false"))
                    if first:
                        return out
        for clause, detail in self._exception_problems(outcome):
            if f"clause:{clause.id}" not in masked:
                out.append(Failure(f"clause:{clause.id}", detail))
                if first:
                    return out
        return out

    def _violation_key(self, violation: ContractViolation) -> str:
        clause = violation.clause
        ref = ClauseRef(clause.kind, clause.text, clause.span.line, clause.span.column,
                        clause.exception)
        found = identify_ref(ref, self.member, self.invariants)
        return f"clause:{found.id}" if found is not None else self.outcome_key

    @property
    def outcome_key(self) -> str:
        """The failure key of the op's `outcome` clause (no exception but the declared)."""
        outcome = self.member.outcome
        return f"clause:{outcome.id}" if outcome is not None else "clause:outcome"

    def _exception_problems(self, outcome: Outcome) -> list[tuple[HypClause, str]]:
        if not self._own_exceptions:
            return []
        expected = outcome.expected
        if outcome.raised is None:
            if expected:
                clause = expected[0]
                return [(clause, f"returned normally instead of raising {clause.exception}")]
            return []
        names = {k.__name__ for k in type(outcome.raised).__mro__}
        raised = type(outcome.raised).__name__
        allowed = [c for c in expected if c.exception in names]
        if not allowed:
            clause = next(c for c in self.exception_clauses if c.exception in names)
            why = ("its condition holds" if clause.kind == "checked_requires"
                   else "its condition is false")
            return [(clause, f"raised {raised}, although {why}")]
        post = self.executor.env(outcome.instance, self.target, outcome.args)
        for clause in allowed:
            if self._effect_kept(clause, outcome.pre_env or {}, post):
                return []
        return [(allowed[0], f"raised {raised} as it must, but its effect does not hold")]

    def _effect_kept(self, clause: HypClause, pre: dict[str, Any], post: dict[str, Any]) -> bool:
        if clause.effect is None:  # a throw without `ensures` leaves the model as it was
            return all(post[f] == pre[f] for f in self.member.modified)
        return _holds(clause.effect, post, self.binding, pre) is True

    # ------------------------------------------------------------------ the check function
    def function(self, masked: frozenset[str] = frozenset()) -> Callable[..., Outcome]:
        """The icontract-decorated check function CrossHair analyses."""
        slots = self.slots
        names = [s.name for s in slots]

        def check(*args: Any) -> Outcome:
            key = tuple(id(a) for a in args)
            stash, self._stash = self._stash, None
            if stash is not None and stash[0] == key:
                prepared = stash[1]
            else:  # called without the precondition (a concrete call): build again
                prepared = self.prepare(decoded_values(slots, args))
            return self.perform(prepared)

        def valid(**kwargs: Any) -> bool:
            self._stash = None  # CrossHair runs the body only right after this returns True
            try:
                prepared = self.prepare({n: kwargs[n] for n in names})
            except Invalid:
                return False
            self._stash = (tuple(id(kwargs[n]) for n in names), prepared)
            return True

        def kept(result: Outcome) -> bool:
            return not self.failures(result, masked, first=True)

        positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
        signature = inspect.Signature(
            [inspect.Parameter(s.name, positional, annotation=s.annotation) for s in slots],
            return_annotation=Outcome)
        check.__signature__ = signature  # type: ignore[attr-defined]
        check.__name__ = check.__qualname__ = f"check_{self.name}"
        valid.__signature__ = signature.replace(  # type: ignore[attr-defined]
            return_annotation=bool)
        decorated = icontract.require(valid, "the history replays and the op is enabled")(check)
        return icontract.ensure(kept, "the op keeps its contract")(decorated)


def analysis_control(exc: BaseException) -> bool:
    """Whether `exc` is CrossHair's business rather than the implementation's: its signal of a
    nondeterministic path, a solver error, a TypeError from a C function that cannot take a
    symbolic value, or CrossHair 0.0.113 failing to build an exception class that lists a
    built-in exception with its own `__new__` after another base (`class OutOfMemory(
    EbbrtError, MemoryError)` raises "MemoryError.__new__(OutOfMemory) is not safe" under
    CrossHair only). CrossHair abandons such a path (UNKNOWN), it is not a crash of the op."""
    if isinstance(exc, (NotDeterministic, z3.Z3Exception)):
        return True
    if isinstance(exc, TypeError) and _UNSAFE_NEW.search(str(exc)):
        return True
    return bool(suspected_proxy_intolerance_exception(exc))


def raise_for_crosshair(exc: BaseException) -> NoReturn:
    """Hand an `analysis_control` exception back to CrossHair: as itself when CrossHair knows
    it, else as `CrosshairUnsupported`, which makes the path UNKNOWN (never ignored: an
    ignored path would let "confirmed over all paths" skip it)."""
    if isinstance(exc, (NotDeterministic, z3.Z3Exception)) or \
            suspected_proxy_intolerance_exception(exc):
        raise exc
    raise CrosshairUnsupported(f"CrossHair cannot follow this path: {exc}") from exc


_UNSAFE_NEW = re.compile(r"\.__new__\(\w+\) is not safe, use \w+\.__new__\(\)")


def declared(member: MemberClauses, exc: BaseException) -> bool:
    """Whether the spec names `exc` (or a class in its MRO) for this member."""
    names = {k.__name__ for k in type(exc).__mro__}
    return any(c.exception in names for c in [*member.checked, *member.throws])


def _holds(expr: Any, env: dict[str, Any], binding: Binding, pre: dict[str, Any] | None
           ) -> bool | None:
    """True or False (no value is false); None when it cannot be evaluated."""
    try:
        return bool(_value(expr, env, binding, pre))
    except Undefined:
        return False
    except KeyError:
        return None


_COMPILED: dict[int, tuple[Any, Callable[..., Any] | None]] = {}


def _value(expr: Any, env: dict[str, Any], binding: Binding, pre: dict[str, Any] | None
           ) -> Any:
    """The value of a spec expression, by the contract compiler's code for it (the same code
    the icontract form runs; the replay judges with the reference evaluator instead), or by
    the reference evaluator where the compiler offers none."""
    key = id(expr)
    cached = _COMPILED.get(key)
    if cached is None or cached[0] is not expr:
        try:
            from ._compile_expr import compile_expression
            compiled: Callable[..., Any] | None = compile_expression(
                expr, binding.checked, label="crosshair check")
        except Exception:  # noqa: BLE001 - no compiled form: the reference evaluates it
            compiled = None
        cached = _COMPILED[key] = (expr, compiled)
    if cached[1] is None:
        return evaluate(expr, env, binding.checked, pre)
    return cached[1](env, pre)


def _unwrap(function: Any) -> Any:
    while hasattr(function, "__wrapped__"):
        function = function.__wrapped__
    return function


__all__ = ["Failure", "FormExecutor", "OpCheck", "Outcome", "analysis_control", "declared",
           "raise_for_crosshair"]
