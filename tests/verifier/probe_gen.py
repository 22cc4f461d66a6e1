"""Random well-typed probes for the differential test: spec text of an expression (the body of
`func probe(...) -> T`) and values for its parameters.

The generator is written against a tiny `Chooser` interface so that Hypothesis drives it in the
differential test, while a seeded `random.Random` drives it where a test needs a fixed sample
(the share of well-typed probes, the mutation checks). Every production builds text the checker
accepts in context: word (uN) expressions always contain a word variable so that literals take
its width, `{}` and `none` appear only where the other operand gives their type, and partial
operations are mostly guarded (`k in m ? m[k] : ...`) so that most probes have a value.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Sequence

from hypothesis import strategies as st

from ebbrt.verifier._values import NONE, EnumValue, FrozenMap, RecordValue, Some

# ---------------------------------------------------------------------------- choosing


class Chooser(Protocol):
    def pick(self, options: Sequence[Any]) -> Any: ...
    def integer(self, low: int, high: int) -> int: ...


@dataclass
class RandomChooser:
    rng: random.Random

    def pick(self, options: Sequence[Any]) -> Any:
        return options[self.rng.randrange(len(options))]

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


@dataclass
class DrawChooser:
    """Choices drawn through Hypothesis's `data.draw`, so Hypothesis steers them."""
    draw: Callable[[st.SearchStrategy[Any]], Any]

    def pick(self, options: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(options))

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))


# ---------------------------------------------------------------------------- the probe

# The parameters of `probe` (its free variables), by generator type tag.
PARAMS: dict[str, tuple[str, str]] = {  # name -> (tag, spec type)
    "i": ("int", "int"), "j": ("int", "int"), "k": ("int", "int"), "n": ("int", "nat"),
    "w": ("u8", "u8"), "v": ("u8", "u8"), "h": ("u16", "u16"), "g": ("u16", "u16"),
    "flag": ("bool", "bool"), "s": ("set", "set<int>"), "t": ("set", "set<int>"),
    "m": ("map", "map<int, int>"), "q": ("seq", "seq<int>"), "o": ("opt", "option<int>"),
    "p": ("P", "P"), "col": ("Color", "Color"), "d": ("dur", "duration"),
    "tm": ("time", "time"), "by": ("bytes", "bytes"), "mp": ("mapP", "map<int, P>"),
}
SPEC_TYPES = {"int": "int", "bool": "bool", "u8": "u8", "u16": "u16", "set": "set<int>",
              "map": "map<int, int>", "seq": "seq<int>", "opt": "option<int>", "P": "P",
              "Color": "Color", "dur": "duration", "time": "time", "bytes": "bytes",
              "mapP": "map<int, P>"}
COLORS = ("Red", "Green", "Blue")
WIDTH = {"u8": 8, "u16": 16}

PROBE_TEMPLATE = """\
record P {{ "A point." x: int  y: int }}
enum Color {{ "A color." Red, Green, Blue }}
func twice(x: int) -> int = 2 * x   "inlined with its argument"
func pick<T>(c: bool, a: T, b: T) -> T = c ? a : b   "generic, instantiated at each call"
ebb Probe shared {{
  "A differential probe."
  func probe({params}) -> {result} = {body}   "the expression under test"
}}
"""


@dataclass(frozen=True)
class Case:
    result: str            # generator tag of the body's type
    body: str              # the expression, as spec text
    values: dict[str, Any] = field(hash=False)

    @property
    def text(self) -> str:
        params = ", ".join(f"{name}: {ty}" for name, (_, ty) in PARAMS.items())
        return PROBE_TEMPLATE.format(params=params, result=SPEC_TYPES[self.result],
                                     body=self.body)


# ---------------------------------------------------------------------------- expressions

class ExprGen:
    """Well-typed expression text of a requested type; `scope` maps names to type tags."""

    def __init__(self, chooser: Chooser) -> None:
        self.c = chooser
        self.binders = 0

    def expr(self, tag: str, depth: int, scope: dict[str, str]) -> str:
        leaves, nodes = _PRODUCTIONS[tag]
        options = leaves if depth <= 0 else leaves + nodes + nodes  # favour structure
        return self.c.pick(options)(self, depth - 1, scope)

    def var(self, tag: str, scope: dict[str, str]) -> str | None:
        names = sorted(name for name, t in scope.items() if t == tag)
        return self.c.pick(names) if names else None

    def fresh(self) -> str:
        self.binders += 1
        return f"x{self.binders}"

    # shorthands used by the productions
    def int_(self, d: int, sc: dict[str, str]) -> str:
        return self.expr("int", d, sc)

    def bool_(self, d: int, sc: dict[str, str]) -> str:
        return self.expr("bool", d, sc)


def _var_or(tag: str, fallback: Callable[[ExprGen], str]) -> Callable[..., str]:
    def leaf(g: ExprGen, d: int, sc: dict[str, str]) -> str:
        return g.var(tag, sc) or fallback(g)
    return leaf


def _small_int(g: ExprGen) -> str:
    value = g.c.pick((0, 1, 2, 3, 5, 7, 10, 1, 2))
    return str(value) if g.c.pick((True, True, False)) else f"-{value}"


def _binop(op: str, tag: str, rtag: str | None = None) -> Callable[..., str]:
    return lambda g, d, sc: f"({g.expr(tag, d, sc)} {op} {g.expr(rtag or tag, d, sc)})"


def _cond(tag: str) -> Callable[..., str]:
    return lambda g, d, sc: f"({g.bool_(d, sc)} ? {g.expr(tag, d, sc)} : {g.expr(tag, d, sc)})"


def _chain(g: ExprGen, d: int, sc: dict[str, str]) -> str:
    links = g.c.pick((1, 2, 2, 3))
    parts = [g.int_(d, sc)]
    for _ in range(links):
        parts += [g.c.pick(("==", "!=", "<", "<=", ">", ">=")), g.int_(d, sc)]
    return " ".join(parts) if len(parts) > 3 or g.c.pick((True, False)) else f"({' '.join(parts)})"


def _range_check(g: ExprGen, d: int, sc: dict[str, str]) -> str:
    """The shape a sloppy encoding gets wrong: `lo <= x <= hi` with literal bounds."""
    low, high = sorted((g.c.integer(-3, 10), g.c.integer(-3, 10)))
    return f"{low} <= {g.int_(d, sc)} {g.c.pick(('<=', '<'))} {high}"


QUANTIFIED = ("set", "seq", "map", "mapP")  # what a binder ranges over (its elements are ints)


def _quantifier(g: ExprGen, d: int, sc: dict[str, str]) -> str:
    kind = g.c.pick(("forall", "exists"))
    x = g.fresh()
    bindings = f"{x} in {g.expr(g.c.pick(QUANTIFIED), d, sc)}"
    inner = {**sc, x: "int"}
    if g.c.pick((False, False, True)):
        y = g.fresh()
        bindings += f", {y} in {g.expr(g.c.pick(QUANTIFIED), d, inner)}"
        inner[y] = "int"
    return f"({kind} {bindings}: {g.bool_(d, inner)})"


def _membership(g: ExprGen, d: int, sc: dict[str, str]) -> str:
    op = g.c.pick(("in", "!in"))
    return f"({g.int_(d, sc)} {op} {g.expr(g.c.pick(QUANTIFIED), d, sc)})"


def _logic(g: ExprGen, d: int, sc: dict[str, str]) -> str:
    return f"({g.bool_(d, sc)} {g.c.pick(('&&', '||', '==>', '<==>'))} {g.bool_(d, sc)})"


EQUATABLE = ("set", "map", "seq", "opt", "P", "Color", "mapP", "bytes", "u8", "dur")


def _equality(g: ExprGen, d: int, sc: dict[str, str]) -> str:
    tag = g.c.pick(EQUATABLE)
    return f"({g.expr(tag, d, sc)} {g.c.pick(('==', '!='))} {g.expr(tag, d, sc)})"


def _ordering(tag: str) -> Callable[..., str]:
    return lambda g, d, sc: (f"({g.expr(tag, d, sc)} {g.c.pick(('<', '<=', '==', '>', '>='))} "
                             f"{g.expr(tag, d, sc)})")


def _word_compare(g: ExprGen, d: int, sc: dict[str, str]) -> str:
    tag = g.c.pick(("u8", "u16"))
    op = g.c.pick(("==", "!=", "<", "<=", ">", ">="))
    return f"({g.expr(tag, d, sc)} {op} {g.expr(tag, d, sc)})"


def _map_lookup(g: ExprGen, d: int, sc: dict[str, str]) -> str:
    key, m = g.int_(d, sc), g.expr("map", d, sc)
    if g.c.pick((True, True, False)):  # guarded, so it is mostly defined
        return f"({key} in {m} ? {m}[{key}] : {g.int_(d, sc)})"
    return f"{m}[{key}]"


def _seq_index(g: ExprGen, d: int, sc: dict[str, str]) -> str:
    pos, q = g.int_(d, sc), g.expr("seq", d, sc)
    return f"(0 <= {pos} < size({q}) ? {q}[{pos}] : {g.int_(d, sc)})"


def _seq_update(g: ExprGen, d: int, sc: dict[str, str]) -> str:
    pos, q = g.int_(d, sc), g.expr("seq", d, sc)
    return f"(0 <= {pos} < size({q}) ? {q}[{pos} := {g.int_(d, sc)}] : {q})"


def _record_lookup(g: ExprGen, d: int, sc: dict[str, str]) -> str:
    key, mp = g.int_(d, sc), g.expr("mapP", d, sc)
    return f"({key} in {mp} ? {mp}[{key}].{g.c.pick(('x', 'y'))} : {g.int_(d, sc)})"


def _option_value(g: ExprGen, d: int, sc: dict[str, str]) -> str:
    o = g.expr("opt", d, sc)
    return f"({o} != none ? {o}.value : {g.int_(d, sc)})"


def _word_literal(tag: str) -> Callable[..., str]:
    def gen(g: ExprGen, d: int, sc: dict[str, str]) -> str:
        top = (1 << WIDTH[tag]) - 1
        literal = g.c.pick((1, 2, top, top - 1, (top + 1) // 2, g.c.integer(0, top)))
        return f"({g.expr(tag, d, sc)} {g.c.pick(('+', '-', '*', '&', '|', '^', '/', '%'))} " \
               f"{literal})"
    return gen


def _pick(tag: str) -> Callable[..., str]:
    return lambda g, d, sc: f"pick({g.bool_(d, sc)}, {g.expr(tag, d, sc)}, {g.expr(tag, d, sc)})"


def _byte_at(g: ExprGen, d: int, sc: dict[str, str]) -> str:
    pos, by = g.int_(d, sc), g.expr("bytes", d, sc)
    return f"(0 <= {pos} < size({by}) ? {by}[{pos}] : {g.expr('u8', d, sc)})"


def _word_productions(tag: str) -> tuple[list[Callable[..., str]], list[Callable[..., str]]]:
    leaves = [_var_or(tag, lambda g: "0")]  # every word has a variable: `w`, `v` or `h`, `g`
    nodes = [*(_binop(op, tag) for op in ("+", "-", "*", "/", "%", "&", "|", "^")),
             _word_literal(tag), lambda g, d, sc: f"-({g.expr(tag, d, sc)})", _cond(tag),
             lambda g, d, sc: f"{g.c.pick(('min', 'max'))}({g.expr(tag, d, sc)}, "
                              f"{g.expr(tag, d, sc)})"]
    if tag == "u8":
        nodes.append(_byte_at)
    return leaves, nodes


_PRODUCTIONS: dict[str, tuple[list[Callable[..., str]], list[Callable[..., str]]]] = {
    "int": (
        [_var_or("int", _small_int), _var_or("int", _small_int), lambda g, d, sc: _small_int(g)],
        [*(_binop(op, "int") for op in ("+", "-", "*", "/", "%", "/", "%")),
         lambda g, d, sc: f"-({g.int_(d, sc)})", _cond("int"),
         lambda g, d, sc: f"{g.c.pick(('min', 'max'))}({g.int_(d, sc)}, {g.int_(d, sc)})",
         lambda g, d, sc: f"abs({g.int_(d, sc)})",
         lambda g, d, sc: f"size({g.expr(g.c.pick(('set', 'map', 'seq')), d, sc)})",
         _map_lookup, _seq_index, _option_value,
         lambda g, d, sc: f"{g.expr('P', d, sc)}.{g.c.pick(('x', 'y'))}",
         lambda g, d, sc: f"({g.expr('dur', d, sc)} / {g.expr('dur', d, sc)})",
         lambda g, d, sc: f"twice({g.int_(d, sc)})", _pick("int"),
         lambda g, d, sc: f"size({g.expr('bytes', d, sc)})", _record_lookup],
    ),
    "bool": (
        [_var_or("bool", lambda g: "true"), lambda g, d, sc: g.c.pick(("true", "false")),
         _chain, _range_check],
        [_chain, _chain, _range_check, _word_compare, _membership, _equality, _equality,
         lambda g, d, sc: f"({g.expr('set', d, sc)} {g.c.pick(('<=', '<', '>=', '>'))} "
                          f"{g.expr('set', d, sc)})",
         lambda g, d, sc: f"({g.expr('opt', d, sc)} {g.c.pick(('==', '!='))} none)",
         _ordering("dur"), _ordering("time"), lambda g, d, sc: f"!{g.bool_(d, sc)}",
         _logic, _logic, _cond("bool"), _quantifier, _quantifier],
    ),
    "u8": _word_productions("u8"),
    "u16": _word_productions("u16"),
    "set": (
        [_var_or("set", lambda g: "{}"), lambda g, d, sc: f"{{{_small_int(g)}, {_small_int(g)}}}"],
        [*(_binop(op, "set") for op in ("+", "-", "&")), _cond("set"),
         lambda g, d, sc: f"{{{g.int_(d, sc)}, {g.int_(d, sc)}}}",
         lambda g, d, sc: f"keys({g.expr('map', d, sc)})",
         lambda g, d, sc: f"values({g.expr('map', d, sc)})",
         lambda g, d, sc: f"indices({g.expr('seq', d, sc)})",
         lambda g, d, sc: f"({g.expr('set', d, sc)} + {{}})", _pick("set"),
         lambda g, d, sc: f"keys({g.expr('mapP', d, sc)})"],
    ),
    "map": (
        [_var_or("map", lambda g: "m")],
        [lambda g, d, sc: f"{g.expr('map', d, sc)}[{g.int_(d, sc)} := {g.int_(d, sc)}]",
         _binop("-", "map", "set"), _cond("map"),
         lambda g, d, sc: f"{{{g.int_(d, sc)} -> {g.int_(d, sc)}}}"],
    ),
    "seq": (
        [_var_or("seq", lambda g: "q"), lambda g, d, sc: f"[{_small_int(g)}]"],
        [_binop("+", "seq"), _cond("seq"), _seq_update,
         lambda g, d, sc: f"[{g.int_(d, sc)}, {g.int_(d, sc)}]"],
    ),
    "opt": (
        [_var_or("opt", lambda g: "o"), lambda g, d, sc: f"some({_small_int(g)})"],
        [lambda g, d, sc: f"some({g.int_(d, sc)})", _cond("opt"),
         lambda g, d, sc: f"({g.bool_(d, sc)} ? none : {g.expr('opt', d, sc)})"],
    ),
    "P": (
        [_var_or("P", lambda g: "p")],
        [lambda g, d, sc: f"P{{x: {g.int_(d, sc)}, y: {g.int_(d, sc)}}}",
         lambda g, d, sc: f"P{{y: {g.int_(d, sc)}, x: {g.int_(d, sc)}}}", _cond("P"), _pick("P"),
         lambda g, d, sc: (lambda k, mp: f"({k} in {mp} ? {mp}[{k}] : {g.expr('P', d, sc)})")(
             g.int_(d, sc), g.expr("mapP", d, sc))],
    ),
    "Color": (
        [_var_or("Color", lambda g: "col"), lambda g, d, sc: f"Color.{g.c.pick(COLORS)}"],
        [_cond("Color")],
    ),
    "dur": (
        [_var_or("dur", lambda g: "d"),
         lambda g, d, sc: f"{g.c.integer(0, 9)}{g.c.pick(('ns', 'us'))}"],
        [_binop("+", "dur"), _binop("-", "dur"), _binop("*", "dur", "int"),
         _binop("/", "dur", "int"), _binop("%", "dur"), _cond("dur"),
         lambda g, d, sc: f"-({g.expr('dur', d, sc)})",
         lambda g, d, sc: f"{g.c.pick(('min', 'max'))}({g.expr('dur', d, sc)}, "
                          f"{g.expr('dur', d, sc)})",
         lambda g, d, sc: f"({g.expr('time', d, sc)} - {g.expr('time', d, sc)})"],
    ),
    "time": (
        [_var_or("time", lambda g: "tm")],
        [_binop("+", "time", "dur"), _binop("+", "dur", "time"), _binop("-", "time", "dur"),
         _cond("time")],
    ),
    "bytes": (
        [_var_or("bytes", lambda g: "by"), lambda g, d, sc: g.c.pick(('b""', 'b"a\\x00"'))],
        [_binop("+", "bytes"), _cond("bytes")],
    ),
    "mapP": (
        [_var_or("mapP", lambda g: "mp")],
        [lambda g, d, sc: f"{g.expr('mapP', d, sc)}[{g.int_(d, sc)} := {g.expr('P', d, sc)}]",
         _binop("-", "mapP", "set"), _cond("mapP"),
         lambda g, d, sc: f"{{{g.int_(d, sc)} -> {g.expr('P', d, sc)}}}"],
    ),
}


# ---------------------------------------------------------------------------- values

def small_int(c: Chooser) -> int:
    return c.pick((c.integer(-4, 4), c.integer(-12, 12), c.pick((-7, 7, -1, 0, 1))))


def word(c: Chooser, width: int) -> int:
    top = (1 << width) - 1
    return c.pick((c.integer(0, top), top, top - 1, 0, 1, (top + 1) // 2, c.integer(0, 9)))


def element(c: Chooser) -> int:
    return c.integer(-3, 3)


def draw_value(c: Chooser, tag: str, spec_type: str) -> Any:
    if tag == "int":
        value = small_int(c)
        return abs(value) if spec_type == "nat" else value
    if tag in WIDTH:
        return word(c, WIDTH[tag])
    if tag == "bool":
        return c.pick((True, False))
    if tag == "set":
        return frozenset(element(c) for _ in range(c.integer(0, 4)))
    if tag == "map":
        return FrozenMap({element(c): small_int(c) for _ in range(c.integer(0, 3))})
    if tag == "seq":
        return tuple(element(c) for _ in range(c.integer(0, 3)))
    if tag == "opt":
        return c.pick((NONE, Some(small_int(c))))
    if tag == "P":
        return RecordValue("P", (("x", small_int(c)), ("y", small_int(c))))
    if tag == "Color":
        return EnumValue("Color", c.pick(COLORS))
    if tag == "bytes":
        return bytes(c.pick((0, 97, 255)) for _ in range(c.integer(0, 3)))
    if tag == "mapP":
        return FrozenMap({element(c): draw_value(c, "P", "P") for _ in range(c.integer(0, 2))})
    if tag == "time":
        return c.integer(0, 5000)
    assert tag == "dur"
    return c.pick((0, 1, c.integer(0, 20), c.integer(0, 5000)))


def generate_case(c: Chooser, max_depth: int = 3) -> Case:
    result = c.pick(("bool", "bool", "bool", "int", "int", "u8", "u16", "set", "map", "seq",
                     "opt", "P", "Color", "dur", "time", "bytes", "mapP"))
    scope = {name: tag for name, (tag, _) in PARAMS.items()}
    body = ExprGen(c).expr(result, c.integer(1, max_depth), scope)
    values = {name: draw_value(c, tag, ty) for name, (tag, ty) in PARAMS.items()}
    return Case(result, body, values)
