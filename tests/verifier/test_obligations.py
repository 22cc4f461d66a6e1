"""Obligations: which are collected, what each one decides, and that results, counterexamples
and cache keys are deterministic. (The wrong-spec corpus and the bundled library have their own
tests: test_corpus.py and test_library_proves.py.)"""

from __future__ import annotations

import pickle

import pytest

from ebbrt.ebbs import library_dir
from ebbrt.spec import check_paths, check_text
from ebbrt.verifier import (DEFAULT_BUDGET, KINDS, Obligation, Result, Verdict,
                            collect_obligations, discharge)

COUNTER = '''
handle Hook "a hook"

ebb Counter shared {
  "counts"
  model n: nat = 0 "the count"
  model seen: map<Hook, nat> = {} "hooks seen"
  invariant small: n <= 100 "bounded"
  invariant positive: forall h in seen: seen[h] > 0

  op add(k: nat) "adds"
    requires n + k <= 100
    modifies n
    ensures n == old(n) + k

  op see(h: Hook) "sees"
    modifies seen
    ensures seen == old(seen)[h := 1]

  op get() -> nat "reads"
    pure
    returns n
}
'''


def prove(text: str, file: str = "t.ebb") -> dict[str, Result]:
    result = check_text(text, file)
    assert result.ok, result.render()
    return {ob.id: discharge(ob, DEFAULT_BUDGET) for ob in collect_obligations(result)}


def one(results: dict[str, Result], suffix: str) -> Result:
    found = [r for key, r in results.items() if key.endswith(suffix)]
    assert len(found) == 1, f"{suffix}: {sorted(results)}"
    return found[0]


def test_a_correct_spec_proves_and_ids_name_what_they_check() -> None:
    results = prove(COUNTER)
    assert all(r.verdict is Verdict.PROVED for r in results.values()), \
        {k: (r.verdict, r.message, r.reason) for k, r in results.items()}
    assert list(results) == [
        "Counter.invariant_initial.small", "Counter.invariant_initial.positive",
        "Counter.add.requires_satisfiable", "Counter.add.op_feasible",
        "Counter.add.invariant_preserved.small", "Counter.add.invariant_preserved.positive",
        "Counter.add.ensures_trivial.1",
        "Counter.see.op_feasible", "Counter.see.invariant_preserved.small",
        "Counter.see.invariant_preserved.positive", "Counter.see.ensures_trivial.1",
        "Counter.get.op_feasible", "Counter.get.frame", "Counter.get.invariant_preserved.small",
        "Counter.get.invariant_preserved.positive"]
    assert {r.kind for r in results.values()} <= set(KINDS)
    add = one(results, "add.invariant_preserved.small")
    assert add.message == "`add` preserves invariant `small`" and add.engine == "z3"


def test_breaking_an_invariant_is_refuted_with_pre_and_post_state() -> None:
    results = prove(COUNTER.replace("requires n + k <= 100", "requires k >= 0"))
    broken = one(results, "add.invariant_preserved.small")
    assert broken.verdict is Verdict.REFUTED
    assert broken.message == "`add` breaks invariant `small`"
    cex = broken.counterexample
    assert cex is not None
    pre, post, args = dict(cex.pre), dict(cex.post), dict(cex.args)
    assert int(pre["n"]) + int(args["k"]) == int(post["n"]) > 100
    assert pre["seen"] == post["seen"]  # unmodified, shown unchanged
    assert dict(cex.env)["ncores"] == "1"


def test_a_handle_in_a_counterexample_is_named_by_its_type() -> None:
    results = prove(COUNTER.replace("[h := 1]", "[h := 0]"))
    broken = one(results, "see.invariant_preserved.positive")
    assert broken.verdict is Verdict.REFUTED
    assert dict(broken.counterexample.args)["h"] == "h1"
    assert "h1 -> 0" in dict(broken.counterexample.post)["seen"]


def test_unsatisfiable_requires_names_the_clauses() -> None:
    results = prove(COUNTER.replace("requires n + k <= 100", "requires n + k <= 100\n"
                                    "    requires k > 200"))
    vacuous = one(results, "add.requires_satisfiable")
    assert vacuous.verdict is Verdict.REFUTED and vacuous.counterexample is None
    assert "`n + k <= 100` and `k > 200` cannot hold together" in vacuous.message


def test_an_infeasible_operation_shows_the_pre_state() -> None:
    results = prove(COUNTER.replace("returns n", "ensures result + 200 < n"))
    infeasible = one(results, "get.op_feasible")
    assert infeasible.verdict is Verdict.REFUTED
    assert infeasible.counterexample is not None and infeasible.counterexample.post == ()
    assert "infeasible" in infeasible.message


def test_an_undefined_postcondition_is_infeasible() -> None:
    results = prove(COUNTER.replace("returns n", "returns 100 / n"))
    assert one(results, "get.op_feasible").verdict is Verdict.REFUTED
    assert dict(one(results, "get.op_feasible").counterexample.pre)["n"] == "0"


def test_changing_an_unmodified_field_breaks_the_frame() -> None:
    results = prove(COUNTER.replace("ensures n == old(n) + k", "ensures n == old(n) + k\n"
                                    "    ensures k == 0 || seen != old(seen)"))
    frame = one(results, "add.frame")
    assert frame.verdict is Verdict.REFUTED
    assert "`seen`" in frame.message and "modifies `n`" in frame.message
    cex = frame.counterexample
    assert dict(cex.pre)["seen"] != dict(cex.post)["seen"]
    assert dict(cex.pre)["n"] == dict(cex.post)["n"] or dict(cex.args)["k"] != "0"


CASES = '''
ebb Gate shared {
  "a gate"
  model load: nat = 0 "load"
  op admit(x: nat) -> ok: bool "admits"
    cases complete disjoint {
      case idle when x <= 50 returns true
      case busy when x >= 50 && x < 90 returns false
    }
}
'''


def test_overlapping_and_missing_cases_are_refuted() -> None:
    results = prove(CASES)
    overlap = one(results, "admit.cases_disjoint")
    assert overlap.verdict is Verdict.REFUTED
    assert "`idle` and `busy` both apply" in overlap.message
    assert dict(overlap.counterexample.args)["x"] == "50"
    missing = one(results, "admit.cases_complete")
    assert missing.verdict is Verdict.REFUTED
    assert int(dict(missing.counterexample.args)["x"]) >= 90


REFINES = '''
ebb Door shared {
  "a door"
  model open: bool = false "whether it is open"
  op push(force: nat) "opens it"
    requires force > 10
    modifies open
    ensures open
}

ebb Gate shared refines Door via { open = state > 0 } {
  "a gate"
  model state: nat = 0 "0 closed, else open"
  op push(force: nat) "opens it"
    requires force > 20
    modifies state
    ensures state >= 0
}
'''


def test_refinement_checks_both_directions() -> None:
    results = prove(REFINES)
    pre, post = one(results, "Gate.push.refines_pre"), one(results, "Gate.push.refines_post")
    assert pre.verdict is Verdict.REFUTED and "strengthens the precondition" in pre.message
    assert 10 < int(dict(pre.counterexample.args)["force"]) <= 20
    assert post.verdict is Verdict.REFUTED and "weakens the postcondition" in post.message
    assert dict(post.counterexample.post)["state"] == "0"
    fixed = prove(REFINES.replace("force > 20", "force > 5").replace("state >= 0", "state > 0"))
    assert one(fixed, "refines_pre").verdict is one(fixed, "refines_post").verdict \
        is Verdict.PROVED


def test_protocols_are_checked_without_the_solver() -> None:
    text = '''
handle Job "a job"
ebb Queue shared {
  "jobs"
  model jobs: set<Job> = {} "the jobs"
  op put(j: Job) "puts" modifies jobs ensures jobs == old(jobs) + {j}
  op take(j: Job) "takes" modifies jobs ensures jobs == old(jobs) - {j}
  protocol Job { "life" initial Idle Idle -put-> Queued  Queued -take-> Idle  Lost -take-> Idle }
}
'''
    results = prove(text)
    assert one(results, "protocol_labels").verdict is Verdict.PROVED
    unreachable = one(results, "protocol_reachable")
    assert unreachable.verdict is Verdict.REFUTED and "`Lost`" in unreachable.message
    assert unreachable.engine == "check"


def test_a_trivial_ensures_is_a_warning() -> None:
    results = prove(COUNTER.replace("ensures n == old(n) + k", "ensures n >= 0"))
    trivial = one(results, "add.ensures_trivial.1")
    assert trivial.verdict is Verdict.REFUTED and trivial.severity == "warning"
    assert "trivially true" in trivial.message


def test_initial_values_that_break_an_invariant() -> None:
    results = prove(COUNTER.replace("model n: nat = 0", "model n: nat = 101"))
    initial = one(results, "invariant_initial.small")
    assert initial.verdict is Verdict.REFUTED and dict(initial.counterexample.pre)["n"] == "101"


def test_an_unsupported_construct_is_skipped_by_name() -> None:
    results = prove(COUNTER.replace('"bounded"', '"bounded"\n  invariant rec: f(n) == 0') +
                    'func f(x: nat) -> nat = x == 0 ? 0 : f(x - 1) "recursive"\n')
    skipped = one(results, "invariant_initial.rec")
    assert skipped.verdict is Verdict.SKIPPED
    assert "recursive function `f`" in skipped.reason


def test_an_exhausted_budget_is_unknown() -> None:
    result = check_paths([library_dir() / "page_allocator.ebb"])
    ob = next(o for o in collect_obligations(result)
              if o.id == "PageAllocator.alloc.invariant_preserved.allocated_disjoint")
    tiny = discharge(ob, 1000)
    assert tiny.verdict is Verdict.UNKNOWN and "budget" in tiny.reason
    assert discharge(ob, DEFAULT_BUDGET).verdict is Verdict.PROVED


def test_results_and_keys_are_deterministic() -> None:
    text = COUNTER.replace("requires n + k <= 100", "requires k >= 0")
    first, second = check_text(text, "t.ebb"), check_text(text, "t.ebb")
    obs1, obs2 = collect_obligations(first), collect_obligations(second)
    assert [o.id for o in obs1] == [o.id for o in obs2]
    assert [o.key(DEFAULT_BUDGET) for o in obs1] == [o.key(DEFAULT_BUDGET) for o in obs2]
    for a, b in zip(obs1, obs2):
        ra, rb = discharge(a, DEFAULT_BUDGET), discharge(b, DEFAULT_BUDGET)
        assert (ra.verdict, ra.message, ra.counterexample) == \
            (rb.verdict, rb.message, rb.counterexample)


def test_keys_change_with_the_question_and_the_budget() -> None:
    obs = {o.id: o for o in collect_obligations(check_text(COUNTER, "t.ebb"))}
    changed = {o.id: o for o in collect_obligations(
        check_text(COUNTER.replace("n <= 100", "n <= 99"), "t.ebb"))}
    moved = {o.id: o for o in collect_obligations(check_text("\n\n" + COUNTER, "t.ebb"))}
    key = obs["Counter.add.invariant_preserved.small"].key
    assert key(DEFAULT_BUDGET) != key(DEFAULT_BUDGET + 1)
    assert key(DEFAULT_BUDGET) != changed["Counter.add.invariant_preserved.small"].key(
        DEFAULT_BUDGET)
    assert key(DEFAULT_BUDGET) == moved["Counter.add.invariant_preserved.small"].key(
        DEFAULT_BUDGET)  # moving a clause does not change the question


def test_only_the_files_asked_for_get_obligations() -> None:
    result = check_paths([library_dir() / "key_set.ebb"])  # imports unordered_set.ebb
    assert {o.ebb for o in collect_obligations(result)} == {"KeySet"}
    assert collect_obligations(check_text("ebb Broken shared { model x: int = true }")) == []


def test_obligations_are_not_pickled() -> None:
    ob = collect_obligations(check_text(COUNTER, "t.ebb"))[0]
    assert isinstance(ob, Obligation)
    with pytest.raises(TypeError, match="send its id"):
        pickle.dumps(ob)
