"""Differential test: z3's reading of an expression against the plain-Python reference.

Random small expressions (chained comparisons, integer division and modulo of negative numbers,
u8/u16 wrap-around, set/map/seq updates and membership, quantifiers over small collections,
options, records, enums, conditionals, `==>` and `<==>`) are written as spec TEXT — the body of
`func probe(...) -> T`, see `probe_gen` — and checked with `check_text`, so they are really well
typed. Random values are drawn for the parameters. The reference evaluator computes the value;
the core's `ExprEncoder` encodes the body with each parameter a z3 constant asserted equal to
its value, and z3 must prove that the body equals the reference value. Both rules for `uN`
(integers reduced modulo 2^N, and bitvectors) are checked, the second when the probe reads a
word.

Not judged: probes the reference finds `Undefined` (an encoding may give them any value), and
those the encoder declines (`Unsupported`: the prover reports SKIPPED, which is honest) or z3
cannot decide within its budget (the prover reports UNKNOWN); `test_most_probes_are_decided`
keeps that share small. Failures: z3 proves another value (`disagree`: an unsound encoding) or
allows another value (`loose`: the encoding lost information, so the prover would show
spurious counterexamples).

The test can fail: `test_a_wrong_reference_is_a_disagreement` feeds the harness wrong values,
and the mutation tests break the encoder the way sloppy encodings do (a chain read as its first
link, C++ division read as z3's Euclidean one) and require generated probes to catch it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

import pytest
import z3
from hypothesis import Phase, event, given, reject, settings
from hypothesis import strategies as st

from ebbrt.spec import ast as A
from ebbrt.spec import check_text
from ebbrt.verifier import Env, ExprEncoder, Undefined, Unsupported, evaluate
from ebbrt.verifier import _z3_expr
from ebbrt.verifier._values import FrozenMap, Some, show
from ebbrt.verifier._z3_decode import Decoder
from probe_gen import PARAMS, Case, DrawChooser, RandomChooser, draw_value, generate_case

# ---------------------------------------------------------------------------- the harness

RLIMIT = 2_000_000  # per query; deterministic, and far more than these tiny queries need
UNDECIDED = ("skipped", "unknown")  # outcomes that judge nothing (see the module doc)


@dataclass(frozen=True)
class Outcome:
    """How z3's reading of a probe compares with a reference value: `agree`, `disagree`,
    `loose`, `unknown` (z3 gave up), `skipped` (the encoder declined: `detail` says why)."""
    verdict: str
    z3_value: Any = None
    detail: str = ""

    @property
    def agrees(self) -> bool:
        return self.verdict == "agree"


def z3_outcome(checked: Any, values: dict[str, Any], reference: Any,
               bitvectors: bool) -> Outcome:
    """Encode `probe`'s body with each parameter a z3 constant equal to its value, and ask
    whether the body can differ from `reference` (then whether it can equal it)."""
    fn = checked.ebb("Probe").funcs["probe"]
    enc = ExprEncoder(checked, bitvectors=bitvectors)
    consts = {p.name: enc.var(p.name, p.type) for p in fn.params}
    try:
        term = enc.encode(fn.decl.body, Env(consts))
    except Unsupported as exc:
        return Outcome("skipped", detail=exc.construct)
    expected = enc.literal(reference, fn.result)
    solver = enc.solver()  # after encoding: the background axioms the body needs are known
    solver.set("rlimit", RLIMIT)
    solver.add(*(consts[p.name] == enc.literal(values[p.name], p.type) for p in fn.params))
    solver.push()
    solver.add(term != expected)
    differs = solver.check()
    if differs == z3.unsat:
        return Outcome("agree")
    if differs == z3.unknown:
        return Outcome("unknown", detail=solver.reason_unknown())
    z3_value = Decoder(enc, solver.model()).value(term, fn.result, display=False)
    solver.pop()
    solver.add(term == expected)
    return Outcome("disagree" if solver.check() == z3.unsat else "loose", z3_value)


def checked_probe(case: Case) -> tuple[Any, Any] | None:
    """The checked probe and its reference value, or None when it has none (Undefined)."""
    result = check_text(case.text, "probe.ebb")
    assert result.ok, (case.body, [d.message for d in result.diagnostics])
    body = result.checked.ebb("Probe").funcs["probe"].decl.body
    try:
        return result.checked, evaluate(body, case.values, result.checked)
    except Undefined:
        return None


WORDS = re.compile(r"\b(w|v|h|g|by)\b")  # the parameters whose sort the uN rule changes


def outcomes(case: Case, modes: tuple[bool, ...] | None = None
             ) -> list[tuple[bool, Any, Outcome]]:
    """(bitvectors, reference, outcome) for each uN rule (both when the probe reads a word);
    empty when the reference is Undefined."""
    found = checked_probe(case)
    if found is None:
        return []
    checked, reference = found
    if modes is None:
        modes = (False, True) if WORDS.search(case.body) else (False,)
    return [(bv, reference, z3_outcome(checked, case.values, reference, bv)) for bv in modes]


def describe(case: Case, reference: Any, outcome: Outcome, bitvectors: bool) -> str:
    """The report of a failure: the probe, the values it reads, and both answers."""
    used = {name: value for name, value in case.values.items()
            if re.search(rf"\b{name}\b", case.body)}
    return (f"z3 ({'bitvector' if bitvectors else 'integer'} uN) and the reference: "
            f"{outcome.verdict} {outcome.detail}\n  probe: {case.body}\n  values: "
            + ", ".join(f"{k} = {show(v)}" for k, v in used.items())
            + f"\n  reference: {show(reference)}\n  z3: {show(outcome.z3_value)}")


def failures(case: Case, modes: tuple[bool, ...] | None = None) -> list[str]:
    return [describe(case, ref, o, bv) for bv, ref, o in outcomes(case, modes)
            if not o.agrees and o.verdict not in UNDECIDED]


def decided_share(cases: list[Case]) -> float:
    """The share of (probe, uN rule) pairs with a value on which z3 decided (agree or not)."""
    judged = [o for case in cases for _, _, o in outcomes(case, (False,))]
    return sum(o.verdict not in UNDECIDED for o in judged) / max(1, len(judged))


# ---------------------------------------------------------------------------- random probes

# No shrinking: a failure already prints its probe (at most three levels deep) and values, and
# shrinking through z3 queries can take minutes. Undecided probes are rejected rather than
# passed, so an encoder that declined everything would fail Hypothesis's health check instead
# of passing vacuously (test_most_probes_are_decided bounds the share).
@settings(max_examples=100, phases=(Phase.explicit, Phase.reuse, Phase.generate))
@given(st.data())
def test_z3_agrees_with_the_reference_on_random_expressions(data: st.DataObject) -> None:
    case = generate_case(DrawChooser(data.draw))
    if not check_text(case.text, "probe.ebb").ok:
        reject()  # rare (see test_generated_probes_are_well_typed_and_varied)
    results = outcomes(case)
    if not results:
        reject()  # no value in the language: an encoding may give it any
    for bitvectors, reference, outcome in results:
        event(f"z3 {outcome.verdict}")
        if outcome.verdict in UNDECIDED:
            reject()
        assert outcome.agrees, describe(case, reference, outcome, bitvectors)


def sample(seed: int, count: int) -> list[Case]:
    rng = random.Random(seed)
    return [generate_case(RandomChooser(rng)) for _ in range(count)]


FEATURES = {  # what the generator must produce, as patterns over probe text
    "chain of two or more comparisons": r"[^(]+ (<=?|>=?|==|!=) [^?:]+ (<=?|>=?|==|!=) ",
    "division": r" / ", "modulo": r" % ", "negation": r"-\(", "forall": r"forall ",
    "exists": r"exists ", "two bindings": r"(forall|exists) \w+ in [^:]*, \w+ in",
    "update": r":= ", "implication": r"==>", "equivalence": r"<==>", "conditional": r" \? ",
    "none": r"none", "some": r"some\(", "record literal": r"P\{", "enum member": r"Color\.",
    "keys": r"keys\(", "values": r"values\(", "indices": r"indices\(", "size": r"size\(",
    "map literal": r"->", "set difference": r"\) - |[a-z] - [a-z{(]", "membership": r" !?in ",
    "duration literal": r"\d(ns|us)", "bytes": r'b"|by\b', "time arithmetic": r"tm [+-]",
    "user function": r"twice\(", "generic function": r"pick\(", "map of records": r"mp\b",
}


def test_generated_probes_are_well_typed_and_varied() -> None:
    cases = sample(seed=3, count=200)
    accepted = [c for c in cases if check_text(c.text, "probe.ebb").ok]
    assert len(accepted) >= 0.95 * len(cases)
    text = "\n".join(c.body for c in accepted)
    missing = [name for name, pattern in FEATURES.items() if not re.search(pattern, text)]
    assert not missing, f"the generator never produced: {missing}"
    assert {c.result for c in accepted} >= {"bool", "int", "u8", "u16", "set", "map", "seq",
                                             "opt", "P", "Color", "dur", "time", "bytes", "mapP"}
    defined = [c for c in accepted[:100] if checked_probe(c) is not None]
    assert len(defined) >= 80  # partial operations are mostly guarded


def test_most_probes_are_decided() -> None:
    """The random test passes only on what z3 decides: most probes must be decided."""
    assert decided_share(sample(seed=5, count=40)) >= 0.9


# ---------------------------------------------------------------------------- chosen probes

BASE_VALUES = {name: draw_value(RandomChooser(random.Random(0)), tag, ty)
               for name, (tag, ty) in PARAMS.items()}


def probe(body: str, result: str = "bool", **values: Any) -> Case:
    return Case(result, body, {**BASE_VALUES, **values})


REGRESSIONS = [  # the corners an encoding is most likely to cut, one probe each
    probe("0 <= i <= 10", i=11), probe("0 <= i <= 10", i=-1), probe("0 <= i <= 10", i=10),
    probe("i < j > k", i=1, j=3, k=2), probe("i == j == k", i=2, j=2, k=3),
    probe("i / j", "int", i=-7, j=2), probe("i % j", "int", i=-7, j=2),
    probe("i / j", "int", i=7, j=-2), probe("i % j", "int", i=7, j=-2),
    probe("i / j", "int", i=-7, j=-2), probe("i % j", "int", i=-7, j=-2),
    probe("-d / i", "dur", d=7, i=2), probe("-d % 2ns", "dur", d=7),
    probe("w + 10 < w", w=250), probe("-w", "u8", w=1), probe("w - v", "u8", w=3, v=5),
    probe("w * v / v", "u8", w=16, v=16), probe("h * g", "u16", h=256, g=256),
    probe("(w ^ 255) & v", "u8", w=0x0F, v=0x3C),
    probe("m[1 := 5] == m", m=FrozenMap({1: 5})), probe("m - s", "map", m=FrozenMap({1: 2, 3: 4}),
                                                      s=frozenset({1, 7})),
    probe("keys(m[4 := 0]) == s + {4}", m=FrozenMap({1: 2}), s=frozenset({1})),
    probe("values(m)", "set", m=FrozenMap({1: 2, 3: 2})),
    probe("q[0 := 9] + q", "seq", q=(1, 2)), probe("indices(q)", "set", q=(5, 5, 5)),
    probe("size(indices(q))", "int", q=(1, 2, 3)),
    probe("forall x in s: exists y in t: x < y", s=frozenset({1, 2}), t=frozenset({3})),
    probe("exists k in m: m[k] < 0", m=FrozenMap({1: 2, 2: -1})),
    probe("forall x in q: x in s", q=(1, 1, 2), s=frozenset({1, 2})),
    probe("o != none ==> o.value > 0 <==> flag", o=Some(3), flag=True),
    probe("size(s) + size(m) + size(q)", "int", s=frozenset({1, 2}), m=FrozenMap({0: 0}),
          q=(1, 1)),
    probe("P{y: p.x, x: p.y} == p", p=draw_value(RandomChooser(random.Random(1)), "P", "P")),
    probe("forall x in (flag ? s : t): x > 0", flag=True, s=frozenset({1}), t=frozenset({-1})),
]


@pytest.mark.parametrize("case", REGRESSIONS, ids=lambda c: c.body)
def test_z3_agrees_with_the_reference_on_chosen_probes(case: Case) -> None:
    results = outcomes(case)
    assert results, "these probes all have a value"
    problems = [describe(case, ref, o, bv) for bv, ref, o in results if not o.agrees]
    assert not problems, "\n".join(problems)


KNOWN_GAPS = [  # the encoder does not decide these yet: reported to the lead (see the report)
    pytest.param(probe("size(s + t)", "int", s=frozenset({1, 2}), t=frozenset({2, 3})),
                 marks=pytest.mark.xfail(strict=True, reason="the ghost size has no axiom for "
                                         "union, intersection or difference")),
]


@pytest.mark.parametrize("case", KNOWN_GAPS, ids=lambda c: c.body)
def test_known_gaps_of_the_encoder(case: Case) -> None:
    test_z3_agrees_with_the_reference_on_chosen_probes(case)


# ---------------------------------------------------------------------------- the test can fail

WRONG_REFERENCES = [  # a probe, and a value it does not have
    (probe("0 <= i <= 10", i=11), True), (probe("i / j", "int", i=-7, j=2), -4),
    (probe("w + 10", "u8", w=250), 5), (probe("s + t", "set", s=frozenset({1}), t=frozenset()),
                                        frozenset()),
]


@pytest.mark.parametrize("case, wrong", WRONG_REFERENCES, ids=lambda x: getattr(x, "body", ""))
def test_a_wrong_reference_is_a_disagreement(case: Case, wrong: Any) -> None:
    found = checked_probe(case)
    assert found is not None
    checked, right = found
    assert right != wrong
    assert z3_outcome(checked, case.values, right, False).verdict == "agree"
    outcome = z3_outcome(checked, case.values, wrong, False)
    assert outcome.verdict == "disagree" and outcome.z3_value == right, outcome


def caught(pattern: str, seed: int, limit: int = 400) -> list[str]:
    """Failures among generated probes whose text matches `pattern` (integer uN only)."""
    found: list[str] = []
    for case in sample(seed, limit):
        if re.search(pattern, case.body) and check_text(case.text, "probe.ebb").ok:
            found += failures(case, modes=(False,))
            if found:
                break
    return found


def test_a_chain_read_as_its_first_link_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    honest = _z3_expr._RULES[A.Compare]

    def first_link_only(enc: ExprEncoder, e: A.Compare, frame: Any) -> z3.ExprRef:
        return honest(enc, A.Compare(e.operands[:2], e.ops[:1], e.span), frame)

    monkeypatch.setitem(_z3_expr._RULES, A.Compare, first_link_only)
    assert failures(probe("0 <= i <= 10", i=11), modes=(False,))
    assert caught(FEATURES["chain of two or more comparisons"], seed=11)


def test_euclidean_division_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def euclidean(self: ExprEncoder, op: str, a: Any, b: Any, nonnegative_dividend: bool = False):
        return a / b if op == "/" else a % b

    monkeypatch.setattr(ExprEncoder, "divide", euclidean)
    assert failures(probe("i % j", "int", i=-7, j=2), modes=(False,))
    assert caught(r" [/%] ", seed=12)


def test_an_unconstrained_encoding_is_loose(monkeypatch: pytest.MonkeyPatch) -> None:
    def anything(self: ExprEncoder, op: str, a: Any, b: Any, nonnegative_dividend: bool = False):
        return z3.FreshInt("anything", self.ctx)

    monkeypatch.setattr(ExprEncoder, "divide", anything)
    (_, _, outcome), = outcomes(probe("i / j", "int", i=-7, j=2))
    assert outcome.verdict == "loose" and outcome.z3_value != -3
