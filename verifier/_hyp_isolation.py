"""Hypothesis runs that do not depend on where they run.

Hypothesis (6.13x and later) mines constants from every *local* module it finds loaded (files
under the current folder, not in site-packages) and mixes them into the values it draws. So
the same engine run, with the same seed, draws differently from a development checkout and
from an installed package, and depending on which test modules happen to be loaded. The engine
promises the same verdicts for the same seed anywhere, so it turns that mining off for the
length of its own runs (its heuristics in `_hyp_bias` supply the interesting values instead).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from hypothesis.internal.conjecture import providers


@contextmanager
def no_local_constants() -> Iterator[None]:
    """Within the block, Hypothesis draws no constants mined from local modules."""
    mined = getattr(providers, "_get_local_constants", None)
    if mined is None:  # another Hypothesis version: nothing to turn off
        yield
        return
    empty = providers.Constants()
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = mined


__all__ = ["no_local_constants"]
