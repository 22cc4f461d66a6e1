"""Candidate post-states for feasibility: terms over the pre-state that probably satisfy an
operation's postcondition, read off its shape.

Feasibility asks, for every pre-state, for *some* post-state: a quantifier alternation z3 often
cannot settle directly. Most postconditions say what the new state is: `armed ==
old(armed)[hook := ...]`, perhaps under a condition on the pre-state (`old(x) > 0 ==> y ==
...`), or `capacity + 1 == old(capacity)`, or that a result is new (`f !in old(cells)`), or
what the Ebb's uninterpreted functions say of a new result (`deref(pos) == t`).
`find_witnesses` collects such definitions (an unknown isolated on one side of an equation,
under guards free of unknowns) and builds one candidate per unknown, `If(guard1, e1,
If(guard2, e2, default))`.

A result that must be new becomes a fresh constant assumed outside the collections it must
avoid (`fresh.f`), or a fresh multiple of `m` when it must also be divisible by `m > 0`.
Collections are finite and handles and integers never run out, so such a constant exists in
every pre-state. What an uninterpreted function (a spec's `func` without a body) gives for a
new handle is for the implementation to define, so a definition `deref(pos) == t` of a new
`pos` is assumed too (one definition per application). These `facts` are therefore
satisfiable in every pre-state; the candidate itself is only a guess, which the discharge
checks against the whole postcondition, so a wrong guess costs time, never soundness.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from ._ob_shapes import (existential, implication, is_below_length, mentions_read, other_than,
                         read_at, reduce, shifted)


@dataclass
class _Definition:
    unknown: int                # id of the unknown constant
    guards: list[z3.BoolRef]
    value: z3.ExprRef | None    # None: a fresh element (outside `outside`, a multiple of `step`)
    outside: list[tuple[z3.ExprRef, bool]] = field(default_factory=list)  # (collection, is_map)
    step: z3.ExprRef | None = None


@dataclass
class Witnesses:
    candidate: dict[int, z3.ExprRef] = field(default_factory=dict)  # id(unknown) -> term
    facts: list[z3.BoolRef] = field(default_factory=list)


def find_witnesses(goal: z3.BoolRef, unknowns: list[z3.ExprRef],
                   defaults: dict[int, z3.ExprRef], infinite: set[str],
                   user_functions: set[str]) -> list[Witnesses]:
    """Candidate post-states, each giving every unknown a term (its default when nothing
    defines it). The first follows the definitions; when the preconditions assert that
    something exists (`exists p in free: fits(p)`), a second takes that something for the
    unknowns of its sort that no equation defines. `infinite` holds the sexprs of sorts with
    an unbounded supply of values (handles, Int); `user_functions` the z3 names of the spec's
    uninterpreted functions."""
    ids = {u.get_id(): u for u in unknowns}
    free = _FreeCache(set(ids))
    scan = _Scan(ids, free, infinite, user_functions)
    scan.collect(goal, [])
    out = [_resolve(scan, ids, defaults, free, {})]
    refined = _refine_agreeing(goal, scan, ids, defaults, infinite, user_functions)
    if refined is not None:
        out.insert(0, refined)
    if scan.skolems:
        defined = {d.unknown for d in scan.found if d.value is not None}
        preset: dict[int, z3.ExprRef] = {}
        for u, x in ids.items():
            if u in defined:
                continue
            for guard, sk in scan.skolems:
                if sk.sort() == x.sort():
                    preset[u] = sk if z3.is_true(guard) else z3.If(guard, sk, defaults[u])
                    break
        if preset:
            out.append(_resolve(scan, ids, defaults, free, preset))
    for w in out:
        w.facts = [*scan.skolem_facts, *w.facts]
    return out


def _refine_agreeing(goal: z3.BoolRef, scan: "_Scan", ids: dict[int, z3.ExprRef],
                     defaults: dict[int, z3.ExprRef], infinite: set[str],
                     user_functions: set[str]) -> Witnesses | None:
    """For a map M said to agree with E except at c, and defined no other way: M := E with
    a new unknown value V at c; V is then found from what the goal says of M at c."""
    defined = {d.unknown for d in scan.found if d.value is not None}
    preset: dict[int, z3.ExprRef] = {}
    inner: list[z3.ExprRef] = []
    for m, e, c in scan.agree:
        if m in defined or m in preset:
            continue
        if c is None:
            preset[m] = e
            continue
        held = ids[m].sort().range()
        v = z3.Const(f"at.{ids[m]}!{len(inner)}", held.accessor(1, 0).range())
        inner.append(v)
        preset[m] = z3.Store(e, c, held.constructor(1)(v))
    if not preset:
        return None
    pairs = [(ids[u], t) for u, t in preset.items()]
    rest = [u for u in ids if u not in preset]
    narrowed = reduce(z3.substitute(goal, *pairs))
    unknowns = [ids[u] for u in rest] + inner
    inner_defaults = {**{u: defaults[u] for u in rest},
                      **{v.get_id(): z3.FreshConst(v.sort(), "any") for v in inner}}
    found = find_witnesses(narrowed, unknowns, inner_defaults, infinite, user_functions)[0]
    out = Witnesses(facts=list(found.facts))
    chosen = {v.get_id(): found.candidate[v.get_id()] for v in inner}
    for u, term in preset.items():
        out.candidate[u] = z3.substitute(term, *[(v, chosen[v.get_id()]) for v in inner])
    for u in rest:
        out.candidate[u] = found.candidate[u]
    return out


def _resolve(scan: "_Scan", ids: dict[int, z3.ExprRef], defaults: dict[int, z3.ExprRef],
             free: "_FreeCache", preset: dict[int, z3.ExprRef]) -> Witnesses:
    out = Witnesses()
    resolved: dict[int, z3.ExprRef] = dict(preset)
    progress, partial = True, False
    while progress or not partial:
        if not progress:
            partial = True  # stuck: settle for the definitions usable so far
        progress = False
        for u in ids:
            if u in resolved:
                continue
            defs = [d for d in scan.found if d.unknown == u]
            usable = [d for d in defs if (d.value is None or free.only(d.value, set(resolved)))
                      and all(free.only(g, set(resolved)) for g in d.guards)]
            if usable and len(usable) < len(defs) and not partial:
                continue  # wait until every definition of u can be used
            if not usable:
                if u in scan.fields and all(free.only(g, set(resolved))
                                            for gs, _, _ in scan.fields[u] for g in gs):
                    resolved[u] = _record(ids[u], scan.fields[u], defaults[u], resolved, ids)
                    progress = True
                continue
            term = defaults[u]
            for d in reversed(usable):
                value = d.value if d.value is not None else _fresh(ids[u], d, out, resolved, ids)
                value = _subst(value, resolved, ids)
                guard = _subst(_conj(d.guards, ids[u].ctx), resolved, ids)
                term = value if z3.is_true(guard) else z3.If(guard, value, term)
            resolved[u] = term
            progress = True
    for u in ids:
        out.candidate[u] = resolved.get(u, defaults[u])
    _function_facts(scan, out, resolved, ids, free)
    return out


def _fresh(unknown: z3.ExprRef, d: _Definition, out: Witnesses, resolved: dict[int, z3.ExprRef],
           ids: dict[int, z3.ExprRef]) -> z3.ExprRef:
    ctx = unknown.ctx
    if d.step is not None:
        n = z3.Int(f"fresh.{unknown}!n{len(out.facts)}", ctx)
        step = _subst(d.step, resolved, ids)
        value = step * n
        avoid = [z3.Not(_held(_subst(c, resolved, ids), value, is_map)) for c, is_map in d.outside]
        out.facts.append(z3.Implies(step > 0, z3.And(n >= 0, *avoid)))
        return value
    value = z3.Const(f"fresh.{unknown}!{len(out.facts)}", unknown.sort())
    for c, is_map in d.outside:
        out.facts.append(z3.Not(_held(_subst(c, resolved, ids), value, is_map)))
    return value


def _record(unknown: z3.ExprRef, fields: list[tuple[list[z3.BoolRef], z3.FuncDeclRef,
                                                     z3.ExprRef]],
            default: z3.ExprRef, resolved: dict[int, z3.ExprRef], ids: dict[int, z3.ExprRef]
            ) -> z3.ExprRef:
    """A record built field by field from what the postcondition says of its fields."""
    sort = unknown.sort()
    make = sort.constructor(0)
    parts = []
    for i in range(make.arity()):
        accessor = sort.accessor(0, i)
        value: z3.ExprRef = accessor(default)
        for guards, acc, v in reversed(fields):
            if acc.eq(accessor):
                guard = _subst(_conj(guards, unknown.ctx), resolved, ids)
                value = v if z3.is_true(guard) else z3.If(guard, v, value)
        parts.append(value)
    return make(*parts)


def _held(collection: z3.ExprRef, x: z3.ExprRef, is_map: bool) -> z3.BoolRef:
    at = collection[x]
    return at.sort().recognizer(1)(at) if is_map else at  # is_some, or set membership


class _Scan:
    """Walks a postcondition in positive position, under guards free of unknowns."""

    def __init__(self, ids: dict[int, z3.ExprRef], free: "_FreeCache", infinite: set[str],
                 user_functions: set[str]) -> None:
        self.ids, self.free, self.infinite, self.user = ids, free, infinite, user_functions
        self.found: list[_Definition] = []
        self.fresh: dict[int, _Definition] = {}
        self.function_atoms: list[tuple[list[z3.BoolRef], z3.ExprRef, z3.ExprRef]] = []
        self.fields: dict[int, list[tuple[list[z3.BoolRef], z3.FuncDeclRef, z3.ExprRef]]] = {}
        self.agree: list[tuple[int, z3.ExprRef, z3.ExprRef | None]] = []  # (M, E, except at)
        self.skolems: list[tuple[z3.BoolRef, z3.ExprRef]] = []  # (when it exists, its name)
        self.skolem_facts: list[z3.BoolRef] = []

    def collect(self, f: z3.ExprRef, guards: list[z3.BoolRef]) -> None:
        if z3.is_and(f):
            for i in range(f.num_args()):
                self.collect(f.arg(i), guards)
        elif z3.is_implies(f) and self.free.none(f.arg(0)):
            self._skolemize(f.arg(0), guards)
            self.collect(f.arg(1), [*guards, f.arg(0)])
        elif z3.is_app_of(f, z3.Z3_OP_ITE) and z3.is_bool(f) and self.free.none(f.arg(0)):
            self._skolemize(f.arg(0), guards)
            self._skolemize(z3.Not(f.arg(0)), guards)
            self.collect(f.arg(1), [*guards, f.arg(0)])
            self.collect(f.arg(2), [*guards, z3.Not(f.arg(0))])
        elif z3.is_quantifier(f) and f.is_forall() and f.num_vars() == 1:
            self._forall(f, guards)
        elif z3.is_eq(f):
            self._equation(f.arg(0), f.arg(1), guards)
        elif z3.is_not(f):
            if f.arg(0).get_id() in self.ids:  # `!inserted`
                self.found.append(_Definition(f.arg(0).get_id(), guards, z3.BoolVal(False, f.ctx)))
                return
            self._outside(f.arg(0), guards)
            self._function_atom(f.arg(0), z3.BoolVal(False, f.ctx), guards)
        elif f.get_id() in self.ids:  # a boolean result said to hold
            self.found.append(_Definition(f.get_id(), guards, z3.BoolVal(True, f.ctx)))
        elif z3.is_bool(f) and z3.is_app(f):
            if not self._inside(f, guards):
                self._function_atom(f, z3.BoolVal(True, f.ctx), guards)

    def _inside(self, held: z3.ExprRef, guards: list[z3.BoolRef]) -> bool:
        """`C[x]` (set) or `is_some(C[x])` (map) for an unknown x: x is some member of C,
        named by a constant with the fact `C is not empty ==> C[it]`."""
        is_map = False
        if (z3.is_app(held) and held.num_args() == 1 and held.decl().kind() == z3.Z3_OP_DT_IS
                and z3.is_select(held.arg(0))):
            held, is_map = held.arg(0), True
        if not z3.is_select(held) or held.num_args() != 2:
            return False
        collection, x = held.arg(0), held.arg(1)
        if x.get_id() not in self.ids or not self.free.none(collection):
            return False
        pick = z3.Const(f"pick.{x}!{len(self.skolem_facts)}", x.sort())
        empty = z3.K(x.sort(), collection.sort().range().constructor(0)() if is_map
                     else z3.BoolVal(False, x.ctx))
        self.skolem_facts.append(z3.Implies(collection != empty, _held(collection, pick, is_map)))
        self.found.append(_Definition(x.get_id(), guards, pick))
        return True

    def _forall(self, f: z3.QuantifierRef, guards: list[z3.BoolRef]) -> None:
        """Two pointwise shapes that define a collection:
        `forall d in M: d != c ==> M[d] == E[d]` (M is E except, perhaps, at c), and
        `forall i in indices(X): X[i] == Y[i + k]` (X is Y without its first k elements)."""
        x = z3.Const(f"at!{len(self.agree)}", f.var_sort(0))
        body = z3.substitute_vars(f.body(), x)
        premises, conclusion = implication(body)
        if not z3.is_eq(conclusion):
            return
        left, right = conclusion.arg(0), conclusion.arg(1)
        for a, b in ((left, right), (right, left)):
            m, e = read_at(a, x), read_at(b, x)
            if m is not None and e is not None and m.get_id() in self.ids and \
                    self.free.none(e) and z3.is_array(m):
                others = [p for p in premises if not mentions_read(p, m, x)]
                except_at = [c for c in (other_than(p, x) for p in others) if c is not None]
                if len(others) == len(except_at) and len(except_at) <= 1 and \
                        all(self.free.none(c) for c in except_at):
                    self.agree.append((m.get_id(), e, except_at[0] if except_at else None))
                    return
            shift = shifted(a, b, x)
            if shift is not None and shift[0].get_id() in self.ids and \
                    self.free.none(shift[1]) and any(is_below_length(p, x, shift[0])
                                                     for p in premises):
                seq, source, k = shift
                value = z3.SubSeq(source, k, z3.Length(source) - k)
                self.found.append(_Definition(seq.get_id(), guards, value))
                return

    def _skolemize(self, guard: z3.BoolRef, outer: list[z3.BoolRef]) -> None:
        """A guard saying something exists (`exists p in C: P`, or the negation of a
        `forall`) names it: a constant with the fact `outer and guard ==> P(it)`."""
        g = guard
        positive = True
        side: list[z3.BoolRef] = []  # `not (d and not exists ...)`: with d, it exists
        while True:
            if z3.is_not(g):
                g, positive = g.arg(0), not positive
            elif z3.is_and(g) and not positive:
                found = [g.arg(i) for i in range(g.num_args()) if existential(g.arg(i), False)]
                if len(found) != 1:
                    return
                side += [g.arg(i) for i in range(g.num_args()) if not g.arg(i).eq(found[0])]
                g = found[0]
            else:
                break
        if not (z3.is_quantifier(g) and not g.is_lambda() and g.num_vars() == 1):
            return
        if g.is_forall() == positive:
            return  # a forall, or the negation of an exists: nothing is said to exist
        n = len(self.skolems)
        sk = z3.Const(f"some.{g.var_name(0)}!{n}", g.var_sort(0))
        body = z3.substitute_vars(g.body(), sk)
        if not positive:
            body = z3.Not(body)
        whole = _conj([*outer, guard, *side], guard.ctx)
        self.skolems.append((whole, sk))
        self.skolem_facts.append(z3.Implies(whole, body))

    def _equation(self, a: z3.ExprRef, b: z3.ExprRef, guards: list[z3.BoolRef]) -> None:
        for x, e in ((a, b), (b, a)):
            solved = _isolate(x, e, self.ids, self.free)
            if solved is not None:
                self.found.append(_Definition(solved[0], guards, solved[1]))
                return
        for x, e in ((a, b), (b, a)):
            if self._function_atom(x, e, guards):
                return
        if z3.is_app_of(a, z3.Z3_OP_MOD) and z3.is_int_value(b) and b.as_long() == 0:
            self._multiple(a.arg(0), a.arg(1))

    def _function_atom(self, app: z3.ExprRef, value: z3.ExprRef, guards: list[z3.BoolRef]
                       ) -> bool:
        """`f(.., u, ..) == value` for an uninterpreted function of the spec, or `r.f ==
        value` for a field of an unknown record."""
        if (z3.is_app(app) and app.num_args() == 1 and app.decl().kind() == z3.Z3_OP_DT_ACCESSOR
                and app.arg(0).get_id() in self.ids and self.free.none(value)):
            self.fields.setdefault(app.arg(0).get_id(), []).append((guards, app.decl(), value))
            return True
        if not (z3.is_app(app) and app.decl().name() in self.user and app.num_args()):
            return False
        if self.free.none(app) or not self.free.none(value):
            return False
        self.function_atoms.append((guards, app, value))
        return True

    def _fresh_def(self, u: int) -> _Definition:
        d = self.fresh.get(u)
        if d is None:
            d = self.fresh[u] = _Definition(u, [], None)
            self.found.append(d)
        return d

    def _outside(self, held: z3.ExprRef, guards: list[z3.BoolRef]) -> None:
        """`not C[x]` (set) or `not is_some(C[x])` (map), x an unknown of an infinite sort."""
        is_map = False
        if (z3.is_app(held) and held.num_args() == 1 and held.decl().kind() == z3.Z3_OP_DT_IS
                and z3.is_select(held.arg(0))):
            held, is_map = held.arg(0), True
        if not z3.is_select(held) or held.num_args() != 2 or guards:
            return
        collection, x = held.arg(0), held.arg(1)
        if x.get_id() in self.ids and x.sort().sexpr() in self.infinite and \
                self.free.none(collection):
            self._fresh_def(x.get_id()).outside.append((collection, is_map))

    def _multiple(self, x: z3.ExprRef, m: z3.ExprRef) -> None:
        if x.get_id() in self.ids and self.free.none(m) and z3.is_int(x):
            self._fresh_def(x.get_id()).step = m


def _isolate(x: z3.ExprRef, e: z3.ExprRef, ids: dict[int, z3.ExprRef], free: "_FreeCache"
             ) -> tuple[int, z3.ExprRef] | None:
    """Solve `x == e` for an unknown occurring once in `x`, linearly (`u + a == e`); `e` may
    mention other unknowns (they are resolved first), but not this one."""
    while True:
        if x.get_id() in ids:
            return (x.get_id(), e) if x.get_id() not in free.of(e) else None
        if free.of(e) & free.of(x):
            return None
        if z3.is_add(x) and x.num_args() >= 2:
            holders = [i for i in range(x.num_args()) if free.of(x.arg(i))]
            if len(holders) != 1:
                return None
            rest = [x.arg(i) for i in range(x.num_args()) if i != holders[0]]
            e = e - z3.Sum(*rest) if len(rest) > 1 else e - rest[0]
            x = x.arg(holders[0])
        elif z3.is_sub(x) and x.num_args() == 2:
            left, right = x.arg(0), x.arg(1)
            if free.of(left) and not free.of(right):
                x, e = left, e + right
            elif free.of(right) and not free.of(left):
                x, e = right, left - e
            else:
                return None
        else:
            return None


def _function_facts(scan: _Scan, out: Witnesses, resolved: dict[int, z3.ExprRef],
                    ids: dict[int, z3.ExprRef], free: "_FreeCache") -> None:
    """Define each uninterpreted function at the fresh values chosen for new results: one
    definition per application (the first said), guarded as in the postcondition."""
    fresh_ids = {u for u, d in scan.fresh.items() if u in resolved}
    by_app: dict[str, list[tuple[z3.BoolRef, z3.ExprRef, z3.ExprRef]]] = {}
    order: list[str] = []
    for guards, app, value in scan.function_atoms:
        if not free.of(app) <= fresh_ids or any(free.of(g) for g in guards):
            continue
        term = _subst(app, resolved, ids)
        key = term.sexpr()
        if key not in by_app:
            by_app[key] = []
            order.append(key)
        by_app[key].append((_conj(guards, app.ctx), term, value))
    for key in order:
        entries = by_app[key]
        term = entries[0][1]
        defined: z3.ExprRef = term  # where no guard holds: unconstrained
        for guard, _, value in reversed(entries):
            defined = value if z3.is_true(guard) else z3.If(guard, value, defined)
        out.facts.append(term == defined)


def _conj(guards: list[z3.BoolRef], ctx: z3.Context) -> z3.BoolRef:
    if not guards:
        return z3.BoolVal(True, ctx)
    return guards[0] if len(guards) == 1 else z3.And(*guards)


def _subst(term: z3.ExprRef, resolved: dict[int, z3.ExprRef],
           ids: dict[int, z3.ExprRef]) -> z3.ExprRef:
    pairs = [(ids[u], t) for u, t in resolved.items()]
    return z3.substitute(term, *pairs) if pairs else term


class _FreeCache:
    """Which unknowns occur in a term (memoised by term id)."""

    def __init__(self, unknowns: set[int]) -> None:
        self.unknowns = unknowns
        self.memo: dict[int, frozenset[int]] = {}

    def of(self, term: z3.ExprRef) -> frozenset[int]:
        pending = [term]
        while pending:
            x = pending[-1]
            if x.get_id() in self.memo:
                pending.pop()
                continue
            kids = ([x.body()] if z3.is_quantifier(x)
                    else [x.arg(i) for i in range(x.num_args())] if z3.is_app(x) else [])
            missing = [k for k in kids if k.get_id() not in self.memo]
            if missing and x.get_id() not in self.unknowns:
                pending.extend(missing)
                continue
            pending.pop()
            if x.get_id() in self.unknowns:
                self.memo[x.get_id()] = frozenset({x.get_id()})
            else:
                acc: frozenset[int] = frozenset()
                for k in kids:
                    acc |= self.memo[k.get_id()]
                self.memo[x.get_id()] = acc
        return self.memo[term.get_id()]

    def none(self, term: z3.ExprRef) -> bool:
        return not self.of(term)

    def only(self, term: z3.ExprRef, allowed: set[int]) -> bool:
        return self.of(term) <= allowed


__all__ = ["Witnesses", "find_witnesses"]
