"""Shapes of z3 formulas the witness finder (`_ob_witness`) recognises: implications as
premises and a conclusion, reads of an array at a point, the shifted reads of "drop the first k
elements", and a light rewriting that keeps a formula's shape (z3's simplifier would not)."""

from __future__ import annotations

import z3


def reduce(term: z3.ExprRef) -> z3.ExprRef:
    """A few rewrites that keep the shape of a formula (z3's simplifier would turn `==>` into
    `or`): a store read where written (`store(a, i, v)[i]` is v), an option's test and value
    at its constructor, and `if` on a constant condition."""
    memo: dict[int, z3.ExprRef] = {}

    def go(t: z3.ExprRef) -> z3.ExprRef:
        found = memo.get(t.get_id())
        if found is not None:
            return found
        out = t
        if z3.is_quantifier(t):
            body = go(t.body())
            if not body.eq(t.body()):
                names = [z3.Const(t.var_name(i), t.var_sort(i)) for i in range(t.num_vars())]
                inner = z3.substitute_vars(body, *reversed(names))
                make = z3.Lambda if t.is_lambda() else (z3.ForAll if t.is_forall() else z3.Exists)
                out = make(names, inner)
        elif z3.is_app(t) and t.num_args():
            args = [go(t.arg(i)) for i in range(t.num_args())]
            out = rewrite(t, args)
        memo[t.get_id()] = out
        return out
    return go(term)


def rewrite(t: z3.ExprRef, args: list[z3.ExprRef]) -> z3.ExprRef:
    kind = t.decl().kind()
    if kind == z3.Z3_OP_SELECT and z3.is_store(args[0]) and args[0].arg(1).eq(args[1]):
        return args[0].arg(2)
    if kind in (z3.Z3_OP_DT_IS, z3.Z3_OP_DT_ACCESSOR) and z3.is_app_of(
            args[0], z3.Z3_OP_DT_CONSTRUCTOR):
        built = args[0]
        if kind == z3.Z3_OP_DT_IS:
            return z3.BoolVal(t.params()[0].eq(built.decl()), t.ctx)
        sort = built.sort()
        for c in range(sort.num_constructors()):
            if sort.constructor(c).eq(built.decl()):
                for a in range(sort.constructor(c).arity()):
                    if sort.accessor(c, a).eq(t.decl()):
                        return built.arg(a)
    if kind == z3.Z3_OP_ITE and (z3.is_true(args[0]) or z3.is_false(args[0])):
        return args[1] if z3.is_true(args[0]) else args[2]
    if all(a.eq(t.arg(i)) for i, a in enumerate(args)):
        return t
    return t.decl()(*args)


def implication(f: z3.BoolRef) -> tuple[list[z3.BoolRef], z3.BoolRef]:
    """`a ==> (b ==> c)` and `a && b ==> c` as ([a, b], c)."""
    premises: list[z3.BoolRef] = []
    while z3.is_implies(f):
        p = f.arg(0)
        premises += [p.arg(i) for i in range(p.num_args())] if z3.is_and(p) else [p]
        f = f.arg(1)
    return premises, f


def existential(g: z3.BoolRef, positive: bool) -> bool:
    """Whether `g` (negated when not `positive`) says that something exists."""
    while z3.is_not(g):
        g, positive = g.arg(0), not positive
    return z3.is_quantifier(g) and not g.is_lambda() and g.is_forall() != positive


def other_than(p: z3.BoolRef, x: z3.ExprRef) -> z3.ExprRef | None:
    """c when `p` says `x != c` (as `distinct` or `not ==`)."""
    if z3.is_not(p) and z3.is_eq(p.arg(0)):
        p = p.arg(0)
    elif not (z3.is_distinct(p) and p.num_args() == 2):
        return None
    if p.arg(0).eq(x):
        return p.arg(1)
    if p.arg(1).eq(x):
        return p.arg(0)
    return None


def read_at(t: z3.ExprRef, x: z3.ExprRef) -> z3.ExprRef | None:
    """The array `a` when `t` is `a[x]`, `value(a[x])` or `is_some(a[x])`."""
    while z3.is_app(t) and t.num_args() == 1 and t.decl().kind() in (
            z3.Z3_OP_DT_ACCESSOR, z3.Z3_OP_DT_IS):
        t = t.arg(0)
    if z3.is_select(t) and t.num_args() == 2 and t.arg(1).eq(x):
        return t.arg(0)
    return None


def mentions_read(p: z3.BoolRef, m: z3.ExprRef, x: z3.ExprRef) -> bool:
    """Whether premise `p` is the membership test `x in m`."""
    found = read_at(p, x)
    return found is not None and found.eq(m)


def shifted(a: z3.ExprRef, b: z3.ExprRef, i: z3.ExprRef
             ) -> tuple[z3.ExprRef, z3.ExprRef, z3.ArithRef] | None:
    """(X, Y, k) when `a` is `X[i]` and `b` is `Y[i + k]` for a numeral or term k."""
    if not (z3.is_app_of(a, z3.Z3_OP_SEQ_NTH) and a.arg(1).eq(i)):
        return None
    if not z3.is_app_of(b, z3.Z3_OP_SEQ_NTH):
        return None
    at = b.arg(1)
    if z3.is_add(at) and at.num_args() == 2:
        if at.arg(0).eq(i):
            return a.arg(0), b.arg(0), at.arg(1)
        if at.arg(1).eq(i):
            return a.arg(0), b.arg(0), at.arg(0)
    return None


def is_below_length(p: z3.BoolRef, i: z3.ExprRef, seq: z3.ExprRef) -> bool:
    """Whether `p` is `i < Length(seq)`."""
    if z3.is_app_of(p, z3.Z3_OP_LT) and p.arg(0).eq(i):
        length = p.arg(1)
        return z3.is_app_of(length, z3.Z3_OP_SEQ_LENGTH) and length.arg(0).eq(seq)
    return False


__all__ = ["existential", "implication", "is_below_length", "mentions_read", "other_than",
           "read_at", "reduce", "shifted"]
