"""`EbbRef`: the translation fast path, the fault path, the generated methods, the call gate."""

from __future__ import annotations

import pytest

from ebbrt.runtime import (EbbNotFound, EbbRef, InvalidArgument, NotOnCore, SharedEbb,
                           direct_gate, spawn_remote)

from runtime_helpers import make_runtime


class Counter(SharedEbb):
    faults = 0

    def __init__(self) -> None:
        self.n = 0

    @classmethod
    def handle_fault(cls, ebb_id):
        cls.faults += 1
        return super().handle_fault(ebb_id)

    def add(self, k=1, *more, scale=1, **named):
        self.n += (k + sum(more) + sum(named.values())) * scale
        return self.n

    def value(self):
        return self.n


@pytest.fixture(autouse=True)
def reset_faults():
    Counter.faults = 0


def test_the_first_call_on_a_core_faults_and_the_second_does_not(rt):
    with rt.on_core(0, 0) as em:
        ref = Counter.create(Counter())
        assert ref.id not in em.table
        assert ref.add(2) == 2                       # miss: handle_fault, cache, call
        assert em.table[ref.id] is ref() and Counter.faults == 1 and em.faults == 1
        assert ref.add(3) == 5                       # hit: one lookup, no fault
        assert Counter.faults == 1 and em.faults == 1


def test_each_core_has_its_own_table_and_faults_once(rt):
    with rt.on_core(0, 0):
        ref = Counter.create(Counter())
        ref.add()
    seen = []
    for core in (1, 1, 0):
        with rt.on_core(0, core) as em:
            seen.append((core, ref.add(), em.faults))
    assert seen == [(1, 2, 1), (1, 3, 1), (0, 4, 1)]   # core 1 faulted once; shared rep
    assert Counter.faults == 2
    assert rt.counters()["faults"] == 2


def test_calls_work_from_events_and_the_trace_shows_each_fault():
    rt = make_runtime(trace=True)
    results = []

    def main():
        ref = Counter.create(Counter())
        results.append(ref.add(1))
        spawn_remote(lambda: results.append(ref.add(10)), 1)
    rt.spawn(main)
    rt.run()
    assert results == [1, 11]
    faults = [line for line in rt.sim.instrument.lines if " ebb.fault " in line]
    assert [line.split()[1] for line in faults if "type=Counter" in line] == [
        "node0.core0", "node0.core1"]
    assert [line.split()[1] for line in faults if "type=EventManager" in line] == [
        "node0.core0"]                                # spawn_remote called through its ref


def test_generated_methods_pass_every_kind_of_argument_on(rt):
    with rt.on_core():
        ref = Counter.create(Counter())
        assert ref.add() == 1
        assert ref.add(1, 2, 3, scale=2, extra=4) == 1 + 20
        assert ref.add(k=5) == 26
        assert ref.value() == 26
        assert type(ref).add.__doc__ == Counter.add.__doc__
        assert type(ref) is EbbRef[Counter] and EbbRef[Counter] is EbbRef[Counter]


def test_an_untyped_ref_is_called_through_its_representative(rt):
    with rt.on_core():
        typed = Counter.create(Counter())
        plain = EbbRef(typed.id)
        assert plain == typed and hash(plain) == hash(typed)
        assert plain().add(4) == 4                   # the node's id map knows the type
        assert repr(plain) == f"EbbRef({typed.id:#x})"
        assert repr(typed) == f"EbbRef[Counter]({typed.id:#x})" and int(typed) == typed.id


def test_calls_outside_any_core_say_how_to_get_one(rt):
    with rt.on_core():
        ref = Counter.create(Counter())
    with pytest.raises(NotOnCore, match=r"calling EbbRef\[Counter\]\(0x100000\)\.add\(\) needs "
                                        r"a running core.*runtime\.spawn"):
        ref.add()
    with pytest.raises(NotOnCore):
        ref()


def test_an_id_nobody_created_is_not_found(rt):
    with rt.on_core(), pytest.raises(EbbNotFound, match="Ebb 0x12345 has no representative"):
        EbbRef[Counter](0x12345).add()


@pytest.mark.parametrize("bad", [0, -1, 1 << 32, "7", 1.0])
def test_ids_are_positive_32_bit_ints(bad):
    with pytest.raises(ValueError, match="an Ebb id is an int"):
        EbbRef(bad)


def test_a_ref_of_the_wrong_type_is_refused(rt):
    class Other(SharedEbb):
        def value(self):
            return "other"
    with rt.on_core():
        ref = Other.create(Other())
        with pytest.raises(InvalidArgument, match="is a .*Other, not a Counter"):
            EbbRef[Counter](ref.id).value()


def test_the_call_gate_sees_every_call_and_can_refuse_one(rt):
    calls = []

    def gate(ref, rep, method, args, kwargs):
        calls.append((ref, method, args, kwargs))
        if method == "value":
            raise PermissionError("no peeking")
        return getattr(rep, method)(*args, **kwargs)

    with rt.on_core():
        ref = Counter.create(Counter())
        ref.add(1)                                   # before the gate: not seen
    rt.call_gate = gate
    with rt.on_core():
        assert ref.add(2, scale=3) == 7
        assert ref.add(1) == 8                       # cached, and still gated
        with pytest.raises(PermissionError):
            ref.value()
        assert ref().add(1) == 9                     # the representative too, while gated
    # the gate sees every declared parameter, defaults filled in, as the generated method binds it
    assert [(m, a, k) for _, m, a, k in calls] == [
        ("add", (2,), {"scale": 3}), ("add", (1,), {"scale": 1}), ("value", (), {}),
        ("add", (1,), {})]                           # ref().add: the call as written
    assert all(r == ref for r, *_ in calls) and rt.counters()["calls"] == 4
    rt.call_gate = None
    with rt.on_core():
        assert ref.add(1) == 10 and ref().value() == 10
    assert rt.counters()["calls"] == 4


def test_the_direct_gate_counts_calls_in_events(rt):
    rt.call_gate = direct_gate

    def main():
        ref = Counter.create(Counter())
        for _ in range(5):
            ref.add()
    rt.spawn(main)
    rt.run()
    assert rt.counters()["calls"] == 5
