"""Text to AST. Lark errors become located diagnostics; nothing escapes as a traceback."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from importlib import resources
from typing import Iterator

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import _codes as C
from . import ast as A
from ._build import build_module
from ._comments import Comment, comments_from_tokens
from ._span import Span
from .diagnostics import Diagnostic

MAX_DEPTH = 200  # parse-tree nesting; deeper input is rejected before any recursive pass
MAX_BYTES = 8 * 1024 * 1024


@lru_cache(maxsize=1)
def grammar_text() -> str:
    return resources.files(__package__).joinpath("grammar.lark").read_text(encoding="utf-8")


# The comment tokens of the parse under way (the grammar ignores them; the formatter keeps them).
_comment_sink: ContextVar[list[Token] | None] = ContextVar("_comment_sink", default=None)


def _keep_comment(token: Token) -> Token:
    sink = _comment_sink.get()
    if sink is not None:
        sink.append(token)
    return token


@contextmanager
def comments_ignored() -> Iterator[None]:
    """Parses run inside this (of examples, or of a prefix re-read to name an error) do not add
    their comments to the parse under way."""
    reset = _comment_sink.set(None)
    try:
        yield
    finally:
        _comment_sink.reset(reset)


@lru_cache(maxsize=1)
def parser() -> Lark:
    return Lark(grammar_text(), parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=False,
                lexer_callbacks={"COMMENT": _keep_comment, "BLOCK_COMMENT": _keep_comment})


def parse_text(text: str, file: str = "<input>") -> tuple[A.Module | None, list[Diagnostic]]:
    """Parse one spec file. Returns the module (None when it has syntax errors) and diagnostics
    (several syntax errors per file when the parser can resynchronise after each)."""
    module, diagnostics, _ = parse_text_with_comments(text, file)
    return module, diagnostics


def parse_text_with_comments(text: str, file: str = "<input>"
                             ) -> tuple[A.Module | None, list[Diagnostic], list[Comment]]:
    """`parse_text`, plus the file's comments in source order (for the formatter)."""
    if len(text) > MAX_BYTES:
        return None, [Diagnostic(C.TOO_LARGE, f"file has {len(text)} characters; the limit is "
                                 f"{MAX_BYTES}", Span(file, 1, 1, 1, 1))], []
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [Diagnostic(C.NOT_UTF8, "file contains NUL characters: not a spec file",
                                 Span(file, line, 1, line, 2))], []
    from ._recovery import Recovery  # late: it names errors with examples parsed by parser()

    recovery = Recovery(text, file)
    tokens: list[Token] = []
    reset = _comment_sink.set(tokens)
    tree = None
    try:
        tree = parser().parse(text, on_error=recovery.on_error)
    except UnexpectedInput as exc:
        recovery.stopped(exc)
    finally:
        _comment_sink.reset(reset)
    comments = comments_from_tokens(tokens, text, file)
    if recovery.diagnostics or tree is None:
        return None, recovery.diagnostics, comments
    depth_error = _check_depth(tree, file)
    if depth_error is not None:
        return None, [depth_error], comments
    return build_module(tree, file), [], comments


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


__all__ = ["comments_ignored", "parse_text", "parse_text_with_comments", "parser", "grammar_text",
           "UnexpectedCharacters", "UnexpectedEOF",
           "UnexpectedToken"]
