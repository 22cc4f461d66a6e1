"""benchmarks/bench_contracts.py: its self-check holds (every variant computes the same results
and every contract fires), the self-check catches a contract that does nothing, and a tiny run
prints the ratio lines. No timing is asserted."""

from __future__ import annotations

import importlib.util
import math
import re
import sys
from pathlib import Path

import pytest

BENCH_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_contracts.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_contracts", BENCH_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


@pytest.mark.parametrize("body", ["python", "float", "builtin"])
def test_self_check_passes(bench, body):
    assert bench.self_check(bench.variants(4), bench.BODIES[body]) == []


def test_the_python_bodies_are_integer_square_roots(bench):
    assert all(bench.newton_isqrt(n) == math.isqrt(n) for n in range(20_000))
    assert bench.newton_isqrt(10**12 + 7) == 10**6
    squares = [k * k + d for k in range(1001) for d in (-1, 0, 1) if k * k + d >= 0]
    assert all(bench.float_isqrt(n) == math.isqrt(n) for n in [*range(20_000), *squares])


def test_self_check_catches_a_contract_that_does_nothing(bench):
    silent = bench.Variant("silent", bench.plain_class,
                           bench.violation("requires"), bench.violation("ensures"))
    problems = bench.self_check([silent], bench.newton_isqrt)
    assert len(problems) == 2
    assert "breaking `requires` raised on 0 of 2 calls, not 2" in problems[0]
    assert "breaking `ensures` raised on 0 of 2 calls, not 2" in problems[1]


def test_self_check_catches_the_wrong_error_and_a_wrong_result(bench):
    wrong_error = bench.Variant("wrong error", bench.hand_checked_class,
                                bench.violation("requires"), bench.violation("ensures"))
    problems = bench.self_check([wrong_error], bench.newton_isqrt)
    assert [p.split(":")[0] for p in problems] == ["wrong error", "wrong error"]
    assert all("unexpected AssertionError" in p for p in problems)
    wrong_result = bench.Variant("off by one", bench.plain_class, None, None)
    problems = bench.self_check([wrong_result], bench.broken(bench.newton_isqrt))
    assert problems and problems[0].startswith("off by one: wrong result for n = [0, 1, 2")


def test_a_requires_only_mode_must_not_check_ensures(bench):
    # a "requires-only" row that checks ensures too would be mislabelled
    full = bench.Variant("claims requires only", bench.hand_checked_class,
                         bench.raised(AssertionError), None)
    problems = bench.self_check([full], bench.newton_isqrt)
    assert problems == ["claims requires only: a broken body breaking `ensures` raised an "
                        "unexpected AssertionError: ensures r * r <= n && n < (r + 1) * (r + 1)"]


RATIO = r"\d+\.\d\dx"


@pytest.mark.parametrize(("argv", "bodies"), [([], 3), (["--body", "builtin"], 1)])
def test_tiny_run_prints_every_row_and_ratio(bench, capsys, argv, bodies):
    assert bench.main([*argv, "--number", "1", "--repeat", "2", "--sample", "4"]) == 0
    out = capsys.readouterr().out
    cell = rf"\s+[\d,]+\s+\([\d,]+\)\s+{RATIO}"
    for v in bench.variants(4):
        assert re.search(rf"^{re.escape(v.label)}{cell * bodies}$", out, re.M), v.label
    for goal in ("ebbrt / unchecked", "icontract / ebbrt", "deal / ebbrt"):
        verdict = rf"\s+{RATIO} (met|missed)"
        assert re.search(rf"^{re.escape(goal)}\s+[<>]= \d+x{verdict * bodies}$", out, re.M), goal
    floor = rf"\s+{RATIO}"
    assert len(re.findall(rf"^  \(hand-written\){floor * bodies}$", out, re.M)) == 3


def test_a_failed_self_check_stops_before_timing(bench, monkeypatch, capsys):
    silent = bench.Variant(bench.FULL, bench.plain_class,
                           bench.violation("requires"), bench.violation("ensures"))
    monkeypatch.setattr(bench, "variants", lambda sample: [silent])
    assert bench.main(["--number", "1", "--repeat", "1"]) == 1
    captured = capsys.readouterr()
    assert "self-check failed" in captured.err
    assert "ratio" not in captured.out
