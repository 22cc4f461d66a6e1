"""`enforce` inlines the checks into the method (verifier/_enforce_inline.py): same verdicts as
the wrapper, one frame fewer, and the wrapper kept wherever inlining could change meaning."""

from __future__ import annotations

import functools
import traceback
from typing import Any, Callable

import pytest

from ebbrt.verifier import Context, ContractViolation, Mode, binding_of, enforce, implements

from test_enforce import Empty, Full, GoodBox, InvalidArgument


def make(cls: type, inline: bool, mode: Mode = Mode.FULL, items=(), limit: int = 3) -> Any:
    box = binding_of(cls).create(Context())
    box.items, box.limit = list(items), limit
    return enforce(box, mode, inline=inline)


def outcome(call: Callable[[], object]) -> tuple[str, ...]:
    """What a call did, comparable across the two forms."""
    try:
        return ("returned", repr(call()))
    except ContractViolation as v:
        return ("violation", v.kind, v.op, v.text, repr(sorted(v.values.items())))
    except Exception as e:  # noqa: BLE001 - the implementation's own exception
        return ("raised", type(e).__name__)


# ------------------------------------------------------------------------- broken, as plain defs

class TakesFromEmpty(GoodBox):
    def take(self):
        if not self.items:
            return 0          # Empty was due; the ensures `x == old(items)[0]` has no value
        return self.items.pop(0)


class TakesNewest(GoodBox):
    def take(self):
        if not self.items:
            raise Empty()
        return self.items.pop()


class PutsTwice(GoodBox):
    def put(self, x):
        if x < 0:
            raise InvalidArgument(x)
        if len(self.items) == self.limit:
            raise Full()
        self.items.append(x)
        if x == 2:
            self.items.append(x)


class WrongSign(GoodBox):
    def classify(self, x):
        if x == 0:
            return 1
        sign = (x > 0) - (x < 0)
        return sign


class FallsOffTheEnd(GoodBox):
    def peek(self, i):
        value = self.items[i]
        if value != 7:
            return value


CALLS: list[tuple[str, Callable[[Any], object], tuple[int, ...]]] = [
    ("take from empty", lambda b: b.take(), ()),
    ("take", lambda b: b.take(), (1, 2)),
    ("put", lambda b: b.put(2), (1,)),
    ("put full", lambda b: b.put(1), (1, 2, 3)),
    ("put negative", lambda b: b.put(-1), ()),
    ("classify 0", lambda b: b.classify(0), ()),
    ("classify 5", lambda b: b.classify(5), ()),
    ("peek 7", lambda b: b.peek(0), (7,)),
    ("peek 1", lambda b: b.peek(0), (1,)),
    ("peek out of range", lambda b: b.peek(3), (1,)),
]


@pytest.mark.parametrize("cls", [GoodBox, TakesFromEmpty, TakesNewest, PutsTwice, WrongSign,
                                 FallsOffTheEnd], ids=lambda c: c.__name__)
@pytest.mark.parametrize("mode", [Mode.FULL, Mode.REQUIRES], ids=repr)
def test_inlined_checks_judge_every_call_as_the_wrapper_does(cls: type, mode: Mode) -> None:
    inlined = enforce(cls, mode)
    assert {"take", "put", "classify", "peek"} <= inlined.__ebb_inlined__
    assert enforce(cls, mode, inline=False).__ebb_inlined__ == frozenset()
    for label, call, items in CALLS:
        got = outcome(lambda: call(make(cls, True, mode, items)))
        expected = outcome(lambda: call(make(cls, False, mode, items)))
        assert got == expected, label


def test_the_broken_defs_are_caught() -> None:
    assert outcome(lambda: make(TakesNewest, True, items=(1, 2)).take())[:2] == \
        ("violation", "ensures")
    assert outcome(lambda: make(WrongSign, True).classify(0))[0] == "violation"
    assert outcome(lambda: make(FallsOffTheEnd, True, items=(7,)).peek(0))[0] == "violation"
    assert outcome(lambda: make(TakesFromEmpty, True).take())[0] == "violation"


def test_a_violation_points_at_the_def_line_of_the_method() -> None:
    box = make(TakesNewest, True, items=(1, 2))
    with pytest.raises(ContractViolation) as info:
        box.take()
    frames = traceback.extract_tb(info.value.__traceback__)
    own = [f for f in frames if f.name == "take"]
    assert own and own[0].filename == __file__
    assert own[0].lineno == TakesNewest.take.__code__.co_firstlineno


def test_the_methods_own_errors_keep_their_lines() -> None:
    def line_of_full(box: Any) -> int:
        with pytest.raises(Full) as info:
            box.put(4)
        return traceback.extract_tb(info.value.__traceback__)[-1].lineno
    plain = binding_of(GoodBox).create(Context())
    plain.items = [1, 2, 3]
    assert "put" in enforce(GoodBox, Mode.FULL).__ebb_inlined__
    assert line_of_full(make(GoodBox, True, items=(1, 2, 3))) == line_of_full(plain)


# ------------------------------------------------------------------------- when it is not inlined

def _decorated(f: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(f)
    def wrapper(*args: Any) -> Any:
        return f(*args)
    return wrapper


class Decorated(GoodBox):
    @_decorated
    def peek(self, i):
        return self.items[i]


class ReturnsInTry(GoodBox):
    def peek(self, i):
        try:
            return self.items[i]
        except Exception:
            return -1


class UsesSuper(GoodBox):
    def peek(self, i):
        return super().peek(i)


class UsesPrivate(GoodBox):
    __secret = 0

    def peek(self, i):
        return self.items[i] + self.__secret


class NamesMeetChecks(GoodBox):
    def peek(self, i):
        _m = self.items
        return _m[i]


class DiagnoseNames(GoodBox):
    def peek(self, i):
        v_items = self.items
        return v_items[i]


class ReusesItsParameter(GoodBox):
    def peek(self, i):
        value = self.items[i]
        i = None              # the post-check must still read the `i` the caller passed
        return value


class CallsLocals(GoodBox):
    def peek(self, i):
        return self.items[locals()["i"]]


class Lambda(GoodBox):
    peek = lambda self, i: self.items[i]  # noqa: E731


class Static(GoodBox):
    @staticmethod
    def classify(x):
        return 2 * ((x > 0) - (x < 0))      # breaks the `positive` arm


@pytest.mark.parametrize("cls,op", [
    (Decorated, "peek"), (ReturnsInTry, "peek"), (UsesSuper, "peek"), (UsesPrivate, "peek"),
    (NamesMeetChecks, "peek"), (DiagnoseNames, "peek"), (ReusesItsParameter, "peek"),
    (CallsLocals, "peek"),
    (Lambda, "peek"), (Static, "classify")], ids=lambda x: getattr(x, "__name__", x))
def test_the_wrapper_is_kept_where_inlining_could_change_meaning(cls: type, op: str) -> None:
    enforced = enforce(cls, Mode.FULL)
    assert op not in enforced.__ebb_inlined__
    assert "take" in enforced.__ebb_inlined__          # the others still are
    box = make(cls, True, items=(4,))
    with pytest.raises(ContractViolation):
        getattr(box, op)(9) if op == "peek" else box.classify(5)


def test_a_parameter_the_method_reassigns_is_checked_as_the_caller_passed_it() -> None:
    box = make(ReusesItsParameter, True, items=(4, 5))
    assert box.peek(1) == 5   # `returns items[i]` with i == 1, not None


def test_a_returned_value_caught_by_the_methods_own_handler_is_still_checked() -> None:
    class Swallows(GoodBox):
        def classify(self, x):
            try:
                return 2              # breaks `returns` of the `positive` arm
            except Exception:
                return 1
    enforced = enforce(Swallows, Mode.FULL)
    assert "classify" not in enforced.__ebb_inlined__
    assert outcome(lambda: make(Swallows, True).classify(5))[0] == "violation"


def test_closure_cells_and_defaults_of_the_method_are_kept() -> None:
    offset = 0

    @implements("data/box.ebb", "Arith")
    class Clamp:
        def clamp(self, x, lo, hi=10):
            return min(max(x, lo), hi) + offset

        def quotient(self, a, b):
            return int(a / b)

        def bump(self, w):
            return (w + 1) % 256
    enforced = enforce(Clamp, Mode.FULL)
    assert "clamp" in enforced.__ebb_inlined__
    assert enforced().clamp(50, 0) == 10 and enforced().clamp(-3, 0, 5) == 0
    offset = 1
    with pytest.raises(ContractViolation) as info:
        enforced().clamp(50, 0, 10)
    assert info.value.kind == "ensures"
