"""Futures and promises (future.ebb, `Futures<T>`), at model level: EbbRT's one-shot
asynchronous values. The Ebb is the node's registry of futures; each `Future` object is the
spec's handle value and holds its own cell (status, value, error, continuation, the core that
fulfilled it, whether the continuation ran).

A continuation never runs inside `set_value` or `then`: it becomes runnable, and the event
`run_continuation(f)` runs it (the spec's event is a step of its own, on the fulfilling core).
`run_ready()` runs every runnable continuation, for Python users without a harness:

    futures = Futures()
    promise = Promise(futures)
    promise.future.then(lambda f: print(f.get()))
    promise.set_value(42)
    futures.run_ready()                # prints 42
"""

from __future__ import annotations

import enum
from typing import Any

from ..verifier import Context, implements
from ..verifier._values import NONE, EnumValue, FrozenMap, RecordValue, Some
from ._errors import FutureFailed, InvalidArgument, PromiseAlreadySatisfied


class Status(enum.Enum):
    """Where a future is in its life (enum Status of future.ebb)."""
    Pending = "Pending"
    Ready = "Ready"
    Failed = "Failed"


_ABSENT = object()  # an unset value, error or continuation (None may be a real value)


def _option(value: Any) -> Any:
    return NONE if value is _ABSENT else Some(value)


class Future:
    """A value that becomes available later, exactly once (the spec's `Future<T>` handle).
    Compared by identity; its state is read through the registry that made it."""

    __slots__ = ("registry", "status", "value", "error", "continuation", "fulfilled_on", "ran",
                 "__weakref__")

    def __init__(self, registry: "Futures") -> None:
        self.registry = registry
        self.status = Status.Pending
        self.value: Any = _ABSENT
        self.error: Any = _ABSENT
        self.continuation: Any = _ABSENT
        self.fulfilled_on: int | None = None
        self.ran = False

    def cell(self) -> RecordValue:
        """The spec's `Cell` of this future."""
        return RecordValue("Cell", (
            ("status", EnumValue("Status", self.status.value)),
            ("value", _option(self.value)),
            ("error", _option(self.error)),
            ("continuation", _option(self.continuation)),
            ("fulfilled_on", NONE if self.fulfilled_on is None else Some(self.fulfilled_on)),
            ("ran", self.ran),
        ))

    # ------------------------------------------------------------------ Python surface
    @property
    def pending(self) -> bool:
        return self.status is Status.Pending

    def then(self, k: Any) -> None:
        """Attach the continuation `k` (called with this future once it is fulfilled)."""
        self.registry.then(self, k)

    def get(self) -> Any:
        """The value; raises FutureFailed if the future failed."""
        return self.registry.get(self)

    def __repr__(self) -> str:
        shown = {Status.Ready: f"={self.value!r}", Status.Failed: f"!{self.error!r}"}
        return f"<Future {self.status.value}{shown.get(self.status, '')} at {id(self):#x}>"


class Promise:
    """The writing end of a future: fulfilled once, with a value or an exception."""

    __slots__ = ("future",)

    def __init__(self, registry: "Futures") -> None:
        self.future: Future = registry.make_promise()

    def set_value(self, v: Any) -> None:
        self.future.registry.set_value(self.future, v)

    def set_exception(self, e: Any) -> None:
        self.future.registry.set_exception(self.future, e)


@implements("future.ebb", "Futures", types={"T": "int"})
class Futures:
    """The node's futures: makes them, fulfils them, attaches and runs continuations."""

    def __init__(self, context: Context | None = None) -> None:
        self.context = context if context is not None else Context()
        self._futures: list[Future] = []  # every future made, in order (the model keeps all)

    def abstraction(self) -> dict[str, object]:
        return {"cells": FrozenMap({f: f.cell() for f in self._futures})}

    def _new(self) -> Future:
        f = Future(self)
        self._futures.append(f)
        return f

    def _fulfil(self, f: Future, status: Status, *, value: Any = _ABSENT,
                error: Any = _ABSENT) -> None:
        if f.status is not Status.Pending:
            raise PromiseAlreadySatisfied(f"{f!r} was already fulfilled")
        f.status, f.value, f.error = status, value, error
        f.fulfilled_on = self.context.this_core

    # ------------------------------------------------------------------ the spec's operations
    def make_promise(self) -> Future:
        return self._new()

    def set_value(self, f: Future, v: Any) -> None:
        self._fulfil(f, Status.Ready, value=v)

    def set_exception(self, f: Future, e: Any) -> None:
        self._fulfil(f, Status.Failed, error=e)

    def make_ready_future(self, v: Any) -> Future:
        f = self._new()
        self._fulfil(f, Status.Ready, value=v)
        return f

    def make_failed_future(self, e: Any) -> Future:
        f = self._new()
        self._fulfil(f, Status.Failed, error=e)
        return f

    def then(self, f: Future, k: Any) -> None:
        if f.continuation is not _ABSENT:  # a caller bug (`requires`), cheap to catch
            raise InvalidArgument(f"{f!r} already has a continuation; a future has one")
        f.continuation = k
        if f.status is not Status.Pending:  # already fulfilled: it runs here, on this core
            f.fulfilled_on = self.context.this_core

    def get(self, f: Future) -> Any:
        if f.status is Status.Pending:  # a caller bug (`requires`): get would block
            raise InvalidArgument(f"{f!r} is pending; attach a continuation with `then`")
        if f.status is Status.Failed:
            raise FutureFailed(f.error)
        return f.value

    def run_continuation(self, f: Future) -> None:
        """The event: run `f`'s continuation (on the core that fulfilled it). A callable
        continuation is called with the future; any other value is only marked as run."""
        f.ran = True
        if callable(f.continuation):
            f.continuation(f)

    # ------------------------------------------------------------------ Python surface
    def runnable(self) -> list[Future]:
        """Futures whose continuation may run now (the event's guard holds), oldest first."""
        return [f for f in self._futures
                if f.status is not Status.Pending and f.continuation is not _ABSENT
                and not f.ran]

    def run_ready(self) -> int:
        """Run runnable continuations (and any they make runnable) until none is left, each
        with `this_core` set to the core it must run on; the number run."""
        count = 0
        while True:
            ready = self.runnable()
            if not ready:
                return count
            for f in ready:
                saved, self.context.this_core = self.context.this_core, f.fulfilled_on
                try:
                    self.run_continuation(f)
                finally:
                    self.context.this_core = saved
                count += 1


__all__ = ["Future", "Futures", "Promise", "Status"]
