"""The generated module: Python `ast` shorthands, the `CodeModule` that collects generated
functions and the globals they may read, and the audit every generated module passes.

Generated code is compiled with `compile()` from `ast` nodes built by the contract compiler
(never from spec text), and its functions are made from the compiled code objects with
`types.FunctionType`: nothing is `exec`'d. Its globals hold no builtins, only the helpers of
`_compile_runtime` and what the compiler adds (constants, helpers bound to one Ebb).
"""

from __future__ import annotations

import ast
import re
import types
from dataclasses import dataclass, field
from typing import Any, Callable

from ._compile_runtime import HELPERS

SPEC_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class CompileError(Exception):
    """A bug: the compiler met a checked AST it has no rule for (never bad user input, which
    the front end rejects first)."""


def mangle(prefix: str, name: str) -> str:
    """`prefix` + a validated spec name: the only way a spec name enters generated code."""
    if not SPEC_NAME.match(name):
        raise CompileError(f"bug: `{name}` is not a spec identifier")
    return f"{prefix}_{name}"


# ---------------------------------------------------------------------------- ast shorthands

def name(id_: str) -> ast.Name:
    return ast.Name(id=id_, ctx=ast.Load())


def store(id_: str) -> ast.Name:
    return ast.Name(id=id_, ctx=ast.Store())


def const(value: Any) -> ast.expr:
    return ast.Constant(value=value)


def call(func: str | ast.expr, *args: ast.expr) -> ast.Call:
    return ast.Call(func=name(func) if isinstance(func, str) else func, args=list(args),
                    keywords=[])


def tuple_(items: list[ast.expr]) -> ast.Tuple:
    return ast.Tuple(elts=items, ctx=ast.Load())


def attr(obj: ast.expr, attribute: str) -> ast.Attribute:
    return ast.Attribute(value=obj, attr=attribute, ctx=ast.Load())


def arguments(params: list[str], defaults: list[ast.expr] | None = None) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in params], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=defaults or [])


def function_def(name_: str, params: list[str], body: list[ast.stmt],
                 defaults: list[ast.expr] | None = None) -> ast.FunctionDef:
    return ast.FunctionDef(name=name_, args=arguments(params, defaults), body=body,
                           decorator_list=[], returns=None, type_params=[])


# ---------------------------------------------------------------------------- the code module

@dataclass
class CodeModule:
    """The generated module: function definitions, and the globals they may read."""
    label: str
    globals: dict[str, Any] = field(default_factory=lambda: {"__builtins__": {}, **HELPERS})
    defs: list[ast.stmt] = field(default_factory=list)
    arguments: set[str] = field(default_factory=set)  # validated Python parameter names
    built: list[ast.Module] = field(default_factory=list, repr=False)
    _constants: dict[int, str] = field(default_factory=dict)

    def allow_argument(self, py_name: str) -> str:
        """Let a wrapper take a parameter spelled as the implementation spells it (a spec
        name, with `_` after a Python keyword); such names are read once, on entry."""
        if not SPEC_NAME.match(py_name) or py_name.startswith("_"):
            raise CompileError(f"bug: `{py_name}` cannot be a wrapper parameter")
        self.arguments.add(py_name)
        return py_name

    def constant(self, value: Any) -> ast.Name:
        """A global holding `value` (a span, an enum value, a record shape...)."""
        key = id(value)
        if key not in self._constants:
            self._constants[key] = f"_k{len(self._constants)}"
            self.globals[self._constants[key]] = value
        return name(self._constants[key])

    def source(self) -> str:
        """The generated code, as Python text (for reading and debugging; never executed)."""
        return "\n\n".join(ast.unparse(m) for m in self.built)

    def add_global(self, key: str, value: Any) -> ast.Name:
        if key in self.globals and self.globals[key] is not value:
            raise CompileError(f"bug: the global `{key}` is defined twice")
        self.globals[key] = value
        return name(key)

    def build(self) -> dict[str, Callable[..., Any]]:
        """Compile every definition; returns the functions by name (also put in globals)."""
        module = ast.Module(body=self.defs, type_ignores=[])
        ast.fix_missing_locations(module)
        audit(module, self.arguments)
        self.built.append(module)
        code = compile(module, f"<ebb contracts: {self.label}>", "exec")
        defined = {d.name for d in self.defs if isinstance(d, ast.FunctionDef)}
        functions: dict[str, Callable[..., Any]] = {}
        for const_ in code.co_consts:
            if isinstance(const_, types.CodeType) and const_.co_name in defined:
                functions[const_.co_name] = types.FunctionType(const_, self.globals,
                                                               const_.co_name)
        self.globals.update(functions)
        self.defs = []
        return functions


GENERATED_NAME = re.compile(r"(?:[vopu]|b\d+)_[A-Za-z_][A-Za-z0-9_]*\Z|_[A-Za-z0-9_]*\Z")


def audit(module: ast.Module, arguments: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """Every identifier in generated code is a mangled spec name, an internal `_name` or an
    allowed wrapper parameter, and no node kind outside plain expressions and the few
    statements the compiler writes occurs."""
    for node in ast.walk(module):
        if isinstance(node, ast.Name) and not (GENERATED_NAME.match(node.id)
                                               or node.id in arguments):
            raise CompileError(f"bug: generated code uses the name `{node.id}`")
        if isinstance(node, ast.arg) and not (GENERATED_NAME.match(node.arg)
                                              or node.arg in arguments):
            raise CompileError(f"bug: generated code has the parameter `{node.arg}`")
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Delete,
                             ast.With, ast.AsyncFunctionDef, ast.ClassDef, ast.Await,
                             ast.Yield, ast.YieldFrom)):
            raise CompileError(f"bug: generated code contains {type(node).__name__}")


__all__ = ["CodeModule", "CompileError", "GENERATED_NAME", "SPEC_NAME", "arguments", "attr",
           "audit", "call", "const", "function_def", "mangle", "name", "store", "tuple_"]
