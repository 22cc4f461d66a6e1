"""The index page (every Ebb, type and function) and the pages of top-level declarations."""

from __future__ import annotations

from ..spec import ast as A
from ._decls import decl_body, decl_title, type_params_text
from ._links import (DECL_KEYWORD, TYPE_DECLS, DeclEntry, SiteIndex, TopDecl, anchor_for,
                     source_name)
from ._model import (Block, Code, Line, Page, Para, Ref, Row, Section, Table, Target, Text, code,
                     first_sentence, prose)

# what each kind of declaration is, in a sentence
KIND_WORDS = {
    "record": "record type", "enum": "enumeration", "handle": "handle type",
    "type": "type alias", "message": "message type", "exception": "exception",
    "func": "helper function",
}

INDEX_STEM = "index"
SITE_TITLE = "Ebb interface reference"


def decl_page(entry: DeclEntry, site: SiteIndex) -> Page:
    decl = entry.decl
    scope = site.scope(entry.module)
    kind = DECL_KEYWORD[type(decl)]
    subtitle = Para((Text(f"A top-level {KIND_WORDS[kind]}, declared in "),
                     code(source_name(entry.module)), Text(".")), css="subtitle")
    title = decl_title(decl, scope)
    return Page(entry.stem, title.plain, (title,), (subtitle, *decl_body(decl, scope)),
                kind="decl")


def index_page(site: SiteIndex) -> Page:
    blocks: list[Block] = [Para((Text(
        "Every Ebb and type of these specs. Each Ebb's page is laid out like a library clause "
        "of the C++ standard: synopsis, model state, invariants, then each operation's "
        "preconditions, effects, returns, throws, synchronization and complexity."),),
        css="lead")]
    ebb_rows = tuple(
        Row(((code(Ref(f"{e.decl.name.text}{type_params_text(e.decl.type_params)}",
                       Target(e.stem))),),
             (code(e.decl.scope),), _summary(e.decl.doc)))
        for e in site.ebbs)
    if ebb_rows:
        blocks.append(Section((Text("Ebbs"),), "ebbs", 2,
                              (Table(("Ebb", "Scope", "Summary"), ebb_rows, css="index"),)))
    types, funcs = _declarations(site)
    if types:
        blocks.append(Section((Text("Types"),), "types", 2, (
            Table(("Type", "Kind", "Defined in", "Summary"), tuple(types), css="index"),)))
    if funcs:
        blocks.append(Section((Text("Functions"),), "functions", 2, (
            Table(("Function", "Defined in", "Summary"), tuple(funcs), css="index"),)))
    return Page(INDEX_STEM, SITE_TITLE, (Text(SITE_TITLE),), tuple(blocks), kind="index")


def _summary(doc: str | None) -> Line:
    return prose(first_sentence(doc)) if doc else ()


def _declarations(site: SiteIndex) -> tuple[list[Row], list[Row]]:
    """Rows for every type and every function, top-level and in Ebbs, sorted by name."""
    found: list[tuple[tuple[str, str], TopDecl, Target, Line]] = []
    for d in site.decls:
        found.append(((d.decl.name.text, d.stem), d.decl, Target(d.stem),
                      (code(source_name(d.module)),)))
    for e in site.ebbs:
        for m in e.decl.members:
            if isinstance(m, TYPE_DECLS + (A.FuncDecl,)):
                owner: Line = (code(Ref(e.decl.name.text, Target(e.stem))),)
                found.append(((m.name.text, e.stem), m, Target(e.stem, anchor_for(m)), owner))
    found.sort(key=lambda f: f[0])
    types: list[Row] = []
    funcs: list[Row] = []
    for _, decl, target, owner in found:
        name: Code = code(Ref(decl.name.text, target))
        if isinstance(decl, A.FuncDecl):
            funcs.append(Row(((name,), owner, _summary(decl.doc))))
        else:
            kind = KIND_WORDS[DECL_KEYWORD[type(decl)]]
            types.append(Row(((name,), (Text(kind),), owner, _summary(decl.doc))))
    return types, funcs
