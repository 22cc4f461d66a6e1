"""Decide one obligation with z3: `discharge(obligation, budget) -> Result`.

Determinism: every obligation is solved in a fresh z3 context (nothing solved before can change
how it is solved), with fixed random seeds and a resource limit (`rlimit`, z3's deterministic
count of work) as the budget. A generous wall-clock timeout (`SAFETY_TIMEOUT_MS`) guards
against a pathological query only; a budget that runs out is UNKNOWN either way, and in normal
runs the rlimit is reached long before the timeout.

Models. z3 cannot build models of quantifiers over arrays or sequences, so a counterexample (or
a witness of satisfiability) is looked for among finite states first (`_z3_finite`); every
model is checked against the quantifier-free assertions before it is shown (`trustworthy`), and
counterexamples prefer unchanged fields and small integers, so they show what matters.

Verdicts: PROVED; REFUTED with a counterexample in spec terms (values decoded from the model and
printed with `_values.show`: pre-state and post-state side by side, the arguments and the
environment); UNKNOWN with the reason z3 gives (budget exhausted, nonlinear arithmetic,
quantifiers); SKIPPED when the encoding does not cover a construct (the reason names it).
A z3 exception is UNKNOWN with its text: nothing here raises for a well-typed spec.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import z3

from ._ob_query import Query
from ._result import Counterexample, Result, Verdict
from ._values import show
from ._z3_decode import Decoder
from ._z3_finite import finite_versions
from ._z3_models import applications, constants, ground, skolemized, trustworthy
from ._z3_replay import Replay, model_values, replay
from ._z3_sorts import Unsupported

if TYPE_CHECKING:
    from ._obligations import Obligation

DEFAULT_BUDGET = 2_000_000  # z3 rlimit per obligation (per solver call; see discharge)
SAFETY_TIMEOUT_MS = 120_000
SMALL_BOUNDS = (8, 1000)  # counterexamples: try integers within these bounds first
ENGINE = "z3"


def discharge(ob: "Obligation", budget: int = DEFAULT_BUDGET) -> Result:
    """Decide `ob` within `budget` (a z3 rlimit)."""
    try:
        query = ob.query()
    except Unsupported as exc:
        return _result(ob, Verdict.SKIPPED, f"not checked: the prover does not support "
                       f"{exc.construct}", reason=f"unsupported: {exc.construct}")
    if query.mode == "decided":
        assert query.decided is not None
        verdict, message = query.decided
        return _result(ob, verdict, message, engine="check")
    try:
        return _DECIDE[query.mode](ob, query, budget)
    except z3.Z3Exception as exc:
        return _result(ob, Verdict.UNKNOWN, f"undecided: z3 failed on `{ob.subject}`",
                       reason=f"z3 error: {exc}")


# ---------------------------------------------------------------------------- solving

def _solver(q: Query, budget: int, formulas: list[z3.BoolRef], proving: bool) -> z3.Solver:
    """A seeded solver holding `formulas`, the ranges of the constants they mention, and the
    ghost axioms they need (quantified ones only for proofs, see `_z3_ghost`)."""
    assert q.voc is not None
    s = z3.Solver(ctx=q.voc.enc.ctx)
    s.set("random_seed", 0)
    s.set("rlimit", int(budget))
    s.set("timeout", SAFETY_TIMEOUT_MS)
    # incremental mode: z3's one-shot preprocessing can blow up on these queries, unmetered
    # by rlimit (seen with nested quantifiers over ranges); the incremental core is metered
    s.push()
    formulas = skolemized(formulas)
    mentioned = constants(formulas)
    typing = [wf for term, wf in q.voc.typing if term.get_id() in mentioned
              and all(term.get_id() != u.get_id() for u in q.unknowns)]
    everything = [*typing, *formulas]
    sorts = q.voc.enc.sorts
    if sorts._ghosts is not None:
        ground, under_binder = sorts.ghosts.instances(everything)
        s.add(*sorts.ghosts.always(), *ground)
        if proving or under_binder:
            s.add(*sorts.ghosts.quantified())
    s.add(*everything)
    return s


def _check(s: z3.Solver) -> tuple[z3.CheckSatResult, str]:
    answer = s.check()
    return answer, (_reason(s.reason_unknown()) if answer == z3.unknown else "")


def _reason(text: str) -> str:
    lowered = text.lower()
    if "resource" in lowered or "rlimit" in lowered or "canceled" in lowered:
        return "budget exhausted (z3 rlimit); raise it with --budget"
    if "timeout" in lowered:
        return "safety timeout reached"
    if "arith" in lowered or "nonlinear" in lowered or "nla" in lowered:
        return f"nonlinear arithmetic ({text})"
    if "quant" in lowered or "mbqi" in lowered or "instantiat" in lowered:
        return f"quantifiers ({text})"
    return text or "z3 gave no reason"


FINITE_SIZE = 3  # entries per collection in a first, finite search for a model


def _readable_model(q: Query, budget: int, formulas: list[z3.BoolRef], s: z3.Solver
                    ) -> z3.ModelRef:
    """A model of `formulas` (which `s`, holding them, has just found satisfiable) that reads
    well: among finite collections when there is one (see `_finite`), then `_small_model`."""
    finite = _finite_solver(q, budget, formulas, proving=True)
    return _small_model(finite if finite is not None else s, q)


def _finite_solver(q: Query, budget: int, formulas: list[z3.BoolRef], proving: bool
                   ) -> z3.Solver | None:
    """A solver holding a satisfiable finite version of `formulas` (see `_z3_finite`)."""
    for version in finite_versions(formulas, FINITE_SIZE):
        s = _solver(q, budget, version, proving)
        if s.check() == z3.sat and trustworthy(s.model(), s):
            return s
    return None


def _small_model(s: z3.Solver, q: Query) -> z3.ModelRef:
    """The model of a satisfiable `s`, meeting as many of the query's preferences as it can
    and preferring small integers (easier to read)."""
    assert q.voc is not None
    model = s.model()
    for wish in q.prefer:  # one at a time, in order: deterministic
        s.push()
        s.add(wish)
        if s.check() == z3.sat and trustworthy(s.model(), s):
            model = s.model()
            continue  # keep it
        s.pop()
    ints = [r.term for r in q.voc.rows if r.section in (*q.sections, "result")
            and z3.is_int(r.term)]
    if not ints:
        return model
    for bound in SMALL_BOUNDS:
        s.push()
        s.add(*[z3.And(t >= -bound, t <= bound) for t in ints])
        if s.check() == z3.sat and trustworthy(s.model(), s):
            return s.model()
        s.pop()
    return model


def _model(q: Query, budget: int, formulas: list[z3.BoolRef], proving: bool
           ) -> tuple[z3.CheckSatResult, z3.ModelRef | None, str]:
    """Look for a model of `formulas` among finite collections first (see `_finite`), then
    among all. unsat is only reported from the unrestricted search."""
    finite = _finite_solver(q, budget, formulas, proving)
    if finite is not None:
        return z3.sat, _small_model(finite, q), ""
    s = _solver(q, budget, formulas, proving)
    answer, why = _check(s)
    return answer, (_small_model(s, q) if answer == z3.sat else None), why


def _valid(ob: "Obligation", q: Query, budget: int) -> Result:
    """Every case (or the facts alone) implies the goal; the first case that does not gives
    the counterexample."""
    assert q.goal is not None
    undecided = ""
    for label, extra in q.cases or [("", [])]:
        formulas = [*q.facts, *extra, z3.Not(q.goal)]
        s = _solver(q, budget, formulas, proving=True)
        answer, why = _check(s)
        if answer == z3.unsat:
            continue
        model = (_readable_model(q, budget, formulas, s)
                 if answer == z3.sat and trustworthy(s.model(), s) else None)
        if model is None:
            finite = _finite_solver(q, budget, formulas, proving=True)
            if finite is not None:  # a counterexample among finite collections is one
                model = _small_model(finite, q)
        if model is not None and q.confirm is not None:
            confirmed = _confirm(q, model, budget)
            if confirmed is not True:
                undecided = undecided or ("the counterexample found could not be confirmed "
                                          "(no post-state was guessed that meets the frame)")
                continue
        if model is not None:
            return _refuted(ob, q, model, label)
        undecided = undecided or why
    if undecided:
        return _result(ob, Verdict.UNKNOWN, f"undecided: {q.fails}", reason=undecided)
    return _result(ob, Verdict.PROVED, q.holds)


def _satisfiable(ob: "Obligation", q: Query, budget: int) -> Result:
    goal = [q.goal] if q.goal is not None else []
    answer, witness, why = _model(q, budget, [*q.facts, *goal, *(f for _, f in q.tracked)],
                                  False)
    if answer == z3.sat:
        assert witness is not None
        replayed = _replay(ob, q, Decoder(q.voc.enc, witness), witness=True)  # type: ignore[union-attr]
        if replayed.disagreement:
            return _disagreement(ob, replayed, "witness")
        return _result(ob, Verdict.PROVED, q.holds, details=_replay_details(replayed))
    if answer == z3.unknown:
        return _result(ob, Verdict.UNKNOWN, f"undecided: {q.fails}", reason=why)
    if q.contrast is None:
        return _result(ob, Verdict.REFUTED, q.fails + _core(q, budget))
    answer, model, why = _model(q, budget, [*q.facts, *(f for _, f in q.tracked), q.contrast],
                                False)
    if answer == z3.sat:
        assert model is not None
        return _refuted(ob, q, model)
    if answer == z3.unsat:
        return _result(ob, Verdict.PROVED, q.holds)
    return _result(ob, Verdict.UNKNOWN, f"undecided: {q.fails}", reason=why)


def _confirm(q: Query, model: z3.ModelRef, budget: int) -> bool | None:
    """Whether no values of the confirm unknowns satisfy the confirm goal once the fixed
    constants take their values in `model` (True: the counterexample stands)."""
    assert q.confirm is not None
    goal, unknowns, fixed = q.confirm
    grounded = ground(model, fixed)
    if grounded is None:
        return None
    s = _solver(q, budget, [*grounded, goal], proving=False)
    answer = s.check()
    return True if answer == z3.unsat else (False if answer == z3.sat else None)


def _core(q: Query, budget: int) -> str:
    """Which tracked clauses cannot hold together (an unsatisfiable core), as a clause."""
    if not q.tracked:
        return ""
    goal = [q.goal] if q.goal is not None else []
    assert q.voc is not None
    markers = [z3.Bool(f"track!{i}", q.voc.enc.ctx) for i in range(len(q.tracked))]
    tracked = [z3.Implies(m, formula) for m, (_, formula) in zip(markers, q.tracked)]
    s = _solver(q, budget, [*q.facts, *goal, *tracked], proving=False)
    if s.check(*markers) != z3.unsat:
        return ""
    core = {str(m) for m in s.unsat_core()}
    labels = [label for marker, (label, _) in zip(markers, q.tracked) if str(marker) in core]
    if not labels:
        return ""
    if len(labels) == 1:
        return f": {labels[0]} is false in every well-typed state"
    return f": {', '.join(labels[:-1])} and {labels[-1]} cannot hold together"


def _feasible(ob: "Obligation", q: Query, budget: int) -> Result:
    """For every model of the facts some unknowns satisfy the goal. First the candidate
    post-states (terms over the pre-state) are checked as a plain validity question; then the
    exact question, with the unknowns universally quantified in its negation."""
    assert q.goal is not None
    undecided = ""
    if q.witness_goals:
        options = q.witness_goals
        goal = z3.Or(*options) if len(options) > 1 else options[0]
        s = _solver(q, budget, [*q.facts, *q.witness_facts, z3.Not(goal)], proving=True)
        answer, undecided = _check(s)
        if answer == z3.unsat:
            return _result(ob, Verdict.PROVED, q.holds)
    negated = z3.ForAll(q.unknowns, z3.Not(q.goal)) if q.unknowns else z3.Not(q.goal)
    # the candidates' facts hold in every real pre-state (fresh values exist: collections are
    # finite), so they also rule out models whose handles have run out
    freshness = [f for f in q.witness_facts if not _defines_function(f, q)]
    s = _solver(q, budget, [*q.facts, *freshness, negated], proving=True)
    answer, why = _check(s)
    if answer == z3.unsat:
        return _result(ob, Verdict.PROVED, q.holds)
    if answer == z3.sat:
        functions = _user_functions_of(q)
        if not trustworthy(s.model(), s):
            return _result(ob, Verdict.UNKNOWN, f"undecided: {q.fails}",
                           reason="z3 reported a model it could not complete")
        if not functions:
            return _refuted(ob, q, _readable_model(q, budget, [*q.facts, *freshness, negated],
                                                   s))
        why = ("it depends on what " + ", ".join(f"`{f}`" for f in functions) + " may give "
               "for the new values (uninterpreted functions are the implementation's to define)")
        return _result(ob, Verdict.UNKNOWN, f"undecided: {q.fails}", reason=why)
    reason = why or undecided
    if "budget" not in reason:
        reason = f"quantifier alternation (for every pre-state, some post-state): {reason}"
    return _result(ob, Verdict.UNKNOWN, f"undecided: {q.fails}", reason=reason)


def _defines_function(fact: z3.BoolRef, q: Query) -> bool:
    """Whether a candidate's fact defines an uninterpreted function at a new value (a choice
    the implementation makes, so no fact about every pre-state)."""
    assert q.voc is not None
    return z3.is_eq(fact) and z3.is_app(fact.arg(0)) and \
        fact.arg(0).decl().name() in q.voc.enc.sorts.user_functions


def _user_functions_of(q: Query) -> list[str]:
    """The spec's uninterpreted functions the goal applies to unknowns."""
    assert q.voc is not None and q.goal is not None
    user = q.voc.enc.sorts.user_functions
    unknown = {u.get_id() for u in q.unknowns}
    found = {user[t.decl().name()] for t in applications([q.goal])
             if t.decl().name() in user and constants([t]) & unknown}
    return sorted(found)


_DECIDE = {"valid": _valid, "satisfiable": _satisfiable, "feasible": _feasible}


# ---------------------------------------------------------------------------- results

def _refuted(ob: "Obligation", q: Query, model: z3.ModelRef, case: str = "") -> Result:
    assert q.voc is not None
    decoder = Decoder(q.voc.enc, model)
    sections: dict[str, list[tuple[str, str]]] = {"args": [], "pre": [], "post": [], "env": []}
    for section in ("args", "result", "pre", "post", "env"):
        if section not in q.sections and not (section == "result" and "post" in q.sections):
            continue
        shown_in = "args" if section == "result" else section
        seen = {name for name, _ in sections[shown_in]}
        for row in q.voc.rows:
            if row.section != section or row.name in seen:
                continue
            seen.add(row.name)
            sections[shown_in].append((row.name, show(decoder.value(row.term, row.type))))
    message = q.fails
    if q.explain is not None:
        message = q.explain(decoder) or message
    if case:
        message = f"{message} ({case})"
    cex = Counterexample(tuple(sections["args"]), tuple(sections["pre"]),
                         tuple(sections["post"]), tuple(sections["env"]))
    replayed = _replay(ob, q, decoder, witness=False)
    if replayed.disagreement:
        return _disagreement(ob, replayed, "counterexample", cex)
    return _result(ob, Verdict.REFUTED, message, counterexample=cex,
                   details=_replay_details(replayed))


# ---------------------------------------------------------------------------- replay

def _replay(ob: "Obligation", q: Query, decoder: Decoder, *, witness: bool) -> Replay:
    """The model put back into the spec's clauses, judged by the reference evaluator."""
    if ob.target is None or q.voc is None:
        return Replay(0, 0)
    return replay(ob.target, model_values(q.voc.rows, decoder), witness=witness)


def _replay_details(replayed: Replay) -> tuple[tuple[str, str], ...]:
    return (("replayed", replayed.detail),) if replayed.evaluated else ()


def _disagreement(ob: "Obligation", replayed: Replay, what: str,
                  counterexample: Counterexample | None = None) -> Result:
    """z3's model and the reference evaluator disagree: a bug in ebb's verifier (in the
    encoding or in the evaluator), reported as such and never as a verdict."""
    return _result(ob, Verdict.UNKNOWN,
                   f"verifier disagreement: z3's {what} for this obligation is not one by the "
                   "language's semantics (a bug in ebb's verifier)",
                   reason=f"verifier_bug: {replayed.disagreement}",
                   counterexample=counterexample,
                   details=(("verifier_bug", replayed.disagreement),))


def _result(ob: "Obligation", verdict: Verdict, message: str, *, reason: str = "",
            counterexample: Counterexample | None = None, engine: str = ENGINE,
            details: tuple[tuple[str, str], ...] = ()) -> Result:
    return Result(obligation=ob.id, kind=ob.kind, ebb=ob.ebb, subject=ob.subject, span=ob.span,
                  verdict=verdict, engine=engine, message=message, reason=reason,
                  counterexample=counterexample, details=details, severity=ob.severity)


__all__ = ["DEFAULT_BUDGET", "discharge"]
