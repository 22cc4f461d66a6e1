"""Where an expression is defined (docs/language.md, "Definedness"): `m[k]` needs `k in m`,
`s[i]` and `s[i := v]` need `0 <= i < size(s)`, `o.value` needs `o != none`, `x / y` and
`x % y` need `y != 0`. `&&`, `||`, `==>` and `?:` only need a later operand defined where it
is evaluated, so `k in m && m[k] > 0` is defined everywhere; a quantifier needs its body
defined for every element.

The prover reads clauses strictly: a clause holds only where it is defined (`defined(e) and
e`), so a postcondition that cannot be evaluated in some pre-state makes the step infeasible
there, and an invariant that may be undefined after a step is not preserved by it. Conditions
already known in context (the guard `k in m` of `k in m && m[k] > 0`, a quantifier's
membership test) are dropped as they are met, so most definedness conditions vanish.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable

import z3

from ..spec import ast as A
from ..spec._builtins import BuiltinFunction
from ..spec._symbols import EnumSymbol, FuncSymbol
from ..spec._types import BytesType, MapType, OptionType, SeqType, unify

if TYPE_CHECKING:
    from ._z3_expr import ExprEncoder, _Frame


class Definedness:
    """`defined(e)`: a z3 condition under which `e` has a value."""

    def __init__(self, enc: "ExprEncoder") -> None:
        self.enc = enc
        self.ctx = enc.ctx

    def of(self, e: A.Expr, f: "_Frame", known: frozenset[int] = frozenset()) -> z3.BoolRef:
        parts = self._parts(e, f, known)
        return _and(self.ctx, parts, known)

    def _parts(self, e: A.Expr, f: "_Frame", known: frozenset[int]) -> list[z3.BoolRef]:
        rule = _RULES.get(type(e))
        return rule(self, e, f, known) if rule is not None else []

    def _all(self, exprs: Any, f: "_Frame", known: frozenset[int]) -> list[z3.BoolRef]:
        return [c for x in exprs for c in self._parts(x, f, known)]

    # ------------------------------------------------------------------ rules
    def _none(self, e: Any, f: "_Frame", known: frozenset[int]) -> list[z3.BoolRef]:
        return []

    def _old(self, e: A.Old, f: "_Frame", known: frozenset[int]) -> list[z3.BoolRef]:
        return self._parts(e.expr, replace(f, in_old=True), known)

    def _record(self, e: A.RecordLit, f: "_Frame", known: frozenset[int]) -> list[z3.BoolRef]:
        return self._all([init.value for init in e.fields], f, known)

    def _elems(self, e: Any, f: "_Frame", known: frozenset[int]) -> list[z3.BoolRef]:
        return self._all(e.elems, f, known)

    def _map(self, e: A.MapLit, f: "_Frame", known: frozenset[int]) -> list[z3.BoolRef]:
        return self._all([x for entry in e.entries for x in (entry.key, entry.value)], f, known)

    def _field(self, e: A.FieldAccess, f: "_Frame", known: frozenset[int]) -> list[z3.BoolRef]:
        if isinstance(self.enc.checked.ref(e), EnumSymbol):
            return []
        parts = self._parts(e.obj, f, known)
        t = self.enc._type(e.obj, f)
        if isinstance(t, OptionType):
            opt = self.enc.sorts.option(t.elem)
            parts.append(opt.is_some(self.enc._enc(e.obj, f)))
        return parts

    def _index(self, e: A.Index, f: "_Frame", known: frozenset[int]) -> list[z3.BoolRef]:
        parts = self._parts(e.obj, f, known) + self._parts(e.index, f, known)
        t = self.enc._type(e.obj, f)
        obj, key = self.enc._enc(e.obj, f), self.enc._enc(e.index, f)
        if isinstance(t, MapType):
            parts.append(self.enc.sorts.option(t.value).is_some(obj[key]))
        elif isinstance(t, (SeqType, BytesType)):
            i = self.enc._as_int(key)
            parts.append(z3.And(i >= 0, i < z3.Length(obj)))
        return parts

    def _update(self, e: A.Update, f: "_Frame", known: frozenset[int]) -> list[z3.BoolRef]:
        parts = self._all([e.obj, e.key, e.value], f, known)
        if isinstance(self.enc._type(e.obj, f), SeqType):
            obj, i = self.enc._enc(e.obj, f), self.enc._as_int(self.enc._enc(e.key, f))
            parts.append(z3.And(i >= 0, i < z3.Length(obj)))
        return parts

    def _unary(self, e: A.Unary, f: "_Frame", known: frozenset[int]) -> list[z3.BoolRef]:
        return self._parts(e.operand, f, known)

    def _binary(self, e: A.Binary, f: "_Frame", known: frozenset[int]) -> list[z3.BoolRef]:
        left = self._parts(e.left, f, known)
        if e.op in ("&&", "||", "==>"):
            a = self.enc._enc(e.left, f)
            guard = z3.Not(a) if e.op == "||" else a
            inner = known | {guard.get_id()} | _conjuncts(guard)
            right = _and(self.ctx, self._parts(e.right, f, inner), inner)
            return left + ([] if z3.is_true(right) else [z3.Implies(guard, right)])
        parts = left + self._parts(e.right, f, known)
        if e.op in ("/", "%"):
            divisor = self.enc._enc(e.right, f)
            if not _nonzero(divisor):
                zero = z3.BitVecVal(0, divisor.size(), self.ctx) if z3.is_bv(divisor) else 0
                parts.append(divisor != zero)
        return parts

    def _compare(self, e: A.Compare, f: "_Frame", known: frozenset[int]) -> list[z3.BoolRef]:
        return self._all(e.operands, f, known)

    def _conditional(self, e: A.Conditional, f: "_Frame", known: frozenset[int]
                     ) -> list[z3.BoolRef]:
        c = self.enc._enc(e.cond, f)
        yes = known | {c.get_id()} | _conjuncts(c)
        no = known | {z3.Not(c).get_id()}
        then = _and(self.ctx, self._parts(e.then, f, yes), yes)
        otherwise = _and(self.ctx, self._parts(e.otherwise, f, no), no)
        parts = self._parts(e.cond, f, known)
        if not (z3.is_true(then) and z3.is_true(otherwise)):
            parts.append(z3.If(c, then, otherwise))
        return parts

    def _quantifier(self, e: A.Quantifier, f: "_Frame", known: frozenset[int]
                    ) -> list[z3.BoolRef]:
        return self._bind(e, 0, f, known)

    def _bind(self, e: A.Quantifier, i: int, f: "_Frame", known: frozenset[int]
              ) -> list[z3.BoolRef]:
        if i == len(e.bindings):
            return self._parts(e.body, f, known)
        binding = e.bindings[i]
        parts = self._parts(binding.collection, f, known)
        var = self.enc.checked.ref(binding)
        bound, element, guard, patterns = self.enc._range(binding, f)
        inner = known | {guard.get_id()} | _conjuncts(guard)
        body = _and(self.ctx, self._bind(e, i + 1, f.bind(var, element), inner), inner)
        if not z3.is_true(body):
            from ._z3_sorts import forall
            parts.append(forall([bound], z3.Implies(guard, body), patterns))
        return parts

    def _call(self, e: A.Call, f: "_Frame", known: frozenset[int]) -> list[z3.BoolRef]:
        parts = self._all(e.args, f, known)
        ref = self.enc.checked.ref(e)
        if isinstance(ref, FuncSymbol) and ref.decl.body is not None and ref not in f.inlining:
            args = [self.enc._enc(a, f) for a in e.args]
            bindings: dict = {}
            if ref.type_params:
                params = frozenset(ref.type_params)
                for a, p in zip(e.args, ref.params):
                    unify(p.type, self.enc._type(a, f), params, bindings)
                unify(ref.result, self.enc._type(e, f), params, bindings)
            inner = replace(f, local={**f.local, **{id(p): a for p, a in zip(ref.params, args)}},
                            subst={**f.subst, **bindings}, inlining=(*f.inlining, ref))
            parts += self._parts(ref.decl.body, inner, known)
        elif isinstance(ref, BuiltinFunction) and ref.name == "pow2":
            pass  # pow2 takes a nat: always defined for well-typed arguments
        return parts


def _nonzero(t: z3.ExprRef) -> bool:
    """A divisor that is never 0: a non-zero numeral, or a power of two."""
    if z3.is_int_value(t) or z3.is_bv_value(t):
        return t.as_long() != 0  # type: ignore[attr-defined]
    return z3.is_app(t) and t.decl().name().startswith("pow2")


def _conjuncts(t: z3.BoolRef) -> frozenset[int]:
    """Ids of `t`'s conjuncts (a known `a && b` makes `a` and `b` known)."""
    if z3.is_and(t):
        return frozenset(t.arg(i).get_id() for i in range(t.num_args()))
    return frozenset()


def _and(ctx: z3.Context, parts: list[z3.BoolRef], known: frozenset[int] = frozenset()
         ) -> z3.BoolRef:
    kept: list[z3.BoolRef] = []
    ids: set[int] = set()
    for p in parts:
        if z3.is_true(p) or p.get_id() in known or p.get_id() in ids:
            continue
        ids.add(p.get_id())
        kept.append(p)
    if not kept:
        return z3.BoolVal(True, ctx)
    return kept[0] if len(kept) == 1 else z3.And(*kept)


_Rule = Callable[[Definedness, Any, "_Frame", frozenset], list]
_RULES: dict[type, _Rule] = {
    A.Name: Definedness._none, A.IntLit: Definedness._none, A.DurationLit: Definedness._none,
    A.BytesLit: Definedness._none, A.BoolLit: Definedness._none, A.NoneLit: Definedness._none,
    A.EmptyLit: Definedness._none, A.Old: Definedness._old, A.Call: Definedness._call,
    A.RecordLit: Definedness._record, A.SetLit: Definedness._elems, A.SeqLit: Definedness._elems,
    A.MapLit: Definedness._map, A.FieldAccess: Definedness._field, A.Index: Definedness._index,
    A.Update: Definedness._update, A.Unary: Definedness._unary, A.Binary: Definedness._binary,
    A.Compare: Definedness._compare, A.Conditional: Definedness._conditional,
    A.Quantifier: Definedness._quantifier,
}

__all__ = ["Definedness"]
