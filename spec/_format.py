"""The canonical layout of a spec file (`ebb fmt`).

Two-space indentation; one declaration, clause, field or transition per line; an operation's or
event's doc string and clauses indented under its header; an Ebb's, record's, enum's, message's
and protocol's doc string first inside its braces; every other doc string at the end of its
line. An empty line separates members, except runs of one-line declarations of one kind
(models, invariants, handles, ...). Expressions and types print through `_printer`, with the
fewest parentheses; long lines are not broken. Comments are kept (see `_comments`).

The layout depends only on the AST (and on where comments sit), so formatting is idempotent
and the formatted text parses back to an equal AST.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Sequence

from . import ast as A
from ._comments import Comment, Line, weave
from ._parser import parse_text_with_comments
from ._printer import format_arith, format_expr, format_type
from .diagnostics import Diagnostic

# One-line declarations of these kinds stay together without an empty line between them.
_COMPACT = (A.Import, A.ModelDecl, A.InvariantDecl, A.HandleDecl, A.ExceptionDecl, A.AliasDecl,
            A.FuncDecl, A.TemporalDecl)

_MAX_ONE_LINE = 100  # a `refines ... via { ... }` mapping list longer than this gets a line each


def format_module(module: A.Module, comments: Sequence[Comment] = ()) -> str:
    """The canonical text of `module`, with `comments` (from the same source) woven back in."""
    layout = _Layout(comments)
    layout.members(0, module.items)
    return weave(layout.lines, comments)


def format_text(text: str, file: str = "<input>") -> tuple[str | None, list[Diagnostic]]:
    """The canonical text of a spec file, or None and the syntax errors that prevent it."""
    module, diagnostics, comments = parse_text_with_comments(text, file)
    if module is None:
        return None, diagnostics
    return format_module(module, comments), diagnostics


def quote(value: str) -> str:
    """A doc string or path as a string literal that reads back as `value`."""
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _doc(doc: str | None) -> str:
    return "" if doc is None else " " + quote(doc)


def _names(names: Sequence[A.Ident]) -> str:
    return ", ".join(n.text for n in names)


def _type_params(params: Sequence[A.Ident]) -> str:
    return f"<{_names(params)}>" if params else ""


def _params(params: Sequence[A.Param]) -> str:
    return ", ".join(f"{p.name.text}: {format_type(p.type)}" for p in params)


def _results(results: A.Results | None) -> str:
    if results is None:
        return ""
    if results.kind == "anon":
        return f" -> {format_type(results.params[0].type)}"
    if results.kind == "named":
        return f" -> {_params(results.params)}"
    return f" -> ({_params(results.params)})"


def _pattern(p: A.Pattern) -> str:
    return f"{p.name.text}({_names(p.binders)})"


def _formula(f: A.Formula) -> str:
    if isinstance(f, A.Always):
        return f"always {format_expr(f.expr)}"
    if isinstance(f, A.NeverBefore):
        offset = "" if f.offset is None else f" + {format_arith(f.offset)}"
        return f"never {_pattern(f.event)} before {_pattern(f.before)}{offset}"
    if isinstance(f, A.LeadsTo):
        unless = "" if f.unless is None else f" unless {_pattern(f.unless)}"
        return (f"{_pattern(f.trigger)} leads_to {_pattern(f.response)} within "
                f"[{format_expr(f.low)}, {format_expr(f.high)}]{unless}")
    raise TypeError(f"bug: the formatter has no layout for {type(f).__name__}")


class _Layout:
    """Builds the list of `Line`s, one method per kind of declaration or clause."""

    def __init__(self, comments: Sequence[Comment]) -> None:
        self.lines: list[Line] = []
        self.comment_starts = sorted(c.span.start for c in comments)

    def line(self, depth: int, text: str, node: object = None, *, blank: bool = False,
             opens: bool = False) -> None:
        if node is None:
            self.lines.append(Line(depth, text, None, blank_before=blank, opens=opens))
            return
        span = node.span  # type: ignore[attr-defined]
        self.lines.append(Line(depth, text, span.start, span.line, blank, opens))

    def close(self, depth: int, node: object, text: str = "}") -> None:
        """The `}` ending `node`, anchored at the brace so comments before it stay inside."""
        span = node.span  # type: ignore[attr-defined]
        self.lines.append(Line(depth, text, max(span.end - 1, span.start), span.end_line,
                               closes=True, opens=text.endswith("{")))

    def has_comment_inside(self, node: object) -> bool:
        span = node.span  # type: ignore[attr-defined]
        return any(span.start < s < span.end for s in self.comment_starts)

    # -- members ----------------------------------------------------------------------
    def members(self, depth: int, members: Sequence[object], after_doc: bool = False) -> None:
        previous = None
        for member in members:
            if previous is None:
                blank = after_doc
            else:
                blank = not (type(previous) is type(member) and isinstance(member, _COMPACT))
            start = len(self.lines)
            self.member(depth, member)
            if blank and len(self.lines) > start:
                first = self.lines[start]
                self.lines[start] = dataclasses.replace(first, blank_before=True)
            previous = member

    def member(self, depth: int, member: object) -> None:
        method = _MEMBERS.get(type(member))
        if method is None:
            raise TypeError(f"bug: the formatter has no layout for {type(member).__name__}")
        method(self, depth, member)

    def import_(self, depth: int, d: A.Import) -> None:
        if d.names:
            self.line(depth, f"from {quote(d.path)} import {_names(d.names)}", d)
        else:
            self.line(depth, f"import {quote(d.path)}", d)

    def ebb(self, depth: int, d: A.EbbDecl) -> None:
        header = f"ebb {d.name.text}{_type_params(d.type_params)} {d.scope}"
        if d.refines is None:
            self.line(depth, header + " {", d, opens=True)
        else:
            header += f" refines {format_type(d.refines.target)} via"
            maps = [f"{m.name.text} = {format_expr(m.expr)}" for m in d.refines.mappings]
            one_line = f"{header} {{ {', '.join(maps)} }} {{" if maps else f"{header} {{}} {{"
            if (len(one_line) + 2 * depth <= _MAX_ONE_LINE
                    and not self.has_comment_inside(d.refines)):
                self.line(depth, one_line, d, opens=True)
            else:
                self.line(depth, header + " {", d, opens=True)
                for m, text in zip(d.refines.mappings, maps):
                    self.line(depth + 1, text + ",", m)
                self.close(depth, d.refines, "} {")
        if d.doc is not None:
            self.line(depth + 1, quote(d.doc))
        self.members(depth + 1, d.members, after_doc=d.doc is not None)
        self.close(depth, d)

    def record(self, depth: int, d: A.RecordDecl) -> None:
        header = f"record {d.name.text}{_type_params(d.type_params)}"
        self.braced(depth, d, header, [
            (f"{f.name.text}: {format_type(f.type)}{_doc(f.doc)}", f) for f in d.fields])

    def enum(self, depth: int, d: A.EnumDecl) -> None:
        last = len(d.members) - 1
        self.braced(depth, d, f"enum {d.name.text}", [
            (f"{m.name.text}{_doc(m.doc)}{',' if i < last else ''}", m)
            for i, m in enumerate(d.members)])

    def message(self, depth: int, d: A.MessageDecl) -> None:
        self.braced(depth, d, f"message {d.name.text}", [
            (f"{f.name.text}: {format_type(f.type)} = {f.number}{_doc(f.doc)}", f)
            for f in d.fields])

    def protocol(self, depth: int, d: A.ProtocolDecl) -> None:
        body = []
        if d.initial is not None:
            body.append((f"initial {d.initial.text}", d.initial))
        body += [(f"{t.source.text} -{t.label.text}-> {t.target.text}{_doc(t.doc)}", t)
                 for t in d.transitions]
        self.braced(depth, d, f"protocol {d.name.text}", body)

    def braced(self, depth: int, d: A.RecordDecl | A.EnumDecl | A.MessageDecl | A.ProtocolDecl,
               header: str, body: list[tuple[str, object]]) -> None:
        """`header {`, the doc string, one line per entry, `}`; `header {}` when empty."""
        if not body and d.doc is None and not self.has_comment_inside(d):
            self.line(depth, header + " {}", d)
            return
        self.line(depth, header + " {", d, opens=True)
        if d.doc is not None:
            self.line(depth + 1, quote(d.doc))
        for text, node in body:
            self.line(depth + 1, text, node)
        self.close(depth, d)

    def handle(self, depth: int, d: A.HandleDecl) -> None:
        self.line(depth, f"handle {d.name.text}{_type_params(d.type_params)}{_doc(d.doc)}", d)

    def alias(self, depth: int, d: A.AliasDecl) -> None:
        self.line(depth, f"type {d.name.text} = {format_type(d.type)}{_doc(d.doc)}", d)

    def exception(self, depth: int, d: A.ExceptionDecl) -> None:
        self.line(depth, f"exception {d.name.text}{_doc(d.doc)}", d)

    def func(self, depth: int, d: A.FuncDecl) -> None:
        body = "" if d.body is None else f" = {format_expr(d.body)}"
        self.line(depth, f"func {d.name.text}{_type_params(d.type_params)}({_params(d.params)})"
                         f" -> {format_type(d.result)}{body}{_doc(d.doc)}", d)

    def model(self, depth: int, d: A.ModelDecl) -> None:
        init = "" if d.init is None else f" = {format_expr(d.init)}"
        self.line(depth, f"model {d.name.text}: {format_type(d.type)}{init}{_doc(d.doc)}", d)

    def invariant(self, depth: int, d: A.InvariantDecl) -> None:
        name = "" if d.name is None else f"{d.name.text}: "
        self.line(depth, f"invariant {name}{format_expr(d.expr)}{_doc(d.doc)}", d)

    def temporal(self, depth: int, d: A.TemporalDecl) -> None:
        name = "" if d.name is None else f"{d.name.text}: "
        self.line(depth, f"{d.kind} {name}{_formula(d.formula)}{_doc(d.doc)}", d)

    def op(self, depth: int, d: A.OpDecl) -> None:
        self.line(depth, f"op {d.name.text}({_params(d.params)}){_results(d.results)}", d)
        if d.doc is not None:
            self.line(depth + 1, quote(d.doc))
        for clause in d.clauses:
            self.clause(depth + 1, clause)

    def event(self, depth: int, d: A.EventDecl) -> None:
        guard = "" if d.guard is None else f" when {format_expr(d.guard)}"
        self.line(depth, f"event {d.name.text}({_params(d.params)}) on core("
                         f"{format_expr(d.core)}){guard}", d)
        if d.doc is not None:
            self.line(depth + 1, quote(d.doc))
        for clause in d.clauses:
            self.clause(depth + 1, clause)

    # -- clauses ----------------------------------------------------------------------
    def clause(self, depth: int, c: object) -> None:
        if isinstance(c, A.Cases):
            self.cases(depth, c)
            return
        render = _CLAUSES.get(type(c))
        if render is None:
            raise TypeError(f"bug: the formatter has no layout for {type(c).__name__}")
        self.line(depth, render(c) + _doc(getattr(c, "doc", None)), c)

    def cases(self, depth: int, c: A.Cases) -> None:
        flags = "".join(f" {flag}" for flag, on in (("complete", c.complete),
                                                     ("disjoint", c.disjoint)) if on)
        self.line(depth, f"cases{flags} {{", c, opens=True)
        for arm in c.arms:
            header = f"case {arm.name.text} when {format_expr(arm.when)}"
            if not arm.effects:
                self.line(depth + 1, header + _doc(arm.doc), arm)
                continue
            self.line(depth + 1, header, arm)
            for effect in arm.effects:
                self.clause(depth + 2, effect)
            if arm.doc is not None:
                self.line(depth + 2, quote(arm.doc))
        self.close(depth, c)


def _sync(c: A.Sync) -> str:
    on = "" if c.on is None else f" on core({format_expr(c.on)})"
    with_ = f" with {_names(c.with_)}" if c.with_ else ""
    return f"sync {c.kind}{on}{with_}"


def _complexity(c: A.Complexity) -> str:
    bounds = ", ".join(f"{b.kind} O({format_expr(b.expr)})" for b in c.bounds)
    return f"complexity {bounds} in {format_expr(c.measure)}"


def _checked(c: A.CheckedRequires) -> str:
    throws = "" if c.exception is None else f" throws {c.exception.text}"
    return f"checked requires {format_expr(c.expr)}{throws}"


def _throws(c: A.Throws) -> str:
    ensures = "" if c.ensures is None else f" ensures {format_expr(c.ensures)}"
    return f"throws {c.exception.text} when {format_expr(c.when)}{ensures}"


# clause type -> its text without the doc string
_CLAUSES: dict[type, Callable[..., str]] = {
    A.Pure: lambda c: "pure",
    A.Requires: lambda c: f"requires {format_expr(c.expr)}",
    A.CheckedRequires: _checked,
    A.Modifies: lambda c: f"modifies {_names(c.names)}",
    A.Ensures: lambda c: f"ensures {format_expr(c.expr)}",
    A.Returns: lambda c: f"returns {format_expr(c.expr)}",
    A.Throws: _throws,
    A.Sync: _sync,
    A.Complexity: _complexity,
}

# declaration type -> the _Layout method that lays it out
_MEMBERS: dict[type, Callable[[_Layout, int, object], None]] = {
    A.Import: _Layout.import_,
    A.EbbDecl: _Layout.ebb,
    A.RecordDecl: _Layout.record,
    A.EnumDecl: _Layout.enum,
    A.MessageDecl: _Layout.message,
    A.ProtocolDecl: _Layout.protocol,
    A.HandleDecl: _Layout.handle,
    A.AliasDecl: _Layout.alias,
    A.ExceptionDecl: _Layout.exception,
    A.FuncDecl: _Layout.func,
    A.ModelDecl: _Layout.model,
    A.InvariantDecl: _Layout.invariant,
    A.TemporalDecl: _Layout.temporal,
    A.OpDecl: _Layout.op,
    A.EventDecl: _Layout.event,
}

__all__ = ["format_module", "format_text", "quote"]
