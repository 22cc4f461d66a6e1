"""A plain-Python reference evaluator of checked spec expressions.

`evaluate(expr, env, checked)` computes the value of a type-checked expression over the values
of `_values` (ints, bools, bytes, frozensets, FrozenMaps, tuples, NONE/Some, RecordValue,
EnumValue, Handle; times and durations as int nanoseconds), with exactly the semantics of
docs/language.md. It is deliberately naive — no solver, no cleverness — so that it can judge
the z3 encoding in the differential test, and later serve as the oracle of run-time checks.

Semantics worth spelling out (each is a place where an encoding could cut a corner):
- `/` and `%` on integers and durations truncate toward zero as in C++ (`-7 / 2 == -3`,
  `-7 % 2 == -1`); on `uN` they are unsigned. Dividing by zero has no value.
- `uN` arithmetic (`+ - *`, negation) wraps modulo 2^N; other integer arithmetic is exact.
- A comparison chain `a < b <= c` is `a < b && b <= c` with `b` evaluated once; like `&&`, it
  stops at the first false link, so later operands need only be defined when reached.
- `&&`, `||`, `==>` and `?:` evaluate their later operands only when needed; `<==>` both.
- A quantifier evaluates its body for every element; if any evaluation has no value, neither
  has the quantifier (the order of elements is not part of the language).
- Partial operations raise `Undefined`: `m[k]` for a missing key, `s[i]` and `s[i := v]` out of
  range, `o.value` on `none`, division by zero, `pow2` of a negative, `log` of a non-positive.
- A map literal that gives one key twice keeps the last entry (as `m[k := v]` in sequence).

Names are found through the checker's `ref`: quantifier binders and function parameters are
local; every other name (model fields, operation parameters and results, `now`, `this_core`,
`ncores`) is looked up by name in `env`, and inside `old(...)` model fields come from `pre`.
A function without a body is looked up in `env` too, as a Python callable.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..spec import ast as A
from ..spec._builtins import BuiltinFunction
from ..spec._symbols import EnumSymbol, FuncSymbol, RecordSymbol, VarSymbol
from ..spec._typecheck import Checked
from ..spec._types import BitVecType, MapType
from ._values import NONE, FrozenMap, RecordValue, Some, EnumValue

MAX_CALL_DEPTH = 100  # nested calls of user functions; deeper (unbounded recursion) has no value


class Undefined(ValueError):
    """The expression has no value here (a partial operation outside its domain)."""

    def __init__(self, message: str, span: object = None) -> None:
        super().__init__(message)
        self.span = span


def evaluate(expr: A.Expr, env: Mapping[str, Any], checked: Checked,
             pre: Mapping[str, Any] | None = None) -> Any:
    """The value of `expr` (a node of a checked module) given the values of its free names.

    `env` maps names to values (and uninterpreted functions to callables); `pre` gives the
    model fields' pre-state values for `old(...)`. Raises `Undefined` where the language gives
    no value, and `KeyError` when `env` lacks a name the expression reads."""
    return _Evaluator(checked, env, pre).eval(expr, _Frame())


@dataclass(frozen=True)
class _Frame:
    """Local names (binders, function parameters) by VarSymbol identity, and whether we are
    inside `old(...)`."""
    locals: Mapping[int, Any] = field(default_factory=dict)
    in_old: bool = False
    depth: int = 0

    def bind(self, var: object, value: Any) -> "_Frame":
        return _Frame({**self.locals, id(var): value}, self.in_old, self.depth)


class _Evaluator:
    def __init__(self, checked: Checked, env: Mapping[str, Any],
                 pre: Mapping[str, Any] | None) -> None:
        self.checked = checked
        self.env = env
        self.pre = pre

    def eval(self, e: A.Expr, frame: _Frame) -> Any:
        return _RULES[type(e)](self, e, frame)

    # ------------------------------------------------------------------ names and literals
    def _name(self, e: A.Name, frame: _Frame) -> Any:
        var = self.checked.ref(e)
        if id(var) in frame.locals:
            return frame.locals[id(var)]
        if isinstance(var, VarSymbol) and var.kind == "model" and frame.in_old:
            if self.pre is None:
                raise KeyError(f"`old({e.id})` needs the pre-state, but no `pre` was given")
            return _lookup(self.pre, e.id, "pre-state value")
        return _lookup(self.env, e.id, "value")

    def _int(self, e: A.IntLit, frame: _Frame) -> Any:
        return e.value

    def _duration(self, e: A.DurationLit, frame: _Frame) -> Any:
        return e.nanoseconds

    def _bytes(self, e: A.BytesLit, frame: _Frame) -> Any:
        return decode_bytes_literal(e.text)

    def _bool(self, e: A.BoolLit, frame: _Frame) -> Any:
        return e.value

    def _none(self, e: A.NoneLit, frame: _Frame) -> Any:
        return NONE

    def _old(self, e: A.Old, frame: _Frame) -> Any:
        return self.eval(e.expr, _Frame(frame.locals, True, frame.depth))

    # ------------------------------------------------------------------ collections
    def _empty(self, e: A.EmptyLit, frame: _Frame) -> Any:
        return FrozenMap() if isinstance(self.checked.types.get(id(e)), MapType) else frozenset()

    def _set(self, e: A.SetLit, frame: _Frame) -> Any:
        return frozenset(self.eval(x, frame) for x in e.elems)

    def _seq(self, e: A.SeqLit, frame: _Frame) -> Any:
        return tuple(self.eval(x, frame) for x in e.elems)

    def _map(self, e: A.MapLit, frame: _Frame) -> Any:
        return FrozenMap({self.eval(m.key, frame): self.eval(m.value, frame) for m in e.entries})

    def _record(self, e: A.RecordLit, frame: _Frame) -> Any:
        symbol = self.checked.ref(e)
        assert isinstance(symbol, RecordSymbol)
        given = {init.name.text: self.eval(init.value, frame) for init in e.fields}
        return RecordValue(symbol.name, tuple((name, given[name]) for name in symbol.fields))

    # ------------------------------------------------------------------ access
    def _field(self, e: A.FieldAccess, frame: _Frame) -> Any:
        enum = self.checked.ref(e)
        if isinstance(enum, EnumSymbol):
            return EnumValue(enum.name, e.field.text)
        obj = self.eval(e.obj, frame)
        if isinstance(obj, RecordValue):
            return obj[e.field.text]
        if obj is NONE:
            raise Undefined("`.value` of `none`", e.span)
        assert isinstance(obj, Some), f"`.{e.field.text}` of {obj!r}"
        return obj.value

    def _index(self, e: A.Index, frame: _Frame) -> Any:
        obj = self.eval(e.obj, frame)
        key = self.eval(e.index, frame)
        if isinstance(obj, FrozenMap):
            if key not in obj:
                raise Undefined("`m[k]` for a key `k` not in the map", e.span)
            return obj[key]
        if not 0 <= key < len(obj):
            raise Undefined(f"position {key} is outside a sequence of size {len(obj)}", e.span)
        return obj[key]

    def _update(self, e: A.Update, frame: _Frame) -> Any:
        obj = self.eval(e.obj, frame)
        key = self.eval(e.key, frame)
        value = self.eval(e.value, frame)
        if isinstance(obj, FrozenMap):
            return obj.set(key, value)
        if not 0 <= key < len(obj):
            raise Undefined(f"`s[{key} := v]` outside a sequence of size {len(obj)}", e.span)
        return obj[:key] + (value,) + obj[key + 1:]

    # ------------------------------------------------------------------ operators
    def _unary(self, e: A.Unary, frame: _Frame) -> Any:
        value = self.eval(e.operand, frame)
        if e.op == "!":
            return not value
        return self._wrap(e, -value)

    def _binary(self, e: A.Binary, frame: _Frame) -> Any:
        logical = _LOGICAL.get(e.op)
        if logical is not None:
            return logical(self, e, frame)
        left = self.eval(e.left, frame)
        right = self.eval(e.right, frame)
        if isinstance(left, frozenset):
            return _SET_OPS[e.op](left, right)
        if isinstance(left, FrozenMap):  # map - set<K>: the map without those keys
            return left.without(right)
        if isinstance(left, (tuple, bytes)):
            return left + right
        if e.op in ("/", "%") and right == 0:
            raise Undefined(f"`{e.op}` by zero", e.span)
        return self._wrap(e, _INTEGER_OPS[e.op](left, right))

    def _wrap(self, e: A.Expr, value: int) -> int:
        """Reduce a `uN` result modulo 2^N; every other integer result is exact."""
        t = self.checked.types.get(id(e))
        return value % (1 << t.width) if isinstance(t, BitVecType) else value

    def _compare(self, e: A.Compare, frame: _Frame) -> Any:
        left = self.eval(e.operands[0], frame)
        for op, operand in zip(e.ops, e.operands[1:]):
            right = self.eval(operand, frame)
            if not _COMPARISONS[op](left, right):
                return False
            left = right
        return True

    def _conditional(self, e: A.Conditional, frame: _Frame) -> Any:
        return self.eval(e.then if self.eval(e.cond, frame) else e.otherwise, frame)

    def _quantifier(self, e: A.Quantifier, frame: _Frame) -> Any:
        outcomes = list(self._bodies(e, e.bindings, frame))
        undefined = [o for o in outcomes if isinstance(o, Undefined)]
        if undefined:
            raise undefined[0]
        return all(outcomes) if e.kind == "forall" else any(outcomes)

    def _bodies(self, e: A.Quantifier, bindings: tuple[A.Binding, ...], frame: _Frame) -> Any:
        """The body's value (or its Undefined) for every combination of bound elements."""
        if not bindings:
            try:
                yield self.eval(e.body, frame)
            except Undefined as undefined:
                yield undefined
            return
        first, rest = bindings[0], bindings[1:]
        var = self.checked.ref(first)
        for element in _elements(self.eval(first.collection, frame)):
            yield from self._bodies(e, rest, frame.bind(var, element))

    # ------------------------------------------------------------------ calls
    def _call(self, e: A.Call, frame: _Frame) -> Any:
        fn = self.checked.ref(e)
        args = [self.eval(a, frame) for a in e.args]
        if isinstance(fn, BuiltinFunction):
            return _BUILTINS[fn.name](e, *args)
        assert isinstance(fn, FuncSymbol)
        body = fn.decl.body
        if body is None:
            return _lookup(self.env, fn.name, "callable for the uninterpreted function")(*args)
        if frame.depth >= MAX_CALL_DEPTH:
            raise Undefined(f"`{fn.name}` recurses deeper than {MAX_CALL_DEPTH} calls", e.span)
        inner = _Frame({id(p): a for p, a in zip(fn.params, args)}, frame.in_old, frame.depth + 1)
        return self.eval(body, inner)


# ---------------------------------------------------------------------------- helpers

def _lookup(values: Mapping[str, Any], name: str, what: str) -> Any:
    try:
        return values[name]
    except KeyError:
        raise KeyError(f"no {what} for `{name}`") from None


def _elements(collection: Any) -> list[Any]:
    """What a quantifier ranges over: set and sequence elements, map keys."""
    return list(collection)


def truncating_div(a: int, b: int) -> int:
    """C++ integer division: the quotient rounded toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def truncating_mod(a: int, b: int) -> int:
    """C++ `%`: the remainder has the sign of `a`, so a == (a / b) * b + a % b."""
    return a - truncating_div(a, b) * b


def decode_bytes_literal(text: str) -> bytes:
    """The value of `b"..."`: escapes `\\" \\\\ \\n \\t \\xNN \\uNNNN`; other text as UTF-8."""
    body = text[2:-1]
    out = bytearray()
    i = 0
    simple = {'"': b'"', "\\": b"\\", "n": b"\n", "t": b"\t"}
    while i < len(body):
        c = body[i]
        if c != "\\" or i + 1 == len(body):
            out += c.encode("utf-8")
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in simple:
            out += simple[nxt]
            i += 2
        elif nxt == "x":
            out.append(int(body[i + 2:i + 4], 16))
            i += 4
        elif nxt == "u":
            out += chr(int(body[i + 2:i + 6], 16)).encode("utf-8")
            i += 6
        else:  # an unknown escape stands for itself, backslash included
            out += c.encode("utf-8")
            i += 1
    return bytes(out)


def _logical_and(ev: _Evaluator, e: A.Binary, frame: _Frame) -> bool:
    return bool(ev.eval(e.left, frame)) and bool(ev.eval(e.right, frame))


def _logical_or(ev: _Evaluator, e: A.Binary, frame: _Frame) -> bool:
    return bool(ev.eval(e.left, frame)) or bool(ev.eval(e.right, frame))


def _implies(ev: _Evaluator, e: A.Binary, frame: _Frame) -> bool:
    return (not ev.eval(e.left, frame)) or bool(ev.eval(e.right, frame))


def _iff(ev: _Evaluator, e: A.Binary, frame: _Frame) -> bool:
    return bool(ev.eval(e.left, frame)) == bool(ev.eval(e.right, frame))


_LOGICAL: dict[str, Callable[[_Evaluator, A.Binary, _Frame], bool]] = {
    "&&": _logical_and, "||": _logical_or, "==>": _implies, "<==>": _iff,
}

# integers, uN (wrapped afterwards), times and durations (int nanoseconds)
_INTEGER_OPS: dict[str, Callable[[int, int], int]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul,
    "/": truncating_div, "%": truncating_mod,
    "|": operator.or_, "^": operator.xor, "&": operator.and_,
}

_SET_OPS: dict[str, Callable[[frozenset, frozenset], frozenset]] = {
    "+": operator.or_, "-": operator.sub, "&": operator.and_,
}

# on sets, Python's orderings are inclusion, as in the language
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
    "in": lambda x, c: x in c, "!in": lambda x, c: x not in c,
}


def _pow2(e: A.Call, n: int) -> int:
    if n < 0:
        raise Undefined(f"`pow2({n})`: the exponent must be a nat", e.span)
    return 1 << n


def _log(e: A.Call, n: int) -> int:
    if n <= 0:
        raise Undefined(f"`log({n})`: the logarithm needs a positive number", e.span)
    return n.bit_length() - 1


_BUILTINS: dict[str, Callable[..., Any]] = {
    "size": lambda e, c: len(c),
    "keys": lambda e, m: frozenset(m.keys()),
    "values": lambda e, m: frozenset(m.values()),
    "indices": lambda e, s: frozenset(range(len(s))),
    "some": lambda e, x: Some(x),
    "min": lambda e, a, b: min(a, b),
    "max": lambda e, a, b: max(a, b),
    "abs": lambda e, a: abs(a),
    "pow2": _pow2,
    "log": _log,
    "range": lambda e, lo, hi: frozenset(range(lo, hi)),
}

_Rule = Callable[[_Evaluator, Any, _Frame], Any]
_RULES: dict[type, _Rule] = {
    A.Name: _Evaluator._name, A.IntLit: _Evaluator._int, A.DurationLit: _Evaluator._duration,
    A.BytesLit: _Evaluator._bytes, A.BoolLit: _Evaluator._bool, A.NoneLit: _Evaluator._none,
    A.Old: _Evaluator._old, A.Call: _Evaluator._call, A.RecordLit: _Evaluator._record,
    A.EmptyLit: _Evaluator._empty, A.SetLit: _Evaluator._set, A.MapLit: _Evaluator._map,
    A.SeqLit: _Evaluator._seq, A.FieldAccess: _Evaluator._field, A.Index: _Evaluator._index,
    A.Update: _Evaluator._update, A.Unary: _Evaluator._unary, A.Binary: _Evaluator._binary,
    A.Compare: _Evaluator._compare, A.Conditional: _Evaluator._conditional,
    A.Quantifier: _Evaluator._quantifier,
}

__all__ = ["Undefined", "evaluate", "truncating_div", "truncating_mod", "decode_bytes_literal",
           "MAX_CALL_DEPTH"]
