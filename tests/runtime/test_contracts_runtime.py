"""Contracts enforced at run time (runtime/_contracts.py): every call through an EbbRef to the
Timer, and every `fire` it runs, goes through the compiled contracts in the run's mode; the
monitors of timer.ebb's event and temporal clauses judge the run on the simulated clock; a
violation stops the run and its report names the clause, its location and what led to it.
Each broken Timer variant is caught, by the clause this module's table says."""

from __future__ import annotations

import pytest
from runtime_helpers import make_runtime

from ebbrt.machine import Simulator, Trace
from ebbrt.runtime import (CLOCK, TIMER, TIMER_VARIANTS, MonitorViolation, RunContracts, Runtime,
                           Timer, run_app)
from ebbrt.verifier import ContractViolation, Mode

MS = 1_000_000


class Hook:
    def __init__(self, name: str, stop_after: int = 0) -> None:
        self.name, self.stop_after, self.fires = name, stop_after, 0

    def fire(self) -> None:
        self.fires += 1
        if self.fires == self.stop_after:
            TIMER.stop(self)

    def __repr__(self) -> str:
        return f"Hook({self.name})"


def busy_timers(rt: Runtime, hooks_per_core: int = 6) -> list[Hook]:
    """One-shot, timeout-0 and repeating hooks on every core of every node."""
    hooks: list[Hook] = []

    def start_some() -> None:
        for i in range(hooks_per_core):
            hook = Hook(f"{len(hooks)}", stop_after=3 if i % 3 == 2 else 0)
            hooks.append(hook)
            TIMER.start(hook, (0, 7_000, 20_000)[i % 3], i % 3 == 2)
    for node in range(len(rt.nodes)):
        for core in range(len(rt.nodes[0].cores)):
            rt.spawn(start_some, node=node, core=core)
    return hooks


def test_a_correct_run_is_checked_and_clean_in_every_mode() -> None:
    checks = {}
    for mode in (Mode.FULL, Mode.REQUIRES, Mode.SAMPLED(3), Mode.OFF):
        rt = make_runtime(nodes=2, cores=2, seed=1)
        contracts = RunContracts(rt, mode).install()
        hooks = busy_timers(rt)
        rt.run_until(5 * MS)
        contracts.finish()
        assert contracts.violations == []
        assert all(h.fires == (3 if h.stop_after else 1) for h in hooks)
        checks[repr(mode)] = contracts.counters()
    full, requires = checks["Mode.FULL"], checks["Mode.REQUIRES"]
    sampled, off = checks["Mode.SAMPLED(3)"], checks["Mode.OFF"]
    assert off == {"contract_checks": 0, "compiled_checks": 0, "monitor_checks": 0,
                   "violations": 0}
    assert full["compiled_checks"] > sampled["compiled_checks"] > 0
    assert full["compiled_checks"] > requires["compiled_checks"] > 0
    # the monitors judge every observation whatever the mode (but off)
    assert full["monitor_checks"] == requires["monitor_checks"] == sampled["monitor_checks"] > 0
    assert full["contract_checks"] == full["compiled_checks"] + full["monitor_checks"]


def test_off_installs_no_gate_and_the_others_do() -> None:
    rt = make_runtime()
    RunContracts(rt, Mode.OFF).install()
    assert rt.call_gate is None
    contracts = RunContracts(rt, Mode.FULL).install()
    assert rt.call_gate == contracts.gate


def test_sampled_checks_every_nth_call_of_each_operation() -> None:
    rt = make_runtime(cores=1)
    contracts = RunContracts(rt, Mode.SAMPLED(4)).install()
    start_clauses = 4 + 2      # start's clauses and timer.ebb's two invariants

    def starts() -> None:
        for i in range(8):
            TIMER.start(Hook(str(i)), 1_000_000, False)
    rt.spawn(starts)
    rt.run_until(100)
    assert contracts.compiled_checks == 2 * start_clauses


def test_a_caller_bug_stops_the_run_with_the_clause_and_what_led_to_it() -> None:
    rt = make_runtime(trace=True)
    contracts = RunContracts(rt, Mode.FULL).install()

    def main() -> None:
        TIMER.start(Hook("a"), 5_000, False)
        TIMER.stop(Hook("never started"))
    rt.spawn(main, core=1)
    with pytest.raises(ContractViolation) as caught:
        rt.run_until(MS)
    violation = caught.value
    assert violation.kind == "requires" and violation.op == "stop"
    assert contracts.violations == [violation]
    report = contracts.report(violation, rt.sim.instrument.tail(5))
    lines = report.splitlines()
    assert lines[0] == "contract violation at 0.150us on node0.core1: the run stopped"
    assert "timer.ebb:37:5: Timer.stop: requires `hook in armed && armed[hook].core == " \
           "this_core` violated" in lines[1]
    assert "return  Timer.start(hook=h0, timeout=5us, repeat=false)" in report
    assert "call    Timer.stop(hook=h1)" in report
    assert "where h0 = Hook(a), h1 = Hook(never started)" in report
    assert "trace records, oldest first:\n    0 sim event node0.core1" in report


def test_an_overdue_obligation_stops_the_run_at_its_deadline_not_at_the_end() -> None:
    """A Timer whose device interrupts 2ms late breaks the `tick` assumption; the check
    scheduled at the deadline catches it while the run still has 100ms to go."""
    class LateTimer(Timer):
        def _program(self, due: int) -> None:
            super()._program(due + 2 * MS)

    rt = Runtime(Simulator(instrument=Trace()), cores=1, timer=LateTimer)
    contracts = RunContracts(rt, Mode.FULL).install()
    rt.spawn(lambda: TIMER.start(Hook("late"), MS, False))
    with pytest.raises(MonitorViolation) as caught:
        rt.run_until(100 * MS)
    v = caught.value
    assert v.kind == "assumption" and v.label == "tick"
    assert rt.sim.now == v.time == 2 * MS + 100 + 1     # started at 100, due by 2ms + 100
    assert contracts.violations == [v]
    assert "monitors.deadline" in rt.sim.instrument.lines[-1]


def test_observations_are_stamped_with_the_clock_the_contracts_read() -> None:
    """A hook fires in the interrupt at its due time, and its callback runs 300ns later, on
    the core's clock (the interrupt entry); the `fire` observation carries that time, which
    the guard `now >= due` also reads, not the simulator's."""
    seen = []

    class Clocked(Hook):
        def fire(self) -> None:
            seen.append(CLOCK.now())
            super().fire()
    rt = make_runtime(nodes=1, cores=2)
    contracts = RunContracts(rt, Mode.FULL, history=1000).install()
    rt.spawn(lambda: [TIMER.start(Clocked(str(t)), t, False) for t in (0, 5_000, 5_010)])
    rt.run_until(10 * MS)
    contracts.finish()
    fires = [obs.time for obs in contracts.history if obs.kind == "event"]
    # started at 100 and 150 (arming the device costs 50): due 100, 5_150 and 5_160; the
    # interrupts come at 150 and 5_200, their handlers run at 450 and 5_500
    assert fires == seen == [450, 5_500, 5_500]
    assert contracts.violations == []


@pytest.mark.parametrize("variant, mode, kind, clause", [
    ("broken-early", Mode.FULL, "property", "temporal no_early: never fire(h) before "
                                            "start(h, t, _) + t"),
    ("broken-early", Mode.REQUIRES, "property", "temporal no_early"),
    ("broken-inline", Mode.FULL, "property", "temporal no_early"),
    ("broken-rearm", Mode.FULL, "ensures", "old(armed)[hook].period > 0us ==> armed =="),
    ("broken-rearm", Mode.SAMPLED(2), "ensures", "old(armed)[hook].period > 0us ==> armed =="),
])
def test_each_broken_timer_is_caught_with_its_clause_location_and_trail(
        variant: str, mode: Mode, kind: str, clause: str) -> None:
    result = run_app("timer-storm", nodes=2, cores=2, seed=0, mode=mode,
                     timer=TIMER_VARIANTS[variant])
    assert result.status == 1 and result.report is not None
    violation = result.violation
    assert violation.kind == kind
    text = violation.clause if isinstance(violation, MonitorViolation) else violation.text
    assert clause in (text if kind != "property" else violation.clause)
    report = result.report
    location = (violation.location if isinstance(violation, MonitorViolation)
                else str(violation.span))
    assert "timer.ebb:" in location and location in report
    assert "Timer.start(hook=" in report and "event   Timer.fire(hook=" in report
    assert "trace records, oldest first:" in report
    assert "violations       1" in result.lines
    assert result.counters["violations"] == 1


def test_the_inline_fire_is_caught_inside_start() -> None:
    result = run_app("timer-storm", timer=TIMER_VARIANTS["broken-inline"])
    assert "fire occurred inside a matching call of start" in result.report
    [call, fire] = [o for o in result.violation.observations]
    assert (call.kind, call.name, fire.kind) == ("call", "start", "event")


def test_a_run_and_its_report_are_the_same_for_the_same_seed() -> None:
    first, second = (run_app("timer-storm", seed=5, timer=TIMER_VARIANTS["broken-early"])
                     for _ in range(2))
    assert first.report == second.report and first.lines == second.lines
    assert first.trace.digest() == second.trace.digest()
    assert run_app("timer-storm", seed=6).trace.digest() != \
        run_app("timer-storm", seed=5).trace.digest()


def test_an_error_no_event_catches_stops_the_run_with_a_report() -> None:
    result = run_app("timer-storm", mode=Mode.OFF, timer=TIMER_VARIANTS["broken-rearm"])
    assert result.status == 1
    assert result.report.startswith("the run stopped at ")
    assert "an event raised InvalidArgument and nothing caught it" in result.report
