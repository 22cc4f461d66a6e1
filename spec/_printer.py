"""Expressions and types back to source text, with the fewest parentheses that keep the tree.

Shared by the formatter (`ebb fmt`) and the docs generator, so a clause reads the same in both.
Iterative depth is bounded by the parser (MAX_DEPTH), so recursion here is safe.
"""

from __future__ import annotations

from . import ast as A

# binding strength, loosest first; must match the precedence climb in grammar.lark
_QUANT, _COND, _IMPLIES, _OR, _AND, _NOT, _CMP, _ADD, _MUL, _UNARY, _POSTFIX = range(11)

_BINARY_LEVEL = {
    "==>": _IMPLIES, "<==>": _IMPLIES, "||": _OR, "&&": _AND,
    "+": _ADD, "-": _ADD, "|": _ADD, "^": _ADD,
    "*": _MUL, "/": _MUL, "%": _MUL, "&": _MUL,
}


def format_type(t: A.TypeExpr) -> str:
    if isinstance(t, A.RangedType):
        low = "" if t.low is None else str(t.low)
        high = "" if t.high is None else str(t.high)
        return f"{t.name.text}[{low}..{high}]"
    if t.args:
        return f"{t.name.text}<{', '.join(format_type(a) for a in t.args)}>"
    return t.name.text


def format_expr(e: A.Expr) -> str:
    return _fmt(e, _QUANT)


def format_arith(e: A.Expr) -> str:
    """`e` where the grammar allows only an `arith` (sums and tighter), e.g. the offset in
    `never a(x) before b(x) + OFFSET`: anything looser is parenthesised."""
    return _fmt(e, _ADD)


def _level(e: A.Expr) -> int:
    if isinstance(e, A.Quantifier):
        return _QUANT
    if isinstance(e, A.Conditional):
        return _COND
    if isinstance(e, A.Binary):
        return _BINARY_LEVEL[e.op]
    if isinstance(e, A.Unary):
        return _NOT if e.op == "!" else _UNARY
    if isinstance(e, A.Compare):
        return _CMP
    return _POSTFIX


def _fmt(e: A.Expr, context: int) -> str:
    text = _bare(e)
    return f"({text})" if _level(e) < context else text


def _bare(e: A.Expr) -> str:  # noqa: C901 - one branch per node type
    if isinstance(e, A.Name):
        return e.id
    if isinstance(e, A.IntLit):
        return e.text
    if isinstance(e, A.DurationLit):
        return f"{e.amount}{e.unit}"
    if isinstance(e, A.BytesLit):
        return e.text
    if isinstance(e, A.BoolLit):
        return "true" if e.value else "false"
    if isinstance(e, A.NoneLit):
        return "none"
    if isinstance(e, A.Old):
        return f"old({format_expr(e.expr)})"
    if isinstance(e, A.Call):
        return f"{e.func.text}({', '.join(format_expr(a) for a in e.args)})"
    if isinstance(e, A.RecordLit):
        inits = ", ".join(f"{f.name.text}: {format_expr(f.value)}" for f in e.fields)
        return f"{e.type_name.text}{{{inits}}}"
    if isinstance(e, A.EmptyLit):
        return "{}"
    if isinstance(e, A.SetLit):
        return "{" + ", ".join(format_expr(x) for x in e.elems) + "}"
    if isinstance(e, A.MapLit):
        return "{" + ", ".join(f"{format_expr(m.key)} -> {format_expr(m.value)}"
                               for m in e.entries) + "}"
    if isinstance(e, A.SeqLit):
        return "[" + ", ".join(format_expr(x) for x in e.elems) + "]"
    if isinstance(e, A.FieldAccess):
        return f"{_fmt(e.obj, _POSTFIX)}.{e.field.text}"
    if isinstance(e, A.Index):
        return f"{_fmt(e.obj, _POSTFIX)}[{format_expr(e.index)}]"
    if isinstance(e, A.Update):
        return f"{_fmt(e.obj, _POSTFIX)}[{format_expr(e.key)} := {format_expr(e.value)}]"
    if isinstance(e, A.Unary):
        if e.op == "!":
            if isinstance(e.operand, A.Compare):  # `!(a == b)`, not the misleading `!a == b`
                return f"!({_bare(e.operand)})"
            return f"!{_fmt(e.operand, _NOT)}"
        return f"-{_fmt(e.operand, _UNARY)}"
    if isinstance(e, A.Binary):
        level = _BINARY_LEVEL[e.op]
        if e.op == "==>":  # right-associative
            return f"{_fmt(e.left, level + 1)} ==> {_fmt(e.right, level)}"
        if e.op == "<==>":  # non-associative
            return f"{_fmt(e.left, level + 1)} <==> {_fmt(e.right, level + 1)}"
        return f"{_fmt(e.left, level)} {e.op} {_fmt(e.right, level + 1)}"
    if isinstance(e, A.Compare):
        parts = [_fmt(e.operands[0], _ADD)]
        for op, operand in zip(e.ops, e.operands[1:]):
            parts.append(f"{op} {_fmt(operand, _ADD)}")
        return " ".join(parts)
    if isinstance(e, A.Conditional):
        return (f"{_fmt(e.cond, _IMPLIES)} ? {_fmt(e.then, _COND)} : "
                f"{_fmt(e.otherwise, _COND)}")
    if isinstance(e, A.Quantifier):
        bindings = ", ".join(f"{b.name.text} in {_fmt(b.collection, _ADD)}" for b in e.bindings)
        return f"{e.kind} {bindings}: {_fmt(e.body, _QUANT)}"
    raise TypeError(f"bug: no printer for {type(e).__name__}")


def format_pattern(p: A.Pattern) -> str:
    """A temporal pattern as written: `start(h, t, _)`."""
    return f"{p.name.text}({', '.join(b.text for b in p.binders)})"


def format_formula(f: A.Formula) -> str:
    """A temporal formula in spec syntax, as the spec writes it (docs and monitors share it)."""
    if isinstance(f, A.Always):
        return f"always {format_expr(f.expr)}"
    if isinstance(f, A.NeverBefore):
        offset = f" + {format_arith(f.offset)}" if f.offset is not None else ""
        return f"never {format_pattern(f.event)} before {format_pattern(f.before)}{offset}"
    unless = f" unless {format_pattern(f.unless)}" if f.unless is not None else ""
    return (f"{format_pattern(f.trigger)} leads_to {format_pattern(f.response)} within "
            f"[{format_expr(f.low)}, {format_expr(f.high)}]{unless}")
