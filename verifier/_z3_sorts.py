"""Spec types as z3 sorts, with the well-formedness (range) constraints each type carries.

One `Sorts` belongs to one z3 context (the prover gives every obligation a fresh context, so
nothing one obligation declares can change how another is solved). The rules:

| spec type | z3 sort | well-formedness |
|---|---|---|
| bool | Bool | |
| int, nat, int[a..b], nat[a..b] | Int | the bounds |
| core | Int | `>= 0` (`this_core` is also `< ncores`; a stored core id need not be) |
| time, duration | Int, in nanoseconds | |
| uN | BitVec(N) when the Ebb does uN arithmetic (wrap-around matters), else Int | Int: `0 <= x < 2^N` |
| bytes | Seq(BitVec(8)), whatever the uN rule (an index reads a u8 from it) | |
| record R{...} | a datatype with one constructor `R` and accessors `R.field` | each field |
| enum E | an enumeration sort, members `E.M` | |
| option<T> | a datatype `none` / `some(value)` | the held value |
| set<T> | Array(T, Bool) | every member |
| map<K, V> | Array(K, option<V>): a key is present when it maps to `some` | every key and value |
| seq<T> | z3's Seq(T) | every element |
| handle H, type parameter K | an uninterpreted sort | |

Maps are arrays of options rather than a (values, domain) pair so that z3's equality of terms is
the language's equality of maps (same keys, same values), with no junk outside the domain; seq
uses z3's native sequences for the same reason. Cardinality is a ghost function per element
sort, `card`, axiomatised on the terms the encoder builds (empty, insert, remove, and
`keys(m)` for a map's size); see `_z3_ghost`.

The uN rule is one switch per `Sorts` (the prover sets it per Ebb: bitvectors when the Ebb, the
Ebb it refines or a function they call applies an arithmetic or bitwise operator to uN values,
else bounded integers). It is exact either way: Int arithmetic on uN is reduced modulo 2^N by
the encoder, and bitwise operators on Int words go through 2^N-bit vectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import z3

from ..spec._types import (BitVecType, BoolType, BytesType, CoreType, DurationType, EnumType,
                           HandleType, IntType, MapType, OptionType, RecordType, SeqType, SetType,
                           TimeType, Type, TypeParam, is_complete)
from ..spec._span import NO_SPAN, Span

if TYPE_CHECKING:
    from ._z3_ghost import Ghosts


class Unsupported(Exception):
    """A construct the z3 encoding does not cover; the obligation is SKIPPED naming it."""

    def __init__(self, construct: str, span: Span = NO_SPAN) -> None:
        super().__init__(construct)
        self.construct = construct
        self.span = span


@dataclass
class OptionSort:
    sort: z3.DatatypeSortRef
    none: z3.ExprRef
    some: z3.FuncDeclRef
    value: z3.FuncDeclRef
    is_some: z3.FuncDeclRef


@dataclass
class RecordSort:
    sort: z3.DatatypeSortRef
    make: z3.FuncDeclRef
    fields: dict[str, z3.FuncDeclRef]
    field_types: dict[str, Type]


@dataclass
class EnumSort:
    sort: z3.SortRef
    members: dict[str, z3.ExprRef]


@dataclass
class Sorts:
    """Types to sorts (cached), and the background axioms the sorts used so far need."""
    ctx: z3.Context
    bitvectors: bool = False
    _sorts: dict[Type, z3.SortRef] = field(default_factory=dict)
    _options: dict[z3.SortRef, OptionSort] = field(default_factory=dict)
    _records: dict[Type, RecordSort] = field(default_factory=dict)
    _enums: dict[object, EnumSort] = field(default_factory=dict)
    _names: dict[str, object] = field(default_factory=dict)  # z3 sort name -> what claimed it
    _building: set[object] = field(default_factory=set)
    _funcs: dict[tuple[str, str], z3.FuncDeclRef] = field(default_factory=dict)
    _ghosts: "Ghosts | None" = None
    _bound: int = 0  # numbers the bound variables made here, so nested ones never clash
    infinite: set[str] = field(default_factory=lambda: {"Int"})  # sorts that never run out
    user_functions: dict[str, str] = field(default_factory=dict)  # z3 name -> spec name

    def bound(self, prefix: str, sort: z3.SortRef) -> z3.ExprRef:
        """A fresh constant to bind in a quantifier (z3 binds by identity, so names must differ)."""
        self._bound += 1
        return z3.Const(f"{prefix}!{self._bound}", sort)

    # ------------------------------------------------------------------ sorts
    def sort(self, t: Type) -> z3.SortRef:
        found = self._sorts.get(t)
        if found is None:
            found = self._sorts[t] = self._make(t)
        return found

    def _make(self, t: Type) -> z3.SortRef:
        if not is_complete(t):
            raise Unsupported(f"a value of incomplete type `{t}`")
        maker = _SORT_RULES.get(type(t))
        if maker is None:
            raise Unsupported(f"values of type `{t}`")
        return maker(self, t)

    def _unique(self, wanted: str, owner: object) -> str:
        """A z3 sort name for `owner`: the spec's name, suffixed when two owners share it."""
        name, n = wanted, 1
        while name in self._names and self._names[name] is not owner:
            n += 1
            name = f"{wanted}!{n}"
        self._names[name] = owner
        return name

    def _uninterpreted(self, t: HandleType | TypeParam) -> z3.SortRef:
        owner: object = t if isinstance(t, TypeParam) else (t.symbol, t.args)
        sort = z3.DeclareSort(self._unique(t.show(), owner), self.ctx)
        if isinstance(t, HandleType):
            self.infinite.add(sort.sexpr())  # handles never run out; a type parameter might
        return sort

    def _bitvec(self, t: BitVecType) -> z3.SortRef:
        return z3.BitVecSort(t.width, self.ctx) if self.bitvectors else z3.IntSort(self.ctx)

    def _seq(self, t: SeqType | BytesType) -> z3.SortRef:
        if isinstance(t, BytesType):  # bytes are 8-bit words whatever the uN rule: no ranges
            return z3.SeqSort(z3.BitVecSort(8, self.ctx))
        return z3.SeqSort(self.sort(t.elem))

    def _map(self, t: MapType) -> z3.SortRef:
        return z3.ArraySort(self.sort(t.key), self.option(t.value).sort)

    def _set(self, t: SetType) -> z3.SortRef:
        return z3.ArraySort(self.sort(t.elem), z3.BoolSort(self.ctx))

    def option(self, elem: Type) -> OptionSort:
        inner = self.sort(elem)
        found = self._options.get(inner)
        if found is None:
            dt = z3.Datatype(self._unique(f"option<{elem.show()}>", inner), self.ctx)
            dt.declare("none")
            dt.declare("some", ("value", inner))
            sort = dt.create()
            found = OptionSort(sort, sort.none, sort.some, sort.value, sort.is_some)
            self._options[inner] = found
        return found

    def record(self, t: RecordType) -> RecordSort:
        found = self._records.get(t)
        if found is None:
            if t in self._building:
                raise Unsupported(f"the recursive record type `{t}`")
            self._building.add(t)
            try:
                types = t.field_types()
                inner = [(name, self.sort(ft)) for name, ft in types.items()]
            finally:
                self._building.discard(t)
            dt = z3.Datatype(self._unique(t.show(), (t.symbol, t.args)), self.ctx)
            name = t.symbol.name
            dt.declare(name, *[(f"{name}.{f}", s) for f, s in inner])
            sort = dt.create()
            found = RecordSort(sort, getattr(sort, name),
                               {f: sort.accessor(0, i) for i, (f, _) in enumerate(inner)}, types)
            self._records[t] = found
        return found

    def _record_sort(self, t: RecordType) -> z3.SortRef:
        return self.record(t).sort

    def enum(self, t: EnumType) -> EnumSort:
        found = self._enums.get(t.symbol)
        if found is None:
            members = t.symbol.members
            name = self._unique(t.symbol.name, t.symbol)
            sort, consts = z3.EnumSort(name, [f"{t.symbol.name}.{m}" for m in members], self.ctx)
            found = EnumSort(sort, dict(zip(members, consts)))
            self._enums[t.symbol] = found
        return found

    def _enum_sort(self, t: EnumType) -> z3.SortRef:
        return self.enum(t).sort

    def default(self, t: Type, name: str) -> z3.ExprRef:
        """Some well-formed value of `t` (every type has one): the bound nearest 0, empty
        collections, `none`, the first enum member; a constant `name` for opaque types."""
        if isinstance(t, IntType):
            if t.low is not None and t.low > 0:
                return z3.IntVal(t.low, self.ctx)
            if t.high is not None and t.high < 0:
                return z3.IntVal(t.high, self.ctx)
            return z3.IntVal(0, self.ctx)
        if isinstance(t, (CoreType, TimeType, DurationType)):
            return z3.IntVal(0, self.ctx)
        if isinstance(t, BitVecType):
            return z3.BitVecVal(0, t.width, self.ctx) if self.bitvectors else z3.IntVal(0, self.ctx)
        if isinstance(t, BoolType):
            return z3.BoolVal(False, self.ctx)
        if isinstance(t, SetType):
            return z3.K(self.sort(t.elem), z3.BoolVal(False, self.ctx))
        if isinstance(t, MapType):
            return z3.K(self.sort(t.key), self.option(t.value).none)
        if isinstance(t, (SeqType, BytesType)):
            return z3.Empty(self.sort(t))
        if isinstance(t, OptionType):
            return self.option(t.elem).none
        if isinstance(t, EnumType):
            return next(iter(self.enum(t).members.values()))
        if isinstance(t, RecordType):
            rec = self.record(t)
            return rec.make(*[self.default(ft, f"{name}.{f}")
                              for f, ft in rec.field_types.items()])
        return z3.Const(name, self.sort(t))

    # ------------------------------------------------------------------ well-formedness
    def wf(self, term: z3.ExprRef, t: Type) -> z3.BoolRef:
        """What every value of type `t` satisfies (ranges, nested in collections and fields)."""
        parts = self._wf(term, t)
        return z3.And(*parts) if len(parts) > 1 else (parts[0] if parts else
                                                      z3.BoolVal(True, self.ctx))

    def has_wf(self, t: Type) -> bool:
        """Whether values of `t` carry any constraint at all."""
        if isinstance(t, IntType):
            return t.low is not None or t.high is not None
        if isinstance(t, CoreType):
            return True
        if isinstance(t, BitVecType):
            return not self.bitvectors
        if isinstance(t, BytesType):
            return False
        if isinstance(t, (SetType, SeqType, OptionType)):
            return self.has_wf(t.elem)
        if isinstance(t, MapType):
            return self.has_wf(t.key) or self.has_wf(t.value)
        if isinstance(t, RecordType):
            return any(self.has_wf(ft) for ft in t.field_types().values())
        return False

    def wf_built(self, x: z3.ExprRef, t: Type, known: set[int]) -> z3.BoolRef:
        """Like `wf`, but follows how `x` is built (stores, concatenations, constructors,
        conditionals) down to parts in `known` (already well-formed): a stronger condition
        than `wf` that z3 proves without quantifiers where `x` is built from known parts."""
        if not self.has_wf(t) or x.get_id() in known:
            return z3.BoolVal(True, self.ctx)
        if z3.is_app_of(x, z3.Z3_OP_ITE):
            return z3.If(x.arg(0), self.wf_built(x.arg(1), t, known),
                         self.wf_built(x.arg(2), t, known))
        parts = self._wf_parts(x, t, known)
        if parts is None:
            return self.wf(x, t)
        parts = [p for p in parts if not z3.is_true(p)]
        return z3.And(*parts) if len(parts) > 1 else (parts[0] if parts else
                                                      z3.BoolVal(True, self.ctx))

    def _wf_parts(self, x: z3.ExprRef, t: Type, known: set[int]) -> list[z3.BoolRef] | None:
        if isinstance(t, MapType):
            opt = self.option(t.value)
            if z3.is_const_array(x):
                return [z3.Implies(opt.is_some(x.arg(0)), self.wf(opt.value(x.arg(0)), t.value))]
            if z3.is_store(x):
                m, k, o = x.arg(0), x.arg(1), x.arg(2)
                held = (self.wf_built(o.arg(0), t.value, known) if z3.is_app_of(
                    o, z3.Z3_OP_DT_CONSTRUCTOR) and o.num_args() == 1
                    else z3.Implies(opt.is_some(o), self.wf(opt.value(o), t.value)))
                key = z3.Implies(opt.is_some(o), self.wf(k, t.key))
                return [self.wf_built(m, t, known), key, held]
            return None
        if isinstance(t, SetType):
            if z3.is_const_array(x):
                return [z3.Implies(x.arg(0), z3.BoolVal(False, self.ctx))] \
                    if not z3.is_false(x.arg(0)) else []
            if z3.is_store(x):
                s, e, b = x.arg(0), x.arg(1), x.arg(2)
                return [self.wf_built(s, t, known), z3.Implies(b, self.wf(e, t.elem))]
            return None
        if isinstance(t, SeqType):
            elem = t.elem
            if z3.is_app_of(x, z3.Z3_OP_SEQ_CONCAT):
                return [self.wf_built(x.arg(i), t, known) for i in range(x.num_args())]
            if z3.is_app_of(x, z3.Z3_OP_SEQ_UNIT):
                return [self.wf_built(x.arg(0), elem, known)]
            if z3.is_app_of(x, z3.Z3_OP_SEQ_EMPTY):
                return []
            if z3.is_app_of(x, z3.Z3_OP_SEQ_EXTRACT):
                return [self.wf_built(x.arg(0), t, known)]
            return None
        if isinstance(t, RecordType) and z3.is_app_of(x, z3.Z3_OP_DT_CONSTRUCTOR):
            rec = self.record(t)
            return [self.wf_built(x.arg(i), ft, known)
                    for i, ft in enumerate(rec.field_types.values())]
        if isinstance(t, OptionType) and z3.is_app_of(x, z3.Z3_OP_DT_CONSTRUCTOR):
            return [self.wf_built(x.arg(0), t.elem, known)] if x.num_args() else []
        return None

    def _wf(self, x: z3.ExprRef, t: Type) -> list[z3.BoolRef]:
        if not self.has_wf(t):
            return []
        if isinstance(t, IntType):
            out = []
            if t.low is not None:
                out.append(x >= t.low)
            if t.high is not None:
                out.append(x <= t.high)
            return out
        if isinstance(t, CoreType):
            return [x >= 0]
        if isinstance(t, BitVecType):
            return [x >= 0, x < 2 ** t.width]
        if isinstance(t, RecordType):
            rec = self.record(t)
            return [c for f, ft in rec.field_types.items() for c in self._wf(rec.fields[f](x), ft)]
        if isinstance(t, OptionType):
            opt = self.option(t.elem)
            return [z3.Implies(opt.is_some(x), self.wf(opt.value(x), t.elem))]
        if isinstance(t, SetType):
            e = self.bound("e", self.sort(t.elem))
            return [forall([e], z3.Implies(x[e], self.wf(e, t.elem)), [x[e]])]
        if isinstance(t, MapType):
            k = self.bound("k", self.sort(t.key))
            opt = self.option(t.value)
            body = z3.And(self.wf(k, t.key), self.wf(opt.value(x[k]), t.value))
            return [forall([k], z3.Implies(opt.is_some(x[k]), body), [x[k]])]
        if isinstance(t, SeqType):
            elem = t.elem
            i = self.bound("i", z3.IntSort(self.ctx))
            inside = z3.And(i >= 0, i < z3.Length(x))
            return [forall([i], z3.Implies(inside, self.wf(x[i], elem)), [x[i]])]
        return []  # pragma: no cover - has_wf said there was something

    # ------------------------------------------------------------------ ghost functions
    @property
    def ghosts(self) -> "Ghosts":
        """Cardinality, keys and values of collections (see `_z3_ghost`)."""
        if self._ghosts is None:
            from ._z3_ghost import Ghosts
            self._ghosts = Ghosts(self)
        return self._ghosts

    def function(self, name: str, domain: list[z3.SortRef], result: z3.SortRef,
                 user: bool = True) -> z3.FuncDeclRef:
        """An uninterpreted function, one per name and signature. `user` marks a spec's own
        `func` without a body (an implementation defines it; see feasibility)."""
        key = (name, " ".join(s.sexpr() for s in [*domain, result]))
        found = self._funcs.get(key)
        if found is None:
            taken = sum(1 for (n, _) in self._funcs if n == name)
            label = name if not taken else f"{name}!{taken + 1}"
            found = self._funcs[key] = z3.Function(label, *domain, result)
            if user:
                self.user_functions[found.name()] = name
        return found


def forall(bound: list[z3.ExprRef], body: z3.BoolRef, patterns: list[z3.ExprRef],
           exists: bool = False) -> z3.BoolRef:
    """A quantifier with `patterns` as its trigger, or z3's own choice when z3 rejects them
    (a trigger cannot go through interpreted operations such as set union)."""
    make = z3.Exists if exists else z3.ForAll
    patterns = [p for p in patterns if _usable_trigger(p)]
    if patterns:
        try:
            return make(bound, body, patterns=patterns)
        except z3.Z3Exception:
            pass
    return make(bound, body)


_TRIGGER_OPS = frozenset({z3.Z3_OP_UNINTERPRETED, z3.Z3_OP_SELECT, z3.Z3_OP_STORE,
                          z3.Z3_OP_DT_CONSTRUCTOR, z3.Z3_OP_DT_ACCESSOR, z3.Z3_OP_SEQ_NTH,
                          z3.Z3_OP_SEQ_UNIT, z3.Z3_OP_SEQ_CONCAT, z3.Z3_OP_SEQ_LENGTH,
                          z3.Z3_OP_ANUM, z3.Z3_OP_BNUM, z3.Z3_OP_TRUE, z3.Z3_OP_FALSE,
                          z3.Z3_OP_CONST_ARRAY, z3.Z3_OP_ADD, z3.Z3_OP_SUB, z3.Z3_OP_UMINUS,
                          z3.Z3_OP_MUL})


def _usable_trigger(term: z3.ExprRef) -> bool:
    """Whether z3 accepts `term` as a trigger without complaint: applications of
    uninterpreted functions, arrays, datatypes and sequences only (no `if`, no arithmetic)."""
    stack = [term]
    while stack:
        t = stack.pop()
        if z3.is_var(t) or (z3.is_const(t) and t.decl().kind() == z3.Z3_OP_UNINTERPRETED):
            continue
        if not z3.is_app(t) or t.decl().kind() not in _TRIGGER_OPS:
            return False
        stack.extend(t.arg(i) for i in range(t.num_args()))
    return True


_SORT_RULES: dict[type, Callable[[Sorts, Type], z3.SortRef]] = {
    BoolType: lambda s, t: z3.BoolSort(s.ctx),
    IntType: lambda s, t: z3.IntSort(s.ctx),
    CoreType: lambda s, t: z3.IntSort(s.ctx),
    TimeType: lambda s, t: z3.IntSort(s.ctx),
    DurationType: lambda s, t: z3.IntSort(s.ctx),
    BitVecType: Sorts._bitvec,  # type: ignore[dict-item]
    BytesType: Sorts._seq,  # type: ignore[dict-item]
    SeqType: Sorts._seq,  # type: ignore[dict-item]
    SetType: Sorts._set,  # type: ignore[dict-item]
    MapType: Sorts._map,  # type: ignore[dict-item]
    OptionType: lambda s, t: s.option(t.elem).sort,  # type: ignore[attr-defined]
    RecordType: Sorts._record_sort,  # type: ignore[dict-item]
    EnumType: Sorts._enum_sort,  # type: ignore[dict-item]
    HandleType: Sorts._uninterpreted,  # type: ignore[dict-item]
    TypeParam: Sorts._uninterpreted,  # type: ignore[dict-item]
}

__all__ = ["EnumSort", "OptionSort", "RecordSort", "Sorts", "Unsupported", "forall"]
