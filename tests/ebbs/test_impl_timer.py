"""The model-level Timer: arming, stopping, firing order, re-arming before the callback, the
heap's lazy deletion, and random sequences judged against timer.ebb."""

from __future__ import annotations

import pytest
from broken.oracle import Oracle, Step
from hypothesis import given, settings
from hypothesis import strategies as st

from ebbrt.ebbs import InvalidArgument, Timer
from ebbrt.ebbs.timer import Firing
from ebbrt.verifier import Context
from ebbrt.verifier._values import FrozenMap, Handle, RecordValue

MS = 1_000_000


class Hook:
    """A hook object with a `fire` callback that records what it saw."""

    def __init__(self, timer: Timer, name: str, stop_when_fired: bool = False) -> None:
        self.timer, self.name, self.stop_when_fired = timer, name, stop_when_fired
        self.seen: list[tuple[int, bool]] = []

    def fire(self) -> None:
        armed = self.timer.is_armed(self)
        self.seen.append((self.timer.context.now, armed))
        if self.stop_when_fired and armed:
            self.timer.stop(self)

    def __repr__(self) -> str:
        return self.name


def _fire_due(timer: Timer) -> list[object]:
    due = timer.due_hooks()
    for hook in due:
        timer.fire(hook)
    return due


def test_start_records_due_period_and_core() -> None:
    ctx = Context(now=10, this_core=1, ncores=2)
    timer = Timer(ctx)
    h = Handle("Hook", 0)
    timer.start(h, 5 * MS, True)
    assert timer.abstraction() == {"armed": FrozenMap({h: RecordValue(
        "Arm", (("due", 10 + 5 * MS), ("period", 5 * MS), ("core", 1)))})}
    assert timer.is_armed(h) and timer.next_due() == 10 + 5 * MS


def test_due_hooks_in_due_order_ties_by_arming_order() -> None:
    ctx = Context()
    timer = Timer(ctx)
    hooks = [Handle("Hook", i) for i in range(6)]
    for h, timeout in zip(hooks, (30, 10, 20, 10, 50, 0)):
        timer.start(h, timeout, False)
    assert timer.due_hooks() == [hooks[5]]  # a zero timeout is due now, but not fired inline
    ctx.now = 20
    assert timer.due_hooks() == [hooks[5], hooks[1], hooks[3], hooks[2]]
    timer.stop(hooks[1])
    assert timer.due_hooks() == [hooks[5], hooks[3], hooks[2]]


def test_one_shot_fires_once_and_repeating_rearms_before_its_callback() -> None:
    ctx = Context()
    timer = Timer(ctx)
    once, every = Hook(timer, "once"), Hook(timer, "every")
    timer.start(once, 5, False)
    timer.start(every, 3, True)
    for now in range(1, 10):
        ctx.now = now
        _fire_due(timer)
    assert once.seen == [(5, False)]
    assert every.seen == [(3, True), (6, True), (9, True)]
    assert [f.hook for f in timer.fired] == [every, once, every, every]


def test_a_repeating_hook_can_stop_itself_from_its_callback() -> None:
    ctx = Context()
    timer = Timer(ctx)
    hook = Hook(timer, "h", stop_when_fired=True)
    timer.start(hook, 4, True)
    ctx.now = 4
    assert _fire_due(timer) == [hook]
    assert hook.seen == [(4, True)] and not timer.is_armed(hook)
    ctx.now = 100
    assert timer.due_hooks() == [] and timer.next_due() is None


def test_callable_hooks_are_called_and_firings_recorded() -> None:
    ctx = Context(this_core=0, ncores=2)
    timer = Timer(ctx)
    calls = []
    hook = lambda: calls.append(ctx.now)  # noqa: E731 - a hook may be any callable
    timer.start(hook, 2, False)
    ctx.now = 2
    _fire_due(timer)
    assert calls == [2] and timer.fired == [Firing(hook, 2, 0)]


def test_lazy_deletion_keeps_the_heap_small() -> None:
    timer = Timer()
    hooks = [Handle("Hook", i) for i in range(5)]
    for _ in range(200):
        for h in hooks:
            timer.start(h, 10, False)
        for h in hooks:
            timer.stop(h)
    assert len(timer) == 0 and len(timer._heap) <= 5 + 17
    timer.start(hooks[0], 1, False)
    assert timer.next_due() == 1


def test_caller_bugs_are_caught_cheaply() -> None:
    ctx = Context(ncores=2)
    timer = Timer(ctx)
    h = Handle("Hook", 0)
    with pytest.raises(InvalidArgument, match="not armed"):
        timer.stop(h)
    timer.start(h, 5, False)
    with pytest.raises(InvalidArgument, match="already armed"):
        timer.start(h, 5, False)
    ctx.this_core = 1
    with pytest.raises(InvalidArgument, match="armed on core 0"):
        timer.stop(h)
    assert timer.due_hooks() == [] and timer.is_armed(h)


# ---------------------------------------------------------------------------- against the spec

OPS = st.lists(st.tuples(st.sampled_from(["start", "start", "stop", "is_armed", "fire",
                                          "tick"]),
                         st.integers(0, 3), st.integers(0, 4), st.booleans(),
                         st.integers(0, 1)), min_size=8, max_size=30)


@settings(max_examples=40)
@given(OPS)
def test_timer_keeps_every_clause_on_random_sequences(ops) -> None:
    oracle = Oracle(Timer, context=Context(ncores=2))
    for op, index, amount, repeat, core in ops:
        hook = Handle("Hook", index)
        armed = oracle.model()["armed"]
        now = oracle.context.now
        if op == "tick":
            oracle.context.now += amount
            continue
        if op == "start":
            step = Step("start", (hook, amount + (1 if repeat else 0), repeat), core=core)
        elif op == "stop":
            step = Step("stop", (hook,), core=armed[hook]["core"] if hook in armed else core)
        elif op == "fire":  # the harness lets time reach the due time, never go back
            due = armed[hook]["due"] if hook in armed else now
            step = Step("fire", (hook,), now=max(now, due))
        else:
            step = Step("is_armed", (hook,), core=core)
        ran, _, violations = oracle.try_step(step)
        assert violations == [], f"after {[str(s) for s in oracle.history]}"
