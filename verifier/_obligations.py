"""The proof obligations of checked specs.

Usage::

    from ebbrt.spec import check_paths
    from ebbrt.verifier import DEFAULT_BUDGET, collect_obligations, discharge

    result = check_paths(["ebbs/timer.ebb"])
    for ob in collect_obligations(result):          # deterministic order, stable ids
        key = ob.key(DEFAULT_BUDGET)                 # cache key: sha256 of the normalized query
        verdict = discharge(ob, DEFAULT_BUDGET)      # a `Result`
        print(ob.id, verdict.verdict, verdict.message)

An `Obligation` is plain data plus a recipe: `ob.query()` builds its solver question in a fresh
z3 context each time, so obligations can be collected cheaply, and the same id always means the
same question. Only the Ebbs of the files asked for (`result.roots`) get obligations, not those
of files they import; a result with errors has none.

Kinds (ids are `Ebb.member.kind[.detail]`; `Ebb.kind.detail` for the Ebb as a whole):

| kind | per | holds when |
|---|---|---|
| `invariant_initial` | invariant | the initial values satisfy it (fields without one: some value satisfies all invariants) |
| `requires_satisfiable` | op/event with requires or a guard | some state satisfying the invariants satisfies them (not vacuous) |
| `op_feasible` / `event_feasible` | op / event | for every pre-state satisfying invariants and requires, some post-state satisfies ensures and frame |
| `frame` | op/event whose postcondition reads an unmodified field | whatever the postcondition allows, it also allows with every unmodified field unchanged (a counterexample is confirmed: in its pre-state no post-state keeping those fields satisfies it) |
| `invariant_preserved` | op/event x invariant | every post-state the ensures and frame allow satisfies it |
| `cases_complete` / `cases_disjoint` | `cases` flagged so | on every normal return (requires, no exception, the ensures outside the arms) at least / at most one arm's condition holds |
| `ensures_trivial` | ensures clause (warning) | the clause can be false, i.e. it says something |
| `refines_pre` | op/event of a refined Ebb | op: the refined requires imply ours, under the mapping; event: our guard implies theirs |
| `refines_post` | op/event of a refined Ebb | our step, seen through the mapping, is a step the refined Ebb allows (same outcome) |
| `protocol_labels` | protocol | each transition is labelled by an op or event taking the handle |
| `protocol_reachable` | protocol | every state is reachable from the initial one |

Clauses are read strictly: a clause holds only where it is defined (`m[k]` needs `k in m`,
`x / y` needs `y != 0`, ...; see `_z3_defined`), so an undefined postcondition makes a step
infeasible and an invariant that may be undefined afterwards is not preserved. The frame
obligation reads clauses loosely (it is about which fields change, not about definedness).
Uninterpreted functions (a spec's `func` without a body) are, for feasibility, the
implementation's to define at the new values an operation returns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import partial
from typing import Callable

import z3

from ..spec import ast as A
from ..spec._loader import CheckResult
from ..spec._span import Span
from ..spec._symbols import EbbSymbol, EventSymbol, OpSymbol
from ..spec._typecheck import Checked
from . import _ob_ops as ops
from ._ob_protocol import protocol_labels, protocol_reachable
from ._ob_query import Query
from ._ob_refines import refined_members, refines_post, refines_pre
from ._ob_state import invariants_of
from ._z3_replay import ReplayTarget
from ._z3_sorts import Unsupported

FORMAT_VERSION = "2"  # bump when the encoding changes in a way that changes verdicts

KINDS = ("invariant_initial", "requires_satisfiable", "op_feasible", "event_feasible", "frame",
         "invariant_preserved", "cases_complete", "cases_disjoint", "ensures_trivial",
         "refines_pre", "refines_post", "protocol_labels", "protocol_reachable")


@dataclass(eq=False)
class Obligation:
    """One thing to prove about one Ebb, with the recipe of its solver query."""
    id: str
    kind: str
    ebb: str
    subject: str          # the op, event, invariant or protocol it is about
    span: Span            # the clause to point at
    severity: str = "error"
    build: Callable[[], Query] = field(default=lambda: Query("decided"), repr=False)
    target: ReplayTarget | None = field(default=None, repr=False)  # to replay its models

    def query(self) -> Query:
        """The solver question, freshly built (raises `Unsupported` for an encoding gap)."""
        return self.build()

    def key(self, budget: int) -> str:
        """sha256 of the normalized query, the budget, z3's version and the format version."""
        try:
            text = self.query().text()
        except Unsupported as exc:
            text = f"unsupported\n{exc.construct}"
        h = hashlib.sha256()
        for part in (f"ebb-prove {FORMAT_VERSION}", z3.get_version_string(), str(budget),
                     self.kind, self.severity, text):
            h.update(part.encode("utf-8"))
            h.update(b"\0")
        return h.hexdigest()

    def __getstate__(self) -> dict[str, object]:
        raise TypeError("an Obligation holds its spec's AST; send its id instead")


def collect_obligations(result: CheckResult) -> list[Obligation]:
    """Every obligation of the Ebbs in the files asked for, in a deterministic order."""
    if not result.ok:
        return []
    checked = result.checked
    roots = set(result.roots)
    ebbs = [e for e in checked.ebbs if not roots or e.module in roots]
    names = [e.name for e in checked.ebbs]
    out: list[Obligation] = []
    for ebb in ebbs:
        prefix = ebb.name if names.count(ebb.name) == 1 else f"{ebb.module}:{ebb.name}"
        out += _ebb_obligations(checked, ebb, prefix)
    return out


def _ebb_obligations(checked: Checked, ebb: EbbSymbol, prefix: str) -> list[Obligation]:
    out: list[Obligation] = []

    def add(suffix: str, kind: str, subject: str, span: Span, build: Callable[[], Query],
            severity: str = "error", *, member: OpSymbol | EventSymbol | None = None,
            label: str = "", index: int = 0) -> None:
        target = ReplayTarget(checked, ebb, kind, member, label, index)
        out.append(Obligation(f"{prefix}.{suffix}", kind, ebb.name, subject, span, severity,
                              build, target))

    invariants = invariants_of(ebb)
    for label, decl in invariants:
        add(f"invariant_initial.{label}", "invariant_initial", label, decl.span,
            partial(ops.invariant_initial, checked, ebb, label), label=label)
    refined = refined_members(ebb)
    for member in _members(ebb):
        _member_obligations(checked, ebb, member, invariants, add)
        if member.name in refined:
            span = member.span
            add(f"{member.name}.refines_pre", "refines_pre", member.name, span,
                partial(refines_pre, checked, ebb, member))
            add(f"{member.name}.refines_post", "refines_post", member.name, span,
                partial(refines_post, checked, ebb, member))
    for name, protocol in ebb.protocols.items():
        span = protocol.decl.name.span
        add(f"protocol.{name}.protocol_labels", "protocol_labels", name, span,
            partial(protocol_labels, ebb, protocol))
        add(f"protocol.{name}.protocol_reachable", "protocol_reachable", name, span,
            partial(protocol_reachable, ebb, protocol))
    return out


def _members(ebb: EbbSymbol) -> list[OpSymbol | EventSymbol]:
    """Operations and events in source order."""
    members: list[OpSymbol | EventSymbol] = [*ebb.ops.values(), *ebb.events.values()]
    return sorted(members, key=lambda m: (m.decl.span.start, m.name))


def _member_obligations(checked: Checked, ebb: EbbSymbol, member: OpSymbol | EventSymbol,
                        invariants: list, add: Callable[..., None]) -> None:
    name, decl = member.name, member.decl
    preconditions = ([c for c in decl.clauses if isinstance(c, A.Requires)]
                     if isinstance(member, OpSymbol) else
                     ([member.decl.guard] if member.decl.guard is not None else []))
    if preconditions:
        add(f"{name}.requires_satisfiable", "requires_satisfiable", name, preconditions[0].span,
            partial(ops.requires_satisfiable, checked, ebb, member), member=member)
    kind = "event_feasible" if isinstance(member, EventSymbol) else "op_feasible"
    add(f"{name}.{kind}", kind, name, member.span, partial(ops.feasible, checked, ebb, member),
        member=member)
    if ops.reads_unmodified(checked, ebb, member):
        span = next((c.span for c in decl.clauses if isinstance(c, A.Modifies)), member.span)
        add(f"{name}.frame", "frame", name, span, partial(ops.frame, checked, ebb, member),
            member=member)
    for label, inv in invariants:
        add(f"{name}.invariant_preserved.{label}", "invariant_preserved", name, inv.span,
            partial(ops.invariant_preserved, checked, ebb, member, label), member=member,
            label=label)
    for clause in decl.clauses:
        if isinstance(clause, A.Cases):
            if clause.complete:
                add(f"{name}.cases_complete", "cases_complete", name, clause.span,
                    partial(ops.cases_complete, checked, ebb, member), member=member)
            if clause.disjoint:
                add(f"{name}.cases_disjoint", "cases_disjoint", name, clause.span,
                    partial(ops.cases_disjoint, checked, ebb, member), member=member)
    for i, clause in enumerate(ops.ensures_clauses(member), start=1):
        add(f"{name}.ensures_trivial.{i}", "ensures_trivial", name, clause.span,
            partial(ops.ensures_trivial, checked, ebb, member, i), severity="warning",
            member=member, index=i)

__all__ = ["FORMAT_VERSION", "KINDS", "Obligation", "collect_obligations"]
