"""The monitors of ebbs/timer.ebb judging synthetic runs: `no_early` (never fires early),
`tick` (fires within the assumed latency, unless stopped), `fire`'s `on core(...)` and guard.

A `TimerRun` plays the runtime's part: it drives the model-level Timer implementation and emits
the observations the runtime will (call and return of each operation; `fire` just before the
implementation applies it), with `model_of` the implementation's abstraction."""

from __future__ import annotations

import pytest

from ebbrt.ebbs import Timer, library_dir
from ebbrt.runtime._monitors import compile_monitors
from ebbrt.runtime._monitor_violation import MonitorViolation
from ebbrt.runtime._observations import MonitorError, Observation
from ebbrt.spec import ast as A
from ebbrt.spec import check_paths
from ebbrt.verifier import Context
from ebbrt.verifier._values import Handle

US, MS = 1_000, 1_000_000
CHECKED = check_paths([library_dir() / "timer.ebb"]).checked
TIMER = CHECKED.ebb("Timer")
H0, H1 = Handle("Hook", 0), Handle("Hook", 1)


def location_of(label: str) -> str:
    decl = next(d for d in TIMER.decl.members
                if isinstance(d, A.TemporalDecl) and d.name is not None and d.name.text == label)
    return f"{decl.span.file}:{decl.span.line}:{decl.span.column}"


class TimerRun:
    """One node's Timer, driven step by step, every step observed."""

    def __init__(self, node: int = 0, monitors=None, **options) -> None:
        self.node = node
        self.context = Context(ncores=2)
        self.timer = Timer(self.context)
        self.monitors = monitors or compile_monitors(
            CHECKED, TIMER, model_of=lambda node, core: self.timer.abstraction(), ncores=2,
            **options)

    def observe(self, kind: str, name: str, core: int, **args) -> None:
        self.monitors.observe(Observation(self.context.now, self.node, core, "Timer", kind,
                                          name, args))

    def at(self, time: int) -> "TimerRun":
        self.context.now = time
        return self

    def start(self, hook, timeout: int, repeat: bool = False, core: int = 0) -> None:
        self.context.this_core = core
        args = {"hook": hook, "timeout": timeout, "repeat": repeat}
        self.observe("call", "start", core, **args)
        self.timer.start(hook, timeout, repeat)
        self.observe("return", "start", core, **args)

    def stop(self, hook, core: int = 0) -> None:
        self.context.this_core = core
        self.observe("call", "stop", core, hook=hook)
        self.timer.stop(hook)
        self.observe("return", "stop", core, hook=hook)

    def fire(self, hook, core: int | None = None) -> None:
        """The event, on the core that armed the hook unless `core` says otherwise; observed
        before its effect (the runtime emits it just before calling `Timer.fire`)."""
        armed = self.timer.abstraction()["armed"]
        core = armed[hook]["core"] if core is None else core
        self.context.this_core = core
        self.observe("event", "fire", core, hook=hook)
        if hook in armed:
            self.timer.fire(hook)


def caught(action, kind: str) -> MonitorViolation:
    with pytest.raises(MonitorViolation) as info:
        action()
    assert info.value.kind == kind, str(info.value)
    return info.value


def test_the_timer_clauses_are_all_monitored() -> None:
    run = TimerRun()
    kinds = sorted(c.kind for c in run.monitors.clauses)
    assert kinds == ["assumption", "event core", "event guard", "property"]
    assert run.monitors.skipped == ()


def test_a_correct_run_passes_and_counts_its_checks() -> None:
    run = TimerRun()
    run.at(0).start(H0, 5 * MS)
    run.at(MS).start(H1, 2 * MS, repeat=True, core=1)
    run.at(3 * MS).fire(H1)
    run.at(5 * MS).fire(H1)
    run.at(5 * MS + 400 * US).fire(H0)  # within [t, t + 1ms]
    run.at(6 * MS).stop(H1, core=1)
    assert run.monitors.advance(50 * MS) == []
    assert run.monitors.violations == [] and run.monitors.pending() == 0
    # per fire: no_early, the guard and the core; the first fire of each start also closes tick
    assert run.monitors.checks == 3 * 3 + 2


@pytest.mark.parametrize("evaluator", ["compiled", "reference"])
def test_both_evaluators_give_the_same_verdicts(evaluator: str) -> None:
    run = TimerRun(evaluator=evaluator, stop_on_violation=False)
    run.at(0).start(H0, 5 * MS, core=1)
    run.at(MS).start(H1, 2 * MS, repeat=True)
    run.at(3 * MS).fire(H1)
    run.at(4 * MS).fire(H0, core=0)  # early, on the wrong core
    run.at(5 * MS).fire(H1)
    run.at(6 * MS).fire(H1)  # before its next due time (7ms)
    assert [v.kind for v in run.monitors.violations] == [
        "property", "assumption", "event guard", "event guard"]
    # 4 + 3 + 3 + 2: no_early per fire, tick where an obligation is open, the guard per fire,
    # the core where the guard held
    assert run.monitors.checks == 12


def test_an_unknown_evaluator_is_refused() -> None:
    with pytest.raises(MonitorError, match="unknown evaluator 'fast'"):
        compile_monitors(CHECKED, TIMER, evaluator="fast")


def test_a_fire_before_start_plus_timeout_is_caught() -> None:
    run = TimerRun()
    run.at(0).start(H0, 5 * MS)
    v = caught(lambda: run.at(4 * MS).fire(H0), "property")
    assert v.location == location_of("no_early")
    assert v.clause == "temporal no_early: never fire(h) before start(h, t, _) + t"
    assert "fire came 1000.000us early" in v.problem and "from 5000.000us" in v.problem
    assert v.bindings == {"h": H0, "t": 5 * MS} and v.time == 4 * MS
    text = str(v)
    assert text.startswith(f"{location_of('no_early')}: Timer broke its temporal property "
                           "`no_early` at 4000.000us")
    assert "bound: h = h0, t = 5ms" in text
    assert text.splitlines()[-1].strip() == "4000.000us  node 0 core 0  event   Timer.fire(hook=h0)"
    assert "Timer.start(hook=h0, timeout=5ms, repeat=false)" in text


def test_an_early_fire_also_breaks_tick_and_the_guard() -> None:
    run = TimerRun(stop_on_violation=False)
    run.at(0).start(H0, 5 * MS)
    run.at(4 * MS).fire(H0)
    assert [v.kind for v in run.monitors.violations] == ["property", "assumption", "event guard"]
    early = run.monitors.violations[1]
    assert "fire came 1000.000us too early" in early.problem
    assert run.monitors.pending() == 0  # the early fire closed the obligation: reported once
    assert run.monitors.advance(20 * MS) == []


def test_a_fire_after_the_assumed_latency_is_caught_as_the_environment_s_fault() -> None:
    run = TimerRun()
    run.at(0).start(H0, 5 * MS)
    v = caught(lambda: run.at(6 * MS + 1).fire(H0), "assumption")
    assert v.location == location_of("tick")
    assert v.clause.startswith("assume tick: start(h, t, _) leads_to fire(h) within [t, t + 1ms]")
    assert "the environment broke assumption `tick` of Timer at 6000.001us" in str(v)
    assert "no matching fire by 6000.000us" in v.problem and "unless stop" in v.problem
    assert v.observations[-1].name == "start"  # the fire came after the deadline passed


def test_the_deadline_is_inclusive_and_is_also_found_by_advancing_the_clock() -> None:
    run = TimerRun()
    run.at(0).start(H0, 5 * MS)
    assert run.monitors.next_deadline() == 6 * MS
    assert run.monitors.advance(6 * MS) == []
    caught(lambda: run.monitors.advance(6 * MS + 1), "assumption")
    assert run.monitors.next_deadline() is None

    on_time = TimerRun()
    on_time.at(0).start(H0, 5 * MS)
    on_time.at(6 * MS).fire(H0)
    assert on_time.monitors.advance(60 * MS) == []


def test_latency_slack_extends_every_deadline() -> None:
    run = TimerRun(latency_slack=10 * US)
    run.at(0).start(H0, 5 * MS)
    assert run.monitors.next_deadline() == 6 * MS + 10 * US
    run.at(6 * MS + 10 * US).fire(H0)
    assert run.monitors.violations == []


def test_a_stop_before_the_fire_cancels_the_obligation() -> None:
    run = TimerRun()
    run.at(0).start(H0, 5 * MS)
    run.at(2 * MS).stop(H0)
    assert run.monitors.pending() == 0
    assert run.monitors.advance(100 * MS) == []


def test_a_stop_of_another_hook_does_not_cancel() -> None:
    run = TimerRun()
    run.at(0).start(H0, 5 * MS)
    run.start(H1, 5 * MS)
    run.at(2 * MS).stop(H1)
    v = caught(lambda: run.monitors.advance(7 * MS), "assumption")
    assert v.bindings == {"h": H0, "t": 5 * MS}


def test_a_fire_on_another_core_breaks_the_event_s_core_clause() -> None:
    run = TimerRun()
    run.at(0).start(H0, 5 * MS, core=1)
    v = caught(lambda: run.at(5 * MS).fire(H0, core=0), "event core")
    assert v.clause == "event fire(hook) on core(armed[hook].core)"
    assert v.problem == "fire ran on core 0, but `armed[hook].core` is core 1"
    core_span = TIMER.events["fire"].decl.core.span
    assert v.location == f"{core_span.file}:{core_span.line}:{core_span.column}"
    assert "Timer ran event `fire` on the wrong core" in str(v)


def test_restarting_a_hook_re_arms_no_early() -> None:
    """The most recent start decides: after a restart at 12ms with t = 10ms the hook may not
    fire before 22ms, although the first start (at 0) allowed 10ms."""
    good = TimerRun()
    good.at(0).start(H0, 10 * MS)
    good.at(10 * MS).fire(H0)
    good.at(12 * MS).start(H0, 10 * MS)
    good.at(22 * MS).fire(H0)
    good.at(30 * MS).start(H0, 1 * MS)  # a shorter timeout the next time is fine too
    good.at(31 * MS).fire(H0)
    assert good.monitors.advance(100 * MS) == [] and good.monitors.checks > 0

    bad = TimerRun()
    bad.at(0).start(H0, 10 * MS)
    bad.at(10 * MS).fire(H0)
    bad.at(12 * MS).start(H0, 10 * MS)
    v = caught(lambda: bad.at(15 * MS).fire(H0), "property")
    assert "the matching start at 12000.000us allows it from 22000.000us" in v.problem


def test_a_stopped_and_restarted_hook_is_judged_by_its_new_start() -> None:
    run = TimerRun()
    run.at(0).start(H0, 10 * MS)
    run.at(5 * MS).stop(H0)
    run.at(6 * MS).start(H0, 10 * MS)
    caught(lambda: run.at(10 * MS).fire(H0), "property")


def test_a_repeating_timer_fires_every_period_and_a_stop_in_its_hook_cancels_it() -> None:
    run = TimerRun()
    run.at(0).start(H0, 5 * MS, repeat=True)
    for k in (1, 2, 3):
        run.at(5 * MS * k + 100 * US).fire(H0)
    run.stop(H0)  # inside the third callback: the hook was re-armed before it ran
    assert run.monitors.advance(20 * MS) == []
    # a fire after the stop breaks the guard (`hook in armed`), not no_early
    v = caught(lambda: run.at(21 * MS).fire(H0, core=0), "event guard")
    assert v.clause == "event fire(hook) when hook in armed && now >= armed[hook].due"
    assert "is false just before fire" in v.problem


def test_a_repeating_timer_firing_before_its_next_due_time_breaks_the_guard() -> None:
    run = TimerRun()
    run.at(0).start(H0, 5 * MS, repeat=True)
    run.at(5 * MS).fire(H0)
    v = caught(lambda: run.at(7 * MS).fire(H0), "event guard")
    assert v.time == 7 * MS


def test_a_zero_timeout_fired_inside_start_is_caught_even_on_a_restart() -> None:
    """Timeout 0 fires on the next tick, never inline: a fire observed between start's call and
    its return comes before the start (an operation occurs when it returns)."""
    for restart in (False, True):
        run = TimerRun()
        if restart:
            run.at(0).start(H0, MS)
            run.at(MS).fire(H0)
        run.at(2 * MS)
        args = {"hook": H0, "timeout": 0, "repeat": False}
        run.observe("call", "start", 0, **args)
        v = caught(lambda: run.observe("event", "fire", 0, hook=H0), "property")
        assert "inside a matching call of start, before it returned" in v.problem


def test_a_start_that_raised_did_not_occur() -> None:
    run = TimerRun()
    args = {"hook": H0, "timeout": 5 * MS, "repeat": False}
    run.monitors.observe(Observation(0, 0, 0, "Timer", "call", "start", args))
    run.monitors.observe(Observation(0, 0, 0, "Timer", "return", "start", args,
                                     ValueError("a caller bug")))
    assert run.monitors.pending() == 0
    assert run.monitors.advance(100 * MS) == []


def test_nodes_are_separate_instances() -> None:
    """Equal handles on two nodes are different hooks: node 1's fire does not answer node 0's
    start, and is not judged against it."""
    runs: dict[int, TimerRun] = {}
    monitors = compile_monitors(CHECKED, TIMER, ncores=2, stop_on_violation=False,
                                model_of=lambda node, core: runs[node].timer.abstraction())
    node0 = runs[0] = TimerRun(node=0, monitors=monitors)
    node1 = runs[1] = TimerRun(node=1, monitors=monitors)
    node0.at(0).start(H0, 5 * MS)
    node1.at(MS).start(H0, 2 * MS)
    node1.at(3 * MS).fire(H0)  # early for node 0's start, on time for node 1's
    assert node0.monitors.violations == []
    [v] = node0.monitors.advance(6 * MS + 1)
    assert v.kind == "assumption" and v.observations[-1].node == 1
    assert "the start at 0.000us asks for one within [5000.000us, 6000.000us]" in v.problem


def test_the_trail_keeps_the_last_observations_and_the_trigger() -> None:
    run = TimerRun(history=3, stop_on_violation=False)
    run.at(0).start(H0, 5 * MS)
    for k in range(3):
        run.at(US * (k + 1)).start(H1, 50 * MS, core=1)
        run.stop(H1, core=1)
    [v] = run.monitors.advance(7 * MS)
    assert len(v.trail) == 4 and v.trail[0].startswith("(earlier) ")
    assert "return  Timer.start(hook=h0, timeout=5ms" in v.trail[0]
    assert v.observations[0].name == "start" and v.observations[0].args["hook"] == H0
    assert "the last 4 observations, oldest first:" in str(v)


def test_observations_must_come_in_time_order() -> None:
    run = TimerRun()
    run.at(5 * MS).start(H0, MS)
    with pytest.raises(MonitorError, match="time order"):
        run.monitors.observe(Observation(MS, 0, 0, "Timer", "call", "stop", {"hook": H0}))


def test_an_observation_without_an_argument_is_a_wiring_error() -> None:
    run = TimerRun()
    with pytest.raises(MonitorError, match="lacks the argument `timeout`"):
        run.monitors.observe(Observation(0, 0, 0, "Timer", "return", "start", {"hook": H0}))


def test_without_model_of_only_the_pattern_clauses_are_monitored() -> None:
    monitors = compile_monitors(CHECKED, "Timer")
    assert sorted(c.kind for c in monitors.clauses) == ["assumption", "property"]
    assert sorted(c.kind for c, _ in monitors.skipped) == ["event core", "event guard"]
    monitors.observe(Observation(0, 0, 0, "Timer", "return", "start",
                                 {"hook": H0, "timeout": MS, "repeat": False}))
    monitors.observe(Observation(MS, 0, 1, "Timer", "event", "fire", {"hook": H0}))
    assert monitors.violations == []


def test_other_ebbs_observations_only_join_the_trail() -> None:
    run = TimerRun()
    run.monitors.observe(Observation(0, 0, 0, "Futures", "event", "fire", {}))
    run.at(0).start(H0, 5 * MS)
    v = caught(lambda: run.monitors.advance(7 * MS), "assumption")
    assert "Futures.fire()" in v.trail[0]
