"""Tracing: the `Instrument` the simulator reports to, and `Trace`, one text line per record.

An instrument is injected into the `Simulator` (never global). Everything notable in the
machine goes through `Instrument.record(time, source, kind, detail)`; with no instrument set,
nothing is formatted at all, so tracing costs nothing when it is off.

A `Trace` line reads `<time ns> <source> <kind> <detail>`, e.g.

    1500 node0.core1 irq vector=32 timer

Lines never contain host state (addresses, wall-clock time, hash-randomised ordering), so the
same seed gives the same trace byte for byte; compare `text()` or `digest()`.
"""

from __future__ import annotations

import hashlib
from collections import deque
from typing import Protocol, runtime_checkable

__all__ = ["Instrument", "Trace"]


@runtime_checkable
class Instrument(Protocol):
    """Receives one call per notable happening in the simulated machine."""

    def record(self, time: int, source: str, kind: str, detail: str) -> None: ...


class Trace:
    """An `Instrument` that keeps its records as text lines and hashes them.

    `limit` keeps only the last `limit` lines (a flight recorder for "the events that led
    to it"); `digest()` and `count` always cover every record, kept or not.
    """

    def __init__(self, limit: int | None = None) -> None:
        if limit is not None and limit < 1:
            raise ValueError(f"Trace limit must be a positive number of lines or None,"
                             f" got {limit!r}")
        self._lines: deque[str] = deque(maxlen=limit)
        self._hash = hashlib.sha256()
        self.count = 0

    def record(self, time: int, source: str, kind: str, detail: str) -> None:
        line = f"{time} {source} {kind} {detail}" if detail else f"{time} {source} {kind}"
        self._lines.append(line)
        self._hash.update(line.encode("utf-8") + b"\n")
        self.count += 1

    @property
    def lines(self) -> list[str]:
        """The kept lines, oldest first."""
        return list(self._lines)

    def tail(self, n: int) -> list[str]:
        """The last `n` kept lines, oldest first."""
        if n <= 0:
            return []
        kept = len(self._lines)
        return [self._lines[i] for i in range(max(0, kept - n), kept)]

    def text(self) -> str:
        """The kept lines, each ending in a newline."""
        return "".join(line + "\n" for line in self._lines)

    def digest(self) -> str:
        """SHA-256 (hex) of every record's line, kept or not: equal digests, equal traces."""
        return self._hash.hexdigest()

    def __len__(self) -> int:
        return len(self._lines)
