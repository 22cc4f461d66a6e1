"""Implementations for the CrossHair engine's tests (specs in data/xh_*.ebb): correct ones,
broken variants, and hand-written icontract forms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import icontract

from ebbrt.verifier import implements

DATA = Path(__file__).parent / "data"


class Underflow(Exception):
    pass


@implements(str(DATA / "xh_counter.ebb"), "Counter")
class Counter:
    """Correct."""

    def __init__(self) -> None:
        self.count = 0

    def abstraction(self) -> dict[str, object]:
        return {"count": self.count}

    def add(self, n: int) -> None:
        self.count += n

    def take(self, n: int) -> None:
        if n > self.count:  # a message formatting n would make CrossHair try each value
            raise Underflow("cannot take more than the count")
        self.count -= n

    def get(self) -> int:
        return self.count


class AddsTwiceOnThree(Counter):
    """Broken: add(3) adds 6 (breaks add's ensures, and the invariant when near the top)."""

    def add(self, n: int) -> None:
        self.count += 2 * n if n == 3 else n


class AddsOneTooMany(Counter):
    """Broken on every input: add(n) adds n + 1."""

    def add(self, n: int) -> None:
        self.count += n + 1


class TakesWithoutCheck(Counter):
    """Broken: take never raises Underflow, so the count goes below zero."""

    def take(self, n: int) -> None:
        self.count -= n


class GetCrashesAtThree(Counter):
    """Broken: get raises KeyError when the count is 3 (an exception the spec does not name)."""

    def get(self) -> int:
        if self.count == 3:
            raise KeyError(self.count)
        return self.count


class AddsTooMuchNearTheTop(Counter):
    """Broken: add(n) at a count of 4 or more adds n + 5, past ten: it keeps its own ensures
    `count >= old count + n` (in `TrapForm`) but breaks the invariant `count <= 10`."""

    def add(self, n: int) -> None:
        self.count += n + 5 if self.count >= 4 else n


@icontract.invariant(lambda self: self.count <= 10, "Counter.invariant.bounded")
class TrapForm(AddsTooMuchNearTheTop):
    """A hand-written icontract form whose class invariant `add` breaks while keeping its own
    pre- and postcondition: CrossHair's class analysis reports that "Confirmed over all paths";
    the engine folds the invariant into every method's postcondition and refutes it."""

    @icontract.require(lambda self, n: self.count + n <= 10)
    @icontract.snapshot(lambda self: self.count, name="count")
    @icontract.ensure(lambda self, n, OLD: self.count >= OLD.count + n, "Counter.add.ensures.1")
    def add(self, n: int) -> None:
        AddsTooMuchNearTheTop.add(self, n)

    @icontract.ensure(lambda self, result: result == self.count, "Counter.get.returns.1")
    def get(self) -> int:
        return AddsTooMuchNearTheTop.get(self)


class CounterForm(Counter):
    """A hand-written icontract form of the correct Counter, with its contracts: the engine
    judges take's `throws` itself (icontract cannot say when an exception is due)."""

    @icontract.require(lambda self, n: self.count + n <= 10)
    @icontract.snapshot(lambda self: self.count, name="count")
    @icontract.ensure(lambda self, n, OLD: self.count == OLD.count + n, "Counter.add.ensures.1")
    @icontract.ensure(lambda self: self.count <= 10, "Counter.invariant.bounded")
    def add(self, n: int) -> None:
        Counter.add(self, n)

    @icontract.snapshot(lambda self: self.count, name="count")
    @icontract.ensure(lambda self, n, OLD: self.count == OLD.count - n, "Counter.take.ensures.1")
    def take(self, n: int) -> None:
        Counter.take(self, n)


class TakesWithoutCheckForm(TakesWithoutCheck, CounterForm):
    """The hand-written form over the variant whose take never raises."""

    @icontract.snapshot(lambda self: self.count, name="count")
    @icontract.ensure(lambda self, n, OLD: self.count == OLD.count - n, "Counter.take.ensures.1")
    def take(self, n: int) -> None:
        TakesWithoutCheck.take(self, n)


class Ticket:
    """A handle the desk makes: compared by identity, as an implementation's own objects are."""

    def __repr__(self) -> str:
        return "Ticket()"


@implements(str(DATA / "xh_tickets.ebb"), "Desk")
class Desk:
    """Correct."""

    def __init__(self) -> None:
        self.tickets: list[Ticket] = []

    def abstraction(self) -> dict[str, object]:
        return {"open": frozenset(self.tickets)}

    def issue(self) -> Ticket:
        ticket = Ticket()
        self.tickets.append(ticket)
        return ticket

    def close(self, t: Any) -> None:
        self.tickets.remove(t)

    def close_all(self, ts: Any) -> None:
        for t in ts:
            self.tickets.remove(t)


class ClosesTheFirst(Desk):
    """Broken: close removes the oldest ticket, whichever was given."""

    def close(self, t: Any) -> None:
        self.tickets.pop(0)
