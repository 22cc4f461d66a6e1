"""Simulated events per second: the runtime against SimPy and asyncio on the same workloads.

    python benchmarks/bench_events.py [--count N] [--repeat R]

Two workloads, each run by every contender in this one process, interleaved round by round
(a busy machine slows every row alike); a row's rate is its best round's (the median beside
it), in CPU time (`time.process_time`):

1. timeouts: one coroutine waits on a timeout of 1 us, N times.
   - SimPy: a process doing `yield env.timeout(1_000)`;
   - ebbrt: an `async def` event doing `await sleep(1_000)` on a one-core runtime with the
     default cost model. Each wait is the whole path of the simulated machine: the Timer Ebb
     arms the core's timer device, the device interrupts the core, the interrupt handler
     fires the hook, which fulfils the future, and the event resumes as a new event;
   - machine floor: no runtime, the bare machine doing the same waits: an interrupt handler
     that re-arms the core's timer device N times (what any runtime on this machine pays);
   - ebbrt Simulator: the same coroutine on the bare discrete-event core, no machine: a
     generator yielding its delay to a tiny driver that `sim.post`s its next step (one
     simulator event per wait, as SimPy has one heap entry per timeout).
2. callbacks: a chain of N callbacks, each scheduling the next.
   - asyncio: `loop.call_soon(next)`;
   - ebbrt: `spawn_local(next, force_async=True)`, each a new event on the core.

Rates are "timeouts (or callbacks) per second": the same N units of work in every row. For
ebbrt the simulator runs several events per unit (device, interrupt, resume), shown as "sim
events/s" beside it; only the device's expiry goes through the heap, the interrupt and the
resume each being the simulator's next event anyway (`Simulator.take_turn`). DESIGN.md's
goal, >= 1x SimPy on the timeouts, is judged twice: for the runtime (`ebbrt / SimPy`, the
issue's workload) and for the Simulator alone (`Simulator / SimPy`); asyncio's `call_soon` is
a reference point (no goal).

A self-check runs first: every contender does exactly N units and its simulated clock (SimPy,
ebbrt) ends at least N us later; otherwise the benchmark stops with exit status 1. Not a test:
a missed goal is printed, not turned into an exit status.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import simpy

from ebbrt.machine import TIMER_VECTOR, Node, Simulator
from ebbrt.runtime import Runtime, sleep, spawn_local

TIMEOUT_NS = 1_000
GOAL = 1.0


@dataclass(frozen=True)
class Outcome:
    units: int            # timeouts waited or callbacks run
    sim_time: int | None  # simulated ns at the end (None: no simulated clock)
    sim_events: int = 0   # simulator events run (ebbrt and the machine only)


Run = Callable[[int], Outcome]


def simpy_timeouts(count: int) -> Outcome:
    env = simpy.Environment()
    done = [0]

    def waiter():
        for _ in range(count):
            yield env.timeout(TIMEOUT_NS)
            done[0] += 1
    env.process(waiter())
    env.run()
    return Outcome(done[0], int(env.now))


def ebbrt_timeouts(count: int) -> Outcome:
    sim = Simulator(seed=0)
    runtime = Runtime(sim, nodes=1, cores=1)
    done = [0]

    async def waiter():
        for _ in range(count):
            await sleep(TIMEOUT_NS)
            done[0] += 1
    runtime.spawn(waiter)
    runtime.run()
    return Outcome(done[0], sim.now, sim.events_run)


def machine_timeouts(count: int) -> Outcome:
    sim = Simulator(seed=0)
    core = Node(sim, 0, cores=1).cores[0]
    done = [0]

    def expired(vector: int) -> None:
        done[0] += 1
        if done[0] < count:
            core.timer.arm(TIMEOUT_NS)
    core.node.interrupts.register(0, TIMER_VECTOR, expired)
    core.timer.arm(TIMEOUT_NS)
    sim.run()
    return Outcome(done[0], sim.now, sim.events_run)


def simulator_timeouts(count: int) -> Outcome:
    sim = Simulator(seed=0)
    done = [0]

    def waiter():
        for _ in range(count):
            yield TIMEOUT_NS
            done[0] += 1

    step = waiter().__next__

    def resume() -> None:
        try:
            delay = step()
        except StopIteration:
            return
        sim.post(delay, resume)
    sim.post(0, resume)
    sim.run()
    return Outcome(done[0], sim.now, sim.events_run)


def asyncio_callbacks(count: int) -> Outcome:
    loop = asyncio.new_event_loop()
    done = [0]

    def step():
        done[0] += 1
        if done[0] < count:
            loop.call_soon(step)
        else:
            loop.stop()
    try:
        loop.call_soon(step)
        loop.run_forever()
    finally:
        loop.close()
    return Outcome(done[0], None)


def ebbrt_callbacks(count: int) -> Outcome:
    sim = Simulator(seed=0)
    runtime = Runtime(sim, nodes=1, cores=1)
    done = [0]

    def step():
        done[0] += 1
        if done[0] < count:
            spawn_local(step, force_async=True)
    runtime.spawn(step)
    runtime.run()
    return Outcome(done[0], sim.now, sim.events_run)


SIMPY, EBBRT_T, MACHINE = "SimPy timeout", "ebbrt sleep (Timer Ebb)", "machine floor (device only)"
SIMULATOR = "ebbrt Simulator (sim.post)"
ASYNCIO, EBBRT_C = "asyncio call_soon", "ebbrt spawn_local(force_async)"
WORKLOADS: dict[str, dict[str, Run]] = {
    "timeouts": {SIMPY: simpy_timeouts, EBBRT_T: ebbrt_timeouts, MACHINE: machine_timeouts,
                 SIMULATOR: simulator_timeouts},
    "callbacks": {ASYNCIO: asyncio_callbacks, EBBRT_C: ebbrt_callbacks},
}
RATIOS = (("ebbrt / SimPy", EBBRT_T, SIMPY, GOAL),
          ("Simulator / SimPy", SIMULATOR, SIMPY, GOAL),
          ("machine floor / SimPy", MACHINE, SIMPY, None),
          ("ebbrt / asyncio", EBBRT_C, ASYNCIO, None))
RATIO_LEGEND = (
    "ebbrt / SimPy: the runtime, `await sleep()` on the Timer Ebb (device, interrupt, resume)",
    "Simulator / SimPy: the same coroutine on the bare Simulator, one `sim.post` per wait")


def self_check(count: int) -> list[str]:
    problems = []
    for workload, runs in WORKLOADS.items():
        for label, run in runs.items():
            outcome = run(count)
            if outcome.units != count:
                problems.append(f"{label}: did {outcome.units} {workload}, not {count}")
            if workload == "timeouts" and (outcome.sim_time or 0) < count * TIMEOUT_NS:
                problems.append(f"{label}: the simulated clock ended at {outcome.sim_time} ns, "
                                f"before {count} waits of {TIMEOUT_NS} ns")
    return problems


Samples = dict[str, list[tuple[float, Outcome]]]


def measure(count: int, repeat: int) -> Samples:
    runs = {label: run for runs in WORKLOADS.values() for label, run in runs.items()}
    samples: Samples = {label: [] for label in runs}
    for _ in range(repeat):
        for label, run in runs.items():
            start = time.process_time()
            outcome = run(count)
            samples[label].append((time.process_time() - start, outcome))
    return samples


def report(samples: Samples, count: int) -> list[str]:
    rate = {label: count / min(t for t, _ in s) for label, s in samples.items()}
    width = max(len(label) for label in samples)
    lines = [f"{'workload / contender':<{width + 12}}  {'best /s':>11}  {'(median)':>11}  "
             f"{'sim events/s':>12}"]
    for workload, runs in WORKLOADS.items():
        for label in runs:
            seconds = [t for t, _ in samples[label]]
            outcome = samples[label][0][1]
            events = (f"{outcome.sim_events / min(seconds):>12,.0f}" if outcome.sim_events
                      else f"{'':>12}")
            lines.append(f"{workload:<10}  {label:<{width}}  {rate[label]:>11,.0f}  "
                         f"{count / statistics.median(seconds):>11,.0f}  {events}")
    lines.append("")
    lines.append(f"{'ratio':<22}  {'goal':>7}  {'measured':>16}")
    for name, slow, fast, goal in RATIOS:
        ratio = rate[slow] / rate[fast]
        verdict = "" if goal is None else (" met" if ratio >= goal else " missed")
        goal_text = f">= {goal:g}x" if goal is not None else "-"
        lines.append(f"{name:<22}  {goal_text:>7}  {f'{ratio:.2f}x{verdict}':>16}")
    lines.append("")
    lines.extend(RATIO_LEGEND)
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=20_000,
                    help="timeouts / callbacks per run (default 20000)")
    ap.add_argument("--repeat", type=int, default=7, help="timed rounds (default 7)")
    args = ap.parse_args(argv)
    problems = self_check(min(args.count, 500))
    if problems:
        print("self-check failed, the timings would not compare like with like:",
              *problems, sep="\n  ", file=sys.stderr)
        return 1
    print(f"{args.count:,} timeouts of {TIMEOUT_NS} ns / callbacks per run; best of "
          f"{args.repeat} interleaved rounds, CPU time")
    print("self-check: every contender does every unit; simulated clocks advance")
    print()
    print("\n".join(report(measure(args.count, args.repeat), args.count)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
