"""Typing of operators: unary, binary and comparison chains.

Arithmetic is a table from (operator, left kind, right kind) to the result, so the rules read
as a list: integers mix (`nat - nat` is an `int`), machine words stay machine words, times and
durations follow the units (`time - time` is a `duration`; a plain number never passes for
either), and `+ - &` on collections are union, difference and intersection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from . import _codes as C
from . import ast as A
from ._span import Span
from ._types import (BOOL, BYTES, DURATION, ERROR, INT, NAT, TIME, BitVecType, BoolType, BytesType,
                     DurationType, ErrorType, MapType, SeqType, SetType, TimeType, Type,
                     compatible, element_type, is_integer, is_nonnegative, is_unknown, join)

if TYPE_CHECKING:
    from ._typecheck_expr import Context, ExprChecker

LOGICAL = frozenset({"&&", "||", "==>", "<==>"})
MEMBERSHIP = frozenset({"in", "!in"})
ORDERING = frozenset({"<", "<=", ">", ">="})


def is_contextual(e: A.Expr) -> bool:
    """Literals whose type comes from the other operand: `0`, `-1`, `{}`, `none`, `[]`."""
    if isinstance(e, (A.IntLit, A.EmptyLit, A.NoneLit)):
        return True
    if isinstance(e, A.Unary) and e.op == "-":
        return is_contextual(e.operand)
    return isinstance(e, A.SeqLit) and not e.elems


def kind(t: Type) -> str:
    if is_integer(t):
        return "int"
    return _KINDS.get(type(t), "other")


_KINDS: dict[type, str] = {
    BitVecType: "bv", TimeType: "time", DurationType: "dur", SetType: "set", MapType: "map",
    SeqType: "seq", BytesType: "bytes", BoolType: "bool",
}

Result = Callable[[Type, Type], "Type | None"]


def _integers(op: str) -> Result:
    def rule(a: Type, b: Type) -> Type:
        if op != "-" and is_nonnegative(a) and is_nonnegative(b):
            return NAT
        return INT
    return rule


def _same(a: Type, b: Type) -> Type | None:
    return a if a == b else None


def _joined(a: Type, b: Type) -> Type | None:
    return join(a, b) if compatible(a, b) else None


def _keys_removed(a: Type, b: Type) -> Type | None:
    assert isinstance(a, MapType) and isinstance(b, SetType)
    return a if compatible(a.key, b.elem) else None


def _const(t: Type) -> Result:
    return lambda a, b: t


ARITHMETIC: dict[tuple[str, str, str], Result] = {
    **{(op, "int", "int"): _integers(op) for op in "+-*/%"},
    **{(op, "bv", "bv"): _same for op in "+-*/%|^&"},
    ("+", "time", "dur"): _const(TIME), ("+", "dur", "time"): _const(TIME),
    ("-", "time", "dur"): _const(TIME), ("-", "time", "time"): _const(DURATION),
    ("+", "dur", "dur"): _const(DURATION), ("-", "dur", "dur"): _const(DURATION),
    ("*", "dur", "int"): _const(DURATION), ("*", "int", "dur"): _const(DURATION),
    ("/", "dur", "int"): _const(DURATION), ("/", "dur", "dur"): _const(INT),
    ("%", "dur", "dur"): _const(DURATION),
    ("+", "set", "set"): _joined, ("-", "set", "set"): _joined, ("&", "set", "set"): _joined,
    ("-", "map", "set"): _keys_removed,
    ("+", "seq", "seq"): _joined, ("+", "bytes", "bytes"): _const(BYTES),
}


def operand_hint(op: str, known: Type, known_is_left: bool) -> Type | None:
    """What the other operand of `op` should be, given one side: so `x + 1` makes `1` a `u8`
    when x is one, and `t + 5` asks for a duration (and reports the missing unit)."""
    k = kind(known)
    if k in ("int", "bv", "set", "seq", "bytes"):
        return known
    if k == "dur":
        return DURATION if op in "+-%" else None
    if k == "time":
        if op == "+":
            return DURATION
        if op == "-":
            return DURATION if known_is_left else TIME
    if k == "map" and op == "-" and known_is_left:
        return SetType(known.key)  # type: ignore[attr-defined]
    return None


class OperatorTyping:
    def __init__(self, checker: "ExprChecker") -> None:
        self.checker = checker
        self.report = checker.report

    def unary(self, e: A.Unary, ctx: "Context", hint: Type | None) -> Type:
        if e.op == "!":
            self.checker.condition(e.operand, ctx, "the operand of `!`")
            return BOOL
        t = self.checker.synth(e.operand, ctx, hint)
        if isinstance(e.operand, A.IntLit) and not isinstance(t, (BitVecType, ErrorType)):
            return INT
        if is_integer(t):
            return INT
        if isinstance(t, (BitVecType, DurationType, ErrorType)):
            return t
        self.report.error(C.TYPE_MISMATCH, f"cannot negate `{t}`", e.span,
                          "`-` applies to integers, machine words and durations")
        return ERROR

    def binary(self, e: A.Binary, ctx: "Context", hint: Type | None) -> Type:
        if e.op in LOGICAL:
            self.checker.condition(e.left, ctx, f"the left operand of `{e.op}`")
            self.checker.condition(e.right, ctx, f"the right operand of `{e.op}`")
            return BOOL
        outer = None if isinstance(hint, TimeType) else hint  # `t == d + 5us`: 5us stays a duration
        synth = self.checker.synth
        if is_contextual(e.left) and not is_contextual(e.right):
            rt = synth(e.right, ctx, outer)
            lt = synth(e.left, ctx, operand_hint(e.op, rt, known_is_left=False))
        else:
            lt = synth(e.left, ctx, outer)
            rt = synth(e.right, ctx, operand_hint(e.op, lt, known_is_left=True))
        if is_unknown(lt) or is_unknown(rt):
            return ERROR
        rule = ARITHMETIC.get((e.op, kind(lt), kind(rt)))
        result = rule(lt, rt) if rule is not None else None
        if result is None:
            code = C.BAD_DURATION if mixes_units(lt, rt) else C.TYPE_MISMATCH
            self.report.error(code, f"`{e.op}` cannot combine `{lt}` and `{rt}`", e.span,
                              _binary_hint(e.op, lt, rt) if code == C.TYPE_MISMATCH else None)
            return ERROR
        return result

    def compare(self, e: A.Compare, ctx: "Context") -> Type:
        operands, ops = e.operands, e.ops
        types: list[Type | None] = [None] * len(operands)
        order = ([i for i, x in enumerate(operands) if not is_contextual(x)]
                 + [i for i, x in enumerate(operands) if is_contextual(x)])
        for i in order:
            types[i] = self.checker.synth(operands[i], ctx, self._neighbour_hint(i, types, ops))
        for i, op in enumerate(ops):
            left, right = types[i], types[i + 1]
            assert left is not None and right is not None
            self._pair(op, left, right, operands[i].span.to(operands[i + 1].span))
        return BOOL

    @staticmethod
    def _neighbour_hint(i: int, types: list[Type | None], ops: tuple[str, ...]) -> Type | None:
        left = types[i - 1] if i > 0 else None
        if left is not None and not is_unknown(left):
            return SetType(left) if ops[i - 1] in MEMBERSHIP else left
        right = types[i + 1] if i + 1 < len(types) else None
        if right is not None and not is_unknown(right):
            if ops[i] in MEMBERSHIP:
                elem = element_type(right)
                return elem if elem is not None and not is_unknown(elem) else None
            return right
        return None

    def _pair(self, op: str, left: Type, right: Type, span: Span) -> None:
        if isinstance(left, ErrorType) or isinstance(right, ErrorType):
            return
        if op in MEMBERSHIP:
            elem = element_type(right)
            if elem is None:
                self.report.error(C.NOT_COLLECTION, f"`{op}` needs a set, map or sequence on its "
                                  f"right, not `{right}`", span)
            elif not compatible(elem, left):
                self.checker.mismatch(span, elem, left, f"the element tested by `{op}`")
            return
        if not compatible(left, right):
            code = C.BAD_DURATION if mixes_units(left, right) else C.TYPE_MISMATCH
            self.report.error(code, f"cannot compare `{left}` with `{right}`", span)
            return
        if op in ORDERING and not _ordered(left, right):
            self.report.error(C.TYPE_MISMATCH, f"`{op}` cannot order values of type `{left}`",
                              span, "only integers, machine words, times, durations and sets "
                              "(by inclusion) are ordered")


def _ordered(a: Type, b: Type) -> bool:
    if is_unknown(a) or is_unknown(b):
        return True
    if is_integer(a) and is_integer(b):
        return True
    return type(a) is type(b) and isinstance(a, (BitVecType, TimeType, DurationType, SetType))


def mixes_units(a: Type, b: Type) -> bool:
    temporal = (TimeType, DurationType)
    return ((isinstance(a, temporal) or isinstance(b, temporal))
            and all(isinstance(t, temporal) or is_integer(t) for t in (a, b)))


def _binary_hint(op: str, a: Type, b: Type) -> str | None:
    if isinstance(a, BitVecType) or isinstance(b, BitVecType):
        return "machine words combine only with the same width (or a literal)"
    if op in "|^":
        return f"`{op}` is bitwise: it applies to machine words (u8 .. u64)"
    if isinstance(a, SetType) or isinstance(b, SetType):
        return "`+`, `-` and `&` on sets take two sets of the same element type"
    return None

__all__ = ["ARITHMETIC", "OperatorTyping", "is_contextual", "kind", "mixes_units", "operand_hint"]
