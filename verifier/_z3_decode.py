"""Between z3 and the Python values of `_values`: `Decoder` reads a model's value of a term of
a given spec type (for counterexamples, printed with `show`), `literal` builds the term of a
Python value (for the differential test).

Elements of uninterpreted sorts (handles, type parameters) have no spec literal; a `Decoder`
names them `h1`, `h2`, ... (the first letter of the type, then a number per letter) in the
order it first meets them, so decoding the same model in the same order prints the same text.
Times and durations decode to `Time`/`Duration` so that they print with a unit.
"""

from __future__ import annotations

from typing import Any

import z3

from ..spec._types import (BitVecType, BoolType, BytesType, CoreType, DurationType, EnumType,
                           HandleType, IntType, MapType, OptionType, RecordType, SeqType, SetType,
                           TimeType, Type, TypeParam)
from ._values import (NONE, Duration, EnumValue, FrozenMap, Handle, RecordValue, Some, Time)

MAX_SHOWN = 64  # elements decoded from one collection; a model rarely needs more
MAX_BYTES = 32  # bytes printed of a byte string; a longer one prints its length


class Unbounded:
    """A collection the model made infinite (z3's arrays need not be finite): printed as the
    finitely many values it leaves out."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unbounded) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


class Elided:
    """A byte string too long to print whole: its first bytes, then how long it is."""

    def __init__(self, head: bytes, length: int) -> None:
        self.head, self.length = head, length

    def __repr__(self) -> str:
        from ._values import show
        return f"{show(self.head)[:-1]}...\" ({self.length} bytes)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Elided) and (other.head, other.length) == (self.head,
                                                                               self.length)

    def __hash__(self) -> int:
        return hash((self.head, self.length))


class Decoder:
    """Reads values of terms in one model; keeps the names it gave to opaque elements."""

    def __init__(self, encoder: Any, model: z3.ModelRef) -> None:
        self.enc = encoder
        self.sorts = encoder.sorts
        self.model = model
        self.names: dict[str, Handle] = {}   # sexpr of a model element -> its handle
        self.counts: dict[str, int] = {}     # display prefix -> how many named so far

    def eval(self, term: z3.ExprRef) -> z3.ExprRef:
        return self.model.eval(term, model_completion=True)

    def value(self, term: z3.ExprRef, t: Type, display: bool = True) -> Any:
        """The value of `term`; `display` wraps times and durations for printing."""
        v = self.eval(term)
        if isinstance(t, BoolType):
            return z3.is_true(v)
        if isinstance(t, (IntType, CoreType)):
            return _int(v)
        if isinstance(t, BitVecType):
            return _int(v)
        if isinstance(t, TimeType):
            return Time(_int(v)) if display else _int(v)
        if isinstance(t, DurationType):
            return Duration(_int(v)) if display else _int(v)
        if isinstance(t, (HandleType, TypeParam)):
            return self.opaque(v, t)
        if isinstance(t, EnumType):
            text = v.decl().name()
            return EnumValue(t.symbol.name, text.split(".", 1)[1] if "." in text else text)
        if isinstance(t, RecordType):
            rec = self.sorts.record(t)
            return RecordValue(t.symbol.name, tuple(
                (name, self.value(acc(v), rec.field_types[name], display))
                for name, acc in rec.fields.items()))
        if isinstance(t, OptionType):
            opt = self.sorts.option(t.elem)
            if z3.is_true(self.eval(opt.is_some(v))):
                return Some(self.value(opt.value(v), t.elem, display))
            return NONE
        if isinstance(t, SetType):
            return self._set(v, t, display)
        if isinstance(t, MapType):
            return self._map(v, t, display)
        if isinstance(t, SeqType):
            return tuple(self.value(v[i], t.elem, display) for i in range(self._length(v)))
        if isinstance(t, BytesType):
            length = _int(self.eval(z3.Length(v)))
            shown = bytes(_int(self.eval(v[i])) % 256 for i in range(min(length, MAX_BYTES)))
            return shown if length <= MAX_BYTES else Elided(shown, length)
        return Unbounded(str(v))

    def opaque(self, v: z3.ExprRef, t: HandleType | TypeParam) -> Handle:
        key = v.sexpr()
        found = self.names.get(key)
        if found is None:
            name = t.symbol.name if isinstance(t, HandleType) else t.name
            prefix = name[:1].lower() or "h"
            self.counts[prefix] = self.counts.get(prefix, 0) + 1
            found = self.names[key] = Handle(name, self.counts[prefix])
        return found

    def _length(self, v: z3.ExprRef) -> int:
        return min(_int(self.eval(z3.Length(v))), MAX_SHOWN)

    def _candidates(self, array: z3.ExprRef, key_sort: z3.SortRef) -> list[z3.ExprRef]:
        """Keys an array value may hold something at: the indexes written in it, and for an
        uninterpreted sort its whole (finite) universe."""
        found: dict[str, z3.ExprRef] = {}
        for node in _subterms(array):
            if node.sort() == key_sort and _is_value(node):
                found.setdefault(node.sexpr(), node)
        if key_sort.kind() == z3.Z3_UNINTERPRETED_SORT:
            for elem in self.model.get_universe(key_sort) or []:
                found.setdefault(elem.sexpr(), elem)
        return list(found.values())[:MAX_SHOWN * 4]

    def _default(self, array: z3.ExprRef, key_sort: z3.SortRef) -> z3.ExprRef | None:
        """What the array holds at a key written nowhere in it."""
        fresh = z3.FreshConst(key_sort, "unwritten")
        try:
            value = z3.simplify(z3.substitute(z3.Select(array, fresh)))
        except z3.Z3Exception:  # pragma: no cover - defensive
            return None
        return value if _is_value(value) else None

    def _set(self, v: z3.ExprRef, t: SetType, display: bool) -> Any:
        es = self.sorts.sort(t.elem)
        members, absent = [], []
        for key in self._candidates(v, es):
            inside = z3.is_true(self.eval(v[key]))
            (members if inside else absent).append(self.value(key, t.elem, display))
        default = self._default(v, es)
        if es.kind() == z3.Z3_UNINTERPRETED_SORT:
            default = None  # every element of the (finite) universe was looked at
        if default is not None and z3.is_true(default):
            from ._values import show
            return Unbounded("(every value except {" + ", ".join(show(a) for a in absent) + "})")
        return frozenset(members[:MAX_SHOWN])

    def _map(self, v: z3.ExprRef, t: MapType, display: bool) -> Any:
        ks = self.sorts.sort(t.key)
        opt = self.sorts.option(t.value)
        items = {}
        for key in self._candidates(v, ks):
            held = self.eval(v[key])
            if z3.is_true(self.eval(opt.is_some(held))):
                items[self.value(key, t.key, display)] = self.value(opt.value(held), t.value,
                                                                    display)
        default = self._default(v, ks)
        if ks.kind() == z3.Z3_UNINTERPRETED_SORT:
            default = None  # every key of the (finite) universe was looked at
        if default is not None and z3.is_true(self.eval(opt.is_some(default))):
            from ._values import show
            return Unbounded("(every key, e.g. {" + ", ".join(
                f"{show(k)} -> {show(x)}" for k, x in list(items.items())[:3]) + "})")
        return FrozenMap(dict(list(items.items())[:MAX_SHOWN]))


def _int(v: z3.ExprRef) -> int:
    if z3.is_int_value(v) or z3.is_bv_value(v):
        return v.as_long()  # type: ignore[attr-defined]
    simplified = z3.simplify(v)
    if z3.is_int_value(simplified) or z3.is_bv_value(simplified):
        return simplified.as_long()  # type: ignore[attr-defined]
    return 0  # an unconstrained value the model left symbolic: any value will do


def _is_value(node: z3.ExprRef) -> bool:
    if z3.is_int_value(node) or z3.is_bv_value(node) or z3.is_true(node) or z3.is_false(node):
        return True
    if not z3.is_app(node):
        return False
    if node.decl().kind() == z3.Z3_OP_UNINTERPRETED and node.num_args() == 0:
        return "!val!" in node.decl().name()
    if z3.is_app(node) and node.sort().kind() == z3.Z3_DATATYPE_SORT:
        return all(_is_value(node.arg(i)) for i in range(node.num_args())) and \
            node.decl().kind() == z3.Z3_OP_DT_CONSTRUCTOR
    return False


def _subterms(term: z3.ExprRef, limit: int = 4096) -> list[z3.ExprRef]:
    seen: dict[int, z3.ExprRef] = {}
    stack = [term]
    while stack and len(seen) < limit:
        node = stack.pop()
        key = node.get_id()
        if key in seen:
            continue
        seen[key] = node
        if z3.is_quantifier(node):
            stack.append(node.body())
        elif z3.is_app(node):
            stack.extend(node.arg(i) for i in reversed(range(node.num_args())))
    return list(seen.values())


# ---------------------------------------------------------------------------- Python -> z3

def literal(enc: Any, value: Any, t: Type) -> z3.ExprRef:
    """The z3 term of a Python value of type `t` (handles: one constant per handle)."""
    sorts = enc.sorts
    if isinstance(t, BoolType):
        return z3.BoolVal(bool(value), enc.ctx)
    if isinstance(t, (IntType, CoreType, BitVecType)):
        return enc.number(int(value), t)
    if isinstance(t, (TimeType, DurationType)):
        ns = value.ns if isinstance(value, (Time, Duration)) else int(value)
        return z3.IntVal(ns, enc.ctx)
    if isinstance(t, BytesType):
        return enc.byte_string(bytes(value))
    if isinstance(t, (HandleType, TypeParam)):
        index = value.index if isinstance(value, Handle) else int(value)
        return z3.Const(f"{t.show()}#{index}", sorts.sort(t))
    if isinstance(t, EnumType):
        member = value.member if isinstance(value, EnumValue) else str(value)
        return sorts.enum(t).members[member]
    if isinstance(t, RecordType):
        rec = sorts.record(t)
        fields = dict(value.fields) if isinstance(value, RecordValue) else dict(value)
        return rec.make(*[literal(enc, fields[name], rec.field_types[name])
                          for name in rec.fields])
    if isinstance(t, OptionType):
        opt = sorts.option(t.elem)
        if value is NONE or value is None:
            return opt.none
        inner = value.value if isinstance(value, Some) else value
        return opt.some(literal(enc, inner, t.elem))
    if isinstance(t, SetType):
        out = enc.empty_set(t)
        for x in _ordered(value):
            out = z3.Store(out, literal(enc, x, t.elem), True)
        return out
    if isinstance(t, MapType):
        out = enc.empty_map(t)
        opt = sorts.option(t.value)
        for k in _ordered(value):
            out = z3.Store(out, literal(enc, k, t.key), opt.some(literal(enc, value[k], t.value)))
        return out
    if isinstance(t, SeqType):
        if not value:
            return z3.Empty(sorts.sort(t))
        units = [z3.Unit(literal(enc, x, t.elem)) for x in value]
        return units[0] if len(units) == 1 else z3.Concat(*units)
    raise TypeError(f"no z3 literal for a value of type {t}")


def _ordered(values: Any) -> list[Any]:
    from ._values import show
    return sorted(values, key=lambda v: (type(v).__name__, show(v)))


__all__ = ["Decoder", "Unbounded", "literal"]
