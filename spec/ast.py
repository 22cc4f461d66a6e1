"""The AST of the Ebb interface language.

Every node is a frozen dataclass whose last field is its `Span`. Spans never take part in
equality, so two parses of the same text formatted differently compare equal (the formatter's
round-trip test relies on this). Names that a diagnostic may point at are `Ident`s, which carry
their own span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ._span import NO_SPAN, Span


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)  # type: ignore[return-value]


@dataclass(frozen=True)
class Ident:
    text: str
    span: Span = _span()

    def __str__(self) -> str:
        return self.text


# ---------------------------------------------------------------------------- types

@dataclass(frozen=True)
class NamedType:
    """`K`, `bool`, `map<K, V>`, `Iter<K>`."""
    name: Ident
    args: tuple["TypeExpr", ...] = ()
    span: Span = _span()


@dataclass(frozen=True)
class RangedType:
    """`int[-5..5]`, `nat[0..11]`, `int[..100]`: an integer type with inclusive bounds."""
    name: Ident
    low: int | None
    high: int | None
    span: Span = _span()


TypeExpr = Union[NamedType, RangedType]


# ---------------------------------------------------------------------------- expressions

@dataclass(frozen=True)
class Name:
    id: str
    span: Span = _span()


@dataclass(frozen=True)
class IntLit:
    value: int
    text: str  # as written: 10 or 0x0a
    span: Span = _span()


@dataclass(frozen=True)
class DurationLit:
    amount: int
    unit: str  # ns, us, ms or s
    span: Span = _span()

    UNIT_NS = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}

    @property
    def nanoseconds(self) -> int:
        return self.amount * self.UNIT_NS[self.unit]


@dataclass(frozen=True)
class BytesLit:
    text: str  # the literal as written, b"..."
    span: Span = _span()


@dataclass(frozen=True)
class BoolLit:
    value: bool
    span: Span = _span()


@dataclass(frozen=True)
class NoneLit:
    span: Span = _span()


@dataclass(frozen=True)
class Old:
    """`old(e)`: the value of `e` in the pre-state (postconditions only)."""
    expr: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class Call:
    func: Ident
    args: tuple["Expr", ...]
    span: Span = _span()


@dataclass(frozen=True)
class FieldInit:
    name: Ident
    value: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class RecordLit:
    type_name: Ident
    fields: tuple[FieldInit, ...]
    span: Span = _span()


@dataclass(frozen=True)
class EmptyLit:
    """`{}`: the empty set or empty map, whichever the context needs."""
    span: Span = _span()


@dataclass(frozen=True)
class SetLit:
    elems: tuple["Expr", ...]
    span: Span = _span()


@dataclass(frozen=True)
class MapEntry:
    key: "Expr"
    value: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class MapLit:
    entries: tuple[MapEntry, ...]
    span: Span = _span()


@dataclass(frozen=True)
class SeqLit:
    elems: tuple["Expr", ...]
    span: Span = _span()


@dataclass(frozen=True)
class FieldAccess:
    obj: "Expr"
    field: Ident
    span: Span = _span()


@dataclass(frozen=True)
class Index:
    obj: "Expr"
    index: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class Update:
    """`m[k := v]`: `m` with `k` mapped to `v` (maps and sequences)."""
    obj: "Expr"
    key: "Expr"
    value: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "!"
    operand: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class Binary:
    op: str  # + - | ^ * / % & && || ==> <==>
    left: "Expr"
    right: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class Compare:
    """A comparison chain: `a <= b < c` means `a <= b && b < c`, each operand evaluated once."""
    operands: tuple["Expr", ...]
    ops: tuple[str, ...]  # == != < <= > >= in !in
    span: Span = _span()


@dataclass(frozen=True)
class Conditional:
    cond: "Expr"
    then: "Expr"
    otherwise: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class Binding:
    name: Ident
    collection: "Expr"
    span: Span = _span()


@dataclass(frozen=True)
class Quantifier:
    kind: str  # forall or exists
    bindings: tuple[Binding, ...]
    body: "Expr"
    span: Span = _span()


Expr = Union[Name, IntLit, DurationLit, BytesLit, BoolLit, NoneLit, Old, Call, RecordLit,
             EmptyLit, SetLit, MapLit, SeqLit, FieldAccess, Index, Update, Unary, Binary,
             Compare, Conditional, Quantifier]


# ---------------------------------------------------------------------------- declarations

@dataclass(frozen=True)
class Param:
    name: Ident
    type: TypeExpr
    span: Span = _span()


@dataclass(frozen=True)
class Field:
    name: Ident
    type: TypeExpr
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class RecordDecl:
    name: Ident
    type_params: tuple[Ident, ...]
    fields: tuple[Field, ...]
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class EnumMember:
    name: Ident
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class EnumDecl:
    name: Ident
    members: tuple[EnumMember, ...]
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class HandleDecl:
    """An opaque handle type: values compare for equality and nothing else."""
    name: Ident
    type_params: tuple[Ident, ...] = ()
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class AliasDecl:
    name: Ident
    type: TypeExpr
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class MessageField:
    name: Ident
    type: TypeExpr
    number: int
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class MessageDecl:
    name: Ident
    fields: tuple[MessageField, ...]
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class ExceptionDecl:
    name: Ident
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class FuncDecl:
    """A pure helper function; without a body it is uninterpreted (only its type is known)."""
    name: Ident
    type_params: tuple[Ident, ...]
    params: tuple[Param, ...]
    result: TypeExpr
    body: Expr | None = None
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class ModelDecl:
    name: Ident
    type: TypeExpr
    init: Expr | None = None
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class InvariantDecl:
    name: Ident | None
    expr: Expr
    doc: str | None = None
    span: Span = _span()


# -- operation clauses

@dataclass(frozen=True)
class Pure:
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Requires:
    expr: Expr
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class CheckedRequires:
    """A precondition the implementation must check, raising `exception` when it is false."""
    expr: Expr
    exception: Ident | None = None
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Modifies:
    names: tuple[Ident, ...]
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Ensures:
    expr: Expr
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Returns:
    expr: Expr
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Throws:
    exception: Ident
    when: Expr
    ensures: Expr | None = None
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class CaseArm:
    name: Ident
    when: Expr
    effects: tuple[Union[Ensures, Returns], ...]
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Cases:
    complete: bool
    disjoint: bool
    arms: tuple[CaseArm, ...]
    flags: tuple[Ident, ...] = field(default=(), compare=False)  # as written, repeats included
    span: Span = _span()


@dataclass(frozen=True)
class Sync:
    """Where the operation runs and what it synchronizes with.

    kind: `local` (runs on the calling core, touches only that core's representative),
    `atomic` (linearizable with every other operation of the Ebb, from any core),
    `remote` (runs on the core given by `on`)."""
    kind: str
    on: Expr | None = None
    with_: tuple[Ident, ...] = ()
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Bound:
    kind: str  # average, worst or amortized
    expr: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Complexity:
    bounds: tuple[Bound, ...]
    measure: Expr
    doc: str | None = None
    span: Span = _span()


Clause = Union[Pure, Requires, CheckedRequires, Modifies, Ensures, Returns, Throws, Cases, Sync,
               Complexity]


@dataclass(frozen=True)
class Results:
    """An operation's results. kind: `anon` (`-> T`, named `result`), `named` (`-> r: T`) or
    `tuple` (`-> (a: A, b: B)`)."""
    kind: str
    params: tuple[Param, ...]
    span: Span = _span()


@dataclass(frozen=True)
class OpDecl:
    name: Ident
    params: tuple[Param, ...]
    results: Results | None
    clauses: tuple[Clause, ...]
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class EventDecl:
    """A callback the Ebb raises: it runs on core `core` once `guard` holds."""
    name: Ident
    params: tuple[Param, ...]
    core: Expr
    guard: Expr | None
    clauses: tuple[Union[Modifies, Ensures], ...]
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Transition:
    source: Ident
    label: Ident
    target: Ident
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class ProtocolDecl:
    """Typestate of each value of handle type `name`; transitions are labelled by the
    operations and events that take such a handle."""
    name: Ident
    initial: Ident | None
    transitions: tuple[Transition, ...]
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Pattern:
    """An occurrence of an operation or event; binders name its arguments (`_` ignores one)."""
    name: Ident
    binders: tuple[Ident, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Always:
    expr: Expr
    span: Span = _span()


@dataclass(frozen=True)
class NeverBefore:
    """`never a before b [+ d]`: no `a` occurs before `b` has occurred (and `d` has elapsed)."""
    event: Pattern
    before: Pattern
    offset: Expr | None = None
    span: Span = _span()


@dataclass(frozen=True)
class LeadsTo:
    """`a leads_to b within [lo, hi]`: each `a` is followed by a matching `b` between `lo` and
    `hi` after it, unless a matching `unless` pattern occurs first (e.g. the timer is stopped)."""
    trigger: Pattern
    response: Pattern
    low: Expr
    high: Expr
    unless: Pattern | None = None
    span: Span = _span()


Formula = Union[Always, NeverBefore, LeadsTo]


@dataclass(frozen=True)
class TemporalDecl:
    kind: str  # temporal (a property to check) or assume (an environment assumption)
    name: Ident | None
    formula: Formula
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Mapping:
    name: Ident
    expr: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Refines:
    """`refines A via { field = expr, ... }`: A's model fields as functions of this Ebb's."""
    target: TypeExpr
    mappings: tuple[Mapping, ...]
    span: Span = _span()


TypeDecl = Union[RecordDecl, EnumDecl, HandleDecl, AliasDecl]
Member = Union[ModelDecl, InvariantDecl, OpDecl, EventDecl, ProtocolDecl, TemporalDecl,
               RecordDecl, EnumDecl, HandleDecl, AliasDecl, FuncDecl, MessageDecl, ExceptionDecl]


@dataclass(frozen=True)
class EbbDecl:
    name: Ident
    type_params: tuple[Ident, ...]
    scope: str  # per_core, per_node, shared or distributed
    refines: Refines | None
    members: tuple[Member, ...]
    doc: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Import:
    """`import "f.ebb"` (names is empty: everything) or `from "f.ebb" import A, B`."""
    path: str
    names: tuple[Ident, ...] = ()
    span: Span = _span()


Item = Union[Import, EbbDecl, RecordDecl, EnumDecl, HandleDecl, AliasDecl, FuncDecl, MessageDecl,
             ExceptionDecl]


@dataclass(frozen=True)
class Module:
    path: str
    items: tuple[Item, ...]
    span: Span = _span()

    @property
    def ebbs(self) -> tuple[EbbDecl, ...]:
        return tuple(i for i in self.items if isinstance(i, EbbDecl))
