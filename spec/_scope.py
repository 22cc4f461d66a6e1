"""Symbol tables: a chain of scopes from a block out to the built-ins.

    builtin  <-  module (its declarations + imports)  <-  ebb (members)  <-  op / func / event
             <-  quantifier binders

Types, values, functions, operations and exceptions share one namespace per scope (so a name
means one thing in one place); a call looks outward past non-functions, so a model field named
`size` does not hide the built-in `size(...)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from . import _codes as C
from . import ast as A
from ._report import Reporter
from ._span import Span


@dataclass(eq=False)
class Entry:
    symbol: object
    span: Span  # where the name is bound: its declaration, or the import that brought it
    via: A.Import | None = None
    used: bool = False


class Scope:
    def __init__(self, parent: "Scope | None", kind: str) -> None:
        self.parent = parent
        self.kind = kind  # builtin, module, ebb, record, func, op, event, binder
        self.names: dict[str, Entry] = {}
        self.broken = False  # an import of this module failed: unknown names may come from it

    def declare(self, name: str, symbol: object, span: Span, reporter: Reporter | None,
                via: A.Import | None = None) -> bool:
        """Bind `name` here; a second, different binding of it is E201."""
        existing = self.names.get(name)
        if existing is not None:
            if existing.symbol is symbol:
                return True  # the same declaration imported twice
            if reporter is not None:
                reporter.error(C.DUPLICATE, f"`{name}` is already declared in this scope", span,
                               duplicate_hint(name, existing.span, span))
            return False
        self.names[name] = Entry(symbol, span, via)
        return True

    def chain(self) -> Iterator["Scope"]:
        scope: Scope | None = self
        while scope is not None:
            yield scope
            scope = scope.parent

    def lookup(self, name: str, want: Callable[[object], bool] | None = None) -> Entry | None:
        """The nearest binding of `name` (that `want` accepts), marked as used."""
        for scope in self.chain():
            entry = scope.names.get(name)
            if entry is not None and (want is None or want(entry.symbol)):
                entry.used = True
                return entry
        return None

    def is_broken(self) -> bool:
        return any(s.broken for s in self.chain())

    def visible(self, want: Callable[[object], bool] | None = None) -> list[str]:
        """Every name visible from here (that `want` accepts): the pool for "did you mean"."""
        return [name for scope in self.chain() for name, entry in scope.names.items()
                if want is None or want(entry.symbol)]

    def find(self, kind: str) -> "Scope | None":
        return next((s for s in self.chain() if s.kind == kind), None)


def duplicate_hint(name: str, first: Span, second: Span) -> str:
    if first.line <= 0:
        return f"`{name}` is built in; choose another name"
    where = f"line {first.line}" if first.file == second.file else str(first)
    return f"the first declaration of `{name}` is on {where}; rename one of them"


__all__ = ["Entry", "Scope", "duplicate_hint"]
