"""benchmarks/bench_ebbref.py and bench_events.py: their self-checks hold, catch a dishonest
comparison, and a tiny run prints every row and ratio. No timing is asserted."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
RATIO = r"\d+\.\d\dx"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ebbref():
    yield load("bench_ebbref")
    sys.modules.pop("bench_ebbref", None)


@pytest.fixture(scope="module")
def events():
    yield load("bench_events")
    sys.modules.pop("bench_events", None)


def test_ebbref_self_check_passes(ebbref):
    assert ebbref.self_check() == []


def test_ebbref_self_check_catches_a_variant_that_computes_something_else(ebbref, monkeypatch):
    wrong = ebbref.Variant("off by one", "rep.{m}(k) + 1")
    monkeypatch.setattr(ebbref, "VARIANTS", (*ebbref.VARIANTS, wrong))
    problems = ebbref.self_check()
    assert len(problems) == 2 and all("the variants disagree" in p for p in problems)


def test_ebbref_tiny_run_prints_every_row_and_the_goal(ebbref, capsys):
    assert ebbref.main(["--number", "1", "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    cell = rf"\s+[\d,.]+\s+\([\d,.]+\)\s+{RATIO}"
    for v in ebbref.VARIANTS:
        assert re.search(rf"^{re.escape(v.label)}{cell * 2}$", out, re.M), v.label
    assert re.search(rf"^EbbRef / direct\s+<= 1.5x(\s+{RATIO} (met|missed)){{2}}$", out, re.M)


def test_events_self_check_passes_and_catches_missing_work(events, monkeypatch):
    assert events.self_check(50) == []
    lazy = dict(events.WORKLOADS["timeouts"])
    lazy[events.SIMPY] = lambda count: events.simpy_timeouts(count - 1)
    monkeypatch.setitem(events.WORKLOADS, "timeouts", lazy)
    problems = events.self_check(50)
    assert problems[0] == "SimPy timeout: did 49 timeouts, not 50"
    assert "before 50 waits" in problems[1]


def test_events_tiny_run_prints_every_row_and_ratio(events, capsys):
    assert events.main(["--count", "20", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    for runs in events.WORKLOADS.values():
        for label in runs:
            assert re.search(rf"^\w+\s+{re.escape(label)}\s+[\d,]+\s+[\d,]+", out, re.M), label
    assert re.search(rf"^ebbrt / SimPy\s+>= 1x\s+{RATIO} (met|missed)$", out, re.M)
    assert re.search(rf"^Simulator / SimPy\s+>= 1x\s+{RATIO} (met|missed)$", out, re.M)
    assert re.search(rf"^ebbrt / asyncio\s+-\s+{RATIO}$", out, re.M)
