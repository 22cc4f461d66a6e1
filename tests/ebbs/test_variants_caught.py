"""Every broken variant of the bundled implementations is caught (issue 4, point 8).

The Hypothesis engine, with a fixed seed and a CI budget, refutes each variant of
`tests/ebbs/broken` with a counterexample; CrossHair refutes a few of them quickly. The full
table, with both engines at the benchmark's budgets, is docs/catch-rate.md
(benchmarks/catch_rate.py).
"""

from __future__ import annotations

import pytest

from broken import VARIANTS, BrokenVariant
from ebbrt.verifier import Verdict, binding_of, run_hypothesis
from ebbrt.verifier._crosshair_isolation import other_checkers_kept

with other_checkers_kept():  # importing CrossHair switches icontract's checks off: not for
    from ebbrt.verifier import run_crosshair  # the other tests

# Runs of 100 examples x 50 steps with seeds 0..5 in turn until one refutes: a budget of up
# to 600 examples in deterministic pieces (most variants fall to the first; the hash-table
# tombstone bugs and the lost continuation need the right keys or calls in the right order).
# One round each (no second run looking for more broken clauses): one refutation is enough.
SEEDS = tuple(range(6))
BUDGET = dict(max_examples=100, stateful_step_count=50, max_rounds=1)


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_hypothesis_refutes_the_variant(variant: BrokenVariant) -> None:
    for seed in SEEDS:
        results = run_hypothesis(variant.broken_class, ncores=max(2, variant.ncores),
                                 seed=seed, **BUDGET)
        refuted = [r for r in results if r.verdict is Verdict.REFUTED]
        if refuted:
            break
    assert refuted, f"{variant.name} ({variant.bug_kind}) was not caught"
    ebb = binding_of(variant.broken_class).ebb.name
    for r in refuted:
        assert r.engine == "hypothesis" and r.ebb == ebb
        assert r.counterexample is not None
        assert r.counterexample.args or r.counterexample.pre or r.counterexample.post
        assert "script" in dict(r.details)  # a replayable script of the run


# Variants CrossHair refutes within a few seconds when pointed at the broken operation.
CROSSHAIR_QUICK = {
    "TimerFiresOneEarly": "start",
    "SlabHeaderMisalignsObjects": "alloc",
    "SetDuplicateReturnsEnd": "insert",
    "MapAtRaisesKeyError": "at",
}


@pytest.mark.parametrize("name", list(CROSSHAIR_QUICK))
def test_crosshair_refutes_the_variant(name: str) -> None:
    variant = next(v for v in VARIANTS if v.name == name)
    results = run_crosshair(variant.broken_class, ops=[CROSSHAIR_QUICK[name]])
    refuted = [r for r in results if r.verdict is Verdict.REFUTED]
    assert refuted, f"{name} was not caught by CrossHair"
    assert all(r.engine == "crosshair" and r.counterexample is not None for r in refuted)
