"""The CrossHair engine's parts: the history harness, reading CrossHair's messages and the
icontract form, and the concrete replay that keeps CrossHair honest (fed fake verdicts)."""

from __future__ import annotations

import pytest

import xh_impls as X
from ebbrt.verifier import Verdict, binding_of, run_crosshair
from ebbrt.verifier._crosshair_form import FormUnavailable, parse_description, read_form
from ebbrt.verifier._crosshair_harness import History, Invalid, PoolHandle, pick
from ebbrt.verifier._crosshair_isolation import other_checkers_kept

with other_checkers_kept():  # importing CrossHair switches icontract's checks off: not for
    from crosshair.statespace import AnalysisMessage, MessageType  # the other tests
    from ebbrt.verifier import _crosshair_engine, _crosshair_run
    from ebbrt.verifier._crosshair_run import parse_call


def fake_crosshair(monkeypatch, state: MessageType, text: str) -> None:
    """CrossHair answers `text` for every check, without running."""
    def messages(function, options):
        return [AnalysisMessage(state, text, __file__, 1, 0, "")]
    monkeypatch.setattr(_crosshair_run, "crosshair_messages", messages)


# ---------------------------------------------------------------------------- point 5

def test_a_counterexample_that_does_not_replay_is_a_verifier_bug(monkeypatch) -> None:
    # add(2) on a new counter keeps every clause: CrossHair "saying" otherwise is a bug
    fake_crosshair(monkeypatch, MessageType.POST_FAIL,
                   "false when calling check_add(0, 0, 2) (which returns <o>)")
    results = run_crosshair(X.Counter, ops=["add"], depth=1)
    bug = results[0]
    assert bug.obligation == "Counter.add.crosshair" and bug.verdict == Verdict.UNKNOWN
    assert bug.reason.startswith("verifier disagreement:")
    assert "every condition of the icontract form holds" in bug.reason
    assert dict(bug.details)["verifier_bug"] == "true"
    rest = results[1:]
    assert rest and all(r.verdict == Verdict.UNKNOWN for r in rest)
    assert all("did not replay" in r.reason for r in rest)


def test_an_unreadable_counterexample_is_a_verifier_bug(monkeypatch) -> None:
    fake_crosshair(monkeypatch, MessageType.POST_FAIL, "false when calling something else")
    results = run_crosshair(X.Counter, ops=["get"], depth=1)
    assert results[0].reason.startswith("verifier disagreement:")
    assert "could not be read back" in results[0].reason
    assert Verdict.REFUTED not in {r.verdict for r in results}


def test_a_confirmation_contradicted_by_a_concrete_input_is_a_verifier_bug(monkeypatch) -> None:
    # CrossHair "confirms" an add that adds one too many; any concrete input shows it breaks
    fake_crosshair(monkeypatch, MessageType.CONFIRMED, "Confirmed over all paths.")
    got = {r.obligation: r for r in run_crosshair(X.AddsOneTooMany, ops=["add"], depth=1)}
    ensures = got["Counter.add.ensures.1"]
    assert ensures.verdict == Verdict.UNKNOWN
    assert ensures.reason.startswith("verifier disagreement: CrossHair confirmed it")
    assert "then add(" in ensures.reason
    assert got["Counter.add.outcome"].verdict == Verdict.PROVED  # nothing contradicts that


def test_a_real_counterexample_replays(monkeypatch) -> None:
    fake_crosshair(monkeypatch, MessageType.POST_FAIL,
                   "false when calling check_add(1, 1, 3) (which returns <o>)")
    got = {r.obligation: r for r in run_crosshair(X.AddsTwiceOnThree, ops=["add"], depth=1,
                                                   max_refutations=0)}
    result = got["Counter.add.ensures.1"]
    assert result.verdict == Verdict.REFUTED
    assert dict(result.counterexample.env)["history"] == "add(1)"
    assert dict(result.counterexample.post)["count"] == "7"


def test_without_an_icontract_form_every_op_is_skipped(monkeypatch) -> None:
    def unavailable(binding):
        raise FormUnavailable("no form today")
    monkeypatch.setattr(_crosshair_engine, "form_for", unavailable)
    results = run_crosshair(X.Counter)
    assert [r.subject for r in results] == ["add", "take", "get"]
    assert {(r.verdict, r.reason) for r in results} == {(Verdict.SKIPPED, "no form today")}


def test_a_form_must_subclass_the_bound_class() -> None:
    with pytest.raises(FormUnavailable, match="not a subclass of Counter"):
        read_form(X.Desk, binding_of(X.Counter))


# ---------------------------------------------------------------------------- reading CrossHair

def test_counterexample_calls_parse_back_into_values() -> None:
    text = "false when calling check_x(2, -3, True, (1), n=5) (which returns (1, 2))"
    args, kwargs = parse_call(text, "check_x")
    assert args == (2, -3, True, 1) and kwargs == {"n": 5}
    assert parse_call(text, "check_y") is None
    assert parse_call("when calling check_x(open('f'))", "check_x") is None  # not a literal
    assert parse_call("when calling check_x(1, 2", "check_x") is None


def test_to_icontract_descriptions_name_their_clause() -> None:
    ref = parse_description("/s/t.ebb:12:5: Timer.start: ensures `armed == old(armed)` "
                            "(removes `hook` only)")
    assert (ref.kind, ref.text, ref.line, ref.column) == ("ensures", "armed == old(armed)", 12, 5)
    throws = parse_description("/s/f.ebb:3:1: Futures.get: throws FutureFailed when `x`")
    assert (throws.kind, throws.exception) == ("throws", "FutureFailed")
    checked = parse_description("/s/f.ebb:3:1: Futures.set_value: checked requires "
                                "(throws PromiseAlreadySatisfied) `x`")
    assert (checked.kind, checked.exception) == ("checked requires", "PromiseAlreadySatisfied")
    assert parse_description("/s/t.ebb:1:1: Timer: invariant `x`").kind == "invariant"
    assert parse_description("Counter.add.ensures.1") is None


# ---------------------------------------------------------------------------- the harness

class _Direct:
    """Runs history steps straight on the implementation."""

    def __init__(self, binding):
        self.binding = binding

    def create(self, context):
        return self.binding.create(context)

    def enabled(self, instance, call, args):
        return True

    def call(self, instance, call, args):
        return self.binding.method(instance, call.name)(*args)


def test_a_history_shares_argument_slots_and_decodes_every_integer() -> None:
    binding = binding_of(X.Counter)
    history = History(binding, depth=2)
    target = history.target("add")
    names = [s.name for s in history.slots(target)]
    assert names == ["s0", "s0_i0", "s1", "s1_i0", "n"]  # add and take share s<i>_i0
    # steps: 0 idle, 1 add, 2 take, 3 get (mod 4); n: nat[0..5] is 0 + n % 6
    values = {"s0": 1, "s0_i0": 4, "s1": 2, "s1_i0": 1, "n": 8}
    instance, run, args = history.run(values, target, _Direct(binding))
    assert instance.count == 3 and args == (2,)
    assert run.steps == [("add", (4,)), ("take", (1,))]
    _, run, _ = history.run({**values, "s0": -3, "s1": 4}, target, _Direct(binding))
    assert run.steps == [("add", (4,))]  # -3 % 4 == 1: add; 4 % 4 == 0: idle
    assert [pick(v, 3) for v in (-1, 0, 5)] == [2, 0, 2]


def test_made_handles_come_back_by_index_and_pool_handles_hash_by_index() -> None:
    binding = binding_of(X.Desk)
    history = History(binding, depth=2)
    assert "close_all" in history.unsupported
    target = history.target("close")
    values = {"s0": 1, "s1": 1, "t": 1}  # issue(); issue(); then close(the second)
    instance, run, args = history.run(values, target, _Direct(binding))
    assert args == (instance.tickets[1],)
    with pytest.raises(Invalid):
        history.run({**values, "s1": 0}, target, _Direct(binding))  # only one was made
    assert hash(PoolHandle("Hook", 2)) == hash(2)
