"""The checking pass over a set of parsed files: resolve, type-check, then the warnings.

The result, `Checked`, is what later passes read: the symbols of every file and Ebb, the type
of every expression and type node (`types`, by `id(node)`), and what every name, call, record
literal, enum member, clause label and pattern refers to (`refs`, by `id(node)`). Node ids are
stable only while the AST is alive; `CheckResult` keeps the modules, so hold on to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from . import ast as A
from ._builtins import builtin_scope
from ._lint import missing_docs, unused_imports
from ._report import Reporter
from ._resolve import Resolver
from ._symbols import EbbSymbol, ModuleSymbols
from ._typecheck_decl import DeclChecker
from ._typecheck_expr import ExprChecker
from ._types import Type


@dataclass
class Checked:
    """Symbol tables and node annotations of a checked set of files."""
    modules: dict[str, ModuleSymbols] = field(default_factory=dict)  # by module path
    types: dict[int, Type] = field(default_factory=dict, repr=False)
    refs: dict[int, object] = field(default_factory=dict, repr=False)
    decls: dict[int, object] = field(default_factory=dict, repr=False)  # declaration -> symbol

    @property
    def ebbs(self) -> list[EbbSymbol]:
        """Every Ebb of every file, in load order then source order."""
        return [e for m in self.modules.values() for e in m.ebbs.values()]

    def ebb(self, name: str, module: str | None = None) -> EbbSymbol:
        """The Ebb called `name` (in `module`, when several files declare one)."""
        found = [e for e in self.ebbs if e.name == name and module in (None, e.module)]
        if not found:
            raise KeyError(f"no Ebb named {name!r}" + (f" in {module}" if module else ""))
        return found[0]

    def type_of(self, node: object) -> Type:
        """The type of an expression or type node. KeyError for the few nodes that have none:
        the enum name in `Color.Red` (a type, not a value: `ref()` gives its EnumSymbol; the
        whole `Color.Red` has the enum's type), the measure of a complexity clause, and parts
        of declarations already reported as broken."""
        return self.types[id(node)]

    def ref(self, node: object) -> object | None:
        """The symbol a name, call, record literal, enum member, label or binder refers to."""
        return self.refs.get(id(node))

    def symbol(self, decl: object) -> object | None:
        """The symbol made for a declaration node (an op, a record, a model field, ...)."""
        return self.decls.get(id(decl))


def check_modules(modules: Mapping[str, A.Module], imports: Mapping[int, str | None],
                  reporter: Reporter) -> Checked:
    """Check parsed `modules` (by path); `imports` maps id(Import) to the imported module's
    path, or None when it could not be loaded (already reported)."""
    checked = Checked()
    resolver = Resolver(reporter, builtin_scope(), checked.types)
    for path, module in modules.items():
        checked.modules[path] = resolver.declare_module(module)
    targets = {key: checked.modules.get(path) if path is not None else None
               for key, path in imports.items()}
    for msyms in checked.modules.values():
        resolver.bind_imports(msyms, targets)
    for msyms in checked.modules.values():
        resolver.resolve_module(msyms)
    exprs = ExprChecker(reporter, checked.types, checked.refs)
    decls = DeclChecker(reporter, resolver, exprs, checked.refs)
    for msyms in checked.modules.values():
        decls.check_module(msyms)
    for msyms in checked.modules.values():
        unused_imports(msyms, targets, reporter)
        missing_docs(msyms.module, reporter)
    checked.decls = resolver.symbol_of
    return checked


__all__ = ["Checked", "check_modules"]
