"""One reference page per Ebb, in the order of a C++ standard library clause.

Title (with the representative scope), description, synopsis, model state, invariants, member
types, helper functions, operations, events, protocols, temporal properties, assumptions and
refinement; each part only when the Ebb has it.
"""

from __future__ import annotations

from typing import Callable

from ..spec import ast as A
from ._decls import decl_section, type_params_text
from ._links import TYPE_DECLS, EbbEntry, Scope, SiteIndex, anchor_for, source_name
from ._model import (Block, BulletList, Emph, Figure, Inline, Item, Line, Page, Para, Ref, Row,
                     Section, Table, Tag, Target, Text, code, noted, prose)
from ._ops import event_section, op_section
from ._svg import initial_state, state_diagram
from ._synopsis import synopsis
from ._verdicts import verdict_tag
from ._words import DECL_WORDS, SCOPE_WORDS, expr, formula_text, formula_words


def ebb_page(entry: EbbEntry, site: SiteIndex) -> Page:
    ebb = entry.decl
    scope = site.scope(entry.module, ebb)
    name = f"{ebb.name.text}{type_params_text(ebb.type_params)}"
    blocks: list[Block] = [_subtitle(entry, scope)]
    if ebb.doc:
        blocks.append(Para(prose(ebb.doc), css="doc lead"))
    for part in _PARTS:
        section = part(entry, scope)
        if section is not None:
            blocks.append(section)
    page = Page(entry.stem, name, (code(name), Tag(ebb.scope)), tuple(blocks), kind="ebb")
    return page.with_unique_anchors()


def _subtitle(entry: EbbEntry, scope: Scope) -> Para:
    ebb = entry.decl
    line: list[Inline] = [
        Text("Scope "), code(ebb.scope), Text(f": {SCOPE_WORDS.get(ebb.scope, ebb.scope)}. "
                                               "Defined in "),
        code(source_name(entry.module)), Text(".")]
    if ebb.refines is not None:
        line += [Text(" Refines "), code(*scope.type_parts(ebb.refines.target)),
                 Text(" (see "), Ref("Refinement", Target(entry.stem, "refinement")), Text(").")]
    return Para(tuple(line), css="subtitle")


def _members(ebb: A.EbbDecl, kind: type | tuple[type, ...]) -> list:
    return [m for m in ebb.members if isinstance(m, kind)]


def _section(title: str, anchor: str, blocks: list[Block], css: str = "") -> Section | None:
    return Section((Text(title),), anchor, 2, tuple(blocks), css=css) if blocks else None


# ---------------------------------------------------------------------------- page parts

def _synopsis(entry: EbbEntry, scope: Scope) -> Section | None:
    return _section("Synopsis", "synopsis", [synopsis(entry.decl, scope)])


def _model_state(entry: EbbEntry, scope: Scope) -> Section | None:
    rows = []
    for m in _members(entry.decl, A.ModelDecl):
        init: Line = (expr(m.init),) if m.init is not None else (Emph(DECL_WORDS["model_any"]),)
        rows.append(Row(((code(m.name.text),), (scope.type_code(m.type),), init,
                         prose(m.doc) if m.doc else ()), anchor=anchor_for(m)))
    table = Table(("Name", "Type", "Initial value", "Description"), tuple(rows), css="model")
    return _section("Model state", "model-state", [table] if rows else [])


def _invariants(entry: EbbEntry, scope: Scope) -> Section | None:
    items = []
    for m in _members(entry.decl, A.InvariantDecl):
        head: list[Inline] = [Emph(m.name.text), Text(": ")] if m.name is not None else []
        items.append(Item(noted([*head, expr(m.expr)], m.doc) + verdict_tag(m.span)))
    return _section("Invariants", "invariants",
                    [BulletList(tuple(items), css="invariants")] if items else [])


def _types(entry: EbbEntry, scope: Scope) -> Section | None:
    return _section("Types", "types",
                    [decl_section(d, scope) for d in _members(entry.decl, TYPE_DECLS)])


def _functions(entry: EbbEntry, scope: Scope) -> Section | None:
    return _section("Helper functions", "functions",
                    [decl_section(d, scope) for d in _members(entry.decl, A.FuncDecl)])


def _operations(entry: EbbEntry, scope: Scope) -> Section | None:
    return _section("Operations", "operations",
                    [op_section(op, entry.decl, scope) for op in _members(entry.decl, A.OpDecl)])


def _events(entry: EbbEntry, scope: Scope) -> Section | None:
    return _section("Events", "events",
                    [event_section(e, entry.decl, scope)
                     for e in _members(entry.decl, A.EventDecl)])


def _protocols(entry: EbbEntry, scope: Scope) -> Section | None:
    sections, idents = [], set()
    for p in _members(entry.decl, A.ProtocolDecl):
        ident, n = f"{entry.stem}-{p.name.text}", 2
        while ident in idents:  # two protocols of one name: a spec error, still drawn apart
            ident, n = f"{entry.stem}-{p.name.text}-{n}", n + 1
        idents.add(ident)
        sections.append(_protocol(p, entry, scope, ident))
    return _section("Protocols", "protocols", sections)


def _protocol(p: A.ProtocolDecl, entry: EbbEntry, scope: Scope, ident: str) -> Section:
    name = p.name.text
    initial = initial_state(p)
    blocks: list[Block] = [Para(prose(p.doc), css="doc")] if p.doc else []
    intro: list[Inline] = [Text("The typestate of each "), code(scope.ref(name)),
                           Text(" value: the operations and events allowed in each state.")]
    if initial is not None:
        declared = "" if p.initial is not None else " (the source of the first transition)"
        intro += [Text(" Its initial state is "), code(initial), Text(f"{declared}.")]
    blocks.append(Para(tuple(intro)))
    blocks.append(Figure(state_diagram(p, ident), f"{ident}.svg",
                         f"State diagram of protocol {name}",
                         (Text("State diagram of protocol "), code(name), Text("."))))
    rows = tuple(Row(((code(t.source.text),),
                      (code(Ref(t.label.text, scope.member(t.label.text))),),
                      (code(t.target.text),), prose(t.doc) if t.doc else ()))
                 for t in p.transitions)
    blocks.append(Table(("From", "Transition", "To", "Description"), rows, css="transitions"))
    return Section((code(f"protocol {name}"),), anchor_for(p), 3, tuple(blocks), css="protocol",
                   label=name)


def _temporal(kind: str, entry: EbbEntry) -> list[Block]:
    items = []
    for t in _members(entry.decl, A.TemporalDecl):
        if t.kind != kind:
            continue
        head: list[Inline] = [Emph(t.name.text), Text(": ")] if t.name is not None else []
        words = list(formula_words(t.formula))
        if t.doc:  # the author's words first, then ours
            doc = t.doc[:1].upper() + t.doc[1:]
            words = [*prose(doc), Text(" " if doc.endswith(".") else ". "), *words]
        items.append(Item((*head, code(formula_text(t.formula))), detail=tuple(words)))
    return [BulletList(tuple(items), css=kind)] if items else []


def _properties(entry: EbbEntry, scope: Scope) -> Section | None:
    return _section("Temporal properties", "temporal", _temporal("temporal", entry))


def _assumptions(entry: EbbEntry, scope: Scope) -> Section | None:
    blocks = _temporal("assume", entry)
    if blocks:
        blocks.insert(0, Para((Text("What this Ebb assumes of its environment; the properties "
                                     "above hold when these do."),)))
    return _section("Assumptions", "assumptions", blocks)


def _refinement(entry: EbbEntry, scope: Scope) -> Section | None:
    refines = entry.decl.refines
    if refines is None:
        return None
    target = refines.target
    abstract = scope.site.ebb_named(target.name.text)
    other = scope.site.scope(abstract.module, abstract.decl) if abstract else None
    rows = [Row(((code(other.model_ref(m.name.text) if other else Ref(m.name.text)),),
                 (expr(m.expr),)))
            for m in refines.mappings]
    abstract_name = code(*scope.type_parts(target))
    lead = Para((Text("Refines "), abstract_name,
                 Text(": this Ebb can stand wherever "), abstract_name,
                 Text(" is expected, and keeps every promise it makes. The abstraction gives "
                      "each of its model fields in terms of this Ebb's model:"),))
    blocks: list[Block] = [lead]
    if rows:
        blocks.append(Table((f"Model of {target.name.text}", "Is"), tuple(rows),
                            css="refinement"))
    return _section("Refinement", "refinement", blocks)


_PARTS: tuple[Callable[[EbbEntry, Scope], Section | None], ...] = (
    _synopsis, _model_state, _invariants, _types, _functions, _operations, _events, _protocols,
    _properties, _assumptions, _refinement,
)
