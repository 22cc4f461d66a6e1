"""The rules of declarations: funcs, messages, and each member of an Ebb (model fields,
invariants, protocols, temporal properties, the refinement mapping). Operation and event clauses
are `_typecheck_clauses`'s; a refinement's operation signatures, `_typecheck_refines`'s.
"""

from __future__ import annotations

from . import _codes as C
from . import ast as A
from ._report import Reporter, did_you_mean
from ._resolve import Resolver
from ._scope import Scope
from ._symbols import (EbbSymbol, EventSymbol, FuncSymbol, HandleSymbol, ModuleSymbols,
                       OpSymbol, ProtocolSymbol, RefinesSymbol, UnresolvedSymbol, VarSymbol,
                       describe)
from ._typecheck_clauses import ClauseChecker
from ._typecheck_expr import Context, ExprChecker
from ._typecheck_refines import check_signatures
from ._types import (DURATION, ERROR, HandleType, Type, compatible,
                     substitute)

MAX_FIELD_NUMBER = 2 ** 29 - 1  # protobuf's limit, so messages map onto its wire format


class DeclChecker:
    def __init__(self, reporter: Reporter, resolver: Resolver, exprs: ExprChecker,
                 refs: dict[int, object]) -> None:
        self.report = reporter
        self.resolver = resolver
        self.exprs = exprs
        self.refs = refs
        self.clauses = ClauseChecker(exprs, reporter, refs)

    def symbol(self, decl: object) -> object:
        return self.resolver.symbol_of.get(id(decl))

    def check_module(self, msyms: ModuleSymbols) -> None:
        for item in msyms.module.items:
            if isinstance(item, A.FuncDecl):
                self.check_func(self.symbol(item))  # type: ignore[arg-type]
            elif isinstance(item, A.MessageDecl):
                self.check_message(item)
            elif isinstance(item, A.EbbDecl):
                self.check_ebb(self.symbol(item))  # type: ignore[arg-type]

    def check_func(self, fn: FuncSymbol) -> None:
        if fn.decl.body is None:
            return  # uninterpreted: only its signature is known
        assert fn.scope is not None
        ctx = Context(fn.scope, f"the body of `{fn.name}`")
        self.exprs.expect(fn.decl.body, ctx, fn.result, f"the body of `{fn.name}`")

    def check_message(self, decl: A.MessageDecl) -> None:
        first: dict[int, A.MessageField] = {}
        for f in decl.fields:
            if not 1 <= f.number <= MAX_FIELD_NUMBER:
                self.report.error(C.BAD_MESSAGE_FIELD, f"field number {f.number} of `{f.name.text}`"
                                  f" is outside 1..{MAX_FIELD_NUMBER}", f.span)
            elif f.number in first:
                self.report.error(C.BAD_MESSAGE_FIELD, f"field number {f.number} is already used "
                                  f"by `{first[f.number].name.text}`", f.span,
                                  "give every field its own number; never reuse a retired one")
            first.setdefault(f.number, f)

    # ------------------------------------------------------------------ ebbs
    def check_ebb(self, ebb: EbbSymbol) -> None:
        assert ebb.scope is not None
        labels: dict[str, A.Ident] = {}
        for member in ebb.decl.members:
            name = getattr(member, "name", None)
            if isinstance(member, (A.InvariantDecl, A.TemporalDecl)) and name is not None:
                if name.text in labels:
                    self.report.error(C.DUPLICATE, f"a property named `{name.text}` is already "
                                      "declared", name.span, f"the first is on line "
                                      f"{labels[name.text].span.line}; rename one of them")
                labels.setdefault(name.text, name)
            self._member(ebb, member)
        self.check_refines(ebb)

    def _member(self, ebb: EbbSymbol, member: object) -> None:
        assert ebb.scope is not None
        symbol = self.symbol(member)
        if isinstance(member, A.ModelDecl):
            if member.init is not None and isinstance(symbol, VarSymbol):
                ctx = Context(ebb.scope, "a model field's initial value", model=False)
                self.exprs.expect(member.init, ctx, symbol.type,
                                  f"the initial value of `{member.name.text}`")
        elif isinstance(member, A.InvariantDecl):
            self.exprs.condition(member.expr, Context(ebb.scope, "an invariant"), "an invariant")
        elif isinstance(symbol, OpSymbol):
            self.clauses.check_op(symbol, ebb)
        elif isinstance(symbol, EventSymbol):
            self.clauses.check_event(symbol, ebb)
        elif isinstance(member, A.ProtocolDecl):
            self.check_protocol(member, ebb)
        elif isinstance(member, A.TemporalDecl):
            self.check_temporal(member, ebb)
        elif isinstance(symbol, FuncSymbol):
            self.check_func(symbol)
        elif isinstance(member, A.MessageDecl):
            self.check_message(member)

    # ------------------------------------------------------------------ protocols
    def check_protocol(self, decl: A.ProtocolDecl, ebb: EbbSymbol) -> None:
        assert ebb.scope is not None
        name = decl.name.text
        entry = ebb.scope.lookup(name)
        handle = entry.symbol if entry is not None else None
        if not isinstance(handle, HandleSymbol):
            if not isinstance(handle, UnresolvedSymbol):
                what = f"`{name}` is {describe(handle)}" if handle else f"unknown type `{name}`"
                pool = ebb.scope.visible(lambda s: isinstance(s, HandleSymbol))
                self.report.error(C.BAD_PROTOCOL, f"{what}: a protocol is declared for a handle "
                                  "type", decl.name.span, did_you_mean(name, pool,
                                                                       "declare `handle "
                                                                       f"{name}`"))
            handle = None
        elif name in ebb.protocols:
            self.report.error(C.DUPLICATE, f"`{name}` already has a protocol", decl.name.span,
                              f"the first is on line {ebb.protocols[name].decl.span.line}; "
                              "merge them")
            handle = None
        else:
            self.refs[id(decl.name)] = handle
        states: dict[str, None] = {}
        transitions = []
        for t in decl.transitions:
            states.setdefault(t.source.text)
            states.setdefault(t.target.text)
            target = self.clauses.op_or_event(t.label, ebb)
            if target is None:
                continue
            if handle is not None and not any(isinstance(p.type, HandleType)
                                              and p.type.symbol is handle for p in target.params):
                self.report.error(C.BAD_PROTOCOL, f"`{target.name}` takes no `{name}` parameter, "
                                  "so it cannot move one between states", t.label.span)
            transitions.append((t.source.text, target, t.target.text))
        if decl.initial is not None and decl.initial.text not in states:
            self.report.error(C.BAD_PROTOCOL, f"initial state `{decl.initial.text}` is not a "
                              "state of any transition", decl.initial.span,
                              did_you_mean(decl.initial.text, states))
        if handle is not None:
            initial = decl.initial.text if decl.initial is not None else None
            ebb.protocols[name] = ProtocolSymbol(handle, decl, tuple(states), initial,
                                                 tuple(transitions))

    # ------------------------------------------------------------------ temporal properties
    def check_temporal(self, decl: A.TemporalDecl, ebb: EbbSymbol) -> None:
        assert ebb.scope is not None
        scope = Scope(ebb.scope, "binder")
        ctx = Context(scope, "a temporal property", runtime=True)
        f = decl.formula
        if isinstance(f, A.Always):
            self.exprs.condition(f.expr, ctx, "an `always` property")
        elif isinstance(f, A.NeverBefore):
            self._pattern(f.event, ebb, scope)
            self._pattern(f.before, ebb, scope)
            if f.offset is not None:
                self.exprs.expect(f.offset, ctx, DURATION, "the offset")
        else:
            self._pattern(f.trigger, ebb, scope)
            self._pattern(f.response, ebb, scope)
            if f.unless is not None:
                self._pattern(f.unless, ebb, scope)
            self.exprs.expect(f.low, ctx, DURATION, "the lower bound")
            self.exprs.expect(f.high, ctx, DURATION, "the upper bound")

    def _pattern(self, p: A.Pattern, ebb: EbbSymbol, scope: Scope) -> None:
        target = self.clauses.op_or_event(p.name, ebb)
        params: tuple[VarSymbol, ...] = ()
        if target is not None:
            self.refs[id(p)] = target
            params = target.params
            if len(p.binders) != len(params):
                self.report.error(C.BAD_ARITY, f"`{target.name}` has {len(params)} parameter"
                                  f"{'s' * (len(params) != 1)}; the pattern binds "
                                  f"{len(p.binders)}", p.span, "bind each parameter, or `_` to "
                                  "ignore one")
        for i, binder in enumerate(p.binders):
            if binder.text == "_":
                continue
            t: Type = params[i].type if i < len(params) else ERROR
            entry = scope.names.get(binder.text)
            if entry is not None and isinstance(entry.symbol, VarSymbol):
                earlier = entry.symbol
                self.refs[id(binder)] = earlier
                if not compatible(earlier.type, t):
                    self.report.error(C.TYPE_MISMATCH, f"`{binder.text}` is `{t}` here but "
                                      f"`{earlier.type}` where it was first bound", binder.span)
                continue
            var = VarSymbol(binder.text, t, "binder", binder.span, binder)
            self.refs[id(binder)] = var
            self.exprs.declare_binder(scope, binder, var)

    # ------------------------------------------------------------------ refinement
    def check_refines(self, ebb: EbbSymbol) -> None:
        r = ebb.decl.refines
        if r is None:
            return
        assert ebb.scope is not None
        target_name = r.target.name
        entry = ebb.scope.lookup(target_name.text)
        target = entry.symbol if entry is not None else None
        type_args = getattr(r.target, "args", ())  # a ranged type has none
        args = tuple(self.resolver.resolve_type(a, ebb.scope) for a in type_args)
        ctx = Context(ebb.scope, "a refinement mapping")
        if not isinstance(target, EbbSymbol) or target is ebb:
            if target is ebb:
                self.report.error(C.BAD_REFINES, f"`{ebb.name}` cannot refine itself",
                                  target_name.span)
            elif not isinstance(target, UnresolvedSymbol):
                what = describe(target) if target is not None else "not declared"
                pool = ebb.scope.visible(lambda s: isinstance(s, EbbSymbol))
                self.report.error(C.BAD_REFINES, f"`{target_name.text}` is "
                                  f"{what}: `refines` names another Ebb", target_name.span,
                                  did_you_mean(target_name.text, pool))
            for m in r.mappings:
                self.exprs.synth(m.expr, ctx)
            return
        self.refs[id(r.target)] = target
        if len(args) != len(target.type_params):
            self.report.error(C.WRONG_TYPE_ARGS, f"`{target.name}` takes "
                              f"{len(target.type_params)} type argument"
                              f"{'s' * (len(target.type_params) != 1)}, not {len(args)}",
                              r.target.span)
            args = tuple(ERROR for _ in target.type_params)
        substitution = dict(zip(target.type_params, args))
        mapped: dict[str, A.Mapping] = {}
        for m in r.mappings:
            field = m.name.text
            if field not in target.model:
                self.report.error(C.BAD_REFINES, f"`{target.name}` has no model field `{field}`",
                                  m.name.span, did_you_mean(field, target.model))
                self.exprs.synth(m.expr, ctx)
                continue
            if field in mapped:
                self.report.error(C.BAD_REFINES, f"`{field}` is mapped twice", m.name.span,
                                  f"the first mapping is on line {mapped[field].span.line}")
                self.exprs.synth(m.expr, ctx)
                continue
            mapped[field] = m
            self.refs[id(m)] = target.model[field]
            want = substitute(target.model[field].type, substitution)
            self.exprs.expect(m.expr, ctx, want, f"the mapping of `{field}`")
        missing = [f for f in target.model if f not in mapped]
        if missing:
            listed = ", ".join(f"`{f}`" for f in missing)
            self.report.error(C.BAD_REFINES, f"the refinement of `{target.name}` does not map "
                              f"{listed}", r.span, "map every model field of the refined Ebb: "
                              + ", ".join(f"{f} = ..." for f in missing))
        check_signatures(ebb, target, substitution, r, self.report)
        ebb.refines = RefinesSymbol(target, args, {f: m.expr for f, m in mapped.items()}, r)


__all__ = ["DeclChecker", "MAX_FIELD_NUMBER"]
