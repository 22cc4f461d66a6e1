"""Obligations of one operation or event, and of the initial state. Each function builds the
`Query` of one obligation in a fresh z3 context (see `_ob_query` for the modes).

Notation below: `facts` are the ranges of every constant plus `ncores >= 1` and
`this_core < ncores`; `inv(s)` the invariants over state `s`; `pre` the preconditions
(`requires`, or an event's guard and its core); `step` the post-state relation of `_ob_state`
(throwing, or returning normally, with the frame).
"""

from __future__ import annotations

import z3

from ..spec import ast as A
from ..spec._printer import format_expr
from ..spec._symbols import EbbSymbol, EventSymbol, OpSymbol
from ..spec._typecheck import Checked
from ._ob_query import Query
from ._ob_state import (StepSemantics, Vocabulary, conj, invariants_of, model_reads,
                        modified_fields, step)
from ._ob_witness import find_witnesses

Member = OpSymbol | EventSymbol


def noun(member: Member) -> str:
    return "event" if isinstance(member, EventSymbol) else "operation"


def _invariant_facts(voc: Vocabulary, state: dict[str, z3.ExprRef]) -> list[z3.BoolRef]:
    return [*(t for _, _, t in voc.invariants(state)), *voc.assumptions(state)]


# ---------------------------------------------------------------------------- requires

def requires_satisfiable(checked: Checked, ebb: EbbSymbol, member: Member) -> Query:
    """Some state satisfying the invariants satisfies the preconditions (not vacuous)."""
    voc = Vocabulary(checked, ebb)
    sem = step(voc, member, with_post=False)
    what = "guard" if isinstance(member, EventSymbol) else "requires"
    q = Query("satisfiable", voc, facts=[*voc.facts, *sem.where])
    q.tracked = [(f"invariant `{label}`", t) for label, _, t in voc.invariants(sem.pre)]
    q.tracked += [("an `assume ...: always` clause", t) for t in voc.assumptions(sem.pre)]
    q.tracked += [(f"`{format_expr(e)}`", t) for e, t in sem.requires]
    q.holds = f"the {what} of `{member.name}` can hold"
    q.fails = f"the {what} of `{member.name}` can never hold"
    return q


# ---------------------------------------------------------------------------- feasibility

def feasible(checked: Checked, ebb: EbbSymbol, member: Member) -> Query:
    """For every pre-state satisfying the invariants and preconditions, some post-state (and
    results) satisfies the postcondition and the frame."""
    voc = Vocabulary(checked, ebb)
    sem = step(voc, member)
    unknowns = [sem.post[f] for f in sem.modifies] + list(sem.results)
    q = Query("feasible", voc, sections=("args", "pre", "env"))
    q.facts = [*voc.facts, *_invariant_facts(voc, sem.pre), sem.precondition()]
    q.goal = conj(voc.enc.ctx, [sem.relation(), *voc.ranges(unknowns)])
    q.unknowns = unknowns
    defaults = {sem.post[f].get_id(): sem.pre[f] for f in sem.modifies}
    sorts = voc.enc.sorts
    if isinstance(member, OpSymbol):
        defaults.update({r.get_id(): sorts.default(s.type, f"any.{r}")
                         for r, s in zip(sem.results, member.results)})
    candidates = find_witnesses(sem.relation(), unknowns, defaults, sorts.infinite,
                                set(sorts.user_functions))
    known = {t.get_id() for t in [*sem.pre.values(), *sem.args, voc.now, voc.this_core,
                                  voc.ncores]}
    types = [ebb.model[f].type for f in sem.modifies] + [r.type for r in getattr(
        member, "results", ())]
    for found in candidates:
        pairs = [(u, found.candidate[u.get_id()]) for u in unknowns]
        shape = z3.substitute(sem.relation(), *pairs) if pairs else sem.relation()
        q.witness_goals.append(conj(voc.enc.ctx, [shape, *[sorts.wf_built(w, t, known)
                                                          for (_, w), t in zip(pairs, types)]]))
        q.witness_facts += [f for f in found.facts if not any(f.eq(g) for g in q.witness_facts)]
    q.holds = f"`{member.name}` can always take a step: some post-state satisfies its ensures"
    q.fails = (f"`{member.name}` is infeasible: in this pre-state no post-state satisfies its "
               f"ensures{' and its frame' if isinstance(member, OpSymbol) else ''}")
    return q


# ---------------------------------------------------------------------------- invariants

def invariant_preserved(checked: Checked, ebb: EbbSymbol, member: Member, label: str) -> Query:
    """inv(pre), pre and step imply the invariant `label` over the post-state."""
    voc = Vocabulary(checked, ebb)
    sem = step(voc, member)
    q = Query("valid", voc)
    q.facts = [*voc.facts, *_invariant_facts(voc, sem.pre), sem.precondition()]
    q.cases = outcome_cases(sem)
    q.goal = voc.invariants(sem.post, only=label)[0][2]
    q.prefer = _unchanged(sem, sem.modifies)
    q.holds = f"`{member.name}` preserves invariant `{label}`"
    q.fails = f"`{member.name}` breaks invariant `{label}`"
    return q


def _unchanged(sem: StepSemantics, fields: list[str]) -> list[z3.BoolRef]:
    """A counterexample's preference: these fields keep their value where they can."""
    return [sem.post[f] == sem.pre[f] for f in fields if not sem.post[f].eq(sem.pre[f])]


def outcome_cases(sem: StepSemantics) -> list[tuple[str, list[z3.BoolRef]]]:
    """The step's outcomes, proved one at a time (a throwing condition such as `!(exists p in
    free: fits(p))` only burdens the proof of the returning case otherwise): returning
    normally, and each `checked requires` or `throws` clause taking effect."""
    if sem.throwing is None:
        return [("", [sem.normal_return()])]
    cases = [("when it returns", [z3.Not(sem.throwing), sem.normal_return()])]
    cases += [(f"when it throws `{name}`", [when, effect]) for name, when, effect in sem.outcomes]
    return cases


def invariant_initial(checked: Checked, ebb: EbbSymbol, label: str) -> Query:
    """The initial state satisfies the invariant. Fields without an initial value start as any
    value satisfying all the invariants, so then the question is whether one exists."""
    voc = Vocabulary(checked, ebb)
    state, unset = initial_state(voc, ebb)
    labelled = dict(invariants_of(ebb))
    reads = {name for name, _ in model_reads(checked, labelled[label].expr)}
    if reads & set(unset):
        q = Query("satisfiable", voc, facts=list(voc.facts), sections=("pre", "env"))
        q.tracked = [(f"invariant `{l}`", t) for l, _, t in voc.invariants(state)]
        fields = ", ".join(f"`{f}`" for f in unset)
        q.holds = f"some initial value of {fields} satisfies the invariants"
        q.fails = f"no initial value of {fields} satisfies the invariants"
        return q
    q = Query("valid", voc, facts=list(voc.facts), sections=("pre", "env"))
    q.goal = voc.invariants(state, only=label)[0][2]
    q.holds = f"the initial state satisfies invariant `{label}`"
    q.fails = f"the initial state breaks invariant `{label}`"
    return q


def initial_state(voc: Vocabulary, ebb: EbbSymbol) -> tuple[dict[str, z3.ExprRef], list[str]]:
    """Each field's initial value (a constant `init.f` when the spec gives none)."""
    from ._ob_state import Row
    state: dict[str, z3.ExprRef] = {}
    unset: list[str] = []
    env = voc.env({}, ebb)
    for name, var in ebb.model.items():
        decl = var.decl
        init = getattr(decl, "init", None)
        if init is None:
            state[name] = voc.const(f"init.{name}", var.type, "pre", name)
            unset.append(name)
        else:
            state[name] = voc.encode(init, env)
            voc.rows.append(Row("pre", name, state[name], var.type))
    return state, unset


# ---------------------------------------------------------------------------- cases

def _normal_return_facts(voc: Vocabulary, sem: StepSemantics) -> list[z3.BoolRef]:
    """A normal return as far as the arms' conditions are concerned: the preconditions, no
    exception, and every `ensures` and `returns` outside the arms (the flags are claims about
    the conditions; the arms' own effects do not decide whether they apply)."""
    facts = [*voc.facts, *_invariant_facts(voc, sem.pre), sem.precondition()]
    if sem.throwing is not None:
        facts.append(z3.Not(sem.throwing))
    facts += [t for _, t in sem.normal]
    return facts


def cases_complete(checked: Checked, ebb: EbbSymbol, op: OpSymbol) -> Query:
    """On every normal return at least one arm's condition holds."""
    voc = Vocabulary(checked, ebb)
    sem = step(voc, op)
    q = Query("valid", voc, facts=_normal_return_facts(voc, sem), prefer=_unchanged(sem, sem.modifies))
    q.goal = z3.Or(*[w for _, w, _ in sem.arms]) if sem.arms else z3.BoolVal(False, voc.enc.ctx)
    names = ", ".join(f"`{arm.name.text}`" for arm, _, _ in sem.arms)
    q.holds = f"the cases of `{op.name}` are complete: one of {names} always applies"
    q.fails = f"the cases of `{op.name}` are not complete: none of {names} applies"
    return q


def cases_disjoint(checked: Checked, ebb: EbbSymbol, op: OpSymbol) -> Query:
    """On every normal return at most one arm's condition holds."""
    voc = Vocabulary(checked, ebb)
    sem = step(voc, op)
    q = Query("valid", voc, facts=_normal_return_facts(voc, sem), prefer=_unchanged(sem, sem.modifies))
    pairs = [(a, b) for i, a in enumerate(sem.arms) for b in sem.arms[i + 1:]]
    q.goal = conj(voc.enc.ctx, [z3.Not(z3.And(a[1], b[1])) for a, b in pairs])
    q.holds = f"the cases of `{op.name}` are disjoint"
    q.fails = f"the cases of `{op.name}` are not disjoint: two arms apply at once"

    def explain(decoder: object) -> str:
        applying = [arm.name.text for arm, w, _ in sem.arms
                    if z3.is_true(decoder.eval(w))]  # type: ignore[attr-defined]
        if len(applying) < 2:
            return ""
        return (f"the cases of `{op.name}` are not disjoint: "
                + " and ".join(f"`{a}`" for a in applying) + " both apply")
    q.explain = explain
    return q


# ---------------------------------------------------------------------------- frame

def reads_unmodified(checked: Checked, ebb: EbbSymbol, member: Member) -> bool:
    """Whether a postcondition reads, in the post-state, a field `member` does not modify."""
    changed = set(modified_fields(member, ebb))
    for expr in post_clauses(member):
        for name, in_old in model_reads(checked, expr):
            if not in_old and name not in changed:
                return True
    return False


def post_clauses(member: Member) -> list[A.Expr]:
    out: list[A.Expr] = []
    for clause in member.decl.clauses:
        if isinstance(clause, (A.Ensures, A.Returns)):
            out.append(clause.expr)
        elif isinstance(clause, A.Throws) and clause.ensures is not None:
            out.append(clause.ensures)
        elif isinstance(clause, A.Cases):
            for arm in clause.arms:
                out.append(arm.when)
                out.extend(effect.expr for effect in arm.effects)
    return out


def frame(checked: Checked, ebb: EbbSymbol, member: Member) -> Query:
    """Whatever the postcondition allows, it also allows with every field outside
    `modifies` unchanged: for every pre-state and post-state satisfying it (unmodified fields
    free), some post-state keeping the unmodified fields satisfies it too. The post-state with
    them kept is guessed from the postcondition's shape (see `_ob_witness`), so a
    counterexample is confirmed before it is reported: in its pre-state no post-state keeping
    the unmodified fields may satisfy the postcondition."""
    voc = Vocabulary(checked, ebb)
    voc.strict = False
    sem = step(voc, member, free_frame=True)
    kept = [f for f in ebb.model if f not in sem.modifies]
    unknowns = [sem.post[f] for f in sem.modifies] + list(sem.results)
    framed = z3.substitute(sem.relation(), *[(sem.post[f], sem.pre[f]) for f in kept])
    sorts = voc.enc.sorts
    q = Query("valid", voc)
    q.facts = [*voc.facts, *_invariant_facts(voc, sem.pre), sem.precondition(), sem.relation()]
    goals = []
    for found in find_witnesses(framed, unknowns, {u.get_id(): u for u in unknowns},
                                sorts.infinite, set(sorts.user_functions)):
        pairs = [(u, found.candidate[u.get_id()]) for u in unknowns]
        shape = z3.substitute(framed, *pairs) if pairs else framed
        goals.append(shape)  # ranges and definedness are feasibility's business
        q.facts += [f for f in found.facts if not any(f.eq(g) for g in q.facts)]
    q.goal = z3.Or(*goals) if len(goals) > 1 else goals[0]
    q.confirm = (framed, unknowns,
                 [*sem.pre.values(), *sem.args, voc.now, voc.this_core, voc.ncores])
    listed = ", ".join(f"`{f}`" for f in sem.modifies) or "nothing"
    q.holds = f"the ensures of `{member.name}` change only what it modifies ({listed})"
    q.fails = (f"the ensures of `{member.name}` change a field outside its modifies "
               f"({listed})")

    def explain(decoder: object) -> str:
        changed = [f for f in kept if not z3.is_true(
            decoder.eval(sem.post[f] == sem.pre[f]))]  # type: ignore[attr-defined]
        if not changed:
            return ""
        fields = ", ".join(f"`{f}`" for f in changed)
        return (f"the ensures of `{member.name}` change {fields}, which `{member.name}` does "
                f"not modify (modifies {listed})")
    q.explain = explain
    q.prefer = _unchanged(sem, kept + sem.modifies)  # show only the fields that must change
    return q


# ---------------------------------------------------------------------------- trivial ensures

def ensures_clauses(member: Member) -> list[A.Ensures]:
    return [c for c in member.decl.clauses if isinstance(c, A.Ensures)]


def ensures_trivial(checked: Checked, ebb: EbbSymbol, member: Member, index: int) -> Query:
    """The `index`-th ensures (from 1) can be false: it says something. One that holds in
    every well-typed pair of states constrains nothing (a warning)."""
    voc = Vocabulary(checked, ebb)
    sem = step(voc, member, free_frame=True)
    clause = ensures_clauses(member)[index - 1]
    q = Query("satisfiable", voc, facts=list(voc.facts))
    q.goal = z3.Not(voc.holds(clause.expr, sem.post_env()))
    text = format_expr(clause.expr)
    q.holds = f"ensures `{text}` of `{member.name}` constrains the step"
    q.fails = (f"ensures `{text}` of `{member.name}` is trivially true: it holds whatever the "
               "step does")
    return q


__all__ = ["cases_complete", "cases_disjoint", "ensures_clauses", "ensures_trivial", "feasible",
           "frame", "initial_state", "invariant_initial", "invariant_preserved", "noun",
           "post_clauses", "reads_unmodified", "requires_satisfiable"]
