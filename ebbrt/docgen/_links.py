"""Where each declaration is documented, and type names turned into links to it.

Every Ebb gets a page named after it; so does every top-level declaration (type, message,
exception, function). Members of an Ebb get an anchor on its page, named by `anchor_for`.
A name in a type resolves the way a reader expects: type parameters first (never linked), then
the Ebb's own member types, then the module's top-level declarations, then those of the modules
it imports, then those of any other module, then Ebbs, then another Ebb's member type when only
one Ebb declares that name.
Anything left (`bool`, `map`, `duration`, ...) is built in and prints without a link.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Callable, Iterable, Union

from ..spec import ast as A
from ..spec._printer import format_type
from ._model import Code, Ref, Target, code

TopDecl = Union[A.RecordDecl, A.EnumDecl, A.HandleDecl, A.AliasDecl, A.FuncDecl, A.MessageDecl,
                A.ExceptionDecl]
TOP_DECLS = (A.RecordDecl, A.EnumDecl, A.HandleDecl, A.AliasDecl, A.FuncDecl, A.MessageDecl,
             A.ExceptionDecl)
TYPE_DECLS = (A.RecordDecl, A.EnumDecl, A.HandleDecl, A.AliasDecl, A.MessageDecl,
              A.ExceptionDecl)

# the keyword that introduces each declaration, as in the spec
DECL_KEYWORD: dict[type, str] = {
    A.RecordDecl: "record", A.EnumDecl: "enum", A.HandleDecl: "handle", A.AliasDecl: "type",
    A.MessageDecl: "message", A.ExceptionDecl: "exception", A.FuncDecl: "func",
}

# anchor prefix of each kind of Ebb member
_ANCHOR_PREFIX: dict[type, str] = {
    A.ModelDecl: "model", A.OpDecl: "op", A.EventDecl: "event", A.ProtocolDecl: "protocol",
    A.FuncDecl: "func", A.InvariantDecl: "invariant", A.TemporalDecl: "temporal",
    **{t: "type" for t in TYPE_DECLS},
}

RESERVED_STEMS = ("index",)
DEFAULT_CHECKED_EXCEPTION = "InvalidArgument"  # docs/language.md, "checked requires"


def anchor_for(member: object, position: int = 0) -> str:
    """The anchor of an Ebb member; unnamed invariants and properties use their position."""
    prefix = _ANCHOR_PREFIX[type(member)]
    name = getattr(member, "name", None)
    return f"{prefix}-{name.text}" if name is not None else f"{prefix}-{position}"


def source_name(module: A.Module) -> str:
    """The spec file's name without its folder, so pages do not depend on where they were built."""
    return PurePath(module.path).name


@dataclass(frozen=True)
class EbbEntry:
    module: A.Module
    decl: A.EbbDecl
    stem: str


@dataclass(frozen=True)
class DeclEntry:
    module: A.Module
    decl: TopDecl
    stem: str


class SiteIndex:
    """The pages of the site and the name lookup behind every cross-link."""

    def __init__(self, modules: Iterable[A.Module]) -> None:
        by_path: dict[str, A.Module] = {}
        for module in modules:
            by_path.setdefault(module.path, module)
        self.modules = [by_path[p] for p in sorted(by_path)]
        ebbs = sorted(((m, e) for m in self.modules for e in m.ebbs),
                      key=lambda me: (me[1].name.text, me[0].path))
        decls = sorted(((m, d) for m in self.modules for d in m.items if isinstance(d, TOP_DECLS)),
                       key=lambda md: (md[1].name.text, md[0].path))
        taken = set(RESERVED_STEMS)
        self.ebbs = [EbbEntry(m, e, _allocate(e.name.text, taken)) for m, e in ebbs]
        self.decls = [DeclEntry(m, d, _allocate(d.name.text, taken)) for m, d in decls]

        self._ebb_of: dict[int, EbbEntry] = {id(e.decl): e for e in self.ebbs}
        self._ebb_by_name: dict[str, EbbEntry] = {}
        for e in self.ebbs:
            self._ebb_by_name.setdefault(e.decl.name.text, e)
        self._top_by_module: dict[tuple[str, str], Target] = {}
        self._top_by_name: dict[str, Target] = {}
        for d in self.decls:
            target = Target(d.stem)
            self._top_by_module.setdefault((d.module.path, d.decl.name.text), target)
            self._top_by_name.setdefault(d.decl.name.text, target)
        self._imports = {m.path: _imported(m, by_path) for m in self.modules}
        members: dict[str, list[Target]] = {}
        for e in self.ebbs:
            for m in e.decl.members:
                if isinstance(m, TYPE_DECLS):
                    members.setdefault(m.name.text, []).append(Target(e.stem, anchor_for(m)))
        self._unique_member_types = {n: ts[0] for n, ts in members.items() if len(ts) == 1}

    def entry(self, ebb: A.EbbDecl) -> EbbEntry:
        return self._ebb_of[id(ebb)]

    def ebb_named(self, name: str) -> EbbEntry | None:
        return self._ebb_by_name.get(name)

    def scope(self, module: A.Module, ebb: A.EbbDecl | None = None) -> "Scope":
        hidden = frozenset(p.text for p in ebb.type_params) if ebb else frozenset()
        return Scope(self, module.path, ebb, self.entry(ebb).stem if ebb else None, hidden)

    def thrown_by(self, exception: Target) -> list[tuple[str, Target]]:
        """Every operation that may throw `exception`: (`Ebb::op`, its anchor), in page order."""
        return self._members_naming(exception, A.OpDecl, thrown_names)

    def protocols_of(self, handle: Target) -> list[tuple[str, Target]]:
        """Every protocol of the handle type `handle`: (`Ebb::Protocol`, its anchor)."""
        return self._members_naming(handle, A.ProtocolDecl, lambda p: [p.name.text])

    def _members_naming(self, target: Target, kind: type,
                        names: Callable[[Any], list[str]]) -> list[tuple[str, Target]]:
        found: list[tuple[str, Target]] = []
        for e in self.ebbs:
            scope = self.scope(e.module, e.decl)
            for m in e.decl.members:
                if isinstance(m, kind) and any(scope.resolve(n) == target for n in names(m)):
                    found.append((f"{e.decl.name.text}::{m.name.text}",
                                  Target(e.stem, anchor_for(m))))
        return found

    def resolve_global(self, module_path: str, name: str) -> Target | None:
        found = self._top_by_module.get((module_path, name))
        for imported, names in self._imports.get(module_path, ()):
            if found:
                break
            if not names or name in names:
                found = self._top_by_module.get((imported, name))
        found = found or self._top_by_name.get(name)
        if found:
            return found
        ebb = self._ebb_by_name.get(name)
        if ebb:
            return Target(ebb.stem)
        return self._unique_member_types.get(name)


@dataclass(frozen=True)
class Scope:
    """Name lookup from inside one module, and one Ebb when `ebb` is set."""
    site: SiteIndex
    module_path: str
    ebb: A.EbbDecl | None
    ebb_stem: str | None
    hidden: frozenset[str]  # type parameters: variables, not declarations

    def with_params(self, params: Iterable[A.Ident]) -> "Scope":
        return Scope(self.site, self.module_path, self.ebb, self.ebb_stem,
                     self.hidden | {p.text for p in params})

    def resolve(self, name: str) -> Target | None:
        if name in self.hidden:
            return None
        if self.ebb is not None and self.ebb_stem is not None:
            for m in self.ebb.members:
                if isinstance(m, TYPE_DECLS) and m.name.text == name:
                    return Target(self.ebb_stem, anchor_for(m))
        return self.site.resolve_global(self.module_path, name)

    def member(self, name: str) -> Target | None:
        """An operation or event of this Ebb, by name (for `sync ... with`, protocols)."""
        if self.ebb is None or self.ebb_stem is None:
            return None
        for m in self.ebb.members:
            if isinstance(m, (A.OpDecl, A.EventDecl)) and m.name.text == name:
                return Target(self.ebb_stem, anchor_for(m))
        return None

    def model_ref(self, name: str) -> Ref:
        """A model field of this Ebb, by name (for `modifies`, refinement mappings)."""
        if self.ebb is not None and self.ebb_stem is not None:
            for m in self.ebb.members:
                if isinstance(m, A.ModelDecl) and m.name.text == name:
                    return Ref(name, Target(self.ebb_stem, anchor_for(m)))
        return Ref(name)

    def ref(self, name: str) -> Ref:
        return Ref(name, self.resolve(name))

    def type_parts(self, t: A.TypeExpr) -> list[str | Ref]:
        if isinstance(t, A.RangedType):
            return [format_type(t)]
        parts: list[str | Ref] = [self.ref(t.name.text)]
        if t.args:
            parts.append("<")
            for i, arg in enumerate(t.args):
                if i:
                    parts.append(", ")
                parts.extend(self.type_parts(arg))
            parts.append(">")
        return parts

    def type_code(self, t: A.TypeExpr) -> Code:
        return code(*self.type_parts(t))

    def params_parts(self, params: Iterable[A.Param]) -> list[str | Ref]:
        parts: list[str | Ref] = []
        for i, p in enumerate(params):
            parts.append(f"{', ' if i else ''}{p.name.text}: ")
            parts.extend(self.type_parts(p.type))
        return parts


def thrown_names(op: A.OpDecl) -> list[str]:
    """The exceptions an operation names in `throws` and `checked requires ... throws`."""
    names = []
    for clause in op.clauses:
        if isinstance(clause, A.Throws):
            names.append(clause.exception.text)
        elif isinstance(clause, A.CheckedRequires):
            names.append(clause.exception.text if clause.exception
                         else DEFAULT_CHECKED_EXCEPTION)
    return names


def _imported(module: A.Module, by_path: dict[str, A.Module]) -> list[tuple[str, set[str]]]:
    """The modules `module` imports (path, names; no names: all), found the way the loader
    finds them: beside the importing file, else any loaded file of that name (the library)."""
    found = []
    for item in module.items:
        if not isinstance(item, A.Import):
            continue
        beside = (PurePath(module.path).parent / item.path).as_posix()
        if beside in by_path:
            path: str | None = beside
        else:
            path = next((p for p in sorted(by_path)
                         if PurePath(p).as_posix().endswith("/" + item.path) or p == item.path),
                        None)
        if path is not None:
            found.append((path, {n.text for n in item.names}))
    return found


def _allocate(name: str, taken: set[str]) -> str:
    """A page stem for `name`, unique even on case-insensitive file systems."""
    stem, n = name, 2
    while stem.lower() in taken:
        stem, n = f"{name}-{n}", n + 1
    taken.add(stem.lower())
    return stem
