"""The Hypothesis engine on small specs: correct classes are TESTED clause by clause, broken
ones REFUTED with a replayable script that names the clause."""

from __future__ import annotations

import pytest

import hyp_impls as impl
from ebbrt.verifier import SpecViolation, Verdict, binding_of, run_hypothesis
from ebbrt.verifier._hyp_monitor import clauses_of
from ebbrt.verifier._hypothesis_engine import HypothesisEngineError

BUDGET = dict(max_examples=200, stateful_step_count=30)
SMALL = dict(max_examples=30, stateful_step_count=10)


def verdicts(results: list) -> dict[str, Verdict]:
    return {r.obligation: r.verdict for r in results}


def replay(script: str) -> SpecViolation:
    """Run a script the engine printed (our generated Python, not spec text)."""
    with pytest.raises(SpecViolation) as caught:
        exec(compile(script, "<replay>", "exec"), {})
    return caught.value


@pytest.mark.parametrize("cls", [impl.Bag, impl.Timer], ids=lambda c: c.__name__)
def test_a_correct_class_has_every_clause_tested(cls: type) -> None:
    results = run_hypothesis(cls, **BUDGET)
    ids = [c.id for c in clauses_of(binding_of(cls)).all]
    assert [r.obligation for r in results] == ids  # one result per clause, in spec order
    untested = {r.obligation: r.reason for r in results if r.verdict is not Verdict.TESTED}
    assert not untested
    for r in results:
        examples = int(dict(r.details)["examples"])
        assert 0 < examples <= int(dict(r.details)["runs"])
        assert r.engine == "hypothesis" and r.span.line > 0


BROKEN = [
    (impl.EraseKeepsElement, "Bag.erase.ensures.1"),
    (impl.DuplicateCounts, "Bag.insert.case.duplicate"),
    (impl.TakeMinWrongException, "Bag.take_min.outcome"),
    (impl.CheckNeverRaises, "Bag.check.checked_requires.1"),
    (impl.SizeOffByOne, "Bag.size.returns.1"),
    (impl.CheckChangesState, "Bag.check.frame"),
    (impl.TimerWrongCore, "Timer.start.ensures.1"),
]


@pytest.mark.parametrize("cls, clause", BROKEN, ids=[c.__name__ for c, _ in BROKEN])
def test_a_broken_class_is_refuted_with_a_replayable_script(cls: type, clause: str) -> None:
    results = run_hypothesis(cls, **BUDGET)
    refuted = {r.obligation: r for r in results if r.verdict is Verdict.REFUTED}
    assert list(refuted) == [clause]
    result = refuted[clause]
    script = dict(result.details)["script"]
    assert clause.split(".")[1] in script and "monitored(" in script
    assert result.counterexample is not None and result.counterexample.pre
    violation = replay(script)
    assert violation.clause.id == clause
    assert str(violation).splitlines()[0] in script  # the script's header names the clause
    others = [r for r in results if r.obligation != clause]
    assert all(r.verdict in (Verdict.TESTED, Verdict.UNKNOWN) for r in others)


def test_the_script_of_an_event_violation_replays() -> None:
    results = run_hypothesis(impl.TimerRepeatStops, **BUDGET)
    refuted = [r for r in results if r.verdict is Verdict.REFUTED]
    assert [r.obligation for r in refuted] == ["Timer.fire.ensures.2"]
    script = dict(refuted[0].details)["script"]
    assert "ctx.now = " in script and "s.fire(" in script
    assert replay(script).clause.id == "Timer.fire.ensures.2"


def test_runs_are_deterministic() -> None:
    first = run_hypothesis(impl.CounterCapsAdd, **SMALL)
    second = run_hypothesis(impl.CounterCapsAdd, **SMALL)
    assert Verdict.REFUTED in verdicts(first).values()
    assert [r.as_dict() for r in first] == [r.as_dict() for r in second]
    seeded = [run_hypothesis(impl.Counter, seed=7, **SMALL) for _ in range(2)]
    assert [r.as_dict() for r in seeded[0]] == [r.as_dict() for r in seeded[1]]


def test_a_clause_whose_requires_never_holds_is_unknown_with_the_reason() -> None:
    results = {r.obligation: r for r in run_hypothesis(impl.Picky, **SMALL)}
    for clause in ("Picky.big.requires.1", "Picky.big.ensures.1"):
        assert results[clause].verdict is Verdict.UNKNOWN
        assert "never exercised: the requires of `big` never held" in results[clause].reason
    assert results["Picky.small.ensures.1"].verdict is Verdict.TESTED


def test_a_clause_the_evaluators_cannot_read_is_skipped() -> None:
    results = {r.obligation: r for r in run_hypothesis(impl.Opaque, **SMALL)}
    skipped = results["Opaque.put.ensures.1"]
    assert skipped.verdict is Verdict.SKIPPED and "mix" in skipped.reason
    assert results["Opaque.put.frame"].verdict is Verdict.TESTED


def test_a_wrong_initial_value_is_refuted_and_the_rest_still_tested() -> None:
    results = verdicts(run_hypothesis(impl.CounterStartsAtOne, **SMALL))
    assert results.pop("Counter.initial.n") is Verdict.REFUTED
    assert set(results.values()) == {Verdict.TESTED}


def test_evaluators_agree_and_a_disagreement_is_a_verifier_bug(monkeypatch) -> None:
    for evaluator in ("reference", "both"):
        results = run_hypothesis(impl.Bag, evaluator=evaluator, **SMALL)
        assert Verdict.REFUTED not in verdicts(results).values()
    from ebbrt.verifier import _hyp_checks

    def lying(checked, expr):
        return lambda env, pre=None: False
    monkeypatch.setattr(_hyp_checks, "_compiled_expr", lying)
    results = run_hypothesis(impl.Counter, evaluator="both", **SMALL)
    unknown = [r for r in results if r.verdict is Verdict.UNKNOWN]
    assert unknown and all("bug in the verifier" in r.reason for r in unknown)


def test_the_crosshair_backend_runs_a_small_spec() -> None:
    """CrossHair's path search has wall-clock limits, so whether it reaches the bug within five
    examples depends on the machine: what is pinned is that every clause gets a verdict from
    this backend, and that anything refuted is the real bug, with a script that replays."""
    results = run_hypothesis(impl.CounterCapsAdd, backend="crosshair", max_examples=5,
                             stateful_step_count=3)
    assert results and {r.engine for r in results} == {"hypothesis-crosshair"}
    assert all(r.verdict in (Verdict.REFUTED, Verdict.TESTED, Verdict.UNKNOWN) for r in results)
    refuted = [r for r in results if r.verdict is Verdict.REFUTED]
    assert [r.obligation for r in refuted] in ([], ["Counter.add.ensures.1"])
    for r in refuted:
        assert replay(dict(r.details)["script"]).clause.id == "Counter.add.ensures.1"


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(HypothesisEngineError, match="backend"):
        run_hypothesis(impl.Counter, backend="z3")
    with pytest.raises(HypothesisEngineError, match="max_examples"):
        run_hypothesis(impl.Counter, max_examples=0)
    with pytest.raises(ValueError, match="evaluator"):
        run_hypothesis(impl.Counter, evaluator="magic")


def test_an_implementation_that_cannot_be_created_is_a_clear_error() -> None:
    with pytest.raises(HypothesisEngineError, match=r"cannot test BrokenAbstraction: .*"
                                                    r"BindingError.*lacks `inserts`"):
        run_hypothesis(impl.BrokenAbstraction)
