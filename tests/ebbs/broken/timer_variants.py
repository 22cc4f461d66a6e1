"""Broken Timer variants (timer.ebb)."""

from __future__ import annotations

from typing import Any

from ebbrt.ebbs import Timer
from ebbrt.verifier._values import Handle

from .oracle import Step
from .variant import BrokenVariant


class TimerFiresOneEarly(Timer):
    """Off by one: start arms the hook one nanosecond early (`due = now + timeout - 1`).
    Breaks start's `ensures armed == old(armed)[hook := Arm{due: now + timeout, ...}]`."""

    def start(self, hook: Any, timeout: int, repeat: bool) -> None:
        self._push(hook, self.context.now + timeout - 1, timeout if repeat else 0,
                   self.context.this_core)


class TimerStopRemovesSameDue(Timer):
    """Wrong frame: stop removes every hook due at the same time as `hook` (it deletes heap
    entries by due time). Breaks stop's `ensures armed == old(armed) - {hook}`."""

    def stop(self, hook: Any) -> None:
        due = self._armed[hook].due
        for other in [h for h, e in self._armed.items() if e.due == due]:
            self._drop(other)


class TimerRepeatIgnored(Timer):
    """Missing case: fire treats every hook as one-shot, so repeating hooks are dropped.
    Breaks fire's `ensures old(armed)[hook].period > 0us ==> armed == ...[hook := Arm{...}]`."""

    def fire(self, hook: Any) -> None:
        self._drop(hook)


class TimerRearmKeepsStaleDue(Timer):
    """Stale state after re-arm: fire pushes the new heap entry but leaves the index pointing
    at the old one, so the hook's recorded due time stays the old one. Breaks fire's
    `ensures ... due: now + old(armed)[hook].period ...`."""

    def fire(self, hook: Any) -> None:
        entry = self._armed[hook]
        if entry.period > 0:
            self._push(hook, self.context.now + entry.period, entry.period, entry.core)
            self._armed[hook] = entry  # the bug: the index keeps the fired entry
        else:
            self._drop(hook)


class TimerArmsOnBootCore(Timer):
    """Wrong core: start records core 0 instead of the calling core, so the hook would fire
    on the boot core. Breaks start's `ensures ... core: this_core ...`."""

    def start(self, hook: Any, timeout: int, repeat: bool) -> None:
        self._push(hook, self.context.now + timeout, timeout if repeat else 0, 0)


class TimerOneShotKeepsPeriod(Timer):
    """Missing case: start ignores `repeat` and always records the timeout as the period, so
    a one-shot hook would repeat. Breaks start's `ensures ... period: repeat ? timeout : 0us`."""

    def start(self, hook: Any, timeout: int, repeat: bool) -> None:
        self._push(hook, self.context.now + timeout, timeout, self.context.this_core)


class TimerIsArmedRaises(Timer):
    """Wrong exception: is_armed looks the hook up directly, raising KeyError for a hook never
    armed instead of returning false. Breaks "no throws condition holds, so it must not
    throw" (and `returns hook in armed`)."""

    def is_armed(self, hook: Any) -> bool:
        return self._armed[hook].live


_H = [Handle("Hook", i) for i in range(2)]

VARIANTS = [
    BrokenVariant("TimerFiresOneEarly", Timer, TimerFiresOneEarly, "off_by_one",
                  "ensures: due: now + timeout", (Step("start", (_H[0], 5, False)),)),
    BrokenVariant("TimerStopRemovesSameDue", Timer, TimerStopRemovesSameDue, "wrong_frame",
                  "ensures: armed == old(armed) - {hook}",
                  (Step("start", (_H[0], 5, False)), Step("start", (_H[1], 5, True)),
                   Step("stop", (_H[0],)))),
    BrokenVariant("TimerRepeatIgnored", Timer, TimerRepeatIgnored, "missing_case",
                  "ensures: old(armed)[hook].period > 0us",
                  (Step("start", (_H[0], 5, True)), Step("fire", (_H[0],), now=5))),
    BrokenVariant("TimerRearmKeepsStaleDue", Timer, TimerRearmKeepsStaleDue, "stale_state",
                  "ensures: due: now + old(armed)[hook].period",
                  (Step("start", (_H[0], 5, True)), Step("fire", (_H[0],), now=5))),
    BrokenVariant("TimerArmsOnBootCore", Timer, TimerArmsOnBootCore, "wrong_core",
                  "ensures: core: this_core", (Step("start", (_H[0], 5, False), core=1),),
                  ncores=2),
    BrokenVariant("TimerOneShotKeepsPeriod", Timer, TimerOneShotKeepsPeriod, "missing_case",
                  "ensures: period: repeat ? timeout : 0us",
                  (Step("start", (_H[0], 5, False)),)),
    BrokenVariant("TimerIsArmedRaises", Timer, TimerIsArmedRaises, "wrong_exception",
                  "throws: no throws condition holds", (Step("is_armed", (_H[0],)),)),
]
