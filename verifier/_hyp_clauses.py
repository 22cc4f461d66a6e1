"""The clauses the Hypothesis engine checks, each with a stable id and its spec span.

One `HypClause` per thing that can be exercised and can fail, ids `Ebb.member.kind[.detail]`
like the prover's obligations:

| kind | per | exercised when |
|---|---|---|
| `initial` | model field with an initial value | an instance is created |
| `invariant` | invariant | after creation and after every step |
| `requires` / `guard` | op `requires` / event `when` | it holds at a call (the call is made) |
| `checked_requires` | `checked requires` | it is false at a call (the exception is due) |
| `throws` | `throws E when P` | `P` holds at a call |
| `ensures` / `returns` | clause | a normal return |
| `case` | arm of `cases` | a normal return where the arm's condition holds |
| `cases_complete` / `cases_disjoint` | flagged `cases` | a normal return |
| `frame` | op/event that leaves some field unmodified | every call |
| `outcome` | op/event | every call: results of the declared types, and no exception but those
  the clauses name (an event raises none) |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from ..spec import ast as A
from ..spec._printer import format_expr
from ..spec._span import Span
from ..spec._symbols import EbbSymbol, EventSymbol, OpSymbol
from ._ob_state import invariants_of, modified_fields

DEFAULT_EXCEPTION = "InvalidArgument"  # what `checked requires P` without `throws E` raises

Member = OpSymbol | EventSymbol


@dataclass(frozen=True)
class HypClause:
    """One checkable clause. `expr` is what is evaluated (the condition of a requires, guard,
    checked requires or throws; the body of an ensures, returns or invariant)."""
    id: str
    ebb: str
    member: str            # op or event name; the invariant's label; the model field
    kind: str
    text: str              # the clause as written (formatted)
    label: str             # its note, or name
    span: Span
    expr: A.Expr | None = field(default=None, compare=False, repr=False)
    exception: str = ""    # checked_requires and throws: the exception's name
    effect: A.Expr | None = field(default=None, compare=False, repr=False)  # throws ... ensures
    arm: A.CaseArm | None = field(default=None, compare=False, repr=False)

    @property
    def title(self) -> str:
        """`Timer.start: ensures `...``, for messages."""
        kind = self.kind.replace("_", " ")
        what = f"`{self.text}`" if self.text else f"({self.label})"
        return f"{self.ebb}.{self.member}: {kind} {what}"


@dataclass(eq=False)
class MemberClauses:
    """The clauses of one operation or event, by role."""
    symbol: Member
    is_event: bool
    preconditions: list[HypClause] = field(default_factory=list)   # requires or the guard
    checked: list[HypClause] = field(default_factory=list)
    throws: list[HypClause] = field(default_factory=list)
    ensures: list[HypClause] = field(default_factory=list)
    returns: list[HypClause] = field(default_factory=list)
    arms: list[HypClause] = field(default_factory=list)
    complete: HypClause | None = None
    disjoint: HypClause | None = None
    frame: HypClause | None = None
    outcome: HypClause | None = None
    runs_on: A.Expr | None = None      # events' `on core(e)`, ops' `sync remote on core(e)`
    modified: tuple[str, ...] = ()
    unmodified: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.symbol.name

    def all(self) -> list[HypClause]:
        singles = [self.complete, self.disjoint, self.frame, self.outcome]
        return [*self.preconditions, *self.checked, *self.throws, *self.ensures,
                *self.returns, *self.arms, *(c for c in singles if c is not None)]


@dataclass(eq=False)
class EbbClauses:
    ebb: EbbSymbol
    initial: list[HypClause]
    invariants: list[HypClause]
    members: dict[str, MemberClauses]

    @cached_property
    def all(self) -> list[HypClause]:
        """Every clause, in a stable order: initial values, invariants, then members in
        source order."""
        return [*self.initial, *self.invariants,
                *(c for m in self.members.values() for c in m.all())]

    @cached_property
    def by_id(self) -> dict[str, HypClause]:
        return {c.id: c for c in self.all}


_TEXTS: dict[int, tuple[A.Expr, str]] = {}


def expr_text(expr: A.Expr) -> str:
    """`format_expr(expr)`, computed once per node (messages are built on hot paths)."""
    cached = _TEXTS.get(id(expr))
    if cached is None or cached[0] is not expr:
        cached = (expr, format_expr(expr))
        _TEXTS[id(expr)] = cached
    return cached[1]


def ebb_clauses(ebb: EbbSymbol) -> EbbClauses:
    name = ebb.name
    initial = []
    for field_name, var in ebb.model.items():
        decl = var.decl
        init = getattr(decl, "init", None)
        if init is not None:
            initial.append(HypClause(f"{name}.initial.{field_name}", name, field_name, "initial",
                                     f"{field_name} = {format_expr(init)}",
                                     getattr(decl, "doc", None) or field_name, decl.span, init))
    invariants = [HypClause(f"{name}.invariant.{label}", name, label, "invariant",
                            format_expr(decl.expr), decl.doc or label, decl.span, decl.expr)
                  for label, decl in invariants_of(ebb)]
    members: list[Member] = sorted([*ebb.ops.values(), *ebb.events.values()],
                                   key=lambda m: (m.decl.span.start, m.name))
    return EbbClauses(ebb, initial, invariants,
                      {m.name: _member_clauses(ebb, m) for m in members})


class _Numbering:
    """Ids `Ebb.member.kind.n`, n counting from 1 per kind."""

    def __init__(self, ebb: str, member: str) -> None:
        self.ebb, self.member = ebb, member
        self.counts: dict[str, int] = {}

    def make(self, kind: str, text: str, label: str | None, span: Span, expr: A.Expr | None,
             detail: str | None = None, **extra: object) -> HypClause:
        if detail is None:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            detail = str(self.counts[kind])
        suffix = f".{detail}" if detail else ""
        return HypClause(f"{self.ebb}.{self.member}.{kind}{suffix}", self.ebb, self.member, kind,
                         text, label or text, span, expr, **extra)  # type: ignore[arg-type]


def _member_clauses(ebb: EbbSymbol, member: Member) -> MemberClauses:
    decl = member.decl
    is_event = isinstance(member, EventSymbol)
    out = MemberClauses(member, is_event)
    n = _Numbering(ebb.name, member.name)
    modified = modified_fields(member, ebb)
    out.modified = tuple(modified)
    out.unmodified = tuple(f for f in ebb.model if f not in modified)
    if isinstance(decl, A.EventDecl):
        out.runs_on = decl.core
        if decl.guard is not None:
            out.preconditions.append(n.make("guard", format_expr(decl.guard), None,
                                            decl.guard.span, decl.guard, detail=""))
    for clause in decl.clauses:
        add = _ADD.get(type(clause))
        if add is not None:
            add(out, n, clause)
    if out.unmodified:
        where = next((c.span for c in decl.clauses if isinstance(c, (A.Modifies, A.Pure))),
                     member.span)
        unchanged = ", ".join(out.unmodified)
        out.frame = n.make("frame", "", f"{unchanged} unchanged", where, None, detail="")
    what = ("returns without raising" if is_event else
            "returns results of its types, or raises an exception its clauses name")
    out.outcome = n.make("outcome", "", what, member.span, None, detail="")
    return out


def _requires(out: MemberClauses, n: _Numbering, c: A.Requires) -> None:
    out.preconditions.append(n.make("requires", format_expr(c.expr), c.doc, c.span, c.expr))


def _checked(out: MemberClauses, n: _Numbering, c: A.CheckedRequires) -> None:
    name = c.exception.text if c.exception is not None else DEFAULT_EXCEPTION
    out.checked.append(n.make("checked_requires", format_expr(c.expr), c.doc, c.span, c.expr,
                              exception=name))


def _throws(out: MemberClauses, n: _Numbering, c: A.Throws) -> None:
    text = f"{c.exception.text} when {format_expr(c.when)}"
    if c.ensures is not None:
        text += f" ensures {format_expr(c.ensures)}"
    out.throws.append(n.make("throws", text, c.doc, c.span, c.when, exception=c.exception.text,
                             effect=c.ensures))


def _ensures(out: MemberClauses, n: _Numbering, c: A.Ensures) -> None:
    out.ensures.append(n.make("ensures", format_expr(c.expr), c.doc, c.span, c.expr))


def _returns(out: MemberClauses, n: _Numbering, c: A.Returns) -> None:
    out.returns.append(n.make("returns", format_expr(c.expr), c.doc, c.span, c.expr))


def _cases(out: MemberClauses, n: _Numbering, c: A.Cases) -> None:
    for arm in c.arms:
        out.arms.append(n.make("case", f"{arm.name.text} when {format_expr(arm.when)}", arm.doc,
                               arm.span, arm.when, detail=arm.name.text, arm=arm))
    arms = ", ".join(a.name.text for a in c.arms)
    if c.complete:
        out.complete = n.make("cases_complete", "", f"one of {arms} applies", c.span, None,
                              detail="")
    if c.disjoint:
        out.disjoint = n.make("cases_disjoint", "", f"at most one of {arms} applies", c.span,
                              None, detail="")


def _sync(out: MemberClauses, n: _Numbering, c: A.Sync) -> None:
    if c.kind == "remote" and c.on is not None:
        out.runs_on = c.on


_ADD: dict[type, Callable[..., None]] = {
    A.Requires: _requires, A.CheckedRequires: _checked, A.Throws: _throws, A.Ensures: _ensures,
    A.Returns: _returns, A.Cases: _cases, A.Sync: _sync,
}

__all__ = ["DEFAULT_EXCEPTION", "EbbClauses", "HypClause", "MemberClauses", "ebb_clauses",
           "expr_text"]
