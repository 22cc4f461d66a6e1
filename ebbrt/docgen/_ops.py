"""Sections for operations and events, in the shape of the C++ standard's library clauses.

An operation's heading is its signature; its paragraphs follow in the standard's order, each
only when it has something to say: Preconditions, Effects, Returns, Throws, Synchronization,
Complexity, Remarks. A clause's doc string is printed next to that clause.
"""

from __future__ import annotations

from typing import Callable, Iterable

from ..spec import ast as A
from ..spec._printer import format_expr
from ._decls import type_params_text
from ._links import DEFAULT_CHECKED_EXCEPTION, Scope, anchor_for
from ._model import (Block, Element, Emph, Inline, Item, Line, Para, Ref, Section, Tag, Text,
                     code, noted, prose)
from ._synopsis import signature_parts
from ._verdicts import verdict_tag
from ._words import CASES_LEAD, DECL_WORDS, SYNC_WORDS, complexity_line, expr


def _clauses(op: A.OpDecl, kind: type) -> list:
    return [c for c in op.clauses if isinstance(c, kind)]


def _joined(refs: list[Ref]) -> list[Inline]:
    """`a`, `b` and `c`."""
    line: list[Inline] = []
    for i, ref in enumerate(refs):
        if i:
            line.append(Text(" and " if i == len(refs) - 1 else ", "))
        line.append(code(ref))
    return line


def _frame(modifies: list[A.Modifies], scope: Scope) -> list[Item]:
    if not modifies:
        return [Item((Text("Modifies nothing."),))]
    return [Item(noted([Text("Modifies "), *_joined([scope.model_ref(n.text) for n in m.names])],
                       m.doc, "."))
            for m in modifies]


def _ensures(clauses: Iterable[A.Ensures]) -> list[Item]:
    return [Item(noted([Text("Ensures "), expr(c.expr)], c.doc, ".") + verdict_tag(c.span))
            for c in clauses]


# ---------------------------------------------------------------------------- op paragraphs

def _preconditions(op: A.OpDecl, scope: Scope) -> Element | None:
    items: list[Item] = []
    for c in op.clauses:
        if isinstance(c, A.Requires):
            items.append(Item(noted([expr(c.expr)], c.doc) + verdict_tag(c.span)))
        elif isinstance(c, A.CheckedRequires):
            thrown = code(scope.ref(_checked_exception(c)))
            items.append(Item(noted([expr(c.expr), Text("; otherwise throws "), thrown],
                                    c.doc) + verdict_tag(c.span)))
    return Element("Preconditions", "preconditions", tuple(items)) if items else None


def _effects(op: A.OpDecl, scope: Scope) -> Element:
    items = _frame(_clauses(op, A.Modifies), scope)
    for c in op.clauses:
        if isinstance(c, A.Ensures):
            items += _ensures([c])
        elif isinstance(c, A.Cases):
            arms = tuple(_case_item(arm) for arm in c.arms)
            items.append(Item((Text(CASES_LEAD[(c.complete, c.disjoint)]),
                               *verdict_tag(c.span)), arms))
    return Element("Effects", "effects", tuple(items))


def _case_item(arm: A.CaseArm) -> Item:
    line: list[Inline] = [Emph(arm.name.text), Text(" when "), expr(arm.when)]
    for effect in arm.effects:
        word = "ensures" if isinstance(effect, A.Ensures) else "returns"
        line += [Text(f"; {word} "), expr(effect.expr)]
    return Item(noted(line, arm.doc, ".") + verdict_tag(arm.span))


def _returns(op: A.OpDecl, scope: Scope) -> Element | None:
    items = tuple(Item(noted([expr(c.expr)], c.doc, ".") + verdict_tag(c.span))
                  for c in _clauses(op, A.Returns))
    return Element("Returns", "returns", items) if items else None


def _throws(op: A.OpDecl, scope: Scope) -> Element | None:
    items: list[Item] = []
    for c in op.clauses:
        if isinstance(c, A.Throws):
            line: list[Inline] = [code(scope.ref(c.exception.text)), Text(" when "),
                                  expr(c.when)]
            if c.ensures is not None:
                line += [Text("; then ensures "), expr(c.ensures)]
            else:
                line.append(Text(DECL_WORDS["throws_unchanged"]))
            items.append(Item(noted(line, c.doc, ".") + verdict_tag(c.span)))
        elif isinstance(c, A.CheckedRequires):
            items.append(Item((code(scope.ref(_checked_exception(c))),
                               Text(" when the precondition "), expr(c.expr),
                               Text(" does not hold; the model is left as it was."))))
    return Element("Throws", "throws", tuple(items)) if items else None


def _checked_exception(c: A.CheckedRequires) -> str:
    """What a failed `checked requires` throws: the named exception, else `InvalidArgument`."""
    return c.exception.text if c.exception is not None else DEFAULT_CHECKED_EXCEPTION


def _synchronization(op: A.OpDecl, scope: Scope) -> Element | None:
    items = tuple(Item(noted(_sync_line(c, scope), c.doc, ".")) for c in _clauses(op, A.Sync))
    return Element("Synchronization", "synchronization", items) if items else None


def _sync_line(c: A.Sync, scope: Scope) -> list[Inline]:
    line: list[Inline] = []
    on = code(f"core({format_expr(c.on)})") if c.on is not None else None
    if c.kind == "remote" and on is not None:
        line += [Text("Remote: runs on "), on]
    else:
        line.append(Text(SYNC_WORDS.get(c.kind, c.kind)))
        if on is not None:
            line += [Text("; runs on "), on]
    if c.with_:
        line.append(Text("; synchronizes with "))
        line += _joined([Ref(n.text, scope.member(n.text)) for n in c.with_])
    return line


def _complexity(op: A.OpDecl, scope: Scope) -> Element | None:
    items = tuple(Item(noted(complexity_line(c), c.doc, "."))
                  for c in _clauses(op, A.Complexity))
    return Element("Complexity", "complexity", items) if items else None


def _remarks(op: A.OpDecl, scope: Scope) -> Element | None:
    items = tuple(Item(noted([Text(DECL_WORDS["pure"])], c.doc, "."))
                  for c in _clauses(op, A.Pure))
    return Element("Remarks", "remarks", items) if items else None


# the standard's order of an operation's paragraphs
OP_PARAGRAPHS: tuple[Callable[[A.OpDecl, Scope], Element | None], ...] = (
    _preconditions, _effects, _returns, _throws, _synchronization, _complexity, _remarks,
)


def qualified(ebb: A.EbbDecl) -> str:
    return f"{ebb.name.text}{type_params_text(ebb.type_params)}::"


def op_section(op: A.OpDecl, ebb: A.EbbDecl, scope: Scope) -> Section:
    blocks: list[Block] = [Para(prose(op.doc), css="doc")] if op.doc else []
    blocks += [p for p in (make(op, scope) for make in OP_PARAGRAPHS) if p is not None]
    title: Line = (code(*signature_parts(op, scope, qualified(ebb))),)
    return Section(title, anchor_for(op), 3, tuple(blocks), css="op", label=op.name.text)


def event_section(event: A.EventDecl, ebb: A.EbbDecl, scope: Scope) -> Section:
    blocks: list[Block] = [Para(prose(event.doc), css="doc")] if event.doc else []
    blocks.append(Element("Runs on", "runs-on",
                          (Item((code(f"core({format_expr(event.core)})"), Text("."))),)))
    if event.guard is not None:
        blocks.append(Element("When", "when", (Item((expr(event.guard), Text("."))),)))
    modifies = [c for c in event.clauses if isinstance(c, A.Modifies)]
    ensures = [c for c in event.clauses if isinstance(c, A.Ensures)]
    blocks.append(Element("Effects", "effects",
                          tuple(_frame(modifies, scope) + _ensures(ensures))))
    title: Line = (code(*signature_parts(event, scope, qualified(ebb))), Tag("event"))
    return Section(title, anchor_for(event), 3, tuple(blocks), css="event",
                   label=event.name.text)
