"""Signature conformance of a refinement: `B refines A` promises that a `B` will do wherever an
`A` is expected, so every operation and event of `A` must exist in `B` under the same name,
taking the same parameter types and giving the same result types (with `A`'s type parameters
replaced by the arguments `B` gives them). Names of parameters and results may differ.

Whether `B`'s clauses keep `A`'s promises (weaker preconditions, stronger postconditions under
the mapping) is the prover's question; this is the part a type checker can answer.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from . import _codes as C
from . import ast as A
from ._printer import format_type
from ._report import Reporter, did_you_mean
from ._span import Span
from ._symbols import EbbSymbol, EventSymbol, OpSymbol, VarSymbol
from ._types import Type, TypeParam, children, is_unknown, substitute

Member = OpSymbol | EventSymbol


def check_signatures(ebb: EbbSymbol, target: EbbSymbol, args: Mapping[TypeParam, Type],
                     clause: A.Refines, report: Reporter) -> None:
    """Report each operation or event of `target` that `ebb` lacks or declares differently."""
    refined = f"`{format_type(clause.target)}`"  # as written: `UnorderedSet<K>`
    for name, wanted in [*target.ops.items(), *target.events.items()]:
        mine = ebb.ops.get(name) or ebb.events.get(name)
        noun = _noun(wanted)
        if mine is None:
            pool = [n for n, m in [*ebb.ops.items(), *ebb.events.items()]
                    if type(m) is type(wanted)]
            report.error(C.REFINES_SIGNATURE, f"`{ebb.name}` does not declare {noun} "
                         f"`{_signature(wanted, args)}` of {refined}", clause.span,
                         did_you_mean(name, pool, f"declare it in `{ebb.name}`: a refinement "
                                      f"has every {_noun(wanted, bare=True)} of the Ebb it "
                                      "refines"))
        elif type(mine) is not type(wanted):
            report.error(C.REFINES_SIGNATURE, f"`{name}` is {_noun(mine)} here but {noun} of "
                         f"{refined}", mine.span, f"declare `{name}` as {noun}, as {refined} "
                         "does")
        else:
            _compare(mine, wanted, refined, args, report)


def _compare(mine: Member, wanted: Member, refined: str, args: Mapping[TypeParam, Type],
             report: Reporter) -> None:
    where = f"`{mine.name}` of {refined}"
    expected = f"{refined} declares `{_signature(wanted, args)}`"
    if len(mine.params) != len(wanted.params):
        report.error(C.REFINES_SIGNATURE, f"`{mine.name}` takes {_count(mine.params)}, but "
                     f"{where} takes {_count(wanted.params)}", mine.span, expected)
    else:
        for i, (have, want) in enumerate(zip(mine.params, wanted.params)):
            _same(have, want, f"parameter {i + 1} (`{have.name}`) of `{mine.name}`", args,
                  _decl_span(have), expected, report)
    if isinstance(mine, OpSymbol) and isinstance(wanted, OpSymbol):
        if len(mine.results) != len(wanted.results):
            span = mine.decl.results.span if mine.decl.results is not None else mine.span
            given, wanted_count = _count(mine.results, "result"), _count(wanted.results, "result")
            report.error(C.REFINES_SIGNATURE, f"`{mine.name}` gives {given}, but {where} gives "
                         f"{wanted_count}", span, expected)
            return
        for i, (have, want) in enumerate(zip(mine.results, wanted.results)):
            what = (f"the result of `{mine.name}`" if len(mine.results) == 1
                    else f"result {i + 1} (`{have.name}`) of `{mine.name}`")
            _same(have, want, what, args, _decl_span(have), expected, report)


def _same(have: VarSymbol, want: VarSymbol, what: str, args: Mapping[TypeParam, Type],
          span: Span, expected: str, report: Reporter) -> None:
    wanted = substitute(want.type, args)
    if _unknown(have.type) or _unknown(wanted) or have.type == wanted:
        return
    report.error(C.REFINES_SIGNATURE, f"{what} is `{have.type}`, not `{wanted}` as in the "
                 "refined Ebb", span, expected)


def _unknown(t: Type) -> bool:
    """Whether `t` has a part already reported (an unknown name, a wrong type argument)."""
    return is_unknown(t) or any(_unknown(c) for c in children(t))


def _decl_span(var: VarSymbol) -> Span:
    decl = var.decl
    return decl.span if isinstance(decl, A.Param) else var.span


def _noun(member: Member, bare: bool = False) -> str:
    noun = "operation" if isinstance(member, OpSymbol) else "event"
    return noun if bare else f"an {noun}"


def _count(items: Sequence[object], noun: str = "parameter") -> str:
    return f"{len(items)} {noun}{'s' * (len(items) != 1)}"


def _signature(member: Member, args: Mapping[TypeParam, Type]) -> str:
    """`insert(K) -> (Iter<K>, bool)`: the shape `B` must match, `A`'s arguments substituted."""
    params = ", ".join(str(substitute(p.type, args)) for p in member.params)
    text = f"{member.name}({params})"
    results = member.results if isinstance(member, OpSymbol) else ()
    if len(results) == 1:
        text += f" -> {substitute(results[0].type, args)}"
    elif results:
        text += " -> (" + ", ".join(str(substitute(r.type, args)) for r in results) + ")"
    return text


__all__ = ["check_signatures"]
