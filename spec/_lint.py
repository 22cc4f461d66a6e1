"""Warnings: legal specs that are probably not what the writer meant.

W400 an import nothing uses (or a `from` import of a name an earlier import already brought);
W401 a declaration without a doc string (the generated reference would have nothing to say).
"""

from __future__ import annotations

from typing import Iterator, Mapping

from . import _codes as C
from . import ast as A
from ._report import Reporter
from ._symbols import ModuleSymbols, UnresolvedSymbol

# what the reference documents, so what needs a doc string
DOCUMENTED = (A.EbbDecl, A.RecordDecl, A.EnumDecl, A.HandleDecl, A.AliasDecl, A.MessageDecl,
              A.ExceptionDecl, A.FuncDecl, A.ModelDecl, A.OpDecl, A.EventDecl, A.ProtocolDecl)

_NOUNS = {A.EbbDecl: "Ebb", A.RecordDecl: "record", A.EnumDecl: "enum", A.HandleDecl: "handle",
          A.AliasDecl: "type", A.MessageDecl: "message", A.ExceptionDecl: "exception",
          A.FuncDecl: "func", A.ModelDecl: "model field", A.OpDecl: "operation",
          A.EventDecl: "event", A.ProtocolDecl: "protocol"}


def unused_imports(msyms: ModuleSymbols, targets: Mapping[int, ModuleSymbols | None],
                   reporter: Reporter) -> None:
    entries = list(msyms.scope.names.values())
    for item in msyms.module.items:
        if not isinstance(item, A.Import) or targets.get(id(item)) is None:
            continue
        if not item.names:
            if not any(e.used for e in entries if e.via is item):
                reporter.warning(C.UNUSED_IMPORT, f"nothing imported from \"{item.path}\" is "
                                 "used", item.span)
            continue
        for ident in item.names:
            entry = msyms.scope.names.get(ident.text)
            if entry is None or isinstance(entry.symbol, UnresolvedSymbol):
                continue
            if entry.via is item and not entry.used:
                reporter.warning(C.UNUSED_IMPORT, f"`{ident.text}` is imported but never used",
                                 ident.span)
            elif entry.via not in (None, item) and entry.span.line < ident.span.line:
                reporter.warning(C.UNUSED_IMPORT, f"`{ident.text}` is already imported on line "
                                 f"{entry.span.line}", ident.span)


def missing_docs(module: A.Module, reporter: Reporter) -> None:
    for decl in _declarations(module):
        if isinstance(decl, DOCUMENTED) and not decl.doc:
            noun = _NOUNS[type(decl)]
            reporter.warning(C.NO_DOC, f"{noun} `{decl.name.text}` has no doc string",
                             decl.name.span)


def _declarations(module: A.Module) -> Iterator[object]:
    for item in module.items:
        yield item
        if isinstance(item, A.EbbDecl):
            yield from item.members


__all__ = ["DOCUMENTED", "missing_docs", "unused_imports"]
