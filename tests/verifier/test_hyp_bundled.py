"""The Hypothesis engine on every bundled implementation, with a modest budget: no clause
broken, and every step judged twice (the compiled contract and the reference evaluator, clause
by clause, and the compiler's whole-operation check), so a disagreement fails here as a bug in
the verifier."""

from __future__ import annotations

import pytest

import ebbrt.ebbs
from ebbrt.verifier import Verdict, run_hypothesis

BUNDLED = ["UnorderedSet", "UnorderedMap", "Futures", "Timer", "PageAllocator", "SlabAllocator"]

@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_implementation_keeps_its_spec(name: str) -> None:
    results = run_hypothesis(getattr(ebbrt.ebbs, name), max_examples=30,
                             stateful_step_count=15, evaluator="both")
    refuted = {r.obligation: r.message for r in results if r.verdict is Verdict.REFUTED}
    assert not refuted
    for r in results:
        assert r.verdict is not Verdict.SKIPPED, (r.obligation, r.reason)
        if r.verdict is Verdict.UNKNOWN:
            assert r.reason.startswith("never exercised"), (r.obligation, r.reason)
    tested = [r for r in results if r.verdict is Verdict.TESTED]
    assert len(tested) >= len(results) * 3 // 4
