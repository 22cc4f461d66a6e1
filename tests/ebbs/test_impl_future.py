"""Futures and promises: the Python surface, and random sequences judged against future.ebb
(every clause and invariant) with the reference evaluator."""

from __future__ import annotations

import pytest
from broken.oracle import Oracle, Step
from hypothesis import given, settings
from hypothesis import strategies as st

from ebbrt.ebbs import (Future, FutureFailed, Futures, InvalidArgument, Promise,
                        PromiseAlreadySatisfied, Status)
from ebbrt.verifier import Context
from ebbrt.verifier._values import NONE, EnumValue, Handle, RecordValue, Some


def test_promise_fulfils_future_and_continuation_runs_on_the_fulfilling_core() -> None:
    ctx = Context(ncores=4)
    futures = Futures(ctx)
    promise = Promise(futures)
    seen = []
    promise.future.then(lambda f: seen.append((f.get(), ctx.this_core)))
    ctx.this_core = 2
    promise.set_value(42)
    assert seen == []  # never inline: the continuation is an event of its own
    ctx.this_core = 0
    assert futures.run_ready() == 1
    assert seen == [(42, 2)] and ctx.this_core == 0
    assert futures.run_ready() == 0  # it runs once


def test_then_on_a_fulfilled_future_runs_on_the_calling_core() -> None:
    ctx = Context(ncores=2)
    futures = Futures(ctx)
    ready = futures.make_ready_future(7)
    ctx.this_core = 1
    cores = []
    ready.then(lambda f: cores.append(ctx.this_core))
    futures.run_ready()
    assert cores == [1]


def test_a_promise_is_fulfilled_once() -> None:
    futures = Futures()
    promise = Promise(futures)
    promise.set_value(1)
    with pytest.raises(PromiseAlreadySatisfied):
        promise.set_value(2)
    with pytest.raises(PromiseAlreadySatisfied):
        promise.set_exception(ValueError("late"))
    assert promise.future.get() == 1


def test_get_of_a_failed_future_raises_future_failed_with_the_error() -> None:
    futures = Futures()
    error = ValueError("boom")
    failed = futures.make_failed_future(error)
    with pytest.raises(FutureFailed) as caught:
        failed.get()
    assert caught.value.error is error
    assert failed.status is Status.Failed and not failed.pending


def test_caller_bugs_are_caught_cheaply() -> None:
    futures = Futures()
    f = futures.make_promise()
    with pytest.raises(InvalidArgument, match="pending"):
        f.get()
    f.then(lambda _: None)
    with pytest.raises(InvalidArgument, match="already has a continuation"):
        f.then(lambda _: None)


def test_continuations_may_chain_promises() -> None:
    futures = Futures()
    first, second = Promise(futures), Promise(futures)
    results = []
    first.future.then(lambda f: second.set_value(f.get() + 1))
    second.future.then(lambda f: results.append(f.get()))
    first.set_value(1)
    assert futures.run_ready() == 2 and results == [2]


def test_abstraction_is_the_spec_cell_of_every_future() -> None:
    ctx = Context(this_core=0, ncores=2)
    futures = Futures(ctx)
    pending = futures.make_promise()
    k = Handle("Continuation", 0)
    futures.then(pending, k)
    ready = futures.make_ready_future(5)
    cells = futures.abstraction()["cells"]
    assert set(cells) == {pending, ready} and isinstance(pending, Future)
    assert cells[pending] == RecordValue("Cell", (
        ("status", EnumValue("Status", "Pending")), ("value", NONE), ("error", NONE),
        ("continuation", Some(k)), ("fulfilled_on", NONE), ("ran", False)))
    assert cells[ready]["value"] == Some(5) and cells[ready]["fulfilled_on"] == Some(0)


def test_opaque_continuations_are_only_marked_as_run() -> None:
    futures = Futures()
    f = futures.make_ready_future(1)
    futures.then(f, Handle("Continuation", 3))
    futures.run_continuation(f)
    assert futures.abstraction()["cells"][f]["ran"] is True


# ---------------------------------------------------------------------------- against the spec

OPS = st.lists(st.tuples(
    st.sampled_from(["make_promise", "make_promise", "set_value", "set_exception",
                     "make_ready_future", "make_failed_future", "then", "get",
                     "run_continuation"]),
    st.integers(0, 7), st.integers(0, 3), st.integers(0, 1)), min_size=8, max_size=30)


def _step(oracle: Oracle, op: str, pick: int, value: int, core: int) -> Step:
    cells = list(oracle.model()["cells"])
    f = cells[pick % len(cells)] if cells else None
    args = {
        "make_promise": (), "make_ready_future": (value,),
        "make_failed_future": (Handle("Error", value),), "set_value": (f, value),
        "set_exception": (f, Handle("Error", value)),
        "then": (f, Handle("Continuation", pick)), "get": (f,), "run_continuation": (f,),
    }[op]
    return Step(op, args, core=core)


@settings(max_examples=40)
@given(OPS)
def test_futures_keep_every_clause_on_random_sequences(ops) -> None:
    oracle = Oracle(Futures, context=Context(ncores=2))
    assert oracle.run([]).violations == []
    for op, pick, value, core in ops:
        step = _step(oracle, op, pick, value, core)
        if None in step.args:
            continue
        ran, _, violations = oracle.try_step(step)
        assert violations == [], f"after {[str(s) for s in oracle.history]}"
