"""The bounded check: when a proof is out of reach, search every small state for a
counterexample (`ebb prove --bounded N`, and obligations marked as tested).

The obligation's exact question (the negation of what must hold) is asked again over the
finite versions of `_z3_finite`: every set and map of the state is given at most `N` entries,
every model-field sequence each length 0..N, and quantifiers over them become their instances,
which z3 decides far more often. Integers, times and durations stay unbounded.

- a model of some finite version is a real counterexample: REFUTED, shown as usual;
- no model in any finite version: TESTED, "no counterexample among states whose collections
  have at most N entries" — evidence, not a proof (a counterexample may need more entries);
- z3 undecided on some version: the result stays UNKNOWN, its reason says so.

Only obligations that ask for validity (`valid`) or feasibility (`feasible`) have a bounded
reading; a satisfiability obligation (a witness) already searches small states first.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import z3

from ._discharge import (_confirm, _defines_function, _refuted, _result, _small_model, _solver,
                         _user_functions_of)
from ._ob_query import Query
from ._result import Result, Verdict
from ._z3_finite import finite_versions
from ._z3_models import trustworthy

if TYPE_CHECKING:
    from ._obligations import Obligation

ENGINE = "z3-bounded"
DEFAULT_BOUND = 3  # entries per collection when an obligation is marked tested without --bounded


def bounded_check(ob: "Obligation", unknown: Result, size: int, budget: int) -> Result:
    """The bounded reading of `ob`, whose proof ended in `unknown`: REFUTED, TESTED or (when
    the bounded search is undecided too, or does not apply) `unknown` with a reason added."""
    if size < 0:
        raise ValueError(f"the bound must be at least 0, not {size}")
    try:
        query = ob.query()
        questions = _questions(query)
    except Exception as exc:  # noqa: BLE001 - the proof already reported how the query fails
        return _keep(unknown, f"the bounded check could not build the query ({exc})")
    if questions is None:
        return _keep(unknown, f"the bounded check does not apply to `{query.mode}` obligations")
    try:
        for label, formulas in questions:
            for version in finite_versions(formulas, size):
                # without the quantified ghost axioms first: fewer facts, so "no model" holds
                # all the more with them; a model is only shown once it survives them
                answer = _solver(query, budget, version, proving=False).check()
                if answer == z3.unsat:
                    continue
                s = _solver(query, budget, version, proving=True)
                answer = s.check()
                if answer == z3.sat and trustworthy(s.model(), s):
                    model = _small_model(s, query)
                    if query.confirm is None or _confirm(query, model, budget) is True:
                        return _refuted(ob, query, model, label)
                    return _keep(unknown, f"the bounded check ({size} entries) found a state "
                                 "it could not confirm as a counterexample")
                if answer != z3.unsat:
                    return _keep(unknown, f"the bounded check ({size} entries) was undecided too")
    except z3.Z3Exception as exc:
        return _keep(unknown, f"the bounded check failed in z3: {exc}")
    bound = f"{size} entr{'y' if size == 1 else 'ies'}"
    tested = _result(ob, Verdict.TESTED, f"bounded: no counterexample among states whose "
                     f"collections have at most {bound} (not a proof)", engine=ENGINE)
    return replace(tested, reason=unknown.reason, details=(("bound", str(size)),))


def _questions(q: Query) -> list[tuple[str, list[z3.BoolRef]]] | None:
    """The formulas whose models are counterexamples, one list per case."""
    if q.goal is None:
        return None
    if q.mode == "valid":
        return [(label, [*q.facts, *extra, z3.Not(q.goal)]) for label, extra in q.cases or [("", [])]]
    if q.mode == "feasible" and not _user_functions_of(q):
        # as in `_feasible`: for every pre-state, some post-state; freshness facts hold in
        # every real pre-state. (With uninterpreted functions a model is no counterexample.)
        negated = z3.ForAll(q.unknowns, z3.Not(q.goal)) if q.unknowns else z3.Not(q.goal)
        freshness = [f for f in q.witness_facts if not _defines_function(f, q)]
        return [("", [*q.facts, *freshness, negated])]
    return None


def _keep(unknown: Result, why: str) -> Result:
    reason = f"{unknown.reason}; {why}" if unknown.reason else why
    return replace(unknown, reason=reason, cached=False)


__all__ = ["DEFAULT_BOUND", "ENGINE", "bounded_check"]
