"""Typing of calls (built-in and user functions, generic ones by unification) and of record
literals (`R{field: value}`, generic records inferred from their fields or from context)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _codes as C
from . import ast as A
from ._builtins import BuiltinFunction
from ._report import did_you_mean, listing
from ._symbols import (EventSymbol, FuncSymbol, OpSymbol, RecordSymbol, UnresolvedSymbol,
                       describe)
from ._types import (ANY, ERROR, ErrorType, RecordType, Type, TypeParam, compatible,
                     substitute, unify)

if TYPE_CHECKING:
    from ._typecheck_expr import Context, ExprChecker


def is_callable(symbol: object) -> bool:
    return isinstance(symbol, (FuncSymbol, BuiltinFunction, UnresolvedSymbol))


class CallTyping:
    def __init__(self, checker: "ExprChecker") -> None:
        self.checker = checker
        self.report = checker.report
        self.refs = checker.refs

    def call(self, e: A.Call, ctx: "Context", hint: Type | None) -> Type:
        name = e.func.text
        entry = ctx.scope.lookup(name, is_callable)
        if entry is None or isinstance(entry.symbol, UnresolvedSymbol):
            if entry is None:
                self._unknown_function(e, ctx)
            for arg in e.args:
                self.checker.synth(arg, ctx)
            return ERROR
        symbol = entry.symbol
        self.refs[id(e)] = symbol
        if isinstance(symbol, BuiltinFunction):
            return self._builtin(e, symbol, ctx, hint)
        assert isinstance(symbol, FuncSymbol)
        return self._func(e, symbol, ctx, hint)

    def _unknown_function(self, e: A.Call, ctx: "Context") -> None:
        name = e.func.text
        other = ctx.scope.lookup(name)
        symbol = other.symbol if other is not None else None
        if isinstance(symbol, (OpSymbol, EventSymbol)):
            self.report.error(C.UNKNOWN_FUNCTION, f"`{name}` is {describe(symbol)}; specs cannot "
                              "call operations or events", e.func.span,
                              "state its effect with a `func`, or refer to its result")
        elif isinstance(symbol, RecordSymbol):
            self.report.error(C.UNKNOWN_FUNCTION, f"`{name}` is a record type, not a function",
                              e.func.span, f"construct it with `{name}{{field: value, ...}}`")
        elif symbol is not None:
            self.report.error(C.UNKNOWN_FUNCTION, f"`{name}` is {describe(symbol)}, not a "
                              "function", e.func.span)
        elif not ctx.scope.is_broken():
            self.report.error(C.UNKNOWN_FUNCTION, f"unknown function `{name}`", e.func.span,
                              did_you_mean(name, ctx.scope.visible(is_callable)))

    def _builtin(self, e: A.Call, fn: BuiltinFunction, ctx: "Context",
                      hint: Type | None) -> Type:
        if len(e.args) != fn.arity:
            self.report.error(C.BAD_ARITY, f"`{fn.name}` takes {fn.arity} argument"
                              f"{'s' * (fn.arity != 1)}, not {len(e.args)}", e.span,
                              f"the signature is {fn.signature}")
            for arg in e.args:
                self.checker.synth(arg, ctx)
            return ERROR
        args: list[Type] = []
        for i, arg in enumerate(e.args):
            arg_hint = fn.arg_hint(hint, i) if fn.arg_hint else None
            if arg_hint is None and i > 0:
                arg_hint = args[0]  # min(x, 3): the literal takes x's type
            args.append(self.checker.synth(arg, ctx, arg_hint))
        if any(isinstance(a, ErrorType) for a in args):
            return ERROR
        result = fn.rule(tuple(args))
        if isinstance(result, str):
            self.report.error(C.TYPE_MISMATCH, result, e.span, f"the signature is {fn.signature}")
            return ERROR
        return result

    def _func(self, e: A.Call, fn: FuncSymbol, ctx: "Context", hint: Type | None) -> Type:
        signature = _func_signature(fn)
        if len(e.args) != len(fn.params):
            self.report.error(C.BAD_ARITY, f"`{fn.name}` takes {len(fn.params)} argument"
                              f"{'s' * (len(fn.params) != 1)}, not {len(e.args)}", e.span,
                              f"the signature is {signature}")
            for arg in e.args:
                self.checker.synth(arg, ctx)
            return ERROR
        params = frozenset(fn.type_params)
        bindings: dict[TypeParam, Type] = {}
        if hint is not None and params:
            unify(fn.result, hint, params, bindings)
        for i, (arg, param) in enumerate(zip(e.args, fn.params)):
            want = _instance(param.type, fn.type_params, bindings)
            got = self.checker.synth(arg, ctx, want)
            what = f"argument {i + 1} of `{fn.name}`"
            if not params:
                if not compatible(want, got):
                    self.checker.mismatch(arg.span, want, got, what)
            elif not unify(param.type, got, params, bindings):
                self.checker.mismatch(arg.span, _instance(param.type, fn.type_params, bindings),
                                      got, what)
        return _instance(fn.result, fn.type_params, bindings)

    def record(self, e: A.RecordLit, ctx: "Context", hint: Type | None) -> Type:
        name = e.type_name.text
        entry = ctx.scope.lookup(name)
        symbol = entry.symbol if entry is not None else None
        if not isinstance(symbol, RecordSymbol):
            if symbol is None and not ctx.scope.is_broken():
                self.report.error(C.UNKNOWN_TYPE, f"unknown record type `{name}`",
                                  e.type_name.span,
                                  did_you_mean(name, ctx.scope.visible(_is_record)))
            elif symbol is not None and not isinstance(symbol, UnresolvedSymbol):
                self.report.error(C.TYPE_MISMATCH, f"`{name}` is {describe(symbol)}, not a record",
                                  e.type_name.span)
            for init in e.fields:
                self.checker.synth(init.value, ctx)
            return ERROR
        self.refs[id(e)] = symbol
        params = frozenset(symbol.type_params)
        bindings: dict[TypeParam, Type] = {}
        if isinstance(hint, RecordType) and hint.symbol is symbol:
            bindings.update(zip(symbol.type_params, hint.args))
        seen: dict[str, A.FieldInit] = {}
        for init in e.fields:
            field = init.name.text
            if field not in symbol.fields:
                self.report.error(C.UNKNOWN_FIELD, f"`{name}` has no field `{field}`",
                                  init.name.span, did_you_mean(field, symbol.fields,
                                                               "its fields: "
                                                               + listing(symbol.fields)))
                self.checker.synth(init.value, ctx)
                continue
            if field in seen:
                self.report.error(C.UNKNOWN_FIELD, f"field `{field}` is given twice",
                                  init.name.span, "give every field exactly once")
                self.checker.synth(init.value, ctx)
                continue
            seen[field] = init
            declared = symbol.fields[field]
            want = _instance(declared, symbol.type_params, bindings)
            got = self.checker.synth(init.value, ctx, want)
            ok = (unify(declared, got, params, bindings) if params
                  else compatible(declared, got))
            if not ok:
                self.checker.mismatch(init.value.span, want, got, f"field `{field}`")
        missing = [f for f in symbol.fields if f not in seen]
        if missing:
            listed = ", ".join(f"`{f}`" for f in missing)
            self.report.error(C.UNKNOWN_FIELD, f"`{name}{{...}}` leaves out field"
                              f"{'s' * (len(missing) != 1)} {listed}", e.span,
                              "give every field exactly once: " + name + "{" +
                              ", ".join(f"{f}: ..." for f in symbol.fields) + "}")
        args = tuple(bindings.get(p, ANY) for p in symbol.type_params)
        return RecordType(symbol, args)


def _instance(t: Type, params: tuple[TypeParam, ...], bindings: dict[TypeParam, Type]) -> Type:
    """`t` with the type parameters bound so far substituted, and the others unknown."""
    return substitute(t, {p: bindings.get(p, ANY) for p in params}) if params else t


def _is_record(symbol: object) -> bool:
    return isinstance(symbol, RecordSymbol)


def _func_signature(fn: FuncSymbol) -> str:
    params = ", ".join(f"{p.name}: {p.type}" for p in fn.params)
    generic = f"<{', '.join(p.name for p in fn.type_params)}>" if fn.type_params else ""
    return f"{fn.name}{generic}({params}) -> {fn.result}"


__all__ = ["CallTyping", "is_callable"]
