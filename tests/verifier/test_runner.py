"""The runner: order, cache use, worker processes, progress and exit status, with a fake engine
whose obligations come from the spec (one per operation) so that workers really re-check files.

The fake engine's verdict depends on the operation's name: `bad*` refuted, `hard*` unknown below
a budget of 1000, `odd*` skipped, `lint*` a warning, `boom*` raises; anything else proved. The
real prover is run end to end in test_prove_cli.py.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from ebbrt.spec import CheckResult, Span, check_paths, check_text
from ebbrt.verifier._cache import ResultCache
from ebbrt.verifier._result import Counterexample, Result, Verdict
from ebbrt.verifier._runner import (EXIT_PROVED, EXIT_REFUTED, EXIT_UNDECIDED, ProverError,
                                    ProveReport, outcome, prove)

SPEC = '''ebb Counter shared {
  "Counts."
  model count: nat = 0 "the count"
  op add(n: nat) "Adds `n`." modifies count ensures count == old(count) + n
  op bad_reset() "Resets." modifies count ensures count == 0
  op hard_get() -> nat "Reads." pure returns count
  op odd_peek() -> nat "Reads." pure returns count
  op lint_touch() "Touches." modifies count ensures count == old(count)
}

ebb Gauge shared {
  "Measures."
  model level: nat = 0 "the level"
  op raise_level(n: nat) "Raises." modifies level ensures level == old(level) + n
  op lower(n: nat) "Lowers." requires n <= level modifies level ensures level == old(level) - n
}
'''

CALLS: list[str] = []   # obligations discharged in this process
KEYS: list[str] = []    # keys computed in this process


@dataclass(frozen=True)
class FakeObligation:
    id: str
    kind: str
    ebb: str
    subject: str
    span: Span
    severity: str
    text: str  # the operation's declaration: what the solver would be asked about

    def key(self, budget: int) -> str:
        KEYS.append(self.id)
        return hashlib.sha256(f"{self.text}\0{budget}".encode()).hexdigest()


def fake_collect(result: CheckResult) -> list[FakeObligation]:
    obligations = []
    for ebb in result.checked.ebbs:
        for name, op in ebb.ops.items():
            span = op.decl.span
            text = result.sources[span.file][span.start:span.end]
            severity = "warning" if name.startswith("lint") else "error"
            obligations.append(FakeObligation(f"{ebb.name}.{name}.op_feasible", "op_feasible",
                                              ebb.name, name, span, severity, text))
    return obligations


def fake_discharge(ob: FakeObligation, budget: int) -> Result:
    CALLS.append(ob.id)
    verdict, reason, cex = Verdict.PROVED, "", None
    if ob.subject.startswith("bad"):
        verdict = Verdict.REFUTED
        cex = Counterexample(pre=(("count", "3"),), post=(("count", "0"),))
    elif ob.subject.startswith("hard") and budget < 1000:
        verdict, reason = Verdict.UNKNOWN, f"budget exhausted (rlimit {budget})"
    elif ob.subject.startswith("odd"):
        verdict, reason = Verdict.SKIPPED, "`pure` is not supported"
    elif ob.subject.startswith("lint"):
        verdict = Verdict.REFUTED
    elif ob.subject.startswith("boom"):
        raise RuntimeError("the encoder fell over")
    return Result(obligation=ob.id, kind=ob.kind, ebb=ob.ebb, subject=ob.subject, span=ob.span,
                  verdict=verdict, engine="fake", message=f"`{ob.subject}` judged",
                  reason=reason, counterexample=cex, severity=ob.severity,
                  details=(("pid", str(os.getpid())),))


def run(result: CheckResult, **kwargs: object) -> ProveReport:
    CALLS.clear()
    KEYS.clear()
    return prove(result, collect=fake_collect, discharge=fake_discharge,
                 **{"budget": 10, **kwargs})  # type: ignore[arg-type]


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "counter.ebb"
    path.write_text(SPEC, encoding="utf-8")
    return path


def checked(path: Path) -> CheckResult:
    result = check_paths([path])
    assert result.ok, result.render()
    return result


def without_pid(results: tuple[Result, ...]) -> list[Result]:
    return [replace(r, details=()) for r in results]


# ------------------------------------------------------------------------------ one process

def test_results_come_in_obligation_order_with_their_outcomes(spec: Path) -> None:
    report = run(checked(spec))
    assert [r.subject for r in report.results] == [
        "add", "bad_reset", "hard_get", "odd_peek", "lint_touch", "raise_level", "lower"]
    assert [outcome(r) for r in report.results] == [
        "proved", "refuted", "unknown", "skipped", "warnings", "proved", "proved"]
    assert report.counts == {"proved": 3, "tested": 0, "refuted": 1, "unknown": 1, "skipped": 1,
                             "warnings": 1}
    assert report.by_ebb() == {
        "Counter": {"proved": 1, "tested": 0, "refuted": 1, "unknown": 1, "skipped": 1, "warnings": 1},
        "Gauge": {"proved": 2, "tested": 0, "refuted": 0, "unknown": 0, "skipped": 0, "warnings": 0}}
    assert [r.subject for r in report.problems] == ["bad_reset", "hard_get", "odd_peek",
                                                    "lint_touch"]
    assert report.exit_status == EXIT_REFUTED
    assert {r.details for r in report.results} == {(("pid", str(os.getpid())),)}


def test_exit_status_without_refutations(tmp_path: Path) -> None:
    def status(ops: str) -> int:
        text = f'ebb E shared {{\n  "e"\n  model x: nat = 0 "x"\n{ops}}}\n'
        return run(check_text(text, str(tmp_path / "e.ebb"))).exit_status
    assert status('  op hard_a() "a" pure\n  op odd_b() "b" pure\n') == EXIT_UNDECIDED
    assert status('  op odd_b() "b" pure\n') == EXIT_UNDECIDED
    assert status('  op fine() "a" pure\n  op lint_c() "c" pure\n') == EXIT_PROVED
    assert status("") == EXIT_PROVED  # nothing to prove is not a failure


def test_a_larger_budget_settles_what_a_small_one_could_not(spec: Path) -> None:
    small, large = run(checked(spec), budget=10), run(checked(spec), budget=5000)
    assert small.results[2].verdict is Verdict.UNKNOWN
    assert large.results[2].verdict is Verdict.PROVED
    assert large.budget == 5000


def test_a_discharge_that_raises_is_an_unknown_that_says_bug(spec: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    monkeypatch.delenv("EBB_TRACEBACK", raising=False)
    spec.write_text(SPEC.replace("bad_reset", "boom_reset"), encoding="utf-8")
    cache = ResultCache(tmp_path / "cache")
    report = run(checked(spec), cache=cache)
    broken = report.results[1]
    assert broken.verdict is Verdict.UNKNOWN and "a bug in ebb" in broken.message
    assert "RuntimeError: the encoder fell over" in broken.reason
    assert report.internal_errors == 1
    again = run(checked(spec), cache=cache)
    assert not again.results[1].cached, "a failure of ebb itself must not be cached"
    assert again.from_cache == len(again.results) - 1
    monkeypatch.setenv("EBB_TRACEBACK", "1")
    with pytest.raises(RuntimeError, match="fell over"):
        run(checked(spec))


def test_specs_with_errors_and_bad_arguments_are_refused(spec: Path, tmp_path: Path) -> None:
    broken = check_text('ebb E shared { "e" model x: nat = true "x" }', str(tmp_path / "e.ebb"))
    assert not broken.ok
    with pytest.raises(ValueError, match="errors"):
        run(broken)
    with pytest.raises(ValueError, match="jobs"):
        run(checked(spec), jobs=0)
    with pytest.raises(ValueError, match="budget"):
        run(checked(spec), budget=0)


def test_duplicate_obligation_ids_are_a_bug(spec: Path) -> None:
    def twice(result: CheckResult) -> list[FakeObligation]:
        return fake_collect(result)[:1] * 2
    with pytest.raises(ProverError, match="not unique"):
        prove(checked(spec), 10, collect=twice, discharge=fake_discharge)


# ------------------------------------------------------------------------------ cache

def test_a_second_run_is_served_from_the_cache(spec: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cold = run(checked(spec), cache=ResultCache(cache_dir))
    assert cold.from_cache == 0 and len(CALLS) == 7
    assert cold.cache_dir == str(cache_dir)
    warm = run(checked(spec), cache=ResultCache(cache_dir))
    assert CALLS == [] and warm.from_cache == 7
    assert all(r.cached for r in warm.results)
    assert [replace(r, cached=False) for r in warm.results] == list(cold.results)


def test_an_unchanged_spec_is_served_without_building_a_query(spec: Path,
                                                              tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    run(checked(spec), cache=cache)
    assert len(KEYS) == 7, "a cold run files each result under its query key too"
    run(checked(spec), cache=cache)
    assert KEYS == [] and CALLS == [], "the source keys alone serve an unchanged spec"


def test_an_edit_that_leaves_the_queries_alone_reuses_every_result(spec: Path,
                                                                   tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    run(checked(spec), cache=cache)
    spec.write_text(SPEC.replace('"Counts."', '"Counts events."'), encoding="utf-8")
    first = run(checked(spec), cache=cache)
    assert len(KEYS) == 7 and CALLS == [] and first.from_cache == 7
    run(checked(spec), cache=cache)
    assert KEYS == [], "the results were filed under the new source keys"


def test_a_query_that_cannot_be_built_is_not_cached(spec: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_key(self: FakeObligation, budget: int) -> str:
        raise RuntimeError("no query")
    monkeypatch.setattr(FakeObligation, "key", broken_key)
    cache = ResultCache(tmp_path / "cache")
    assert run(checked(spec), cache=cache).results == run(checked(spec)).results
    assert run(checked(spec), cache=cache).from_cache == 7, "the source keys still serve"


def test_no_cache_neither_reads_nor_writes_nor_computes_keys(spec: Path, tmp_path: Path) -> None:
    report = run(checked(spec), cache=None)
    assert report.cache_dir is None and report.from_cache == 0
    assert KEYS == [] and len(CALLS) == 7
    assert not (tmp_path / ".ebb-cache").exists()


def test_changing_the_budget_or_one_operation_changes_only_its_keys(spec: Path,
                                                                    tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    run(checked(spec), cache=cache)
    run(checked(spec), cache=cache, budget=11)
    assert len(CALLS) == 7, "another budget is another query"
    spec.write_text(SPEC.replace("ensures count == 0", "ensures count == 1"), encoding="utf-8")
    report = run(checked(spec), cache=cache)
    assert CALLS == ["Counter.bad_reset.op_feasible"]
    assert report.from_cache == 6


def test_a_moved_operation_is_reported_where_it_now_is(spec: Path, tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    before = run(checked(spec), cache=cache).results[1]
    spec.write_text("// a new first line\n" + SPEC, encoding="utf-8")
    after = run(checked(spec), cache=cache).results[1]
    assert after.cached and after.span.line == before.span.line + 1


# ------------------------------------------------------------------------------ progress

class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[object, ...]] = []

    def start(self, total: int, done: int) -> None:
        self.events.append(("start", total, done))

    def advance(self, result: Result) -> None:
        self.events.append(("advance", result.subject))

    def finish(self) -> None:
        self.events.append(("finish",))


def test_progress_hears_of_every_result_the_solver_gives(spec: Path, tmp_path: Path) -> None:
    cache, progress = ResultCache(tmp_path / "cache"), Recorder()
    run(checked(spec), cache=cache, progress=progress)
    assert progress.events[0] == ("start", 7, 0) and progress.events[-1] == ("finish",)
    assert [e[1] for e in progress.events[1:-1]] == [
        "add", "bad_reset", "hard_get", "odd_peek", "lint_touch", "raise_level", "lower"]
    warm = Recorder()
    run(checked(spec), cache=cache, progress=warm)
    assert warm.events == [("start", 7, 7), ("finish",)]


# ------------------------------------------------------------------------------ worker processes

def test_workers_give_the_same_results_in_the_same_order(spec: Path) -> None:
    serial = run(checked(spec), jobs=1)
    parallel = run(checked(spec), jobs=3)
    assert CALLS == [], "with jobs > 1 the parent process discharges nothing"
    assert without_pid(parallel.results) == without_pid(serial.results)
    pids = {dict(r.details)["pid"] for r in parallel.results}
    assert str(os.getpid()) not in pids
    assert parallel.jobs == 3


def test_workers_fill_the_cache_like_one_process(spec: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    run(checked(spec), jobs=2, cache=ResultCache(cache_dir))
    warm = run(checked(spec), jobs=2, cache=ResultCache(cache_dir))
    assert warm.from_cache == 7 and CALLS == []


def test_workers_prove_a_spec_given_as_text(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = check_text(SPEC, "in-memory.ebb")
    assert not Path("in-memory.ebb").exists()
    assert without_pid(run(result, jobs=2).results) == without_pid(run(result).results)


def test_a_spec_edited_during_the_run_stops_it(spec: Path) -> None:
    result = checked(spec)
    spec.write_text(SPEC.replace("Counts.", "Counts things."), encoding="utf-8")
    with pytest.raises(ProverError, match="changed while"):
        run(result, jobs=2)
