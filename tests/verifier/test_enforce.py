"""`enforce`: generated wrappers check every clause kind, in each mode.

`GoodBox` keeps the contract of `Box` (tests/verifier/data/box.ebb); each broken variant breaks
one clause, and the test names the clause kind the violation must report.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

from ebbrt.verifier import (BindingError, Context, ContractViolation, Mode, binding_of,
                            enforce, implements)
from ebbrt.verifier._values import RecordValue


class Full(Exception):
    pass


class Empty(Exception):
    pass


class InvalidArgument(ValueError):
    pass


class SpanObject:
    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high


@implements("data/box.ebb", "Box")
class GoodBox:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.items: list[int] = []
        self.limit = 3

    def abstraction(self) -> dict[str, object]:
        return {"items": self.items, "limit": self.limit}

    def put(self, x):
        if x < 0:
            raise InvalidArgument(x)
        if len(self.items) == self.limit:
            raise Full()
        self.items.append(x)

    def take(self):
        if not self.items:
            raise Empty()
        return self.items.pop(0)

    def peek(self, i):
        return self.items[i]

    def classify(self, x):
        return (x > 0) - (x < 0)

    def ends(self):
        return self.items[0], self.items[-1]

    def span(self):
        return SpanObject(min(self.items), max(self.items))

    def resize(self, n):
        self.limit = n

    def drain(self, c):
        self.items.clear()


def variant(**methods: Callable[..., Any]) -> type:
    return type("Broken", (GoodBox,), methods)


def boxed(cls: type = GoodBox, mode: Mode = Mode.FULL, items=(), limit: int = 3,
          context: Context | None = None) -> Any:
    box = binding_of(cls).create(context or Context())
    box.items, box.limit = list(items), limit
    return enforce(box, mode)


def violation(call: Callable[[], object]) -> ContractViolation:
    with pytest.raises(ContractViolation) as info:
        call()
    return info.value


# ---------------------------------------------------------------------------- the good box

def test_a_correct_implementation_passes_every_check() -> None:
    box = boxed()
    for x in (1, 2, 3):
        box.put(x)
    with pytest.raises(Full):
        box.put(4)
    with pytest.raises(InvalidArgument):
        box.put(-1)
    assert box.peek(0) == 1 and box.ends() == (1, 3) and box.span().high == 3
    assert [box.classify(x) for x in (-5, 0, 5)] == [-1, 0, 1]
    box.drain(0)
    with pytest.raises(Empty):
        box.take()
    box.resize(5)
    box.put(7)
    assert box.take() == 7


def test_enforce_makes_a_subclass_and_off_is_the_class_itself() -> None:
    enforced = enforce(GoodBox, Mode.FULL)
    assert issubclass(enforced, GoodBox) and enforced is not GoodBox
    assert enforce(GoodBox, Mode.FULL) is enforced  # built once per class and mode
    assert enforce(GoodBox, Mode.OFF) is GoodBox
    assert enforce(enforced, Mode.OFF) is GoodBox
    assert binding_of(enforced).cls is enforced
    assert enforced.put.__name__ == "put" and "def _w0" in enforced.__ebb_source__
    with pytest.raises(TypeError, match="must be a Mode"):
        enforce(GoodBox, "full")


def test_modes_are_values() -> None:
    assert Mode.SAMPLED(3) == Mode.SAMPLED(3) != Mode.SAMPLED(4)
    assert repr(Mode.SAMPLED(3)) == "Mode.SAMPLED(3)" and repr(Mode.FULL) == "Mode.FULL"
    with pytest.raises(ValueError, match="whole n >= 1"):
        Mode.SAMPLED(0)
    with pytest.raises(ValueError, match="unknown mode"):
        Mode("fast")


# ---------------------------------------------------------------------------- every clause kind

def test_requires_is_the_callers_duty() -> None:
    v = violation(lambda: boxed().peek(0))
    assert (v.kind, v.ebb, v.op, v.text) == ("requires", "Box", "peek", "i < size(items)")
    assert v.values == {"i": "0", "items": "[]"} and v.label == "there is such a position"
    headline, *rest = str(v).splitlines()
    assert headline == f"{v.span}: Box.peek: requires `i < size(items)` violated"
    assert str(v.span).endswith("box.ebb:30:5")
    assert rest == ["  (there is such a position)", "  i = 0", "  items = []"]


def test_checked_requires_must_throw_its_exception() -> None:
    silent = variant(put=lambda self, x: self.items.append(x))
    v = violation(lambda: boxed(silent).put(-1))
    assert v.kind == "checked requires" and "returned normally, but must throw " \
        "InvalidArgument" in str(v)
    wrong = variant(put=lambda self, x: (_ for _ in ()).throw(Full()))
    v = violation(lambda: boxed(wrong).put(-1))
    assert v.kind == "checked requires" and v.detail == "threw Full, but must throw " \
        "InvalidArgument"


def test_a_checked_exception_when_the_condition_holds_is_a_violation() -> None:
    def eager(self, x):
        raise InvalidArgument(x)
    v = violation(lambda: boxed(variant(put=eager)).put(1))
    assert v.kind == "checked requires" and v.detail.startswith("threw InvalidArgument, but "
                                                                "the condition holds")


def test_throws_when_its_condition_holds_and_only_then() -> None:
    overfull = variant(put=lambda self, x: self.items.append(x))
    v = violation(lambda: boxed(overfull, items=[1, 2, 3]).put(4))
    assert v.kind == "throws" and v.clause.exception == "Full" and "must throw Full" in str(v)

    def always_full(self, x):
        raise Full()
    v = violation(lambda: boxed(variant(put=always_full)).put(4))
    assert v.kind == "throws" and "threw Full, but the condition is false" in v.detail


def test_throws_ensures_is_checked_after_the_throw() -> None:
    def messy_take(self):
        self.limit = 3
        if not self.items:
            self.items.append(0)
            raise Empty()
        return self.items.pop(0)
    v = violation(lambda: boxed(variant(take=messy_take)).take())
    assert v.kind == "ensures" and v.text == "items == old(items)"
    assert v.label == "after throwing Empty" and v.values["old(items)"] == "[]"


def test_a_throw_without_ensures_must_leave_the_model_unchanged() -> None:
    def leaky(self, x):
        self.items.append(x)
        raise InvalidArgument(x)
    v = violation(lambda: boxed(variant(put=leaky)).put(-1))
    assert v.kind == "checked requires" and "must leave the model unchanged" in v.detail


def test_an_undeclared_exception_passes_through() -> None:
    def broken(self, x):
        raise ZeroDivisionError("boom")
    with pytest.raises(ZeroDivisionError, match="boom"):
        boxed(variant(classify=broken)).classify(1)


def test_ensures_with_old() -> None:
    v = violation(lambda: boxed(variant(put=lambda self, x: self.items.append(x + 1))).put(1))
    assert v.kind == "ensures" and v.text == "items == old(items) + [x]"
    assert v.values == {"items": "[2]", "old(items)": "[]", "x": "1"}


def test_returns() -> None:
    v = violation(lambda: boxed(variant(peek=lambda self, i: 0), items=[5]).peek(0))
    assert v.kind == "returns" and v.values["result"] == "0" and v.values["items"] == "[5]"


def test_several_results_and_record_results() -> None:
    v = violation(lambda: boxed(variant(ends=lambda self: (self.items[-1], self.items[0])),
                                items=[1, 2]).ends())
    assert v.kind == "ensures" and v.values["first"] == "2"
    v = violation(lambda: boxed(variant(ends=lambda self: 1), items=[1]).ends())
    assert v.kind == "returns" and v.label == "the result's shape"
    v = violation(lambda: boxed(variant(span=lambda self: SpanObject(5, 1)), items=[1, 5]).span())
    assert v.kind == "ensures" and v.values["result"] == "Span{low: 5, high: 1}"
    assert boxed(variant(span=lambda self: RecordValue("Span", (("low", 1), ("high", 1)))),
                 items=[1]).span()["high"] == 1


def test_case_effects() -> None:
    v = violation(lambda: boxed(variant(classify=lambda self, x: 1)).classify(0))
    assert v.kind == "returns" and v.text == "0" and v.label == "case zero"


def test_frame_of_an_op_and_of_a_pure_op() -> None:
    def resize(self, n):
        self.limit = n
        self.items.append(9)
    v = violation(lambda: boxed(variant(resize=resize)).resize(5))
    assert v.kind == "modifies" and v.text == "items == old(items)"
    assert "`items` is not in `resize`'s modifies clause" in str(v)

    def classify(self, x):
        self.limit += 1
        return 0
    v = violation(lambda: boxed(variant(classify=classify)).classify(0))
    assert v.kind == "modifies" and v.text == "limit == old(limit)"


def test_invariants_after_every_op_and_optionally_before() -> None:
    v = violation(lambda: boxed(items=[1, 2], limit=1).classify(0))
    assert v.kind == "invariant" and v.op == "classify" and v.label.startswith("fits")
    assert "Box.classify: invariant `size(items) <= limit` violated" in str(v)
    box = binding_of(GoodBox).create(Context())
    box.items, box.limit = [1, 2], 1
    enforce(box, Mode.FULL, invariants_before=True)
    v = violation(lambda: box.classify(0))
    assert v.kind == "invariant" and v.detail == "before the call"


def test_a_clause_without_value_is_violated_and_says_why() -> None:
    @implements("data/box.ebb", "Arith")
    class Arith:
        def clamp(self, x, lo, hi):
            return max(lo, min(x, hi))

        def quotient(self, a, b):
            return a // b if b else 0

        def bump(self, w):
            return (w + 1) % 256

    checked = enforce(Arith, Mode.FULL)()
    assert checked.quotient(7, 2) == 3 and checked.bump(255) == 0
    v = violation(lambda: checked.quotient(7, 0))
    assert v.kind == "ensures" and v.undefined.startswith("`/` by zero (at ")
    assert "it has no value: `/` by zero" in str(v)
    v = violation(lambda: checked.quotient(-7, 2))  # floor division is not the spec's `/`
    assert v.values == {"result": "-4", "a": "-7", "b": "2"}


def test_a_value_of_the_wrong_shape_is_reported_not_raised() -> None:
    v = violation(lambda: boxed(variant(peek=lambda self, i: None), items=[5]).peek(0))
    assert v.kind == "returns" and v.values["result"] == "None"
    v = violation(lambda: boxed(variant(span=lambda self: SpanObject(None, 1)), items=[1]).span())
    assert v.kind == "ensures" and v.undefined.startswith("evaluating it raised TypeError")


def test_event_guard_and_core() -> None:
    v = violation(lambda: boxed(items=[1]).drain(0))
    assert v.kind == "when" and v.text == "size(items) == limit"
    context = Context(this_core=1, ncores=2)
    v = violation(lambda: boxed(items=[1, 2, 3], context=context).drain(0))
    assert v.kind == "on core" and v.values["this_core"] == "1"
    boxed(items=[1, 2, 3], context=context).drain(1)


def test_a_violation_inside_an_op_passes_through() -> None:
    inner = boxed()

    def delegating(self, i):
        return inner.peek(i)
    v = violation(lambda: boxed(variant(peek=delegating), items=[1]).peek(0))
    assert v.kind == "requires" and v.values["items"] == "[]"  # the inner box's


# ---------------------------------------------------------------------------- modes

BAD_ENSURES = variant(put=lambda self, x: self.items.append(x + 1))


def test_off_checks_nothing() -> None:
    box = boxed(BAD_ENSURES, Mode.OFF)
    box.put(1)
    assert box.items == [2]
    assert boxed(mode=Mode.OFF).resize(0) is None  # even a false requires


def test_requires_mode_checks_preconditions_and_checked_requires_only() -> None:
    box = boxed(BAD_ENSURES, Mode.REQUIRES)
    box.put(1)  # a broken ensures goes unnoticed
    assert violation(lambda: box.peek(7)).kind == "requires"
    silent = variant(put=lambda self, x: None)
    assert violation(lambda: boxed(silent, Mode.REQUIRES).put(-1)).kind == "checked requires"
    overfull = variant(put=lambda self, x: self.items.append(x))
    boxed(overfull, Mode.REQUIRES, items=[1, 2, 3]).put(4)  # throws is not checked
    assert violation(lambda: boxed(mode=Mode.REQUIRES, items=[1]).drain(0)).kind == "when"


def test_sampled_checks_every_nth_call_of_each_op() -> None:
    box = boxed(BAD_ENSURES, Mode.SAMPLED(3), limit=100)
    box.put(1)
    box.put(1)
    assert violation(lambda: box.put(1)).kind == "ensures"
    box.put(1)
    box.put(1)
    assert violation(lambda: box.put(1)).kind == "ensures"
    box.resize(200)  # other ops count on their own
    box.resize(300)


def test_context_comes_from_enforce_or_from_the_instance() -> None:
    @implements("data/box.ebb", "Box")
    class Contextless(GoodBox):
        def __init__(self) -> None:
            self.items, self.limit = [1, 2, 3], 3
    box = enforce(Contextless(), Mode.FULL)
    with pytest.raises(BindingError, match="no `context` attribute"):
        box.drain(0)
    given = enforce(Contextless(), Mode.FULL, context=Context(this_core=2, ncores=3))
    assert violation(lambda: given.drain(0)).values["this_core"] == "2"
    given.drain(2)


# ---------------------------------------------------------------------------- partial clauses

class TooBig(Exception):
    pass


@implements("data/partial.ebb", "Partial")
class PartialImpl:
    def __init__(self) -> None:
        self.m: dict[int, int] = {}

    def abstraction(self) -> dict[str, object]:
        return {"m": self.m}

    def get(self, k):
        return self.m.get(k, 0)

    def divide(self, a, b):
        if b and abs(a) // abs(b) > 10:
            raise TooBig()
        return int(a / b) if b else 0

    def odd_names(self, _x, v_y, y):
        return _x + v_y + y


@pytest.mark.parametrize("mode", [Mode.FULL, Mode.REQUIRES])
def test_a_requires_without_value_is_the_callers_violation(mode: Mode) -> None:
    v = violation(lambda: enforce(PartialImpl(), mode).get(5))
    assert v.kind == "requires" and v.label == "a positive entry"
    assert v.undefined.startswith("`m[k]` for a key `k` not in the map (at ")


def test_a_throws_condition_without_value_is_reported() -> None:
    box = enforce(PartialImpl(), Mode.FULL)
    assert box.divide(7, 2) == 3
    with pytest.raises(TooBig):
        box.divide(100, 3)
    v = violation(lambda: box.divide(1, 0))
    assert v.kind == "throws" and v.undefined.startswith("`/` by zero")


def test_parameters_named_like_generated_names() -> None:
    box = enforce(PartialImpl(), Mode.FULL)
    assert box.odd_names(1, 2, 3) == 6
    v = violation(lambda: box.odd_names(-1, 2, 3))
    assert v.kind == "requires" and v.values == {"_x": "-1"}
    broken = enforce(type("B", (PartialImpl,), {"odd_names": lambda self, _x, v_y, y: 0})(),
                     Mode.FULL)
    assert violation(lambda: broken.odd_names(1, 2, 3)).values == {
        "result": "0", "_x": "1", "v_y": "2", "y": "3"}
