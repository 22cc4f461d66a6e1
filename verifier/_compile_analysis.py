"""What the contract compiler needs to know about a checked expression before compiling it.

- `free_names(fn)`: the model fields, values and body-less functions a user function reads from
  its caller's state, through the functions it calls (so each call site can pass them).
- `may_fail(e)`: whether evaluating `e` can have no value (a partial operation, a user
  function, an operator the static type does not settle). A quantifier whose parts cannot fail
  may short-circuit, since no later element could make it undefined.
"""

from __future__ import annotations

from typing import Iterator

from ..spec import ast as A
from ..spec._builtins import BuiltinFunction
from ..spec._symbols import EnumSymbol, FuncSymbol, VarSymbol
from ..spec._typecheck import Checked
from ..spec._types import (BitVecType, BytesType, CoreType, DurationType, IntType, MapType,
                           RecordType, SeqType, SetType, TimeType)

INTEGER_TYPES = (IntType, CoreType, BitVecType, TimeType, DurationType)
LOGICAL_OPERATORS = frozenset({"&&", "||", "==>", "<==>"})


class Analysis:
    def __init__(self, checked: Checked) -> None:
        self.checked = checked
        self._free: dict[int, frozenset[tuple[str, str]]] = {}
        self._partial: dict[int, bool] = {}

    def type_of(self, e: object) -> object:
        return self.checked.types.get(id(e))

    def free_names(self, fn: FuncSymbol) -> frozenset[tuple[str, str]]:
        """What `fn`'s body reads from its caller's state, with the functions it calls."""
        cached = self._free.get(id(fn))
        if cached is not None:
            return cached
        found: set[tuple[str, str]] = set()
        seen: set[int] = set()
        pending = [fn]
        while pending:
            f = pending.pop()
            if id(f) in seen or f.decl.body is None:
                continue
            seen.add(id(f))
            params = {id(p) for p in f.params}
            for node in walk(f.decl.body):
                if isinstance(node, A.Name):
                    var = self.checked.ref(node)  # not a VarSymbol: the enum of `Color.Red`
                    if not isinstance(var, VarSymbol) or id(var) in params \
                            or var.kind == "binder":
                        continue
                    found.add(("model" if var.kind == "model" else "value", node.id))
                elif isinstance(node, A.Call):
                    callee = self.checked.ref(node)
                    if isinstance(callee, FuncSymbol):
                        if callee.decl.body is None:
                            found.add(("func", callee.name))
                        else:
                            pending.append(callee)
        result = frozenset(found)
        self._free[id(fn)] = result
        return result

    def may_fail(self, e: A.Expr) -> bool:
        """Whether evaluating `e` can have no value (raise Undefined) or run user code."""
        cached = self._partial.get(id(e))
        if cached is None:
            cached = self._partial[id(e)] = self._may_fail(e)
        return cached

    def _may_fail(self, e: A.Expr) -> bool:
        if isinstance(e, A.Index) or (isinstance(e, A.Binary) and e.op in ("/", "%")):
            return True
        if isinstance(e, A.Update) and not isinstance(self.type_of(e.obj), MapType):
            return True
        if isinstance(e, A.FieldAccess) and not isinstance(self.checked.ref(e), EnumSymbol) \
                and not isinstance(self.type_of(e.obj), RecordType):
            return True
        if isinstance(e, A.Call):
            fn = self.checked.ref(e)
            if not isinstance(fn, BuiltinFunction) or fn.name in ("pow2", "log"):
                return True
        if isinstance(e, A.Binary) and not isinstance(
                self.type_of(e), (SetType, MapType, SeqType, BytesType, *INTEGER_TYPES)) \
                and e.op not in LOGICAL_OPERATORS:
            return True
        return any(self.may_fail(child) for child in children(e))

    def may_fail_quantifier(self, e: A.Quantifier) -> bool:
        """A quantifier may short-circuit only when neither its body nor the collections of its
        later bindings (evaluated once per element) can fail."""
        return self.may_fail(e.body) or any(self.may_fail(b.collection) for b in e.bindings[1:])


def children(e: A.Expr) -> Iterator[A.Expr]:
    """The direct subexpressions of `e`."""
    if isinstance(e, A.Old):
        yield e.expr
    elif isinstance(e, A.Call):
        yield from e.args
    elif isinstance(e, A.RecordLit):
        yield from (f.value for f in e.fields)
    elif isinstance(e, (A.SetLit, A.SeqLit)):
        yield from e.elems
    elif isinstance(e, A.MapLit):
        for m in e.entries:
            yield m.key
            yield m.value
    elif isinstance(e, A.FieldAccess):
        yield e.obj
    elif isinstance(e, A.Index):
        yield e.obj
        yield e.index
    elif isinstance(e, A.Update):
        yield e.obj
        yield e.key
        yield e.value
    elif isinstance(e, A.Unary):
        yield e.operand
    elif isinstance(e, A.Binary):
        yield e.left
        yield e.right
    elif isinstance(e, A.Compare):
        yield from e.operands
    elif isinstance(e, A.Conditional):
        yield e.cond
        yield e.then
        yield e.otherwise
    elif isinstance(e, A.Quantifier):
        yield from (b.collection for b in e.bindings)
        yield e.body


def walk(e: A.Expr) -> Iterator[A.Expr]:
    """`e` and every subexpression (the enum name in `Color.Red` included: it is harmless)."""
    stack = [e]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(children(node))


__all__ = ["Analysis", "INTEGER_TYPES", "LOGICAL_OPERATORS", "children", "walk"]
