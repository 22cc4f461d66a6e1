"""Symbols: what a name in a spec denotes once resolved.

Symbols compare by identity (`eq=False`), so they can key dictionaries and two declarations that
happen to share a name stay distinct. The checker fills their types in a second pass, after every
file's declarations are known (declarations may refer to each other in any order).

Consumers (the prover, the contract compiler, the docs) read an `EbbSymbol` for the shape of an
Ebb and `Checked.refs` / `Checked.types` for what each expression node means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from . import ast as A
from ._span import NO_SPAN, Span
from ._types import ERROR, Type, TypeParam

if TYPE_CHECKING:
    from ._scope import Scope


# ---------------------------------------------------------------------------------- types

@dataclass(eq=False)
class BuiltinTypeSymbol:
    """`bool`, `int`, `set`, ...: `arity` type arguments; `make` builds the type from them."""
    name: str
    arity: int
    make: object = field(repr=False)  # Callable[..., Type]
    span: Span = NO_SPAN


@dataclass(eq=False)
class RecordSymbol:
    """A record, or a message (`is_message`); both construct with `Name{field: value}`."""
    name: str
    decl: A.RecordDecl | A.MessageDecl = field(repr=False)
    type_params: tuple[TypeParam, ...] = ()
    fields: dict[str, Type] = field(default_factory=dict, repr=False)
    is_message: bool = False
    module: str = ""
    scope: "Scope | None" = field(default=None, repr=False)  # holds the type parameters

    @property
    def span(self) -> Span:
        return self.decl.name.span


@dataclass(eq=False)
class EnumSymbol:
    name: str
    decl: A.EnumDecl = field(repr=False)
    members: tuple[str, ...] = ()
    module: str = ""

    @property
    def span(self) -> Span:
        return self.decl.name.span


@dataclass(eq=False)
class HandleSymbol:
    name: str
    decl: A.HandleDecl = field(repr=False)
    type_params: tuple[TypeParam, ...] = ()
    module: str = ""

    @property
    def span(self) -> Span:
        return self.decl.name.span


@dataclass(eq=False)
class AliasSymbol:
    """`type X = T`; `target` is resolved on first use (aliases may be declared in any order)."""
    name: str
    decl: A.AliasDecl = field(repr=False)
    target: Type | None = None
    resolving: bool = False
    module: str = ""
    scope: "Scope | None" = field(default=None, repr=False)  # where the target is resolved

    @property
    def span(self) -> Span:
        return self.decl.name.span


@dataclass(eq=False)
class TypeParamSymbol:
    name: str
    param: TypeParam
    span: Span = NO_SPAN


# ---------------------------------------------------------------------------------- values

@dataclass(eq=False)
class VarSymbol:
    """A name with a value. kind: `model` (model state), `param`, `result`, `binder`
    (quantifier or temporal pattern), or `builtin` (`now`, `this_core`, `ncores`)."""
    name: str
    type: Type
    kind: str
    span: Span = NO_SPAN
    decl: object = field(default=None, repr=False)  # ModelDecl, Param, Binding or Ident


@dataclass(eq=False)
class ExceptionSymbol:
    name: str
    decl: A.ExceptionDecl | None = field(default=None, repr=False)  # None: built in
    module: str = ""

    @property
    def span(self) -> Span:
        return self.decl.name.span if self.decl else NO_SPAN


@dataclass(eq=False)
class FuncSymbol:
    """A user `func`; `body` None means uninterpreted. `ebb` is set when declared in an Ebb
    (its body may then read that Ebb's model)."""
    name: str
    decl: A.FuncDecl = field(repr=False)
    type_params: tuple[TypeParam, ...] = ()
    params: tuple[VarSymbol, ...] = ()
    result: Type = ERROR
    ebb: "EbbSymbol | None" = field(default=None, repr=False)
    module: str = ""
    scope: "Scope | None" = field(default=None, repr=False)  # type params and params

    @property
    def span(self) -> Span:
        return self.decl.name.span


@dataclass(eq=False)
class OpSymbol:
    name: str
    decl: A.OpDecl = field(repr=False)
    params: tuple[VarSymbol, ...] = ()
    results: tuple[VarSymbol, ...] = ()  # empty, one (`-> T` is named `result`), or a tuple
    ebb: "EbbSymbol | None" = field(default=None, repr=False)
    scope: "Scope | None" = field(default=None, repr=False)  # params and results

    @property
    def span(self) -> Span:
        return self.decl.name.span


@dataclass(eq=False)
class EventSymbol:
    name: str
    decl: A.EventDecl = field(repr=False)
    params: tuple[VarSymbol, ...] = ()
    ebb: "EbbSymbol | None" = field(default=None, repr=False)
    scope: "Scope | None" = field(default=None, repr=False)

    @property
    def span(self) -> Span:
        return self.decl.name.span


@dataclass(eq=False)
class ProtocolSymbol:
    """Typestate of a handle type: states are the names its transitions use."""
    handle: HandleSymbol
    decl: A.ProtocolDecl = field(repr=False)
    states: tuple[str, ...] = ()
    initial: str | None = None
    transitions: tuple[tuple[str, "OpSymbol | EventSymbol", str], ...] = ()


@dataclass(eq=False)
class RefinesSymbol:
    """`refines target<args> via {...}`: each of target's model fields as an expression over
    this Ebb's model (typed against the field's type with `args` substituted)."""
    target: "EbbSymbol"
    args: tuple[Type, ...]
    mappings: dict[str, A.Expr] = field(default_factory=dict, repr=False)
    decl: A.Refines | None = field(default=None, repr=False)


@dataclass(eq=False)
class EbbSymbol:
    name: str
    decl: A.EbbDecl = field(repr=False)
    module: str = ""
    scope_kind: str = ""  # per_core, per_node, shared or distributed
    type_params: tuple[TypeParam, ...] = ()
    model: dict[str, VarSymbol] = field(default_factory=dict, repr=False)
    ops: dict[str, OpSymbol] = field(default_factory=dict, repr=False)
    events: dict[str, EventSymbol] = field(default_factory=dict, repr=False)
    types: dict[str, "TypeSymbol"] = field(default_factory=dict, repr=False)
    funcs: dict[str, FuncSymbol] = field(default_factory=dict, repr=False)
    exceptions: dict[str, ExceptionSymbol] = field(default_factory=dict, repr=False)
    protocols: dict[str, ProtocolSymbol] = field(default_factory=dict, repr=False)
    refines: RefinesSymbol | None = field(default=None, repr=False)
    scope: "Scope | None" = field(default=None, repr=False)

    @property
    def span(self) -> Span:
        return self.decl.name.span

    @property
    def messages(self) -> dict[str, RecordSymbol]:
        return {n: t for n, t in self.types.items()
                if isinstance(t, RecordSymbol) and t.is_message}


TypeSymbol = Union[BuiltinTypeSymbol, RecordSymbol, EnumSymbol, HandleSymbol, AliasSymbol,
                   TypeParamSymbol]
TYPE_SYMBOLS = (BuiltinTypeSymbol, RecordSymbol, EnumSymbol, HandleSymbol, AliasSymbol,
                TypeParamSymbol)

Symbol = Union[TypeSymbol, VarSymbol, ExceptionSymbol, FuncSymbol, OpSymbol, EventSymbol,
               EbbSymbol]


def describe(symbol: object) -> str:
    """A short noun phrase for messages: "a record", "an operation", ..."""
    for cls, text in _DESCRIPTIONS:
        if isinstance(symbol, cls):
            if isinstance(symbol, VarSymbol):
                return _VAR_KINDS.get(symbol.kind, "a value")
            return text
    return "a built-in function"


_VAR_KINDS = {"model": "a model field", "param": "a parameter", "result": "a result",
              "binder": "a bound variable", "builtin": "a built-in value"}
_DESCRIPTIONS: tuple[tuple[type, str], ...] = (
    (BuiltinTypeSymbol, "a built-in type"), (RecordSymbol, "a record type"),
    (EnumSymbol, "an enum type"), (HandleSymbol, "a handle type"), (AliasSymbol, "a type alias"),
    (TypeParamSymbol, "a type parameter"), (VarSymbol, "a value"),
    (ExceptionSymbol, "an exception"), (FuncSymbol, "a function"), (OpSymbol, "an operation"),
    (EventSymbol, "an event"), (EbbSymbol, "an Ebb"),
)


@dataclass(eq=False)
class UnresolvedSymbol:
    """Stands for a name whose declaration failed (say, `from "f.ebb" import X` where f has no
    X): the failure is reported once, and uses of the name are not reported again."""
    name: str
    span: Span = NO_SPAN


@dataclass(eq=False)
class ModuleSymbols:
    """One file's symbols: its scope (declarations + imports) and what importers can see."""
    path: str
    module: A.Module = field(repr=False)
    scope: "Scope" = field(repr=False)
    declared: dict[str, object] = field(default_factory=dict, repr=False)  # own top-level names
    ebbs: dict[str, EbbSymbol] = field(default_factory=dict, repr=False)

    @property
    def types(self) -> dict[str, object]:
        return {n: s for n, s in self.declared.items() if isinstance(s, TYPE_SYMBOLS)}

    @property
    def funcs(self) -> dict[str, FuncSymbol]:
        return {n: s for n, s in self.declared.items() if isinstance(s, FuncSymbol)}

    @property
    def exceptions(self) -> dict[str, ExceptionSymbol]:
        return {n: s for n, s in self.declared.items() if isinstance(s, ExceptionSymbol)}
