"""z3's models replayed through the reference evaluator: no prover verdict is trusted alone.

A counterexample z3 finds (REFUTED) and a witness it finds for a satisfiability question (a
PROVED `requires_satisfiable` or `ensures_trivial`) are models of the *encoding* of the spec.
Here their values, decoded into plain Python values, are put back into the spec's own clauses
and evaluated by `_reference` (the naive evaluator with exactly docs/language.md's semantics):

- what the model claims holds (the invariants and preconditions of its pre-state, ...) must
  evaluate to true;
- what it claims fails (the invariant after the step, the arms' conditions, ...) must evaluate
  to false or have no value (clauses are read strictly).

A clause the reference evaluator judges otherwise is a disagreement between the encoding and
the language's semantics: `replay` returns it as one sentence, and the prover reports the
obligation as a verifier bug (see `_discharge`), never as a plain verdict. A clause that reads
something the model does not give values for (a `func` without a body) is not replayed; the
result says how many clauses were. Refinement obligations relate two Ebbs' states through a
mapping and are not replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from ..spec import ast as A
from ..spec._printer import format_expr
from ..spec._symbols import EbbSymbol, EventSymbol, OpSymbol
from ..spec._typecheck import Checked
from ._ob_state import invariants_of
from ._reference import Undefined, evaluate

Member = OpSymbol | EventSymbol
Values = Mapping[str, Mapping[str, Any]]   # section (args, result, pre, post, env) -> name -> value
SECTIONS = ("args", "result", "pre", "post", "env")


@dataclass(frozen=True)
class ReplayTarget:
    """What one obligation is about, in spec terms: enough to judge its models concretely."""
    checked: Checked
    ebb: EbbSymbol
    kind: str
    member: Member | None = None
    label: str = ""          # the invariant of `invariant_*`
    index: int = 0           # the ensures clause (from 1) of `ensures_trivial`


@dataclass(frozen=True)
class Replay:
    """The outcome of one replay: clauses evaluated, and the first disagreement (or "")."""
    evaluated: int
    skipped: int
    disagreement: str = ""

    @property
    def detail(self) -> str:
        if self.disagreement:
            return "disagrees"
        if not self.evaluated:
            return "not replayed"
        clauses = f"{self.evaluated} clause{'s' if self.evaluated != 1 else ''}"
        return (f"the reference evaluator agrees ({clauses}"
                + (f", {self.skipped} not evaluable)" if self.skipped else ")"))


def model_values(rows: Iterable[Any], decoder: Any) -> dict[str, dict[str, Any]]:
    """The model's value of every shown constant, by section and name (plain values: times
    and durations as int nanoseconds)."""
    values: dict[str, dict[str, Any]] = {s: {} for s in SECTIONS}
    for row in rows:
        if row.section in values and row.name not in values[row.section]:
            values[row.section][row.name] = decoder.value(row.term, row.type, display=False)
    return values


def replay(target: ReplayTarget, values: Values, *, witness: bool) -> Replay:
    """Judge a model of `target`'s obligation with the reference evaluator: a counterexample
    (`witness=False`) or a witness of satisfiability (`witness=True`)."""
    judge = _Judge(target, values)
    rule = (_WITNESS if witness else _COUNTEREXAMPLE).get(target.kind)
    if rule is not None:
        rule(judge)
    return Replay(judge.evaluated, judge.skipped, judge.disagreement)


class _Judge:
    def __init__(self, target: ReplayTarget, values: Values) -> None:
        self.t = target
        self.values = values
        self.evaluated = 0
        self.skipped = 0
        self.disagreement = ""

    # ------------------------------------------------------------------ environments
    def pre_env(self) -> dict[str, Any]:
        v = self.values
        return {**v.get("env", {}), **v.get("pre", {}), **v.get("args", {})}

    def post_env(self) -> dict[str, Any]:
        v = self.values
        post = {**v.get("pre", {}), **v.get("post", {})}  # unmodified fields: shown as pre
        return {**v.get("env", {}), **post, **v.get("args", {}), **v.get("result", {})}

    # ------------------------------------------------------------------ judging
    def value(self, expr: A.Expr, env: Mapping[str, Any], old: Mapping[str, Any] | None = None
              ) -> Any:
        """True/False, `Undefined` (no value), or None (not evaluable from the model)."""
        try:
            result = evaluate(expr, env, self.t.checked, old)
        except Undefined:
            result = Undefined
        except (KeyError, TypeError, AttributeError):  # a name the model gives no value to
            self.skipped += 1
            return None
        self.evaluated += 1
        return result

    def expect(self, expr: A.Expr, env: Mapping[str, Any], holds: bool, what: str,
               old: Mapping[str, Any] | None = None) -> None:
        if self.disagreement:
            return
        got = self.value(expr, env, old)
        if got is None:
            return
        if holds and got is not True:
            seen = "has no value" if got is Undefined else "is false"
            self.disagreement = (f"z3's model makes {what} `{format_expr(expr)}` hold, but the "
                                 f"reference evaluator finds it {seen} on the same values")
        elif not holds and got is True:
            self.disagreement = (f"z3's model makes {what} `{format_expr(expr)}` fail, but the "
                                 "reference evaluator finds it true on the same values")

    def invariants(self, env: Mapping[str, Any], *, skip: str = "") -> None:
        for label, decl in invariants_of(self.t.ebb):
            if label != skip:
                self.expect(decl.expr, env, True, f"invariant `{label}` of the pre-state")

    def preconditions(self) -> None:
        member, env = self.t.member, self.pre_env()
        if isinstance(member, EventSymbol):
            core = self.value(member.decl.core, env)
            if core is not None and core is not Undefined and core != env.get("this_core"):
                self.disagreement = (f"z3's model runs event `{member.name}` on core "
                                     f"{env.get('this_core')}, but its `on` clause names core "
                                     f"{core}")
            if member.decl.guard is not None:
                self.expect(member.decl.guard, env, True, "the guard")
            return
        assert isinstance(member, OpSymbol)
        for clause in member.decl.clauses:
            if isinstance(clause, A.Requires):
                self.expect(clause.expr, env, True, "requires")

    def arms(self) -> list[Any]:
        """Each arm's condition, evaluated as the encoding reads it: after the step, with
        `old(...)` the pre-state."""
        member, env, old = self.t.member, self.post_env(), self.values.get("pre", {})
        assert isinstance(member, OpSymbol)
        cases = [c for c in member.decl.clauses if isinstance(c, A.Cases)]
        return [self.value(arm.when, env, old) for c in cases for arm in c.arms]


# ---------------------------------------------------------------------------- the rules

def _pre_state(j: _Judge) -> None:
    """The facts every step obligation starts from: invariants and preconditions."""
    j.invariants(j.pre_env())
    j.preconditions()


def _invariant_preserved(j: _Judge) -> None:
    _pre_state(j)
    decl = dict(invariants_of(j.t.ebb))[j.t.label]
    j.expect(decl.expr, j.post_env(), False, f"invariant `{j.t.label}` after the step")


def _invariant_initial(j: _Judge) -> None:
    decl = dict(invariants_of(j.t.ebb))[j.t.label]
    env = dict(j.values.get("env", {}))
    initial = dict(j.values.get("pre", {}))
    for name, var in j.t.ebb.model.items():  # the initializers, evaluated independently
        init = getattr(var.decl, "init", None)
        if init is not None:
            got = j.value(init, env)
            if got is not None and got is not Undefined:
                initial[name] = got
    j.expect(decl.expr, {**env, **initial}, False, f"invariant `{j.t.label}` initially")


def _cases_complete(j: _Judge) -> None:
    _pre_state(j)
    if not j.disagreement and any(w is True for w in j.arms()):
        j.disagreement = ("z3's model has no arm of the cases apply, but the reference "
                          "evaluator finds one that does on the same values")


def _cases_disjoint(j: _Judge) -> None:
    _pre_state(j)
    applying = [w for w in j.arms() if w is not None]
    if not j.disagreement and len(applying) == len(j.arms()) and \
            sum(w is True for w in applying) < 2:
        j.disagreement = ("z3's model has two arms of the cases apply at once, but the "
                          "reference evaluator finds fewer on the same values")


def _frame(j: _Judge) -> None:
    """The counterexample's step is one the postcondition allows: with no exception to take
    instead, its post-state satisfies every `ensures`."""
    _pre_state(j)
    member = j.t.member
    assert member is not None
    clauses = member.decl.clauses
    if any(isinstance(c, (A.Throws, A.CheckedRequires)) for c in clauses):
        return
    for clause in clauses:
        if isinstance(clause, A.Ensures):
            j.expect(clause.expr, j.post_env(), True, "the ensures",
                     old=j.values.get("pre", {}))


def _requires_witness(j: _Judge) -> None:
    _pre_state(j)


def _ensures_witness(j: _Judge) -> None:
    member = j.t.member
    assert member is not None
    clause = [c for c in member.decl.clauses if isinstance(c, A.Ensures)][j.t.index - 1]
    j.expect(clause.expr, j.post_env(), False, "the ensures", old=j.values.get("pre", {}))


_COUNTEREXAMPLE = {
    "invariant_preserved": _invariant_preserved,
    "invariant_initial": _invariant_initial,
    "cases_complete": _cases_complete,
    "cases_disjoint": _cases_disjoint,
    "op_feasible": _pre_state,        # "no post-state exists" is not concrete: its pre-state is
    "event_feasible": _pre_state,
    "frame": _frame,
}
_WITNESS = {
    "requires_satisfiable": _requires_witness,
    "ensures_trivial": _ensures_witness,
}

__all__ = ["Replay", "ReplayTarget", "model_values", "replay"]
