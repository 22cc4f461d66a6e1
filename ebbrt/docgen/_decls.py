"""Sections for type declarations and helper functions, on an Ebb's page or a page of their own.

Records list their fields, enums their members, messages their numbered fields; every type in
them links to its definition.
"""

from __future__ import annotations

from typing import Callable

from ..spec import ast as A
from ._links import DECL_KEYWORD, Scope, TopDecl, anchor_for
from ._model import (Block, Code, Element, Item, Line, Para, Ref, Row, Section, Table, Text,
                     code, prose)
from ._words import DECL_WORDS, expr


def type_params_text(params: tuple[A.Ident, ...]) -> str:
    return f"<{', '.join(p.text for p in params)}>" if params else ""


def decl_title(decl: TopDecl, scope: Scope) -> Code:
    """The declaration as the spec writes it, without its body: `record Arm`, `type Pfn = nat`."""
    keyword = DECL_KEYWORD[type(decl)]
    head = f"{keyword} {decl.name.text}{type_params_text(getattr(decl, 'type_params', ()))}"
    if isinstance(decl, A.AliasDecl):
        return code(head, " = ", *scope.type_parts(decl.type))
    if isinstance(decl, A.FuncDecl):
        inner = scope.with_params(decl.type_params)
        return code(head, "(", *inner.params_parts(decl.params), ") -> ",
                    *inner.type_parts(decl.result))
    return code(head)


def decl_section(decl: TopDecl, scope: Scope, level: int = 3) -> Section:
    return Section((decl_title(decl, scope),), anchor_for(decl), level, decl_body(decl, scope),
                   css=f"decl {DECL_KEYWORD[type(decl)]}", label=decl.name.text)


def decl_body(decl: TopDecl, scope: Scope) -> tuple[Block, ...]:
    blocks: list[Block] = []
    if decl.doc:
        blocks.append(Para(prose(decl.doc), css="doc"))
    blocks.extend(_BODY[type(decl)](decl, scope))
    return tuple(blocks)


def _doc_cell(doc: str | None) -> Line:
    return prose(doc) if doc else ()


def _record(decl: A.RecordDecl, scope: Scope) -> list[Block]:
    inner = scope.with_params(decl.type_params)
    rows = tuple(Row(((code(f.name.text),), (inner.type_code(f.type),), _doc_cell(f.doc)))
                 for f in decl.fields)
    return [Table(("Field", "Type", "Description"), rows, css="fields")] if rows else []


def _enum(decl: A.EnumDecl, scope: Scope) -> list[Block]:
    rows = tuple(Row(((code(m.name.text),), _doc_cell(m.doc))) for m in decl.members)
    return [Table(("Member", "Description"), rows, css="members")]


def _handle(decl: A.HandleDecl, scope: Scope) -> list[Block]:
    blocks: list[Block] = [Para((Text(DECL_WORDS["handle"]),), css="remark")]
    here = scope.resolve(decl.name.text)
    protocols = scope.site.protocols_of(here) if here else []
    if protocols:
        items = tuple(Item((code(Ref(label, target)),)) for label, target in protocols)
        blocks.append(Element("Protocol", "protocol", items))
    return blocks


def _alias(decl: A.AliasDecl, scope: Scope) -> list[Block]:
    return []


def _message(decl: A.MessageDecl, scope: Scope) -> list[Block]:
    rows = tuple(Row(((code(str(f.number)),), (code(f.name.text),), (scope.type_code(f.type),),
                      _doc_cell(f.doc)))
                 for f in decl.fields)
    return [Table(("Number", "Field", "Type", "Description"), rows, css="fields")] if rows else []


def _exception(decl: A.ExceptionDecl, scope: Scope) -> list[Block]:
    here = scope.resolve(decl.name.text)
    throwers = scope.site.thrown_by(here) if here else []
    if not throwers:
        return []
    items = tuple(Item((code(Ref(label, target)),)) for label, target in throwers)
    return [Element("Thrown by", "thrown-by", items)]


def _func(decl: A.FuncDecl, scope: Scope) -> list[Block]:
    if decl.body is None:
        return [Para((Text(DECL_WORDS["func_uninterpreted"]),), css="remark")]
    return [Element("Definition", "definition", (Item((expr(decl.body),)),))]


_BODY: dict[type, Callable[..., list[Block]]] = {
    A.RecordDecl: _record, A.EnumDecl: _enum, A.HandleDecl: _handle, A.AliasDecl: _alias,
    A.MessageDecl: _message, A.ExceptionDecl: _exception, A.FuncDecl: _func,
}
