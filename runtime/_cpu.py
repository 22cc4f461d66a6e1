"""The running core's registers: what software on a simulated core reads on every call.

EbbRT maps each core's translation table at the same virtual address, so a call through an
`EbbRef` reads "this core's table" without asking which core it is on. The simulator runs one
core's event at a time, on one host thread, so the same effect is one register object, `CPU`:
when the event manager of a core starts an event it points `CPU.table` at that core's
translation table and `CPU.em` at itself, and restores both when the event ends (events nest
when `spawn_local` runs work inline). Switching cores is two stores, and a call through an
`EbbRef` is one dict lookup in `CPU.table`.

Outside any event `CPU.table` is `OUTSIDE`, an empty table (nothing is ever stored in it):
every call misses and the slow path explains that there is no core. With a call gate set,
events see their core's gated table (`em.gated_table`) instead, whose entries are stand-ins
that route each call through the gate (see _ebbref.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import NotOnCore

if TYPE_CHECKING:
    from ..machine import Core
    from ._events import EventManager

__all__ = ["CPU", "OUTSIDE", "current_core", "current_event_manager", "forget_cached_methods",
           "on_a_core"]

OUTSIDE: dict[int, Any] = {}


class _Registers:
    """`table`: the translation table calls read; `em`: the running core's event manager;
    `cached`: the refs holding bound methods of `table`'s representatives (see _ebbref.py),
    which every switch of `table` must forget (`switch`)."""

    __slots__ = ("table", "em", "cached")

    def __init__(self) -> None:
        self.table: dict[int, Any] = OUTSIDE
        self.em: EventManager | None = None
        self.cached: list[Any] = []

    def switch(self, table: dict[int, Any], em: EventManager | None) -> None:
        """Point the registers at another core's table (or back), forgetting every method a
        ref cached from the table that was live until now."""
        if self.cached:
            forget_cached_methods()
        self.table, self.em = table, em


CPU = _Registers()


def forget_cached_methods() -> None:
    """Drop the bound methods refs cached from the live table: after a table switch, or when
    an entry of the live table is replaced (`cache_ref`)."""
    cached = CPU.cached
    for ref in cached:
        ref.__dict__.clear()
    cached.clear()


def current_event_manager(doing: str = "this") -> EventManager:
    """The running core's event manager; `NotOnCore` (saying what needed it) outside events."""
    em = CPU.em
    if em is None:
        raise NotOnCore(f"{doing} needs a running core, but no core is running; do it inside "
                        "an event (runtime.spawn(work, node=0, core=0)) or, in a test or at the "
                        "prompt, inside `with runtime.on_core(node, core):`")
    return em


def current_core(doing: str = "this") -> Core:
    """The simulated `Core` whose event is running."""
    return current_event_manager(doing).core


def on_a_core() -> bool:
    return CPU.em is not None
