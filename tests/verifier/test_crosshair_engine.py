"""The CrossHair engine end to end, on the small specs in data/xh_*.ebb (small budgets: each run
takes a second or two)."""

from __future__ import annotations

import pytest

import xh_impls as X
from ebbrt.verifier import Verdict, run_crosshair
from ebbrt.verifier._crosshair_isolation import other_checkers_kept

with other_checkers_kept():  # importing CrossHair switches icontract's checks off: not for
    from ebbrt.verifier._crosshair_engine import CrossHairEngineError  # the other tests

FAST = dict(depth=1, max_iterations=80, examples=4)


def by_id(results):
    return {r.obligation: r for r in results}


def test_a_correct_class_is_confirmed_over_all_paths() -> None:
    results = run_crosshair(X.Counter, **FAST)
    got = by_id(results)
    assert {r.engine for r in results} == {"crosshair"}
    expected = {"Counter.add.ensures.1", "Counter.add.invariant.bounded", "Counter.add.outcome",
                "Counter.take.ensures.1", "Counter.take.throws.1", "Counter.get.returns.1",
                "Counter.get.frame", "Counter.get.invariant.bounded"}
    assert expected <= set(got)
    for obligation in expected:
        result = got[obligation]
        assert result.verdict == Verdict.PROVED, result
        assert result.message.startswith("symbolically checked: confirmed over all paths")
        assert dict(result.details)["history_depth"] == "1"
        assert int(dict(result.details)["examples"]) > 0  # concrete inputs agreed
    assert got["Counter.add.ensures.1"].span.line == 16
    assert got["Counter.add.invariant.bounded"].span.line == 10


def test_a_broken_op_is_refuted_with_concrete_arguments_and_the_clause() -> None:
    got = by_id(run_crosshair(X.AddsTwiceOnThree, ops=["add"], **FAST))
    result = got["Counter.add.ensures.1"]
    assert result.verdict == Verdict.REFUTED
    assert result.kind == "ensures" and result.subject == "add"
    assert "count == old(count) + n" in result.message
    cx = result.counterexample
    assert cx is not None and dict(cx.args) == {"n": "3"}
    pre, post = int(dict(cx.pre)["count"]), int(dict(cx.post)["count"])
    assert post == pre + 6
    assert "history" in dict(cx.env)
    assert "replayed" in dict(result.details)
    assert got["Counter.add.outcome"].verdict == Verdict.PROVED  # it never crashes


def test_a_missing_throw_is_refuted_on_its_throws_clause() -> None:
    got = by_id(run_crosshair(X.TakesWithoutCheck, ops=["take"], **FAST))
    result = got["Counter.take.throws.1"]
    assert result.verdict == Verdict.REFUTED
    cx = result.counterexample
    assert int(dict(cx.args)["n"]) > int(dict(cx.pre)["count"])


def test_an_undeclared_exception_is_a_refuted_outcome() -> None:
    got = by_id(run_crosshair(X.GetCrashesAtThree, ops=["get"], **FAST))
    result = got["Counter.get.outcome"]
    assert result.verdict == Verdict.REFUTED
    assert "KeyError" in result.message
    assert dict(result.counterexample.pre)["count"] == "3"


def test_the_invariant_trap_is_caught() -> None:
    # TrapForm's `add` keeps its own require/ensure and breaks the class invariant
    got = by_id(run_crosshair(X.AddsTooMuchNearTheTop, form=X.TrapForm, ops=["add"], **FAST))
    invariant = got["Counter.add.invariant.bounded"]
    assert invariant.verdict == Verdict.REFUTED
    assert invariant.kind == "invariant"
    assert int(dict(invariant.counterexample.post)["count"]) > 10
    assert got["Counter.add.ensures.1"].verdict != Verdict.REFUTED  # its own ensures holds


def test_a_hand_written_form_gets_the_exception_clauses_judged_by_the_engine() -> None:
    good = by_id(run_crosshair(X.Counter, form=X.CounterForm, ops=["take"], **FAST))
    assert good["Counter.take.throws.1"].verdict == Verdict.PROVED
    bad = by_id(run_crosshair(X.TakesWithoutCheck, form=X.TakesWithoutCheckForm, ops=["take"],
                              **FAST))
    assert bad["Counter.take.throws.1"].verdict == Verdict.REFUTED


def test_handles_made_by_the_implementation_are_passed_back() -> None:
    got = by_id(run_crosshair(X.ClosesTheFirst, ops=["close"], depth=2, max_iterations=120,
                              examples=2))
    result = got["Desk.close.ensures.1"]
    assert result.verdict == Verdict.REFUTED
    assert dict(result.counterexample.env)["history"].count("issue()") == 2


def test_an_op_taking_a_collection_is_skipped_with_the_reason() -> None:
    (result,) = run_crosshair(X.Desk, ops=["close_all"], **FAST)
    assert result.verdict == Verdict.SKIPPED
    assert "ts: set<Ticket>" in result.reason


def test_the_same_input_gives_the_same_results() -> None:
    first = run_crosshair(X.AddsTwiceOnThree, ops=["add"], **FAST)
    again = run_crosshair(X.AddsTwiceOnThree, ops=["add"], **FAST)
    assert [r.as_dict() for r in first] == [r.as_dict() for r in again]


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(CrossHairEngineError, match="max_iterations"):
        run_crosshair(X.Counter, max_iterations=0)
    with pytest.raises(CrossHairEngineError, match="no op or event `nope`"):
        run_crosshair(X.Counter, ops=["nope"])
    with pytest.raises(CrossHairEngineError, match="per_path_timeout"):
        run_crosshair(X.Counter, per_path_timeout=0)
