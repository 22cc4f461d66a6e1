"""Calls in expressions: the built-in functions and user `func`s (inlined when they have a
body, else uninterpreted functions, one per instantiation of their type parameters). A mixin
of `ExprEncoder` (see `_z3_expr`)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable

import z3

from ..spec import ast as A
from ..spec._builtins import BuiltinFunction
from ..spec._symbols import FuncSymbol
from ..spec._types import (BytesType, IntType, MapType, OptionType, SeqType, SetType, Type,
                           TypeParam, substitute, unify)
from ._z3_sorts import Unsupported

if TYPE_CHECKING:
    from ._z3_expr import _Frame

SMALL_RANGE = 64  # pow2(n) for n of a range this small is a table


class CallRules:
    """How `ExprEncoder` encodes calls (it provides `_enc`, `_type`, `_sort`, `sorts`, ...)."""

    def _call(self, e: A.Call, f: _Frame) -> z3.ExprRef:
        ref = self.checked.ref(e)
        if isinstance(ref, BuiltinFunction):
            rule = _BUILTINS.get(ref.name)
            if rule is None:
                raise Unsupported(f"the built-in function `{ref.name}`", e.span)
            return rule(self, e, f)
        if isinstance(ref, FuncSymbol):
            return self._user_call(e, ref, f)
        raise Unsupported(f"the call of `{e.func.text}`", e.span)

    def _user_call(self, e: A.Call, fn: FuncSymbol, f: _Frame) -> z3.ExprRef:
        args = [self._enc(a, f) for a in e.args]
        bindings: dict[TypeParam, Type] = {}
        if fn.type_params:
            params = frozenset(fn.type_params)
            for a, p in zip(e.args, fn.params):
                unify(p.type, self._type(a, f), params, bindings)
            unify(fn.result, self._type(e, f), params, bindings)
        if fn.decl.body is None:
            domain = [self._sort(substitute(p.type, bindings), e) for p in fn.params]
            result = self._sort(substitute(fn.result, bindings), e)
            return self.sorts.function(fn.name, domain, result)(*args)
        if fn in f.inlining:
            raise Unsupported(f"the recursive function `{fn.name}`", e.span)
        inner = replace(f, local={**f.local, **{id(p): a for p, a in zip(fn.params, args)}},
                        subst={**f.subst, **bindings}, inlining=(*f.inlining, fn))
        return self._enc(fn.decl.body, inner)

    def _size(self, e: A.Call, f: _Frame) -> z3.ExprRef:
        arg = e.args[0]
        if isinstance(arg, A.Call) and isinstance(self.checked.ref(arg), BuiltinFunction):
            if arg.func.text == "indices":  # exactly as many positions as elements
                return z3.Length(self._enc(arg.args[0], f))
            if arg.func.text == "range":
                lo, hi = self._enc(arg.args[0], f), self._enc(arg.args[1], f)
                return z3.If(hi > lo, hi - lo, 0)
        t = self._type(arg, f)
        c = self._enc(arg, f)
        if isinstance(t, SetType):
            return self.sorts.ghosts.card(t.elem)(c)
        if isinstance(t, MapType):
            return self.sorts.ghosts.card(t.key)(self.sorts.ghosts.keys(t)(c))
        if isinstance(t, (SeqType, BytesType)):
            return z3.Length(c)
        raise Unsupported(f"size() of a `{t}`", e.span)

    def _keys(self, e: A.Call, f: _Frame) -> z3.ExprRef:
        t = self._type(e.args[0], f)
        assert isinstance(t, MapType)
        return self.sorts.ghosts.keys(t)(self._enc(e.args[0], f))

    def _values(self, e: A.Call, f: _Frame) -> z3.ExprRef:
        t = self._type(e.args[0], f)
        assert isinstance(t, MapType)
        return self.sorts.ghosts.values(t)(self._enc(e.args[0], f))

    def _indices(self, e: A.Call, f: _Frame) -> z3.ExprRef:
        s = self._enc(e.args[0], f)
        i = self.sorts.bound("i", z3.IntSort(self.ctx))
        return z3.Lambda([i], z3.And(i >= 0, i < z3.Length(s)))

    def _range_set(self, e: A.Call, f: _Frame) -> z3.ExprRef:
        lo, hi = self._enc(e.args[0], f), self._enc(e.args[1], f)
        i = self.sorts.bound("i", z3.IntSort(self.ctx))
        return z3.Lambda([i], self.sorts.ghosts.in_range()(i, lo, hi))

    def _some(self, e: A.Call, f: _Frame) -> z3.ExprRef:
        t = self._type(e, f)
        assert isinstance(t, OptionType)
        self._sort(t, e)
        return self.sorts.option(t.elem).some(self._enc(e.args[0], f))

    def _extremum(self, e: A.Call, f: _Frame) -> z3.ExprRef:
        a, b = self._enc(e.args[0], f), self._enc(e.args[1], f)
        smaller = z3.ULE(a, b) if z3.is_bv(a) else a <= b
        return z3.If(smaller, a, b) if e.func.text == "min" else z3.If(smaller, b, a)

    def _abs(self, e: A.Call, f: _Frame) -> z3.ExprRef:
        x = self._enc(e.args[0], f)
        return z3.If(x >= 0, x, -x)

    def _log(self, e: A.Call, f: _Frame) -> z3.ExprRef:
        x = self._enc(e.args[0], f)
        fn = self.sorts.function("log", [z3.IntSort(self.ctx)], z3.IntSort(self.ctx), user=False)
        return fn(x)

    def _pow2(self, e: A.Call, f: _Frame) -> z3.ExprRef:
        """2^n: for n of a small range, a table (a function z3 unfolds by cases, so terms
        stay small and can serve as triggers); else a recursive definition."""
        n = self._enc(e.args[0], f)
        t = self._type(e.args[0], f)
        if (isinstance(t, IntType) and t.low is not None and t.high is not None
                and 0 <= t.low and t.high - t.low < SMALL_RANGE):
            return self.pow2_table(t.low, t.high)(n)
        return self.pow2_function()(n)

    def pow2_table(self, low: int, high: int) -> z3.FuncDeclRef:
        key = (low, high)
        found = self._pow2_tables.get(key)
        if found is None:
            int_sort = z3.IntSort(self.ctx)
            found = z3.RecFunction(f"pow2[{low}..{high}]", int_sort, int_sort)
            n = z3.Int("n!pow2", self.ctx)
            # outside the range (never, for a well-typed n) an uninterpreted value
            body: z3.ArithRef = self.sorts.function("pow2!", [int_sort], int_sort, user=False)(n)
            for k in range(high, low - 1, -1):
                body = z3.If(n == k, z3.IntVal(2 ** k, self.ctx), body)
            z3.RecAddDefinition(found, [n], body)
            self._pow2_tables[key] = found
            self._table_bodies[found.name()] = (low, high)
        return found

    def pow2_function(self) -> z3.FuncDeclRef:
        if self._pow2_fn is None:
            int_sort = z3.IntSort(self.ctx)
            fn = z3.RecFunction("pow2", int_sort, int_sort)
            n = z3.Int("n!pow2", self.ctx)
            z3.RecAddDefinition(fn, [n], z3.If(n <= 0, 1, 2 * fn(n - 1)))
            self._pow2_fn = fn
        return self._pow2_fn



_BUILTINS: dict[str, Callable[[Any, A.Call, Any], z3.ExprRef]] = {
    "size": CallRules._size, "keys": CallRules._keys, "values": CallRules._values,
    "indices": CallRules._indices, "some": CallRules._some, "min": CallRules._extremum,
    "max": CallRules._extremum, "abs": CallRules._abs, "log": CallRules._log,
    "pow2": CallRules._pow2, "range": CallRules._range_set,
}

__all__ = ["CallRules", "SMALL_RANGE"]
