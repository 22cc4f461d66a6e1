"""Trace: line format, limit, tail, text and digest."""

from __future__ import annotations

import hashlib

import pytest

from ebbrt.machine import Trace


def test_lines_text_and_digest() -> None:
    trace = Trace()
    trace.record(0, "node0", "boot", "")
    trace.record(1500, "node0.core1", "irq", "vector=32")
    assert trace.lines == ["0 node0 boot", "1500 node0.core1 irq vector=32"]
    assert trace.text() == "0 node0 boot\n1500 node0.core1 irq vector=32\n"
    assert trace.digest() == hashlib.sha256(trace.text().encode()).hexdigest()
    assert len(trace) == trace.count == 2


def test_limit_keeps_the_last_lines_but_digests_all() -> None:
    full, short = Trace(), Trace(limit=2)
    for t in range(5):
        full.record(t, "s", "k", str(t))
        short.record(t, "s", "k", str(t))
    assert short.lines == ["3 s k 3", "4 s k 4"] and short.count == 5
    assert short.digest() == full.digest()
    assert full.tail(2) == short.lines and full.tail(0) == [] and full.tail(99) == full.lines


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Trace(limit=0)
