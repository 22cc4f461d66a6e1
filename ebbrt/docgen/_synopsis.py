"""The synopsis: an Ebb's declarations in spec syntax, without their clauses.

Like a synopsis in the C++ standard, it shows the whole interface at a glance; in HTML each
declared name links to its section and each type to its definition.
"""

from __future__ import annotations

from typing import Callable, Union

from ..spec import ast as A
from ..spec._printer import format_expr
from ._decls import type_params_text
from ._links import DECL_KEYWORD, TYPE_DECLS, Scope, anchor_for
from ._model import CodeBlock, Ref, Target

Parts = list[Union[str, Ref]]
MAX_LINE = 90  # longer one-line records and headers are broken over several lines
INDENT = "  "


def results_parts(results: A.Results | None, scope: Scope) -> Parts:
    if results is None:
        return []
    if results.kind == "anon":
        return [" -> ", *scope.type_parts(results.params[0].type)]
    if results.kind == "named":
        return [" -> ", *scope.params_parts(results.params)]
    return [" -> (", *scope.params_parts(results.params), ")"]


def signature_parts(decl: A.OpDecl | A.EventDecl, scope: Scope, prefix: str = "") -> Parts:
    """`prefix + name(params) -> results`; the heading of an operation or event."""
    return [f"{prefix}{decl.name.text}", *_after_name(decl, scope)]


def synopsis(ebb: A.EbbDecl, scope: Scope) -> CodeBlock:
    stem = scope.ebb_stem or ""
    lines: list[Parts] = _header(ebb, scope)
    for comment, kinds in _GROUPS:
        members = [m for m in ebb.members if isinstance(m, kinds)]
        if not members:
            continue
        if len(lines) > 1:
            lines.append([])
        lines.append([f"{INDENT}// {comment}"])
        for m in members:
            for line in _LINES[type(m)](m, scope, Target(stem, anchor_for(m))):
                lines.append([INDENT, *line] if line else [])
    lines.append(["}"])
    return CodeBlock(tuple(tuple(_merge(line)) for line in lines))


def _header(ebb: A.EbbDecl, scope: Scope) -> list[Parts]:
    head: Parts = [f"ebb {ebb.name.text}{type_params_text(ebb.type_params)} {ebb.scope}"]
    if ebb.refines is None:
        return [head + [" {"]]
    mapping = ", ".join(f"{m.name.text} = {format_expr(m.expr)}" for m in ebb.refines.mappings)
    refines: Parts = ["refines ", *scope.type_parts(ebb.refines.target),
                      f" via {{ {mapping} }}" if mapping else " via {}", " {"]
    if len(_plain(head + [" "] + refines)) <= MAX_LINE:
        return [head + [" "] + refines]
    return [head, [INDENT * 2, *refines]]


def _named(keyword: str, decl: object, target: Target, after: str = "") -> Parts:
    name = getattr(decl, "name").text
    return [f"{keyword} ", Ref(name, target), after]


def _record(decl: A.RecordDecl, scope: Scope, target: Target) -> list[Parts]:
    inner = scope.with_params(decl.type_params)
    head = _named("record", decl, target, type_params_text(decl.type_params))
    return _braced(head, [[f"{f.name.text}: ", *inner.type_parts(f.type)] for f in decl.fields])


def _braced(head: Parts, fields: list[Parts]) -> list[Parts]:
    """`head { a, b }` on one line when it fits, else one field per line."""
    if not fields:
        return [head + [" {}"]]
    one_line: Parts = head + [" { "]
    for i, f in enumerate(fields):
        one_line += ([", "] if i else []) + f
    one_line.append(" }")
    if len(_plain(one_line)) + len(INDENT) <= MAX_LINE:
        return [one_line]
    return [head + [" {"], *[[INDENT, *f] for f in fields], ["}"]]


def _enum(decl: A.EnumDecl, scope: Scope, target: Target) -> list[Parts]:
    members = ", ".join(m.name.text for m in decl.members)
    return [_named("enum", decl, target, f" {{ {members} }}")]


def _message(decl: A.MessageDecl, scope: Scope, target: Target) -> list[Parts]:
    fields = [[f"{f.name.text}: ", *scope.type_parts(f.type), f" = {f.number}"]
              for f in decl.fields]
    return _braced(_named("message", decl, target), fields)


def _simple(decl: A.HandleDecl | A.ExceptionDecl, scope: Scope, target: Target) -> list[Parts]:
    return [_named(DECL_KEYWORD[type(decl)], decl, target,
                   type_params_text(getattr(decl, "type_params", ())))]


def _alias(decl: A.AliasDecl, scope: Scope, target: Target) -> list[Parts]:
    return [_named("type", decl, target, " = ") + scope.type_parts(decl.type)]


def _func(decl: A.FuncDecl, scope: Scope, target: Target) -> list[Parts]:
    inner = scope.with_params(decl.type_params)
    return [_named("func", decl, target, f"{type_params_text(decl.type_params)}(")
            + inner.params_parts(decl.params) + [") -> "] + inner.type_parts(decl.result)]


def _model(decl: A.ModelDecl, scope: Scope, target: Target) -> list[Parts]:
    init = f" = {format_expr(decl.init)}" if decl.init is not None else ""
    return [_named("model", decl, target, ": ") + scope.type_parts(decl.type) + [init]]


def _op(decl: A.OpDecl, scope: Scope, target: Target) -> list[Parts]:
    return [["op ", Ref(decl.name.text, target), *_after_name(decl, scope)]]


def _event(decl: A.EventDecl, scope: Scope, target: Target) -> list[Parts]:
    return [["event ", Ref(decl.name.text, target), *_after_name(decl, scope),
             f" on core({format_expr(decl.core)})"]]


def _protocol(decl: A.ProtocolDecl, scope: Scope, target: Target) -> list[Parts]:
    lines: list[Parts] = [["protocol ", Ref(decl.name.text, target), " {"]]
    if decl.initial is not None:
        lines.append([f"{INDENT}initial {decl.initial.text}"])
    for t in decl.transitions:
        lines.append([f"{INDENT}{t.source.text} -{t.label.text}-> {t.target.text}"])
    lines.append(["}"])
    return lines


def _after_name(decl: A.OpDecl | A.EventDecl, scope: Scope) -> Parts:
    parts: Parts = ["(", *scope.params_parts(decl.params), ")"]
    if isinstance(decl, A.OpDecl):
        parts += results_parts(decl.results, scope)
    return parts


_LINES: dict[type, Callable[..., list[Parts]]] = {
    A.RecordDecl: _record, A.EnumDecl: _enum, A.HandleDecl: _simple, A.AliasDecl: _alias,
    A.MessageDecl: _message, A.ExceptionDecl: _simple, A.FuncDecl: _func, A.ModelDecl: _model,
    A.OpDecl: _op, A.EventDecl: _event, A.ProtocolDecl: _protocol,
}

# synopsis groups, in order: comment, member kinds
_GROUPS: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("types", TYPE_DECLS),
    ("model state", (A.ModelDecl,)),
    ("helper functions", (A.FuncDecl,)),
    ("operations", (A.OpDecl,)),
    ("events", (A.EventDecl,)),
    ("protocols", (A.ProtocolDecl,)),
)


def _plain(parts: Parts) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in parts)


def _merge(parts: Parts) -> Parts:
    merged: Parts = []
    for p in parts:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif p != "":
            merged.append(p)
    return merged
