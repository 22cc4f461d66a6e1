"""The steps a run made, replayed and minimized outside Hypothesis.

The state machine records its run as a `Trace` of `TraceStep`s: calls (arguments that an
earlier call returned are `ResultRef`s, so a replay passes the replay's own objects, such as a
future), and changes of `now` and `this_core`. When a run breaks a clause, `minimize` replays
shorter and simpler versions of its trace on fresh instances (delta debugging: drop chunks of
steps, then make arguments smaller) and keeps those that still break the same clause.

Hypothesis' own shrinking is not used: it treats every violation as one bug and slips between
clauses, and on a stateful machine it spends thousands of runs (minutes) per bug, while a
replay here costs a fraction of a millisecond per step and the budget is a fixed number of
replays, so the result is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable, Sequence

from ._binding import Binding, Context
from ._hyp_monitor import Monitor, SpecViolation
from ._values import Handle

MAX_REPLAYS = 300  # replays `minimize` may spend on one violation


@dataclass(frozen=True)
class ResultRef:
    """The result of the call `step` (a step id), or element `part` of its tuple result."""
    step: int
    part: int | None = None


@dataclass(frozen=True)
class TraceStep:
    """`kind`: "call" (op or event `name` with `args`), "now" or "core" (set to `value`)."""
    id: int
    kind: str
    name: str = ""
    args: tuple[Any, ...] = ()
    value: int = 0


class TraceRecorder:
    """Builds the trace of one run as the machine makes its steps."""

    def __init__(self) -> None:
        self.steps: list[TraceStep] = []
        self._origin: dict[int, ResultRef] = {}
        self._keep: list[Any] = []  # the results whose ids `_origin` holds

    def call(self, name: str, args: Sequence[Any], results: Iterable[Any] = ()) -> None:
        """A call; `results` are its raw result (or its parts) and their spec values, each
        paired with the `ResultRef` it is (see `result_parts`)."""
        step = TraceStep(len(self.steps), "call", name, tuple(self._ref(a) for a in args))
        self.steps.append(step)
        for ref_part, value in results:
            if not _plain(value):
                self._keep.append(value)
                self._origin.setdefault(id(value), ResultRef(step.id, ref_part))

    def now(self, value: int) -> None:
        self.steps.append(TraceStep(len(self.steps), "now", value=value))

    def core(self, value: int) -> None:
        self.steps.append(TraceStep(len(self.steps), "core", value=value))

    def _ref(self, value: Any) -> Any:
        return self._origin.get(id(value), value) if not _plain(value) else value


def result_parts(raw: Any, converted: Sequence[Any], count: int) -> list[tuple[int | None, Any]]:
    """(part, value) pairs for a call's results: the raw result (or each element of a tuple of
    several) and the spec values made from them."""
    if count == 0 or raw is None:
        return []
    if count == 1:
        return [(None, raw), *((None, v) for v in converted)]
    parts = list(raw) if isinstance(raw, (tuple, list)) else []
    return [*enumerate(parts), *enumerate(converted)]


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, bytes, str, float))


# ---------------------------------------------------------------------------- replay

class _Invalid(Exception):
    """The candidate trace is not a run the machine could make (a precondition fails, or an
    argument refers to a call that was dropped)."""


def replay(binding: Binding, steps: Sequence[TraceStep], *, ncores: int, evaluator: str,
           ignore: Iterable[str] = ()) -> SpecViolation | None:
    """Run `steps` on a fresh instance, checking every clause: the violation it raises, or
    None if it runs clean. Raises `_Invalid` for a trace the machine could not have made."""
    ctx = Context(now=0, this_core=0, ncores=ncores)
    try:
        monitor = Monitor(binding, ctx, evaluator=evaluator, ignore=ignore)
        results: dict[int, Any] = {}
        for step in steps:
            if step.kind == "now":
                ctx.now = step.value
                monitor.check_invariants()
            elif step.kind == "core":
                ctx.this_core = step.value
                monitor.check_invariants()
            else:
                args = [_resolve(a, results) for a in step.args]
                if not monitor.enabled(step.name, args):
                    raise _Invalid(step.name)
                results[step.id] = monitor.call(step.name, args,
                                                checked_preconditions=False).result
    except SpecViolation as violation:
        return violation
    return None


def _resolve(arg: Any, results: dict[int, Any]) -> Any:
    if not isinstance(arg, ResultRef):
        return arg
    if arg.step not in results:
        raise _Invalid("an argument refers to a dropped call")
    value = results[arg.step]
    if arg.part is None:
        return value
    try:
        return list(value)[arg.part]
    except (TypeError, IndexError):
        raise _Invalid("the call's result changed shape") from None


# ---------------------------------------------------------------------------- minimize

class _Search:
    def __init__(self, binding: Binding, clause_id: str, budget: int, **options: Any) -> None:
        self.binding = binding
        self.clause_id = clause_id
        self.budget = budget
        self.options = options

    def breaks(self, steps: Sequence[TraceStep]) -> SpecViolation | None:
        """The same clause's violation when `steps` still break it (within the budget)."""
        if self.budget <= 0:
            return None
        self.budget -= 1
        try:
            violation = replay(self.binding, steps, **self.options)
        except _Invalid:
            return None
        return violation if violation is not None and violation.clause.id == self.clause_id \
            else None


def minimize(binding: Binding, steps: Sequence[TraceStep], clause_id: str, *, ncores: int,
             evaluator: str, ignore: Iterable[str] = (), budget: int = MAX_REPLAYS
             ) -> tuple[list[TraceStep], SpecViolation] | None:
    """The shortest and simplest trace found that still breaks `clause_id`, with its
    violation; None if even the whole trace does not reproduce it (a nondeterministic
    implementation)."""
    search = _Search(binding, clause_id, budget, ncores=ncores, evaluator=evaluator,
                     ignore=tuple(ignore))
    best = list(steps)
    violation = search.breaks(best)
    if violation is None:
        return None
    while True:  # until a round of both passes changes nothing
        before = best
        best, violation = _drop_steps(search, best, violation)
        best, violation = _simplify_arguments(search, best, violation)
        if best == before or search.budget <= 0:
            return best, violation


def _drop_steps(search: _Search, steps: list[TraceStep], violation: SpecViolation
                ) -> tuple[list[TraceStep], SpecViolation]:
    """Delta debugging: remove chunks of steps, halving the chunk size down to one step, and
    single steps again until none can go (removing one can free another)."""
    chunk = max(len(steps) // 2, 1)
    while True:
        i, changed = 0, False
        while i < len(steps):
            candidate = steps[:i] + steps[i + chunk:]
            found = search.breaks(candidate)
            if found is not None:
                steps, violation, changed = candidate, found, True
            else:
                i += chunk
        if chunk > 1:
            chunk //= 2
        elif not changed or search.budget <= 0:
            return steps, violation


def _simplify_arguments(search: _Search, steps: list[TraceStep], violation: SpecViolation
                        ) -> tuple[list[TraceStep], SpecViolation]:
    steps, violation = _simplify_together(search, steps, violation)
    return _simplify_each(search, steps, violation)


def _simplify_together(search: _Search, steps: list[TraceStep], violation: SpecViolation
                       ) -> tuple[list[TraceStep], SpecViolation]:
    """Replace every occurrence of one literal at once (`insert(7)` ... `erase(7)` become
    `insert(0)` ... `erase(0)`: changing either alone breaks the requires)."""
    literals = list(dict.fromkeys(a for s in steps if s.kind == "call" for a in s.args
                                  if _simpler(a)))
    for value in literals:
        for simpler in _simpler(value):
            candidate = [replace(s, args=tuple(simpler if _same(a, value) else a
                                               for a in s.args)) if s.kind == "call" else s
                         for s in steps]
            found = search.breaks(candidate)
            if found is not None:
                steps, violation = candidate, found
                break
    return steps, violation


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _simplify_each(search: _Search, steps: list[TraceStep], violation: SpecViolation
                   ) -> tuple[list[TraceStep], SpecViolation]:
    """Make each literal argument as simple as still breaks the clause: integers toward 0,
    `false`, the first handle; and each move of the clock as short as it can be."""
    floor = 0
    for i, step in enumerate(steps):
        if step.kind == "now":
            for earlier in _simpler_time(step.value, floor):
                candidate = steps[:i] + [replace(step, value=earlier)] + steps[i + 1:]
                found = search.breaks(candidate)
                if found is not None:
                    steps, violation = candidate, found
                    break
            floor = steps[i].value
            continue
        if step.kind != "call":
            continue
        for j in range(len(step.args)):
            for simpler in _simpler(steps[i].args[j]):
                args = steps[i].args[:j] + (simpler,) + steps[i].args[j + 1:]
                candidate = steps[:i] + [replace(steps[i], args=args)] + steps[i + 1:]
                found = search.breaks(candidate)
                if found is not None:
                    steps, violation = candidate, found
                    break
    return steps, violation


def _simpler_time(value: int, floor: int) -> list[int]:
    """Earlier instants to try, no earlier than `floor` (time never goes back), whole
    microseconds first."""
    out, gap = [], value - floor
    while gap > 1 and len(out) < 12:
        gap //= 2
        out.append(floor + gap)
    rounded = [floor + (v - floor) // 1000 * 1000 for v in out]
    return sorted(set(v for v in [*rounded, *out] if floor < v < value) | {floor} - {value})


def _simpler(value: Any) -> list[Any]:
    """Simpler values to try, simplest first."""
    if isinstance(value, bool):
        return [False] if value else []
    if isinstance(value, int):
        out: list[int] = []
        v = value
        while v not in (0,) and len(out) < 8:
            v = int(v / 2)
            out.append(v)
        return sorted(set(out), key=abs)
    if isinstance(value, Handle) and value.index > 0:
        return [Handle(value.type_name, 0)]
    return []


__all__ = ["MAX_REPLAYS", "ResultRef", "TraceRecorder", "TraceStep", "minimize", "replay",
           "result_parts"]
