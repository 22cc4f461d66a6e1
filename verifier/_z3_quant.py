"""Quantifiers in expressions: `forall x in C: P` ranges over the members of a set, the keys
of a map, the elements of a sequence, a range or a sequence's positions, with the membership
test as its trigger (and, where that test is arithmetic, what the body reads). A mixin of
`ExprEncoder` (see `_z3_expr`)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import z3

from ..spec import ast as A
from ..spec._builtins import BuiltinFunction
from ..spec._printer import format_expr
from ..spec._types import MapType, SeqType, SetType
from ._z3_sorts import Unsupported, _usable_trigger as _usable, forall

if TYPE_CHECKING:
    from ._z3_expr import _Frame


class QuantifierRules:
    """How `ExprEncoder` encodes quantifiers (it provides `_enc`, `_type`, `sorts`, ...)."""

    def _quantifier(self, e: A.Quantifier, f: _Frame) -> z3.ExprRef:
        for i, b in enumerate(e.bindings):
            self._binders[id(b)] = (e, i)
        return self._quantify(e, 0, f)

    def _binder_name(self, b: A.Binding) -> str:
        """The z3 name of a bound variable: its spec name and a digest of its quantifier's
        text. The same quantifier encoded twice is then the same z3 term (z3 sees at once
        that a formula matches an assumption); nested ones differ (z3 binds constants by
        identity); and the name does not depend on where the text stands in its file."""
        quantifier, index = self._binders.get(id(b), (None, 0))
        text = format_expr(quantifier) if quantifier is not None else b.name.text
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
        return f"{b.name.text}@{digest}.{index}"

    def _quantify(self, e: A.Quantifier, i: int, f: _Frame) -> z3.BoolRef:
        if i == len(e.bindings):
            return self._enc(e.body, f)
        binding = e.bindings[i]
        var = self.checked.ref(binding)
        bound, element, guard, patterns = self._range(binding, f)
        body = self._quantify(e, i + 1, f.bind(var, element))
        if not patterns or not z3.is_select(patterns[0]):
            # a range or positions: the guard is arithmetic (or in_range), which z3 only
            # meets for the range it was built for; what the body reads triggers it as well
            patterns = [*patterns, *_body_triggers(body, bound)]
        if e.kind == "forall":
            return forall([bound], z3.Implies(guard, body), patterns)
        return forall([bound], z3.And(guard, body), patterns, exists=True)

    def _range(self, b: A.Binding, f: _Frame
               ) -> tuple[z3.ExprRef, z3.ExprRef, z3.BoolRef, list[z3.ExprRef]]:
        """The bound z3 variable, the element it stands for, its guard and its triggers."""
        coll = b.collection
        name = self._binder_name(b)
        if isinstance(coll, A.Call) and isinstance(self.checked.ref(coll), BuiltinFunction):
            fn = coll.func.text
            if fn == "indices":
                s = self._enc(coll.args[0], f)
                i = z3.Int(name, self.ctx)
                return i, i, z3.And(i >= 0, i < z3.Length(s)), []
            if fn == "range":
                lo, hi = self._enc(coll.args[0], f), self._enc(coll.args[1], f)
                i = z3.Int(name, self.ctx)
                inside = self.sorts.ghosts.in_range()(i, lo, hi)
                return i, i, inside, [inside]
            if fn == "keys":
                coll = coll.args[0]  # the keys of m: quantify over the map directly
        t = self._type(coll, f)
        c = self._enc(coll, f)
        if isinstance(t, SetType):
            x = z3.Const(name, self._sort(t.elem, b))
            inside = self.member(x, c, t, b.collection)
            return x, x, inside, _patterns(inside) if not z3.is_select(inside) else \
                _patterns(c[x])
        if isinstance(t, MapType):
            k = z3.Const(name, self._sort(t.key, b))
            return k, k, self.sorts.option(t.value).is_some(c[k]), _patterns(c[k])
        if isinstance(t, SeqType):
            i = z3.Int(f"{name}#", self.ctx)
            return i, c[i], z3.And(i >= 0, i < z3.Length(c)), _patterns(c[i])
        raise Unsupported(f"quantifying over a `{t}`", b.span)


def _patterns(term: z3.ExprRef) -> list[z3.ExprRef]:
    """`term` (a membership test) as a trigger, unless it is a lambda's select, which z3
    cannot match on, or not a plain application; z3 then chooses triggers itself."""
    if not z3.is_app(term) or z3.is_and(term) or z3.is_not(term):
        return []
    array = term.arg(0) if term.num_args() else None
    if array is not None and z3.is_quantifier(array):
        return []
    return [term]


def _body_triggers(body: z3.ExprRef, var: z3.ExprRef, limit: int = 3) -> list[z3.ExprRef]:
    """Up to `limit` smallest reads in `body` of an array, sequence or uninterpreted function
    at a term containing `var` (`free[q]`, `s[i]`), in order of appearance."""
    found: list[z3.ExprRef] = []
    seen: set[int] = set()
    stack = [body]
    while stack and len(found) < limit:
        t = stack.pop()
        if t.get_id() in seen or not z3.is_app(t):
            continue
        seen.add(t.get_id())
        kind = t.decl().kind()
        reads = kind in (z3.Z3_OP_SELECT, z3.Z3_OP_SEQ_NTH) or (
            kind == z3.Z3_OP_UNINTERPRETED and t.num_args() > 0)
        if reads and any(_mentions(t.arg(j), var) for j in range(t.num_args())) \
                and _usable(t):
            found.append(t)
            continue
        stack.extend(t.arg(j) for j in reversed(range(t.num_args())))
    return found


def _mentions(t: z3.ExprRef, var: z3.ExprRef) -> bool:
    stack, seen = [t], set()
    while stack:
        x = stack.pop()
        if x.eq(var):
            return True
        if x.get_id() in seen or not z3.is_app(x):
            continue
        seen.add(x.get_id())
        stack.extend(x.arg(j) for j in range(x.num_args()))
    return False



__all__ = ["QuantifierRules"]
