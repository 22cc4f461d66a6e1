"""Syntax errors with names: lark's exceptions turned into diagnostics.

A syntax error gets a named message, its own code and a hint that says how to fix it, found in
this order:

1. RULES: structural situations recognised from the parser's stack and what it would accept
   (a `}` missing at the end of the file, a clause outside an operation, a keyword used as a
   name, a missing expression, ...);
2. MISTAKES (`_mistakes.py`): labelled bad examples, in the manner of lark's `match_examples`;
3. otherwise "unexpected X", with the tokens the parser expected as the hint.

A name close to a keyword the parser expected gets "did you mean `requires`?".

`_recovery.py` uses `diagnose` for every error it meets in a file; `syntax_diagnostics` keeps
the one-error interface.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from . import _codes as C
from ._lr import accepted_terminals, advance, parse_table, start_state
from ._mistakes import exception_accepts, match_mistake
from ._span import Span
from .diagnostics import Diagnostic


# ------------------------------------------------------------------------------- rules

@dataclass(frozen=True)
class Named:
    """What a rule or mistake says about an error."""

    code: str
    message: str
    hint: str | None
    span: Span | None = None  # where to point, when not at the bad token


@dataclass
class Site:
    """Where the parser failed: the bad token, the parser's stack and what it would accept."""

    text: str
    file: str
    token: Token
    accepts: frozenset[str]
    state_stack: list[Any]
    value_stack: list[Any]
    table: dict[Any, dict[str, Any]]

    @property
    def found(self) -> str:
        return describe(self.token)

    @property
    def after(self) -> str:
        tok = _last_token(self.value_stack[-1]) if self.value_stack else None
        return f"`{_short(str(tok))}`" if tok is not None else "the start of the file"

    def open_brackets(self) -> list[Token]:
        """The `{`, `(` and `[` on the parser's stack that are not closed yet, outermost first."""
        opened: list[Token] = []
        for value in self.value_stack:
            if isinstance(value, Token):
                if value.type in _CLOSERS.values():
                    opened.append(value)
                elif value.type in _CLOSERS and opened and opened[-1].type == _CLOSERS[value.type]:
                    opened.pop()
        return opened

    def opener_line(self, tok: Token) -> str:
        start = self.text.rfind("\n", 0, tok.start_pos or 0) + 1
        return _short(self.text[start:(tok.start_pos or 0) + 1].strip())


_CLOSERS = {"RBRACE": "LBRACE", "RPAR": "LPAR", "RSQB": "LSQB"}
_CLOSE_TEXT = {"LBRACE": "}", "LPAR": ")", "LSQB": "]"}

CLAUSE_KEYWORDS = frozenset({"REQUIRES", "CHECKED", "ENSURES", "MODIFIES", "RETURNS", "THROWS",
                             "PURE", "SYNC", "COMPLEXITY", "CASES"})
MEMBER_KEYWORDS = frozenset({"MODEL", "INVARIANT", "OP", "EVENT", "PROTOCOL", "TEMPORAL",
                             "ASSUME"})
_LITERAL_KEYWORDS = frozenset({"TRUE", "FALSE", "NONE"})
_WORD_OPERATORS = {"and": "&&", "or": "||", "implies": "==>", "iff": "<==>"}


def _missing_brace_at_eof(site: Site) -> Named | None:
    if site.token.type != "$END" or "RBRACE" not in site.accepts:
        return None
    opened = site.open_brackets()
    if not opened or opened[-1].type != "LBRACE":
        return None
    brace = opened[-1]
    return Named(C.MISSING_BRACE, f"missing `}}`: the `{{` opened at line {brace.line} "
                 f"(`{site.opener_line(brace)}`) is not closed at the end of the file",
                 "add `}` where the declaration ends")


def _unclosed_at_eof(site: Site) -> Named | None:
    if site.token.type != "$END":
        return None
    opened = site.open_brackets()
    if not opened:
        return None
    tok = opened[-1]
    return Named(C.UNEXPECTED_EOF, f"the file ends inside the `{tok}` opened at line {tok.line}, "
                 f"column {tok.column}", f"finish what it encloses and close it with "
                 f"`{_CLOSE_TEXT[tok.type]}`")


def _unclosed_before_keyword(site: Site) -> Named | None:
    """A declaration or clause keyword starts a line while a bracket is still open: `ebb`
    inside an unclosed `{` (the `}` was forgotten), or any such keyword inside `(` or `[`."""
    keyword = site.token
    if (str(keyword) not in _LINE_STARTERS or keyword.type not in keyword_terminals()
            or not _starts_line(site.text, keyword.start_pos or 0)):
        return None
    opened = site.open_brackets()
    if not opened:
        return None
    tok = opened[-1]
    if tok.type != "LBRACE":
        return Named(C.UNEXPECTED_TOKEN, f"missing `{_CLOSE_TEXT[tok.type]}` before "
                     f"`{keyword}`: the `{tok}` opened at line {tok.line}, column {tok.column} "
                     "is not closed", f"close it with `{_CLOSE_TEXT[tok.type]}` where what it "
                     "encloses ends")
    if keyword.type not in ("EBB", "IMPORT", "FROM"):
        return None
    return Named(C.MISSING_BRACE, f"missing `}}` before `{keyword}`: the `{{` opened at line "
                 f"{tok.line} (`{site.opener_line(tok)}`) is not closed",
                 "add `}` where the declaration ends, before the next top-level declaration")


def _clause_outside_operation(site: Site) -> Named | None:
    if site.token.type not in CLAUSE_KEYWORDS:
        return None
    kw = f"`{site.token}`"
    if "ENSURES" in site.accepts and "CASE" in site.accepts:
        return Named(C.BAD_CLAUSE_ORDER, f"a case takes only `ensures` and `returns` effects, "
                     f"found {kw}", "give the case's condition with `when`; put other clauses "
                     "after the `cases { ... }` block")
    if "ENSURES" in site.accepts and "REQUIRES" not in site.accepts:
        return Named(C.BAD_CLAUSE_ORDER, f"an event takes only `modifies` and `ensures` clauses, "
                     f"found {kw}", "write the event's condition in its header: "
                     "`event NAME(...) on core(C) when CONDITION`")
    if "OP" in site.accepts or "EBB" in site.accepts:
        return Named(C.BAD_CLAUSE_ORDER, f"{kw} outside an operation: clauses follow an `op` "
                     "header", "move the clause under the `op` it belongs to (for a condition "
                     "that always holds, write an `invariant`)")
    return None


def _declaration_outside_ebb(site: Site) -> Named | None:
    if site.token.type not in MEMBER_KEYWORDS or "EBB" not in site.accepts:
        return None
    return Named(C.OUTSIDE_EBB, f"`{site.token}` outside an Ebb: it is declared inside "
                 "`ebb NAME SCOPE { ... }`", "move it into the Ebb it belongs to")


def _keyword_as_name(site: Site) -> Named | None:
    """A keyword shifted where a name was also allowed, then the next token fails."""
    if not site.value_stack or len(site.state_stack) < 2:
        return None
    top = site.value_stack[-1]
    if (not isinstance(top, Token) or top.type not in keyword_terminals()
            or top.type in _LITERAL_KEYWORDS or "NAME" not in site.table[site.state_stack[-2]]):
        return None
    return Named(C.KEYWORD_AS_NAME, f"`{top}` is a keyword and cannot be a name here "
                 f"(found {site.found} after it)", "choose another name; the keywords are "
                 "listed in docs/language.md", _token_span(top, site.file))


def _equals_for_comparison(site: Site) -> Named | None:
    if site.token.type != "EQUAL" or _terminal_for("==") not in site.accepts:
        return None
    return Named(C.UNEXPECTED_TOKEN, "`=` where an expression continues: to compare, write `==`",
                 "write `==`; a single `=` only gives initial values, function bodies, `via` "
                 "mappings and message field numbers")


def _word_operator(site: Site) -> Named | None:
    """`a and b`: a name where none may follow (the parser has already reduced `a`, so what
    it accepts does not show that an operator was meant)."""
    word = str(site.token)
    if site.token.type != "NAME" or word not in _WORD_OPERATORS:
        return None
    return Named(C.UNEXPECTED_TOKEN, f"`{word}` is not an operator: write "
                 f"`{_WORD_OPERATORS[word]}`", "the logical operators are `!`, `&&`, `||`, "
                 "`==>` and `<==>`")


def _missing_expression(site: Site) -> Named | None:
    if not {"NAME", "INT", "LPAR"} <= site.accepts:
        return None
    return Named(C.MISSING_EXPRESSION, f"expected an expression after {site.after}, found "
                 f"{site.found}", "write the value or condition here, e.g. `size(elems) > 0`")


RULES: tuple[Callable[[Site], Named | None], ...] = (
    _missing_brace_at_eof,
    _unclosed_before_keyword,
    _unclosed_at_eof,
    _clause_outside_operation,
    _declaration_outside_ebb,
    _keyword_as_name,
    _equals_for_comparison,
    _word_operator,
    _missing_expression,
)


# ------------------------------------------------------------------------------- diagnosis

# offset -> the parser's (state stack, value stack) just before that offset, or None
StateAt = Callable[[int], "tuple[list[Any], list[Any]] | None"]


def diagnose(exc: UnexpectedInput, text: str, file: str, state_at: StateAt | None = None
             ) -> Diagnostic:
    """One diagnostic for one lark error, named when a rule or an example recognises it.

    `state_at` re-reads the text up to an offset (the default reads from the start of the
    file; `_recovery` reads from its last resynchronisation)."""
    if isinstance(exc, UnexpectedCharacters):
        return _bad_character(exc, text, file)
    token = _bad_token(exc, text)
    comment = _unterminated_comment(text, token.start_pos or 0, file)
    if comment is not None:
        return comment
    state = getattr(exc, "state", None)
    site = Site(text, file, token, exception_accepts(exc),
                list(getattr(state, "state_stack", None) or []),
                list(getattr(state, "value_stack", None) or []), parse_table())
    from_start: StateAt = lambda pos: advance(text, 0, pos, [start_state()], [])  # noqa: E731
    site = _rewound(site, state_at or from_start) or site
    token = site.token
    span = _eof_span(text, file) if token.type == "$END" else _token_span(token, file)
    named = _name(site)
    if named is not None:
        return Diagnostic(named.code, named.message + _did_you_mean(site), named.span or span,
                          named.hint)
    expected = expected_text(site.accepts)
    if token.type == "$END":
        return Diagnostic(C.UNEXPECTED_EOF, "unexpected end of file", span,
                          f"{expected}; is a `}}` or an expression missing?" if expected else None)
    return Diagnostic(C.UNEXPECTED_TOKEN, f"unexpected {site.found}{_did_you_mean(site)}", span,
                      expected or None)


def _did_you_mean(site: Site) -> str:
    """`; did you mean `requires`?` for a name one typo away from an accepted keyword."""
    if site.token.type != "NAME":
        return ""
    texts = _terminal_texts()
    words = [texts[t] for t in site.accepts if t in texts and t in keyword_terminals()]
    close = difflib.get_close_matches(str(site.token), words, n=1, cutoff=0.75)
    return f"; did you mean `{close[0]}`?" if close else ""


def _rewound(site: Site, state_at: StateAt) -> Site | None:
    """Where names are allowed, the contextual lexer reads a keyword as a name: after
    `requires x >`, the next line's `op g()` reads as the name `op`, and only `g` fails (the
    parser may even have reduced `x > op` by then). When the last token read is such a keyword
    starting the bad token's line, the error is really at the keyword: the text before it is
    parsed again to learn what the parser wanted there."""
    top = _last_token(site.value_stack[-1]) if site.value_stack else None
    if not isinstance(top, Token) or top.type != "NAME" or top.start_pos is None:
        return None
    terminal = _keyword_terminal_of(str(top))
    if (terminal is None or not _starts_line(site.text, top.start_pos)
            or site.token.type == "$END" or site.token.line != top.line):
        return None
    stacks = state_at(top.start_pos)
    if stacks is None:
        return None
    states, values = stacks
    token = Token(terminal, str(top), top.start_pos, top.line, top.column, top.end_line,
                  top.end_column, top.end_pos)
    return Site(site.text, site.file, token, accepted_terminals(site.table, states), states,
                values, site.table)


def _keyword_terminal_of(word: str) -> str | None:
    """The terminal of a keyword that begins a declaration or clause (`op` -> OP)."""
    if word not in _LINE_STARTERS:
        return None
    return next((n for n, v in _terminal_texts().items() if v == word), None)


# keywords that begin a line in well-formatted specs
_LINE_STARTERS = frozenset({"ebb", "import", "from", "model", "invariant", "op", "event",
                            "protocol", "temporal", "assume", "record", "enum", "handle", "type",
                            "func", "message", "exception", "requires", "checked", "ensures",
                            "modifies", "returns", "throws", "pure", "sync", "complexity",
                            "cases", "case"})


def _name(site: Site) -> Named | None:
    for rule in RULES:
        named = rule(site)
        if named is not None:
            return named
    if not site.state_stack:
        return None
    mistake = match_mistake(site.state_stack[-1], site.accepts, site.value_stack,
                            site.token.type)
    if mistake is None:
        return None
    message = mistake.message.replace("{found}", site.found).replace("{after}", site.after)
    return Named(mistake.code, message, mistake.hint)


def syntax_diagnostics(exc: UnexpectedInput, text: str, file: str) -> list[Diagnostic]:
    """The diagnostic for one syntax error (the parser reports several through `_recovery`)."""
    return [diagnose(exc, text, file)]


def is_fatal(diagnostic: Diagnostic) -> bool:
    """After these, the rest of the file cannot be read reliably: stop reporting."""
    return diagnostic.code == C.UNTERMINATED_COMMENT


def _bad_character(exc: UnexpectedCharacters, text: str, file: str) -> Diagnostic:
    pos = exc.pos_in_stream
    char = text[pos] if pos < len(text) else ""
    span = Span(file, exc.line or 1, exc.column or 1, exc.line or 1, (exc.column or 1) + 1, pos,
                pos + 1)
    comment = _unterminated_comment(text, pos, file)
    if comment is not None:
        return comment
    if char == '"':
        return Diagnostic(C.UNTERMINATED_STRING, "string is not closed on its line", span,
                          'close it with `"` on the same line; strings cannot span lines')
    if char == ";":
        return Diagnostic(C.UNEXPECTED_CHAR, "unexpected character `;`", span,
                          "remove the `;`: clauses and declarations end where the next one "
                          "starts")
    if char.isalpha():
        return Diagnostic(C.UNEXPECTED_CHAR, f"unexpected character `{char}`: names are ASCII "
                          "letters, digits and `_`", span,
                          "spell the name in ASCII, or put the text in a \"doc string\"")
    shown = f"`{char}`" if char.isprintable() and not char.isspace() else repr(char)
    return Diagnostic(C.UNEXPECTED_CHAR, f"unexpected character {shown}", span)


def _unterminated_comment(text: str, pos: int, file: str) -> Diagnostic | None:
    """A `/*` with no `*/` after it: lark sees a stray `/` or `*`."""
    for start in (pos, pos - 1):
        if start >= 0 and text.startswith("/*", start) and text.find("*/", start + 2) < 0:
            line = text.count("\n", 0, start) + 1
            col = start - (text.rfind("\n", 0, start) + 1) + 1
            return Diagnostic(C.UNTERMINATED_COMMENT, "block comment is not closed",
                              Span(file, line, col, line, col + 2, start, start + 2),
                              "close it with `*/` (block comments do not nest)")
    return None


def _bad_token(exc: UnexpectedInput, text: str) -> Token:
    if isinstance(exc, UnexpectedToken):
        return exc.token
    return Token("$END", "", len(text), 1, 1)  # UnexpectedEOF (not raised by LALR, but typed)


def _eof_span(text: str, file: str) -> Span:
    line = text.count("\n") + 1
    col = len(text) - (text.rfind("\n") + 1) + 1
    return Span(file, line, col, line, col + 1, len(text), len(text))


def _token_span(tok: Token, file: str) -> Span:
    line = tok.line or 1
    col = tok.column or 1
    end_line = tok.end_line or line
    end_col = tok.end_column or col + max(len(str(tok)), 1)
    start = tok.start_pos or 0
    return Span(file, line, col, end_line, end_col, start, tok.end_pos or start + len(str(tok)))


def _starts_line(text: str, pos: int) -> bool:
    start = text.rfind("\n", 0, pos) + 1
    return not text[start:pos].strip()


def _last_token(value: Any) -> Token | None:
    """The last token of a stack value: a token, a subtree whose kept tokens end it, or the
    plain list a reduction leaves when no tree is built (`_lr.advance`)."""
    while isinstance(value, (Tree, list)):
        children = value.children if isinstance(value, Tree) else value
        if not children:
            return None
        value = children[-1]
    return value if isinstance(value, Token) else None


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def describe(tok: Token) -> str:
    """The bad token as a message names it: "name `x`", "keyword `op`", "end of file"."""
    value = _short(str(tok), 30)
    if tok.type == "$END":
        return "end of file"
    if tok.type == "NAME":
        return f"name `{value}`"
    if tok.type in ("INT", "DURATION"):
        return f"number `{value}`"
    if tok.type == "STRING":
        return f"string {value}"
    if tok.type in keyword_terminals():
        return f"keyword `{value}`"
    return f"`{value}`"


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DESCRIBED = {"NAME": "a name", "INT": "a number", "DURATION": "a duration",
              "STRING": "a doc string", "BYTES": "a bytes literal", "$END": "end of file"}


@lru_cache(maxsize=1)
def _terminal_texts() -> dict[str, str]:
    """Terminal name -> its fixed text, for the terminals that are literal strings."""
    from ._parser import parser

    return {t.name: t.pattern.value for t in parser().terminals if t.pattern.type == "str"}


@lru_cache(maxsize=1)
def keyword_terminals() -> frozenset[str]:
    return frozenset(n for n, v in _terminal_texts().items() if _NAME.fullmatch(v))


def _terminal_for(text: str) -> str:
    return next((n for n, v in _terminal_texts().items() if v == text), text)


def expected_text(accepts: Iterable[str], limit: int = 8) -> str:
    """`expected `(`, `{`, a name, ...` from terminal names."""
    texts = _terminal_texts()
    words = sorted(f"`{texts[n]}`" for n in accepts if n in texts)
    words += sorted({_DESCRIBED.get(n, n.lower()) for n in accepts if n not in texts})
    if not words:
        return ""
    more = ", ..." if len(words) > limit else ""
    return "expected " + ", ".join(words[:limit]) + more


__all__ = ["RULES", "Named", "Site", "diagnose", "describe", "expected_text", "is_fatal",
           "keyword_terminals", "syntax_diagnostics"]
