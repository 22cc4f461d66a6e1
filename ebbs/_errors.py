"""The exceptions the bundled Ebbs raise, named as their specs name them.

A spec exception `E` is matched by name (the raised class or a class in its MRO is named `E`),
so each class here carries the spec's name exactly, under the project's root `EbbrtError` and
the closest builtin, so `except KeyError` and friends keep working for Python users.
"""

from __future__ import annotations

from ..errors import EbbrtError


class OutOfRange(EbbrtError, KeyError):
    """No element has the given key (unordered_map.ebb, `at`; std::out_of_range)."""

    def __str__(self) -> str:  # KeyError would print the repr of its argument
        return str(self.args[0]) if self.args else "key not found"


class OutOfMemory(MemoryError, EbbrtError):  # this base order: CrossHair can build it
    """No free block of the requested size (page_allocator.ebb, slab_allocator.ebb)."""


class InvalidArgument(EbbrtError, ValueError):
    """An argument a `requires` clause rules out, detected by a cheap check (a double free)."""


class PromiseAlreadySatisfied(EbbrtError, RuntimeError):
    """The promise was already fulfilled (future.ebb, `set_value`, `set_exception`)."""


class FutureFailed(EbbrtError, RuntimeError):
    """The future holds an exception, which `get` rethrows; the carried error is `.error`."""

    def __init__(self, error: object) -> None:
        super().__init__(f"the future failed with {error!r}")
        self.error = error


__all__ = ["FutureFailed", "InvalidArgument", "OutOfMemory", "OutOfRange",
           "PromiseAlreadySatisfied"]
