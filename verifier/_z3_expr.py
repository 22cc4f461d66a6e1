"""Checked spec expressions as z3 terms, with the language's exact semantics.

Usage (this is how the differential test and the obligations use it)::

    from ebbrt.spec import check_text
    from ebbrt.verifier import ExprEncoder, Env

    result = check_text("func probe(x: int, s: set<int>) -> bool = 0 <= x <= 10 && x in s")
    fn = result.checked.modules["<input>"].funcs["probe"]
    enc = ExprEncoder(result.checked)                 # a fresh z3 context of its own
    x, s = (enc.var(p.name, p.type) for p in fn.params)
    term = enc.encode(fn.decl.body, Env({"x": x, "s": s}))   # names (or VarSymbols) -> terms
    bound = [x == enc.literal(-3, fn.params[0].type),
             s == enc.literal(frozenset({-3}), fn.params[1].type)]
    solver = enc.solver(*bound)      # seeded; with what the ghost functions (size...) need
    solver.check(); value = enc.decode(term, fn.result, solver.model())   # -> False

`Env(values, old=None, type_args={})`: `values` maps each free name to its term in the state the
expression is read in (keys are `VarSymbol`s or plain names; a symbol wins over a name);
`old` maps model fields to their pre-state terms for `old(...)`; `type_args` instantiates type
parameters (a refinement reads `A`'s `K` as `B`'s). Bound names (quantifiers) and the
parameters of inlined functions are handled inside.

Semantics kept exactly (the differential test checks them against the Python reference):
comparison chains evaluate each operand once and mean the conjunction of neighbours; integer
`/` and `%` truncate toward zero (C++), reduced to z3's Euclidean `div`/`mod` by case on signs;
uN arithmetic wraps modulo 2^N; `m[k := v]` adds or replaces; quantifiers range over the
collection's members only (set members, map keys, seq elements) and carry a trigger on the
membership test. Partial expressions (`m[k]` for an absent key, `x / 0`, `s[i]` out of range,
`o.value` of `none`) get an unspecified value; the spec must guard them.

What cannot be encoded raises `Unsupported(construct, span)`; the obligation is then SKIPPED.
"""

from __future__ import annotations

import ast as pyast
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

import z3

from ..spec import ast as A
from ..spec._operators import kind
from ..spec._symbols import EnumSymbol, FuncSymbol, VarSymbol
from ..spec._typecheck import Checked
from ..spec._types import (BitVecType, BytesType, MapType, OptionType, RecordType, SeqType,
                           SetType, Type, TypeParam, is_nonnegative, substitute)
from ..spec._span import NO_SPAN
from ._z3_calls import CallRules
from ._z3_quant import QuantifierRules
from ._z3_sorts import Sorts, Unsupported

SMALL_RANGE = 64  # pow2(n) for n of a range this small is a table


@dataclass(frozen=True)
class Env:
    """Free names to z3 terms: `values` in the current state, `old` (model fields) before."""
    values: Mapping[object, z3.ExprRef] = field(default_factory=dict)
    old: Mapping[object, z3.ExprRef] | None = None
    type_args: Mapping[TypeParam, Type] = field(default_factory=dict)

    def lookup(self, var: VarSymbol, in_old: bool) -> z3.ExprRef | None:
        table = self.old if in_old and var.kind == "model" else self.values
        if table is None:
            return None
        found = table.get(var)
        return found if found is not None else table.get(var.name)


@dataclass(frozen=True)
class _Frame:
    env: Env
    in_old: bool = False
    local: Mapping[int, z3.ExprRef] = field(default_factory=dict)  # id(VarSymbol) -> term
    subst: Mapping[TypeParam, Type] = field(default_factory=dict)
    inlining: tuple[FuncSymbol, ...] = ()

    def bind(self, var: object, term: z3.ExprRef) -> "_Frame":
        return replace(self, local={**self.local, id(var): term})


def uses_wraparound(checked: Checked, roots: list[object] | None = None) -> bool:
    """Whether uN arithmetic occurs in `roots` (default: every checked file): the prover then
    encodes uN as bitvectors, else as bounded integers (both exact)."""
    nodes = roots if roots is not None else [m.module for m in checked.modules.values()]
    for root in nodes:
        for node in walk(root):
            if isinstance(node, (A.Binary, A.Unary)) and node.op != "!":
                t = checked.types.get(id(node))
                if isinstance(t, BitVecType):
                    return True
    return False


def walk(node: object):
    """Every AST node below `node` (itself included), in source order."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        kids: list[object] = []
        fields = getattr(n, "__dataclass_fields__", None)
        if fields is None:
            continue
        for name in fields:
            if name == "span":
                continue
            value = getattr(n, name)
            if isinstance(value, tuple):
                kids.extend(v for v in value if hasattr(v, "__dataclass_fields__"))
            elif hasattr(value, "__dataclass_fields__"):
                kids.append(value)
        stack.extend(reversed(kids))


class ExprEncoder(CallRules, QuantifierRules):
    """Encodes checked expressions into one z3 context (fresh unless `ctx` is given)."""

    def __init__(self, checked: Checked, ctx: z3.Context | None = None,
                 bitvectors: bool | None = None) -> None:
        self.checked = checked
        self.ctx = ctx if ctx is not None else z3.Context()
        if bitvectors is None:
            bitvectors = uses_wraparound(checked)
        self.sorts = Sorts(self.ctx, bitvectors)
        self._pow2_fn: z3.FuncDeclRef | None = None
        self._binders: dict[int, tuple[A.Quantifier, int]] = {}  # id(Binding) -> where
        self._pow2_tables: dict[tuple[int, int], z3.FuncDeclRef] = {}
        self._table_bodies: dict[str, tuple[int, int]] = {}  # table name -> its range

    # ------------------------------------------------------------------ public helpers
    @property
    def background(self) -> list[z3.BoolRef]:
        """Axioms of the ghost functions used so far (add them to any solver)."""
        if self.sorts._ghosts is None:
            return []
        return [*self.sorts.ghosts.always(), *self.sorts.ghosts.quantified()]

    def var(self, name: str, t: Type) -> z3.ExprRef:
        """A z3 constant named `name` of type `t`'s sort."""
        return z3.Const(name, self.sorts.sort(t))

    def wf(self, term: z3.ExprRef, t: Type) -> z3.BoolRef:
        """The range constraints every value of type `t` satisfies."""
        return self.sorts.wf(term, t)

    def solver(self, *formulas: z3.BoolRef) -> z3.Solver:
        """A seeded solver in this context. Without `formulas`, it holds the background
        axioms in their quantified form (good for proofs: is `term != value` unsatisfiable?).
        Given the formulas to check, it holds them with the ground instances of the axioms
        they need instead (good for models too; see `_z3_ghost`)."""
        s = z3.Solver(ctx=self.ctx)
        s.set("random_seed", 0)
        if not formulas:
            s.add(*self.background)
            return s
        if self.sorts._ghosts is not None:
            ground, under_binder = self.sorts.ghosts.instances(formulas)
            s.add(*self.sorts.ghosts.always(), *ground)
            if under_binder:
                s.add(*self.sorts.ghosts.quantified())
        s.add(*formulas)
        return s

    def literal(self, value: Any, t: Type) -> z3.ExprRef:
        """A Python value (see `_values`) of type `t` as a z3 term."""
        from ._z3_decode import literal
        return literal(self, value, t)

    def decode(self, term: z3.ExprRef, t: Type, model: z3.ModelRef,
               display: bool = False) -> Any:
        """The Python value (see `_values`) of `term` in `model`; times and durations are
        plain nanoseconds unless `display` wraps them (to print with a unit)."""
        from ._z3_decode import Decoder
        return Decoder(self, model).value(term, t, display)

    def type_of(self, e: A.Expr, env: Env | None = None) -> Type:
        t = self.checked.type_of(e)
        return substitute(t, env.type_args) if env is not None and env.type_args else t

    def encode(self, e: A.Expr, env: Env) -> z3.ExprRef:
        """`e` as a z3 term; raises `Unsupported` for what the encoding cannot express."""
        return self._enc(e, _Frame(env, subst=dict(env.type_args)))

    def defined(self, e: A.Expr, env: Env) -> z3.BoolRef:
        """Where `e` has a value (see `_z3_defined`)."""
        from ._z3_defined import Definedness
        try:
            return Definedness(self).of(e, _Frame(env, subst=dict(env.type_args)))
        except z3.Z3Exception as exc:
            raise Unsupported(f"an expression z3 rejected ({exc})", e.span) from exc

    def holds(self, e: A.Expr, env: Env) -> z3.BoolRef:
        """The condition `e`, read strictly: defined and true."""
        term = self.encode(e, env)
        d = self.defined(e, env)
        return term if z3.is_true(d) else z3.And(d, term)

    # ------------------------------------------------------------------ dispatch
    def _enc(self, e: A.Expr, f: _Frame) -> z3.ExprRef:
        rule = _RULES.get(type(e))
        if rule is None:
            raise Unsupported(f"the expression form `{type(e).__name__}`", e.span)
        try:
            return rule(self, e, f)
        except z3.Z3Exception as exc:
            raise Unsupported(f"an expression z3 rejected ({exc})", e.span) from exc

    def _type(self, e: A.Expr, f: _Frame) -> Type:
        try:
            t = self.checked.type_of(e)
        except KeyError:
            raise Unsupported("an expression the checker gave no type", e.span) from None
        return substitute(t, f.subst) if f.subst else t

    def _sort(self, t: Type, e: A.Expr) -> z3.SortRef:
        try:
            return self.sorts.sort(t)
        except Unsupported as exc:
            raise Unsupported(exc.construct, e.span) from None

    # ------------------------------------------------------------------ names and literals
    def _name(self, e: A.Name, f: _Frame) -> z3.ExprRef:
        var = self.checked.ref(e)
        if not isinstance(var, VarSymbol):
            raise Unsupported(f"the name `{e.id}` as a value", e.span)
        local = f.local.get(id(var))
        if local is not None:
            return local
        found = f.env.lookup(var, f.in_old)
        if found is None:
            where = "in the pre-state (old)" if f.in_old and var.kind == "model" else ""
            raise Unsupported(f"the unbound name `{e.id}` {where}".strip(), e.span)
        return found

    def _int(self, e: A.IntLit, f: _Frame) -> z3.ExprRef:
        return self.number(e.value, self._type(e, f), e)

    def number(self, value: int, t: Type, e: A.Expr | None = None) -> z3.ExprRef:
        if isinstance(t, BitVecType) and self.sorts.bitvectors:
            return z3.BitVecVal(value % 2 ** t.width, t.width, self.ctx)
        return z3.IntVal(value, self.ctx)

    def _duration(self, e: A.DurationLit, f: _Frame) -> z3.ExprRef:
        return z3.IntVal(e.nanoseconds, self.ctx)

    def _bool(self, e: A.BoolLit, f: _Frame) -> z3.ExprRef:
        return z3.BoolVal(e.value, self.ctx)

    def _bytes(self, e: A.BytesLit, f: _Frame) -> z3.ExprRef:
        return self.byte_string(decode_bytes_literal(e.text))

    def byte_string(self, data: bytes) -> z3.ExprRef:
        if not data:
            return z3.Empty(z3.SeqSort(z3.BitVecSort(8, self.ctx)))
        units = [z3.Unit(z3.BitVecVal(b, 8, self.ctx)) for b in data]
        return units[0] if len(units) == 1 else z3.Concat(*units)

    def _none(self, e: A.NoneLit, f: _Frame) -> z3.ExprRef:
        t = self._type(e, f)
        if not isinstance(t, OptionType):
            raise Unsupported("`none` whose option type is unknown", e.span)
        self._sort(t, e)
        return self.sorts.option(t.elem).none

    def _old(self, e: A.Old, f: _Frame) -> z3.ExprRef:
        if f.env.old is None:
            raise Unsupported("old(...) where there is no pre-state", e.span)
        return self._enc(e.expr, replace(f, in_old=True))

    # ------------------------------------------------------------------ collections
    def _empty(self, e: A.EmptyLit, f: _Frame) -> z3.ExprRef:
        t = self._type(e, f)
        if isinstance(t, SetType):
            return self.empty_set(t)
        if isinstance(t, MapType):
            return self.empty_map(t)
        raise Unsupported("`{}` whose type (set or map) is unknown", e.span)

    def empty_set(self, t: SetType) -> z3.ExprRef:
        return z3.K(self.sorts.sort(t.elem), z3.BoolVal(False, self.ctx))

    def empty_map(self, t: MapType) -> z3.ExprRef:
        return z3.K(self.sorts.sort(t.key), self.sorts.option(t.value).none)

    def _set(self, e: A.SetLit, f: _Frame) -> z3.ExprRef:
        t = self._type(e, f)
        if not isinstance(t, SetType):
            raise Unsupported("a set literal of unknown type", e.span)
        self._sort(t, e)
        out = self.empty_set(t)
        for x in e.elems:
            out = z3.Store(out, self._enc(x, f), True)
        return out

    def _map(self, e: A.MapLit, f: _Frame) -> z3.ExprRef:
        t = self._type(e, f)
        if not isinstance(t, MapType):
            raise Unsupported("a map literal of unknown type", e.span)
        self._sort(t, e)
        opt = self.sorts.option(t.value)
        out = self.empty_map(t)
        for entry in e.entries:
            out = z3.Store(out, self._enc(entry.key, f), opt.some(self._enc(entry.value, f)))
        return out

    def _seq(self, e: A.SeqLit, f: _Frame) -> z3.ExprRef:
        t = self._type(e, f)
        if not isinstance(t, SeqType):
            raise Unsupported("a sequence literal of unknown type", e.span)
        sort = self._sort(t, e)
        if not e.elems:
            return z3.Empty(sort)
        units = [z3.Unit(self._enc(x, f)) for x in e.elems]
        return units[0] if len(units) == 1 else z3.Concat(*units)

    # ------------------------------------------------------------------ access
    def _field(self, e: A.FieldAccess, f: _Frame) -> z3.ExprRef:
        ref = self.checked.ref(e)
        if isinstance(ref, EnumSymbol):
            return self.enum_member(ref, e.field.text, e)
        obj_t = self._type(e.obj, f)
        obj = self._enc(e.obj, f)
        if isinstance(obj_t, RecordType):
            rec = self.sorts.record(obj_t)
            return rec.fields[e.field.text](obj)
        if isinstance(obj_t, OptionType) and e.field.text == "value":
            return self.sorts.option(obj_t.elem).value(obj)
        raise Unsupported(f"the field `.{e.field.text}` of `{obj_t}`", e.span)

    def enum_member(self, enum: EnumSymbol, member: str, e: A.Expr | None = None) -> z3.ExprRef:
        from ..spec._types import EnumType
        return self.sorts.enum(EnumType(enum)).members[member]

    def _record(self, e: A.RecordLit, f: _Frame) -> z3.ExprRef:
        t = self._type(e, f)
        if not isinstance(t, RecordType):
            raise Unsupported("a record literal of unknown type", e.span)
        self._sort(t, e)
        rec = self.sorts.record(t)
        given = {init.name.text: init.value for init in e.fields}
        return rec.make(*[self._enc(given[name], f) for name in rec.fields])

    def _index(self, e: A.Index, f: _Frame) -> z3.ExprRef:
        t = self._type(e.obj, f)
        obj, key = self._enc(e.obj, f), self._enc(e.index, f)
        if isinstance(t, MapType):
            return self.sorts.option(t.value).value(obj[key])
        if isinstance(t, SeqType):
            return obj[self._as_int(key)]
        if isinstance(t, BytesType):  # a u8: a bitvector, or its value when u8 is an Int
            byte = obj[self._as_int(key)]
            return byte if self.sorts.bitvectors else z3.BV2Int(byte)
        raise Unsupported(f"indexing a `{t}`", e.span)

    def _update(self, e: A.Update, f: _Frame) -> z3.ExprRef:
        t = self._type(e.obj, f)
        obj, key, value = self._enc(e.obj, f), self._enc(e.key, f), self._enc(e.value, f)
        if isinstance(t, MapType):
            return z3.Store(obj, key, self.sorts.option(t.value).some(value))
        if isinstance(t, SeqType):
            i = self._as_int(key)
            return z3.Concat(z3.SubSeq(obj, 0, i), z3.Unit(value),
                             z3.SubSeq(obj, i + 1, z3.Length(obj) - i - 1))
        raise Unsupported(f"updating a `{t}`", e.span)

    def _as_int(self, term: z3.ExprRef) -> z3.ArithRef:
        return z3.BV2Int(term) if z3.is_bv(term) else term  # type: ignore[return-value]

    # ------------------------------------------------------------------ operators
    def _unary(self, e: A.Unary, f: _Frame) -> z3.ExprRef:
        x = self._enc(e.operand, f)
        if e.op == "!":
            return z3.Not(x)
        t = self._type(e, f)
        if isinstance(t, BitVecType) and not self.sorts.bitvectors:
            return (-x) % (2 ** t.width)
        return -x

    def _binary(self, e: A.Binary, f: _Frame) -> z3.ExprRef:
        if e.op in _LOGIC:
            return _LOGIC[e.op](self._enc(e.left, f), self._enc(e.right, f))
        lt, rt = self._type(e.left, f), self._type(e.right, f)
        rule = _ARITH.get((e.op, kind(lt), kind(rt)))
        if rule is None:
            raise Unsupported(f"`{e.op}` on `{lt}` and `{rt}`", e.span)
        return rule(self, e, f, lt, rt)

    def _int_arith(self, e: A.Binary, f: _Frame, lt: Type, rt: Type) -> z3.ExprRef:
        a, b = self._enc(e.left, f), self._enc(e.right, f)
        if e.op in "/%":
            return self.divide(e.op, a, b, is_nonnegative(lt))
        return _PLAIN[e.op](a, b)

    def divide(self, op: str, a: z3.ArithRef, b: z3.ArithRef,
               nonnegative_dividend: bool = False) -> z3.ArithRef:
        """C++ division: the quotient truncates toward zero, the remainder has a's sign.
        z3's div/mod are Euclidean; they agree when a >= 0. A divisor chosen among constants
        (`x % pow2(order)` for a small range) is split into cases, each linear."""
        if z3.is_app_of(b, z3.Z3_OP_ITE):
            return z3.If(b.arg(0), self.divide(op, a, b.arg(1), nonnegative_dividend),
                         self.divide(op, a, b.arg(2), nonnegative_dividend))
        if z3.is_app(b) and b.num_args() == 1 and b.decl().name() in self._table_bodies:
            low, high = self._table_bodies[b.decl().name()]  # `x % pow2(order)`: by cases
            n = b.arg(0)
            out = self.divide(op, a, self.sorts.function(
                "pow2!", [z3.IntSort(self.ctx)], z3.IntSort(self.ctx), user=False)(n),
                nonnegative_dividend)
            for k in range(high, low - 1, -1):
                out = z3.If(n == k, self.divide(op, a, z3.IntVal(2 ** k, self.ctx),
                                                nonnegative_dividend), out)
            return out
        if op == "/":
            return a / b if nonnegative_dividend else z3.If(a >= 0, a / b, -((-a) / b))
        return a % b if nonnegative_dividend else z3.If(a >= 0, a % b, -((-a) % b))

    def _word_arith(self, e: A.Binary, f: _Frame, lt: Type, rt: Type) -> z3.ExprRef:
        a, b = self._enc(e.left, f), self._enc(e.right, f)
        assert isinstance(lt, BitVecType)
        width = lt.width
        if self.sorts.bitvectors:
            return _WORD_BV[e.op](a, b)
        if e.op in "|^&":
            ba, bb = z3.Int2BV(a, width), z3.Int2BV(b, width)
            return z3.BV2Int(_WORD_BV[e.op](ba, bb))
        if e.op in "/%":
            return a / b if e.op == "/" else a % b  # both non-negative: Euclidean == C++
        return _PLAIN[e.op](a, b) % (2 ** width)

    def _set_arith(self, e: A.Binary, f: _Frame, lt: Type, rt: Type) -> z3.ExprRef:
        a = self._enc(e.left, f)
        if isinstance(e.right, A.SetLit) and e.op in "+-":
            for x in e.right.elems:  # `s + {x}` as an insert: the ghost size follows it
                a = z3.Store(a, self._enc(x, f), e.op == "+")
            return a
        b = self._enc(e.right, f)
        return {"+": z3.SetUnion, "-": z3.SetDifference, "&": z3.SetIntersect}[e.op](a, b)

    def _map_minus(self, e: A.Binary, f: _Frame, lt: Type, rt: Type) -> z3.ExprRef:
        assert isinstance(lt, MapType)
        m = self._enc(e.left, f)
        none = self.sorts.option(lt.value).none
        if isinstance(e.right, A.SetLit):
            for x in e.right.elems:
                m = z3.Store(m, self._enc(x, f), none)
            return m
        s = self._enc(e.right, f)
        k = self.sorts.bound("k", self.sorts.sort(lt.key))
        return z3.Lambda([k], z3.If(s[k], none, m[k]))

    def _concat(self, e: A.Binary, f: _Frame, lt: Type, rt: Type) -> z3.ExprRef:
        return z3.Concat(self._enc(e.left, f), self._enc(e.right, f))

    def _time_arith(self, e: A.Binary, f: _Frame, lt: Type, rt: Type) -> z3.ExprRef:
        a, b = self._enc(e.left, f), self._enc(e.right, f)
        if e.op in "/%":
            return self.divide(e.op, a, b)
        return _PLAIN[e.op](a, b)

    def _compare(self, e: A.Compare, f: _Frame) -> z3.ExprRef:
        terms = [self._enc(x, f) for x in e.operands]  # each operand encoded (evaluated) once
        types = [self._type(x, f) for x in e.operands]
        parts = [self.compare(op, terms[i], terms[i + 1], types[i], types[i + 1], e)
                 for i, op in enumerate(e.ops)]
        return parts[0] if len(parts) == 1 else z3.And(*parts)

    def compare(self, op: str, a: z3.ExprRef, b: z3.ExprRef, lt: Type, rt: Type,
                e: A.Expr | None = None) -> z3.BoolRef:
        if op == "==":
            return a == b
        if op == "!=":
            return a != b
        if op in ("in", "!in"):
            inside = self.member(a, b, rt, e)
            return inside if op == "in" else z3.Not(inside)
        if isinstance(lt, SetType):
            sub = {"<=": lambda: z3.IsSubset(a, b), ">=": lambda: z3.IsSubset(b, a),
                   "<": lambda: z3.And(z3.IsSubset(a, b), a != b),
                   ">": lambda: z3.And(z3.IsSubset(b, a), a != b)}
            return sub[op]()
        if z3.is_bv(a):
            return {"<": z3.ULT, "<=": z3.ULE, ">": z3.UGT, ">=": z3.UGE}[op](a, b)
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]

    def member(self, x: z3.ExprRef, c: z3.ExprRef, t: Type, e: A.Expr | None = None
               ) -> z3.BoolRef:
        if isinstance(t, SetType):
            if z3.is_quantifier(c) and c.is_lambda() and c.num_vars() == 1:
                return z3.substitute_vars(c.body(), x)  # `x in range(a, b)`: a trigger
            return c[x]
        if isinstance(t, MapType):
            return self.sorts.option(t.value).is_some(c[x])
        if isinstance(t, SeqType):
            return z3.Contains(c, z3.Unit(x))
        raise Unsupported(f"membership in a `{t}`", e.span if e is not None else NO_SPAN)

    def _conditional(self, e: A.Conditional, f: _Frame) -> z3.ExprRef:
        return z3.If(self._enc(e.cond, f), self._enc(e.then, f), self._enc(e.otherwise, f))

def decode_bytes_literal(text: str) -> bytes:
    """The bytes a literal `b"..."` denotes (escapes as in the language reference)."""
    body = text[2:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if nxt == "x":
            out.append(int(body[i + 2:i + 4], 16))
            i += 4
        elif nxt == "u":
            out += chr(int(body[i + 2:i + 6], 16)).encode("utf-8")
            i += 6
        else:
            out += {"n": b"\n", "t": b"\t", "\\": b"\\", '"': b'"'}.get(
                nxt, pyast.literal_eval(f"'\\{nxt}'").encode("utf-8") if nxt else b"\\")
            i += 2
    return bytes(out)


_LOGIC: dict[str, Callable[[z3.ExprRef, z3.ExprRef], z3.BoolRef]] = {
    "&&": lambda a, b: z3.And(a, b), "||": lambda a, b: z3.Or(a, b),
    "==>": lambda a, b: z3.Implies(a, b), "<==>": lambda a, b: a == b,
}
_PLAIN: dict[str, Callable[[Any, Any], z3.ExprRef]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
}
_WORD_BV: dict[str, Callable[[Any, Any], z3.ExprRef]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": z3.UDiv, "%": z3.URem, "|": lambda a, b: a | b, "^": lambda a, b: a ^ b,
    "&": lambda a, b: a & b,
}
_Arith = Callable[[ExprEncoder, A.Binary, _Frame, Type, Type], z3.ExprRef]
_ARITH: dict[tuple[str, str, str], _Arith] = {
    **{(op, "int", "int"): ExprEncoder._int_arith for op in "+-*/%"},
    **{(op, "bv", "bv"): ExprEncoder._word_arith for op in "+-*/%|^&"},
    **{key: ExprEncoder._time_arith for key in (
        ("+", "time", "dur"), ("+", "dur", "time"), ("-", "time", "dur"), ("-", "time", "time"),
        ("+", "dur", "dur"), ("-", "dur", "dur"), ("*", "dur", "int"), ("*", "int", "dur"),
        ("/", "dur", "int"), ("/", "dur", "dur"), ("%", "dur", "dur"))},
    ("+", "set", "set"): ExprEncoder._set_arith, ("-", "set", "set"): ExprEncoder._set_arith,
    ("&", "set", "set"): ExprEncoder._set_arith, ("-", "map", "set"): ExprEncoder._map_minus,
    ("+", "seq", "seq"): ExprEncoder._concat, ("+", "bytes", "bytes"): ExprEncoder._concat,
}
_RULES: dict[type, Callable[[ExprEncoder, Any, _Frame], z3.ExprRef]] = {
    A.Name: ExprEncoder._name, A.IntLit: ExprEncoder._int, A.DurationLit: ExprEncoder._duration,
    A.BytesLit: ExprEncoder._bytes, A.BoolLit: ExprEncoder._bool, A.NoneLit: ExprEncoder._none,
    A.Old: ExprEncoder._old, A.Call: CallRules._call, A.RecordLit: ExprEncoder._record,
    A.EmptyLit: ExprEncoder._empty, A.SetLit: ExprEncoder._set, A.MapLit: ExprEncoder._map,
    A.SeqLit: ExprEncoder._seq, A.FieldAccess: ExprEncoder._field, A.Index: ExprEncoder._index,
    A.Update: ExprEncoder._update, A.Unary: ExprEncoder._unary, A.Binary: ExprEncoder._binary,
    A.Compare: ExprEncoder._compare, A.Conditional: ExprEncoder._conditional,
    A.Quantifier: QuantifierRules._quantifier,
}

__all__ = ["Env", "ExprEncoder", "Unsupported", "decode_bytes_literal", "uses_wraparound",
           "walk"]
