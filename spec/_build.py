"""Parse tree to AST: one method per grammar rule, nothing else.

The transformer runs on a tree whose depth `_parser` has already bounded, so recursion here
cannot overflow the stack.
"""

from __future__ import annotations

import ast as pyast
from typing import Any

from lark import Token, Transformer, Tree, v_args

from . import ast as A
from ._span import Span


class _Builder(Transformer):
    def __init__(self, file: str) -> None:
        super().__init__(visit_tokens=False)
        self.file = file

    # -- helpers ------------------------------------------------------------------------
    def span(self, meta: Any) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.file, 1, 1, 1, 1, 0, 0)
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column,
                    meta.start_pos, meta.end_pos)

    def tok_span(self, tok: Token) -> Span:
        return Span(self.file, tok.line or 1, tok.column or 1, tok.end_line or 1,
                    tok.end_column or 1, tok.start_pos or 0, tok.end_pos or 0)

    def ident(self, tok: Token) -> A.Ident:
        return A.Ident(str(tok), self.tok_span(tok))

    @staticmethod
    def _split(children: list[Any]) -> tuple[list[Any], str | None]:
        """Separate a trailing doc string from the other children."""
        if children and isinstance(children[-1], _Doc):
            return children[:-1], children[-1].text
        return children, None

    @staticmethod
    def _doc_first(children: list[Any]) -> tuple[str | None, list[Any]]:
        docs = [c for c in children if isinstance(c, _Doc)]
        rest = [c for c in children if not isinstance(c, _Doc)]
        return (docs[0].text if docs else None), rest

    @staticmethod
    def _names(children: list[Any]) -> list[Token]:
        return [c for c in children if isinstance(c, Token) and c.type == "NAME"]

    # -- module and imports -------------------------------------------------------------
    @v_args(meta=True)
    def start(self, meta: Any, children: list[Any]) -> A.Module:
        return A.Module(self.file, tuple(children), self.span(meta))

    @v_args(meta=True)
    def import_all(self, meta: Any, children: list[Any]) -> A.Import:
        return A.Import(unquote(children[0]), (), self.span(meta))

    @v_args(meta=True)
    def import_names(self, meta: Any, children: list[Any]) -> A.Import:
        path, *names = children
        return A.Import(unquote(path), tuple(self.ident(n) for n in names), self.span(meta))

    def doc(self, children: list[Any]) -> "_Doc":
        return _Doc(unquote(children[0]))

    # -- ebbs ---------------------------------------------------------------------------
    @v_args(meta=True)
    def ebb_decl(self, meta: Any, children: list[Any]) -> A.EbbDecl:
        name = self.ident(children[0])
        type_params: tuple[A.Ident, ...] = ()
        scope = ""
        refines = None
        doc = None
        members = []
        for c in children[1:]:
            if isinstance(c, _TypeParams):
                type_params = c.names
            elif isinstance(c, _Scope):
                scope = c.text
            elif isinstance(c, A.Refines):
                refines = c
            elif isinstance(c, _Doc):
                doc = c.text
            else:
                members.append(c)
        return A.EbbDecl(name, type_params, scope, refines, tuple(members), doc, self.span(meta))

    def scope(self, children: list[Any]) -> "_Scope":
        return _Scope(str(children[0]))

    def type_params(self, children: list[Any]) -> "_TypeParams":
        return _TypeParams(tuple(self.ident(c) for c in children))

    @v_args(meta=True)
    def refines(self, meta: Any, children: list[Any]) -> A.Refines:
        return A.Refines(children[0], tuple(children[1:]), self.span(meta))

    @v_args(meta=True)
    def mapping(self, meta: Any, children: list[Any]) -> A.Mapping:
        return A.Mapping(self.ident(children[0]), children[1], self.span(meta))

    @v_args(meta=True)
    def model_decl(self, meta: Any, children: list[Any]) -> A.ModelDecl:
        rest, doc = self._split(children)
        init = rest[2] if len(rest) > 2 else None
        return A.ModelDecl(self.ident(rest[0]), rest[1], init, doc, self.span(meta))

    @v_args(meta=True)
    def invariant_decl(self, meta: Any, children: list[Any]) -> A.InvariantDecl:
        rest, doc = self._split(children)
        name = self.ident(rest[0]) if len(rest) == 2 else None
        return A.InvariantDecl(name, rest[-1], doc, self.span(meta))

    # -- types --------------------------------------------------------------------------
    @v_args(meta=True)
    def record_decl(self, meta: Any, children: list[Any]) -> A.RecordDecl:
        doc, rest = self._doc_first(children)
        tp = next((c.names for c in rest if isinstance(c, _TypeParams)), ())
        fields = tuple(c for c in rest if isinstance(c, A.Field))
        return A.RecordDecl(self.ident(rest[0]), tp, fields, doc, self.span(meta))

    @v_args(meta=True)
    def field(self, meta: Any, children: list[Any]) -> A.Field:
        rest, doc = self._split(children)
        return A.Field(self.ident(rest[0]), rest[1], doc, self.span(meta))

    @v_args(meta=True)
    def enum_decl(self, meta: Any, children: list[Any]) -> A.EnumDecl:
        doc, rest = self._doc_first(children[1:])
        return A.EnumDecl(self.ident(children[0]), tuple(rest), doc, self.span(meta))

    @v_args(meta=True)
    def enum_member(self, meta: Any, children: list[Any]) -> A.EnumMember:
        rest, doc = self._split(children)
        return A.EnumMember(self.ident(rest[0]), doc, self.span(meta))

    @v_args(meta=True)
    def handle_decl(self, meta: Any, children: list[Any]) -> A.HandleDecl:
        rest, doc = self._split(children)
        tp = rest[1].names if len(rest) > 1 else ()
        return A.HandleDecl(self.ident(rest[0]), tp, doc, self.span(meta))

    @v_args(meta=True)
    def alias_decl(self, meta: Any, children: list[Any]) -> A.AliasDecl:
        rest, doc = self._split(children)
        return A.AliasDecl(self.ident(rest[0]), rest[1], doc, self.span(meta))

    @v_args(meta=True)
    def message_decl(self, meta: Any, children: list[Any]) -> A.MessageDecl:
        doc, rest = self._doc_first(children[1:])
        return A.MessageDecl(self.ident(children[0]), tuple(rest), doc, self.span(meta))

    @v_args(meta=True)
    def message_field(self, meta: Any, children: list[Any]) -> A.MessageField:
        rest, doc = self._split(children)
        return A.MessageField(self.ident(rest[0]), rest[1], int_value(str(rest[2])), doc,
                              self.span(meta))

    @v_args(meta=True)
    def exception_decl(self, meta: Any, children: list[Any]) -> A.ExceptionDecl:
        rest, doc = self._split(children)
        return A.ExceptionDecl(self.ident(rest[0]), doc, self.span(meta))

    @v_args(meta=True)
    def named_type(self, meta: Any, children: list[Any]) -> A.NamedType:
        args = tuple(children[1].children) if len(children) > 1 else ()
        return A.NamedType(self.ident(children[0]), args, self.span(meta))

    @v_args(meta=True)
    def ranged_type(self, meta: Any, children: list[Any]) -> A.RangedType:
        return A.RangedType(self.ident(children[0]), children[1], children[2], self.span(meta))

    def range_bound(self, children: list[Any]) -> int | None:
        return children[0] if children else None

    def signed_int(self, children: list[Any]) -> int:
        value = int_value(str(children[-1]))
        return -value if len(children) == 2 else value

    # -- functions and operations -------------------------------------------------------
    @v_args(meta=True)
    def func_decl(self, meta: Any, children: list[Any]) -> A.FuncDecl:
        name = self.ident(children[0])
        tp: tuple[A.Ident, ...] = ()
        params: tuple[A.Param, ...] = ()
        doc = None
        body = None
        rest = children[1:]
        if rest and isinstance(rest[0], _TypeParams):
            tp, rest = rest[0].names, rest[1:]
        if rest and isinstance(rest[0], _Params):
            params, rest = rest[0].items, rest[1:]
        result, rest = rest[0], rest[1:]
        for c in rest:
            if isinstance(c, _Doc):
                doc = c.text
            else:
                body = c
        return A.FuncDecl(name, tp, params, result, body, doc, self.span(meta))

    def params(self, children: list[Any]) -> "_Params":
        return _Params(tuple(children))

    @v_args(meta=True)
    def param(self, meta: Any, children: list[Any]) -> A.Param:
        return A.Param(self.ident(children[0]), children[1], self.span(meta))

    @v_args(meta=True)
    def anon_result(self, meta: Any, children: list[Any]) -> A.Results:
        span = self.span(meta)
        return A.Results("anon", (A.Param(A.Ident("result", span), children[0], span),), span)

    @v_args(meta=True)
    def named_result(self, meta: Any, children: list[Any]) -> A.Results:
        span = self.span(meta)
        return A.Results("named", (A.Param(self.ident(children[0]), children[1], span),), span)

    @v_args(meta=True)
    def tuple_result(self, meta: Any, children: list[Any]) -> A.Results:
        return A.Results("tuple", tuple(children), self.span(meta))

    @v_args(meta=True)
    def op_decl(self, meta: Any, children: list[Any]) -> A.OpDecl:
        name = self.ident(children[0])
        params: tuple[A.Param, ...] = ()
        results = None
        doc = None
        clauses = []
        for c in children[1:]:
            if isinstance(c, _Params):
                params = c.items
            elif isinstance(c, A.Results):
                results = c
            elif isinstance(c, _Doc):
                doc = c.text
            else:
                clauses.append(c)
        return A.OpDecl(name, params, results, tuple(clauses), doc, self.span(meta))

    @v_args(meta=True)
    def pure_clause(self, meta: Any, children: list[Any]) -> A.Pure:
        _, doc = self._split(children)
        return A.Pure(doc, self.span(meta))

    @v_args(meta=True)
    def requires_clause(self, meta: Any, children: list[Any]) -> A.Requires:
        rest, doc = self._split(children)
        return A.Requires(rest[0], doc, self.span(meta))

    @v_args(meta=True)
    def checked_clause(self, meta: Any, children: list[Any]) -> A.CheckedRequires:
        rest, doc = self._split(children)
        exc = self.ident(rest[1]) if len(rest) > 1 else None
        return A.CheckedRequires(rest[0], exc, doc, self.span(meta))

    @v_args(meta=True)
    def modifies_clause(self, meta: Any, children: list[Any]) -> A.Modifies:
        rest, doc = self._split(children)
        return A.Modifies(tuple(self.ident(n) for n in rest), doc, self.span(meta))

    @v_args(meta=True)
    def ensures_clause(self, meta: Any, children: list[Any]) -> A.Ensures:
        rest, doc = self._split(children)
        return A.Ensures(rest[0], doc, self.span(meta))

    @v_args(meta=True)
    def returns_clause(self, meta: Any, children: list[Any]) -> A.Returns:
        rest, doc = self._split(children)
        return A.Returns(rest[0], doc, self.span(meta))

    @v_args(meta=True)
    def throws_clause(self, meta: Any, children: list[Any]) -> A.Throws:
        rest, doc = self._split(children)
        ensures = rest[2] if len(rest) > 2 else None
        return A.Throws(self.ident(rest[0]), rest[1], ensures, doc, self.span(meta))

    @v_args(meta=True)
    def cases_clause(self, meta: Any, children: list[Any]) -> A.Cases:
        flags = tuple(c for c in children if isinstance(c, A.Ident))
        arms = tuple(c for c in children if isinstance(c, A.CaseArm))
        given = {f.text for f in flags}
        return A.Cases("complete" in given, "disjoint" in given, arms, flags, self.span(meta))

    def case_flag(self, children: list[Any]) -> A.Ident:
        return self.ident(children[0])

    @v_args(meta=True)
    def case_arm(self, meta: Any, children: list[Any]) -> A.CaseArm:
        rest, doc = self._split(children)
        return A.CaseArm(self.ident(rest[0]), rest[1], tuple(rest[2:]), doc, self.span(meta))

    @v_args(meta=True)
    def case_ensures(self, meta: Any, children: list[Any]) -> A.Ensures:
        return A.Ensures(children[0], None, self.span(meta))

    @v_args(meta=True)
    def case_returns(self, meta: Any, children: list[Any]) -> A.Returns:
        return A.Returns(children[0], None, self.span(meta))

    @v_args(meta=True)
    def sync_clause(self, meta: Any, children: list[Any]) -> A.Sync:
        rest, doc = self._split(children)
        kind = rest[0].text
        on = next((c.expr for c in rest if isinstance(c, _SyncOn)), None)
        with_ = next((c.names for c in rest if isinstance(c, _SyncWith)), ())
        return A.Sync(kind, on, with_, doc, self.span(meta))

    def sync_kind(self, children: list[Any]) -> "_Flag":
        return _Flag(str(children[0]))

    def sync_on(self, children: list[Any]) -> "_SyncOn":
        return _SyncOn(children[0])

    def sync_with(self, children: list[Any]) -> "_SyncWith":
        return _SyncWith(tuple(self.ident(n) for n in children))

    @v_args(meta=True)
    def complexity_clause(self, meta: Any, children: list[Any]) -> A.Complexity:
        rest, doc = self._split(children)
        return A.Complexity(tuple(rest[:-1]), rest[-1], doc, self.span(meta))

    @v_args(meta=True)
    def bound(self, meta: Any, children: list[Any]) -> A.Bound:
        return A.Bound(children[0].text, children[1], self.span(meta))

    def bound_kind(self, children: list[Any]) -> "_Flag":
        return _Flag(str(children[0]))

    def measure(self, children: list[Any]) -> A.Expr:
        return children[0]

    # -- events, protocols, temporal ----------------------------------------------------
    @v_args(meta=True)
    def event_decl(self, meta: Any, children: list[Any]) -> A.EventDecl:
        name = self.ident(children[0])
        rest = children[1:]
        params: tuple[A.Param, ...] = ()
        if rest and isinstance(rest[0], _Params):
            params, rest = rest[0].items, rest[1:]
        core, rest = rest[0], rest[1:]
        guard = None
        if rest and not isinstance(rest[0], (_Doc, A.Modifies, A.Ensures)):
            guard, rest = rest[0], rest[1:]
        doc = None
        if rest and isinstance(rest[0], _Doc):
            doc, rest = rest[0].text, rest[1:]
        return A.EventDecl(name, params, core, guard, tuple(rest), doc, self.span(meta))

    @v_args(meta=True)
    def protocol_decl(self, meta: Any, children: list[Any]) -> A.ProtocolDecl:
        doc, rest = self._doc_first(children[1:])
        initial = next((c.name for c in rest if isinstance(c, _Initial)), None)
        transitions = tuple(c for c in rest if isinstance(c, A.Transition))
        return A.ProtocolDecl(self.ident(children[0]), initial, transitions, doc, self.span(meta))

    def initial_state(self, children: list[Any]) -> "_Initial":
        return _Initial(self.ident(children[0]))

    @v_args(meta=True)
    def transition(self, meta: Any, children: list[Any]) -> A.Transition:
        rest, doc = self._split(children)
        src, label, dst = (self.ident(t) for t in rest)
        return A.Transition(src, label, dst, doc, self.span(meta))

    @v_args(meta=True)
    def temporal_decl(self, meta: Any, children: list[Any]) -> A.TemporalDecl:
        rest, doc = self._split(children)
        kind = rest[0].text
        name = self.ident(rest[1]) if len(rest) == 3 else None
        return A.TemporalDecl(kind, name, rest[-1], doc, self.span(meta))

    def temporal_kind(self, children: list[Any]) -> "_Flag":
        return _Flag(str(children[0]))

    @v_args(meta=True)
    def always(self, meta: Any, children: list[Any]) -> A.Always:
        return A.Always(children[0], self.span(meta))

    @v_args(meta=True)
    def never_before(self, meta: Any, children: list[Any]) -> A.NeverBefore:
        offset = children[2] if len(children) > 2 else None
        return A.NeverBefore(children[0], children[1], offset, self.span(meta))

    def offset(self, children: list[Any]) -> A.Expr:
        return children[0]

    @v_args(meta=True)
    def leads_to(self, meta: Any, children: list[Any]) -> A.LeadsTo:
        unless = children[4] if len(children) > 4 else None
        return A.LeadsTo(children[0], children[1], children[2], children[3], unless,
                         self.span(meta))

    def unless(self, children: list[Any]) -> A.Pattern:
        return children[0]

    @v_args(meta=True)
    def pattern(self, meta: Any, children: list[Any]) -> A.Pattern:
        return A.Pattern(self.ident(children[0]), tuple(children[1:]), self.span(meta))

    def binder(self, children: list[Any]) -> A.Ident:
        return self.ident(children[0])

    # -- expressions --------------------------------------------------------------------
    def _quant(self, kind: str, meta: Any, children: list[Any]) -> A.Quantifier:
        return A.Quantifier(kind, tuple(children[:-1]), children[-1], self.span(meta))

    @v_args(meta=True)
    def forall(self, meta: Any, children: list[Any]) -> A.Quantifier:
        return self._quant("forall", meta, children)

    @v_args(meta=True)
    def exists(self, meta: Any, children: list[Any]) -> A.Quantifier:
        return self._quant("exists", meta, children)

    @v_args(meta=True)
    def binding(self, meta: Any, children: list[Any]) -> A.Binding:
        return A.Binding(self.ident(children[0]), children[1], self.span(meta))

    @v_args(meta=True)
    def conditional(self, meta: Any, children: list[Any]) -> A.Conditional:
        return A.Conditional(children[0], children[1], children[2], self.span(meta))

    def _bin(self, op: str, meta: Any, children: list[Any]) -> A.Binary:
        return A.Binary(op, children[0], children[1], self.span(meta))

    @v_args(meta=True)
    def implies(self, meta: Any, children: list[Any]) -> A.Binary:
        return self._bin("==>", meta, children)

    @v_args(meta=True)
    def iff(self, meta: Any, children: list[Any]) -> A.Binary:
        return self._bin("<==>", meta, children)

    @v_args(meta=True)
    def or_(self, meta: Any, children: list[Any]) -> A.Binary:
        return self._bin("||", meta, children)

    @v_args(meta=True)
    def and_(self, meta: Any, children: list[Any]) -> A.Binary:
        return self._bin("&&", meta, children)

    @v_args(meta=True)
    def not_(self, meta: Any, children: list[Any]) -> A.Unary:
        return A.Unary("!", children[0], self.span(meta))

    @v_args(meta=True)
    def neg(self, meta: Any, children: list[Any]) -> A.Unary:
        return A.Unary("-", children[0], self.span(meta))

    @v_args(meta=True)
    def compare(self, meta: Any, children: list[Any]) -> A.Compare:
        operands = tuple(children[0::2])
        ops = tuple(str(c.children[0]) for c in children[1::2])
        return A.Compare(operands, ops, self.span(meta))

    @v_args(meta=True)
    def binary(self, meta: Any, children: list[Any]) -> A.Binary:
        left, op, right = children
        return A.Binary(str(op.children[0]), left, right, self.span(meta))

    @v_args(meta=True)
    def field_access(self, meta: Any, children: list[Any]) -> A.FieldAccess:
        return A.FieldAccess(children[0], self.ident(children[1]), self.span(meta))

    @v_args(meta=True)
    def index(self, meta: Any, children: list[Any]) -> A.Index:
        return A.Index(children[0], children[1], self.span(meta))

    @v_args(meta=True)
    def update(self, meta: Any, children: list[Any]) -> A.Update:
        return A.Update(children[0], children[1], children[2], self.span(meta))

    @v_args(meta=True)
    def name(self, meta: Any, children: list[Any]) -> A.Name:
        return A.Name(str(children[0]), self.span(meta))

    @v_args(meta=True)
    def int_lit(self, meta: Any, children: list[Any]) -> A.IntLit:
        text = str(children[0])
        return A.IntLit(int_value(text), text, self.span(meta))

    @v_args(meta=True)
    def duration_lit(self, meta: Any, children: list[Any]) -> A.DurationLit:
        text = str(children[0])
        digits = text.rstrip("nsum")
        return A.DurationLit(int(digits), text[len(digits):], self.span(meta))

    @v_args(meta=True)
    def bytes_lit(self, meta: Any, children: list[Any]) -> A.BytesLit:
        return A.BytesLit(str(children[0]), self.span(meta))

    @v_args(meta=True)
    def true_lit(self, meta: Any, children: list[Any]) -> A.BoolLit:
        return A.BoolLit(True, self.span(meta))

    @v_args(meta=True)
    def false_lit(self, meta: Any, children: list[Any]) -> A.BoolLit:
        return A.BoolLit(False, self.span(meta))

    @v_args(meta=True)
    def none_lit(self, meta: Any, children: list[Any]) -> A.NoneLit:
        return A.NoneLit(self.span(meta))

    @v_args(meta=True)
    def old(self, meta: Any, children: list[Any]) -> A.Old:
        return A.Old(children[0], self.span(meta))

    @v_args(meta=True)
    def call(self, meta: Any, children: list[Any]) -> A.Call:
        args = tuple(children[1].children) if len(children) > 1 else ()
        return A.Call(self.ident(children[0]), args, self.span(meta))

    @v_args(meta=True)
    def record_lit(self, meta: Any, children: list[Any]) -> A.RecordLit:
        return A.RecordLit(self.ident(children[0]), tuple(children[1:]), self.span(meta))

    @v_args(meta=True)
    def field_init(self, meta: Any, children: list[Any]) -> A.FieldInit:
        return A.FieldInit(self.ident(children[0]), children[1], self.span(meta))

    @v_args(meta=True)
    def empty_lit(self, meta: Any, children: list[Any]) -> A.EmptyLit:
        return A.EmptyLit(self.span(meta))

    @v_args(meta=True)
    def set_lit(self, meta: Any, children: list[Any]) -> A.SetLit:
        return A.SetLit(tuple(children), self.span(meta))

    @v_args(meta=True)
    def map_lit(self, meta: Any, children: list[Any]) -> A.MapLit:
        return A.MapLit(tuple(children), self.span(meta))

    @v_args(meta=True)
    def map_entry(self, meta: Any, children: list[Any]) -> A.MapEntry:
        return A.MapEntry(children[0], children[1], self.span(meta))

    @v_args(meta=True)
    def seq_lit(self, meta: Any, children: list[Any]) -> A.SeqLit:
        return A.SeqLit(tuple(children), self.span(meta))


class _Doc:
    def __init__(self, text: str) -> None:
        self.text = text


class _Scope:
    def __init__(self, text: str) -> None:
        self.text = text


class _Flag:
    def __init__(self, text: str) -> None:
        self.text = text


class _TypeParams:
    def __init__(self, names: tuple[A.Ident, ...]) -> None:
        self.names = names


class _Params:
    def __init__(self, items: tuple[A.Param, ...]) -> None:
        self.items = items


class _SyncOn:
    def __init__(self, expr: A.Expr) -> None:
        self.expr = expr


class _SyncWith:
    def __init__(self, names: tuple[A.Ident, ...]) -> None:
        self.names = names


class _Initial:
    def __init__(self, name: A.Ident) -> None:
        self.name = name


def unquote(token: Token | str) -> str:
    """The value of a string literal token, escapes decoded without evaluating any code."""
    text = str(token)
    try:
        value = pyast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text[1:-1]
    return value if isinstance(value, str) else text[1:-1]


def int_value(text: str) -> int:
    """An INT token's value: hex with 0x, else decimal (leading zeros allowed)."""
    return int(text, 16) if text[:2] in ("0x", "0X") else int(text, 10)


def build_module(tree: Tree, file: str) -> A.Module:
    return _Builder(file).transform(tree)
