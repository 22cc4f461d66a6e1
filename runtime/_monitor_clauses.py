"""What every clause monitor shares: patterns matched against observations, spec expressions
evaluated with the reference evaluator's meaning, clause text, and the verdict sink (`Judge`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Hashable, Iterable, Mapping, Protocol

from ..spec import ast as A
from ..spec._printer import format_expr
from ..spec._printer import format_formula as formula_text
from ..spec._printer import format_pattern as pattern_text
from ..spec._symbols import EbbSymbol, EventSymbol, OpSymbol, VarSymbol
from ..spec._typecheck import Checked
from ..spec._types import Type
from ..verifier._compile_expr import compile_expression
from ..verifier._hyp_values import show_typed
from ..verifier._reference import Undefined, evaluate
from ._monitor_violation import ClauseInfo
from ._observations import MonitorError, Observation

ModelOf = Callable[[int, int], Mapping[str, Any]]
EVALUATORS = ("compiled", "reference")
Bound = dict[str, Any]  # pattern variable -> value


# ---------------------------------------------------------------------------- clause text

def temporal_info(ebb: EbbSymbol, decl: A.TemporalDecl) -> ClauseInfo:
    label = decl.name.text if decl.name is not None else ""
    prefix = f"{decl.kind} {label}: " if label else f"{decl.kind} "
    kind = "assumption" if decl.kind == "assume" else "property"
    return ClauseInfo(kind, ebb.name, prefix + formula_text(decl.formula), label, decl.span)


# ---------------------------------------------------------------------------- patterns

@dataclass(frozen=True)
class PatternMatcher:
    """A pattern `start(h, t, _)`: which observations are occurrences of it, and the values its
    binders take from them (by position: binder i names parameter i)."""
    name: str
    occurs_as: str  # the observation kind of an occurrence: `return` (an op) or `event`
    slots: tuple[tuple[str, str], ...]  # (binder, parameter name), `_` left out
    types: Mapping[str, Type]  # binder -> its type
    text: str

    @property
    def binders(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(b for b, _ in self.slots))

    def occurs(self, obs: Observation) -> bool:
        return obs.kind == self.occurs_as and obs.name == self.name and not obs.raised

    def bind(self, obs: Observation) -> Bound | None:
        """The binders' values in `obs`; None when a binder repeated in the pattern
        (`eq(x, x)`) meets two different values."""
        bound: Bound = {}
        for binder, param in self.slots:
            try:
                value = obs.args[param]
            except KeyError:
                raise MonitorError(f"the observation of {obs.ebb}.{obs.name} at {obs.time}ns "
                                   f"lacks the argument `{param}`; observations carry every "
                                   "argument by its spec parameter name") from None
            if binder in bound and bound[binder] != value:
                return None
            bound[binder] = value
        return bound


def compile_pattern(checked: Checked, p: A.Pattern) -> PatternMatcher:
    target = checked.ref(p)
    if not isinstance(target, (OpSymbol, EventSymbol)):
        raise MonitorError(f"{p.span}: `{p.name.text}` is not an operation or event; check the "
                           "spec (`ebb check`) before monitoring it")
    pairs = [(b.text, param) for b, param in zip(p.binders, target.params) if b.text != "_"]
    slots = tuple((binder, param.name) for binder, param in pairs)
    types = {binder: param.type for binder, param in pairs}
    occurs_as = "return" if isinstance(target, OpSymbol) else "event"
    return PatternMatcher(target.name, occurs_as, slots, types, pattern_text(p))


def shared(first: PatternMatcher, second: PatternMatcher) -> tuple[str, ...]:
    """The binders both patterns use, in the first's order: they must match the same values."""
    other = set(second.binders)
    return tuple(b for b in first.binders if b in other)


# ---------------------------------------------------------------------------- expressions

def free_names(checked: Checked, expr: A.Expr) -> set[tuple[str, str]]:
    """(kind, name) of every variable `expr` reads: `model`, `builtin`, `binder` (pattern
    variables only, not quantifier ones); bodies of called functions are followed."""
    out: set[tuple[str, str]] = set()
    seen: set[int] = set()
    stack: list[object] = [expr]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        ref = checked.refs.get(id(node))
        if isinstance(node, A.Name) and isinstance(ref, VarSymbol):
            if ref.kind != "binder" or isinstance(ref.decl, A.Ident):
                out.add((ref.kind, ref.name))
        if isinstance(node, A.Call):
            body = getattr(getattr(ref, "decl", None), "body", None)
            if body is not None:
                stack.append(body)
        for name in getattr(node, "__dataclass_fields__", {}):
            if name != "span":
                value = getattr(node, name)
                stack.extend(v for v in (value if isinstance(value, tuple) else (value,))
                             if hasattr(v, "__dataclass_fields__"))
    return out


def reads_model(checked: Checked, exprs: Iterable[A.Expr | None]) -> bool:
    return any(kind == "model" for e in exprs if e is not None
               for kind, _ in free_names(checked, e))


class Sink(Protocol):
    def __call__(self, info: ClauseInfo, problem: str, time: int,
                 bindings: list[tuple[str, Any, str]], extra: tuple[Observation, ...] = ()
                 ) -> None: ...


class Judge:
    """Evaluation for the clause monitors of one Ebb: the state an observation is judged in
    (`model_of(node, core)` plus `now`, `this_core`, `ncores`), computed once per observation,
    the instance an observation belongs to, and the verdict sink.

    `evaluator`: `reference` evaluates with `ebbrt.verifier.evaluate`, the naive oracle;
    `compiled` (the default) with the contract compiler's code for the same expression, which
    has the reference's meaning exactly (tests/verifier/test_differential.py) and runs several
    times faster, which matters at one evaluation per observation."""

    def __init__(self, checked: Checked, ebb: EbbSymbol, model_of: ModelOf | None,
                 ncores: int | None, report: Sink, evaluator: str = "compiled") -> None:
        if evaluator not in EVALUATORS:
            raise MonitorError(f"unknown evaluator {evaluator!r}; choose one of "
                               f"{', '.join(EVALUATORS)}")
        self.evaluator = evaluator
        self._compiled: dict[int, Callable[[Mapping[str, Any]], Any]] = {}
        self.checked = checked
        self.ebb = ebb
        self.model_of = model_of
        self.ncores = ncores
        self.report = report
        self.checks = 0
        self._state_for: Observation | None = None
        self._state: dict[str, Any] = {}

    def instance(self, obs: Observation) -> Hashable:
        """Observations of different instances never match each other: one instance per node,
        except a distributed Ebb, which is one instance across its nodes."""
        return None if self.ebb.scope_kind == "distributed" else obs.node

    def builtins(self, obs: Observation) -> dict[str, Any]:
        env: dict[str, Any] = {"now": obs.time, "this_core": obs.core}
        if self.ncores is not None:
            env["ncores"] = self.ncores
        return env

    def state(self, obs: Observation) -> dict[str, Any]:
        """The model (from `model_of`) and built-ins `obs` is judged in; one call of `model_of`
        per observation however many clauses read it."""
        if self._state_for is not obs:
            if self.model_of is None:
                raise MonitorError(f"{self.ebb.name}: a clause reads the model, but no "
                                   "`model_of(node, core)` was given to compile_monitors")
            self._state = {**self.builtins(obs), **self.model_of(obs.node, obs.core)}
            self._state_for = obs
        return self._state

    def value(self, expr: A.Expr, env: Mapping[str, Any]) -> Any:
        """The value of a spec expression; `Undefined` where it has none."""
        try:
            if self.evaluator == "reference":
                return evaluate(expr, env, self.checked)
            compiled = self._compiled.get(id(expr))
            if compiled is None:
                compiled = self._compiled[id(expr)] = compile_expression(
                    expr, self.checked, label="monitor clause")
            return compiled(env)
        except KeyError as missing:
            raise MonitorError(f"{expr.span}: cannot evaluate `{format_expr(expr)}`: "
                               f"{missing.args[0] if missing.args else missing}; model_of must "
                               "give every model field (and `ncores`, unless compile_monitors "
                               "was given it)") from None

    def holds(self, expr: A.Expr, env: Mapping[str, Any]) -> tuple[bool, str]:
        """Whether a condition holds, and if not, why (no value counts as false)."""
        try:
            return (True, "") if self.value(expr, env) else (False, "is false")
        except Undefined as exc:
            return False, f"has no value ({exc})"

    def shown(self, bound: Mapping[str, Any], types: Mapping[str, Type]
              ) -> list[tuple[str, Any, str]]:
        return [(name, value, show_typed(value, types.get(name))) for name, value in bound.items()]


def key_of(bound: Mapping[str, Any], names: tuple[str, ...], instance: Hashable) -> tuple:
    return (instance, *(bound[n] for n in names))


__all__ = ["Bound", "Judge", "ModelOf", "PatternMatcher", "Sink", "compile_pattern",
           "formula_text", "free_names", "key_of", "pattern_text", "reads_model", "shared",
           "temporal_info"]
