"""The discrete-event core: heap order, cancel, run semantics, random streams, errors."""

from __future__ import annotations

import pytest

from ebbrt.errors import EbbrtError
from ebbrt.machine import (Instrument, Scheduled, SchedulingError, Simulator, SimulatorBusy,
                           Trace)


def recorder(sim: Simulator, log: list, name: str):
    return lambda: log.append((sim.now, name))


def test_events_run_by_time_then_priority_then_fifo() -> None:
    sim = Simulator()
    log: list = []
    sim.schedule(20, recorder(sim, log, "late"))
    sim.schedule(10, recorder(sim, log, "fifo-1"))
    sim.schedule(10, recorder(sim, log, "urgent"), priority=-1)
    sim.schedule(10, recorder(sim, log, "fifo-2"))
    sim.schedule(10, recorder(sim, log, "lazy"), priority=5)
    sim.schedule(10, recorder(sim, log, "fifo-3"))
    sim.schedule(0, recorder(sim, log, "first"))
    assert sim.run() == 7
    assert log == [(0, "first"), (10, "urgent"), (10, "fifo-1"), (10, "fifo-2"),
                   (10, "fifo-3"), (10, "lazy"), (20, "late")]
    assert sim.events_run == 7


def test_zero_delay_runs_after_events_already_due_now() -> None:
    sim = Simulator()
    log: list = []

    def first() -> None:
        log.append("first")
        sim.schedule(0, lambda: log.append("spawned"))

    sim.schedule(5, first)
    sim.schedule(5, lambda: log.append("second"))
    sim.run()
    assert log == ["first", "second", "spawned"]
    assert sim.now == 5


def test_post_is_ordered_with_scheduled_events() -> None:
    sim = Simulator()
    log: list = []
    sim.post(3, lambda: log.append("post-3"))
    sim.schedule(3, lambda: log.append("sched-3"))
    sim.post(1, lambda: log.append("post-1"), priority=0)
    sim.post(3, lambda: log.append("post-3-urgent"), priority=-1)
    assert sim.post(0, lambda: None) is None
    sim.run()
    assert log == ["post-1", "post-3-urgent", "post-3", "sched-3"]


def test_cancel_skips_the_event_and_is_idempotent() -> None:
    sim = Simulator()
    log: list = []
    keep = sim.schedule(5, lambda: log.append("keep"))
    drop = sim.schedule(5, lambda: log.append("drop"), label="drop-me")
    assert isinstance(drop, Scheduled) and not drop.cancelled
    assert (drop.time, drop.priority, drop.label) == (5, 0, "drop-me") and drop.seq == keep.seq + 1
    drop.cancel()
    drop.cancel()
    assert drop.cancelled and sim.pending == 1
    assert sim.run() == 1
    assert log == ["keep"] and sim.events_run == 1
    keep.cancel()  # after it ran: nothing happens
    assert sim.run() == 0


def test_cancel_from_inside_an_earlier_event() -> None:
    sim = Simulator()
    log: list = []
    later = sim.schedule(10, lambda: log.append("later"))
    sim.schedule(5, later.cancel)
    sim.run()
    assert log == [] and sim.now == 5


def test_next_time_skips_cancelled_events() -> None:
    sim = Simulator()
    assert sim.next_time is None
    a = sim.schedule(4, lambda: None)
    sim.schedule(9, lambda: None)
    assert sim.next_time == 4
    a.cancel()
    assert sim.next_time == 9 and sim.pending == 1


def test_handles_are_hashable_by_identity() -> None:
    sim = Simulator()
    a = sim.schedule(1, lambda: None)
    b = sim.schedule(1, lambda: None)
    assert len({a, b}) == 2 and a in {a}
    assert "at 1" in repr(a)


def test_step_runs_one_event_at_a_time() -> None:
    sim = Simulator()
    log: list = []
    sim.schedule(3, recorder(sim, log, "a"))
    sim.schedule(7, recorder(sim, log, "b")).cancel()
    sim.schedule(9, recorder(sim, log, "c"))
    assert sim.step() and log == [(3, "a")] and sim.now == 3
    assert sim.step() and log == [(3, "a"), (9, "c")] and sim.now == 9
    assert not sim.step()
    assert sim.now == 9 and sim.events_run == 2


def test_run_until_includes_the_boundary_and_sets_now() -> None:
    sim = Simulator()
    log: list = []
    for t in (5, 10, 11):
        sim.schedule(t, recorder(sim, log, str(t)))
    sim.run_until(10)
    assert log == [(5, "5"), (10, "10")] and sim.now == 10
    sim.run_until(10)  # same time again: nothing more is due
    assert sim.now == 10 and len(log) == 2
    sim.run_until(100)
    assert log[-1] == (11, "11") and sim.now == 100


def test_run_until_stops_before_a_later_event_without_disturbing_order() -> None:
    sim = Simulator()
    log: list = []
    sim.schedule(20, lambda: log.append("x"))
    sim.schedule(20, lambda: log.append("y"))
    sim.run_until(19)
    sim.schedule(1, lambda: log.append("z"))  # also at 20, scheduled after x and y
    sim.run()
    assert log == ["x", "y", "z"]


def test_run_for_is_relative_to_now() -> None:
    sim = Simulator()
    sim.run_for(40)
    log: list = []
    sim.schedule(15, recorder(sim, log, "a"))
    sim.run_for(10)
    assert sim.now == 50 and log == []
    sim.run_for(5)
    assert log == [(55, "a")] and sim.now == 55


def test_run_with_max_events() -> None:
    sim = Simulator()
    for t in range(5):
        sim.schedule(t, lambda: None)
    assert sim.run(max_events=2) == 2 and sim.now == 1
    assert sim.run(max_events=0) == 0
    assert sim.run() == 3 and sim.now == 4


def test_an_action_error_propagates_and_the_loop_stays_usable() -> None:
    sim = Simulator()

    def boom() -> None:
        raise KeyError("boom")

    sim.schedule(5, boom)
    sim.schedule(6, lambda: None)
    with pytest.raises(KeyError):
        sim.run_until(10)
    assert sim.now == 5 and sim.events_run == 1
    sim.run_until(10)
    assert sim.now == 10 and sim.events_run == 2


@pytest.mark.parametrize("call, fragment", [
    (lambda s: s.schedule(-1, lambda: None, label="tick"), "negative delay -1"),
    (lambda s: s.post(-7, lambda: None), "negative delay -7"),
    (lambda s: s.schedule_at(99, lambda: None), "at time 99 ns, which is before now (100 ns)"),
    (lambda s: s.run_until(50), "cannot run until 50 ns: it is before now (100 ns)"),
    (lambda s: s.run_for(-3), "cannot run for -3"),
    (lambda s: s.run_for(1.5), "integer nanoseconds"),
    (lambda s: s.schedule(1 << 63, lambda: None), "past the end of virtual time"),
])
def test_time_never_goes_backwards(call, fragment: str) -> None:
    sim = Simulator()
    sim.run_until(100)
    with pytest.raises(SchedulingError) as caught:
        call(sim)
    assert fragment in str(caught.value)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, EbbrtError)
    assert sim.now == 100


def test_schedule_error_names_the_action_label() -> None:
    with pytest.raises(ValueError, match="'retransmit'"):
        Simulator().schedule(-5, lambda: None, label="retransmit")


def test_run_is_not_reentrant() -> None:
    sim = Simulator()
    caught: list = []

    def nested() -> None:
        with pytest.raises(SimulatorBusy) as info:
            sim.run()
        caught.append(str(info.value))

    sim.schedule(1, nested)
    sim.run()
    assert "inside an event" in caught[0]


def test_rng_streams_are_seeded_by_name_and_independent() -> None:
    a, b = Simulator(seed=1), Simulator(seed=1)
    assert a.rng("net") is a.rng("net")
    # b draws from another stream first: its "net" numbers do not shift
    [b.rng("disk").random() for _ in range(10)]
    assert [a.rng("net").random() for _ in range(5)] == [b.rng("net").random() for _ in range(5)]
    assert a.rng("x").random() != a.rng("y").random()
    assert Simulator(seed=2).rng("net").random() != Simulator(seed=1).rng("net").random()


def test_seed_must_be_an_int() -> None:
    with pytest.raises(TypeError, match="seed must be an int"):
        Simulator(seed="7")  # type: ignore[arg-type]


def test_every_event_is_traced_with_a_deterministic_name() -> None:
    trace = Trace()
    sim = Simulator(instrument=trace)
    assert isinstance(trace, Instrument)

    def tick() -> None:
        sim.record("demo", "tick", "n=1")

    sim.schedule(2, tick)
    sim.schedule(4, lambda: None, label="labelled")
    sim.run()
    assert trace.lines == [
        "2 sim event test_every_event_is_traced_with_a_deterministic_name.<locals>.tick",
        "2 demo tick n=1",
        "4 sim event labelled",
    ]


def test_record_without_instrument_is_a_no_op() -> None:
    sim = Simulator()
    sim.record("x", "y", "z")
    sim.schedule(1, lambda: None)
    sim.run()
    assert sim.instrument is None


def test_take_turn_starts_the_next_event_only_when_it_would_be_next_anyway() -> None:
    sim = Simulator(instrument=Trace())
    assert not sim.take_turn(0, "outside")             # no run: never
    turns: list = []

    def ask(time: int) -> None:
        taken = sim.take_turn(time, f"turn@{time}")
        turns.append((sim.now, time, taken))

    sim.schedule(10, lambda: ask(30))                  # a normal event at 30 comes first
    sim.schedule(30, lambda: None, label="normal")
    sim.schedule(40, lambda: ask(50))                  # a lazy event at 50 comes after
    sim.schedule(50, lambda: None, priority=1, label="lazy")
    sim.schedule(60, lambda: ask(70))
    cancelled = sim.schedule(65, lambda: None)         # cancelled: not in the way
    cancelled.cancel()
    sim.run_until(100)
    assert turns == [(10, 30, False), (50, 50, True), (70, 70, True)]
    assert sim.events_run == 7                         # 5 popped + 2 turns taken
    assert "50 sim event turn@50" in sim.instrument.lines
    sim.schedule(0, lambda: ask(200))                  # past run_until's bound
    sim.run_until(150)
    sim.schedule(0, lambda: ask(160))                  # step(): the budget is spent
    sim.step()
    assert turns[-2:] == [(100, 200, False), (150, 160, False)] and sim.now == 150
