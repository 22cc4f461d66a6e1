"""Running CrossHair on one check function, within a budget, and reading its verdict.

Budgets. The deterministic limit is `max_iterations`: the number of paths CrossHair explores
for the op (its path search is seeded, so the same code and budget explore the same paths).
Three limits are time-based and only a safety net, set well above what a path normally takes:
`per_condition_seconds` (CPU time for the whole op), `per_path_seconds` (CPU time per path;
half of it is also z3's wall-clock timeout per query). z3's own work is bounded
deterministically with an `rlimit` (CrossHair's `CROSSHAIR_SMT_RLIMIT`), so a hard query is
abandoned at the same point on every machine. When a time limit does stop an analysis, the
verdict can depend on the machine's speed; `Analysis.stopped_by` says so and the engine
reports it. (A single path that overruns `per_path_seconds` is abandoned as undecided; that too
is time-based, and shows only as fewer confirmed paths.)

CrossHair says which inputs break a postcondition only in its message text:
`false when calling check_add(1, 3, 1) (which returns <outcome>)`. The check function takes
integers and booleans only, so the call parses back with `ast.literal_eval` (Python
literals, never code).
"""

from __future__ import annotations

import ast
import collections
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import crosshair.statespace as crosshair_statespace
from crosshair.options import AnalysisKind, AnalysisOptionSet
from crosshair.statespace import AnalysisMessage, MessageType

from ._crosshair_isolation import crosshair_owns_checkers, other_checkers_kept

with other_checkers_kept():  # importing CrossHair switches icontract and deal off: undo it
    from crosshair.core_and_libs import analyze_function

DEFAULT_MAX_ITERATIONS = 25   # paths per operation: the bundled library in about 2 minutes
DEFAULT_PER_CONDITION_SECONDS = 60.0
DEFAULT_PER_PATH_SECONDS = 10.0
DEFAULT_SMT_RLIMIT = 20_000_000


@dataclass(frozen=True)
class Budget:
    max_iterations: int = DEFAULT_MAX_ITERATIONS
    per_condition_seconds: float = DEFAULT_PER_CONDITION_SECONDS
    per_path_seconds: float = DEFAULT_PER_PATH_SECONDS
    smt_rlimit: int = DEFAULT_SMT_RLIMIT


@dataclass(frozen=True)
class Analysis:
    """CrossHair's verdict on one check function."""
    state: MessageType | None      # None: CrossHair said nothing (no postcondition ran)
    message: str
    paths: int                     # paths explored
    seconds: float                 # CPU time taken
    stopped_by: str                # "exhaustion" (every path), "iterations" or "time"
    call: tuple[tuple[Any, ...], dict[str, Any]] | None = None  # parsed counterexample
    traceback: str = ""


def analyze(function: Callable[..., Any], budget: Budget) -> Analysis:
    """Run CrossHair on `function` (icontract-decorated) and read its verdict."""
    stats: collections.Counter[str] = collections.Counter()
    options = AnalysisOptionSet(
        analysis_kind=[AnalysisKind.icontract], max_iterations=budget.max_iterations,
        per_condition_timeout=budget.per_condition_seconds,
        per_path_timeout=budget.per_path_seconds, max_uninteresting_iterations=0,
        report_all=True, report_verbose=False, stats=stats)
    start = time.process_time()
    saved = crosshair_statespace.CROSSHAIR_SMT_RLIMIT
    crosshair_statespace.CROSSHAIR_SMT_RLIMIT = budget.smt_rlimit
    try:
        messages = crosshair_messages(function, options)
    finally:
        crosshair_statespace.CROSSHAIR_SMT_RLIMIT = saved
    seconds = time.process_time() - start
    paths = stats.get("num_paths", 0)
    message = _worst(messages)
    if stats.get("exhaustion"):
        stopped_by = "exhaustion"
    elif paths >= budget.max_iterations:
        stopped_by = "iterations"
    else:
        stopped_by = "time"
    if message is None:
        return Analysis(None, "", paths, seconds, stopped_by)
    return Analysis(message.state, message.message, paths, seconds, stopped_by,
                    parse_call(message.message, function.__name__), message.traceback)


def crosshair_messages(function: Callable[..., Any], options: AnalysisOptionSet
                       ) -> list[AnalysisMessage]:
    """CrossHair's messages for `function` (the seam tests replace to feed fake verdicts)."""
    messages: list[AnalysisMessage] = []
    with crosshair_owns_checkers():
        for checkable in analyze_function(function, options):
            messages.extend(checkable.analyze())
    return messages


_SEVERITY = {MessageType.CONFIRMED: 0, MessageType.CANNOT_CONFIRM: 1, MessageType.PRE_UNSAT: 2,
             MessageType.POST_FAIL: 3, MessageType.POST_ERR: 3, MessageType.EXEC_ERR: 3,
             MessageType.SYNTAX_ERR: 4, MessageType.IMPORT_ERR: 4}


def _worst(messages: Sequence[AnalysisMessage]) -> AnalysisMessage | None:
    if not messages:
        return None
    return max(messages, key=lambda m: _SEVERITY.get(m.state, 4))


def parse_call(message: str, name: str) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    """The arguments of `name(...)` in a CrossHair message, or None if there is no such call
    or an argument is not a Python literal."""
    marker = f"when calling {name}("
    start = message.find(marker)
    if start < 0:
        return None
    start += len("when calling ")
    depth = 0
    for end in range(start + len(name), len(message)):
        depth += {"(": 1, ")": -1}.get(message[end], 0)
        if depth == 0:
            break
    else:
        return None
    try:
        node = ast.parse(message[start:end + 1], mode="eval").body
        assert isinstance(node, ast.Call)
        args = tuple(ast.literal_eval(a) for a in node.args)
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
    except (SyntaxError, ValueError, AssertionError):
        return None
    return args, kwargs


__all__ = ["Analysis", "Budget", "DEFAULT_MAX_ITERATIONS", "DEFAULT_PER_CONDITION_SECONDS",
           "DEFAULT_PER_PATH_SECONDS", "DEFAULT_SMT_RLIMIT", "analyze", "crosshair_messages",
           "parse_call"]
