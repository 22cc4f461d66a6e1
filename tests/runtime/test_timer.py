"""The Timer Ebb on the per-core timer devices: timeout 0 is never inline, a hook fires on the
core that started it and never early, repeating hooks are re-armed before they run (so `stop`
in the hook cancels them); the representative's abstraction is timer.ebb's model."""

from __future__ import annotations

import random

import pytest
from runtime_helpers import FREE, make_runtime, where

from ebbrt.machine import CostModel
from ebbrt.runtime import TIMER, InvalidArgument, Timer, spawn_remote


class Hook:
    """Records where and when it fires; `action(hook)` runs inside the callback."""

    def __init__(self, name, action=None):
        self.name, self.action, self.fires = name, action, []

    def fire(self):
        self.fires.append(where())
        if self.action is not None:
            self.action(self)

    def __repr__(self):
        return f"Hook({self.name})"


def test_timeout_zero_fires_on_the_next_tick_never_inside_start():
    rt = make_runtime(trace=True)
    hook = Hook("zero")
    seen = []

    def main():
        TIMER.start(hook, 0, False)
        seen.append(("after start", list(hook.fires), TIMER.is_armed(hook)))
    rt.spawn(main)
    rt.run()
    assert seen == [("after start", [], True)]
    assert len(hook.fires) == 1
    # the hook ran in the timer interrupt, a later event than the one that started it
    fired_in = [line for line in rt.sim.instrument.lines if "irq vector=32" in line]
    assert len(fired_in) == 1


def test_a_hook_fires_on_the_core_that_started_it():
    rt = make_runtime(cores=3)
    hooks = {core: Hook(f"core{core}") for core in range(3)}

    def start_here():
        core = where()[0][-1]
        TIMER.start(hooks[int(core)], 5_000, False)
    for core in (2, 0, 1):
        rt.spawn(start_here, core=core)
    rt.run()
    for core, hook in hooks.items():
        assert [name for name, _ in hook.fires] == [f"node0.core{core}"]


def test_no_hook_fires_early_and_each_fires_within_a_tick():
    rt = make_runtime(nodes=2, cores=3, seed=7,
                      cost=CostModel(event_dispatch_ns=100, interrupt_entry_ns=300))
    rng = random.Random(11)
    started = []

    def start_some():
        for _ in range(20):
            hook = Hook(len(started))
            timeout = rng.choice([0, 1, 999, rng.randrange(1, 2_000_000)])
            started.append((hook, where(), timeout))
            TIMER.start(hook, timeout, False)
    for node in (0, 1):
        for core in (0, 1, 2):
            rt.spawn(start_some, node=node, core=core)
    rt.run()
    assert len(started) == 120
    for hook, (core, at), timeout in started:
        ((fired_core, fired_at),) = hook.fires
        assert fired_core == core
        assert at + timeout <= fired_at <= at + timeout + 1_000_000   # the spec's 1ms tick


def test_a_repeating_hook_is_rearmed_before_it_runs_and_stop_inside_cancels_it():
    rt = make_runtime(cost=FREE)
    states = []

    def third_time_stop(hook):
        states.append(TIMER.is_armed(hook))          # already re-armed when the callback runs
        if len(hook.fires) == 3:
            TIMER.stop(hook)
    periodic = Hook("periodic", third_time_stop)
    rt.spawn(lambda: TIMER.start(periodic, 1_000, True))
    rt.run_until(10_000)
    assert periodic.fires == [("node0.core0", t) for t in (1_000, 2_000, 3_000)]
    assert states == [True, True, True]
    with rt.on_core():
        assert not TIMER.is_armed(periodic)


def test_stop_inside_the_first_fire_cancels_a_repeating_hook():
    rt = make_runtime()
    once = Hook("once", lambda hook: TIMER.stop(hook))
    rt.spawn(lambda: TIMER.start(once, 500, True))
    rt.run_until(100_000)
    assert len(once.fires) == 1


def test_a_stopped_hook_never_fires_and_an_empty_timer_disarms_the_device():
    rt = make_runtime(trace=True)
    stopped, kept = Hook("stopped"), Hook("kept")

    def main():
        TIMER.start(stopped, 2_000, False)
        TIMER.start(kept, 5_000, False)
        TIMER.stop(stopped)
    rt.spawn(main)
    rt.spawn(lambda: TIMER.stop(kept) if not kept.fires else None)
    rt.run()
    assert stopped.fires == [] and kept.fires == []
    assert any("timer.cancel" in line for line in rt.sim.instrument.lines)
    assert not rt.nodes[0].cores[0].timer.armed


def test_due_hooks_fire_earliest_first_then_in_arming_order():
    rt = make_runtime(cost=FREE)
    order = []
    hooks = [Hook(name, lambda h: order.append(h.name)) for name in "abcd"]

    def main():
        for hook, timeout in zip(hooks, (300, 100, 300, 100)):
            TIMER.start(hook, timeout, False)
    rt.spawn(main)
    rt.run()
    assert order == ["b", "d", "a", "c"]


def test_callers_bugs_are_named():
    rt = make_runtime(cores=2)
    hook = Hook("h")
    problems = []

    def expect(exception_text, action):
        try:
            action()
        except InvalidArgument as error:
            problems.append(exception_text in str(error))

    def main():
        TIMER.start(hook, 1_000, False)
        expect("already armed on node0.core0", lambda: TIMER.start(hook, 1_000, False))
        expect("a repeating hook", lambda: TIMER.start(Hook("z"), 0, True))
        expect("got -5", lambda: TIMER.start(Hook("n"), -5, False))
        expect("not armed on node0.core1", lambda: None)
        spawn_remote(lambda: expect("not armed on node0.core1", lambda: TIMER.stop(hook)), 1)
    rt.spawn(main)
    rt.run()
    assert problems == [True] * 4 and len(hook.fires) == 1


def test_the_abstraction_is_the_specs_model():
    from ebbrt.verifier._values import FrozenMap, RecordValue
    rt = make_runtime(cores=2, cost=FREE)
    one, every = Hook("one"), Hook("every")

    def arm():
        TIMER.start(one, 700, False)
        TIMER.start(every, 300, True)
    rt.spawn(arm, core=1)
    rt.run_until(100)
    with rt.on_core(0, 1):
        rep = TIMER()
        assert rep.abstraction() == {"armed": FrozenMap({
            one: RecordValue("Arm", (("due", 700), ("period", 0), ("core", 1))),
            every: RecordValue("Arm", (("due", 300), ("period", 300), ("core", 1)))})}
    rt.run_until(800)
    with rt.on_core(0, 1):
        assert rep.abstraction() == {"armed": FrozenMap({
            every: RecordValue("Arm", (("due", 900), ("period", 300), ("core", 1)))})}
        assert len(rep) == 1 and rep.context.this_core == 1 and rep.context.ncores == 2


def test_timer_binds_to_its_spec_and_runs_with_its_contracts_enforced():
    """What the contracts helper will do: bind the runtime's Timer to timer.ebb and enforce
    the contracts on each core's representative, here in full mode over a busy run."""
    from ebbrt.verifier import ContractViolation, Mode, enforce, implements
    implements(*Timer.SPEC)(Timer)
    rt = make_runtime(cores=2, seed=3)
    rng = random.Random(5)
    hooks = []

    def busy():
        rep = TIMER()
        if not type(rep).__name__.startswith("Timer["):
            enforce(rep, Mode.FULL)
        for _ in range(10):
            hook = Hook(len(hooks), lambda h: TIMER.stop(h) if len(h.fires) == 2 else None)
            hooks.append(hook)
            TIMER.start(hook, rng.randrange(0, 50_000), rng.random() < 0.5)
    for core in (0, 1, 0):
        rt.spawn(busy, core=core)
    rt.run_until(1_000_000)
    assert all(1 <= len(h.fires) <= 2 for h in hooks)

    def broken_caller():
        TIMER.stop(Hook("never started"))
    rt.spawn(broken_caller)
    with pytest.raises(ContractViolation, match="requires"):
        rt.run_until(2_000_000)


def test_a_hook_started_by_a_callback_with_timeout_zero_waits_for_the_next_tick():
    rt = make_runtime(cost=FREE, trace=True)
    chain = []

    def relay(hook):
        if len(chain) < 3:
            chain.append(hook)
            TIMER.start(Hook(f"next{len(chain)}", relay), 0, False)
    rt.spawn(lambda: TIMER.start(Hook("first", relay), 0, False))
    rt.run()
    interrupts = [line for line in rt.sim.instrument.lines if "irq vector=32" in line]
    assert len(chain) == 3 and len(interrupts) == 4    # one tick each, none inline
