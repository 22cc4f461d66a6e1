"""Futures and promises: continuations run as their own events on the fulfilling core,
`when_all`, ready and failed futures, `get`, and fulfilling twice."""

from __future__ import annotations

import pytest
from runtime_helpers import FREE, make_runtime, where

from ebbrt.runtime import (FutureFailed, InvalidArgument, NotOnCore, Promise,
                           PromiseAlreadySatisfied, make_failed_future, make_ready_future,
                           spawn_remote, when_all)


def run(rt, work, core=0):
    rt.spawn(work, core=core)
    rt.run()


def test_a_continuation_runs_on_the_fulfilling_core_as_its_own_event():
    rt = make_runtime(cores=2)
    log = []
    promise = Promise()

    def attach():
        promise.future.then(lambda f: log.append(("continuation", f.get(), where()[0])))
        spawn_remote(fulfil, 1)

    def fulfil():
        promise.set_value(42)
        log.append(("fulfilled", where()[0]))   # the continuation has not run yet
    run(rt, attach)
    assert log == [("fulfilled", "node0.core1"), ("continuation", 42, "node0.core1")]
    assert promise.future.fulfilled_on is rt.event_manager(0, 1)


def test_then_on_a_fulfilled_future_runs_later_on_the_calling_core():
    rt = make_runtime(cores=2)
    log = []

    def main():
        ready = make_ready_future("ready")
        ready.then(lambda f: log.append((f.get(), where()[0])))
        log.append("then returned")
    run(rt, main, core=1)
    assert log == ["then returned", ("ready", "node0.core1")]


def test_then_chains_and_flattens_and_a_raising_continuation_fails_the_next():
    rt = make_runtime(cost=FREE)
    log = []

    def main():
        inner = Promise()
        first = make_ready_future(2)
        second = first.then(lambda f: f.get() * 10)
        third = second.then(lambda f: inner.future)          # a future: flattened
        fourth = third.then(lambda f: log.append(("flattened", f.get())) or 1 / 0)
        fourth.then(lambda f: log.append(("failed", type(f._error).__name__)))
        inner.set_value("inner value")
        log.append(("second", second.status))
    run(rt, main)
    assert log == [("second", "Pending"), ("flattened", "inner value"),
                   ("failed", "ZeroDivisionError")]


def test_get_raises_future_failed_carrying_the_error_through_chains():
    rt = make_runtime()
    seen = []
    error = ValueError("disk on fire")

    def main():
        failed = make_failed_future(error)
        assert failed.status == "Failed"
        with pytest.raises(FutureFailed) as info:
            failed.get()
        assert info.value.error is error and info.value.__cause__ is error
        # a continuation calling get() on it passes the same error on, not a wrapped one
        failed.then(lambda f: f.get()).then(lambda f: seen.append(f._error))
    run(rt, main)
    assert seen == [error]


def test_await_raises_the_failure_in_the_event():
    rt = make_runtime()
    caught = []

    async def main():
        try:
            await make_failed_future(OSError("no route"))
        except FutureFailed as failure:
            caught.append(str(failure.error))
    run(rt, main)
    assert caught == ["no route"]


def test_when_all_keeps_the_order_and_fails_with_the_first_failure():
    rt = make_runtime(cores=2)
    results = []

    def main():
        promises = [Promise() for _ in range(3)]
        when_all([p.future for p in promises]).then(lambda f: results.append(f.get()))
        spawn_remote(lambda: promises[2].set_value("c"), 1)
        promises[0].set_value("a")
        promises[1].set_value("b")
        bad = [Promise() for _ in range(3)]
        when_all(p.future for p in bad).then(lambda f: results.append(repr(f._error)))
        bad[1].set_exception(KeyError("first"))
        bad[0].set_exception(KeyError("second"))
        bad[2].set_value("late")
        when_all([]).then(lambda f: results.append(f.get()))
    run(rt, main)
    # each hop is an event: the empty case is one continuation, the failure two (the arrival,
    # then the result's continuation), and the values wait for core 1's "c"
    assert results == [[], "KeyError('first')", ["a", "b", "c"]]


def test_a_promise_is_fulfilled_once():
    rt = make_runtime()

    def main():
        promise = Promise()
        promise.set_value(1)
        with pytest.raises(PromiseAlreadySatisfied, match="already fulfilled"):
            promise.set_value(2)
        with pytest.raises(PromiseAlreadySatisfied):
            promise.set_exception(ValueError())
        assert promise.future.get() == 1
    run(rt, main)


def test_a_future_has_one_continuation_and_get_refuses_to_block():
    promise = Promise()
    promise.future.then(lambda f: None)
    with pytest.raises(InvalidArgument, match="already has a continuation"):
        promise.future.then(lambda f: None)
    with pytest.raises(InvalidArgument, match="is pending and get\\(\\) would block"):
        promise.future.get()


def test_a_continuation_needs_a_core_to_run_on():
    promise = Promise()
    promise.set_value(1)                        # nothing waits: fine from anywhere
    with pytest.raises(NotOnCore, match="a continuation of a fulfilled future needs a running"):
        promise.future.then(lambda f: None)
    waited = Promise()
    waited.future.then(lambda f: None)
    with pytest.raises(NotOnCore, match="fulfilling a future that has a continuation"):
        waited.set_value(1)
    assert waited.future.status == "Pending"    # refused before anything changed
