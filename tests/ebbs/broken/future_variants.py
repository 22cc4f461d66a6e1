"""Broken Futures variants (future.ebb)."""

from __future__ import annotations

from typing import Any

from ebbrt.ebbs import Future, Futures, Status
from ebbrt.ebbs.future import _ABSENT
from ebbrt.verifier._values import Handle

from .oracle import Ref, Step
from .variant import BrokenVariant


class FutureSetValueTwice(Futures):
    """Missing case: set_value on a fulfilled future overwrites it instead of raising.
    Breaks `checked requires cells[f].status == Status.Pending throws PromiseAlreadySatisfied`."""

    def set_value(self, f: Future, v: Any) -> None:
        f.status, f.value, f.error = Status.Ready, v, _ABSENT
        f.fulfilled_on = self.context.this_core


class FutureSetExceptionRaisesRuntimeError(Futures):
    """Wrong exception: set_exception on a fulfilled future raises a bare RuntimeError, not
    PromiseAlreadySatisfied. Breaks set_exception's `checked requires cells[f].status ==
    Status.Pending throws PromiseAlreadySatisfied`."""

    def set_exception(self, f: Future, e: Any) -> None:
        if f.status is not Status.Pending:
            raise RuntimeError("promise already set")
        super().set_exception(f, e)


class FutureGetOfFailedReturnsNone(Futures):
    """Missing case: get() of a failed future returns its (absent) value instead of raising.
    Breaks `throws FutureFailed when cells[f].status == Status.Failed`."""

    def get(self, f: Future) -> Any:
        return None if f.value is _ABSENT else f.value


class FutureThenKeepsFulfillingCore(Futures):
    """Wrong core: then() on an already fulfilled future keeps the fulfilling core, so the
    continuation would run there instead of on the core calling then(). Breaks then's second
    `ensures ... fulfilled_on: some(this_core) ...`."""

    def then(self, f: Future, k: Any) -> None:
        f.continuation = k


class FutureRunForgetsRan(Futures):
    """Lost update: run_continuation runs the continuation but does not record that it ran, so
    it could run again. Breaks run_continuation's `ensures ... ran: true`."""

    def run_continuation(self, f: Future) -> None:
        if callable(f.continuation):
            f.continuation(f)


class FutureSetValueDropsContinuation(Futures):
    """Wrong frame: set_value clears the attached continuation (as if it ran inline), losing
    it. Breaks set_value's `ensures ... continuation: old(cells)[f].continuation ...`."""

    def set_value(self, f: Future, v: Any) -> None:
        super().set_value(f, v)
        f.continuation = _ABSENT


class FutureReadyOnBootCore(Futures):
    """Wrong core: make_ready_future records core 0 (the boot core) as the fulfilling core
    whatever core it runs on. Breaks `ensures ... fulfilled_on: some(this_core) ...`."""

    def make_ready_future(self, v: Any) -> Future:
        f = super().make_ready_future(v)
        f.fulfilled_on = 0
        return f


class FutureMakePromiseReusesLast(Futures):
    """Stale state: make_promise hands out the most recent future again when it is still
    pending (a free-list of cells never cleared), so two promises share one future. Breaks
    make_promise's `ensures f !in old(cells) && ...`."""

    def make_promise(self) -> Future:
        if self._futures and self._futures[-1].status is Status.Pending:
            return self._futures[-1]
        return super().make_promise()


_K = Handle("Continuation", 0)
_E = Handle("Error", 0)

VARIANTS = [
    BrokenVariant("FutureSetValueTwice", Futures, FutureSetValueTwice, "missing_case",
                  "checked requires: cells[f].status == Status.Pending",
                  (Step("make_promise"), Step("set_value", (Ref(0), 1)),
                   Step("set_value", (Ref(0), 2)))),
    BrokenVariant("FutureSetExceptionRaisesRuntimeError", Futures,
                  FutureSetExceptionRaisesRuntimeError, "wrong_exception",
                  "throws: throws PromiseAlreadySatisfied",
                  (Step("make_promise"), Step("set_value", (Ref(0), 1)),
                   Step("set_exception", (Ref(0), _E)))),
    BrokenVariant("FutureGetOfFailedReturnsNone", Futures, FutureGetOfFailedReturnsNone,
                  "missing_case", "throws: FutureFailed when",
                  (Step("make_failed_future", (_E,)), Step("get", (Ref(0),)))),
    BrokenVariant("FutureThenKeepsFulfillingCore", Futures, FutureThenKeepsFulfillingCore,
                  "wrong_core", "ensures: old(cells)[f].status != Status.Pending ==>",
                  (Step("make_ready_future", (7,), core=0), Step("then", (Ref(0), _K), core=1)),
                  ncores=2),
    BrokenVariant("FutureRunForgetsRan", Futures, FutureRunForgetsRan, "lost_update",
                  "ensures: ran: true",
                  (Step("make_ready_future", (7,)), Step("then", (Ref(0), _K)),
                   Step("run_continuation", (Ref(0),)))),
    BrokenVariant("FutureSetValueDropsContinuation", Futures, FutureSetValueDropsContinuation,
                  "wrong_frame", "ensures: continuation: old(cells)[f].continuation",
                  (Step("make_promise"), Step("then", (Ref(0), _K)),
                   Step("set_value", (Ref(0), 3)))),
    BrokenVariant("FutureReadyOnBootCore", Futures, FutureReadyOnBootCore, "wrong_core",
                  "ensures: fulfilled_on: some(this_core)",
                  (Step("make_ready_future", (7,), core=1),), ncores=2),
    BrokenVariant("FutureMakePromiseReusesLast", Futures, FutureMakePromiseReusesLast,
                  "stale_state", "ensures: f !in old(cells)",
                  (Step("make_promise"), Step("make_promise"))),
]
