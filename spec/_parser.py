"""Text to AST. Lark errors become located diagnostics; nothing escapes as a traceback."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from lark import Lark, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import _codes as C
from . import ast as A
from ._build import build_module
from ._span import Span
from .diagnostics import Diagnostic

MAX_DEPTH = 200  # parse-tree nesting; deeper input is rejected before any recursive pass
MAX_BYTES = 8 * 1024 * 1024


@lru_cache(maxsize=1)
def grammar_text() -> str:
    return resources.files(__package__).joinpath("grammar.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def parser() -> Lark:
    return Lark(grammar_text(), parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=False)


def parse_text(text: str, file: str = "<input>") -> tuple[A.Module | None, list[Diagnostic]]:
    """Parse one spec file. Returns the module (None when it has syntax errors) and diagnostics."""
    if len(text) > MAX_BYTES:
        return None, [Diagnostic(C.TOO_LARGE, f"file has {len(text)} characters; the limit is "
                                 f"{MAX_BYTES}", Span(file, 1, 1, 1, 1))]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [Diagnostic(C.NOT_UTF8, "file contains NUL characters: not a spec file",
                                 Span(file, line, 1, line, 2))]
    from ._errors import syntax_diagnostics  # late: _errors parses its examples with parser()

    diagnostics: list[Diagnostic] = []
    tree = None
    try:
        tree = parser().parse(text)
    except UnexpectedInput as exc:
        diagnostics.extend(syntax_diagnostics(exc, text, file))
        return None, diagnostics
    depth_error = _check_depth(tree, file)
    if depth_error is not None:
        return None, [depth_error]
    return build_module(tree, file), diagnostics


def _check_depth(tree: Tree, file: str) -> Diagnostic | None:
    """Iteratively find a subtree nested deeper than MAX_DEPTH."""
    stack: list[tuple[Tree, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            meta = node.meta
            line = getattr(meta, "line", 1)
            col = getattr(meta, "column", 1)
            return Diagnostic(C.TOO_DEEP, f"expression nested more than {MAX_DEPTH} levels deep",
                              Span(file, line, col, line, col + 1))
        for child in node.children:
            if isinstance(child, Tree):
                stack.append((child, depth + 1))
    return None


__all__ = ["parse_text", "parser", "grammar_text", "UnexpectedCharacters", "UnexpectedEOF",
           "UnexpectedToken"]
