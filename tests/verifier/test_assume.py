"""`assume name: always P` is the prover's third escape hatch: P is taken as a fact about every
state an operation starts in (never proved), so an obligation that needs it goes through."""

from __future__ import annotations

from ebbrt.spec import check_text
from ebbrt.verifier import Verdict, collect_obligations, discharge

COUNTER = '''ebb Counter shared {
  "Counts up to 100."
  model count: nat = 0 "the count"
  invariant at_most: count <= 100 "never above 100"
  op inc()
    "Adds one."
    modifies count
    ensures count == old(count) + 1
  op reset()
    "Back to zero."
    requires count == 100
    modifies count
    ensures count == 0
ASSUME}
'''


def _verdicts(assume: str) -> dict[str, Verdict]:
    checked = check_text(COUNTER.replace("ASSUME", assume), "counter.ebb")
    assert checked.ok, checked.render()
    return {ob.id: discharge(ob).verdict for ob in collect_obligations(checked)}


def test_without_the_assumption_the_invariant_is_refuted() -> None:
    assert _verdicts("")["Counter.inc.invariant_preserved.at_most"] is Verdict.REFUTED


def test_an_always_assumption_is_a_fact_of_every_pre_state() -> None:
    verdicts = _verdicts('  assume stops: always count < 100 "callers stop at 99"\n')
    assert verdicts["Counter.inc.invariant_preserved.at_most"] is Verdict.PROVED


def test_an_assumption_can_make_a_requires_vacuous_and_the_prover_says_which() -> None:
    checked = check_text(COUNTER.replace("ASSUME", '  assume stops: always count < 100 "x"\n'),
                         "counter.ebb")
    ob = next(o for o in collect_obligations(checked)
              if o.id == "Counter.reset.requires_satisfiable")
    result = discharge(ob)
    assert result.verdict is Verdict.REFUTED
    assert "assume" in result.message and "`count == 100`" in result.message


def test_temporal_assumptions_are_not_read_by_the_prover() -> None:
    verdicts = _verdicts('  assume later: inc() leads_to reset() within [0us, 1ms] "x"\n')
    assert verdicts["Counter.inc.invariant_preserved.at_most"] is Verdict.REFUTED
