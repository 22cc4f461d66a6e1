"""The one way an event blocks: `await` a `Future`.

An event whose work is a coroutine (`async def`) runs until it finishes or awaits a pending
future. Awaiting hands the future to `Event.resume`, which parks the event: the event becomes
the future's continuation (EbbRT's `SaveContext`). Whoever fulfils the future wakes it
(`ActivateContext`): the event resumes on the core where it blocked, as a new event there,
queued locally when the fulfilling core is that core and sent by remote spawn (an IPI) when it
is another core of the node. Nodes share no memory, so waking an event on another node is a
`NodeBoundary` error: send it a message instead.

Everything else that waits is built on this: `sleep(ns)` is a future fulfilled by a timer hook,
`when_all` a future fulfilled by the last of several.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Coroutine

from ._errors import NodeBoundary
from ._futures import READY, Future, Promise
from ._timer import TIMER

if TYPE_CHECKING:
    from ._events import EventManager

__all__ = ["Event", "sleep", "start_event"]


class Event:
    """A coroutine running as an event on `em`'s core; while blocked, its saved context."""

    __slots__ = ("coro", "em", "name")

    def __init__(self, coro: Coroutine[Any, Any, Any], em: EventManager, name: str) -> None:
        self.coro, self.em, self.name = coro, em, name

    def resume(self) -> None:
        """Run until the coroutine finishes or awaits a pending future, then park it on that
        future (its continuation is this event). The first run and every resume after a
        future was fulfilled (each an event of its own) come here.

        An exception the coroutine does not catch propagates out of the event, and out of
        the simulator's run, as an unhandled exception aborts EbbRT."""
        try:
            awaited = self.coro.send(None)
        except StopIteration:
            return
        if type(awaited) is not Future:
            self.coro.close()
            raise TypeError(f"{self.name} awaited {awaited!r}; an Ebb event can only await an "
                            "ebbrt.runtime Future (or a coroutine that does), not another "
                            "library's awaitable")
        awaited._attach(self)

    def wake(self, fulfilled_on: EventManager) -> None:
        """The awaited future was fulfilled on `fulfilled_on`'s core: resume where we blocked."""
        home = self.em
        if fulfilled_on is home:
            home._post(self.resume)        # spawn_local(self.resume, force_async=True)
        elif fulfilled_on.node_rt is home.node_rt:
            fulfilled_on.spawn_remote(self.resume, home.index)
        else:
            raise NodeBoundary(f"a future awaited by {self.name} on {home.core.name} was "
                               f"fulfilled on {fulfilled_on.core.name}; nodes share no memory: "
                               "send the result to that node in a message")

    def __repr__(self) -> str:
        return f"<Event {self.name}>"


def start_event(coro: Coroutine[Any, Any, Any], em: EventManager) -> None:
    """Run `coro` as an event on `em`'s core (which is running) until it finishes or blocks."""
    Event(coro, em, em.next_event_name()).resume()


class _Wakeup(Promise[None]):
    """The promise of a `sleep`, and the timer hook that fulfils it when it fires."""

    __slots__ = ()

    def fire(self) -> None:
        self.future._fulfil(READY, None, None)

    def __repr__(self) -> str:
        return "<sleep wake-up>"


def sleep(duration: int) -> Future[None]:
    """A future fulfilled `duration` ns from now, on this core (via the Timer Ebb):
    `await sleep(10_000)` blocks the running event for 10 us of simulated time."""
    wakeup = _Wakeup()
    TIMER.start(wakeup, duration, False)
    return wakeup.future
