"""The contract checks inlined into the implementation's own method: one frame, not two.

`enforce` generates, for each op, a wrapper that checks around a call of the original method
(`_enforce`). The call costs a Python frame, the biggest part of what the checks add to a cheap
operation. Here the wrapper and the method become one function: the method's source is parsed
again, each `return X` becomes "the result is X, run the post-checks, return it", and the
wrapper's call of the original is replaced by that body:

    def isqrt(self, n):                       # FULL, inlined
        if not n <= 1000000: _fail(...)       # the wrapper's pre-checks, as before
        r = math.isqrt(n)                     # the method's own statements...
        v_result = r                          # ...with `return r` rewritten
        if not (...): _fail(...)              # the wrapper's post-checks
        return v_result

The function runs in the method's own module globals (its body reads them as before) and with
its own closure cells; the helpers the checks read (`_fail`, constants, the abstraction) are
closure cells too, so a check costs what it costs in the wrapper. The method's lines keep their
numbers, so tracebacks show its source; the checks are on the `def` line (`CHECK_LINE` of the
wrapper), the wrapper's other statements on the line above it.

Inlining is an optimisation, never a change of meaning: whenever the method's body could read
differently in the new function, the wrapper is kept (`inline` returns None). That is when its
source is not available; when it is decorated, a generator or coroutine, or has parameters other
than the spec's; when it assigns to a parameter (the post-checks read the values the caller
passed); when it uses `super()`, `__class__`, a private `__name` (compiled with its class's
mangling), `locals()`, `vars()`, `exec`, `eval`, `global` or `nonlocal`; when a `return` sits
inside `try` or `with` (a post-check raising there could be caught or suppressed by the
method's own handlers); when the body is on the `def` line; and when a name of the method
could meet a name of the checks.
"""

from __future__ import annotations

import ast
import copy
import inspect
import types
from typing import Any, Callable, Iterator, Mapping

from ._compile_code import GENERATED_NAME, attr, const, function_def, name, store

_NOT_INLINED_FLAGS = (inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR
                      | inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
# the method would see, or could change, the checks' frame through these
_NOT_INLINED_NAMES = frozenset({"super", "__class__", "locals", "vars", "exec", "eval"})


def inline(wrapper: ast.FunctionDef, original: Any, params: list[str],
           helpers: Mapping[str, Any], check_line: int, other_line: int
           ) -> Callable[..., Any] | None:
    """One function doing what `wrapper` (the generated AST, before compilation) does around a
    call of `original` with `params`, with `original`'s body in place of the call; None when
    inlining could change what the body means (see the module's docstring)."""
    definition = _method_definition(original, params)
    if definition is None:
        return None
    def_line = original.__code__.co_firstlineno
    if def_line < 2 or any(s.lineno <= def_line for s in definition.body):
        return None
    method_names = _names_of(definition)
    wrapper = copy.deepcopy(wrapper)
    self_name = definition.args.args[0].arg
    check_reads = _bound_and_read(wrapper)
    check_names = {n for n in check_reads if n not in params and n != "_self"}
    if method_names & check_names or self_name in check_names or \
            any(GENERATED_NAME.match(n) for n in method_names if not n.startswith("_")):
        return None  # a `v_x` of the method's would be read as the spec's `x` by `_diagnose`
    body = _splice(wrapper, definition.body, def_line)
    if body is None:
        return None
    _rename(body, "_self", self_name)
    _renumber(body, {check_line: def_line, other_line: def_line - 1}, check_line)
    inner = function_def(definition.name, [a.arg for a in definition.args.args], body)
    inner.lineno, inner.end_lineno = def_line, definition.end_lineno
    cells = sorted({n for n in check_reads if n in helpers} | set(original.__code__.co_freevars))
    factory = function_def("_ebb_inline_factory", cells,
                           [inner, ast.Return(value=name(definition.name))])
    factory.lineno, factory.end_lineno = def_line, definition.end_lineno
    module = ast.Module(body=[factory], type_ignores=[])
    ast.fix_missing_locations(module)
    code = compile(module, original.__code__.co_filename, "exec")
    factory_code = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    inner_code = next(c for c in factory_code.co_consts if isinstance(c, types.CodeType)
                      and c.co_name == definition.name)
    own_cells = dict(zip(original.__code__.co_freevars, original.__closure__ or ()))
    closure = tuple(own_cells[n] if n in own_cells else types.CellType(helpers[n])
                    for n in inner_code.co_freevars)
    function = types.FunctionType(inner_code, original.__globals__, original.__name__,
                                  original.__defaults__, closure)
    function.__kwdefaults__ = original.__kwdefaults__
    return function


# ---------------------------------------------------------------------------- the method

def _method_definition(original: Any, params: list[str]) -> ast.FunctionDef | None:
    """The method's `def`, parsed from its source with its own line numbers and columns, or
    None when it cannot be inlined as it is."""
    if not inspect.isfunction(original) or hasattr(original, "__wrapped__"):
        return None
    code = original.__code__
    if code.co_flags & _NOT_INLINED_FLAGS or code.co_kwonlyargcount or \
            code.co_varnames[1:code.co_argcount] != tuple(params) or code.co_argcount < 1:
        return None
    try:
        source = inspect.getsource(original)
    except (OSError, TypeError):
        return None
    indented = source[:1].isspace()
    try:  # an indented method parses as the body of `if 1:`, keeping its columns
        tree = ast.parse("if 1:\n" + source if indented else source)
    except SyntaxError:
        return None
    node = tree.body[0].body[0] if indented else tree.body[0]  # type: ignore[attr-defined]
    if not isinstance(node, ast.FunctionDef) or node.decorator_list or \
            node.name != original.__name__:
        return None
    ast.increment_lineno(tree, code.co_firstlineno - node.lineno)
    if not _inlinable(node):
        return None
    node.args.defaults = []           # the original's own values are set on the function
    for a in node.args.args:
        a.annotation = None
    node.returns = None
    return node


def _inlinable(definition: ast.FunctionDef) -> bool:
    parameters = {a.arg for a in definition.args.args}
    if _bound_in(definition.body) & parameters:
        return False  # the post-checks read the parameters as the caller passed them
    for node in _own_nodes(definition.body):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            return False
        if isinstance(node, (ast.Try, ast.TryStar, ast.With)) and \
                any(isinstance(n, ast.Return) for n in _own_nodes([node])):
            return False
    for node in ast.walk(definition):
        text = (node.id if isinstance(node, ast.Name) else node.attr
                if isinstance(node, ast.Attribute) else node.arg
                if isinstance(node, ast.arg) else node.name
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else "")
        if text in _NOT_INLINED_NAMES or (text.startswith("__") and not text.endswith("__")):
            return False
    return True


def _bound_in(stmts: list[ast.stmt]) -> set[str]:
    """The names `stmts` bind or delete in their own scope (comprehensions' targets too: a
    safe over-estimate)."""
    bound: set[str] = set()
    for node in _own_nodes(stmts):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
        bound.update(child.name for child in ast.iter_child_nodes(node)
                     if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
    return bound


def _own_nodes(stmts: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of `stmts` outside nested functions, lambdas and classes (a `return` there
    is not the method's)."""
    todo: list[ast.AST] = list(stmts)
    while todo:
        node = todo.pop()
        yield node
        todo += [c for c in ast.iter_child_nodes(node) if not isinstance(c, _SCOPES)]


def _names_of(definition: ast.FunctionDef) -> set[str]:
    """Every name the method (nested scopes included) binds or reads."""
    names: set[str] = set()
    for node in ast.walk(definition):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node is not definition:
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def _bound_and_read(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | \
        {n.name for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler) and n.name}


# ---------------------------------------------------------------------------- the splice

def _is_call_of_original(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
        node.func.id.startswith("_orig_")


def _splice(wrapper: ast.FunctionDef, method_body: list[ast.stmt], def_line: int
            ) -> list[ast.stmt] | None:
    """The wrapper's body with its call of the original replaced by `method_body`."""
    guard = wrapper.body[-1]
    if len(wrapper.body) != 1 or not isinstance(guard, ast.Try):
        return None  # a sampled wrapper: its unchecked calls keep the plain method
    stmts = guard.body
    for i, stmt in enumerate(stmts):
        if isinstance(stmt, ast.Return) and _is_call_of_original(stmt.value):
            guard.body = stmts[:i] + method_body        # nothing follows: returns stay as they are
            return wrapper.body
        attempt = stmt.body[0] if isinstance(stmt, ast.Try) and stmt.body else stmt
        if isinstance(attempt, ast.Assign) and _is_call_of_original(attempt.value):
            target = attempt.targets[0]
            assert isinstance(target, ast.Name)
            body = _with_continuation(method_body, target.id, stmts[i + 1:])
            if isinstance(stmt, ast.Try):
                stmt.body = body
                _generated_errors_pass(stmt, def_line)
                guard.body = stmts[:i + 1]
            else:
                guard.body = stmts[:i] + body
            return wrapper.body
    return None


def _with_continuation(body: list[ast.stmt], result: str, rest: list[ast.stmt]
                       ) -> list[ast.stmt]:
    """`body` with each `return X` (and falling off its end) turned into `result = X`
    followed by `rest`, the wrapper's statements after the call (which end in a return)."""
    def finish(value: ast.expr | None, like: ast.AST) -> list[ast.stmt]:
        assign = ast.Assign(targets=[store(result)], value=value or const(None))
        ast.copy_location(assign, like)
        return [assign, *copy.deepcopy(rest)]

    class Returns(ast.NodeTransformer):
        def visit_Return(self, node: ast.Return) -> list[ast.stmt]:
            return finish(node.value, node)

        def _keep(self, node: ast.AST) -> ast.AST:  # a nested scope's returns are its own
            return node
        visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = visit_ClassDef = _keep

    module = Returns().visit(ast.Module(body=body, type_ignores=[]))
    last = body[-1] if body else None
    tail = finish(None, last) if last is not None and not isinstance(last, ast.Return) else []
    if not body:
        tail = [ast.Assign(targets=[store(result)], value=const(None)), *copy.deepcopy(rest)]
    return module.body + tail


def _generated_errors_pass(attempt: ast.Try, def_line: int) -> None:
    """The wrapper judges an exception from the call as the operation raising it; with the
    post-checks now inside that `try`, an error raised by the checks (on a line at or above
    the `def`) must pass through to the wrapper's guard instead."""
    for handler in attempt.handlers:
        if handler.name is None:
            continue
        from_the_checks = ast.Compare(
            left=attr(attr(name(handler.name), "__traceback__"), "tb_lineno"), ops=[ast.LtE()],
            comparators=[const(def_line)])
        handler.body.insert(0, ast.If(test=from_the_checks,
                                      body=[ast.Raise(exc=None, cause=None)], orelse=[]))


def _rename(body: list[ast.stmt], old: str, new: str) -> None:
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and node.id == old:
                node.id = new


def _renumber(body: list[ast.stmt], lines: Mapping[int, int], check_line: int) -> None:
    """Move the wrapper's statements to the method's `def` line (checks) and the line above
    (the rest); the guard's test of a check's line follows."""
    for stmt in body:
        for node in ast.walk(stmt):
            lineno = getattr(node, "lineno", None)
            if lineno in lines:
                node.lineno = node.end_lineno = lines[lineno]  # type: ignore[attr-defined]
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and \
                    node.left.attr == "tb_lineno" and isinstance(node.comparators[0],
                                                                 ast.Constant) and \
                    node.comparators[0].value == check_line and isinstance(node.ops[0], ast.Eq):
                node.comparators[0] = const(lines[check_line])


__all__ = ["inline"]
