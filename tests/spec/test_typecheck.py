"""The type checker: the type of each kind of expression, the diagnostics of ill-typed ones,
and what `Checked` records for later passes (types and references by node)."""

from __future__ import annotations

import dataclasses
import typing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ebbrt.spec import (CheckResult, EbbSymbol, EnumSymbol, EventSymbol, FuncSymbol, OpSymbol,
                        RecordSymbol, VarSymbol, ast as A, check_paths, check_text)
from ebbrt.spec import BUILTIN_FUNCTIONS, BuiltinFunction, Diagnostic

# Every probe below is the argument of `probe(...)`, in an ensures clause of `op f`, where
# these names are in scope.
PRELUDE = """
handle H
handle Slot<T>
enum Color { Red, Green }
record Pair<A, B> { first: A, second: B }
record Point { x: int, y: int }
message Ping { seq: u32 = 1 }
func probe<X>(x: X) -> bool
func ident<T>(x: T) -> T = x
func pair<A, B>(a: A, b: B) -> Pair<A, B> = Pair{first: a, second: b}
ebb E<K> shared {
  model n: nat
  model i: int
  model r: int[0..9]
  model w: u8
  model t: time
  model d: duration
  model c: core
  model b: bool
  model s: set<int>
  model m: map<K, int>
  model q: seq<nat>
  model o: option<K>
  model h: H
  model by: bytes
  model col: Color
  model p: Point
  op f(k: K) -> out: nat
    ensures probe(%s)
}
"""


def found(result: CheckResult) -> list[Diagnostic]:
    """The diagnostics less W401: these short specs leave out doc strings on purpose
    (test_resolve.py covers W401)."""
    return [d for d in result.diagnostics if d.code != "W401"]


def probe(expr: str) -> tuple[str, CheckResult]:
    result = check_text(PRELUDE % expr, "probe.ebb")
    op = result.checked.ebb("E").ops["f"]
    ensures = next(c for c in op.decl.clauses if isinstance(c, A.Ensures))
    assert isinstance(ensures.expr, A.Call)
    return str(result.checked.type_of(ensures.expr.args[0])), result


TYPES = [
    ("n", "nat"), ("i", "int"), ("r", "int[0..9]"), ("w", "u8"), ("c", "core"),
    ("1", "nat"), ("-1", "int"), ("0x10", "nat"), ("5us", "duration"), ("true", "bool"),
    ("none", "option<_>"), ("{}", "{}"), ("[]", "seq<_>"),
    ("n + n", "nat"), ("n - n", "int"), ("n * r", "nat"), ("n / 2", "nat"), ("i % 2", "int"),
    ("n + c", "nat"), ("-n", "int"), ("w + 1", "u8"), ("1 + w", "u8"), ("w & 0xf", "u8"),
    ("w | w", "u8"), ("w ^ 1", "u8"), ("-w", "u8"),
    ("t + d", "time"), ("d + t", "time"), ("t - d", "time"), ("t - t", "duration"),
    ("d + d", "duration"), ("d - 1ms", "duration"), ("d * 2", "duration"),
    ("3 * d", "duration"), ("d / 2", "duration"), ("d / d", "int"), ("d % 1ms", "duration"),
    ("now", "time"), ("this_core", "core"), ("ncores", "nat"), ("-d", "duration"),
    ("s + s", "set<int>"), ("s - {1}", "set<int>"), ("s & s", "set<int>"),
    ("m - {k}", "map<K, int>"), ("q + [1]", "seq<nat>"), ("by + by", "bytes"),
    ("by[0]", "u8"), ("m[k]", "int"), ("q[0]", "nat"), ("m[k := 1]", "map<K, int>"),
    ("q[0 := 5]", "seq<nat>"), ("{1, 2}", "set<nat>"), ("{1, -1}", "set<int>"),
    ("{k -> true}", "map<K, bool>"), ("[w, 1]", "seq<u8>"),
    ("o.value", "K"), ("p.x", "int"), ("Color.Red", "Color"), ("col", "Color"),
    ("Point{x: 1, y: 2}", "Point"), ("Pair{first: k, second: w}", "Pair<K, u8>"),
    ("Ping{seq: 3}", "Ping"), ("Ping{seq: 3}.seq", "u32"),
    ("size(s)", "nat"), ("size(m)", "nat"), ("size(q)", "nat"), ("size(by)", "nat"),
    ("keys(m)", "set<K>"), ("values(m)", "set<int>"), ("indices(q)", "set<nat>"),
    ("some(k)", "option<K>"), ("some(w)", "option<u8>"), ("min(n, n)", "nat"),
    ("min(n, i)", "int"), ("max(n, i)", "nat"), ("max(d, 1ms)", "duration"),
    ("min(t, t)", "time"), ("abs(i)", "nat"), ("abs(d)", "duration"), ("log(n)", "int"),
    ("pow2(n)", "nat"), ("ident(k)", "K"), ("ident(Color.Red)", "Color"),
    ("pair(k, true)", "Pair<K, bool>"), ("pair(k, true).second", "bool"),
    ("b ? 1 : 2", "nat"), ("b ? n : i", "int"), ("b ? none : o", "option<K>"),
    ("b ? {} : s", "set<int>"), ("old(n)", "nat"), ("out", "nat"),
    ("n < i <= r", "bool"), ("k in m", "bool"), ("1 !in s", "bool"), ("s <= s", "bool"),
    ("forall x in s: x > 0", "bool"), ("exists x in m: x == k", "bool"),
    ("forall x in q, y in s: x == y", "bool"), ("b ==> b <==> !b", "bool"),
]


@pytest.mark.parametrize("expr, expected", TYPES, ids=[t[0] for t in TYPES])
def test_expression_type(expr: str, expected: str) -> None:
    actual, result = probe(expr)
    assert found(result) == [], result.render()
    assert actual == expected


ERRORS = [
    ("n + b", "E300"), ("w + 256", "E300"), ("w + n", "E300"), ("n | n", "E300"),
    ("s | s", "E300"), ("-b", "E300"), ("h < h", "E300"), ("col < col", "E300"),
    ("b == 1", "E300"), ("s == {true}", "E300"), ("m[1]", "E300"), ("q[true]", "E300"),
    ("o.val", "E207"), ("p.z", "E207"), ("Color.Blue", "E207"), ("Point{x: 1}", "E207"),
    ("Point{x: 1, y: 2, x: 3}", "E207"), ("Point{x: 1, y: 2, z: 3}", "E207"),
    ("n.x", "E300"), ("n[0]", "E308"), ("n[0 := 1]", "E308"), ("1 in n", "E307"),
    ("forall x in n: true", "E307"), ("forall x in s: x", "E304"), ("!n", "E304"),
    ("n && b", "E304"), ("n ? 1 : 2", "E304"), ("b ? 1 : true", "E300"),
    ("d + 1", "E306"), ("d == 0", "E306"), ("t + t", "E306"), ("d + n", "E306"),
    ("d < n", "E306"), ("d * d", "E306"), ("t - 5", "E306"), ("min(d, 1)", "E306"),
    ("size(n)", "E300"), ("size(s, s)", "E303"), ("keys(s)", "E300"), ("indices(s)", "E300"),
    ("values(q)", "E300"), ("abs(b)", "E300"), ("log(b)", "E300"), ("min(n, b)", "E300"),
    ("ident(1, 2)", "E303"), ("nosuch(1)", "E210"), ("f(k)", "E210"), ("Point(1)", "E210"),
    ("H", "E300"), ("probe", "E300"), ("Color", "E300"), ("f", "E300"), ("zzz", "E200"),
    ("old(old(n))", "E301"), ("Pointt{x: 1}", "E202"), ("H{x: 1}", "E300"),
    ("now + 0", "E306"), ("{1, true}", "E300"), ("[1, b]", "E300"),
    ("1 in s !in s", "E317"), ("n < i in s", "E317"), ("k in m == b", "E317"),
    ("1 in s in s", "E317"),
]


@pytest.mark.parametrize("expr, code", ERRORS, ids=[e[0] for e in ERRORS])
def test_ill_typed_expression(expr: str, code: str) -> None:
    _, result = probe(expr)
    assert [d.code for d in found(result)] == [code], result.render()
    assert found(result)[0].span.line == PRELUDE.count("\n", 0, PRELUDE.index("%s")) + 1


def test_error_type_stops_cascades() -> None:
    # one unknown name deep inside an expression gives one diagnostic, not one per operator
    _, result = probe("((zzz + 1) * 2 == n && size(zzz) > 0) ? zzz[1] : zzz.f")
    assert [d.code for d in found(result)] == ["E200"] * 4


def test_did_you_mean_hints() -> None:
    result = check_text("""
        enum Color { Red, Green }
        record Point { x: int, y: int }
        ebb T shared {
          model armed: set<nat>
          model count: nat
          op f(p: Point) requires 1 in armd && p.z == 1 && Color.Gren == Color.Red
            modifies cuont
            ensures sise(armed) == 0 && Colr.Red == Color.Red
        }""")
    hints = {d.message: d.hint for d in found(result)}
    assert hints == {
        "unknown name `armd`": "did you mean `armed`?",
        "`Point` has no field `z`": "its fields: `x`, `y`",
        "enum `Color` has no member `Gren`": "did you mean `Green`?",
        "`cuont` is not a model field of `T`": "did you mean `count`?",
        "unknown function `sise`": "did you mean `size`?",
        "unknown name `Colr`": "did you mean `Color`?",
    }


def test_chained_membership_hint_spells_out_the_chain() -> None:
    _, result = probe("n < i in s")
    (d,) = found(result)
    assert d.message == "`in` cannot be chained with another comparison"
    assert d.hint == ("the chain would mean `n < i && i in s`; write the tests you mean "
                      "joined by `&&`")
    assert (d.span.column, d.span.end_column) == (19, 29)


@pytest.mark.parametrize("chain", ["0 <= n <= 10", "n == i == r", "i != n != r",
                                   "s <= s < s", "(1 in s) == (2 !in s)"])
def test_ordering_and_equality_chains_stay_allowed(chain: str) -> None:
    actual, result = probe(chain)
    assert (actual, found(result)) == ("bool", []), result.render()


def test_returns_and_case_returns_conflict_in_either_order() -> None:
    for clauses in ("returns 1 cases { case a when true returns 2 }",
                    "cases { case a when true returns 2 } returns 1"):
        result = check_text(f"ebb T shared {{ op f() -> nat {clauses} }}")
        (d,) = found(result)
        assert (d.code, d.message) == ("E315", "`f` gives its result twice: in this returns "
                                               "clause and in case `a`")
        assert result.sources["<input>"][d.span.start:d.span.end] == "returns 1"


def test_refinement_compares_signatures_with_the_bundled_unordered_set() -> None:
    """KeySet refines UnorderedSet<K> (bundled): it checks clean as shipped, and changing one
    result type or dropping one operation is reported against UnorderedSet's signature."""
    from ebbrt.ebbs import library_dir

    path = library_dir() / "key_set.ebb"
    text = path.read_text(encoding="utf-8")
    assert found(check_text(text, str(path))) == []
    changed = text.replace("op erase(k: K) -> nat", "op erase(k: K) -> bool", 1)
    changed = changed.replace("returns k in old(present) ? 1 : 0", "returns k in old(present)")
    changed = changed.replace("op clear()", "op clear_all()", 1)
    assert changed.count("bool") > text.count("bool") and "clear_all" in changed
    messages = sorted((d.code, d.message) for d in found(check_text(changed, str(path))))
    assert messages == [
        ("E316", "`KeySet` does not declare an operation `clear()` of `UnorderedSet<K>`"),
        ("E316", "the result of `erase` is `bool`, not `nat` as in the refined Ebb"),
    ]


def test_int_literal_as_duration_hints_the_unit() -> None:
    result = check_text("ebb T per_core { model d: duration  invariant d >= 0 }")
    (d,) = found(result)
    assert (d.code, d.hint) == ("E306", "give it a unit: write 0us (or ns, ms, s)")


def test_context_fills_empty_literals() -> None:
    text = "ebb T shared { model m: map<nat, bool> = {}  model s: set<nat> = {}  " \
           "model o: option<bool> = none  invariant m == {} && {} == s && o != none }"
    result = check_text(text)
    assert result.ok, result.render()
    ebb = result.checked.ebb("T")
    inits = [m.init for m in ebb.decl.members if isinstance(m, A.ModelDecl)]
    assert [str(result.checked.type_of(e)) for e in inits] == [
        "map<nat, bool>", "set<nat>", "option<bool>"]
    invariant = next(m for m in ebb.decl.members if isinstance(m, A.InvariantDecl))
    compares = [n for n in _walk(invariant) if isinstance(n, A.Compare)]
    empties = [result.checked.type_of(c.operands[i]) for c in compares
               for i, x in enumerate(c.operands) if isinstance(x, (A.EmptyLit, A.NoneLit))]
    assert sorted(str(t) for t in empties) == ["map<nat, bool>", "option<bool>", "set<nat>"]


def test_refs_record_what_names_mean() -> None:
    result = check_text("""
        enum Color { Red, Green }
        record Point { x: int, y: int }
        func twice(n: int) -> int = n * 2
        ebb T shared {
          model count: nat
          op f(p: Point) -> r: int
            ensures r == twice(count) + p.x && Color.Red != Color.Green
            ensures forall z in {1}: z == size({2})
        }""")
    checked = result.checked
    op = checked.ebb("T").ops["f"]
    assert isinstance(op, OpSymbol) and [v.name for v in op.params] == ["p"]
    names = {(n.id, type(checked.ref(n)).__name__, getattr(checked.ref(n), "kind", None))
             for c in op.decl.clauses for n in _walk(c) if isinstance(n, A.Name)}
    assert names == {("r", "VarSymbol", "result"), ("count", "VarSymbol", "model"),
                     ("p", "VarSymbol", "param"), ("Color", "EnumSymbol", None),
                     ("z", "VarSymbol", "binder")}
    calls = {n.func.text: checked.ref(n) for c in op.decl.clauses for n in _walk(c)
             if isinstance(n, A.Call)}
    assert isinstance(calls["twice"], FuncSymbol)
    assert calls["size"] is BUILTIN_FUNCTIONS["size"]
    members = [n for c in op.decl.clauses for n in _walk(c) if isinstance(n, A.FieldAccess)
               and isinstance(checked.ref(n), EnumSymbol)]
    assert sorted(m.field.text for m in members) == ["Green", "Red"]
    model = checked.ebb("T").model["count"]
    assert isinstance(model, VarSymbol) and str(model.type) == "nat"
    assert checked.symbol(model.decl) is model


def test_symbol_tables_of_an_ebb() -> None:
    result = check_paths([_GOOD])
    assert result.ok, result.render()
    ebb = result.checked.ebb("Concrete")
    assert isinstance(ebb, EbbSymbol) and ebb.scope_kind == "per_core"
    assert [p.name for p in ebb.type_params] == ["K"]
    assert list(ebb.model)[:3] == ["table", "log", "phase"]
    assert set(ebb.ops) >= {"put", "get", "drop", "open", "close"}
    assert set(ebb.events) == {"timeout", "tick"} and isinstance(ebb.events["tick"], EventSymbol)
    assert set(ebb.types) == {"Local", "Note"} and ebb.types["Note"] in ebb.messages.values()
    assert isinstance(ebb.types["Local"], RecordSymbol) and set(ebb.funcs) == {"weight"}
    assert set(ebb.exceptions) == {"Full"}
    put = ebb.ops["put"]
    assert [(r.name, str(r.type)) for r in put.results] == [("old_count", "nat"), ("fresh", "bool")]
    protocol = ebb.protocols["Conn"]
    assert protocol.initial == "Closed" and protocol.states == ("Closed", "Open")
    assert [(a, t.name, b) for a, t, b in protocol.transitions] == [
        ("Closed", "open", "Open"), ("Open", "close", "Closed"), ("Open", "timeout", "Closed")]
    module = result.checked.modules[result.roots[0]]
    assert {"Conn", "Slot", "Phase", "Port", "Pair", "Packet"} <= set(module.types)
    assert set(module.funcs) == {"twice", "swap", "pick", "opaque", "later"}
    assert set(module.exceptions) == {"Closed"} and set(module.ebbs) == {"Base", "Concrete"}
    refines = ebb.refines
    assert refines is not None and refines.target is result.checked.ebb("Base")
    assert [str(a) for a in refines.args] == ["K"] and set(refines.mappings) == {"items"}


def test_every_expression_of_a_clean_spec_is_typed() -> None:
    result = check_paths([_GOOD])
    expr_types = typing.get_args(A.Expr)
    missing = []
    for module in result.modules.values():
        measures = {id(n) for c in _walk(module) if isinstance(c, A.Complexity)
                    for n in _walk(c.measure)}
        for node in _walk(module):
            if (isinstance(node, expr_types) and id(node) not in result.checked.types
                    and id(node) not in measures
                    and not isinstance(result.checked.ref(node), EnumSymbol)):
                missing.append(node)
    assert missing == []
    assert not any(type(t).__name__ in ("ErrorType",) for t in result.checked.types.values())


def test_builtin_function_registry() -> None:
    assert set(BUILTIN_FUNCTIONS) == {"size", "keys", "values", "indices", "some", "min", "max",
                                      "abs", "log", "pow2", "range"}
    for fn in BUILTIN_FUNCTIONS.values():
        assert isinstance(fn, BuiltinFunction) and fn.signature.startswith(fn.name + "(")


@pytest.mark.parametrize("construct", ["(", "-", "!", "old(", "some(", "forall x in {1}: "])
def test_deeply_nested_expressions_do_not_overflow(construct: str) -> None:
    depth = 190
    closing = ")" * depth if construct.endswith("(") else ""
    inner = "true" if construct in ("!", "forall x in {1}: ") else "1"
    expr = construct * depth + inner + closing
    if inner == "1":
        expr += " == 1"
    result = check_text(f"ebb T shared {{ op f() ensures {expr} }}")
    assert all(d.code in ("E301", "E106") for d in found(result)), result.render()


_GOOD = __import__("pathlib").Path(__file__).parent / "golden" / "good" / "every_construct.ebb"
_WORDS = ["n", "i", "w", "t", "d", "s", "m", "q", "o", "k", "out", "Color", "Red", "p", "x",
          "size", "keys", "f", "E", "H", "probe", "ident", "Point", "int", "nat", "u8",
          "true", "none", "old", "now", "zzz"]


@settings(max_examples=150)
@given(st.data())
def test_name_swaps_never_crash_the_checker(data: st.DataObject) -> None:
    """Replace names in a clean spec with other names: the checker reports, never raises,
    and every diagnostic points into a file it read."""
    import re

    text = PRELUDE % "n + size(s) > 0 && o != none && forall x in q: x < n"
    words = list(re.finditer(r"\b[A-Za-z_][A-Za-z0-9_]*\b", text))
    chosen = data.draw(st.lists(st.sampled_from(range(len(words))), min_size=1, max_size=4,
                                unique=True))
    pieces, last = [], 0
    for index in sorted(chosen):
        match = words[index]
        pieces += [text[last:match.start()], data.draw(st.sampled_from(_WORDS))]
        last = match.end()
    mutated = "".join(pieces) + text[last:]
    result = check_text(mutated, "mutant.ebb")
    for d in result.diagnostics:
        assert d.span.file == "mutant.ebb" and d.span.line >= 1
        assert d.render(result.sources[d.span.file])


def _walk(node: object) -> typing.Iterator[object]:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, tuple):
            stack.extend(n)
        elif dataclasses.is_dataclass(n) and not isinstance(n, type):
            yield n
            stack.extend(getattr(n, f.name) for f in dataclasses.fields(n) if f.name != "span")


def test_range_gives_a_set_of_integers() -> None:
    result = check_text('ebb T shared { "d" model s: set<nat> = {} "s"\n'
                        '  invariant s <= range(0, 10) && -1 !in range(-3, 0) }')
    assert result.ok, result.diagnostics
    bad = check_text('ebb T shared { "d" model s: set<nat> = {} "s"\n'
                     '  invariant s <= range(0us, 10) }')
    assert [d.code for d in bad.diagnostics if d.is_error] == ["E306"]
