"""`to_icontract`: the contract as icontract decorators, for CrossHair."""

from __future__ import annotations

import importlib.util
import inspect

import icontract
import pytest

from ebbrt.verifier import Context, ContractViolation, binding_of, to_icontract
from test_enforce import Empty, Full, GoodBox, InvalidArgument, variant


@pytest.fixture(autouse=True)
def icontract_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing CrossHair switches icontract's checks off for the whole process (it wants to
    run the conditions itself); these tests need them on, as a fresh copy of icontract has."""
    spec = importlib.util.spec_from_file_location("_fresh_icontract_checkers",
                                                  icontract._checkers.__file__)
    assert spec is not None and spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    for name in ("_assert_preconditions", "_assert_postconditions", "_assert_invariant"):
        monkeypatch.setattr(icontract._checkers, name, getattr(fresh, name))


def make(cls: type = GoodBox, items=(), limit: int = 3) -> object:
    box = to_icontract(binding_of(cls))(Context())
    box.items, box.limit = list(items), limit
    return box


def test_a_correct_implementation_passes() -> None:
    box = make()
    box.put(1)
    box.put(2)
    assert box.take() == 1 and box.peek(0) == 2 and box.classify(-4) == -1
    with pytest.raises(Empty):
        make().take()
    with pytest.raises(Full):
        make(items=[1, 2, 3]).put(4)
    with pytest.raises(InvalidArgument):
        box.put(-1)


def test_requires_become_preconditions() -> None:
    with pytest.raises(icontract.ViolationError, match=r"Box.peek: requires `i < size\(items\)`"):
        make().peek(0)


def test_postconditions_catch_a_broken_implementation() -> None:
    broken = variant(put=lambda self, x: self.items.append(x + 1))
    with pytest.raises(icontract.ViolationError, match=r"ensures `items == old\(items\) \+ \[x\]`"):
        make(broken).put(1)
    with pytest.raises(icontract.ViolationError, match="case zero"):
        make(variant(classify=lambda self, x: 1)).classify(0)


def test_the_frame_and_the_invariants_are_postconditions_of_each_method() -> None:
    def classify(self, x):
        self.limit = 0
        return 0
    with pytest.raises(icontract.ViolationError, match=r"modifies `limit == old\(limit\)`"):
        make(variant(classify=classify)).classify(0)
    with pytest.raises(icontract.ViolationError, match=r"invariant `size\(items\) <= limit`"):
        make(items=[1, 2], limit=1).classify(0)
    assert not getattr(to_icontract(binding_of(GoodBox)), "__invariants__", ())


def test_a_normal_return_where_a_throw_was_due_is_a_postcondition_violation() -> None:
    silent = variant(put=lambda self, x: None)
    with pytest.raises(icontract.ViolationError, match="checked requires"):
        make(silent).put(-1)


def test_a_wrong_throw_is_judged_against_the_spec() -> None:
    def eager(self, x):
        raise Full()
    with pytest.raises(ContractViolation, match="threw Full, but the condition is false"):
        make(variant(put=eager)).put(1)


def test_conditions_take_the_names_icontract_expects() -> None:
    put = to_icontract(binding_of(GoodBox)).put
    checker = icontract._checkers.find_checker(put)
    posts = checker.__postconditions__
    names = {tuple(inspect.signature(c.condition).parameters) for c in posts}
    assert ("self", "x", "result", "OLD") in names
    assert all(set(inspect.signature(c.condition).parameters) <= {"self", "x", "result", "OLD"}
               for c in posts)
    # CrossHair learns the expected exceptions from the docstring (found in GoodBox's module)
    assert ":raises InvalidArgument:" in put.__doc__ and ":raises Full:" in put.__doc__
