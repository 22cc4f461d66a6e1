"""Representative scopes: shared (one per node), multicore (one per core, lazily from a root),
distributed (one per node, through the global id map), and the first-insert-wins fault race."""

from __future__ import annotations

import pytest
from runtime_helpers import make_runtime

from ebbrt.runtime import (DistributedEbb, EbbNotFound, EbbRef, InvalidArgument, MulticoreEbb,
                           SharedEbb, current_core, is_global)


class Shared(SharedEbb):
    def me(self):
        return self


class PerCore(MulticoreEbb):
    built: list[tuple[str, object]] = []

    def __init__(self, root):
        self.root = root
        self.core = current_core().name
        PerCore.built.append((self.core, root))

    def me(self):
        return self


class Spread(DistributedEbb):
    built: list[str] = []

    def __init__(self, root):
        self.root = root
        self.node = current_core().node.name
        Spread.built.append(self.node)

    def me(self):
        return self


@pytest.fixture(autouse=True)
def reset():
    PerCore.built, Spread.built = [], []


def reps_by_core(rt, ref, cores):
    found = {}
    for node, core in cores:
        with rt.on_core(node, core):
            found[node, core] = ref.me()
    return found


def test_shared_one_representative_per_node_on_every_core():
    rt = make_runtime(nodes=2, cores=3)
    rep = Shared()
    with rt.on_core(0, 2):
        ref = Shared.create(rep)
    assert is_global(ref.id)
    found = reps_by_core(rt, ref, [(0, 0), (0, 1), (0, 2)])
    assert all(r is rep for r in found.values())
    with rt.on_core(1, 0), pytest.raises(EbbNotFound, match="on node1"):
        ref.me()                                    # node 1 never created it


def test_shared_with_a_local_id_on_each_node():
    rt = make_runtime(nodes=2, cores=1)
    reps = {}
    for node in (0, 1):
        with rt.on_core(node, 0):
            local = rt.node_runtime(node).ids.allocate_local()
            reps[node] = Shared()
            ref = Shared.create(reps[node], id=local)
    assert not is_global(ref.id)
    for node in (0, 1):                             # one id, a different Ebb on each node
        with rt.on_core(node, 0):
            assert ref.me() is reps[node]


def test_multicore_one_representative_per_core_built_lazily_from_the_root():
    rt = make_runtime(nodes=1, cores=3)
    with rt.on_core(0, 0):
        ref = PerCore.create(root="the root")
    assert PerCore.built == []                      # nothing built until a core calls
    found = reps_by_core(rt, ref, [(0, 2), (0, 0), (0, 2)])
    assert PerCore.built == [("node0.core2", "the root"), ("node0.core0", "the root")]
    assert found[0, 2].core == "node0.core2" and found[0, 0].core == "node0.core0"
    with rt.on_core(0, 1):
        assert PerCore.reps(ref) == {2: found[0, 2], 0: found[0, 0]}
        assert ref.me().core == "node0.core1"
        assert sorted(PerCore.reps(ref.id)) == [0, 1, 2]


def test_distributed_one_representative_per_node_found_through_the_global_map():
    rt = make_runtime(nodes=3, cores=2)
    with rt.on_core(1, 0):
        ref = Spread.create(root={"replicas": 3})
    assert ref.id in rt.global_ids and ref.id not in rt.node_runtime(1).local_ids
    found = reps_by_core(rt, ref, [(2, 1), (0, 0), (2, 0), (0, 1), (1, 1)])
    assert Spread.built == ["node2", "node0", "node1"]          # one per node, on first call
    assert found[2, 1] is found[2, 0] and found[0, 0] is found[0, 1]
    assert found[2, 1] is not found[0, 0]
    assert all(r.root == {"replicas": 3} for r in found.values())


def test_two_cores_faulting_at_once_agree_on_the_first_insert():
    """Core 0 faults, and while it builds its representative core 1 faults too (simulated by
    running core 1's whole fault inside core 0's build): core 1 inserts first and wins, core 0
    loses the race, drops what it built and uses core 1's representative, as EbbRT does."""
    rt = make_runtime(nodes=1, cores=2, trace=True)
    order = []

    class Racy(DistributedEbb):
        @classmethod
        def build_rep(cls, root):
            rep = cls()
            if len(order) == 0:
                order.append(("core0 building", rep))
                with rt.on_core(0, 1):                # ... meanwhile, on core 1
                    order.append(("core1 got", ref.me()))
            else:
                order.append(("core1 building", rep))
            return rep

        def me(self):
            return self

    with rt.on_core(0, 0):
        ref = Racy.create()
        winner = ref.me()
    (_, built0), (_, built1), (_, core1_got) = order
    assert [step for step, _ in order] == ["core0 building", "core1 building", "core1 got"]
    assert built0 is not built1
    assert winner is core1_got is built1            # the first insert, on both cores
    assert rt.event_manager(0, 0).table[ref.id] is rt.event_manager(0, 1).table[ref.id] is built1
    assert rt.node_runtime(0).local_ids.find(ref.id).value is built1
    lost = [line for line in rt.sim.instrument.lines if "ebb.fault.lost" in line]
    assert len(lost) == 1 and lost[0].split()[1] == "node0.core0"


def test_an_id_is_created_once():
    rt = make_runtime()
    with rt.on_core():
        ref = Shared.create(Shared())
        with pytest.raises(InvalidArgument, match="already in use in node0"):
            Shared.create(Shared(), id=ref.id)
        spread = Spread.create()
        with pytest.raises(InvalidArgument, match="already in use in global"):
            Spread.create(id=spread.id)


def test_a_static_id_is_the_same_on_every_node_and_core():
    from ebbrt.runtime import CLOCK, EVENT_MANAGER, TIMER, EventManager, Timer
    rt = make_runtime(nodes=2, cores=2)
    for node in (0, 1):
        for core in (0, 1):
            with rt.on_core(node, core) as em:
                assert EVENT_MANAGER() is em and isinstance(EVENT_MANAGER(), EventManager)
                assert isinstance(TIMER(), Timer) and TIMER().core is em.core
                assert CLOCK() is rt.node_runtime(node).local_ids.find(CLOCK.id).value
    assert EbbRef(EVENT_MANAGER.id) == EVENT_MANAGER
