"""The rules of operation and event clauses.

Preconditions (`requires`, `checked requires`, `throws ... when`, `sync on`, complexity bounds)
see the parameters, the model and `now`/`this_core`. Postconditions (`ensures`, `returns`,
`throws ... ensures`, both parts of a case arm, an event's `ensures`) may also use `old(...)`
and the result names (not when throwing: there is no result then).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from . import _codes as C
from . import ast as A
from ._printer import format_expr
from ._report import Reporter, did_you_mean
from ._symbols import (EbbSymbol, EventSymbol, ExceptionSymbol, OpSymbol, UnresolvedSymbol,
                       describe)
from ._typecheck_expr import Context, ExprChecker
from ._types import is_integer, is_unknown

MEASURES = frozenset({"steps", "allocations"})


@dataclass
class _OpState:
    """What the clauses of one operation said so far (for rules spanning several clauses)."""
    pure: A.Pure | None = None
    modifies: list[A.Modifies] = field(default_factory=list)
    sync: A.Sync | None = None
    returns: A.Returns | None = None  # the operation's own `returns` clause
    cases: A.Cases | None = None
    arm_returns: list[tuple[A.CaseArm, A.Returns]] = field(default_factory=list)


class ClauseChecker:
    def __init__(self, exprs: ExprChecker, reporter: Reporter, refs: dict[int, object]) -> None:
        self.exprs = exprs
        self.report = reporter
        self.refs = refs

    # ------------------------------------------------------------------ operations
    def check_op(self, op: OpSymbol, ebb: EbbSymbol) -> None:
        assert op.scope is not None
        pre = Context(op.scope, "a requires clause", runtime=True)
        state = _OpState()
        for clause in op.decl.clauses:
            _CLAUSES[type(clause)](self, clause, op, ebb, pre, state)
        if state.pure is not None and state.modifies:
            self.report.error(C.MODIFIES_PURE, f"`{op.name}` is declared pure but modifies "
                              "model state", state.modifies[0].span)
        if state.returns is not None and state.arm_returns:
            names = list(dict.fromkeys(f"`{arm.name.text}`" for arm, _ in state.arm_returns))
            arms = f"case{'s' * (len(names) > 1)} {', '.join(names)}"
            self.report.error(C.CLAUSE_TWICE, f"`{op.name}` gives its result twice: in this "
                              f"returns clause and in {arms}", state.returns.span,
                              "keep one: drop this `returns`, or the `returns` of the arms")

    def _once(self, first: A.Returns | A.Cases | A.Sync | None, c: A.Returns | A.Cases | A.Sync,
              op: OpSymbol, keyword: str, fix: str) -> None:
        """Report `c` when the operation already has a clause `first` of the same kind."""
        if first is not None:
            self.report.error(C.CLAUSE_TWICE, f"`{op.name}` already has a {keyword} clause",
                              c.span, f"the first is on line {first.span.line}; {fix}")

    def _pure(self, c: A.Pure, op: OpSymbol, ebb: EbbSymbol, pre: Context, s: _OpState) -> None:
        s.pure = c

    def _requires(self, c: A.Requires, op: OpSymbol, ebb: EbbSymbol, pre: Context,
                  s: _OpState) -> None:
        self.exprs.condition(c.expr, pre, "a requires clause")

    def _checked(self, c: A.CheckedRequires, op: OpSymbol, ebb: EbbSymbol, pre: Context,
                 s: _OpState) -> None:
        self.exprs.condition(c.expr, pre.inner(clause="a checked requires clause"),
                             "a checked requires clause")
        if c.exception is not None:
            self.exception(c.exception, pre)

    def _modifies(self, c: A.Modifies, op: OpSymbol | EventSymbol, ebb: EbbSymbol,
                  pre: Context, s: _OpState | None = None) -> None:
        if s is not None:
            s.modifies.append(c)
        for ident in c.names:
            var = ebb.model.get(ident.text)
            if var is not None:
                self.refs[id(ident)] = var
                continue
            entry = pre.scope.lookup(ident.text)
            what = f" ({describe(entry.symbol)})" if entry is not None else ""
            self.report.error(C.UNKNOWN_MODEL, f"`{ident.text}` is not a model field of "
                              f"`{ebb.name}`{what}", ident.span,
                              did_you_mean(ident.text, ebb.model, "its model fields: "
                                           + (", ".join(f"`{m}`" for m in ebb.model) or "none")))

    def _ensures(self, c: A.Ensures, op: OpSymbol, ebb: EbbSymbol, pre: Context,
                 s: _OpState) -> None:
        self.exprs.condition(c.expr, _post(pre, "an ensures clause"), "an ensures clause")

    def _returns(self, c: A.Returns, op: OpSymbol, ebb: EbbSymbol, pre: Context,
                 s: _OpState | None = None) -> None:
        if s is not None:
            self._once(s.returns, c, op, "returns", "an operation has one result to give")
            s.returns = s.returns or c
        ctx = _post(pre, "a returns clause")
        if len(op.results) == 1:
            self.exprs.expect(c.expr, ctx, op.results[0].type, "the returned value")
            return
        self.exprs.synth(c.expr, ctx)
        if not op.results:
            self.report.error(C.TYPE_MISMATCH, f"`{op.name}` has no result to return", c.span,
                              f"declare one: `op {op.name}(...) -> T`")
        else:
            names = ", ".join(f"`{r.name}`" for r in op.results)
            self.report.error(C.TYPE_MISMATCH, f"`returns` needs a single result; `{op.name}` "
                              f"returns {names}", c.span,
                              "state each result in an ensures clause")

    def _throws(self, c: A.Throws, op: OpSymbol, ebb: EbbSymbol, pre: Context,
                s: _OpState) -> None:
        self.exception(c.exception, pre)
        self.exprs.condition(c.when, pre.inner(clause="a throws condition"), "a throws condition")
        if c.ensures is not None:
            ctx = _post(pre, "a throws ... ensures clause").inner(results=False)
            self.exprs.condition(c.ensures, ctx, "a throws ... ensures clause")

    def _cases(self, c: A.Cases, op: OpSymbol, ebb: EbbSymbol, pre: Context,
               s: _OpState) -> None:
        self._once(s.cases, c, op, "cases", "merge the arms into one `cases` clause")
        s.cases = s.cases or c
        flags: dict[str, A.Ident] = {}
        for flag in c.flags:
            if flag.text in flags:
                self.report.error(C.CLAUSE_TWICE, f"this `cases` clause already says "
                                  f"`{flag.text}`", flag.span, "write each flag once")
            flags.setdefault(flag.text, flag)
        first: dict[str, A.CaseArm] = {}
        for arm in c.arms:
            if arm.name.text in first:
                self.report.error(C.DUPLICATE, f"case `{arm.name.text}` is already declared",
                                  arm.name.span, f"the first is on line "
                                  f"{first[arm.name.text].name.span.line}; rename one of them")
            first.setdefault(arm.name.text, arm)
            self.exprs.condition(arm.when, _post(pre, "a case condition"), "a case condition")
            given: A.Returns | None = None
            for effect in arm.effects:
                if isinstance(effect, A.Returns):
                    if given is not None:
                        self.report.error(C.CLAUSE_TWICE, f"case `{arm.name.text}` already "
                                          "gives the result", effect.span, "keep one `returns`;"
                                          " state further facts with `ensures`")
                    else:
                        s.arm_returns.append((arm, effect))
                    given = given or effect
                    self._returns(effect, op, ebb, pre)
                else:
                    self.exprs.condition(effect.expr, _post(pre, "a case's ensures"),
                                         "a case's ensures")

    def _sync(self, c: A.Sync, op: OpSymbol, ebb: EbbSymbol, pre: Context,
              s: _OpState) -> None:
        self._once(s.sync, c, op, "sync", "keep one")
        s.sync = s.sync or c
        if c.on is not None:
            self.core_expr(c.on, pre.inner(clause="a sync clause"))
            if c.kind != "remote":
                self.report.error(C.NOT_GENERIC_CONTEXT, f"`sync {c.kind}` runs on the calling "
                                  "core, so it names no core", c.on.span,
                                  "drop `on core(...)`, or write `sync remote on core(...)`")
        elif c.kind == "remote":
            self.report.error(C.NOT_GENERIC_CONTEXT, "`sync remote` needs the core it runs on",
                              c.span, "write `sync remote on core(EXPR)`")
        for ident in c.with_:
            self.op_or_event(ident, ebb)

    def _complexity(self, c: A.Complexity, op: OpSymbol, ebb: EbbSymbol, pre: Context,
                    s: _OpState) -> None:
        ctx = pre.inner(clause="a complexity bound", misplaced=C.BAD_COMPLEXITY)
        for bound in c.bounds:
            t = self.exprs.synth(bound.expr, ctx)
            if not is_integer(t) and not is_unknown(t):
                self.report.error(C.BAD_COMPLEXITY, f"a complexity bound is an integer "
                                  f"expression, not `{t}`", bound.expr.span)
        self._measure(c.measure)

    def _measure(self, e: A.Expr) -> None:
        if isinstance(e, A.Name) and e.id in MEASURES:
            return
        if (isinstance(e, A.Call) and e.func.text == "calls" and len(e.args) == 1
                and isinstance(e.args[0], A.Name)):
            return
        if isinstance(e, A.Binary) and e.op in ("+", "*"):
            self._measure(e.left)
            self._measure(e.right)
            return
        self.report.error(C.BAD_COMPLEXITY, f"`{format_expr(e)}` is not a cost measure", e.span,
                          "measure `steps`, `allocations` or `calls(name)`, or a sum or product "
                          "of them")

    # ------------------------------------------------------------------ events
    def check_event(self, event: EventSymbol, ebb: EbbSymbol) -> None:
        assert event.scope is not None
        pre = Context(event.scope, "an event's core", runtime=True)
        self.core_expr(event.decl.core, pre)
        if event.decl.guard is not None:
            self.exprs.condition(event.decl.guard, pre.inner(clause="an event's guard"),
                                 "an event's guard")
        for clause in event.decl.clauses:
            if isinstance(clause, A.Modifies):
                self._modifies(clause, event, ebb, pre)
            else:
                self.exprs.condition(clause.expr, _post(pre, "an event's ensures"),
                                     "an event's ensures")

    # ------------------------------------------------------------------ shared
    def core_expr(self, e: A.Expr, ctx: Context) -> None:
        t = self.exprs.synth(e, ctx)
        if not is_integer(t) and not is_unknown(t):
            self.report.error(C.TYPE_MISMATCH, f"`core(...)` needs a core id, not `{t}`",
                              e.span, "give a `core` value, such as `this_core`")

    def exception(self, ident: A.Ident, ctx: Context) -> None:
        entry = ctx.scope.lookup(ident.text)
        symbol = entry.symbol if entry is not None else None
        if isinstance(symbol, ExceptionSymbol):
            self.refs[id(ident)] = symbol
        elif symbol is None:
            if not ctx.scope.is_broken():
                pool = ctx.scope.visible(lambda s: isinstance(s, ExceptionSymbol))
                self.report.error(C.UNKNOWN_EXCEPTION, f"unknown exception `{ident.text}`",
                                  ident.span, did_you_mean(ident.text, pool))
        elif not isinstance(symbol, UnresolvedSymbol):
            self.report.error(C.UNKNOWN_EXCEPTION, f"`{ident.text}` is {describe(symbol)}, not "
                              "an exception", ident.span)

    def op_or_event(self, ident: A.Ident, ebb: EbbSymbol) -> OpSymbol | EventSymbol | None:
        target = ebb.ops.get(ident.text) or ebb.events.get(ident.text)
        if target is None:
            pool = [*ebb.ops, *ebb.events]
            self.report.error(C.UNKNOWN_OP, f"`{ebb.name}` has no operation or event "
                              f"`{ident.text}`", ident.span, did_you_mean(ident.text, pool))
            return None
        self.refs[id(ident)] = target
        return target


def _post(pre: Context, clause: str) -> Context:
    return pre.inner(post=True, clause=clause)


_Rule = Callable[..., None]  # (checker, clause, op, ebb, pre-state context, op state)
_CLAUSES: dict[type, _Rule] = {
    A.Pure: ClauseChecker._pure, A.Requires: ClauseChecker._requires,
    A.CheckedRequires: ClauseChecker._checked, A.Modifies: ClauseChecker._modifies,
    A.Ensures: ClauseChecker._ensures, A.Returns: ClauseChecker._returns,
    A.Throws: ClauseChecker._throws, A.Cases: ClauseChecker._cases,
    A.Sync: ClauseChecker._sync, A.Complexity: ClauseChecker._complexity,
}

__all__ = ["ClauseChecker", "MEASURES"]
