"""CrossHair without side effects on the rest of the process.

Importing CrossHair (`crosshair.core_and_libs`) switches icontract's and deal's own checks off
for the whole interpreter, so that CrossHair alone decides when contracts run. ebbrt imports
CrossHair only to run its engine, and gives the other libraries their checks back afterwards:
the engine imports CrossHair inside `other_checkers_kept`, and lets CrossHair own the checkers
only for the length of each analysis (`crosshair_owns_checkers`), restoring exactly what was
there before (so a user's icontract or deal contracts
keep working after `ebb verify`, and so do the benchmark's).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

_ICONTRACT_CHECKERS = ("_assert_invariant", "_assert_preconditions", "_assert_postconditions")


@contextmanager
def other_checkers_kept() -> Iterator[None]:
    """Restore icontract's checker functions and deal's on/off state when the block ends."""
    saved: dict[str, Any] = {}
    checkers = _icontract_checkers()
    if checkers is not None:
        saved = {name: getattr(checkers, name) for name in _ICONTRACT_CHECKERS}
    deal_state = _deal_state()
    deal_debug = deal_state.debug if deal_state is not None else None
    try:
        yield
    finally:
        if checkers is not None:
            for name, function in saved.items():
                setattr(checkers, name, function)
        if deal_state is not None and deal_debug is not None:
            deal_state.debug = deal_debug


@contextmanager
def crosshair_owns_checkers() -> Iterator[None]:
    """For the length of an analysis, icontract's and deal's checks are off, as CrossHair sets
    them when it is imported (it runs the contracts itself); restored afterwards."""
    with other_checkers_kept():
        checkers = _icontract_checkers()
        if checkers is not None:
            for name in _ICONTRACT_CHECKERS:
                setattr(checkers, name, _skip)
        deal_state = _deal_state()
        if deal_state is not None:
            deal_state.debug = False
        yield


def run_crosshair(*args: Any, **kwargs: Any) -> Any:
    """`_crosshair_engine.run_crosshair`, imported on first use (CrossHair is slow to load)."""
    from ._crosshair_engine import run_crosshair as run
    return run(*args, **kwargs)


def _skip(*args: Any, **kwargs: Any) -> None:
    return None


def _icontract_checkers() -> Any:
    try:
        import icontract._checkers as checkers
    except ImportError:  # pragma: no cover - icontract is a dependency
        return None
    return checkers


def _deal_state() -> Any:
    try:
        from deal._state import state
    except ImportError:  # deal is optional (the benchmark's)
        return None
    return state


__all__ = ["crosshair_owns_checkers", "other_checkers_kept", "run_crosshair"]
