"""Typing of expressions.

`synth(e, ctx, hint)` gives `e` its type and records it (`types[id(e)]`) and, for names, calls,
record literals and enum members, what it refers to (`refs[id(e)]`). The `hint` is the type the
context expects; only literals whose type depends on context use it (`0` as a `u8`, `{}` as a
map, `none` as an `option<T>`), and callers still check the result. Operators are typed in
`_operators`, calls and record literals in `_calls`; this file walks the rest of the tree.

A sub-expression already reported gets the type `ERROR`, which is compatible with everything,
so one mistake gives one diagnostic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from . import _codes as C
from . import ast as A
from ._builtins import RUNTIME_VALUES
from ._calls import CallTyping, is_callable
from ._operators import MEMBERSHIP, OperatorTyping, is_contextual, mixes_units
from ._printer import format_expr
from ._report import Reporter, did_you_mean, listing
from ._scope import Scope
from ._span import Span
from ._symbols import EnumSymbol, UnresolvedSymbol, VarSymbol, describe
from ._types import (ANY, BOOL, BYTES, CORE, DURATION, EMPTY, ERROR, INT, NAT, TIME,
                     BitVecType, BoolType, BytesType, CoreType, DurationType, EnumType, MapType,
                     OptionType, RecordType, SeqType, SetType, TimeType, Type, U8, compatible,
                     element_type, is_integer, is_unknown, join)


@dataclass(frozen=True)
class Context:
    """Where an expression stands: what it may read and whether it is a postcondition."""
    scope: Scope
    clause: str  # for messages: "a requires clause", "an invariant", ...
    post: bool = False  # old(...) and result names allowed
    in_old: bool = False
    runtime: bool = False  # `now` and `this_core` readable (operations, events, temporal)
    model: bool = True  # model state readable (not in a model field's initial value)
    results: bool = True  # result names readable in a postcondition (not when throwing)
    misplaced: str = ""  # the code for old(...) or a result out of place, when not E301/E302

    def inner(self, **changes: object) -> "Context":
        return replace(self, **changes)  # type: ignore[arg-type]




class ExprChecker:
    def __init__(self, reporter: Reporter, types: dict[int, Type], refs: dict[int, object]) -> None:
        self.report = reporter
        self.types = types
        self.refs = refs
        self.ops = OperatorTyping(self)
        self.calls = CallTyping(self)

    # ------------------------------------------------------------------ entry points
    def synth(self, e: A.Expr, ctx: Context, hint: Type | None = None) -> Type:
        if hint is not None and is_unknown(hint):
            hint = None
        t = _RULES[type(e)](self, e, ctx, hint)
        self.types[id(e)] = t
        return t

    def expect(self, e: A.Expr, ctx: Context, want: Type, what: str = "expression") -> Type:
        """Type `e`, reporting a mismatch unless it fits `want`."""
        t = self.synth(e, ctx, want)
        if not compatible(want, t):
            self.mismatch(e.span, want, t, what)
        return t

    def condition(self, e: A.Expr, ctx: Context, what: str) -> None:
        t = self.synth(e, ctx, BOOL)
        if not isinstance(t, BoolType) and not is_unknown(t):
            self.report.error(C.NOT_BOOL, f"{what} must be a bool, not `{t}`", e.span)

    def mismatch(self, span: Span, want: Type, got: Type, what: str) -> None:
        code = C.BAD_DURATION if mixes_units(want, got) else C.TYPE_MISMATCH
        self.report.error(code, f"{what} should be `{want}`, not `{got}`", span)

    # ------------------------------------------------------------------ names
    def _name(self, e: A.Name, ctx: Context, hint: Type | None) -> Type:
        entry = ctx.scope.lookup(e.id)
        if entry is None:
            if not ctx.scope.is_broken():
                self.report.error(C.UNKNOWN_NAME, f"unknown name `{e.id}`", e.span,
                                  did_you_mean(e.id, ctx.scope.visible(_is_value_or_enum)))
            return ERROR
        symbol = entry.symbol
        self.refs[id(e)] = symbol
        if isinstance(symbol, VarSymbol):
            return self._variable(e, symbol, ctx)
        if isinstance(symbol, UnresolvedSymbol):
            return ERROR
        hint_text = None
        if isinstance(symbol, EnumSymbol) and symbol.members:
            hint_text = f"write `{e.id}.{symbol.members[0]}` for one of its members"
        elif is_callable(symbol):
            hint_text = f"call it: `{e.id}(...)`"
        self.report.error(C.TYPE_MISMATCH, f"`{e.id}` is {describe(symbol)}, not a value",
                          e.span, hint_text)
        return ERROR

    def _variable(self, e: A.Name, var: VarSymbol, ctx: Context) -> Type:
        if var.kind == "result" and not (ctx.post and ctx.results):
            why = ("a throwing operation returns no result" if ctx.post
                   else f"{ctx.clause} is checked before the operation runs")
            self.report.error(ctx.misplaced or C.RESULT_OUTSIDE_POST, f"result `{e.id}` cannot "
                              f"be used here: {why}", e.span)
            return var.type
        if var.kind == "builtin" and var.name in RUNTIME_VALUES and not ctx.runtime:
            self.report.error(C.NOT_GENERIC_CONTEXT, f"`{e.id}` is not available in {ctx.clause}",
                              e.span, "`now` and `this_core` belong to operations, events and "
                              "temporal properties")
            return ERROR
        if var.kind == "model" and not ctx.model:
            self.report.error(C.NOT_GENERIC_CONTEXT, f"model state (`{e.id}`) cannot be read in "
                              f"{ctx.clause}", e.span, "give a constant initial value")
            return ERROR
        return var.type

    # ------------------------------------------------------------------ literals
    def _int(self, e: A.IntLit, ctx: Context, hint: Type | None) -> Type:
        return self.int_literal(e, e.value, hint)

    def int_literal(self, e: A.Expr, value: int, hint: Type | None) -> Type:
        if isinstance(hint, BitVecType):
            if not 0 <= value < 2 ** hint.width:
                self.report.error(C.TYPE_MISMATCH, f"`{value}` does not fit in `{hint}`", e.span,
                                  f"a `{hint}` holds 0 to {2 ** hint.width - 1}")
            return hint
        if isinstance(hint, (DurationType, TimeType)):
            self.report.error(C.BAD_DURATION, f"`{value}` is a plain number where a `{hint}` is "
                              "needed", e.span, f"give it a unit: write {value}us (or ns, ms, s)")
            return ERROR
        if isinstance(hint, CoreType) and value >= 0:
            return CORE
        return NAT if value >= 0 else INT

    def _duration(self, e: A.DurationLit, ctx: Context, hint: Type | None) -> Type:
        return TIME if isinstance(hint, TimeType) else DURATION  # an instant, counted from boot

    def _bytes(self, e: A.BytesLit, ctx: Context, hint: Type | None) -> Type:
        return BYTES

    def _bool(self, e: A.BoolLit, ctx: Context, hint: Type | None) -> Type:
        return BOOL

    def _none(self, e: A.NoneLit, ctx: Context, hint: Type | None) -> Type:
        return hint if isinstance(hint, OptionType) else OptionType(ANY)

    def _old(self, e: A.Old, ctx: Context, hint: Type | None) -> Type:
        if not ctx.post:
            self.report.error(ctx.misplaced or C.OLD_OUTSIDE_POST,
                              f"old(...) cannot appear in {ctx.clause}", e.span)
        elif ctx.in_old:
            self.report.error(C.OLD_OUTSIDE_POST, "old(...) inside old(...)", e.span,
                              "the inner expression is already read in the pre-state; drop the "
                              "inner old")
        return self.synth(e.expr, ctx.inner(in_old=True), hint)

    # ------------------------------------------------------------------ calls and records
    def _call(self, e: A.Call, ctx: Context, hint: Type | None) -> Type:
        return self.calls.call(e, ctx, hint)

    def _record(self, e: A.RecordLit, ctx: Context, hint: Type | None) -> Type:
        return self.calls.record(e, ctx, hint)

    # ------------------------------------------------------------------ collections
    def _empty(self, e: A.EmptyLit, ctx: Context, hint: Type | None) -> Type:
        return hint if isinstance(hint, (SetType, MapType)) else EMPTY

    def _elements(self, elems: tuple[A.Expr, ...], ctx: Context, hint: Type | None,
                  what: str) -> Type:
        common: Type | None = None
        for elem in elems:
            t = self.synth(elem, ctx, hint if hint is not None else common)
            if common is None or is_unknown(common):
                common = t
            elif compatible(common, t):
                common = join(common, t)
            else:
                self.mismatch(elem.span, common, t, f"this {what}")
        return common if common is not None else (hint or ANY)

    def _set(self, e: A.SetLit, ctx: Context, hint: Type | None) -> Type:
        elem_hint = hint.elem if isinstance(hint, SetType) else None
        return SetType(self._elements(e.elems, ctx, elem_hint, "set element"))

    def _seq(self, e: A.SeqLit, ctx: Context, hint: Type | None) -> Type:
        elem_hint = hint.elem if isinstance(hint, SeqType) else None
        return SeqType(self._elements(e.elems, ctx, elem_hint, "sequence element"))

    def _map(self, e: A.MapLit, ctx: Context, hint: Type | None) -> Type:
        key_hint = hint.key if isinstance(hint, MapType) else None
        value_hint = hint.value if isinstance(hint, MapType) else None
        keys = self._elements(tuple(m.key for m in e.entries), ctx, key_hint, "map key")
        values = self._elements(tuple(m.value for m in e.entries), ctx, value_hint, "map value")
        return MapType(keys, values)

    # ------------------------------------------------------------------ access
    def _field(self, e: A.FieldAccess, ctx: Context, hint: Type | None) -> Type:
        field = e.field.text
        if isinstance(e.obj, A.Name):
            entry = ctx.scope.lookup(e.obj.id)
            if entry is not None and isinstance(entry.symbol, EnumSymbol):
                enum = entry.symbol
                self.refs[id(e.obj)] = enum
                self.refs[id(e)] = enum
                if field not in enum.members:
                    self.report.error(C.UNKNOWN_FIELD, f"enum `{enum.name}` has no member "
                                      f"`{field}`", e.field.span,
                                      did_you_mean(field, enum.members,
                                                   f"its members: {listing(enum.members)}"))
                return EnumType(enum)
        t = self.synth(e.obj, ctx)
        if isinstance(t, RecordType):
            fields = t.field_types()
            if field in fields:
                return fields[field]
            self.report.error(C.UNKNOWN_FIELD, f"`{t}` has no field `{field}`", e.field.span,
                              did_you_mean(field, fields, f"its fields: {listing(fields)}"))
            return ERROR
        if isinstance(t, OptionType):
            if field == "value":
                return t.elem
            self.report.error(C.UNKNOWN_FIELD, f"an option has no field `{field}`", e.field.span,
                              "an option's content is `o.value`, when `o != none`")
            return ERROR
        if not is_unknown(t):
            self.report.error(C.TYPE_MISMATCH, f"values of type `{t}` have no fields (`.{field}`)",
                              e.field.span)
        return ERROR

    def _index(self, e: A.Index, ctx: Context, hint: Type | None) -> Type:
        t = self.synth(e.obj, ctx)
        if isinstance(t, MapType):
            self.expect(e.index, ctx, t.key, "the key")
            return t.value
        if isinstance(t, (SeqType, BytesType)):
            self._position(e.index, ctx)
            return t.elem if isinstance(t, SeqType) else U8
        self.synth(e.index, ctx)
        if not is_unknown(t):
            self.report.error(C.BAD_INDEX, f"values of type `{t}` cannot be indexed", e.span)
        return ERROR

    def _position(self, e: A.Expr, ctx: Context) -> None:
        t = self.synth(e, ctx, NAT)
        if not is_integer(t) and not is_unknown(t):
            self.report.error(C.TYPE_MISMATCH, f"a position should be an integer, not `{t}`",
                              e.span)

    def _update(self, e: A.Update, ctx: Context, hint: Type | None) -> Type:
        t = self.synth(e.obj, ctx, hint)
        if isinstance(t, MapType):
            self.expect(e.key, ctx, t.key, "the key")
            self.expect(e.value, ctx, t.value, "the new value")
            return t
        if isinstance(t, SeqType):
            self._position(e.key, ctx)
            self.expect(e.value, ctx, t.elem, "the new element")
            return t
        self.synth(e.key, ctx)
        self.synth(e.value, ctx)
        if not is_unknown(t):
            self.report.error(C.BAD_INDEX, f"values of type `{t}` cannot be updated with "
                              "`[k := v]`", e.span, "update a map by key or a sequence by position")
        return ERROR

    # ------------------------------------------------------------------ operators
    def _unary(self, e: A.Unary, ctx: Context, hint: Type | None) -> Type:
        return self.ops.unary(e, ctx, hint)

    def _binary(self, e: A.Binary, ctx: Context, hint: Type | None) -> Type:
        return self.ops.binary(e, ctx, hint)

    def _compare(self, e: A.Compare, ctx: Context, hint: Type | None) -> Type:
        membership = [op for op in e.ops if op in MEMBERSHIP]
        if not membership or len(e.ops) == 1:
            return self.ops.compare(e, ctx)
        # `x in s !in t` reads as two tests of `x`, but a chain compares neighbours: it would
        # mean `x in s && s !in t`. Membership therefore stands alone.
        for operand in e.operands:
            self.synth(operand, ctx)
        shown = [format_expr(x) for x in e.operands]
        meaning = " && ".join(f"{shown[i]} {op} {shown[i + 1]}" for i, op in enumerate(e.ops))
        self.report.error(C.CHAINED_MEMBERSHIP, f"`{membership[0]}` cannot be chained with "
                          "another comparison", e.span, f"the chain would mean `{meaning}`; "
                          "write the tests you mean joined by `&&`")
        return BOOL

    def _conditional(self, e: A.Conditional, ctx: Context, hint: Type | None) -> Type:
        self.condition(e.cond, ctx, "the condition of `?:`")
        first = e.then if not is_contextual(e.then) else e.otherwise
        second = e.otherwise if first is e.then else e.then
        t1 = self.synth(first, ctx, hint)
        t2 = self.synth(second, ctx, hint if hint is not None else t1)
        if not compatible(t1, t2):
            self.mismatch(second.span, t1, t2, "this branch of `?:`")
            return ERROR
        return join(t1, t2)

    def _quantifier(self, e: A.Quantifier, ctx: Context, hint: Type | None) -> Type:
        scope = Scope(ctx.scope, "binder")
        inner = ctx.inner(scope=scope)
        for binding in e.bindings:
            t = self.synth(binding.collection, inner)
            elem = element_type(t)
            if elem is None:
                self.report.error(C.NOT_COLLECTION, f"cannot quantify over `{t}`",
                                  binding.collection.span)
                elem = ERROR
            var = VarSymbol(binding.name.text, elem, "binder", binding.name.span, binding)
            self.refs[id(binding)] = var
            self.declare_binder(scope, binding.name, var)
        self.condition(e.body, inner, f"the body of `{e.kind}`")
        return BOOL

    def declare_binder(self, scope: Scope, name: A.Ident, var: VarSymbol) -> None:
        if name.text in RUNTIME_VALUES or name.text == "ncores":
            self.report.error(C.DUPLICATE, f"`{name.text}` is a built-in name", name.span,
                              f"`{name.text}` is built in; choose another name")
            return
        scope.declare(name.text, var, name.span, self.report)




def _is_value_or_enum(symbol: object) -> bool:
    return isinstance(symbol, (VarSymbol, EnumSymbol))








_Rule = Callable[..., Type]  # (checker, expression, context, hint) -> its type
_RULES: dict[type, _Rule] = {
    A.Name: ExprChecker._name, A.IntLit: ExprChecker._int, A.DurationLit: ExprChecker._duration,
    A.BytesLit: ExprChecker._bytes, A.BoolLit: ExprChecker._bool, A.NoneLit: ExprChecker._none,
    A.Old: ExprChecker._old, A.Call: ExprChecker._call, A.RecordLit: ExprChecker._record,
    A.EmptyLit: ExprChecker._empty, A.SetLit: ExprChecker._set, A.MapLit: ExprChecker._map,
    A.SeqLit: ExprChecker._seq, A.FieldAccess: ExprChecker._field, A.Index: ExprChecker._index,
    A.Update: ExprChecker._update, A.Unary: ExprChecker._unary, A.Binary: ExprChecker._binary,
    A.Compare: ExprChecker._compare, A.Conditional: ExprChecker._conditional,
    A.Quantifier: ExprChecker._quantifier,
}

__all__ = ["Context", "ExprChecker"]
