"""The Hypothesis engine's parts: argument hints read off the requires, traces replayed and
minimized outside Hypothesis, and the scripts printed from them."""

from __future__ import annotations

import pytest

import hyp_impls as impl
from ebbrt.ebbs import Futures, PageAllocator
from ebbrt.verifier import Context, SpecViolation, Verdict, binding_of, monitored, run_hypothesis
from ebbrt.verifier._hyp_hints import argument_hints, hint_values
from ebbrt.verifier._hyp_monitor import PreconditionFailed
from ebbrt.verifier._hyp_script import render_script
from ebbrt.verifier._hyp_trace import ResultRef, TraceStep, minimize, replay
from ebbrt.verifier._values import FrozenMap


def call(i: int, name: str, *args: object) -> TraceStep:
    return TraceStep(i, "call", name, args)


def test_hints_follow_membership_and_equality_in_the_requires() -> None:
    binding = binding_of(PageAllocator)
    free = binding.ebb.ops["free"]
    hints = argument_hints(binding.checked, free)
    assert [h.kind for h in hints["pfn"]] == ["member"]
    assert [h.kind for h in hints["order"]] == ["equal"]
    evaluator = monitored(PageAllocator, Context()).monitor.ev
    env = {"allocated": FrozenMap({8: 3, 0: 1}), "free_pages": frozenset(), "pfn": 8}
    assert hint_values(hints["pfn"], lambda e: evaluator.value(e, env)) == [0, 8]
    assert hint_values(hints["order"], lambda e: evaluator.value(e, env)) == [3]
    del env["pfn"]  # not drawn yet: the hint says nothing
    assert hint_values(hints["order"], lambda e: evaluator.value(e, env)) == []
    bag = binding_of(impl.Bag)
    assert [h.kind for h in argument_hints(bag.checked, bag.ebb.ops["erase"])["x"]] == ["member"]
    assert "x" in argument_hints(bag.checked, bag.ebb.ops["check"])  # checked requires too


def test_minimize_drops_steps_and_simplifies_arguments() -> None:
    binding = binding_of(impl.EraseKeepsElement)
    steps = [call(0, "insert", 5), call(1, "insert", 7), call(2, "size"),
             TraceStep(3, "core", value=1), call(4, "check", 5), call(5, "erase", 7)]
    found = minimize(binding, steps, "Bag.erase.ensures.1", ncores=2, evaluator="compiled")
    assert found is not None
    best, violation = found
    assert [(s.name, s.args) for s in best] == [("insert", (0,)), ("erase", (0,))]
    assert violation.clause.id == "Bag.erase.ensures.1"


def test_minimize_gives_up_on_a_trace_that_does_not_break_the_clause() -> None:
    steps = [call(0, "insert", 5), call(1, "erase", 5)]
    assert minimize(binding_of(impl.Bag), steps, "Bag.erase.ensures.1", ncores=2,
                    evaluator="compiled") is None


def test_results_are_passed_by_reference_in_replays_and_scripts() -> None:
    binding = binding_of(Futures)
    steps = [call(0, "make_promise"), call(1, "set_value", ResultRef(0), 3),
             call(2, "set_value", ResultRef(0), 4)]
    violation = replay(binding, steps, ncores=2, evaluator="compiled")
    assert violation is None  # the second set_value raises PromiseAlreadySatisfied, as it must
    script = render_script(binding, steps, headline="three steps", ncores=2,
                           evaluator="compiled")
    assert "r1 = s.make_promise()" in script and "s.set_value(r1, 4)" in script
    exec(compile(script, "<replay>", "exec"), {})  # runs clean: nothing raises


def test_an_invariant_broken_by_time_alone_replays_with_an_explicit_check() -> None:
    results = {r.obligation: r for r in run_hypothesis(impl.Clock, max_examples=30,
                                                       stateful_step_count=10)}
    broken = results["Clock.invariant.young"]
    assert broken.verdict is Verdict.REFUTED
    script = dict(broken.details)["script"]
    assert script.rstrip().endswith("s.check_invariants()  # raises SpecViolation")
    with pytest.raises(SpecViolation) as caught:
        exec(compile(script, "<replay>", "exec"), {})
    assert caught.value.clause.id == "Clock.invariant.young"
    assert results["Clock.touch.ensures.1"].verdict is Verdict.TESTED


def test_a_monitored_call_that_breaks_its_requires_is_a_caller_bug() -> None:
    bag = monitored(impl.Bag, Context())
    with pytest.raises(PreconditionFailed, match=r"Bag\.erase\(3\).*x in elems"):
        bag.erase(3)
    bag.insert(3)
    bag.erase(3)
    assert bag.items == [] and bag.size() == 0  # other attributes are the instance's own
