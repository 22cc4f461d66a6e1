"""The z3 encoding of expressions: exact language semantics, definedness, values in and out.

Each case is the body of a `func probe(...)`, checked with `check_text`; its parameters are
bound to literals, and z3 must agree that the body has exactly the expected value.
"""

from __future__ import annotations

from typing import Any

import pytest
import z3

from ebbrt.spec import check_text
from ebbrt.spec._types import IntType
from ebbrt.verifier import Env, ExprEncoder, Unsupported
from ebbrt.verifier._values import (NONE, EnumValue, FrozenMap, Handle, RecordValue, Some,
                                    show)
from ebbrt.verifier._z3_decode import Decoder
from ebbrt.verifier._z3_sorts import Sorts

PRELUDE = '''
handle Hook "a hook"
enum Color { "a color" Red, Green }
record Arm { "an arm" due: time "d" period: duration "p" core: core "c" }
'''


def probe(signature: str, body: str) -> tuple[Any, Any, ExprEncoder]:
    """Check `func probe<signature> = body` and return (its symbol, checked, an encoder)."""
    result = check_text(f'{PRELUDE}\nfunc probe{signature} = {body} "probe"\n')
    assert result.ok, result.render()
    fn = result.checked.modules["<input>"].funcs["probe"]
    return fn, result.checked, ExprEncoder(result.checked)


def has_value(signature: str, body: str, expected: Any, **args: Any) -> bool:
    """Whether z3 shows that the body, with the parameters bound to `args`, can only be
    `expected` (no model evaluates the body: z3's models cannot evaluate quantifiers)."""
    fn, _, enc = probe(signature, body)
    consts = {p.name: enc.var(p.name, p.type) for p in fn.params}
    term = enc.encode(fn.decl.body, Env(consts))
    bound = [consts[p.name] == enc.literal(args[p.name], p.type) for p in fn.params]
    different = enc.solver(*bound, term != enc.literal(expected, fn.result))
    same = enc.solver(*bound, term == enc.literal(expected, fn.result))
    return different.check() == z3.unsat and same.check() == z3.sat


@pytest.mark.parametrize(("r", "expected"), [(-1, False), (0, True), (10, True), (11, False)])
def test_chained_comparison_is_a_conjunction(r: int, expected: bool) -> None:
    assert has_value("(r: int) -> bool", "0 <= r <= 10", expected, r=r)


@pytest.mark.parametrize(("a", "b", "quotient", "remainder"), [
    (7, 2, 3, 1), (-7, 2, -3, -1), (7, -2, -3, 1), (-7, -2, 3, -1), (6, 3, 2, 0)])
def test_division_truncates_toward_zero_like_cpp(a: int, b: int, quotient: int,
                                                 remainder: int) -> None:
    assert has_value("(a: int, b: int) -> int", "a / b", quotient, a=a, b=b)
    assert has_value("(a: int, b: int) -> int", "a % b", remainder, a=a, b=b)


def test_machine_words_wrap_around() -> None:
    assert has_value("(w: u8) -> u8", "w + 10", 4, w=250)
    assert has_value("(w: u8) -> u8", "w - 1", 255, w=0)
    assert has_value("(w: u8) -> u8", "w * 16", 16, w=17)
    assert has_value("(w: u8, v: u8) -> u8", "w & v | 1", 9, w=12, v=10)
    assert has_value("(w: u16) -> u16", "-w", 65535, w=1)


def test_maps_sets_and_sequences() -> None:
    m = FrozenMap({1: 10, 2: 20})
    assert has_value("(m: map<int, int>) -> map<int, int>", "m[3 := 30] - {1}",
                     FrozenMap({2: 20, 3: 30}), m=m)
    assert has_value("(m: map<int, int>) -> set<int>", "keys(m)", frozenset({1, 2}), m=m)
    assert has_value("(m: map<int, int>) -> bool", "10 in values(m) && 30 !in values(m)",
                     True, m=m)
    assert has_value("(s: set<int>) -> nat", "size(s + {4})", 3, s=frozenset({1, 4, 5}))
    assert has_value("(s: set<int>, t: set<int>) -> set<int>", "s & t - {3}", frozenset({2}),
                     s=frozenset({1, 2, 3}), t=frozenset({2, 3}))
    assert has_value("(q: seq<int>) -> seq<int>", "q[1 := 9] + [4]", (1, 9, 3, 4), q=(1, 2, 3))
    assert has_value("(q: seq<int>) -> bool", "forall i in indices(q): q[i] > 0", True,
                     q=(1, 2))
    assert has_value("(q: seq<int>) -> bool", "exists x in q: x > 2", False, q=(1, 2))


def test_options_records_enums_and_conditionals() -> None:
    assert has_value("(o: option<int>) -> int", "o != none ? o.value : -1", 5, o=Some(5))
    assert has_value("(o: option<int>) -> int", "o != none ? o.value : -1", -1, o=NONE)
    arm = RecordValue("Arm", (("due", 5000), ("period", 0), ("core", 1)))
    assert has_value("(a: Arm) -> core", "a.core", 1, a=arm)
    assert has_value("(c: Color) -> bool", "c == Color.Green", True,
                     c=EnumValue("Color", "Green"))


def test_quantifier_over_map_keys_with_handles() -> None:
    arms = FrozenMap({Handle("Hook", 1): RecordValue("Arm", (("due", 0), ("period", 0),
                                                              ("core", 3)))})
    assert has_value("(m: map<Hook, Arm>) -> bool", "forall h in m: m[h].core < 2", False,
                     m=arms)


def test_old_reads_the_pre_state() -> None:
    result = check_text('ebb C shared { "c"  model n: int = 0 "n"\n'
                        '  op inc() "i" modifies n ensures n == old(n) + 1 }\n')
    ebb = result.checked.ebb("C")
    enc = ExprEncoder(result.checked)
    pre, post = z3.Int("pre", enc.ctx), z3.Int("post", enc.ctx)
    ensures = ebb.ops["inc"].decl.clauses[1].expr
    term = enc.encode(ensures, Env({"n": post}, old={"n": pre}))
    s = enc.solver()
    s.add(term, pre == 4, post != 5)
    assert s.check() == z3.unsat


def test_definedness_follows_short_circuits() -> None:
    fn, _, enc = probe("(m: map<int, int>, k: int, d: int) -> bool",
                       "(k in m && m[k] > 0) || 10 / d > 1")
    consts = {p.name: enc.var(p.name, p.type) for p in fn.params}
    defined = enc.defined(fn.decl.body, Env(consts))
    s = enc.solver()
    s.add(z3.Not(defined), consts["d"] != 0)  # undefined only when the division is evaluated
    assert s.check() == z3.unsat
    s = enc.solver()
    s.add(z3.Not(defined))
    assert s.check() == z3.sat
    fn, _, enc = probe("(m: map<int, int>, k: int) -> int", "m[k]")
    consts = {p.name: enc.var(p.name, p.type) for p in fn.params}
    present = enc.sorts.option(IntType()).is_some(consts["m"][consts["k"]])
    s = enc.solver()
    s.add(enc.defined(fn.decl.body, Env(consts)), z3.Not(present))
    assert s.check() == z3.unsat  # `m[k]` is defined only for a present key


def test_recursive_function_is_unsupported_with_its_name() -> None:
    fn, _, enc = probe("(n: nat) -> nat", "n == 0 ? 0 : probe(n - 1)")
    with pytest.raises(Unsupported) as caught:
        enc.encode(fn.decl.body, Env({"n": enc.var("n", fn.params[0].type)}))
    assert "recursive function `probe`" in caught.value.construct
    assert caught.value.span.line > 0


def test_unbound_name_is_unsupported() -> None:
    fn, _, enc = probe("(n: int) -> int", "n + 1")
    with pytest.raises(Unsupported, match="unbound name `n`"):
        enc.encode(fn.decl.body, Env({}))


def test_uninterpreted_sort_elements_print_by_first_appearance() -> None:
    fn, _, enc = probe("(a: Hook, b: Hook, m: map<Hook, int>) -> bool", "a != b && b in m")
    consts = {p.name: enc.var(p.name, p.type) for p in fn.params}
    s = enc.solver()
    s.add(enc.encode(fn.decl.body, Env(consts)))
    assert s.check() == z3.sat
    decoder = Decoder(enc, s.model())
    shown = [show(decoder.value(consts[p.name], p.type)) for p in fn.params]
    assert shown[:2] == ["h1", "h2"]
    assert "h2 ->" in shown[2]


@pytest.mark.parametrize(("signature", "value"), [
    ("(x: map<Hook, Arm>) -> bool",
     FrozenMap({Handle("Hook", 1): RecordValue("Arm", (("due", 5000), ("period", 0),
                                                        ("core", 1)))})),
    ("(x: seq<option<Color>>) -> bool", (Some(EnumValue("Color", "Red")), NONE)),
    ("(x: bytes) -> bool", b"GET \x00"),
    ("(x: set<nat>) -> bool", frozenset({0, 7})),
])
def test_literals_decode_to_what_they_encode(signature: str, value: Any) -> None:
    fn, _, enc = probe(signature, "true")
    t = fn.params[0].type
    x = enc.var("x", t)
    s = enc.solver()
    s.add(x == enc.literal(value, t))
    assert s.check() == z3.sat
    assert enc.decode(x, t, s.model()) == value or show(enc.decode(x, t, s.model())) \
        == show(value)


def test_timer_counterexample_prints_in_spec_terms() -> None:
    fn, _, enc = probe("(armed: map<Hook, Arm>) -> bool", "true")
    t = fn.params[0].type
    armed = enc.var("armed", t)
    s = enc.solver()
    arm = RecordValue("Arm", (("due", 5000), ("period", 0), ("core", 1)))
    s.add(armed == enc.literal(FrozenMap({Handle("Hook", 1): arm}), t))
    assert s.check() == z3.sat
    from ebbrt.verifier._values import Duration, Time
    decoded = enc.decode(armed, t, s.model(), display=True)
    assert show(decoded) == "{h1 -> Arm{due: 5us, period: 0us, core: 1}}"
    assert isinstance(next(iter(decoded.values()))["due"], Time)
    assert isinstance(next(iter(decoded.values()))["period"], Duration)


def test_wraparound_rule_picks_bitvectors_only_for_word_arithmetic() -> None:
    _, checked, enc = probe("(w: u8) -> bool", "w == 3")
    assert not enc.sorts.bitvectors
    _, checked, enc = probe("(w: u8) -> u8", "w + 1")
    assert enc.sorts.bitvectors


def test_ranges_of_types_are_well_formedness() -> None:
    fn, _, enc = probe("(m: map<nat, int[1..3]>) -> bool", "true")
    t = fn.params[0].type
    m = enc.var("m", t)
    s = enc.solver()
    s.add(enc.wf(m, t), enc.sorts.option(IntType(1, 3)).is_some(m[-1]))
    assert s.check() == z3.unsat
    assert isinstance(enc.sorts, Sorts)
