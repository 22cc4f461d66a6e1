"""The bounded check (`ebb prove --bounded N`, `--tested PATTERN`): an undecided obligation is
searched for counterexamples among states with small collections. The proof's own answer is
replaced by a made-up UNKNOWN here (the real prover settles these small specs), so that what is
tested is the bounded reading alone, on real obligations and real z3 queries."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ebbrt.spec import check_text
from ebbrt.verifier import collect_obligations, discharge
from ebbrt.verifier._bounded import bounded_check
from ebbrt.verifier._result import Verdict
from ebbrt.verifier._runner import EXIT_PROVED, EXIT_REFUTED, EXIT_UNDECIDED, marked, prove

SPEC = '''ebb Cover shared {
  "Every element of a is below some element of b."
  model a: set<int> = {} "lower"
  model b: set<int> = {} "upper"
  invariant covered: forall x in a: exists y in b: y > x "a is covered by b"
  op add_a(x: int)
    "Adds a covered element."
    requires exists y in b: y > x
    modifies a
    ensures a == old(a) + {x}
  op add_any(x: int)
    "Adds any element: breaks the invariant."
    modifies a
    ensures a == old(a) + {x}
}
'''


def _obligation(oid: str):
    checked = check_text(SPEC, "cover.ebb")
    assert checked.ok, checked.render()
    return checked, next(ob for ob in collect_obligations(checked) if ob.id == oid)


def _unknown(ob):
    return replace(discharge(ob), verdict=Verdict.UNKNOWN, reason="quantifiers (made up)")


def test_an_obligation_that_holds_is_tested_with_its_bound() -> None:
    _, ob = _obligation("Cover.add_a.invariant_preserved.covered")
    result = bounded_check(ob, _unknown(ob), 2, 2_000_000)
    assert result.verdict is Verdict.TESTED
    assert "at most 2 entries" in result.message and "not a proof" in result.message
    assert dict(result.details) == {"bound": "2"}
    assert result.engine == "z3-bounded" and result.reason == "quantifiers (made up)"


def test_an_obligation_that_fails_is_refuted_with_a_small_counterexample() -> None:
    _, ob = _obligation("Cover.add_any.invariant_preserved.covered")
    result = bounded_check(ob, _unknown(ob), 3, 2_000_000)
    assert result.verdict is Verdict.REFUTED
    cex = result.counterexample
    assert cex is not None and any(name == "x" for name, _ in cex.args)
    assert any(name == "a" for name, _ in cex.post)


def test_a_bound_of_zero_still_answers_and_a_negative_one_is_refused() -> None:
    _, ob = _obligation("Cover.add_a.invariant_preserved.covered")
    assert bounded_check(ob, _unknown(ob), 0, 2_000_000).verdict is Verdict.TESTED
    with pytest.raises(ValueError, match="at least 0"):
        bounded_check(ob, _unknown(ob), -1, 2_000_000)


def test_satisfiability_obligations_keep_their_unknown_with_a_reason() -> None:
    _, ob = _obligation("Cover.add_a.requires_satisfiable")
    result = bounded_check(ob, _unknown(ob), 2, 2_000_000)
    assert result.verdict is Verdict.UNKNOWN
    assert "does not apply" in result.reason and result.reason.startswith("quantifiers")


def _undecided_prover(ob, budget):
    """The real prover, except that every invariant_preserved obligation comes back unknown."""
    result = discharge(ob, budget)
    if ob.kind == "invariant_preserved":
        return replace(result, verdict=Verdict.UNKNOWN, reason="made up", counterexample=None)
    return result


def test_the_runner_checks_only_marked_obligations_unless_bounded_is_given() -> None:
    checked, _ = _obligation("Cover.add_a.invariant_preserved.covered")
    plain = prove(checked, discharge=_undecided_prover)
    assert plain.exit_status == EXIT_UNDECIDED and plain.counts["unknown"] == 2
    marked_only = prove(checked, discharge=_undecided_prover, tested=["Cover.add_a.*"])
    verdicts = {r.obligation: r.verdict for r in marked_only.results}
    assert verdicts["Cover.add_a.invariant_preserved.covered"] is Verdict.TESTED
    assert verdicts["Cover.add_any.invariant_preserved.covered"] is Verdict.UNKNOWN
    assert marked_only.counts["tested"] == 1 and marked_only.exit_status == EXIT_UNDECIDED
    everything = prove(checked, discharge=_undecided_prover, bounded=2)
    assert everything.counts["tested"] == 1 and everything.counts["refuted"] == 1
    assert everything.exit_status == EXIT_REFUTED


def test_tested_results_count_as_established_in_the_exit_status() -> None:
    checked, _ = _obligation("Cover.add_a.invariant_preserved.covered")
    only_good = check_text(SPEC.replace("  op add_any", "  op zzz").split("  op zzz")[0] + "}\n",
                           "cover.ebb")
    assert only_good.ok, only_good.render()
    report = prove(only_good, discharge=_undecided_prover, bounded=2)
    assert report.counts["tested"] == 1 and report.exit_status == EXIT_PROVED
    assert [r.verdict for r in report.problems] == [Verdict.TESTED]


def test_patterns_match_obligation_ids_like_file_globs() -> None:
    assert marked("PageAllocator.free.invariant_preserved.aligned", ["PageAllocator.free.*"])
    assert not marked("PageAllocator.alloc.op_feasible", ["PageAllocator.free.*"])
    assert marked("Timer.fire.op_feasible", ["*.op_feasible", "nothing"])


def test_the_cli_reports_tested_obligations_in_their_own_column(tmp_path: Path, capsys,
                                                                 monkeypatch) -> None:
    from ebbrt.cli import main
    spec = tmp_path / "cover.ebb"
    spec.write_text(SPEC)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("ebbrt.verifier._discharge.discharge", _undecided_prover)
    status = main(["prove", "--no-cache", "--bounded", "2", str(spec)])
    out = capsys.readouterr().out
    assert status == EXIT_REFUTED
    header = next(line.split() for line in out.splitlines() if line.startswith("ebb "))
    assert header[:3] == ["ebb", "proved", "tested"]
    assert ": tested: bounded: no counterexample among states whose collections have at most " \
           "2 entries (not a proof) [invariant_preserved]" in out
