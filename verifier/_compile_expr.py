"""Checked spec expressions -> Python `ast` expressions with the reference evaluator's meaning.

Spec text is never evaluated: each node of the checked AST becomes a Python `ast` node, names
are mangled and validated, and the module of generated functions is compiled once (its function
code objects become functions with `types.FunctionType`, so nothing is `exec`'d). Generated code
sees no builtins, only the helpers of `_compile_runtime` and the constants this module adds.

Names. A free spec name `x` (model field, parameter, result, `now`, `this_core`, `ncores`)
becomes the Python local `v_x`; a model field in the pre-state (inside `old(...)`, or anywhere in
a pre-state clause such as `requires`) becomes `o_x`; a function without a body (looked up in
the environment, as the reference does) `u_x`; a quantifier binder `b<n>_x`; a parameter of a
user function `p_x`. Helpers and constants start with `_h_` and `_k`, and the code the clause
layer writes uses names starting with `_` only: no mangled spec name can collide with them.

User functions with a body become module-level functions `_f<n>_name(_d, free..., params...)`:
`_d` is the call depth (deeper than `MAX_CALL_DEPTH` has no value, as in the reference) and
`free` are the model fields and values the body reads, transitively, which each call site passes
from its own state (so `old(f(x))` passes the pre-state).

Semantics kept exactly (see `_reference`): truncating `/` `%` (division by zero has no value),
`uN` results masked to N bits, chained comparisons (Python's chains evaluate the middle operand
once and stop at the first false link, as the language does), short-circuit `&&` `||` `==>` `?:`,
and quantifiers that evaluate every body when a body may have no value (then the quantifier has
none) but short-circuit when no part of them can fail (the outcome is the same).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ..spec import ast as A
from ..spec._builtins import BuiltinFunction
from ..spec._symbols import EnumSymbol, FuncSymbol, RecordSymbol, VarSymbol
from ..spec._typecheck import Checked
from ..spec._types import BitVecType, BytesType, MapType, OptionType, RecordType, SeqType, SetType
from ._compile_analysis import INTEGER_TYPES, Analysis
from ._compile_code import (CodeModule, CompileError, arguments, attr, call, const,
                            function_def, mangle, name, store, tuple_)
from ._reference import decode_bytes_literal
from ._values import EnumValue



@dataclass
class FuncInfo:
    """A compiled user function: its Python name and the free names it needs, in order."""
    py_name: str
    free: tuple[tuple[str, str], ...]  # (kind, spec name): kind model, value or func


# ---------------------------------------------------------------------------- compiling

@dataclass(frozen=True)
class _Scope:
    locals: Mapping[int, str]  # id(VarSymbol) -> Python name (binders, function parameters)
    in_old: bool = False       # inside old(...)
    pre_state: bool = False    # the whole expression is read in the pre-state (requires, ...)
    depth: str | None = None   # the depth variable inside a function body

    def bind(self, var: object, py: str) -> "_Scope":
        return _Scope({**self.locals, id(var): py}, self.in_old, self.pre_state, self.depth)


@dataclass
class CompiledExpr:
    node: ast.expr
    reads: dict[str, str]  # Python local -> how a violation shows it (`armed`, `old(armed)`)


class ExprCompiler:
    def __init__(self, checked: Checked, module: CodeModule) -> None:
        self.checked = checked
        self.module = module
        self.funcs: dict[int, FuncInfo] = {}
        self.analysis = Analysis(checked)
        self._binders = 0
        self._reads: dict[str, str] = {}
        self.renames: dict[str, str] = {}  # spec parameter -> the wrapper's own parameter

    def compile(self, e: A.Expr, *, pre_state: bool = False) -> CompiledExpr:
        """`e` as a Python expression over the locals named in `reads`. With `pre_state`, model
        fields are the pre-state's (`o_x`), as in a `requires` clause."""
        saved, self._reads = self._reads, {}
        try:
            node = self.expr(e, _Scope({}, pre_state=pre_state))
            return CompiledExpr(node, self._reads)
        finally:
            self._reads = saved

    def expr(self, e: A.Expr, scope: _Scope) -> ast.expr:
        rule = _RULES.get(type(e))
        if rule is None:
            raise CompileError(f"bug: no compiled form of {type(e).__name__}")
        return rule(self, e, scope)

    def type_of(self, e: object) -> object:
        return self.checked.types.get(id(e))

    def site(self, e: A.Expr) -> ast.Name:
        return self.module.constant(e.span)

    # ------------------------------------------------------------------ names
    def free_name(self, kind: str, spec_name: str, scope: _Scope) -> ast.Name:
        """A free name read in `scope`, recorded for the caller (and for violation values)."""
        if kind == "func":
            py, shown = mangle("u", spec_name), spec_name
        elif kind == "model" and (scope.in_old or scope.pre_state):
            py = mangle("o", spec_name)
            shown = f"old({spec_name})" if scope.in_old and not scope.pre_state else spec_name
        elif spec_name in self.renames:
            py, shown = self.renames[spec_name], spec_name
        else:
            py, shown = mangle("v", spec_name), spec_name
        if scope.depth is None:
            self._reads.setdefault(py, shown)
        return name(py)

    def _name(self, e: A.Name, scope: _Scope) -> ast.expr:
        var = self.checked.ref(e)
        if id(var) in scope.locals:
            return name(scope.locals[id(var)])
        kind = "model" if isinstance(var, VarSymbol) and var.kind == "model" else "value"
        if scope.depth is not None:  # inside a function body: its free names are parameters
            return name(mangle("v", e.id))
        return self.free_name(kind, e.id, scope)

    # ------------------------------------------------------------------ literals
    def _int(self, e: A.IntLit, scope: _Scope) -> ast.expr:
        return const(e.value)

    def _duration(self, e: A.DurationLit, scope: _Scope) -> ast.expr:
        return const(e.nanoseconds)

    def _bytes(self, e: A.BytesLit, scope: _Scope) -> ast.expr:
        return const(decode_bytes_literal(e.text))

    def _bool(self, e: A.BoolLit, scope: _Scope) -> ast.expr:
        return const(bool(e.value))

    def _none(self, e: A.NoneLit, scope: _Scope) -> ast.expr:
        return name("_h_NONE")

    def _old(self, e: A.Old, scope: _Scope) -> ast.expr:
        return self.expr(e.expr, _Scope(scope.locals, True, scope.pre_state, scope.depth))

    def _empty(self, e: A.EmptyLit, scope: _Scope) -> ast.expr:
        return name("_h_EMPTY_MAP" if isinstance(self.type_of(e), MapType) else "_h_EMPTY_SET")

    def _set(self, e: A.SetLit, scope: _Scope) -> ast.expr:
        return call("_h_frozenset", tuple_([self.expr(x, scope) for x in e.elems]))

    def _seq(self, e: A.SeqLit, scope: _Scope) -> ast.expr:
        return tuple_([self.expr(x, scope) for x in e.elems])

    def _map(self, e: A.MapLit, scope: _Scope) -> ast.expr:
        keys = [self.expr(m.key, scope) for m in e.entries]
        values = [self.expr(m.value, scope) for m in e.entries]
        return call("_h_FrozenMap", ast.Dict(keys=keys, values=values))

    def _record(self, e: A.RecordLit, scope: _Scope) -> ast.expr:
        symbol = self.checked.ref(e)
        if not isinstance(symbol, RecordSymbol):
            raise CompileError(f"bug: record literal `{e.type_name.text}` is unresolved")
        order = tuple(symbol.fields)
        written = [init.name.text for init in e.fields]
        values = [self.expr(init.value, scope) for init in e.fields]
        if tuple(written) == order:  # fields in declaration order: build the value directly
            pairs = [tuple_([const(f), v]) for f, v in zip(written, values)]
            return call("_h_Record", const(symbol.name), tuple_(pairs))
        given = ast.Dict(keys=[const(f) for f in written], values=values)  # evaluated as written
        return call("_h_record", const(symbol.name), const(order), given)

    # ------------------------------------------------------------------ access
    def _field(self, e: A.FieldAccess, scope: _Scope) -> ast.expr:
        target = self.checked.ref(e)
        if isinstance(target, EnumSymbol):
            return self.module.constant(_enum_value(target.name, e.field.text))
        obj = self.expr(e.obj, scope)
        t = self.type_of(e.obj)
        if isinstance(t, RecordType):
            return ast.Subscript(value=obj, slice=const(e.field.text), ctx=ast.Load())
        if isinstance(t, OptionType):
            return call("_h_option_value", obj, self.site(e))
        return call("_h_field", obj, const(e.field.text), self.site(e))

    def _index(self, e: A.Index, scope: _Scope) -> ast.expr:
        obj, key = self.expr(e.obj, scope), self.expr(e.index, scope)
        t = self.type_of(e.obj)
        helper = ("_h_map_get" if isinstance(t, MapType) else
                  "_h_seq_get" if isinstance(t, (SeqType, BytesType)) else "_h_index")
        return call(helper, obj, key, self.site(e))

    def _update(self, e: A.Update, scope: _Scope) -> ast.expr:
        obj = self.expr(e.obj, scope)
        key, value = self.expr(e.key, scope), self.expr(e.value, scope)
        t = self.type_of(e.obj)
        if isinstance(t, MapType):
            return call(attr(obj, "set"), key, value)
        helper = "_h_seq_set" if isinstance(t, SeqType) else "_h_update"
        return call(helper, obj, key, value, self.site(e))

    # ------------------------------------------------------------------ operators
    def _unary(self, e: A.Unary, scope: _Scope) -> ast.expr:
        operand = self.expr(e.operand, scope)
        if e.op == "!":
            return ast.UnaryOp(op=ast.Not(), operand=operand)
        return self._wrap(e, ast.UnaryOp(op=ast.USub(), operand=operand))

    def _wrap(self, e: A.Expr, value: ast.expr) -> ast.expr:
        t = self.type_of(e)
        if isinstance(t, BitVecType):
            return ast.BinOp(left=value, op=ast.BitAnd(), right=const((1 << t.width) - 1))
        return value

    def _binary(self, e: A.Binary, scope: _Scope) -> ast.expr:
        logical = _LOGICAL.get(e.op)
        if logical is not None:
            return logical(self.truth(e.left, scope), self.truth(e.right, scope))
        left, right = self.expr(e.left, scope), self.expr(e.right, scope)
        t = self.type_of(e)
        if isinstance(t, SetType) and e.op in _SET_OPS:
            return ast.BinOp(left=left, op=_SET_OPS[e.op](), right=right)
        if isinstance(t, MapType) and e.op == "-":
            return call(attr(left, "without"), right)
        if isinstance(t, (SeqType, BytesType)) and e.op == "+":
            return ast.BinOp(left=left, op=ast.Add(), right=right)
        if isinstance(t, INTEGER_TYPES):
            if e.op in ("/", "%"):
                helper = "_h_div" if e.op == "/" else "_h_mod"
                return self._wrap(e, call(helper, left, right, self.site(e)))
            if e.op in _INTEGER_OPS:
                return self._wrap(e, ast.BinOp(left=left, op=_INTEGER_OPS[e.op](), right=right))
        width = t.width if isinstance(t, BitVecType) else 0
        return call("_h_binary", const(e.op), left, right, const(width), self.site(e))

    def truth(self, e: A.Expr, scope: _Scope) -> ast.expr:
        """`e` as an operand of `&&`-like operators, which give a bool (as `bool(x)` would)."""
        node = self.expr(e, scope)
        return node if _is_boolean(node) else call("_h_bool", node)

    def _compare(self, e: A.Compare, scope: _Scope) -> ast.expr:
        """Python's chains mean what the language's do. A chain whose inner operands are
        plain names or constants becomes `a <= b and b <= c`: the same value, and CPython
        specializes each comparison (a chain's shuffling of the stack defeats that)."""
        operands = [self.expr(x, scope) for x in e.operands]
        ops = [_COMPARISONS[op]() for op in e.ops]
        if len(ops) > 1 and all(isinstance(x, (ast.Name, ast.Constant)) for x in operands[1:-1]):
            return ast.BoolOp(op=ast.And(), values=[
                ast.Compare(left=left, ops=[op], comparators=[right])
                for left, op, right in zip(operands, ops, operands[1:])])
        return ast.Compare(left=operands[0], ops=ops, comparators=operands[1:])

    def _conditional(self, e: A.Conditional, scope: _Scope) -> ast.expr:
        return ast.IfExp(test=self.expr(e.cond, scope), body=self.expr(e.then, scope),
                         orelse=self.expr(e.otherwise, scope))

    def _quantifier(self, e: A.Quantifier, scope: _Scope) -> ast.expr:
        generators: list[ast.comprehension] = []
        inner = scope
        binders: list[str] = []
        for binding in e.bindings:
            collection = self.expr(binding.collection, inner)
            self._binders += 1
            py = mangle(f"b{self._binders}", binding.name.text)
            binders.append(py)
            inner = inner.bind(self.checked.ref(binding), py)
            generators.append(ast.comprehension(target=store(py), iter=collection, ifs=[],
                                                is_async=0))
        body = self.expr(e.body, inner)
        forall = e.kind == "forall"
        if not self.analysis.may_fail_quantifier(e):  # nothing can fail: short-circuit like all/any
            return call("_h_all" if forall else "_h_any",
                        ast.GeneratorExp(elt=body, generators=generators))
        thunk = ast.Lambda(args=arguments(binders, [name(b) for b in binders]), body=body)
        return call("_h_quantify", const(forall),
                    ast.GeneratorExp(elt=thunk, generators=generators))

    # ------------------------------------------------------------------ calls
    def _call(self, e: A.Call, scope: _Scope) -> ast.expr:
        fn = self.checked.ref(e)
        args = [self.expr(a, scope) for a in e.args]
        if isinstance(fn, BuiltinFunction):
            rule = _BUILTIN_CALLS.get(fn.name)
            if rule is None:
                raise CompileError(f"bug: no compiled form of the built-in `{fn.name}`")
            return rule(self, e, args)
        if not isinstance(fn, FuncSymbol):
            raise CompileError(f"bug: call of `{e.func.text}` is unresolved")
        if fn.decl.body is None:
            return call(self.free_name("func", fn.name, scope), *args)
        info = self.function(fn)
        free = [self.free_name(kind, n, scope) if scope.depth is None else
                name(mangle("u" if kind == "func" else "v", n)) for kind, n in info.free]
        if scope.depth is None:
            depth: ast.expr = const(1)
        else:
            depth = call("_h_depth", ast.BinOp(left=name(scope.depth), op=ast.Add(),
                                               right=const(1)), const(fn.name), self.site(e))
        return call(info.py_name, depth, *free, *args)

    def function(self, fn: FuncSymbol) -> FuncInfo:
        """The module-level function for `fn` (compiled on first use)."""
        info = self.funcs.get(id(fn))
        if info is not None:
            return info
        free = tuple(sorted(self.analysis.free_names(fn)))
        info = FuncInfo(mangle(f"_f{len(self.funcs)}", fn.name), free)
        self.funcs[id(fn)] = info  # before the body: the function may call itself
        scope = _Scope({id(p): mangle("p", p.name) for p in fn.params}, depth="_d")
        assert fn.decl.body is not None
        body = self.expr(fn.decl.body, scope)
        params = ["_d", *(mangle("u" if k == "func" else "v", n) for k, n in free),
                  *(mangle("p", p.name) for p in fn.params)]
        self.module.defs.append(function_def(info.py_name, params, [ast.Return(value=body)]))
        return info


def _is_boolean(node: ast.expr) -> bool:
    """Whether generated code is sure to give a bool (so `&&` need not call bool())."""
    if isinstance(node, (ast.Compare, ast.BoolOp)):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
        node.func.id in ("_h_bool", "_h_all", "_h_any", "_h_quantify")


_ENUM_VALUES: dict[tuple[str, str], EnumValue] = {}


def _enum_value(enum: str, member: str) -> EnumValue:
    """One object per enum member, so the module interns it once."""
    return _ENUM_VALUES.setdefault((enum, member), EnumValue(enum, member))


def _and(a: ast.expr, b: ast.expr) -> ast.expr:
    return ast.BoolOp(op=ast.And(), values=[a, b])


def _or(a: ast.expr, b: ast.expr) -> ast.expr:
    return ast.BoolOp(op=ast.Or(), values=[a, b])


def _implies(a: ast.expr, b: ast.expr) -> ast.expr:
    return ast.BoolOp(op=ast.Or(), values=[ast.UnaryOp(op=ast.Not(), operand=a), b])


def _iff(a: ast.expr, b: ast.expr) -> ast.expr:
    return ast.Compare(left=a, ops=[ast.Eq()], comparators=[b])


_LOGICAL: dict[str, Callable[[ast.expr, ast.expr], ast.expr]] = {
    "&&": _and, "||": _or, "==>": _implies, "<==>": _iff,
}
_SET_OPS: dict[str, type[ast.operator]] = {"+": ast.BitOr, "-": ast.Sub, "&": ast.BitAnd}
_INTEGER_OPS: dict[str, type[ast.operator]] = {
    "+": ast.Add, "-": ast.Sub, "*": ast.Mult, "|": ast.BitOr, "^": ast.BitXor, "&": ast.BitAnd,
}
_COMPARISONS: dict[str, type[ast.cmpop]] = {
    "==": ast.Eq, "!=": ast.NotEq, "<": ast.Lt, "<=": ast.LtE, ">": ast.Gt, ">=": ast.GtE,
    "in": ast.In, "!in": ast.NotIn,
}

_Builtin = Callable[[ExprCompiler, A.Call, list[ast.expr]], ast.expr]
_BUILTIN_CALLS: dict[str, _Builtin] = {
    "size": lambda c, e, a: call("_h_len", *a),
    "keys": lambda c, e, a: call("_h_frozenset", *a),
    "values": lambda c, e, a: call("_h_frozenset", call(attr(a[0], "values"))),
    "indices": lambda c, e, a: call("_h_frozenset", call("_h_range_int", call("_h_len", *a))),
    "some": lambda c, e, a: call("_h_Some", *a),
    "min": lambda c, e, a: call("_h_min", *a),
    "max": lambda c, e, a: call("_h_max", *a),
    "abs": lambda c, e, a: call("_h_abs", *a),
    "pow2": lambda c, e, a: call("_h_pow2", *a, c.site(e)),
    "log": lambda c, e, a: call("_h_log", *a, c.site(e)),
    "range": lambda c, e, a: call("_h_range", *a),
}

_RULES: dict[type, Callable[[ExprCompiler, Any, _Scope], ast.expr]] = {
    A.Name: ExprCompiler._name, A.IntLit: ExprCompiler._int,
    A.DurationLit: ExprCompiler._duration, A.BytesLit: ExprCompiler._bytes,
    A.BoolLit: ExprCompiler._bool, A.NoneLit: ExprCompiler._none, A.Old: ExprCompiler._old,
    A.Call: ExprCompiler._call, A.RecordLit: ExprCompiler._record,
    A.EmptyLit: ExprCompiler._empty, A.SetLit: ExprCompiler._set, A.MapLit: ExprCompiler._map,
    A.SeqLit: ExprCompiler._seq, A.FieldAccess: ExprCompiler._field,
    A.Index: ExprCompiler._index, A.Update: ExprCompiler._update,
    A.Unary: ExprCompiler._unary, A.Binary: ExprCompiler._binary,
    A.Compare: ExprCompiler._compare, A.Conditional: ExprCompiler._conditional,
    A.Quantifier: ExprCompiler._quantifier,
}


# ---------------------------------------------------------------------------- one expression

def compile_expression(e: A.Expr, checked: Checked, *, pre_state: bool = False,
                       label: str = "expression") -> Callable[..., Any]:
    """`e` as a function of `(env, pre=None)` with `evaluate(e, env, checked, pre)`'s meaning:
    free names come from `env` by name, `old(...)` model fields from `pre`. Raises `Undefined`
    where the reference does, `KeyError` when a name it reads is missing."""
    module = CodeModule(label)
    compiler = ExprCompiler(checked, module)
    compiled = compiler.compile(e, pre_state=pre_state)
    body: list[ast.stmt] = []
    for py in compiled.reads:
        source = "pre" if py.startswith("o_") else "env"
        body.append(ast.Assign(targets=[store(py)], value=ast.Subscript(
            value=name(f"_{source}"), slice=const(py[2:]), ctx=ast.Load())))
    body.append(ast.Return(value=compiled.node))
    module.defs.append(function_def("_expression", ["_env", "_pre"], body))
    function = module.build()["_expression"]

    def expression(env: Mapping[str, Any], pre: Mapping[str, Any] | None = None) -> Any:
        return function(env, pre if pre is not None else {})
    return expression


__all__ = ["CompiledExpr", "ExprCompiler", "FuncInfo", "compile_expression"]
