"""Deliberately broken variants of the bundled implementations (issue 4, point 8).

Each variant is a subclass of a good implementation with one realistic bug, bound to the same
spec (a subclass inherits the `@implements` binding). `VARIANTS` lists them with the kind of
bug, the clause it should break, and a short hand-written operation sequence (data: `Step`s,
with `Ref(i)` for the result of step i) on a default-constructed instance that exposes it; the
oracle in `broken.oracle` judges such a sequence with the reference evaluator.

Bug kinds: off_by_one, wrong_frame, missing_case, stale_state (after a resize, merge or
re-arm), wrong_exception, lost_update (a state change forgotten), wrong_core (the right effect
recorded for the wrong core), wrong_result.
"""

from __future__ import annotations

from importlib import import_module

from .oracle import Ref, Step
from .variant import BUG_KINDS, BrokenVariant


_MODULES = ("unordered_set_variants", "unordered_map_variants", "future_variants",
            "timer_variants", "page_allocator_variants", "slab_allocator_variants")


def _collect() -> list[BrokenVariant]:
    return [v for name in _MODULES for v in import_module(f"{__name__}.{name}").VARIANTS]


VARIANTS: list[BrokenVariant] = _collect()

__all__ = ["BUG_KINDS", "BrokenVariant", "Ref", "Step", "VARIANTS"]
