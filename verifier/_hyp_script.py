"""A trace as a replay script: Python a user can run to see the violation again.

    # ebbs/unordered_set.ebb:27:5: UnorderedSet.erase: ensures `elems == old(elems) - {k}` violated
    from ebbrt.verifier import Context, monitored
    from mypkg.sets import MySet

    ctx = Context(now=0, this_core=0, ncores=2)
    s = monitored(MySet, ctx)
    s.insert(3)
    s.erase(3)  # raises SpecViolation

`monitored` checks every clause on every call, so running the script raises the same
`SpecViolation` at the same call. A result a later call uses is named (`r1 = s.make_promise()`)
and passed by name; other arguments are Python literals of `ebbrt.verifier._values`.
"""

from __future__ import annotations

from typing import Any, Sequence

from ._binding import Binding
from ._hyp_trace import ResultRef, TraceStep
from ._hyp_values import SCRIPT_IMPORTS, NotWritable, python_expr

INSTANCE = "s"


def render_script(binding: Binding, steps: Sequence[TraceStep], *, headline: str, ncores: int,
                  evaluator: str, ignore: Sequence[str] = ()) -> str:
    """The script of `steps`, its last line the one that raises, `headline` on top."""
    names = _result_names(steps)
    used: set[str] = set()
    body = [_line(binding, step, names, used) for step in steps]
    if steps and steps[-1].kind != "call":  # an invariant broken by the passing of time
        body.append(f"{INSTANCE}.check_invariants()")
    cls = binding.cls
    lines = [f"# {line}" for line in headline.splitlines()]
    if any("_unwritable(" in line for line in body):
        lines.append("# note: an argument is an object the implementation made that no call "
                     "of this script returned; the script cannot spell it")
    lines.append("from ebbrt.verifier import Context, monitored")
    if used:
        lines.append(f"from ebbrt.verifier._values import {', '.join(sorted(used))}")
    if "<locals>" in cls.__qualname__:
        lines.append(f"# {cls.__qualname__} is defined inside a function: bind "
                     f"`{cls.__name__}` to it before running this script")
    else:
        lines.append(f"from {cls.__module__} import {cls.__qualname__.split('.')[0]}")
    lines += ["", f"ctx = Context(now=0, this_core=0, ncores={ncores})"]
    options = f", evaluator={evaluator!r}" if evaluator != "compiled" else ""
    if ignore:
        lines.append("# clauses whose violations were reported already:")
        options += f", ignore={sorted(ignore)!r}"
    lines.append(f"{INSTANCE} = monitored({cls.__qualname__}, ctx{options})")
    lines += body
    lines[-1] += "  # raises SpecViolation"
    return "\n".join(lines) + "\n"


def _result_names(steps: Sequence[TraceStep]) -> dict[int, str]:
    """`r1`, `r2`, ... for the calls whose results a later call uses."""
    used = sorted({a.step for s in steps for a in s.args if isinstance(a, ResultRef)})
    return {step: f"r{i + 1}" for i, step in enumerate(used)}


def _line(binding: Binding, step: TraceStep, names: dict[int, str], used: set[str]) -> str:
    if step.kind == "now":
        return f"ctx.now = {step.value}"
    if step.kind == "core":
        return f"ctx.this_core = {step.value}"
    args = ", ".join(_arg(a, names, used) for a in step.args)
    call = f"{INSTANCE}.{binding.methods[step.name]}({args})"
    return f"{names[step.id]} = {call}" if step.id in names else call


def _arg(value: Any, names: dict[int, str], used: set[str]) -> str:
    if isinstance(value, ResultRef):
        name = names[value.step]
        return name if value.part is None else f"{name}[{value.part}]"
    try:
        text = python_expr(value)
    except NotWritable as exc:
        return f"_unwritable({str(exc)!r})"
    used.update(name for name in SCRIPT_IMPORTS if name in text)
    return text


__all__ = ["INSTANCE", "render_script"]
