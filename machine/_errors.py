"""The simulated machine's exceptions, under the project's root `EbbrtError`.

Each also subclasses the closest builtin, so `except ValueError` around a bad delay or
`except IndexError` around a bad physical address keeps working.
"""

from __future__ import annotations

from ebbrt.errors import EbbrtError


class MachineError(EbbrtError):
    """Root of every error the simulated machine raises on purpose."""


class SchedulingError(MachineError, ValueError):
    """An event asked for a time that is not `now` or later (time never goes backwards)."""


class SimulatorBusy(MachineError, RuntimeError):
    """`step`/`run*` was called from inside an event: the loop is not re-entrant."""


class NodeDown(MachineError, RuntimeError):
    """Work was given to a node that has crashed and not been restarted."""


class MemoryBoundsError(MachineError, IndexError):
    """A physical access fell (partly) outside the node's memory."""


class PageFault(MachineError, LookupError):
    """A virtual address had no usable mapping and the fault handler did not supply one."""

    def __init__(self, message: str, *, vaddr: int, write: bool) -> None:
        super().__init__(message)
        self.vaddr = vaddr
        self.write = write
