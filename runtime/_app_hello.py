"""`ebb run hello`: every core of every node says hello.

Core 0 of each node spawns a greeting on every core of its node (itself included) with
`spawn_remote`, so each greeting arrives by an inter-processor interrupt and runs as an event
there; it prints where and when it runs."""

from __future__ import annotations

from functools import partial

from ._apps import App, AppRun
from ._clock import CLOCK
from ._cpu import current_core
from ._events import spawn_remote
from ._observations import format_us

__all__ = ["APP", "Hello"]


class Hello(App):
    name = "hello"
    description = "every core of every node says hello, spawned remotely from its core 0"

    def __init__(self) -> None:
        self.greetings = 0
        self.cores = 0

    def start(self, run: AppRun) -> None:
        self.run = run
        self.cores = run.nodes * run.cores
        for node in range(run.nodes):
            run.runtime.spawn(self._greet_everyone, node=node, core=0)

    def _greet_everyone(self) -> None:
        for core in range(self.run.cores):
            spawn_remote(partial(self._hello, current_core().node.id), core)

    def _hello(self, spawned_on: int) -> None:
        core = current_core()
        self.greetings += 1
        self.run.say(f"hello from {core.name} at {format_us(CLOCK.now())} "
                     f"(spawned by node{spawned_on}.core0)")

    def summary(self) -> list[str]:
        return [f"greetings        {self.greetings} of {self.cores} cores"]


APP = Hello
