"""Cost of a call through an `EbbRef` against a direct bound-method call.

    python benchmarks/bench_ebbref.py [--body empty|counter|both] [--repeat R]
                                      [--min-time S] [--number N]

One shared Ebb, `Counter`, with two methods as the bodies, side by side: `empty` returns its
argument (nearly all that is measured is the call), `counter` adds it to a field and returns
the total (a small body, as most Ebb operations have at least). Rows:

- direct: `rep.method(k)`, the bound method of the representative;
- inline per-core table lookup: `CPU.table[ebb_id].method(k)` written at the call site, what a
  compiler inlining the lookup would emit (DESIGN.md's anchor: 1.5x);
- EbbRef: `ref.method(k)`, the call an Ebb's user writes: the generated method of
  `EbbRef[Counter]` looks the id up in the running core's table, calls, and caches the bound
  method in the ref until the core's table is switched (the next event), so later calls in
  the same event are an attribute read and the call (the goal row);
- EbbRef deref: `ref().method(k)`, the representative fetched by `ref()` on each call;
- EbbRef through a call gate: `ref.method(k)` with `direct_gate` set, the path every call
  takes once contracts are enforced (the gate only makes the call; contracts cost extra).

All run inside `Runtime.on_core()`, so the core's translation table is live, after one call
has faulted the representative in. Every variant is timed in this one run, interleaved round
by round (a busy machine slows every row alike), over the same 64 arguments; the best round
is used (the median is shown beside it). Times are this process's CPU time and include the
`for` loop that feeds the arguments, the same few ns in every row.

A self-check runs first: every variant returns the same values; the first `ref` call on a
core faults exactly once and later ones do not; and the EbbRef rows really follow the table
(after the table entry is swapped for another representative, the next event's calls reach
that one). If anything is off the benchmark stops with exit status 1. Not a test: a
missed goal is printed, not turned into an exit status.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import timeit
from dataclasses import dataclass
from typing import Any, Sequence

from ebbrt.machine import Simulator
from ebbrt.runtime import Runtime, SharedEbb, direct_gate
from ebbrt.runtime._cpu import CPU

ARGUMENTS = tuple(range(64))
GOAL = 1.5


class Counter(SharedEbb):
    """The Ebb under test."""

    def __init__(self) -> None:
        self.total = 0

    def empty(self, k: int) -> int:
        return k

    def counter(self, k: int) -> int:
        self.total += k
        return self.total


BODIES = ("empty", "counter")
BODY_TEXT = {"empty": "returns its argument", "counter": "adds to a field"}

DIRECT, INLINE, REF = "direct bound method", "inline per-core table lookup", "EbbRef call"
DEREF, GATED = "EbbRef deref, ref().m()", "EbbRef through a call gate"


@dataclass(frozen=True)
class Variant:
    label: str
    statement: str      # one call, with `m` the method name and `k` the argument
    gated: bool = False


VARIANTS = (
    Variant(DIRECT, "rep.{m}(k)"),
    Variant(INLINE, "cpu.table[ebb_id].{m}(k)"),
    Variant(REF, "ref.{m}(k)"),
    Variant(DEREF, "ref().{m}(k)"),
    Variant(GATED, "ref.{m}(k)", gated=True),
)


class Setup:
    """A one-core runtime with a `Counter` Ebb, and the names the statements use."""

    def __init__(self) -> None:
        self.runtime = Runtime(Simulator(seed=0), nodes=1, cores=1)
        with self.runtime.on_core():
            self.ref = Counter.create(Counter())
        self.em = self.runtime.event_manager()

    def names(self) -> dict[str, Any]:
        """What the statements name (`rep` is faulted in on the core if it was not yet)."""
        with self.runtime.on_core():
            rep = self.ref()
        return {"rep": rep, "ref": self.ref, "ebb_id": self.ref.id, "cpu": CPU,
                "arguments": ARGUMENTS}


def self_check() -> list[str]:
    """Why the comparison would be dishonest: different results, a ref that does not fault
    once, or a ref that does not look the table up on each call."""
    problems: list[str] = []
    setup = Setup()
    runtime, ref, em = setup.runtime, setup.ref, setup.em
    with runtime.on_core():
        if ref.empty(5) != 5 or em.faults != 1:
            problems.append(f"the first call should fault once, faults = {em.faults}")
        ref.empty(6)
        if em.faults != 1:
            problems.append("a second call on the same core faulted again")
        names = setup.names()
        for body in BODIES:
            results = {}
            for v in VARIANTS:
                runtime.call_gate = direct_gate if v.gated else None
                with runtime.on_core():
                    namespace = dict(names)
                    if body == "counter":
                        namespace["rep"].total = 0
                    # the benchmark's own statement, as timeit compiles it
                    call = eval(f"lambda k: {v.statement.format(m=body)}", namespace)  # noqa: S307
                    results[v.label] = [call(k) for k in ARGUMENTS]
            runtime.call_gate = None
            if len({tuple(r) for r in results.values()}) != 1:
                problems.append(f"{body} body: the variants disagree: {results}")
        other = Counter()
        em.table[ref.id] = other
        with runtime.on_core():
            ref.counter(1)
            ref().counter(1)
        if other.total != 2:
            problems.append("after swapping the table entry, ref calls did not reach the new "
                            "representative: they do not look the table up on each call")
    return problems


def _timer(setup: Setup, variant: Variant, body: str) -> timeit.Timer:
    statement = "for k in arguments: " + variant.statement.format(m=body)
    return timeit.Timer(statement, timer=time.process_time, globals=setup.names())


Samples = dict[tuple[str, str], list[float]]


def measure(bodies: Sequence[str], repeat: int, min_time: float, number: int | None) -> Samples:
    """Seconds per call of each variant with each body, one sample per round, interleaved."""
    setup = Setup()
    with setup.runtime.on_core():
        setup.ref.empty(0)                           # fault it in
    keys = [(b, v) for b in bodies for v in VARIANTS]
    timers = {(b, v.label): _timer(setup, v, b) for b, v in keys}
    samples: Samples = {key: [] for key in timers}
    numbers: dict[tuple[str, str], int] = {}
    for b, v in keys:
        setup.runtime.call_gate = direct_gate if v.gated else None
        with setup.runtime.on_core():
            numbers[b, v.label] = number or _calibrate(timers[b, v.label], min_time)
    for _ in range(repeat):
        for b, v in keys:
            setup.runtime.call_gate = direct_gate if v.gated else None
            n = numbers[b, v.label]
            with setup.runtime.on_core():
                samples[b, v.label].append(timers[b, v.label].timeit(n) / (n * len(ARGUMENTS)))
    setup.runtime.call_gate = None
    return samples


def _calibrate(timer: timeit.Timer, min_time: float) -> int:
    number = 1
    while timer.timeit(number) < min_time:
        number *= 2
    return number


def report(samples: Samples, bodies: Sequence[str]) -> list[str]:
    best = {key: min(s) for key, s in samples.items()}
    width = max(len(v.label) for v in VARIANTS)
    col = 28
    lines = [" " * width + "".join(f"  {b + ' body':>{col}}" for b in bodies),
             f"{'variant':<{width}}"
             + f"  {'best ns/call (median)  x direct':>{col}}" * len(bodies)]
    for v in VARIANTS:
        cells = []
        for b in bodies:
            ns, med = best[b, v.label] * 1e9, statistics.median(samples[b, v.label]) * 1e9
            cells.append(f"{ns:>7,.1f} {f'({med:,.1f})':>9}  "
                         f"{best[b, v.label] / best[b, DIRECT]:>7.2f}x")
        lines.append(f"{v.label:<{width}}" + "".join(f"  {c:>{col}}" for c in cells))
    lines.append("")
    lines.append(f"{'ratio':<18}  {'goal':>7}" + "".join(f"  {b + ' body':>16}" for b in bodies))
    cells = []
    for b in bodies:
        ratio = best[b, REF] / best[b, DIRECT]
        cells.append(f"{ratio:.2f}x {'met' if ratio <= GOAL else 'missed'}")
    lines.append(f"{'EbbRef / direct':<18}  {f'<= {GOAL:g}x':>7}" + "".join(f"  {c:>16}"
                                                                          for c in cells))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--body", choices=[*BODIES, "both"], default="both")
    ap.add_argument("--repeat", type=int, default=15, help="timed rounds (default 15)")
    ap.add_argument("--min-time", type=float, default=0.02,
                    help="CPU seconds each sample lasts at least (default 0.02)")
    ap.add_argument("--number", type=int, default=None,
                    help="passes over the arguments per sample (default: calibrated)")
    args = ap.parse_args(argv)
    bodies = list(BODIES) if args.body == "both" else [args.body]
    problems = self_check()
    if problems:
        print("self-check failed, the timings would not compare like with like:",
              *problems, sep="\n  ", file=sys.stderr)
        return 1
    print(f"Counter, a shared Ebb, on one core: {len(ARGUMENTS)} calls per pass; best of "
          f"{args.repeat} interleaved rounds; bodies: "
          f"{', '.join(f'{b} ({BODY_TEXT[b]})' for b in bodies)}")
    print("self-check: same results; one fault, then none; ref calls follow the table")
    print()
    print("\n".join(report(measure(bodies, args.repeat, args.min_time, args.number), bodies)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
