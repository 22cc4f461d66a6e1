"""Ghost functions for cardinality: `card` (the size of a set), `keys` (a map's key set; a
map's size is `card(keys(m))`) and `values` (the set of values a map holds).

Their meaning is given by axioms in two forms:

- *quantified* (over whole sets and maps, with triggers): good for proofs, where z3 looks for a
  contradiction by instantiating them on the terms it meets; but z3 cannot build a model of a
  quantifier over arrays, so a query that must be *satisfiable* would come back unknown;
- *ground instances* on the terms of the query: for every `card(s)` its sign and emptiness,
  and for every set or map built by inserting or removing one element (`store`), how its size
  relates to the smaller one's — closed under the terms these instances create. Only
  quantifiers over elements remain (`keys(m)[k] == is_some(m[k])`), which z3 handles.

Proof queries get both; satisfiability queries get the ground instances only. Sizes are then
known exactly for every collection the obligation builds from others by inserts and removals,
and only as "non-negative, zero exactly when empty" for the others; `docs/prover.md` lists this
as a limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

import z3

from ..spec._types import MapType, Type
from ._z3_sorts import forall

if TYPE_CHECKING:
    from ._z3_sorts import Sorts


@dataclass
class _Ghost:
    kind: str                    # card, keys or values
    decl: z3.FuncDeclRef
    arg_sort: z3.SortRef         # the collection it applies to
    extra: dict[str, object] = field(default_factory=dict)


class Ghosts:
    """The ghost functions one `Sorts` made, and their axioms."""

    def __init__(self, sorts: "Sorts") -> None:
        self.sorts = sorts
        self.ctx = sorts.ctx
        self.made: dict[tuple[str, str], _Ghost] = {}
        self.by_decl: dict[int, _Ghost] = {}

    def _register(self, ghost: _Ghost) -> _Ghost:
        self.made[(ghost.kind, ghost.arg_sort.sexpr())] = ghost
        self.by_decl[ghost.decl.get_id()] = ghost
        return ghost

    # ------------------------------------------------------------------ the functions
    def card(self, elem: Type) -> z3.FuncDeclRef:
        es = self.sorts.sort(elem)
        set_sort = z3.ArraySort(es, z3.BoolSort(self.ctx))
        found = self.made.get(("card", set_sort.sexpr()))
        if found is None:
            decl = z3.Function(f"card<{elem.show()}>", set_sort, z3.IntSort(self.ctx))
            found = self._register(_Ghost("card", decl, set_sort, {"elem": es}))
        return found.decl

    def keys(self, t: MapType) -> z3.FuncDeclRef:
        map_sort = self.sorts.sort(t)
        found = self.made.get(("keys", map_sort.sexpr()))
        if found is None:
            ks, opt = self.sorts.sort(t.key), self.sorts.option(t.value)
            decl = z3.Function(f"keys<{t.show()}>", map_sort,
                               z3.ArraySort(ks, z3.BoolSort(self.ctx)))
            found = self._register(_Ghost("keys", decl, map_sort, {"key": ks, "opt": opt}))
        return found.decl

    def values(self, t: MapType) -> z3.FuncDeclRef:
        map_sort = self.sorts.sort(t)
        found = self.made.get(("values", map_sort.sexpr()))
        if found is None:
            ks, vs, opt = self.sorts.sort(t.key), self.sorts.sort(t.value), self.sorts.option(t.value)
            decl = z3.Function(f"values<{t.show()}>", map_sort,
                               z3.ArraySort(vs, z3.BoolSort(self.ctx)))
            holder = z3.Function(f"holder<{t.show()}>", map_sort, vs, ks)
            found = self._register(_Ghost("values", decl, map_sort,
                                          {"key": ks, "value": vs, "opt": opt, "holder": holder}))
        return found.decl

    def in_range(self) -> z3.FuncDeclRef:
        """`lo <= x < hi` as a predicate, so that a quantifier over `range(lo, hi)` has a
        trigger (arithmetic cannot be one). Its definition quantifies over integers only, so
        it goes with every query (`always`)."""
        found = self.made.get(("in_range", "Int"))
        if found is None:
            int_sort = z3.IntSort(self.ctx)
            # a defined function (z3 unfolds it; models need no table for it), not an axiom
            decl = z3.RecFunction("in_range", int_sort, int_sort, int_sort,
                                  z3.BoolSort(self.ctx))
            x, lo, hi = (z3.Int(f"{n}!in_range", self.ctx) for n in ("x", "lo", "hi"))
            z3.RecAddDefinition(decl, [x, lo, hi], z3.And(lo <= x, x < hi))
            found = self._register(_Ghost("in_range", decl, int_sort))
        return found.decl

    def always(self) -> list[z3.BoolRef]:
        """Axioms every query that uses the ghosts gets (none at present: `in_range` is
        defined, not axiomatised)."""
        return []

    # ------------------------------------------------------------------ quantified axioms
    def quantified(self) -> list[z3.BoolRef]:
        """The axioms over whole collections, for proof queries."""
        out: list[z3.BoolRef] = []
        for ghost in self.made.values():
            f = ghost.decl
            if ghost.kind == "card":
                es = ghost.extra["elem"]
                s = self.sorts.bound("s", ghost.arg_sort)
                x = self.sorts.bound("x", es)  # type: ignore[arg-type]
                b = self.sorts.bound("b", z3.BoolSort(self.ctx))
                out += [
                    z3.ForAll([s], z3.And(f(s) >= 0, (f(s) == 0) == (s == self._empty(es))),
                              patterns=[f(s)]),
                    z3.ForAll([s, x, b], f(z3.Store(s, x, b)) == f(s) + self._delta(s, x, b),
                              patterns=[f(z3.Store(s, x, b))]),
                ]
            elif ghost.kind == "keys":
                m = self.sorts.bound("m", ghost.arg_sort)
                out += self._keys_members(ghost, m, quantify_map=True)
                k = self.sorts.bound("k", ghost.extra["key"])  # type: ignore[arg-type]
                opt = ghost.extra["opt"]
                o = self.sorts.bound("o", opt.sort)  # type: ignore[attr-defined]
                out.append(z3.ForAll([m, k, o], f(z3.Store(m, k, o))
                                     == z3.Store(f(m), k, opt.is_some(o)),  # type: ignore
                                     patterns=[f(z3.Store(m, k, o))]))
            elif ghost.kind == "values":
                m = self.sorts.bound("m", ghost.arg_sort)
                out += self._values_members(ghost, m, quantify_map=True)
        return out

    def _empty(self, es: object) -> z3.ExprRef:
        return z3.K(es, z3.BoolVal(False, self.ctx))  # type: ignore[arg-type]

    def _delta(self, s: z3.ExprRef, x: z3.ExprRef, b: z3.ExprRef) -> z3.ArithRef:
        """How much inserting (b true) or removing (b false) x changes the size of s."""
        return z3.If(b, z3.If(s[x], 0, 1), z3.If(s[x], -1, 0))

    def _keys_members(self, ghost: _Ghost, m: z3.ExprRef, quantify_map: bool
                      ) -> list[z3.BoolRef]:
        k = self.sorts.bound("k", ghost.extra["key"])  # type: ignore[arg-type]
        opt = ghost.extra["opt"]
        body = ghost.decl(m)[k] == opt.is_some(m[k])  # type: ignore[attr-defined]
        bound = [m, k] if quantify_map else [k]
        return [forall(bound, body, [ghost.decl(m)[k]])]

    def _values_members(self, ghost: _Ghost, m: z3.ExprRef, quantify_map: bool
                        ) -> list[z3.BoolRef]:
        k = self.sorts.bound("k", ghost.extra["key"])  # type: ignore[arg-type]
        v = self.sorts.bound("v", ghost.extra["value"])  # type: ignore[arg-type]
        opt, holder, f = ghost.extra["opt"], ghost.extra["holder"], ghost.decl
        held = z3.Implies(opt.is_some(m[k]), f(m)[opt.value(m[k])])  # type: ignore[attr-defined]
        some = z3.Implies(f(m)[v], m[holder(m, v)] == opt.some(v))  # type: ignore
        pre = [m] if quantify_map else []
        if quantify_map:
            return [z3.ForAll([*pre, k], held, patterns=[z3.MultiPattern(f(m), m[k])]),
                    z3.ForAll([*pre, v], some, patterns=[f(m)[v]])]
        return [forall([k], held, [m[k]]), forall([v], some, [f(m)[v]])]

    # ------------------------------------------------------------------ ground instances
    def instances(self, formulas: Iterable[z3.ExprRef]) -> tuple[list[z3.BoolRef], bool]:
        """Ground instances on the terms of `formulas`, closed under the terms they make;
        and whether some ghost term sits under a binder (then only the quantified axioms
        cover it)."""
        if not self.made:
            return [], False
        out: list[z3.BoolRef] = []
        done: set[int] = set()
        under_binder = False
        work = list(_ground_subterms(formulas))
        stores_by_sort: dict[str, list[z3.ExprRef]] = {}
        i = 0
        while i < len(work):
            t, ground = work[i]
            i += 1
            if t.get_id() in done:
                continue
            done.add(t.get_id())
            if not ground:
                if z3.is_app(t) and t.decl().get_id() in self.by_decl:
                    under_binder = True
                continue
            if z3.is_store(t):
                stores_by_sort.setdefault(t.sort().sexpr(), []).append(t)
                for kind in ("card", "keys"):
                    ghost = self.made.get((kind, t.sort().sexpr()))
                    if ghost is not None:
                        work.append((ghost.decl(t), True))
                continue
            if not z3.is_app(t):
                continue
            ghost = self.by_decl.get(t.decl().get_id())
            if ghost is None:
                continue
            new = self._instance(ghost, t)
            out += new
            work.extend(_ground_subterms(new))
        return out, under_binder

    def _instance(self, ghost: _Ghost, t: z3.ExprRef) -> list[z3.BoolRef]:
        if ghost.kind == "in_range":
            return []  # defined by `always`
        arg = t.arg(0)
        if ghost.kind == "card":
            es = ghost.extra["elem"]
            facts = [t >= 0, (t == 0) == (arg == self._empty(es))]
            if z3.is_store(arg):
                s, x, b = arg.arg(0), arg.arg(1), arg.arg(2)
                facts.append(t == ghost.decl(s) + self._delta(s, x, b))
            return facts
        if ghost.kind == "keys":
            opt = ghost.extra["opt"]
            facts = self._keys_members(ghost, arg, quantify_map=False)
            if z3.is_store(arg):
                m, k, o = arg.arg(0), arg.arg(1), arg.arg(2)
                facts.append(t == z3.Store(ghost.decl(m), k, opt.is_some(o)))  # type: ignore
            elif z3.is_const_array(arg):
                facts.append(t == self._empty(ghost.extra["key"]))
            return facts
        return self._values_members(ghost, arg, quantify_map=False)


def _ground_subterms(formulas: Iterable[z3.ExprRef]) -> list[tuple[z3.ExprRef, bool]]:
    """Every subterm, with whether it is ground (no variable bound by an enclosing
    quantifier or lambda), in a deterministic order."""
    out: list[tuple[z3.ExprRef, bool]] = []
    seen: set[int] = set()
    memo: dict[int, int] = {}
    stack: list[z3.ExprRef] = list(reversed(list(formulas)))
    while stack:
        t = stack.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        if z3.is_var(t):
            continue
        if z3.is_quantifier(t):
            stack.append(t.body())
            continue
        out.append((t, _free_depth(t, memo) == 0))
        if z3.is_app(t):
            stack.extend(t.arg(j) for j in reversed(range(t.num_args())))
    return out


def _free_depth(t: z3.ExprRef, memo: dict[int, int]) -> int:
    """1 + the largest de Bruijn index of a variable free in `t` (0: `t` is ground)."""
    pending = [t]
    while pending:
        x = pending[-1]
        if x.get_id() in memo:
            pending.pop()
            continue
        kids = ([x.body()] if z3.is_quantifier(x)
                else [x.arg(j) for j in range(x.num_args())] if z3.is_app(x) else [])
        missing = [k for k in kids if k.get_id() not in memo]
        if missing:
            pending.extend(missing)
            continue
        pending.pop()
        if z3.is_var(x):
            memo[x.get_id()] = z3.get_var_index(x) + 1
        elif z3.is_quantifier(x):
            memo[x.get_id()] = max(0, memo[x.body().get_id()] - x.num_vars())
        else:
            memo[x.get_id()] = max((memo[k.get_id()] for k in kids), default=0)
    return memo[t.get_id()]


__all__ = ["Ghosts"]
