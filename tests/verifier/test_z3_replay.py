"""z3's models replayed through the reference evaluator (verifier/_z3_replay.py).

Every counterexample of the wrong-spec corpus and every witness of the bundled library is put
back into the spec's clauses and must agree with the reference evaluator; an evaluator made to
disagree turns the verdict into a reported verifier bug, never a plain verdict.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ebbrt.ebbs import library_dir
from ebbrt.spec import check_paths
from ebbrt.verifier import DEFAULT_BUDGET, Verdict, collect_obligations, discharge
from ebbrt.verifier import _z3_replay
from ebbrt.verifier._ob_state import invariants_of

CORPUS = Path(__file__).parent / "corpus"
REPLAYED_KINDS = {"invariant_preserved", "invariant_initial", "cases_complete",
                  "cases_disjoint", "frame"}


def _obligations(path: Path):
    result = check_paths([str(path)])
    assert result.ok, path
    return collect_obligations(result)


def _one(path: Path, obligation_id: str):
    return next(ob for ob in _obligations(path) if ob.id == obligation_id)


@pytest.mark.parametrize("spec", sorted(CORPUS.glob("*.ebb")), ids=lambda p: p.stem)
def test_every_counterexample_of_the_corpus_agrees_with_the_reference(spec: Path) -> None:
    for ob in _obligations(spec):
        result = discharge(ob, DEFAULT_BUDGET)
        details = dict(result.details)
        assert "verifier_bug" not in details, (ob.id, details)
        if result.verdict is Verdict.REFUTED and result.counterexample is not None \
                and ob.kind in REPLAYED_KINDS:
            assert details.get("replayed", "").startswith("the reference evaluator agrees ("), (ob.id, details)


def test_witnesses_of_the_library_agree_with_the_reference() -> None:
    replayed = 0
    for ob in _obligations(library_dir() / "timer.ebb"):
        if ob.kind != "requires_satisfiable":
            continue
        result = discharge(ob, DEFAULT_BUDGET)
        assert result.verdict is Verdict.PROVED, ob.id
        assert dict(result.details)["replayed"].startswith("the reference evaluator agrees ("), ob.id
        replayed += 1
    assert replayed >= 2


def test_a_counterexample_the_reference_rejects_is_a_verifier_bug(monkeypatch) -> None:
    ob = _one(CORPUS / "event_breaks_invariant.ebb",
              next(o.id for o in _obligations(CORPUS / "event_breaks_invariant.ebb")
                   if o.kind == "invariant_preserved"
                   and discharge(o, DEFAULT_BUDGET).verdict is Verdict.REFUTED))
    # an evaluator that finds the broken invariant true, and everything else as it should
    invariant = dict(invariants_of(ob.target.ebb))[ob.target.label].expr
    real = _z3_replay.evaluate
    monkeypatch.setattr(_z3_replay, "evaluate", lambda expr, *args, **kwargs:
                        True if expr is invariant else real(expr, *args, **kwargs))
    result = discharge(ob, DEFAULT_BUDGET)
    assert result.verdict is Verdict.UNKNOWN
    assert "verifier disagreement" in result.message
    bug = dict(result.details)["verifier_bug"]
    assert "reference evaluator finds it true" in bug and "after the step" in bug
    assert result.counterexample is not None    # the model is still shown


def test_a_witness_the_reference_rejects_is_a_verifier_bug(monkeypatch) -> None:
    obs = [o for o in _obligations(library_dir() / "timer.ebb")
           if o.kind == "requires_satisfiable"]
    monkeypatch.setattr(_z3_replay, "evaluate", lambda *args, **kwargs: False)
    result = discharge(obs[0], DEFAULT_BUDGET)
    assert result.verdict is Verdict.UNKNOWN
    assert "is false on the same values" in dict(result.details)["verifier_bug"]


def test_a_clause_without_values_is_not_replayed(monkeypatch) -> None:
    def missing(*args, **kwargs):
        raise KeyError("hash")   # as for a `func` without a body
    obs = [o for o in _obligations(library_dir() / "timer.ebb")
           if o.kind == "requires_satisfiable"]
    monkeypatch.setattr(_z3_replay, "evaluate", missing)
    result = discharge(obs[0], DEFAULT_BUDGET)
    assert result.verdict is Verdict.PROVED
    assert "replayed" not in dict(result.details)
