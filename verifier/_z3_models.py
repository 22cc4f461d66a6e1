"""Helpers on z3 formulas and models for the discharge: existentials replaced by constants,
the constants a formula mentions, whether a model really satisfies the assertions, and a model's
values as formulas over fresh constants (to ask a follow-up question about one counterexample).
"""

from __future__ import annotations

from typing import Iterator

import z3


def skolemized(formulas: list[z3.BoolRef]) -> list[z3.BoolRef]:
    """Top-level existentials (`exists`, `not forall`) replaced by an instance at fresh
    constants: equisatisfiable, and z3 (in incremental mode) would otherwise keep them as
    quantifiers, which its sequence theory cannot build models for."""
    out: list[z3.BoolRef] = []
    count = 0
    work = list(reversed(formulas))
    while work:
        f = work.pop()
        if z3.is_and(f):
            work.extend(f.arg(i) for i in reversed(range(f.num_args())))
            continue
        negated = z3.is_not(f) and z3.is_quantifier(f.arg(0)) and f.arg(0).is_forall()
        q = f.arg(0) if negated else f
        if z3.is_quantifier(q) and not q.is_lambda() and (negated or q.is_exists()):
            names = [z3.Const(f"sk!{count + i}.{q.var_name(i)}", q.var_sort(i))
                     for i in range(q.num_vars())]
            count += q.num_vars()
            body = z3.substitute_vars(q.body(), *reversed(names))
            work.append(z3.Not(body) if negated else body)
            continue
        out.append(f)
    return out


def applications(formulas: list[z3.ExprRef]) -> Iterator[z3.ExprRef]:
    """Every distinct application term in `formulas`, quantifier bodies included, once each
    (depth first, so callers that keep the first occurrence get a deterministic order)."""
    seen: set[int] = set()
    stack: list[z3.ExprRef] = list(formulas)
    while stack:
        t = stack.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        if z3.is_quantifier(t):
            stack.append(t.body())
        elif z3.is_app(t):
            yield t
            stack.extend(t.arg(i) for i in range(t.num_args()))


def is_constant(t: z3.ExprRef) -> bool:
    """An uninterpreted constant: a free variable of the query."""
    return t.num_args() == 0 and t.decl().kind() == z3.Z3_OP_UNINTERPRETED


def constants(formulas: list[z3.BoolRef]) -> set[int]:
    """Ids of the uninterpreted constants occurring in `formulas`."""
    return {t.get_id() for t in applications(formulas) if is_constant(t)}


def trustworthy(model: z3.ModelRef, s: z3.Solver) -> bool:
    """Whether `model` really satisfies the quantifier-free assertions of `s`. z3 may
    report a model it only partly built (seen with sequences: an element defined through
    itself); such a model is no counterexample."""
    for a in s.assertions():
        if has_quantifier(a):
            continue
        if not z3.is_true(model.eval(a, model_completion=True)):
            return False
    return True


def has_quantifier(t: z3.ExprRef) -> bool:
    stack, seen = [t], set()
    while stack:
        x = stack.pop()
        if x.get_id() in seen:
            continue
        seen.add(x.get_id())
        if z3.is_quantifier(x):
            return True
        if z3.is_app(x):
            stack.extend(x.arg(i) for i in range(x.num_args()))
    return False


def ground(model: z3.ModelRef, fixed: list[z3.ExprRef]) -> list[z3.BoolRef] | None:
    """`t == its value in model` for each fixed constant, with the model's elements of
    uninterpreted sorts replaced by distinct fresh constants (they cannot be named)."""
    values = [model.eval(t, model_completion=True) for t in fixed]
    elements: dict[str, z3.ExprRef] = {}
    by_sort: dict[str, list[z3.ExprRef]] = {}
    for v in values:
        for node in subterms_of(v):
            if z3.is_app_of(node, z3.Z3_OP_AS_ARRAY):
                return None  # a function table: not a term
            if (z3.is_app(node) and node.num_args() == 0 and "!val!" in node.decl().name()
                    and node.sexpr() not in elements):
                fresh = z3.Const(f"elem!{len(elements)}", node.sort())
                elements[node.sexpr()] = fresh
                by_sort.setdefault(node.sort().sexpr(), []).append(fresh)
    out: list[z3.BoolRef] = []
    for t, v in zip(fixed, values):
        pairs = [(node, elements[node.sexpr()]) for node in subterms_of(v)
                 if node.sexpr() in elements]
        out.append(t == (z3.substitute(v, *pairs) if pairs else v))
    out += [z3.Distinct(*consts) for consts in by_sort.values() if len(consts) > 1]
    return out


def subterms_of(t: z3.ExprRef) -> list[z3.ExprRef]:
    out, seen, stack = [], set(), [t]
    while stack:
        x = stack.pop()
        if x.get_id() in seen:
            continue
        seen.add(x.get_id())
        out.append(x)
        if z3.is_quantifier(x):
            stack.append(x.body())
        elif z3.is_app(x):
            stack.extend(x.arg(i) for i in range(x.num_args()))
    return out


__all__ = ["constants", "ground", "has_quantifier", "skolemized", "subterms_of",
           "trustworthy"]
