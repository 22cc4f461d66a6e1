"""Where an argument should come from, read off the clauses that constrain it.

`requires pfn in allocated && allocated[pfn] == order` says: draw `pfn` among the keys of
`allocated`, then `order` equal to `allocated[pfn]`. Drawing blindly, such a call is almost
never allowed (a page number and an order that happen to match); with these hints the state
machine meets the requires most of the time, and still draws fresh values too (so `checked
requires` and `throws` conditions are exercised both ways).

Hints come from the top-level conjuncts of `requires`, `checked requires` and an event's guard:
`p in E` (a member of E: an element of a set or sequence, a key of a map) and `p == E` or
`E == p` (the value of E), where `p` is a parameter and E does not mention `p`. E may mention
parameters drawn before `p`; a hint whose expression has no value yet is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from ..spec import ast as A
from ..spec._symbols import EventSymbol, OpSymbol, VarSymbol
from ..spec._typecheck import Checked
from ._hyp_values import stable_key


@dataclass(frozen=True)
class Hint:
    kind: str          # "member" or "equal"
    expr: A.Expr


def argument_hints(checked: Checked, member: OpSymbol | EventSymbol) -> dict[str, list[Hint]]:
    """The hints for each parameter of an op or event (parameters without any are absent)."""
    params = {id(p): p.name for p in member.params}
    out: dict[str, list[Hint]] = {}
    for condition in _conditions(member):
        for conjunct in _conjuncts(condition):
            found = _hint(checked, conjunct, params)
            if found is not None:
                out.setdefault(found[0], []).append(found[1])
    return out


def hint_values(hints: list[Hint], evaluate: Callable[[A.Expr], Any]) -> list[Any]:
    """The values the hints suggest, in a deterministic order; `evaluate` raises for a hint
    whose expression has no value (yet)."""
    values: list[Any] = []
    for hint in hints:
        try:
            value = evaluate(hint.expr)
        except Exception:  # noqa: BLE001 - no value yet: this hint says nothing
            continue
        if hint.kind == "equal":
            values.append(value)
        elif isinstance(value, (frozenset, MappingABC)):
            values += sorted(value, key=stable_key)
        elif isinstance(value, tuple):
            values += list(value)
    return list(dict.fromkeys(values))


def _conditions(member: OpSymbol | EventSymbol) -> Iterator[A.Expr]:
    decl = member.decl
    if isinstance(decl, A.EventDecl):
        if decl.guard is not None:
            yield decl.guard
        return
    for clause in decl.clauses:
        if isinstance(clause, (A.Requires, A.CheckedRequires)):
            yield clause.expr


def _conjuncts(e: A.Expr) -> Iterator[A.Expr]:
    if isinstance(e, A.Binary) and e.op == "&&":
        yield from _conjuncts(e.left)
        yield from _conjuncts(e.right)
    else:
        yield e


def _hint(checked: Checked, e: A.Expr, params: dict[int, str]) -> tuple[str, Hint] | None:
    if not isinstance(e, A.Compare) or len(e.ops) != 1:
        return None
    left, right = e.operands
    op = e.ops[0]
    name = _param(checked, left, params)
    if op == "in" and name is not None and not _mentions(checked, right, name, params):
        return name, Hint("member", right)
    if op == "==":
        for p_side, other in ((left, right), (right, left)):
            name = _param(checked, p_side, params)
            if name is not None and not _mentions(checked, other, name, params):
                return name, Hint("equal", other)
    return None


def _param(checked: Checked, e: A.Expr, params: dict[int, str]) -> str | None:
    if isinstance(e, A.Name):
        var = checked.ref(e)
        if isinstance(var, VarSymbol) and id(var) in params:
            return params[id(var)]
    return None


def _mentions(checked: Checked, e: object, name: str, params: dict[int, str]) -> bool:
    if isinstance(e, A.Name):
        return _param(checked, e, params) == name
    for field in getattr(e, "__dataclass_fields__", {}):
        if field == "span":
            continue
        value = getattr(e, field)
        for kid in value if isinstance(value, tuple) else (value,):
            if hasattr(kid, "__dataclass_fields__") and _mentions(checked, kid, name, params):
                return True
    return False


__all__ = ["Hint", "argument_hints", "hint_values"]
