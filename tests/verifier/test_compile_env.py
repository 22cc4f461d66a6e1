"""`compile_ebb`: the environment-dict API the test engines use."""

from __future__ import annotations

from pathlib import Path

import pytest

from ebbrt.spec import check_paths, check_text
from ebbrt.verifier import CompiledEbb, ContractViolation, compile_ebb
from ebbrt.verifier._values import RecordValue

BOX = Path(__file__).parent / "data" / "box.ebb"


@pytest.fixture(scope="module")
def box() -> CompiledEbb:
    result = check_paths([BOX])
    assert result.ok
    return compile_ebb(result.checked, result.checked.ebb("Box"))


def env(**values: object) -> dict[str, object]:
    return {"items": (), "limit": 3, "now": 0, "this_core": 0, "ncores": 1, **values}


def test_shape_of_the_compiled_ebb(box: CompiledEbb) -> None:
    assert set(box.ops) == {"put", "take", "peek", "classify", "ends", "span", "resize"}
    assert set(box.events) == {"drain"} and box.events["drain"].is_event
    assert [c.kind for c in box.invariants] == ["invariant"]
    assert box.ops["put"].exceptions == ("InvalidArgument", "Full")
    assert box.ops["put"].params == ("x",) and box.ops["ends"].results == ("first", "last")
    assert [c.kind for c in box.ops["put"].clauses] == ["checked requires", "throws", "ensures",
                                                        "modifies"]
    assert box.ops["resize"].frame == ("items",)
    assert box.initial_model() == {"items": (), "limit": 3}


def test_requires(box: CompiledEbb) -> None:
    peek = box.ops["peek"]
    peek.check_requires(env(i=0, items=(5,)))
    assert peek.requires_hold(env(i=0, items=(5,))) and not peek.requires_hold(env(i=1))
    with pytest.raises(ContractViolation, match="requires `i < size"):
        peek.check_requires(env(i=1))


def test_checked_requires_failure(box: CompiledEbb) -> None:
    put = box.ops["put"]
    assert put.checked_requires_failure(env(x=-1)) == "InvalidArgument"
    assert put.checked_requires_failure(env(x=1)) is None


def test_snapshot_keeps_what_the_post_state_needs(box: CompiledEbb) -> None:
    assert box.ops["classify"].snapshot(env()) == {"items": (), "limit": 3}  # pure: the frame
    assert set(box.ops["take"].snapshot(env())) == {"items", "limit"}
    assert box.ops["resize"].pre_fields == ("items",)


def test_post_on_normal_return_and_on_a_throw(box: CompiledEbb) -> None:
    put = box.ops["put"]
    pre = put.snapshot(env())
    put.check_post(env(x=1, items=(1,)), pre)
    with pytest.raises(ContractViolation, match="ensures `items == old"):
        put.check_post(env(x=1, items=(2,)), pre)
    put.check_post(env(x=-1), pre, raised="InvalidArgument")
    with pytest.raises(ContractViolation, match="returned normally, but must throw"):
        put.check_post(env(x=-1, items=(-1,)), pre)
    with pytest.raises(ContractViolation, match="threw Full, but the condition is false"):
        put.check_post(env(x=1), pre, raised="Full")
    put.check_post(env(x=1), pre, raised="KeyError")  # undeclared, nothing demanded: the
    # caller reports it


def test_results_and_cases(box: CompiledEbb) -> None:
    classify = box.ops["classify"]
    pre = classify.snapshot(env())
    classify.check_post(env(x=-3, result=-1), pre)
    with pytest.raises(ContractViolation) as info:
        classify.check_post(env(x=-3, result=1), pre)
    assert info.value.label == "case negative" and info.value.kind == "returns"
    assert box.ops["span"].result_values(RecordValue("Span", (("low", 1), ("high", 2)))) == \
        {"result": RecordValue("Span", (("low", 1), ("high", 2)))}
    assert box.ops["ends"].result_values((1, 2)) == {"first": 1, "last": 2}
    with pytest.raises(TypeError, match="expected a tuple of 2"):
        box.ops["ends"].result_values((1,))


def test_invariants(box: CompiledEbb) -> None:
    box.check_invariants(env(items=(1, 2)))
    assert not box.invariants_hold(env(items=(1, 2), limit=1))
    with pytest.raises(ContractViolation, match="Box.put: invariant"):
        box.check_invariants(env(items=(1, 2), limit=1), op="put")


def test_match_exception_by_name_through_the_mro(box: CompiledEbb) -> None:
    class Full(Exception):
        pass

    class VeryFull(Full):
        pass
    assert box.ops["put"].match_exception(VeryFull()) == "Full"
    assert box.ops["put"].match_exception(KeyError()) is None


CASES = """\
ebb Cases shared {
  "c"
  op sign(x: int) -> int "s"
    cases complete disjoint {
      case low when x <= 0 returns 0
      case high when x >= 0 returns 1
    }
  op part(x: int) -> int "p"
    cases complete {
      case big when x > 10 returns 1
    }
}
"""


def test_complete_and_disjoint_are_checked() -> None:
    result = check_text(CASES, "cases.ebb")
    assert result.ok, result.render()
    compiled = compile_ebb(result.checked, result.checked.ebb("Cases"))
    base = {"now": 0, "this_core": 0, "ncores": 1}
    with pytest.raises(ContractViolation) as info:
        compiled.ops["sign"].check_post({**base, "x": 0, "result": 0}, {})
    assert info.value.text == "disjoint" and "more than one case" in str(info.value)
    with pytest.raises(ContractViolation) as info:
        compiled.ops["part"].check_post({**base, "x": 0, "result": 0}, {})
    assert info.value.text == "complete" and info.value.kind == "case"
    compiled.ops["part"].check_post({**base, "x": 11, "result": 1}, {})


def test_violations_show_times_and_durations_with_units() -> None:
    from ebbrt.ebbs import library_dir
    from ebbrt.verifier._values import FrozenMap, Handle
    result = check_paths([library_dir() / "timer.ebb"])
    start = compile_ebb(result.checked, result.checked.ebb("Timer")).ops["start"]
    hook = Handle("Hook", 1)
    arm = RecordValue("Arm", (("due", 5_002_000), ("period", 0), ("core", 0)))
    values = {"hook": hook, "timeout": 5_000_000, "repeat": False, "now": 1_000,
              "this_core": 0, "ncores": 1}
    with pytest.raises(ContractViolation) as info:
        start.check_post({**values, "armed": FrozenMap({hook: arm})}, {"armed": FrozenMap()})
    assert info.value.values["timeout"] == "5ms" and info.value.values["now"] == "1us"
    assert info.value.values["armed"] == "{h1 -> Arm{due: 5002us, period: 0us, core: 0}}"
