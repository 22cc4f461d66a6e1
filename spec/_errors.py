"""Syntax errors with names: lark's exceptions turned into diagnostics.

Named messages come from labelled bad examples (lark's `match_examples`): when a parse fails in
the same parser state as one of the examples below, the example's label is the message.
"""

from __future__ import annotations

from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import _codes as C
from ._span import Span
from .diagnostics import Diagnostic

# label -> bad snippets that fail at the point the label describes
EXAMPLES: dict[str, list[str]] = {
    "missing representative scope after the Ebb's name (per_core, per_node, shared or distributed)": [
        "ebb Timer {",
        "ebb Timer<K> {",
    ],
    "missing type after `:`": [
        "ebb T shared { model x: }",
        "ebb T shared { op f(x: ) }",
        "record R { a: }",
    ],
    "clause outside an operation: `requires`, `ensures` and friends follow an `op` header": [
        "ebb T shared { requires true }",
        "ebb T shared { ensures true }",
        "ebb T shared { modifies x }",
        "ebb T shared { returns 1 }",
    ],
    "missing expression": [
        "ebb T shared { op f() requires }",
        "ebb T shared { op f() ensures }",
        "ebb T shared { invariant }",
        "ebb T shared { op f() requires 1 + }",
        "ebb T shared { op f() requires 1 == }",
    ],
    "`cases` needs at least one `case NAME when CONDITION ...` inside its braces": [
        "ebb T shared { op f() cases { } }",
        "ebb T shared { op f() cases complete { } }",
    ],
    "a case needs a name and a `when` condition: `case NAME when CONDITION`": [
        "ebb T shared { op f() cases { case when true } }",
        "ebb T shared { op f() cases { case a ensures true } }",
    ],
    "an event says on which core it runs: `event NAME(...) on core(EXPR)`": [
        "ebb T shared { event e() when true }",
        "ebb T shared { event e() }",
    ],
    "a protocol transition is written `State -operation-> State`": [
        "ebb T shared { protocol H { A -> B } }",
        "ebb T shared { protocol H { A - B } }",
    ],
    "a complexity bound is written `average O(...)`, `worst O(...)` or `amortized O(...)`": [
        "ebb T shared { op f() complexity O(1) in steps }",
        "ebb T shared { op f() complexity worst 1 in steps }",
    ],
    "a complexity clause names its measure: `... in steps` or `... in calls(f)`": [
        "ebb T shared { op f() complexity worst O(1) }",
    ],
    "top-level declarations are `ebb`, `record`, `enum`, `handle`, `type`, `func`, `message`, `exception` or `import`": [
        "op f()",
        "model x: int",
        "invariant true",
    ],
    "`throws` names an exception and the condition that raises it: `throws E when P`": [
        "ebb T shared { op f() throws E }",
        "ebb T shared { op f() throws when true }",
    ],
    "a quantifier is written `forall x in COLLECTION: P`": [
        "ebb T shared { invariant forall x: true }",
        "ebb T shared { invariant forall x in s true }",
    ],
}


_matcher_ready = False


def _label_for(exc: UnexpectedInput, text: str) -> str | None:
    from ._parser import parser

    global _matcher_ready
    p = parser()
    try:
        label = exc.match_examples(p.parse, EXAMPLES, use_accepts=True)
    except Exception:  # noqa: BLE001 - a failed lookup only loses the friendly label
        return None
    _matcher_ready = True
    return label


def _describe(token_type: str, value: str) -> str:
    if token_type == "$END":
        return "end of file"
    if token_type == "NAME":
        return f"name `{value}`"
    if token_type in ("INT", "DURATION"):
        return f"number `{value}`"
    if token_type == "STRING":
        return "string"
    return f"`{value}`"


def _expected(exc: UnexpectedInput) -> str:
    expected = sorted(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or [])
    if not expected:
        return ""
    from ._parser import parser

    names = []
    terms = {t.name: t for t in parser().terminals}
    for name in expected[:8]:
        term = terms.get(name)
        if term is not None and term.pattern.type == "str":
            names.append(f"`{term.pattern.value}`")
        else:
            names.append(name.lower())
    more = "" if len(expected) <= 8 else ", ..."
    return "expected " + ", ".join(names) + more


def syntax_diagnostics(exc: UnexpectedInput, text: str, file: str) -> list[Diagnostic]:
    line = getattr(exc, "line", 1) or 1
    column = getattr(exc, "column", 1) or 1
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        span = Span(file, line, column, line, column + 1, exc.pos_in_stream, exc.pos_in_stream + 1)
        if char == '"':
            return [Diagnostic(C.UNTERMINATED_STRING, "string is not closed on its line", span)]
        shown = repr(char) if not char.isprintable() or char.isspace() else f"`{char}`"
        return [Diagnostic(C.UNEXPECTED_CHAR, f"unexpected character {shown}", span)]
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken)
                                           and exc.token.type == "$END"):
        last_line = text.count("\n") + 1
        last_col = len(text) - (text.rfind("\n") + 1) + 1
        span = Span(file, last_line, last_col, last_line, last_col + 1, len(text), len(text))
        label = _label_for(exc, text)
        message = label or "unexpected end of file"
        hint = _expected(exc) or None
        if hint and not label:
            hint = f"{hint}; is a `}}` or an expression missing?"
        return [Diagnostic(C.UNEXPECTED_EOF, message, span, hint)]
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    end_col = tok.end_column if tok.end_column else column + max(len(str(tok)), 1)
    span = Span(file, line, column, tok.end_line or line, end_col, tok.start_pos or 0,
                tok.end_pos or 0)
    label = _label_for(exc, text)
    found = _describe(tok.type, str(tok))
    message = f"{label} (found {found})" if label else f"unexpected {found}"
    expected = _expected(exc)
    return [Diagnostic(C.UNEXPECTED_TOKEN, message, span, expected or None)]
