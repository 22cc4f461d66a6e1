"""Implementations for the Hypothesis engine's tests: correct ones and broken variants.

Module-level classes, so that the replay scripts the engine prints can import them."""

from __future__ import annotations

from pathlib import Path

from ebbrt.ebbs import library_dir
from ebbrt.verifier import Context, implements

DATA = Path(__file__).parent / "data"


class Empty(Exception):
    pass


class Missing(KeyError):
    pass


@implements(str(DATA / "hyp_bag.ebb"), "Bag")
class Bag:
    """Correct: a sorted list without duplicates."""

    def __init__(self) -> None:
        self.items: list[int] = []
        self.count = 0

    def abstraction(self) -> dict[str, object]:
        return {"elems": frozenset(self.items), "inserts": self.count}

    def insert(self, x: int) -> bool:
        if x in self.items:
            return False
        self.items.append(x)
        self.items.sort()
        self.count += 1
        return True

    def erase(self, x: int) -> None:
        self.items.remove(x)

    def take_min(self) -> int:
        if not self.items:
            raise Empty("the bag is empty")
        return self.items.pop(0)

    def check(self, x: int) -> int:
        if x not in self.items:
            raise Missing(x)
        return x

    def size(self) -> int:
        return len(self.items)


class EraseKeepsElement(Bag):
    """Broken: erase forgets to remove anything (an `ensures`)."""

    def erase(self, x: int) -> None:
        pass


class DuplicateCounts(Bag):
    """Broken: a duplicate insert still counts (the `duplicate` case arm)."""

    def insert(self, x: int) -> bool:
        if x in self.items:
            self.count += 1
            return False
        return super().insert(x)


class TakeMinWrongException(Bag):
    """Broken: an empty bag raises IndexError instead of Empty (a `throws`)."""

    def take_min(self) -> int:
        return self.items.pop(0)


class CheckNeverRaises(Bag):
    """Broken: check returns instead of raising Missing (a `checked requires`)."""

    def check(self, x: int) -> int:
        return x


class SizeOffByOne(Bag):
    """Broken: size counts one too many once the bag has three elements (a `returns`)."""

    def size(self) -> int:
        return len(self.items) + (1 if len(self.items) >= 3 else 0)


class CheckChangesState(Bag):
    """Broken: check (which modifies nothing) drops the element (the frame)."""

    def check(self, x: int) -> int:
        value = super().check(x)
        self.items.remove(x)
        return value


@implements(str(library_dir() / "timer.ebb"), "Timer")
class Timer:
    """Correct, at the model level: armed hooks with due time, period and core."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.armed: dict[object, tuple[int, int, int]] = {}

    def abstraction(self) -> dict[str, object]:
        from ebbrt.verifier._values import RecordValue
        return {"armed": {h: RecordValue("Arm", (("due", d), ("period", p), ("core", c)))
                          for h, (d, p, c) in self.armed.items()}}

    def start(self, hook: object, timeout: int, repeat: bool) -> None:
        ctx = self.context
        self.armed[hook] = (ctx.now + timeout, timeout if repeat else 0, ctx.this_core)

    def stop(self, hook: object) -> None:
        del self.armed[hook]

    def is_armed(self, hook: object) -> bool:
        return hook in self.armed

    def fire(self, hook: object) -> None:
        due, period, core = self.armed[hook]
        if period:
            self.armed[hook] = (self.context.now + period, period, core)
        else:
            del self.armed[hook]


class TimerRepeatStops(Timer):
    """Broken: a repeating hook is not re-armed when it fires (an event's `ensures`)."""

    def fire(self, hook: object) -> None:
        del self.armed[hook]


class TimerWrongCore(Timer):
    """Broken: the hook is recorded on core 0 whatever core starts it."""

    def start(self, hook: object, timeout: int, repeat: bool) -> None:
        super().start(hook, timeout, repeat)
        due, period, _ = self.armed[hook]
        self.armed[hook] = (due, period, 0)


@implements(str(DATA / "hyp_counter.ebb"), "Counter")
class Counter:
    """Correct."""

    def __init__(self) -> None:
        self.n = 0

    def abstraction(self) -> dict[str, object]:
        return {"n": self.n}

    def add(self, k: int) -> None:
        self.n += k

    def get(self) -> int:
        return self.n


class CounterCapsAdd(Counter):
    """Broken: adds at most 5 (an `ensures`, only for some arguments)."""

    def add(self, k: int) -> None:
        self.n += min(k, 5)


class CounterStartsAtOne(Counter):
    """Broken: starts at 1 (the model's initial value)."""

    def __init__(self) -> None:
        super().__init__()
        self.n = 1


@implements(str(DATA / "hyp_misc.ebb"), "Picky")
class Picky:
    def __init__(self) -> None:
        self.total = 0

    def abstraction(self) -> dict[str, object]:
        return {"total": self.total}

    def big(self, x: int) -> None:
        self.total += x

    def small(self, x: int) -> None:
        self.total += x


@implements(str(DATA / "hyp_misc.ebb"), "Opaque")
class Opaque:
    def __init__(self) -> None:
        self.last = 0
        self.puts = 0

    def abstraction(self) -> dict[str, object]:
        return {"last": self.last, "puts": self.puts}

    def put(self, x: int) -> None:
        self.last = x * 31 % 7


@implements(str(DATA / "hyp_misc.ebb"), "Clock")
class Clock:
    """Keeps its operation's contract, but its age (read off the clock by the abstraction)
    outgrows the invariant as time passes: broken by time alone, between calls."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.touched = 0

    def abstraction(self) -> dict[str, object]:
        return {"age": self.context.now - self.touched}

    def touch(self) -> None:
        self.touched = self.context.now


class BrokenAbstraction(Bag):
    """Broken: the abstraction forgets a model field."""

    def abstraction(self) -> dict[str, object]:
        return {"elems": frozenset(self.items)}
