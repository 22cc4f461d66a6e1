"""Input heuristics of the Hypothesis engine: which values make a stateful run meet the
situations where implementations of data structures usually break.

The broken variants of the bundled library (tests/ebbs/broken) showed four situations that
uniform draws over the types rarely reach within a CI budget:

- **Working on the newest object.** A bug often needs a chain of calls on the same object:
  `make_promise`, `then` on that still pending future, then `set_value` on it; or a run of
  allocations freed newest first, so that a freed block finds its buddy free and they merge.
  Picking among every value seen spreads the calls over all of them, so the state machine
  also offers the values the run touched most recently, newest first (`recent_first`): the
  newest arguments and results of the parameter's type, among the values the requires
  suggest (so the call stays allowed; only for parameters the requires point at).
- **The low corner of a range.** A bounded integer parameter (a block order `0..11`) is also
  drawn from the bottom `SMALL_SPAN` values of its range (`biased`), so consecutive
  calls repeat a value (four `alloc(0)`) or its neighbour (`alloc(1)` after two order-0 blocks
  merged) far more often than one in twelve.
- **The same argument again.** An op's parameter is also offered the value it had at the
  op's previous call (`previous_args` in the state machine): `alloc(0)` four times in a row
  carves four neighbouring pages, which frees then merge (or wrongly merge).

- **The normal path.** Half the steps of an op with `checked requires` or `throws` (a coin
  the state machine draws) redraw the arguments, within the step's few attempts, until the
  op is due to return normally (`Monitor.normal_path`): `set_value` then reaches the pending
  future, with its continuation, rather than one already fulfilled (which only exercises
  PromiseAlreadySatisfied); the other half keep the throwing paths exercised.

Tried and dropped: drawing unbounded integer keys from a smaller range to make hash keys
collide (the default `-16..16` already puts 33 keys in 8 buckets, and the narrower range
caught fewer of the hash-table variants in our measurements), and offering the newest values
to parameters whose `requires` the hints cannot read (a hook just armed is the one `start`
may not take).

Each is an extra source mixed with the uniform ones, never a replacement: the full range and
every value seen are still drawn, and the minimizer still shrinks toward the simplest run.
"""

from __future__ import annotations

from typing import Any, Iterable

from hypothesis import strategies as st

from ..spec._types import IntType, Type

SMALL_SPAN = 4        # the low corner of a bounded range: low..low+3
RECENT = 3            # how many of the newest values are offered first


def recent_first(history: Iterable[Any], allowed: list[Any] | None) -> list[Any]:
    """The newest RECENT values of `history` (oldest first in it), newest first; only those in
    `allowed` when that is given (the values the requires suggest)."""
    permitted = None if allowed is None else set(allowed)
    out: list[Any] = []
    for value in reversed(list(history)):
        if permitted is None or value in permitted:
            out.append(value)
            if len(out) == RECENT:
                break
    return out


def biased(t: Type, base: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`base` (the type's uniform strategy) mixed with its small corner or colliding keys."""
    if not isinstance(t, IntType):
        return base
    if t.low is not None and t.high is not None:
        if t.high - t.low < SMALL_SPAN:
            return base
        return st.one_of(st.integers(t.low, t.low + SMALL_SPAN - 1), base)
    return base


__all__ = ["RECENT", "SMALL_SPAN", "biased", "recent_first"]
