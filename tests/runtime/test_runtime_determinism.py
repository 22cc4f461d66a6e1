"""The same seed gives the same run of the runtime, trace for trace; another seed another.

The scenario uses the runtime's moving parts on two nodes of three cores: coroutine events
that sleep for random times, remote spawns, futures fulfilled on other cores, `when_all`,
repeating timers stopped in their hooks, and a distributed Ebb faulted in on every core; all
randomness comes from the simulator's named streams."""

from __future__ import annotations

import pytest

from ebbrt.machine import Simulator, Trace
from ebbrt.runtime import (TIMER, TIMER_VARIANTS, DistributedEbb, Promise, Runtime, Timer,
                           current_core, run_app, sleep, spawn_remote, when_all)


class Tally(DistributedEbb):
    def __init__(self, root):
        self.counts = {}

    def add(self, key):
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]


def scenario(seed: int) -> tuple[Trace, dict[str, int], list]:
    trace = Trace()
    sim = Simulator(seed=seed, instrument=trace)
    rt = Runtime(sim, nodes=2, cores=3)
    rng = sim.rng("app")
    results = []

    class Ticker:
        def __init__(self, limit):
            self.limit, self.count = limit, 0

        def fire(self):
            self.count += 1
            if self.count == self.limit:
                TIMER.stop(self)

    async def worker(tally, n):
        core = current_core()
        promises = [Promise() for _ in range(2)]
        for i, promise in enumerate(promises):
            target = rng.randrange(3)
            spawn_remote(lambda p=promise, i=i: p.set_value((n, i, current_core().name)), target)
        for _ in range(3):
            await sleep(rng.randrange(1, 50_000))
            tally.add(core.name)
        results.append(await when_all(p.future for p in promises))
        TIMER.start(Ticker(rng.randrange(1, 4)), rng.randrange(1_000, 9_000), True)

    def boot(node):
        def start():
            tally = Tally.create(None) if node == 0 else tallies[0]
            tallies.append(tally)
            for n in range(4):
                rt.spawn(lambda n=n: worker(tally, n), node=node, core=rng.randrange(3))
        return start

    tallies: list = []
    rt.spawn(boot(0), node=0)
    sim.run_until(1)
    rt.spawn(boot(1), node=1)
    rt.run_until(2_000_000)
    return trace, rt.counters(), results


def test_same_seed_same_trace_and_counters():
    first, counters1, results1 = scenario(seed=5)
    second, counters2, results2 = scenario(seed=5)
    assert first.count > 300
    assert first.text() == second.text() and first.digest() == second.digest()
    assert counters1 == counters2 and results1 == results2
    assert len(results1) == 8 and counters1["ipis"] > 0 and counters1["hooks_fired"] > 24


def test_another_seed_another_trace():
    assert scenario(seed=5)[0].digest() != scenario(seed=6)[0].digest()


def test_taking_turns_changes_nothing(monkeypatch):
    """Cores start their next item without the heap when it would be the next event anyway
    (`Simulator.take_turn`); refusing that every time gives the same run, trace and counters."""
    fast, fast_counters, fast_results = scenario(seed=5)
    monkeypatch.setattr(Simulator, "take_turn", lambda self, time, label: False)
    slow, slow_counters, slow_results = scenario(seed=5)
    assert fast.text() == slow.text()
    assert fast_counters == slow_counters and fast_results == slow_results


@pytest.mark.parametrize("app, timer", [("ping-pong", Timer), ("timer-storm", Timer),
                                        ("timer-storm", TIMER_VARIANTS["broken-early"])])
def test_taking_turns_changes_no_app_run(monkeypatch, app, timer):
    """The bundled apps, network, monitors and a caught violation included, run the same
    with every turn refused (the heap path)."""
    fast = run_app(app, nodes=2, cores=3, seed=2, timer=timer)
    monkeypatch.setattr(Simulator, "take_turn", lambda self, time, label: False)
    slow = run_app(app, nodes=2, cores=3, seed=2, timer=timer)
    assert fast.trace.digest() == slow.trace.digest() and fast.trace.count > 40
    assert (fast.lines, fast.status, fast.report) == (slow.lines, slow.status, slow.report)
