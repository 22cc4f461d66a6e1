"""What the CrossHair engine reports on, for one operation: the spec clauses its check covers.

Each `Judged` clause is refuted by some failure keys of `OpCheck.failures` (`form:<i>` for a
condition of the icontract form, `clause:<id>` for a clause the engine judges itself) and is
the same clause as some ids of the reference `Monitor` (which confirms a refutation):

| judged | obligation id | refuted by | reference ids |
|---|---|---|---|
| a form condition naming an op clause | the clause's id | its `form:` keys | that id |
| a form condition naming an invariant | `Ebb.op.invariant.<name>` | its `form:` keys | its id |
| a form condition naming nothing | `Ebb.op.icontract.<n>` | its key | the op's and invariants' |
| `throws`, `checked requires` | the clause's id | `clause:<id>` | that id, `outcome` |
| `outcome` (no undeclared exception) | `Ebb.op.outcome` | `clause:<id>` | that id |

Ids are those of `_hyp_clauses`, so the report lines CrossHair up with the Hypothesis engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from typing import TYPE_CHECKING, Sequence

from ..spec._span import Span
from ._crosshair_form import ClauseRef, Condition
from ._hyp_clauses import EbbClauses, HypClause, MemberClauses

if TYPE_CHECKING:
    from ._crosshair_check import OpCheck

# the compiler's `Clause.kind` -> the kind `_hyp_clauses` gives the same clause
_KINDS = {"checked requires": "checked_requires", "when": "guard"}


@dataclass
class Judged:
    obligation: str
    kind: str
    subject: str
    span: Span
    title: str
    keys: set[str] = field(default_factory=set)
    reference_ids: set[str] = field(default_factory=set)
    rank: tuple[int, int] = (2, 0)   # spec order: the op's clauses, invariants, the rest


def judged_clauses(check: "OpCheck", clauses: EbbClauses) -> list[Judged]:
    """The clauses one CrossHair run of `check` judges, in a stable order."""
    ebb, op = check.binding.ebb.name, check.name
    member_ids = {c.id for c in check.member.all()}
    invariant_ids = {c.id for c in clauses.invariants}
    out: dict[str, Judged] = {}
    for condition in check.op.postconditions:
        clause = identify(condition, check, clauses)
        if clause is None:
            n = condition.index + 1
            judged = out.setdefault(f"{ebb}.{op}.icontract.{n}", Judged(
                f"{ebb}.{op}.icontract.{n}", "icontract", op, check.target.member.span,
                f"{ebb}.{op}: icontract condition `{condition.text}`",
                reference_ids=member_ids | invariant_ids))
        elif clause.kind == "invariant":
            obligation = f"{ebb}.{op}.invariant.{clause.member}"
            judged = out.setdefault(obligation, Judged(
                obligation, "invariant", op, clause.span,
                f"{ebb}.{op}: invariant {clause.member} `{clause.text}`",
                reference_ids={clause.id}))
        else:
            judged = out.setdefault(clause.id, Judged(clause.id, clause.kind, op, clause.span,
                                                      clause.title, reference_ids={clause.id}))
        judged.keys.add(f"form:{condition.index}")
        if clause is not None:  # a ContractViolation the form's own code raises names it so
            judged.keys.add(f"clause:{clause.id}")
    outcome = check.member.outcome
    for clause in check.exception_clauses:
        out.setdefault(clause.id, Judged(clause.id, clause.kind, op, clause.span, clause.title,
                                         reference_ids={clause.id}))
        out[clause.id].keys.add(f"clause:{clause.id}")
    for clause in check.exception_clauses:
        if outcome is not None:  # the reference calls an exception of the wrong class an
            out[clause.id].reference_ids.add(outcome.id)  # `outcome` violation
    if outcome is not None:
        out.setdefault(outcome.id, Judged(outcome.id, outcome.kind, op, outcome.span,
                                          outcome.title, reference_ids={outcome.id}))
        out[outcome.id].keys.add(f"clause:{outcome.id}")
    order = {c.id: (0, i) for i, c in enumerate(check.member.all()) if c is not outcome}
    order.update({f"{ebb}.{op}.invariant.{c.member}": (1, i)
                  for i, c in enumerate(clauses.invariants)})
    if outcome is not None:
        order[outcome.id] = (3, 0)
    for i, judged in enumerate(out.values()):
        judged.rank = order.get(judged.obligation, (2, i))
    return sorted(out.values(), key=lambda j: j.rank)


def identify(condition: Condition, check: "OpCheck", clauses: EbbClauses) -> HypClause | None:
    """The spec clause a form condition checks: by clause id in its description, else by the
    kind and span of its `ClauseRef`; None when it names none."""
    by_id = {c.id: c for c in [*check.member.all(), *clauses.invariants]}
    if condition.description in by_id:
        return by_id[condition.description]
    if condition.ref is None:
        return None
    return identify_ref(condition.ref, check.member, clauses.invariants)


def identify_ref(ref: ClauseRef, member: MemberClauses, invariants: Sequence[HypClause]
                 ) -> HypClause | None:
    """The clause of `member` (or invariant) a compiler clause reference names."""
    at = (ref.line, ref.column)
    if ref.kind == "invariant":
        return next((c for c in invariants if _start(c) == at), None)
    if ref.kind == "modifies":
        return member.frame
    if ref.kind == "case" and ref.text in ("complete", "disjoint"):
        return member.complete if ref.text == "complete" else member.disjoint
    kind = _KINDS.get(ref.kind, ref.kind)
    own = member.all()
    exact = [c for c in own if _start(c) == at and c.kind == kind]
    if exact:
        return exact[0]
    # an effect inside a case arm or after `throws ... ensures`: the clause that holds it
    around = [c for c in own if c.kind in ("case", "throws") and _contains(c, at)]
    return around[0] if around else next((c for c in own if _start(c) == at), None)


def _start(clause: HypClause) -> tuple[int, int]:
    return (clause.span.line, clause.span.column)


def _contains(clause: HypClause, at: tuple[int, int]) -> bool:
    span = clause.span
    return (span.line, span.column) <= at <= (span.end_line, span.end_column)


__all__ = ["Judged", "identify", "identify_ref", "judged_clauses"]
