"""The helpers compiled contract code calls: the partial operations (each raises the reference
evaluator's `Undefined` exactly where `evaluate` does), quantifiers, and the few constructors.

Generated code runs with `__builtins__` empty: these helpers (and the constants the compiler
adds) are the only names it can reach. Every helper's name starts with `_h_`, a prefix no
mangled spec name has (see `_compile_expr.mangle`).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from ._contract_error import ContractViolation
from ._reference import MAX_CALL_DEPTH, Undefined, truncating_div, truncating_mod
from ._values import NONE, FrozenMap, RecordValue, Some


def _div(a: int, b: int, site: Any) -> int:
    if b == 0:
        raise Undefined("`/` by zero", site)
    if a >= 0 and b > 0:  # the common case: floor and truncation agree
        return a // b
    return truncating_div(a, b)


def _mod(a: int, b: int, site: Any) -> int:
    if b == 0:
        raise Undefined("`%` by zero", site)
    if a >= 0 and b > 0:
        return a % b
    return truncating_mod(a, b)


def _map_get(m: Any, key: Any, site: Any) -> Any:
    try:
        return m[key]
    except KeyError:
        raise Undefined("`m[k]` for a key `k` not in the map", site) from None


def _seq_get(s: Any, i: int, site: Any) -> Any:
    if not 0 <= i < len(s):
        raise Undefined(f"position {i} is outside a sequence of size {len(s)}", site)
    return s[i]


def _index(obj: Any, key: Any, site: Any) -> Any:
    """`obj[key]` when the static type does not say map or sequence (the reference's rule)."""
    if isinstance(obj, FrozenMap):
        return _map_get(obj, key, site)
    return _seq_get(obj, key, site)


def _seq_set(s: Any, i: int, value: Any, site: Any) -> Any:
    if not 0 <= i < len(s):
        raise Undefined(f"`s[{i} := v]` outside a sequence of size {len(s)}", site)
    return s[:i] + (value,) + s[i + 1:]


def _update(obj: Any, key: Any, value: Any, site: Any) -> Any:
    if isinstance(obj, FrozenMap):
        return obj.set(key, value)
    return _seq_set(obj, key, value, site)


def _option_value(o: Any, site: Any) -> Any:
    if o is NONE:
        raise Undefined("`.value` of `none`", site)
    return o.value


def _field(obj: Any, name: str, site: Any) -> Any:
    """`.name` of a record, or `.value` of an option (when the static type does not say)."""
    if isinstance(obj, RecordValue):
        return obj[name]
    return _option_value(obj, site)


def _pow2(n: int, site: Any) -> int:
    if n < 0:
        raise Undefined(f"`pow2({n})`: the exponent must be a nat", site)
    return 1 << n


def _log(n: int, site: Any) -> int:
    if n <= 0:
        raise Undefined(f"`log({n})`: the logarithm needs a positive number", site)
    return n.bit_length() - 1


def _depth(depth: int, name: str, site: Any) -> int:
    """The depth of a call made from inside a function body: deeper than the reference
    allows has no value."""
    if depth > MAX_CALL_DEPTH:
        raise Undefined(f"`{name}` recurses deeper than {MAX_CALL_DEPTH} calls", site)
    return depth


def _quantify(is_forall: bool, bodies: Iterable[Callable[[], Any]]) -> bool:
    """A quantifier whose body may have no value: like the reference, every body is evaluated,
    and if any has no value, neither has the quantifier (the first such is raised)."""
    outcome = is_forall
    undefined: Undefined | None = None
    for body in bodies:
        try:
            if bool(body()) != is_forall:
                outcome = not is_forall
        except Undefined as exc:
            if undefined is None:
                undefined = exc
    if undefined is not None:
        raise undefined
    return outcome


def _binary(op: str, a: Any, b: Any, width: int, site: Any) -> Any:
    """A binary operator when the static type does not settle it (the reference's rule)."""
    if isinstance(a, frozenset):
        return {"+": a.__or__, "-": a.__sub__, "&": a.__and__}[op](b)
    if isinstance(a, FrozenMap):
        return a.without(b)
    if isinstance(a, (tuple, bytes)):
        return a + b
    if op == "/":
        value = _div(a, b, site)
    elif op == "%":
        value = _mod(a, b, site)
    else:
        value = _INTEGER[op](a, b)
    return value % (1 << width) if width else value


_INTEGER: dict[str, Callable[[int, int], int]] = {
    "+": int.__add__, "-": int.__sub__, "*": int.__mul__, "|": int.__or__,
    "^": int.__xor__, "&": int.__and__,
}


def _record(name: str, order: tuple[str, ...], given: dict[str, Any]) -> RecordValue:
    return RecordValue(name, tuple((f, given[f]) for f in order))


def _range(low: int, high: int) -> frozenset:
    return frozenset(range(low, high))


def _count(flags: tuple[Any, ...]) -> int:
    """How many of `flags` are true (the `disjoint` check of `cases`)."""
    return sum(1 for f in flags if f)


HELPERS: dict[str, Any] = {
    "_h_div": _div, "_h_mod": _mod, "_h_map_get": _map_get, "_h_seq_get": _seq_get,
    "_h_index": _index, "_h_seq_set": _seq_set, "_h_update": _update,
    "_h_option_value": _option_value, "_h_field": _field, "_h_pow2": _pow2, "_h_log": _log,
    "_h_depth": _depth, "_h_quantify": _quantify, "_h_binary": _binary, "_h_record": _record,
    "_h_range": _range, "_h_Some": Some, "_h_Record": RecordValue, "_h_FrozenMap": FrozenMap,
    "_h_frozenset": frozenset, "_h_len": len, "_h_min": min, "_h_max": max, "_h_abs": abs,
    "_h_bool": bool, "_h_all": all, "_h_any": any, "_h_tuple": tuple, "_h_range_int": range,
    "_h_NONE": NONE, "_h_EMPTY_SET": frozenset(), "_h_EMPTY_MAP": FrozenMap(),
    "_h_Undefined": Undefined, "_h_count": _count, "_h_Exception": Exception,
    "_h_ContractViolation": ContractViolation,
}

__all__ = ["HELPERS"]
