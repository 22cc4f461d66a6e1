"""An Ebb's contract as a plan: for each op and event, the clauses to check.

`plan_ebb` reads the checked spec once: each clause gets its `Clause` record (what violations
report) and a global index (what generated code passes to `_fail`); each op and event records
the exceptions it declares and the model fields it must leave alone (its frame). Events check
their guard like a `requires` (kind `when`) and their core against `this_core` (kind `on core`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..spec import ast as A
from ..spec._printer import format_expr, format_type
from ..spec._symbols import EbbSymbol, EventSymbol, OpSymbol
from ._contract_error import Clause

INVALID_ARGUMENT = "InvalidArgument"  # what `checked requires P` throws when it names nothing


@dataclass
class Throws:
    clause: Clause
    when: A.Expr
    ensures: A.Expr | None
    ensures_clause: Clause | None


@dataclass
class Arm:
    clause: Clause  # its condition
    when: A.Expr
    effects: list[tuple[Clause, A.Expr, bool]]  # (clause, expression, is a `returns`)


@dataclass
class OpPlan:
    """What to check for one op or event."""
    name: str
    symbol: OpSymbol | EventSymbol
    key: int                                  # its position in the Ebb's plan
    is_event: bool
    params: tuple[str, ...]
    results: tuple[str, ...]
    clauses: list[Clause] = field(default_factory=list)
    requires: list[tuple[Clause, A.Expr]] = field(default_factory=list)
    core: tuple[Clause, A.Expr] | None = None
    checked: list[tuple[Clause, A.Expr]] = field(default_factory=list)
    throws: list[Throws] = field(default_factory=list)
    returns: list[tuple[Clause, A.Expr]] = field(default_factory=list)
    ensures: list[tuple[Clause, A.Expr]] = field(default_factory=list)
    arms: list[Arm] = field(default_factory=list)
    complete: Clause | None = None
    disjoint: Clause | None = None
    frame: dict[str, Clause] = field(default_factory=dict)  # unchanged field -> its clause
    results_clause: Clause | None = None

    @property
    def exceptions(self) -> tuple[str, ...]:
        names = [c.exception for c, _ in self.checked] + [t.clause.exception for t in self.throws]
        return tuple(dict.fromkeys(n for n in names if n))

    @property
    def judged(self) -> list[Clause]:
        """The clauses `_judge` weighs, in the order of the outcomes tuple."""
        return [c for c, _ in self.checked] + [t.clause for t in self.throws]


@dataclass
class EbbPlan:
    ebb: EbbSymbol
    model: tuple[str, ...]
    ops: dict[str, OpPlan]
    events: dict[str, OpPlan]
    invariants: list[tuple[Clause, A.Expr]]
    clauses: list[Clause]  # every clause; a clause's place here is its global index

    @property
    def members(self) -> list[OpPlan]:
        return [*self.ops.values(), *self.events.values()]


class _Planner:
    def __init__(self, ebb: EbbSymbol) -> None:
        self.ebb = ebb
        self.clauses: list[Clause] = []
        self.index: dict[int, int] = {}  # id(Clause) -> global index

    def clause(self, plan: OpPlan | None, kind: str, text: str, label: str | None,
               span: object, exception: str | None = None) -> Clause:
        own = plan.clauses if plan is not None else self.clauses
        c = Clause(self.ebb.name, plan.name if plan else "", kind, len(own), text, label or "",
                   span, exception)  # type: ignore[arg-type]
        self.index[id(c)] = len(self.clauses)
        self.clauses.append(c)
        if plan is not None:
            plan.clauses.append(c)
        return c

    def op(self, symbol: OpSymbol, key: int) -> OpPlan:
        decl = symbol.decl
        plan = OpPlan(symbol.name, symbol, key, False, tuple(p.name for p in symbol.params),
                      tuple(r.name for r in symbol.results))
        modifies: set[str] | None = set()
        modifies_span = None
        for c in decl.clauses:
            if isinstance(c, A.Requires):
                plan.requires.append((self.clause(plan, "requires", format_expr(c.expr), c.doc,
                                                  c.span), c.expr))
            elif isinstance(c, A.CheckedRequires):
                exc = c.exception.text if c.exception else INVALID_ARGUMENT
                plan.checked.append((self.clause(plan, "checked requires", format_expr(c.expr),
                                                 c.doc, c.span, exc), c.expr))
            elif isinstance(c, A.Throws):
                exc = c.exception.text
                when = self.clause(plan, "throws", format_expr(c.when), c.doc, c.span, exc)
                after = None
                if c.ensures is not None:
                    after = self.clause(plan, "ensures", format_expr(c.ensures),
                                        f"after throwing {exc}", c.ensures.span, exc)
                plan.throws.append(Throws(when, c.when, c.ensures, after))
            elif isinstance(c, A.Ensures):
                plan.ensures.append((self.clause(plan, "ensures", format_expr(c.expr), c.doc,
                                                 c.span), c.expr))
            elif isinstance(c, A.Returns):
                plan.returns.append((self.clause(plan, "returns", format_expr(c.expr), c.doc,
                                                 c.span), c.expr))
            elif isinstance(c, A.Cases):
                self.cases(plan, c)
            elif isinstance(c, A.Modifies):
                assert modifies is not None
                modifies.update(i.text for i in c.names)
                modifies_span = modifies_span or c.span
            elif isinstance(c, A.Pure):
                modifies_span = modifies_span or c.span
        if symbol.results:
            shape = ", ".join(f"{r.name}: {format_type(p.type)}"
                              for r, p in zip(symbol.results, decl.results.params))  # type: ignore[union-attr]
            plan.results_clause = self.clause(plan, "returns", f"-> ({shape})",
                                              "the result's shape", decl.results.span)  # type: ignore[union-attr]
        self.frame(plan, modifies, modifies_span or symbol.span)
        return plan

    def cases(self, plan: OpPlan, c: A.Cases) -> None:
        for arm in c.arms:
            label = f"case {arm.name.text}" + (f": {arm.doc}" if arm.doc else "")
            when = self.clause(plan, "case", format_expr(arm.when), label, arm.span)
            effects = []
            for effect in arm.effects:
                kind = "returns" if isinstance(effect, A.Returns) else "ensures"
                effects.append((self.clause(plan, kind, format_expr(effect.expr), label,
                                            effect.span), effect.expr, kind == "returns"))
            plan.arms.append(Arm(when, arm.when, effects))
        names = ", ".join(arm.name.text for arm in c.arms)
        if c.complete:
            plan.complete = self.clause(plan, "case", "complete",
                                        f"some case holds on normal return: {names}", c.span)
        if c.disjoint:
            plan.disjoint = self.clause(plan, "case", "disjoint",
                                        f"at most one case holds: {names}", c.span)

    def frame(self, plan: OpPlan, modifies: set[str] | None, span: object) -> None:
        allowed = sorted(modifies or ())
        may = ", ".join(f"`{m}`" for m in allowed) or "nothing"
        for f in self.ebb.model:
            if f not in (modifies or ()):
                plan.frame[f] = self.clause(plan, "modifies", f"{f} == old({f})",
                                            f"`{plan.name}` may change {may}", span)

    def event(self, symbol: EventSymbol, key: int) -> OpPlan:
        decl = symbol.decl
        plan = OpPlan(symbol.name, symbol, key, True, tuple(p.name for p in symbol.params), ())
        if decl.guard is not None:
            plan.requires.append((self.clause(plan, "when", format_expr(decl.guard),
                                              "the event's guard", decl.guard.span), decl.guard))
        plan.core = (self.clause(plan, "on core", f"{format_expr(decl.core)} == this_core",
                                 "the core the event runs on", decl.core.span), decl.core)
        modifies: set[str] = set()
        modifies_span = None
        for c in decl.clauses:
            if isinstance(c, A.Modifies):
                modifies.update(i.text for i in c.names)
                modifies_span = modifies_span or c.span
            else:
                plan.ensures.append((self.clause(plan, "ensures", format_expr(c.expr), c.doc,
                                                 c.span), c.expr))
        self.frame(plan, modifies, modifies_span or symbol.span)
        return plan


def plan_ebb(ebb: EbbSymbol) -> tuple[EbbPlan, dict[int, int]]:
    """The plan of `ebb`, and each clause's global index (by id of its `Clause`)."""
    planner = _Planner(ebb)
    invariants = []
    for member in ebb.decl.members:
        if isinstance(member, A.InvariantDecl):
            label = (member.name.text if member.name else "") + \
                (f": {member.doc}" if member.doc and member.name else member.doc or "")
            invariants.append((planner.clause(None, "invariant", format_expr(member.expr), label,
                                              member.span), member.expr))
    key = 0
    ops: dict[str, OpPlan] = {}
    events: dict[str, OpPlan] = {}
    for op in ebb.ops.values():
        ops[op.name] = planner.op(op, key)
        key += 1
    for ev in ebb.events.values():
        events[ev.name] = planner.event(ev, key)
        key += 1
    plan = EbbPlan(ebb, tuple(ebb.model), ops, events, invariants, planner.clauses)
    return plan, planner.index


__all__ = ["Arm", "EbbPlan", "INVALID_ARGUMENT", "OpPlan", "Throws", "plan_ebb"]
