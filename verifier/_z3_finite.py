"""A search for models among finite states: every set, map and (model field) sequence constant
of a query is given an explicit shape of at most `size` entries with fresh keys and values, and
every quantifier over such a collection is replaced by its finitely many instances.

A model found this way is a model of the original formulas (the shapes only narrow the search;
the instances are exactly what the quantifiers say over those collections), and z3 finds one
far more easily: it cannot build models of quantifiers over arrays or sequences by itself. So
the prover looks for counterexamples (and for witnesses that something is satisfiable) here
first. It never concludes "unsatisfiable" from this search.
"""

from __future__ import annotations

import z3

from ._z3_models import applications, is_constant

STATE_PREFIXES = ("pre.", "init.")  # model fields: arguments such as bytes may need length


def finite_versions(formulas: list[z3.BoolRef], size: int) -> list[list[z3.BoolRef]]:
    """`finite_version` for each length 0..size of the model fields' sequences (z3's
    sequence theory gives up when a length is left open), or just one when there are none."""
    if not any(z3.is_seq(x) and str(x).startswith(STATE_PREFIXES)
               for x in _collection_constants(formulas)):
        return [finite_version(formulas, size, 0)]
    return [finite_version(formulas, size, n) for n in range(size + 1)]


def finite_version(formulas: list[z3.BoolRef], size: int, length: int) -> list[z3.BoolRef]:
    """`formulas` over sets and maps of at most `size` entries and model-field sequences of
    exactly `length` elements (see the module doc)."""
    shapes: dict[int, tuple[str, list[z3.ExprRef]]] = {}  # id -> (kind, keys or positions)
    equations: list[z3.BoolRef] = []
    for x in _collection_constants(formulas):
        if z3.is_seq(x):
            if not str(x).startswith(STATE_PREFIXES):
                continue
            units = [z3.Unit(z3.Const(f"shape.{x}.e{i}", x.sort().basis()))
                     for i in range(length)]
            equations.append(x == (z3.Empty(x.sort()) if not units else units[0]
                                   if len(units) == 1 else z3.Concat(*units)))
            shapes[x.get_id()] = ("seq", [z3.IntVal(i, x.ctx) for i in range(length)])
            continue
        domain, held = x.sort().domain(), x.sort().range()
        if held.kind() == z3.Z3_BOOL_SORT:
            shape = z3.K(domain, z3.BoolVal(False, x.ctx))
        elif held.kind() == z3.Z3_DATATYPE_SORT and held.num_constructors() == 2:
            shape = z3.K(domain, held.constructor(0)())  # option: none everywhere
        else:
            continue
        keys = []
        for i in range(size):
            key = z3.Const(f"shape.{x}.k{i}", domain)
            keys.append(key)
            shape = z3.Store(shape, key, z3.Const(f"shape.{x}.v{i}", held))
        equations.append(x == shape)
        shapes[x.get_id()] = ("array", keys)
    return [*equations, *(_expand(f, shapes) for f in formulas)]


def _collection_constants(formulas: list[z3.BoolRef]) -> list[z3.ExprRef]:
    found: dict[str, z3.ExprRef] = {}
    for t in applications(formulas):
        if is_constant(t) and (z3.is_array(t) or z3.is_seq(t)):
            found[t.sexpr()] = t
    return [found[k] for k in sorted(found)]


def _expand(f: z3.ExprRef, shapes: dict[int, tuple[str, list[z3.ExprRef]]]) -> z3.ExprRef:
    """`f` with each quantifier over a shaped collection, in positive position, replaced by
    the conjunction of its instances."""
    if z3.is_and(f):
        return z3.And(*[_expand(f.arg(i), shapes) for i in range(f.num_args())])
    if z3.is_implies(f):
        return z3.Implies(f.arg(0), _expand(f.arg(1), shapes))
    if not (z3.is_quantifier(f) and f.is_forall() and f.num_vars() == 1):
        return f
    v = z3.Const(f"fin!{f.var_name(0)}", f.var_sort(0))
    body = z3.substitute_vars(f.body(), v)
    if not z3.is_implies(body):
        return f
    points = _points(body.arg(0), v, shapes)
    if points is None:
        return f
    return z3.And(*[_expand(z3.substitute(body, (v, p)), shapes) for p in points]) \
        if points else z3.BoolVal(True, f.ctx)


def _points(guard: z3.BoolRef, v: z3.ExprRef, shapes: dict[int, tuple[str, list[z3.ExprRef]]]
            ) -> list[z3.ExprRef] | None:
    """The values of `v` that can satisfy `guard`, when it tests membership in a shaped
    collection: its keys, or its positions."""
    held = guard
    if z3.is_app(held) and held.num_args() == 1 and held.decl().kind() == z3.Z3_OP_DT_IS:
        held = held.arg(0)
    if z3.is_select(held) and held.num_args() == 2 and held.arg(1).eq(v):
        shape = shapes.get(held.arg(0).get_id())
        return shape[1] if shape is not None and shape[0] == "array" else None
    if z3.is_and(guard):
        for i in range(guard.num_args()):
            part = guard.arg(i)
            if (z3.is_app_of(part, z3.Z3_OP_LT) and part.arg(0).eq(v)
                    and z3.is_app_of(part.arg(1), z3.Z3_OP_SEQ_LENGTH)):
                shape = shapes.get(part.arg(1).arg(0).get_id())
                if shape is not None and shape[0] == "seq":
                    return shape[1]
    return None


__all__ = ["STATE_PREFIXES", "finite_version", "finite_versions"]
