"""Futures and promises (ebbs/future.ebb), as the runtime runs them.

A `Promise` is fulfilled once, with a value or an exception; its `Future` gets at most one
continuation, which runs as an event of its own on the core that fulfilled the promise (or, when
`then` is called on a future already fulfilled, on the calling core), never inside `set_value`
or `then`. An event blocks on a future with `await future` (see _blocking.py): its wake-up is
the future's continuation and resumes it on the core where it blocked.

    promise = Promise()
    promise.future.then(lambda f: print(f.get()))    # runs later, as its own event
    promise.set_value(42)                            # on the core running this code

`then` returns a new future of what the continuation returns (a future returned is flattened);
an exception raised by the continuation fails that future. `get()` returns the value, raises
`FutureFailed` (with the carried exception as `.error`) for a failed future, and refuses a
pending one: an event awaits it instead.
"""

from __future__ import annotations

from typing import Any, Callable, Generator, Generic, Iterable, TypeVar

from ._cpu import CPU, current_event_manager
from ._errors import FutureFailed, InvalidArgument, PromiseAlreadySatisfied

__all__ = ["Future", "Promise", "make_failed_future", "make_ready_future", "when_all"]

T = TypeVar("T")
U = TypeVar("U")

PENDING, READY, FAILED = "Pending", "Ready", "Failed"   # the spec's `enum Status`


class Future(Generic[T]):
    """A value of type T that becomes available later, exactly once."""

    __slots__ = ("_status", "_value", "_error", "_continuation", "fulfilled_on")

    def __init__(self) -> None:
        self._status = PENDING
        self._value: Any = None
        self._error: Any = None
        self._continuation: Any = None   # a _Continuation, or a blocked _blocking.Event
        self.fulfilled_on: Any = None    # the EventManager of the core that fulfilled it

    @property
    def status(self) -> str:
        """"Pending", "Ready" or "Failed" (future.ebb's `Status`)."""
        return self._status

    def done(self) -> bool:
        return self._status is not PENDING

    def get(self) -> T:
        """The value; `FutureFailed` if the future failed; `InvalidArgument` while pending."""
        if self._status is READY:
            return self._value
        if self._status is FAILED:
            error = self._error
            raise FutureFailed(error) from (error if isinstance(error, BaseException) else None)
        raise InvalidArgument(f"{self!r} is pending and get() would block: `await` it inside an "
                              "event, or attach a continuation with then()")

    def then(self, continuation: Callable[[Future[T]], U]) -> Future[U]:
        """Run `continuation(self)` once this future is fulfilled, as an event on the
        fulfilling core; returns the future of its result."""
        result: Promise[U] = Promise()
        self._attach(_Continuation(continuation, self, result))
        return result.future

    def __await__(self) -> Generator[Future[T], None, T]:
        if self._status is PENDING:
            yield self               # the event blocks here (_blocking.Event.resume takes it)
        if self._status is READY:    # get(), inline for the common case
            return self._value
        return self.get()

    def _attach(self, continuation: Any) -> None:
        """Give the future its one continuation; run it now if the future is fulfilled."""
        if self._continuation is not None:
            raise InvalidArgument(f"{self!r} already has a continuation and a future has one; "
                                  "chain on the future then() returned instead")
        self._continuation = continuation
        if self._status is not PENDING:
            self.fulfilled_on = current_event_manager("a continuation of a fulfilled future")
            continuation.wake(self.fulfilled_on)

    def _fulfil(self, status: str, value: Any, error: Any) -> None:
        if self._status is not PENDING:
            raise PromiseAlreadySatisfied(f"{self!r} was already fulfilled; a promise is "
                                          "fulfilled at most once")
        em = CPU.em
        continuation = self._continuation
        if continuation is not None and em is None:   # it would have no core to run on
            current_event_manager("fulfilling a future that has a continuation")
        self._status, self._value, self._error = status, value, error
        self.fulfilled_on = em
        if continuation is not None:
            continuation.wake(em)

    def __repr__(self) -> str:
        shown = {READY: f"={self._value!r}", FAILED: f"!{self._error!r}"}.get(self._status, "")
        return f"<Future {self._status}{shown}>"


class Promise(Generic[T]):
    """The writing end of a future."""

    __slots__ = ("future",)

    def __init__(self) -> None:
        self.future: Future[T] = Future()

    def set_value(self, value: T = None) -> None:  # type: ignore[assignment]
        """Fulfil with `value`; a continuation becomes an event on this core."""
        self.future._fulfil(READY, value, None)

    def set_exception(self, error: BaseException) -> None:
        """Fulfil with an exception, which `get` raises (as `FutureFailed`)."""
        self.future._fulfil(FAILED, None, error)

    def __repr__(self) -> str:
        return f"<Promise of {self.future!r}>"


class _Continuation:
    """A `then` callback waiting on `future`; it fulfils `result` with what it returns."""

    __slots__ = ("fn", "future", "result")

    def __init__(self, fn: Callable[[Future[Any]], Any] | None, future: Future[Any],
                 result: Promise[Any]) -> None:
        self.fn, self.future, self.result = fn, future, result

    def wake(self, em: Any) -> None:
        em._post(self.run)   # spawn_local(self.run, force_async=True): its own event, here

    def run(self) -> None:
        source, result = self.future, self.result
        if self.fn is None:              # forwarding a future a continuation returned
            if source._status is FAILED:
                result.set_exception(source._error)
            else:
                result.set_value(source._value)
            return
        try:
            value = self.fn(source)
        except FutureFailed as failed:   # f.get() of a failed future: pass the cause on as is
            result.set_exception(failed.error)
            return
        except Exception as error:       # noqa: BLE001 - it fails the future `then` returned
            result.set_exception(error)
            return
        if isinstance(value, Future):
            value._attach(_Continuation(None, value, result))
        else:
            result.set_value(value)


def make_ready_future(value: T = None) -> Future[T]:  # type: ignore[assignment]
    """A future already fulfilled with `value`."""
    future: Future[T] = Future()
    future._status, future._value, future.fulfilled_on = READY, value, CPU.em
    return future


def make_failed_future(error: BaseException) -> Future[Any]:
    """A future already failed with `error`."""
    future: Future[Any] = Future()
    future._status, future._error, future.fulfilled_on = FAILED, error, CPU.em
    return future


def when_all(futures: Iterable[Future[T]]) -> Future[list[T]]:
    """A future of every value, in order, once all are fulfilled; it fails with the first
    failure seen (EbbRT's `when_all`). Each arrival is a continuation, so it runs on the core
    that fulfilled that future."""
    futures = list(futures)
    if not futures:
        return make_ready_future([])
    promise: Promise[list[T]] = Promise()
    values: list[Any] = [None] * len(futures)
    remaining = [len(futures)]

    def arrived(index: int) -> Callable[[Future[T]], None]:
        def store(future: Future[T]) -> None:
            if promise.future.done():            # an earlier future failed
                return
            if future._status is FAILED:
                promise.set_exception(future._error)
                return
            values[index] = future._value
            remaining[0] -= 1
            if remaining[0] == 0:
                promise.set_value(values)
        return store

    for index, future in enumerate(futures):
        future.then(arrived(index))
    return promise.future
