"""Refinement obligations: `B refines A via {f = e, ...}` is behavioural subtyping. For each
operation `op` of A (and B's operation of the same name), with `α` the mapping from B's model
to A's (A's type parameters read as B's type arguments):

- `refines_pre`: for every B-state satisfying B's invariants, A's requires at `α(pre)` imply
  B's requires (B accepts every call A accepts);
- `refines_post`: for such a call, every step B allows, seen through `α`, is a step A allows:
  the same outcome (a normal return, or the same exception), A's postcondition over `α(pre)`,
  `α(post)` and the same arguments and results, and A's frame (A's fields outside its
  `modifies` unchanged under `α`).

Events go the other way round for the guard: B may raise an event only where A could
(`refines_pre`: B's guard implies A's), and it must run on the core A names (`refines_post`).
"""

from __future__ import annotations

import z3

from ..spec._symbols import EbbSymbol, EventSymbol, OpSymbol
from ..spec._typecheck import Checked
from ._ob_query import Query
from ._ob_state import StepSemantics, Vocabulary, conj, disj, modified_fields, step

Member = OpSymbol | EventSymbol
NORMAL = 0  # the outcome of a normal return; exceptions count from 1 (sorted by name)


def refined_members(ebb: EbbSymbol) -> set[str]:
    """Names of B's operations and events that refine one of A's."""
    if ebb.refines is None:
        return set()
    target = ebb.refines.target
    out = set()
    for name, mine in [*ebb.ops.items(), *ebb.events.items()]:
        theirs = target.ops.get(name) or target.events.get(name)
        if theirs is not None and type(theirs) is type(mine) and \
                len(theirs.params) == len(mine.params):
            if isinstance(mine, OpSymbol) and len(mine.results) != len(theirs.results):
                continue
            out.add(name)
    return out


def _setup(checked: Checked, ebb: EbbSymbol, member: Member, with_post: bool
           ) -> tuple[Vocabulary, StepSemantics, StepSemantics]:
    assert ebb.refines is not None
    target = ebb.refines.target
    voc = Vocabulary(checked, ebb)
    voc.type_args = dict(zip(target.type_params, ebb.refines.args))
    mine = step(voc, member, with_post=with_post)
    theirs_member = target.ops.get(member.name) or target.events[member.name]
    pre = abstraction(voc, ebb, mine.pre)
    post = abstraction(voc, ebb, mine.post) if with_post else None
    theirs = step(voc, theirs_member, ebb=target, pre=pre, post=post, args=mine.args,
                  results=mine.results, with_post=with_post)
    return voc, mine, theirs


def abstraction(voc: Vocabulary, ebb: EbbSymbol, state: dict[str, z3.ExprRef]
                ) -> dict[str, z3.ExprRef]:
    """A's model fields as terms over B's `state`, by the `via` mapping."""
    assert ebb.refines is not None
    env = voc.env(state, ebb)
    return {name: voc.encode(expr, env) for name, expr in ebb.refines.mappings.items()}


def _invariants(voc: Vocabulary, sem: StepSemantics) -> list[z3.BoolRef]:
    return [*(t for _, _, t in voc.invariants(sem.pre)), *voc.assumptions(sem.pre)]


def refines_pre(checked: Checked, ebb: EbbSymbol, member: Member) -> Query:
    voc, mine, theirs = _setup(checked, ebb, member, with_post=False)
    target = theirs.ebb.name
    ctx = voc.enc.ctx
    q = Query("valid", voc, sections=("args", "pre", "env"))
    if isinstance(member, EventSymbol):
        q.facts = [*voc.facts, *_invariants(voc, mine), mine.precondition()]
        q.goal = conj(ctx, [t for _, t in theirs.requires])
        q.holds = f"`{member.name}` fires only where `{target}.{member.name}` may"
        q.fails = (f"`{member.name}` may fire where `{target}.{member.name}` may not: its "
                   "guard is weaker")
        return q
    q.facts = [*voc.facts, *_invariants(voc, mine), *[t for _, t in theirs.requires]]
    q.goal = conj(ctx, [t for _, t in mine.requires])
    q.holds = f"`{member.name}` accepts every call `{target}.{member.name}` accepts"
    q.fails = (f"`{member.name}` strengthens the precondition of `{target}.{member.name}`: it "
               "rejects a call the refined Ebb accepts")
    return q


def refines_post(checked: Checked, ebb: EbbSymbol, member: Member) -> Query:
    voc, mine, theirs = _setup(checked, ebb, member, with_post=True)
    target = theirs.ebb.name
    ctx = voc.enc.ctx
    names = sorted({n for n, _, _ in mine.outcomes} | {n for n, _, _ in theirs.outcomes})
    codes = {n: i + 1 for i, n in enumerate(names)}
    outcome = z3.Int("outcome", ctx)
    q = Query("valid", voc)
    q.facts = [*voc.facts, *_invariants(voc, mine), mine.precondition(),
               *[t for _, t in theirs.requires], _outcome(mine, outcome, codes)]
    frame = [theirs.post[f] == theirs.pre[f] for f in theirs.ebb.model
             if f not in modified_fields(theirs.member, theirs.ebb)]
    q.goal = conj(ctx, [_outcome(theirs, outcome, codes), *frame, *theirs.where])
    q.holds = f"every step of `{member.name}` is a step `{target}.{member.name}` allows"
    q.fails = (f"`{member.name}` weakens the postcondition of `{target}.{member.name}`: it "
               "allows a step the refined Ebb does not")

    def explain(decoder: object) -> str:
        value = decoder.eval(outcome)  # type: ignore[attr-defined]
        code = value.as_long() if z3.is_int_value(value) else NORMAL
        how = ("returns" if code == NORMAL else
               f"throws `{next((n for n, c in codes.items() if c == code), '?')}`")
        return (f"`{member.name}` weakens the postcondition of `{target}.{member.name}`: when "
                f"it {how}, this step is not one the refined Ebb allows")
    q.explain = explain
    return q


def _outcome(sem: StepSemantics, outcome: z3.ArithRef, codes: dict[str, int]) -> z3.BoolRef:
    """The step relation with its outcome named: NORMAL, or the code of the exception."""
    ctx = sem.voc.enc.ctx
    normal = [outcome == NORMAL, sem.normal_return()]
    if sem.throwing is not None:
        normal.append(z3.Not(sem.throwing))
    options = [conj(ctx, normal)]
    options += [conj(ctx, [outcome == codes[name], when, effect])
                for name, when, effect in sem.outcomes]
    return disj(ctx, options)


__all__ = ["refined_members", "refines_post", "refines_pre"]
