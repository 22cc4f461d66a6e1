"""The Python statements that check an Ebb's contract (a plan from `_compile_plan`).

`Sections` turns a plan into statement lists over mangled locals (see `_compile_expr`), shared
by the two consumers: the environment-dict API of `CompiledOp` (`_compile`) and the wrappers
that `enforce` generates (`_enforce`), which inline the same statements in the hot path.

The statements follow docs/language.md's "How an operation runs":
- pre (the caller's duty): each `requires`; for an event its guard, then its core;
- conditions, read in the pre-state: `_c<i>` for each `checked requires`, `_t<i>` for each
  `throws ... when`;
- normal return: no condition demanded a throw, then `returns`, `ensures`, `cases` (each arm
  whose condition holds has its effects; `complete`: some arm holds; `disjoint`: at most one);
- throw: the exception is one a condition allows (`_judge`); a `throws` with `ensures Q` has Q,
  a throw without one (and a failed `checked requires`) left the whole model as it was;
- either way, the frame (fields not in `modifies`) is unchanged, and the invariants hold.

A check that fails calls `_fail(clause index, op, {shown name: value}, detail, error)`, which
raises `ContractViolation`; a clause with no value (a partial operation) or whose evaluation
breaks on a value of the wrong shape calls it with the error: violations never escape as raw
KeyError or ZeroDivisionError. The values dict is built only on that cold path.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..spec import ast as A
from ._compile_code import call, const, name, store, tuple_
from ._compile_expr import ExprCompiler
from ._compile_plan import EbbPlan, OpPlan
from ._contract_error import Clause


@dataclass
class Section:
    stmts: list[ast.stmt] = field(default_factory=list)
    reads: dict[str, str] = field(default_factory=dict)  # local -> shown name

    def add(self, stmts: list[ast.stmt], reads: dict[str, str]) -> None:
        self.stmts += stmts
        for k, v in reads.items():
            self.reads.setdefault(k, v)


def values_dict(reads: dict[str, str]) -> ast.Dict:
    return ast.Dict(keys=[const(shown) for shown in reads.values()],
                    values=[name(py) for py in reads])


class Sections:
    """Statement lists for a plan, compiled with one `ExprCompiler`. `op` is the Python
    expression naming the op in violations (a constant, or a variable for invariants).

    `protected`: each check catches its own evaluation errors (the clause has no value) and
    reports them as its violation. The hot path of `enforce` uses unprotected statements
    inside one `try` per phase instead, and replays the phase with protected checks on the
    cold path to find the clause (`_enforce`): a `try` per clause costs a few percent."""

    def __init__(self, plan: EbbPlan, index: dict[int, int], compiler: ExprCompiler,
                 protected: bool = True) -> None:
        self.plan = plan
        self.index = index
        self.compiler = compiler
        self.protected = protected

    # ------------------------------------------------------------------ building blocks
    def fail(self, clause: Clause, op: ast.expr, reads: dict[str, str],
             detail: str = "", error: ast.expr | None = None) -> ast.stmt:
        return ast.Expr(call("_fail", const(self.index[id(clause)]), op, values_dict(reads),
                             const(detail), error or const(None)))

    def protect(self, body: list[ast.stmt], clause: Clause, op: ast.expr,
                reads: dict[str, str]) -> ast.Try:
        """`body`, with a clause that has no value (or breaks) reported as its violation."""
        return ast.Try(body=body, handlers=[
            ast.ExceptHandler(type=name("_h_ContractViolation"), name=None,
                              body=[ast.Raise(exc=None, cause=None)]),
            ast.ExceptHandler(type=name("_h_Exception"), name="_u",
                              body=[self.fail(clause, op, reads, error=name("_u"))]),
        ], orelse=[], finalbody=[])

    def check(self, clause: Clause, e: A.Expr, op: ast.expr, *, pre_state: bool = False,
              detail: str = "") -> Section:
        compiled = self.compiler.compile(e, pre_state=pre_state)
        return self._check(clause, compiled.node, compiled.reads, op, detail)

    def _check(self, clause: Clause, test: ast.expr, reads: dict[str, str], op: ast.expr,
               detail: str = "") -> Section:
        failing = ast.If(test=ast.UnaryOp(op=ast.Not(), operand=test),
                         body=[self.fail(clause, op, reads, detail)], orelse=[])
        if not self.protected:
            return Section([failing], dict(reads))
        return Section([self.protect([failing], clause, op, reads)], dict(reads))

    def assign(self, target: str, clause: Clause, e: A.Expr, op: ast.expr, *,
               pre_state: bool) -> Section:
        compiled = self.compiler.compile(e, pre_state=pre_state)
        stmt = ast.Assign(targets=[store(target)], value=compiled.node)
        if not self.protected:
            return Section([stmt], dict(compiled.reads))
        return Section([self.protect([stmt], clause, op, compiled.reads)],
                       dict(compiled.reads))

    def unchanged(self, clause: Clause, fields: list[str], op: ast.expr,
                  detail: str) -> Section:
        section = Section()
        for f in fields:
            reads = {f"v_{f}": f, f"o_{f}": f"old({f})"}
            test = ast.Compare(left=name(f"v_{f}"), ops=[ast.Eq()],
                               comparators=[name(f"o_{f}")])
            section.add(self._check(clause, test, reads, op, detail).stmts, reads)
        return section

    # ------------------------------------------------------------------ sections
    def pre(self, p: OpPlan, op: ast.expr) -> Section:
        """The caller's duty: `requires` (an event's guard), then an event's core."""
        section = Section()
        for clause, e in p.requires:
            s = self.check(clause, e, op, pre_state=True)
            section.add(s.stmts, s.reads)
        if p.core is not None:
            clause, e = p.core
            compiled = self.compiler.compile(e, pre_state=True)
            reads = {**compiled.reads, "v_this_core": "this_core"}
            test = ast.Compare(left=compiled.node, ops=[ast.Eq()],
                               comparators=[name("v_this_core")])
            s = self._check(clause, test, reads, op)
            section.add(s.stmts, s.reads)
        return section

    def conditions(self, p: OpPlan, op: ast.expr, *, with_throws: bool) -> Section:
        """`_c<i>` (each checked requires holds) and `_t<i>` (each throws condition holds)."""
        section = Section()
        for i, (clause, e) in enumerate(p.checked):
            s = self.assign(f"_c{i}", clause, e, op, pre_state=True)
            section.add(s.stmts, s.reads)
        if with_throws:
            for i, t in enumerate(p.throws):
                s = self.assign(f"_t{i}", t.clause, t.when, op, pre_state=True)
                section.add(s.stmts, s.reads)
        return section

    @staticmethod
    def outcomes(p: OpPlan, *, with_throws: bool) -> ast.Tuple:
        items: list[ast.expr] = [name(f"_c{i}") for i in range(len(p.checked))]
        items += [name(f"_t{i}") if with_throws else const(None) for i in range(len(p.throws))]
        return tuple_(items)

    @staticmethod
    def demanded(p: OpPlan, *, with_throws: bool) -> ast.expr | None:
        """True when some condition demands a throw (None: no condition can)."""
        tests: list[ast.expr] = [ast.UnaryOp(op=ast.Not(), operand=name(f"_c{i}"))
                                 for i in range(len(p.checked))]
        if with_throws:
            tests += [name(f"_t{i}") for i in range(len(p.throws))]
        if not tests:
            return None
        return tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.Or(), values=tests)

    def judge(self, p: OpPlan, raised: ast.expr, threw: ast.expr, reads: dict[str, str], *,
              with_throws: bool) -> ast.Call:
        """`_judge(op key, declared name or None, what was thrown or None, outcomes, values)`:
        raises the violation; True when an undeclared exception was thrown and nothing
        demanded one (the caller lets it through)."""
        return call("_judge", const(p.key), raised, threw, self.outcomes(p, with_throws=with_throws),
                    values_dict(reads))

    def normal(self, p: OpPlan, op: ast.expr, condition_reads: dict[str, str], *,
               with_throws: bool = True) -> Section:
        """After a normal return: no throw was demanded; returns, ensures, cases."""
        section = Section()
        demanded = self.demanded(p, with_throws=with_throws)
        if demanded is not None:
            section.add([ast.If(test=demanded, body=[ast.Expr(self.judge(
                p, const(None), const(None), condition_reads, with_throws=with_throws))],
                orelse=[])], condition_reads)
        if not with_throws:
            return section
        for clause, e in p.returns:
            section.add(*self._returns(p, clause, e, op))
        for clause, e in p.ensures:
            s = self.check(clause, e, op)
            section.add(s.stmts, s.reads)
        if p.arms:
            s = self.cases(p, op)
            section.add(s.stmts, s.reads)
        return section

    def _returns(self, p: OpPlan, clause: Clause, e: A.Expr,
                 op: ast.expr) -> tuple[list[ast.stmt], dict[str, str]]:
        compiled = self.compiler.compile(e)
        result = f"v_{p.results[0]}"
        reads = {result: p.results[0], **compiled.reads}
        test = ast.Compare(left=name(result), ops=[ast.Eq()], comparators=[compiled.node])
        s = self._check(clause, test, reads, op)
        return s.stmts, s.reads

    def cases(self, p: OpPlan, op: ast.expr) -> Section:
        section = Section()
        when_reads: dict[str, str] = {}
        for i, arm in enumerate(p.arms):
            s = self.assign(f"_a{i}", arm.clause, arm.when, op, pre_state=False)
            section.add(s.stmts, s.reads)
            when_reads.update(s.reads)
        holds = [name(f"_a{i}") for i in range(len(p.arms))]
        if p.complete is not None:
            test = holds[0] if len(holds) == 1 else ast.BoolOp(op=ast.Or(), values=holds)
            section.add(self._check(p.complete, test, when_reads, op,
                                    "no case's condition holds").stmts, when_reads)
        if p.disjoint is not None and len(holds) > 1:
            test = ast.Compare(left=call("_h_count", tuple_(holds)), ops=[ast.LtE()],
                               comparators=[const(1)])
            section.add(self._check(p.disjoint, test, when_reads, op,
                                    "more than one case's condition holds").stmts, when_reads)
        for i, arm in enumerate(p.arms):
            effects = Section()
            for clause, e, is_returns in arm.effects:
                if is_returns:
                    effects.add(*self._returns(p, clause, e, op))
                else:
                    s = self.check(clause, e, op)
                    effects.add(s.stmts, s.reads)
            if effects.stmts:
                section.add([ast.If(test=name(f"_a{i}"), body=effects.stmts, orelse=[])],
                            effects.reads)
        return section

    def raised(self, p: OpPlan, op: ast.expr) -> Section:
        """After a throw `_raised` that a condition allowed: a `throws ... ensures Q` has Q,
        any other throw left the model as it was."""
        section = Section()
        every = list(self.plan.model)
        for i, (clause, _) in enumerate(p.checked):
            test = ast.BoolOp(op=ast.And(), values=[
                ast.Compare(left=name("_raised"), ops=[ast.Eq()],
                            comparators=[const(clause.exception)]),
                ast.UnaryOp(op=ast.Not(), operand=name(f"_c{i}"))])
            body = self.unchanged(clause, every, op, f"threw {clause.exception}, which must "
                                  "leave the model unchanged")
            if body.stmts:
                section.add([ast.If(test=test, body=body.stmts, orelse=[])], body.reads)
        for i, t in enumerate(p.throws):
            test = ast.BoolOp(op=ast.And(), values=[
                ast.Compare(left=name("_raised"), ops=[ast.Eq()],
                            comparators=[const(t.clause.exception)]), name(f"_t{i}")])
            if t.ensures is not None:
                assert t.ensures_clause is not None
                body = self.check(t.ensures_clause, t.ensures, op)
            else:
                body = self.unchanged(t.clause, every, op, f"threw {t.clause.exception}, which "
                                      "(without `ensures`) must leave the model unchanged")
            if body.stmts:
                section.add([ast.If(test=test, body=body.stmts, orelse=[])], body.reads)
        return section

    def frame(self, p: OpPlan, op: ast.expr) -> Section:
        section = Section()
        for f, clause in p.frame.items():
            s = self.unchanged(clause, [f], op, f"`{f}` is not in `{p.name}`'s modifies clause")
            section.add(s.stmts, s.reads)
        return section

    def invariants(self, op: ast.expr, *, pre_state: bool = False) -> Section:
        section = Section()
        for clause, e in self.plan.invariants:
            s = self.check(clause, e, op, pre_state=pre_state,
                           detail="before the call" if pre_state else "")
            section.add(s.stmts, s.reads)
        return section


__all__ = ["Section", "Sections", "values_dict"]
