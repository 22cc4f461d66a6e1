"""Name resolution: declarations become symbols, imports bind names, type expressions become
types, and every signature (fields, params, results, model types) is resolved.

Three steps, each over every loaded file before the next, because files import each other and
declarations may be used before they appear:

1. `declare_module`: a symbol for each declaration; Ebb members go into the Ebb's scope.
2. `bind_imports`: the module scope gets its own declarations and the imported ones, in source
   order, so the later of two bindings of a name is the duplicate (E201).
3. `resolve_module`: signatures. Bodies (expressions) are the type checker's.
"""

from __future__ import annotations

from typing import Callable, Mapping

from . import _codes as C
from . import ast as A
from ._builtins import is_builtin_name
from ._report import Reporter, did_you_mean
from ._scope import Scope
from ._span import Span
from ._symbols import (TYPE_SYMBOLS, AliasSymbol, BuiltinTypeSymbol, EbbSymbol, EnumSymbol,
                       EventSymbol, ExceptionSymbol, FuncSymbol, HandleSymbol, ModuleSymbols,
                       OpSymbol, RecordSymbol, TypeParamSymbol, UnresolvedSymbol, VarSymbol,
                       describe)
from ._types import ERROR, IntType, Type, TypeParam, EnumType, HandleType, RecordType


def _is_type(symbol: object) -> bool:
    return isinstance(symbol, TYPE_SYMBOLS) or isinstance(symbol, UnresolvedSymbol)


class Resolver:
    def __init__(self, reporter: Reporter, builtins: Scope, types: dict[int, Type]) -> None:
        self.report = reporter
        self.builtins = builtins
        self.types = types  # id(TypeExpr node) -> Type, shared with the type checker
        self.symbol_of: dict[int, object] = {}  # id(declaration node) -> its symbol

    # ------------------------------------------------------------------ step 1: declare
    def declare(self, scope: Scope, ident: A.Ident, symbol: object) -> bool:
        """Bind a declared name, refusing the names of built-in types, values and exceptions."""
        if is_builtin_name(ident.text):
            self.report.error(C.DUPLICATE, f"`{ident.text}` is a built-in name", ident.span,
                              f"`{ident.text}` is built in; choose another name")
            return False
        return scope.declare(ident.text, symbol, ident.span, self.report)

    def declare_module(self, module: A.Module) -> ModuleSymbols:
        scope = Scope(self.builtins, "module")
        msyms = ModuleSymbols(module.path, module, scope)
        for item in module.items:
            if isinstance(item, A.Import):
                continue
            symbol = self._make_symbol(item, scope, module.path)
            msyms.declared.setdefault(item.name.text, symbol)
            if isinstance(symbol, EbbSymbol):
                msyms.ebbs.setdefault(symbol.name, symbol)
        return msyms

    def _make_symbol(self, item: object, scope: Scope, path: str,
                     ebb: EbbSymbol | None = None) -> object:
        maker = _MAKERS[type(item)]
        symbol = maker(self, item, scope, path, ebb)
        self.symbol_of[id(item)] = symbol
        return symbol

    def _type_params(self, names: tuple[A.Ident, ...], scope: Scope) -> tuple[TypeParam, ...]:
        params = []
        for ident in names:
            param = TypeParam(ident.text, str(ident.span))
            self.declare(scope, ident, TypeParamSymbol(ident.text, param, ident.span))
            params.append(param)
        return tuple(params)

    def _record(self, decl: A.RecordDecl | A.MessageDecl, scope: Scope, path: str,
                ebb: EbbSymbol | None) -> RecordSymbol:
        inner = Scope(scope, "record")
        params = self._type_params(getattr(decl, "type_params", ()), inner)
        return RecordSymbol(decl.name.text, decl, params, {}, isinstance(decl, A.MessageDecl),
                            path, inner)

    def _enum(self, decl: A.EnumDecl, scope: Scope, path: str,
              ebb: EbbSymbol | None) -> EnumSymbol:
        seen: dict[str, Span] = {}
        for member in decl.members:
            if member.name.text in seen:
                self.report.error(C.DUPLICATE, f"enum `{decl.name.text}` already has a member "
                                  f"`{member.name.text}`", member.name.span,
                                  f"the first is on line {seen[member.name.text].line}")
            seen.setdefault(member.name.text, member.name.span)
        return EnumSymbol(decl.name.text, decl, tuple(seen), path)

    def _handle(self, decl: A.HandleDecl, scope: Scope, path: str,
                ebb: EbbSymbol | None) -> HandleSymbol:
        params = self._type_params(decl.type_params, Scope(scope, "handle"))
        return HandleSymbol(decl.name.text, decl, params, path)

    def _alias(self, decl: A.AliasDecl, scope: Scope, path: str,
               ebb: EbbSymbol | None) -> AliasSymbol:
        return AliasSymbol(decl.name.text, decl, module=path, scope=scope)

    def _exception(self, decl: A.ExceptionDecl, scope: Scope, path: str,
                   ebb: EbbSymbol | None) -> ExceptionSymbol:
        return ExceptionSymbol(decl.name.text, decl, path)

    def _func(self, decl: A.FuncDecl, scope: Scope, path: str,
              ebb: EbbSymbol | None) -> FuncSymbol:
        inner = Scope(scope, "func")
        params = self._type_params(decl.type_params, inner)
        return FuncSymbol(decl.name.text, decl, params, ebb=ebb, module=path, scope=inner)

    def _ebb(self, decl: A.EbbDecl, scope: Scope, path: str,
             ebb: EbbSymbol | None) -> EbbSymbol:
        inner = Scope(scope, "ebb")
        sym = EbbSymbol(decl.name.text, decl, path, decl.scope, scope=inner)
        sym.type_params = self._type_params(decl.type_params, inner)
        for member in decl.members:
            self._declare_member(sym, member, inner, path)
        return sym

    def _declare_member(self, ebb: EbbSymbol, member: object, scope: Scope, path: str) -> None:
        if isinstance(member, A.ModelDecl):
            var = VarSymbol(member.name.text, ERROR, "model", member.name.span, member)
            self.symbol_of[id(member)] = var
            if self.declare(scope, member.name, var):
                ebb.model[var.name] = var
        elif isinstance(member, A.OpDecl):
            op = OpSymbol(member.name.text, member, ebb=ebb, scope=Scope(scope, "op"))
            self.symbol_of[id(member)] = op
            if self.declare(scope, member.name, op):
                ebb.ops[op.name] = op
        elif isinstance(member, A.EventDecl):
            event = EventSymbol(member.name.text, member, ebb=ebb, scope=Scope(scope, "event"))
            self.symbol_of[id(member)] = event
            if self.declare(scope, member.name, event):
                ebb.events[event.name] = event
        elif type(member) in _MAKERS:
            symbol = self._make_symbol(member, scope, path, ebb)
            name: A.Ident = getattr(member, "name")
            if not self.declare(scope, name, symbol):
                return
            if isinstance(symbol, FuncSymbol):
                ebb.funcs[name.text] = symbol
            elif isinstance(symbol, ExceptionSymbol):
                ebb.exceptions[name.text] = symbol
            elif isinstance(symbol, TYPE_SYMBOLS):
                ebb.types[name.text] = symbol
        # invariants, protocols and temporal properties declare no names

    # ------------------------------------------------------------------ step 2: imports
    def bind_imports(self, msyms: ModuleSymbols,
                     targets: Mapping[int, ModuleSymbols | None]) -> None:
        """Fill the module scope: own declarations and imported names, in source order."""
        bindings: list[tuple[int, int, str, object, Span, A.Import | None]] = []
        for item in msyms.module.items:
            if not isinstance(item, A.Import):
                bindings.append((item.name.span.line, item.name.span.column, item.name.text,
                                 self.symbol_of[id(item)], item.name.span, None))
                continue
            target = targets.get(id(item))
            if target is None:
                msyms.scope.broken = True  # reported by the loader; don't cascade
                continue
            if not item.names:
                for name, symbol in target.declared.items():
                    bindings.append((item.span.line, item.span.column, name, symbol,
                                     item.span, item))
                continue
            for ident in item.names:
                symbol = target.declared.get(ident.text)
                if symbol is None:
                    self.report.error(C.IMPORT_UNKNOWN_NAME,
                                      f"\"{item.path}\" declares no `{ident.text}`", ident.span,
                                      did_you_mean(ident.text, target.declared))
                    symbol = UnresolvedSymbol(ident.text, ident.span)
                bindings.append((ident.span.line, ident.span.column, ident.text, symbol,
                                 ident.span, item))
        for _, _, name, symbol, span, via in sorted(bindings, key=lambda b: (b[0], b[1])):
            if via is None and is_builtin_name(name):
                self.report.error(C.DUPLICATE, f"`{name}` is a built-in name", span,
                                  f"`{name}` is built in; choose another name")
                continue
            msyms.scope.declare(name, symbol, span, self.report, via)

    # ------------------------------------------------------------------ step 3: signatures
    def resolve_module(self, msyms: ModuleSymbols) -> None:
        for item in msyms.module.items:
            if not isinstance(item, A.Import):
                self.resolve_symbol(self.symbol_of[id(item)])

    def resolve_symbol(self, symbol: object) -> None:
        if isinstance(symbol, RecordSymbol):
            self._resolve_fields(symbol)
        elif isinstance(symbol, AliasSymbol):
            self.alias_target(symbol)
        elif isinstance(symbol, FuncSymbol):
            self._resolve_func(symbol)
        elif isinstance(symbol, EbbSymbol):
            self._resolve_ebb(symbol)

    def _resolve_fields(self, record: RecordSymbol) -> None:
        assert record.scope is not None
        first: dict[str, Span] = {}
        for fdecl in record.decl.fields:
            name = fdecl.name.text
            if name in first:
                self.report.error(C.DUPLICATE, f"`{record.name}` already has a field `{name}`",
                                  fdecl.name.span, f"the first is on line {first[name].line}")
                continue
            first[name] = fdecl.name.span
            record.fields[name] = self.resolve_type(fdecl.type, record.scope)

    def _params(self, params: tuple[A.Param, ...], type_scope: Scope, into: Scope, kind: str,
                model: Mapping[str, VarSymbol]) -> tuple[VarSymbol, ...]:
        out = []
        for p in params:
            var = VarSymbol(p.name.text, self.resolve_type(p.type, type_scope),
                            "param" if kind == "parameter" else kind, p.name.span, p)
            if p.name.text in model:
                self.report.error(C.DUPLICATE, f"{kind} `{p.name.text}` has the name of a model "
                                  "field", p.name.span, f"the model field is declared on line "
                                  f"{model[p.name.text].span.line}; rename the {kind}")
            elif p.name.text == "_" or self.declare(into, p.name, var):
                pass
            out.append(var)
        return tuple(out)

    def _resolve_func(self, func: FuncSymbol) -> None:
        assert func.scope is not None
        model = func.ebb.model if func.ebb else {}
        func.params = self._params(func.decl.params, func.scope, func.scope, "parameter", model)
        func.result = self.resolve_type(func.decl.result, func.scope)

    def _resolve_ebb(self, ebb: EbbSymbol) -> None:
        assert ebb.scope is not None
        for member in ebb.decl.members:
            symbol = self.symbol_of.get(id(member))
            if isinstance(symbol, VarSymbol):
                symbol.type = self.resolve_type(member.type, ebb.scope)  # type: ignore[union-attr]
            elif isinstance(symbol, OpSymbol):
                assert symbol.scope is not None
                symbol.params = self._params(symbol.decl.params, ebb.scope, symbol.scope,
                                             "parameter", ebb.model)
                if symbol.decl.results is not None:
                    symbol.results = self._params(symbol.decl.results.params, ebb.scope,
                                                  symbol.scope, "result", ebb.model)
            elif isinstance(symbol, EventSymbol):
                assert symbol.scope is not None
                symbol.params = self._params(symbol.decl.params, ebb.scope, symbol.scope,
                                             "parameter", ebb.model)
            elif symbol is not None:
                self.resolve_symbol(symbol)

    # ------------------------------------------------------------------ types
    def alias_target(self, alias: AliasSymbol) -> Type:
        if alias.target is not None:
            return alias.target
        if alias.resolving:
            self.report.error(C.RECURSIVE_ALIAS, f"type alias `{alias.name}` refers to itself",
                              alias.decl.name.span)
            alias.target = ERROR
            return ERROR
        alias.resolving = True
        assert alias.scope is not None
        target = self.resolve_type(alias.decl.type, alias.scope)
        alias.resolving = False
        if alias.target is None:
            alias.target = target
        return alias.target

    def resolve_type(self, t: A.TypeExpr, scope: Scope) -> Type:
        result = self._ranged(t) if isinstance(t, A.RangedType) else self._named(t, scope)
        self.types[id(t)] = result
        return result

    def _ranged(self, t: A.RangedType) -> Type:
        name, low, high = t.name.text, t.low, t.high
        if name not in ("int", "nat"):
            self.report.error(C.BAD_RANGE, f"`{name}` cannot have a range", t.span,
                              "ranges apply to int and nat: write `int[low..high]`")
            return ERROR
        if name == "nat":
            if low is not None and low < 0:
                self.report.error(C.BAD_RANGE, f"a nat cannot start below 0 (`{low}`)", t.span,
                                  f"use `int[{low}..{'' if high is None else high}]`")
                return ERROR
            low = 0 if low is None else low
        if low is not None and high is not None and low > high:
            self.report.error(C.BAD_RANGE, f"empty range: {low} is greater than {high}", t.span)
            return ERROR
        return IntType(low, high, name)

    def _named(self, t: A.NamedType, scope: Scope) -> Type:
        name = t.name.text
        entry = scope.lookup(name, _is_type)
        if entry is None:
            other = scope.lookup(name)
            if other is not None:
                self._not_a_type(t, other.symbol)
            elif not scope.is_broken():
                self.report.error(C.UNKNOWN_TYPE, f"unknown type `{name}`", t.name.span,
                                  did_you_mean(name, scope.visible(_is_type)))
            self._resolve_args(t, scope)
            return ERROR
        symbol = entry.symbol
        if isinstance(symbol, UnresolvedSymbol):
            self._resolve_args(t, scope)
            return ERROR
        arity = _arity(symbol)
        args = self._resolve_args(t, scope)
        if len(args) != arity:
            self.report.error(C.WRONG_TYPE_ARGS, f"`{name}` takes {_count(arity, 'type argument')}"
                              f", not {len(args)}", t.span, _arity_hint(name, symbol))
            return ERROR
        return _instantiate(symbol, args, self)

    def _resolve_args(self, t: A.NamedType, scope: Scope) -> tuple[Type, ...]:
        return tuple(self.resolve_type(a, scope) for a in t.args)

    def _not_a_type(self, t: A.NamedType, symbol: object) -> None:
        name = t.name.text
        if isinstance(symbol, ExceptionSymbol):
            self.report.error(C.TYPE_MISMATCH, f"`{name}` is an exception, not a value type",
                              t.name.span, "exceptions are raised with `throws`; declare an enum "
                              "or record to hold a value")
        elif isinstance(symbol, EbbSymbol):
            self.report.error(C.TYPE_MISMATCH, f"`{name}` is an Ebb, not a value type",
                              t.name.span, "declare a `handle` type to refer to instances")
        else:
            self.report.error(C.UNKNOWN_TYPE, f"`{name}` is {describe(symbol)}, not a type",
                              t.name.span)


def _arity(symbol: object) -> int:
    if isinstance(symbol, BuiltinTypeSymbol):
        return symbol.arity
    if isinstance(symbol, (RecordSymbol, HandleSymbol)):
        return len(symbol.type_params)
    return 0


def _count(n: int, noun: str) -> str:
    return "no " + noun + "s" if n == 0 else f"{n} {noun}" + ("s" if n != 1 else "")


def _arity_hint(name: str, symbol: object) -> str:
    if isinstance(symbol, (RecordSymbol, HandleSymbol)) and symbol.type_params:
        return f"write `{name}<{', '.join(p.name for p in symbol.type_params)}>`"
    if isinstance(symbol, BuiltinTypeSymbol) and symbol.arity:
        return {"map": "write `map<K, V>`"}.get(name, f"write `{name}<T>`")
    return f"`{name}` is not generic: write `{name}`"


def _instantiate(symbol: object, args: tuple[Type, ...], resolver: Resolver) -> Type:
    if isinstance(symbol, BuiltinTypeSymbol):
        return symbol.make(*args)  # type: ignore[operator]
    if isinstance(symbol, RecordSymbol):
        return RecordType(symbol, args)
    if isinstance(symbol, HandleSymbol):
        return HandleType(symbol, args)
    if isinstance(symbol, EnumSymbol):
        return EnumType(symbol)
    if isinstance(symbol, AliasSymbol):
        return resolver.alias_target(symbol)
    assert isinstance(symbol, TypeParamSymbol)
    return symbol.param


_Maker = Callable[..., object]  # (resolver, declaration, scope, module path, ebb) -> symbol
_MAKERS: dict[type, _Maker] = {
    A.RecordDecl: Resolver._record,
    A.MessageDecl: Resolver._record,
    A.EnumDecl: Resolver._enum,
    A.HandleDecl: Resolver._handle,
    A.AliasDecl: Resolver._alias,
    A.ExceptionDecl: Resolver._exception,
    A.FuncDecl: Resolver._func,
    A.EbbDecl: Resolver._ebb,
}

__all__ = ["Resolver"]
