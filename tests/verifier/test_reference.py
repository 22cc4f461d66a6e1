"""The reference evaluator against values computed by hand, one language rule at a time.

Each probe is the body of `func probe(...) -> T` in a tiny spec that `check_text` checks, so
the evaluator only ever sees well-typed, resolved expressions (as it does in real use)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ebbrt.spec import check_text
from ebbrt.verifier import Undefined, evaluate
from ebbrt.verifier._reference import decode_bytes_literal, truncating_div, truncating_mod
from ebbrt.verifier._values import NONE, EnumValue, FrozenMap, RecordValue, Some

PRELUDE = """
record P { "A point." x: int  y: int }
enum Color { "A color." Red, Green, Blue }
func opaque(x: int) -> int   "uninterpreted: the test supplies it"
"""


def value_of(expr: str, result: str = "bool", opaque: Any = None,
             **params: tuple[str, Any]) -> Any:
    """Check `expr` as the body of a function with `params` (name -> (type, value)) and
    evaluate it with those values (and `opaque` as the uninterpreted function)."""
    signature = ", ".join(f"{name}: {ty}" for name, (ty, _) in params.items())
    text = (PRELUDE + "ebb Probe shared {\n  \"Probes.\"\n"
            f"  func probe({signature}) -> {result} = {expr}   \"the probe\"\n}}\n")
    checked = check_text(text, "probe.ebb")
    assert checked.ok, [d.message for d in checked.diagnostics]
    body = checked.checked.ebb("Probe").funcs["probe"].decl.body
    env = {name: value for name, (_, value) in params.items()}
    if opaque is not None:
        env["opaque"] = opaque
    return evaluate(body, env, checked.checked)


def point(x: int, y: int) -> RecordValue:
    return RecordValue("P", (("x", x), ("y", y)))


# ---------------------------------------------------------------------------- integers

@pytest.mark.parametrize("a, b, quotient, remainder", [
    (7, 2, 3, 1), (-7, 2, -3, -1), (7, -2, -3, 1), (-7, -2, 3, -1), (6, 3, 2, 0), (-6, 3, -2, 0),
    (0, -5, 0, 0), (1, 7, 0, 1), (-1, 7, 0, -1),
])
def test_integer_division_truncates_toward_zero_like_cpp(a, b, quotient, remainder) -> None:
    args = {"a": ("int", a), "b": ("int", b)}
    assert value_of("a / b", "int", **args) == quotient
    assert value_of("a % b", "int", **args) == remainder


@given(st.integers(-10**6, 10**6), st.integers(-10**6, 10**6).filter(bool))
def test_division_identity(a: int, b: int) -> None:
    q, r = truncating_div(a, b), truncating_mod(a, b)
    assert a == q * b + r and abs(r) < abs(b) and (r == 0 or (r > 0) == (a > 0))


@pytest.mark.parametrize("expr", ["a / b", "a % b", "a / (b - b)"])
def test_division_by_zero_is_undefined(expr: str) -> None:
    with pytest.raises(Undefined):
        value_of(expr, "int", a=("int", 5), b=("int", 0))


def test_exact_integer_arithmetic_does_not_overflow() -> None:
    assert value_of("a * a * a", "int", a=("int", 2**40)) == 2**120
    assert value_of("-a - 1", "int", a=("int", 5)) == -6


def test_builtin_integer_functions() -> None:
    args = {"a": ("int", -7), "b": ("int", 3)}
    assert value_of("min(a, b)", "int", **args) == -7
    assert value_of("max(a, b)", "int", **args) == 3
    assert value_of("abs(a)", "int", **args) == 7
    assert value_of("pow2(b)", "int", **args) == 8
    assert value_of("log(b * 3)", "int", **args) == 3  # log2(9) rounded down
    with pytest.raises(Undefined):
        value_of("pow2(a)", "int", **args)
    with pytest.raises(Undefined):
        value_of("log(b - 3)", "int", **args)


# ---------------------------------------------------------------------------- machine words

@pytest.mark.parametrize("expr, w, v, expected", [
    ("w + v", 250, 10, 4), ("w - v", 3, 5, 254), ("w * v", 16, 16, 0), ("-w", 1, 0, 255),
    ("w / v", 200, 7, 28), ("w % v", 200, 7, 4), ("w & v", 0xF0, 0x3C, 0x30),
    ("w | v", 0xF0, 0x3C, 0xFC), ("w ^ v", 0xF0, 0x3C, 0xCC), ("w + 255", 1, 0, 0),
    ("w - 1", 0, 0, 255),
])
def test_u8_arithmetic_wraps_modulo_256(expr, w, v, expected) -> None:
    assert value_of(expr, "u8", w=("u8", w), v=("u8", v)) == expected


def test_u16_wraps_at_its_own_width() -> None:
    assert value_of("h + 1", "u16", h=("u16", 65535)) == 0
    assert value_of("h + 1", "u16", h=("u16", 255)) == 256
    assert value_of("h * h", "u16", h=("u16", 256)) == 0


def test_word_comparison_sees_the_wrapped_value() -> None:
    assert value_of("w + 10 < w", w=("u8", 250)) is True
    assert value_of("w + 10 < w", w=("u8", 5)) is False


def test_word_division_by_zero_is_undefined() -> None:
    with pytest.raises(Undefined):
        value_of("w / v", "u8", w=("u8", 1), v=("u8", 0))


# ---------------------------------------------------------------------------- comparisons

@pytest.mark.parametrize("r, expected", [(-1, False), (0, True), (5, True), (10, True),
                                         (11, False)])
def test_chained_comparison_is_a_conjunction(r: int, expected: bool) -> None:
    assert value_of("0 <= r <= 10", r=("int", r)) is expected


@pytest.mark.parametrize("a, b, c, expected", [(1, 3, 2, True), (1, 3, 4, False),
                                               (3, 3, 1, False), (1, 2, 2, False)])
def test_mixed_chain(a, b, c, expected) -> None:
    assert value_of("a < b > c != a", a=("int", a), b=("int", b), c=("int", c)) is expected


def test_chain_evaluates_each_operand_once() -> None:
    calls: list[int] = []

    def counted(x: int) -> int:
        calls.append(x)
        return x * 2

    assert value_of("0 <= opaque(a) <= 10", a=("int", 3), opaque=counted) is True
    assert calls == [3]


def test_chain_stops_at_the_first_false_link() -> None:
    m = FrozenMap()
    assert value_of("a < 0 < m[a]", a=("int", 1), m=("map<int, int>", m)) is False
    with pytest.raises(Undefined):
        value_of("a > 0 < m[a]", a=("int", 1), m=("map<int, int>", m))


# ---------------------------------------------------------------------------- logic

@pytest.mark.parametrize("p, q", [(False, False), (False, True), (True, False), (True, True)])
def test_implication_and_equivalence_truth_tables(p: bool, q: bool) -> None:
    args = {"p": ("bool", p), "q": ("bool", q)}
    assert value_of("p ==> q", **args) is ((not p) or q)
    assert value_of("p <==> q", **args) is (p == q)
    assert value_of("p && q || !p", **args) is ((p and q) or not p)


def test_short_circuit_operators_guard_definedness() -> None:
    args = {"k": ("int", 4), "m": ("map<int, int>", FrozenMap({1: 2}))}
    assert value_of("k in m && m[k] > 0", **args) is False
    assert value_of("k !in m || m[k] > 0", **args) is True
    assert value_of("k in m ==> m[k] > 0", **args) is True
    assert value_of("k in m ? m[k] : -1", "int", **args) == -1
    with pytest.raises(Undefined):
        value_of("(k in m) <==> m[k] > 0", **args)


# ---------------------------------------------------------------------------- collections

S = "set<int>"


def test_set_operators() -> None:
    args = {"s": (S, frozenset({1, 2, 3})), "t": (S, frozenset({3, 4}))}
    assert value_of("s + t", S, **args) == frozenset({1, 2, 3, 4})
    assert value_of("s - t", S, **args) == frozenset({1, 2})
    assert value_of("s & t", S, **args) == frozenset({3})
    assert value_of("size(s + t)", "nat", **args) == 4
    assert value_of("{3} <= t && {3} < t && !(t < t) && t <= t", **args) is True
    assert value_of("s >= {1, 2} && !(s <= t)", **args) is True
    assert value_of("2 in s && 2 !in t && {} == s - s", **args) is True
    assert value_of("{1, 2, 2} == {2, 1}", **args) is True


def test_map_operators_and_updates() -> None:
    m = FrozenMap({1: 10, 2: 20})
    args = {"m": ("map<int, int>", m)}
    assert value_of("m[3 := 30]", "map<int, int>", **args) == FrozenMap({1: 10, 2: 20, 3: 30})
    assert value_of("m[1 := 0]", "map<int, int>", **args) == FrozenMap({1: 0, 2: 20})
    assert value_of("m - {1, 7}", "map<int, int>", **args) == FrozenMap({2: 20})
    assert value_of("keys(m)", S, **args) == frozenset({1, 2})
    assert value_of("values(m[2 := 10])", S, **args) == frozenset({10})
    assert value_of("size(m) == 2 && 1 in m && 10 !in m && m[2] == 20", **args) is True
    assert value_of("m == {2 -> 20, 1 -> 10} && m != {}", **args) is True
    assert value_of("{1 -> 1, 1 -> 2}", "map<int, int>", **args) == FrozenMap({1: 2})
    with pytest.raises(Undefined):
        value_of("m[3]", "int", **args)


def test_sequence_operators_and_updates() -> None:
    args = {"q": ("seq<int>", (5, 6, 7))}
    assert value_of("q[1]", "int", **args) == 6
    assert value_of("q[0 := 9]", "seq<int>", **args) == (9, 6, 7)
    assert value_of("q + [8] + []", "seq<int>", **args) == (5, 6, 7, 8)
    assert value_of("indices(q)", S, **args) == frozenset({0, 1, 2})
    assert value_of("size(q) == 3 && 7 in q && 0 !in q", **args) is True
    for partial in ("q[3]", "q[-1]", "q[3 := 0][0]"):
        with pytest.raises(Undefined):
            value_of(partial, "int", **args)


def test_bytes() -> None:
    args = {"b": ("bytes", b"ab")}
    assert value_of('b + b"c"', "bytes", **args) == b"abc"
    assert value_of('size(b"a\\x00\\n")', "nat", **args) == 3
    assert value_of("b[1]", "u8", **args) == 98
    assert decode_bytes_literal(r'b"\"\\\t\u00e9"') == b'"\\\t\xc3\xa9'


# ---------------------------------------------------------------------------- values

def test_options() -> None:
    some, none = ("option<int>", Some(4)), ("option<int>", NONE)
    assert value_of("o.value + 1", "int", o=some) == 5
    assert value_of("o == some(4) && o != none", o=some) is True
    assert value_of("o == none", o=none) is True
    assert value_of("some(3)", "option<int>", o=none) == Some(3)
    with pytest.raises(Undefined):
        value_of("o.value", "int", o=none)


def test_records_are_built_in_declaration_order() -> None:
    args = {"p": ("P", point(1, 2))}
    assert value_of("P{y: p.x, x: p.y}", "P", **args) == point(2, 1)
    assert value_of("p == P{y: 2, x: 1} && p.y - p.x == 1", **args) is True


def test_enums() -> None:
    args = {"c": ("Color", EnumValue("Color", "Green"))}
    assert value_of("c == Color.Green && c != Color.Red", **args) is True
    assert value_of("Color.Blue", "Color", **args) == EnumValue("Color", "Blue")


def test_durations_are_nanoseconds_and_divide_like_integers() -> None:
    args = {"d": ("duration", 7), "k": ("int", 2)}
    assert value_of("d + 3us", "duration", **args) == 3007
    assert value_of("-d / k", "duration", **args) == -3
    assert value_of("-d % 2ns", "duration", **args) == -1
    assert value_of("1ms / d", "int", **args) == 142857
    assert value_of("d * k == 14ns && 1s == 1000ms", **args) is True


# ---------------------------------------------------------------------------- quantifiers

def test_quantifiers_range_over_elements_keys_and_positions() -> None:
    args = {"s": (S, frozenset({1, 2, 3})), "m": ("map<int, int>", FrozenMap({1: 5, -1: 5})),
            "q": ("seq<int>", (4, 4))}
    assert value_of("forall x in s: x > 0", **args) is True
    assert value_of("exists x in s: x > 2", **args) is True
    assert value_of("forall k in m: m[k] == 5 && k != 0", **args) is True
    assert value_of("forall x in q: x == 4", **args) is True
    assert value_of("forall i in indices(q): q[i] == 4", **args) is True
    assert value_of("forall x in s, y in s: x < y ==> y - x <= 2", **args) is True
    assert value_of("exists x in s, y in m: x + y == 0", **args) is True


def test_quantifiers_over_empty_collections() -> None:
    args = {"s": (S, frozenset())}
    assert value_of("forall x in s: false", **args) is True
    assert value_of("exists x in s: true", **args) is False


def test_later_binding_ranges_over_an_earlier_binder() -> None:
    args = {"m": ("map<int, set<int>>", FrozenMap({1: frozenset({1, 2}), 2: frozenset({5})}))}
    assert value_of("forall k in m, x in m[k]: x >= k", **args) is True
    assert value_of("exists k in m, x in m[k]: x == k + 3", **args) is True


def test_quantifier_with_an_undefined_body_is_undefined() -> None:
    args = {"s": (S, frozenset({0, 1})), "k": ("int", 1)}
    with pytest.raises(Undefined):
        value_of("forall x in s: k / x > 5", **args)  # false at x = 1, undefined at x = 0


def test_binders_shadow_outer_names() -> None:
    assert value_of("forall x in s: x in s", x=("int", 99), s=(S, frozenset({1}))) is True


# ---------------------------------------------------------------------------- functions, old

FUNCS = """
func double(x: int) -> int = 2 * x   "twice x"
func fact(n: int) -> int = n <= 1 ? 1 : n * fact(n - 1)   "n!"
func forever(n: int) -> int = forever(n)   "never returns"
ebb Counter shared {
  "Counts."
  model count: int = 0   "the count"
  op bump(by: int)
    "Adds `by`."
    modifies count
    ensures count == old(count) + double(by) && old(count + by) == old(count) + by
  op touch()
    "Records when, and checks where."
    modifies count
    ensures count == old(count) + 1 && now - 1us >= 0us && this_core < ncores
}
"""


def test_functions_and_old_state() -> None:
    result = check_text(FUNCS, "funcs.ebb")
    assert result.ok
    checked = result.checked
    ensures = checked.ebb("Counter").ops["bump"].decl.clauses[1].expr
    assert evaluate(ensures, {"count": 7, "by": 2}, checked, pre={"count": 3}) is True
    assert evaluate(ensures, {"count": 8, "by": 2}, checked, pre={"count": 3}) is False
    with pytest.raises(KeyError, match="pre-state"):
        evaluate(ensures, {"count": 7, "by": 2}, checked)
    fact = next(f for m in checked.modules.values() for n, f in m.funcs.items() if n == "fact")
    forever = next(f for m in checked.modules.values() for n, f in m.funcs.items()
                   if n == "forever")
    assert evaluate(fact.decl.body, {"n": 5}, checked) == 120
    with pytest.raises(Undefined, match="recurses"):
        evaluate(forever.decl.body, {"n": 1}, checked)


def test_builtin_values_come_from_the_environment() -> None:
    result = check_text(FUNCS, "funcs.ebb")
    ensures = result.checked.ebb("Counter").ops["touch"].decl.clauses[1].expr
    env = {"count": 1, "now": 5_000, "this_core": 1, "ncores": 2}
    assert evaluate(ensures, env, result.checked, pre={"count": 0}) is True
    assert evaluate(ensures, {**env, "this_core": 2}, result.checked, pre={"count": 0}) is False
    assert evaluate(ensures, {**env, "now": 999}, result.checked, pre={"count": 0}) is False


def test_a_missing_value_is_a_key_error_naming_it() -> None:
    result = check_text(FUNCS, "funcs.ebb")
    ensures = result.checked.ebb("Counter").ops["bump"].decl.clauses[1].expr
    with pytest.raises(KeyError, match="by"):
        evaluate(ensures, {"count": 7}, result.checked, pre={"count": 3})


@pytest.mark.parametrize("expr, expected", [
    ("range(2, 5)", frozenset({2, 3, 4})),
    ("range(5, 2)", frozenset()),
    ("range(-2, 0)", frozenset({-2, -1})),
])
def test_range_is_the_half_open_interval(expr: str, expected: frozenset) -> None:
    assert value_of(expr, "set<int>") == expected
