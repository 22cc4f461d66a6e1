"""Cost of a scalar contract per call: unchecked, enforced by ebbrt, by icontract and by deal.

    python benchmarks/bench_contracts.py [--body python|float|builtin|all] [--repeat R]
                                         [--min-time S] [--number N] [--sample N]

The operation is `Arith.isqrt` of benchmarks/data/arith.ebb: `requires n <= 1000000` and
`ensures r * r <= n && n < (r + 1) * (r + 1)`, no model state. One Python class implements it
(bound with `ebbrt.verifier.implements`), and the same body runs in every variant:

- unchecked: the plain bound method;
- hand-written checks: `if not (...): raise AssertionError` before and after the body, inside
  the method: the floor any checker is compared with;
- ebbrt: `enforce(cls, Mode.FULL)`, plus `Mode.REQUIRES` and `Mode.SAMPLED(N)` as extra rows;
- icontract: `@icontract.require` + `@icontract.ensure` with the same conditions;
- deal: `@deal.pre` + `@deal.ensure` with the same conditions.

Three bodies, side by side (or one, with `--body`): `python`, an integer square root in pure
Python (Newton's method from a power-of-two guess), as an Ebb implemented in Python would have;
`float`, the float square root corrected to the exact one (a few lines of arithmetic); and
`builtin`, `math.isqrt`, one C call, so that the call and its checks are nearly all that is
measured. The ratios depend on the body: a checker's fixed cost weighs less on a dearer body,
so "at most 2x unchecked" is easier and "20x faster than icontract" harder with the `python`
body, and the other way round with `builtin` (DESIGN.md's anchors, icontract ~90x and deal ~14x
an unchecked call, are of the `builtin` kind). Every verdict is printed, and under each ratio
the same ratio for the hand-written checks: what a checker as cheap as writing the checks
into the method reaches. Where that misses a goal, no checker of this contract meets it with
that body (on `builtin` the two multiplications of the `ensures` alone cost more than the
call; on `python` icontract itself is less than 20x the unchecked call).

ebbrt's `enforce` writes the checks into a copy of the method itself (`_enforce_inline`), so
its row is the hand-written one plus a few percent (the `try` that tells a check's error from
the body's, and the result's local).

Every variant is timed in this one run, interleaved round by round (so a busy machine slows all
of them alike), each over the same 64 inputs spread over 0..1000000; the best round of each is
used (the median is shown beside it) and the result is the ratios, with DESIGN.md's goals:
ebbrt at most 2x unchecked, icontract at least 20x and deal at least 5x slower than ebbrt.
Times are this process's CPU time (`time.process_time`), so that other processes on a busy
machine do not count, and include the `for` loop that feeds the inputs: the same few ns in
every row. Many short rounds, taking the best, are steadier than a few long ones.

Before timing, a self-check makes sure the comparison is honest: every variant returns
`math.isqrt(n)` on every input, and every checked variant raises its contract error on an
argument that breaks `requires` and on a broken body that breaks `ensures` (requires-only mode
must not check `ensures`; the sampled mode checks exactly one call in N). If anything is off
the benchmark stops with the reason and exit status 1. Not a test: a missed goal is printed,
not turned into an exit status.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
import timeit
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import deal
import icontract

from ebbrt.verifier import ContractViolation, Mode, enforce, implements

SPEC = Path(__file__).resolve().parent / "data" / "arith.ebb"
LIMIT = 1_000_000                                  # the spec's `requires n <= 1000000`
INPUTS = tuple(range(0, LIMIT + 1, LIMIT // 63))   # 64 values, 0 and LIMIT included
CHECK_INPUTS = (*range(0, 130), *INPUTS, LIMIT - 1, LIMIT)
GOOD_ARGUMENT = 123_456                            # for the broken body: a legal argument

Body = Callable[[int], int]


def newton_isqrt(n: int) -> int:
    """The largest r with r * r <= n: Newton's iteration from a guess at least sqrt(n)."""
    if n < 2:
        return n
    x = 1 << ((n.bit_length() + 1) >> 1)
    while True:
        y = (x + n // x) >> 1
        if y >= x:
            return x
        x = y


def float_isqrt(n: int) -> int:
    """The float square root, corrected to the exact integer one (exact for n < 2**52)."""
    r = int(math.sqrt(n))
    if r * r > n:
        return r - 1
    if (r + 1) * (r + 1) <= n:
        return r + 1
    return r


BODIES: dict[str, Body] = {"python": newton_isqrt, "float": float_isqrt, "builtin": math.isqrt}
BODY_TEXT = {"python": "Newton's method", "float": "corrected math.sqrt",
             "builtin": "math.isqrt"}


def broken(body: Body) -> Body:
    """`body` off by one: every result breaks the `ensures`."""
    return lambda n: body(n) + 1


# ------------------------------------------------------------------------------ the variants

def plain_class(body: Body) -> type:
    """The implementation, bound to the spec; its methods are the unchecked variant."""
    @implements(SPEC, "Arith")
    class Arith:
        def isqrt(self, n: int) -> int:
            return body(n)
    return Arith


def hand_checked_class(body: Body) -> type:
    class HandChecked:
        def isqrt(self, n: int) -> int:
            if not n <= 1000000:
                raise AssertionError("requires n <= 1000000")
            r = body(n)
            if not (r * r <= n and n < (r + 1) * (r + 1)):
                raise AssertionError("ensures r * r <= n && n < (r + 1) * (r + 1)")
            return r
    return HandChecked


def icontract_class(body: Body) -> type:
    class IcontractArith:
        @icontract.require(lambda n: n <= 1000000)
        @icontract.ensure(lambda n, result: result * result <= n
                          and n < (result + 1) * (result + 1))
        def isqrt(self, n: int) -> int:
            return body(n)
    return IcontractArith


def deal_class(body: Body) -> type:
    class DealArith:
        # deal hands `self` to the validators too
        @deal.pre(lambda _, n: n <= 1000000)
        @deal.ensure(lambda _, n, result: result * result <= n
                     and n < (result + 1) * (result + 1))
        def isqrt(self, n: int) -> int:
            return body(n)
    return DealArith


def enforced_class(mode: Mode) -> Callable[[Body], type]:
    return lambda body: enforce(plain_class(body), mode)


def violation(kind: str) -> Callable[[BaseException], bool]:
    return lambda e: isinstance(e, ContractViolation) and e.kind == kind


def raised(cls: type[BaseException]) -> Callable[[BaseException], bool]:
    return lambda e: isinstance(e, cls)


@dataclass(frozen=True)
class Variant:
    label: str
    make: Callable[[Body], type]   # a class whose `isqrt` runs `body` under this variant's checks
    # what a broken `requires` / `ensures` raises (None: that clause is not checked)
    bad_argument: Callable[[BaseException], bool] | None
    bad_result: Callable[[BaseException], bool] | None
    every: int = 1                 # the checks run on one call in `every`


UNCHECKED, HAND, FULL = "unchecked (plain bound method)", "hand-written checks", "ebbrt Mode.FULL"
ICONTRACT, DEAL = "icontract require + ensure", "deal pre + ensure"


def variants(sample: int) -> list[Variant]:
    return [
        Variant(UNCHECKED, plain_class, None, None),
        Variant(HAND, hand_checked_class, raised(AssertionError), raised(AssertionError)),
        Variant(FULL, enforced_class(Mode.FULL), violation("requires"), violation("ensures")),
        Variant("ebbrt Mode.REQUIRES", enforced_class(Mode.REQUIRES), violation("requires"), None),
        Variant(f"ebbrt Mode.SAMPLED({sample})", enforced_class(Mode.SAMPLED(sample)),
                violation("requires"), violation("ensures"), every=sample),
        Variant(ICONTRACT, icontract_class,
                raised(icontract.ViolationError), raised(icontract.ViolationError)),
        Variant(DEAL, deal_class, raised(deal.PreContractError), raised(deal.PostContractError)),
    ]


# ------------------------------------------------------------------------------ the self-check

def self_check(all_variants: Sequence[Variant], body: Body) -> list[str]:
    """Why the comparison would be dishonest: wrong results, or a contract that does not fire."""
    problems: list[str] = []
    for v in all_variants:
        try:
            fn = v.make(body)().isqrt
            wrong = [n for n in CHECK_INPUTS if fn(n) != math.isqrt(n)]
        except Exception as e:  # noqa: BLE001 - any failure is a reason to stop
            problems.append(f"{v.label}: raised {type(e).__name__} on a legal call: {e}")
            continue
        if wrong:
            problems.append(f"{v.label}: wrong result for n = {wrong[:5]}")
        problems += _fires(v, "an argument breaking `requires`", v.bad_argument,
                           v.make(body)().isqrt, LIMIT + 1)
        problems += _fires(v, "a broken body breaking `ensures`", v.bad_result,
                           v.make(broken(body))().isqrt, GOOD_ARGUMENT)
    return problems


def _fires(v: Variant, case: str, expected: Callable[[BaseException], bool] | None,
           fn: Callable[[int], int], argument: int) -> list[str]:
    """Call `fn(argument)` 2 * `v.every` times: the contract must fire on exactly 2 calls
    (none when `expected` is None), each time with the expected error."""
    fired = 0
    for _ in range(2 * v.every):
        try:
            fn(argument)
        except Exception as e:  # noqa: BLE001
            if expected is None or not expected(e):
                return [f"{v.label}: {case} raised an unexpected {type(e).__name__}: {e}"]
            fired += 1
    want = 0 if expected is None else 2
    if fired != want:
        return [f"{v.label}: {case} raised on {fired} of {2 * v.every} calls, not {want}"]
    return []


# ------------------------------------------------------------------------------ the timing

def calibrate(fn: Callable[[int], int], min_time: float) -> int:
    """How many passes over INPUTS take at least `min_time` CPU seconds."""
    timer = _timer(fn)
    number = 1
    while timer.timeit(number) < min_time:
        number *= 2
    return number


def _timer(fn: Callable[[int], int]) -> timeit.Timer:
    return timeit.Timer("for n in inputs: fn(n)", timer=time.process_time,
                        globals={"fn": fn, "inputs": INPUTS})


Samples = dict[tuple[str, str], list[float]]   # (body, variant) -> seconds per call, per round


def measure(all_variants: Sequence[Variant], bodies: Sequence[str], repeat: int,
            min_time: float, number: int | None) -> Samples:
    """Seconds per call of each variant with each body, one sample per round, rounds
    interleaved so that a busy machine slows every row alike."""
    fns = {(b, v.label): v.make(BODIES[b])().isqrt for b in bodies for v in all_variants}
    numbers = {key: number or calibrate(fn, min_time) for key, fn in fns.items()}
    timers = {key: _timer(fn) for key, fn in fns.items()}
    samples: Samples = {key: [] for key in fns}
    for _ in range(repeat):
        for key, timer in timers.items():
            n = numbers[key]
            samples[key].append(timer.timeit(n) / (n * len(INPUTS)))
    return samples


@dataclass(frozen=True)
class Goal:
    label: str
    slow: str       # numerator variant
    fast: str       # denominator variant
    at_most: float | None = None
    at_least: float | None = None

    def judge(self, ratio: float) -> str:
        if self.at_most is not None:
            return "met" if ratio <= self.at_most else "missed"
        assert self.at_least is not None
        return "met" if ratio >= self.at_least else "missed"

    @property
    def text(self) -> str:
        return f"<= {self.at_most:g}x" if self.at_most is not None else f">= {self.at_least:g}x"


GOALS = (Goal("ebbrt / unchecked", FULL, UNCHECKED, at_most=2),
         Goal("icontract / ebbrt", ICONTRACT, FULL, at_least=20),
         Goal("deal / ebbrt", DEAL, FULL, at_least=5))


def report(samples: Samples, labels: Sequence[str], bodies: Sequence[str]) -> list[str]:
    """The table of each variant per body (best ns per call, median, ratio to unchecked), then
    the ratios with their goals, one column per body."""
    best = {key: min(s) for key, s in samples.items()}
    versus_hand = f"{FULL} / {HAND}"
    width = max(len(label) for label in [*labels, versus_hand])
    col = 28
    lines = [" " * width + "".join(f"  {b + ' body':>{col}}" for b in bodies),
             f"{'variant':<{width}}" + f"  {'best ns/call (median)  x unch.':>{col}}" * len(bodies)]
    for label in labels:
        cells = []
        for b in bodies:
            ns, med = best[b, label] * 1e9, statistics.median(samples[b, label]) * 1e9
            cells.append(f"{ns:>8,.0f} {f'({med:,.0f})':>9}  "
                         f"{best[b, label] / best[b, UNCHECKED]:>7.2f}x")
        lines.append(f"{label:<{width}}" + "".join(f"  {c:>{col}}" for c in cells))
    lines.append("")
    lines.append(f"{versus_hand:<{width}}" + "".join(
        f"  {best[b, FULL] / best[b, HAND]:>{col - 1}.2f}x" for b in bodies))
    lines.append("")
    lines.append(f"{'ratio':<18}  {'goal':>7}" + "".join(f"  {b + ' body':>16}" for b in bodies))
    for goal in GOALS:
        cells = []
        for b in bodies:
            ratio = best[b, goal.slow] / best[b, goal.fast]
            cells.append(f"{ratio:.2f}x {goal.judge(ratio)}")
        lines.append(f"{goal.label:<18}  {goal.text:>7}" + "".join(f"  {c:>16}" for c in cells))
        # the same ratio for hand-written checks: what any checker of this contract can reach
        floor = [best[b, HAND if goal.slow == FULL else goal.slow] /
                 best[b, HAND if goal.fast == FULL else goal.fast] for b in bodies]
        lines.append(f"{'  (hand-written)':<18}  {'':>7}" + "".join(
            f"  {f'{r:.2f}x':>16}" for r in floor))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--body", choices=[*BODIES, "all"], default="all",
                    help="the implementation's body: pure Python, a corrected float root, "
                         "math.isqrt, or all three side by side (default)")
    ap.add_argument("--repeat", type=int, default=15, help="timed rounds (default 15)")
    ap.add_argument("--min-time", type=float, default=0.03,
                    help="CPU seconds each sample lasts at least (default 0.03)")
    ap.add_argument("--number", type=int, default=None,
                    help="passes over the inputs per sample (default: calibrated by --min-time)")
    ap.add_argument("--sample", type=int, default=100,
                    help="N of the Mode.SAMPLED(N) row (default 100)")
    args = ap.parse_args(argv)
    bodies = list(BODIES) if args.body == "all" else [args.body]
    all_variants = variants(args.sample)
    problems = [f"{b} body: {p}" for b in bodies for p in self_check(all_variants, BODIES[b])]
    if problems:
        print("self-check failed, the timings would not compare like with like:",
              *problems, sep="\n  ", file=sys.stderr)
        return 1
    print(f"Arith.isqrt of {SPEC.name}: {len(INPUTS)} inputs per pass; best of {args.repeat} "
          f"interleaved rounds; bodies: {', '.join(f'{b} ({BODY_TEXT[b]})' for b in bodies)}")
    print("self-check: every variant returns math.isqrt(n); every checked variant raises on a "
          "bad argument and on a broken body")
    print()
    samples = measure(all_variants, bodies, args.repeat, args.min_time, args.number)
    print("\n".join(report(samples, [v.label for v in all_variants], bodies)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
