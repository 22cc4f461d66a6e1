"""Comments: collected by the lexer, re-attached by the formatter.

The grammar ignores comments, so the AST has none. The parser hands the lexer's comment tokens
to `comments_from_tokens`, which records where each sat: alone on its line (it goes on a line
of its own before the next declaration or clause) or after code (it stays at the end of that
code's line), and whether an empty line separated it from its neighbours (kept, at most one).

`weave` merges them into the formatter's lines. Each formatted line carries an *anchor*: the
source offset where the construct it prints starts. A comment is emitted just before the first
line whose anchor lies after it, so comments keep their order and stay next to the code they
described, and formatting the output again puts every comment back in the same place. Lines
without an anchor (doc strings, whose position the AST does not keep) take no comments before
them, except that a comment after code on a header's first line stays on that header's line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from lark import Token

from ._span import Span

_SPACE = " \t\f\r\n"


@dataclass(frozen=True)
class Comment:
    """A `// line` or `/* block */` comment of a source file."""

    text: str  # as written, `//` or `/*` included; line comments lose trailing whitespace
    span: Span
    own_line: bool = True  # only whitespace before it on its line
    blank_before: bool = False  # an empty line between it and the text before it
    blank_after: bool = False  # an empty line between it and the text after it

    @property
    def is_line_comment(self) -> bool:
        return self.text.startswith("//")


def comments_from_tokens(tokens: Iterable[Token], text: str, file: str) -> list[Comment]:
    """The lexer's COMMENT and BLOCK_COMMENT tokens as `Comment`s, in source order."""
    out = []
    for tok in sorted(tokens, key=lambda t: t.start_pos or 0):
        start, end = tok.start_pos or 0, tok.end_pos or 0
        body = str(tok).replace("\r\n", "\n")
        if body.startswith("//"):
            body = body.rstrip()
        span = Span(file, tok.line or 1, tok.column or 1, tok.end_line or 1, tok.end_column or 1,
                    start, end)
        out.append(Comment(body, span, _alone_on_line(text, start),
                           _newlines_before(text, start) >= 2, _newlines_after(text, end) >= 2))
    return out


def _alone_on_line(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\f\r":
        i -= 1
    return i < 0 or text[i] == "\n"


def _newlines_before(text: str, start: int) -> int:
    i, count = start - 1, 0
    while i >= 0 and text[i] in _SPACE:
        count += text[i] == "\n"
        i -= 1
    return count


def _newlines_after(text: str, end: int) -> int:
    i, count = end, 0
    while i < len(text) and text[i] in _SPACE:
        count += text[i] == "\n"
        i += 1
    return count


@dataclass(frozen=True)
class Line:
    """One formatted line, before comments are woven in."""

    indent: int  # in levels
    text: str
    anchor: int | None = None  # source offset of what the line prints; None: follows the line above
    source_line: int = 0  # the source line where the anchor is
    blank_before: bool = False  # the layout wants an empty line before this one
    opens: bool = False  # ends with `{`: no empty line directly after it
    closes: bool = False  # a closing `}`: comments before it are indented one level deeper


INDENT = "  "


def weave(lines: Sequence[Line], comments: Sequence[Comment]) -> str:
    """The lines with the comments put back; the text of a whole file, ending in a newline."""
    out: list[str] = []
    pending = sorted(comments, key=lambda c: c.span.start)
    next_comment = 0
    state = _State()

    def blank() -> None:
        if out and out[-1] != "" and not state.after_opener:
            out.append("")

    def place(comment: Comment, indent: int, wanted_blank: bool) -> bool:
        """Emit one comment; returns whether an empty line is wanted after it."""
        if not comment.own_line and out and not state.ends_in_line_comment:
            out[-1] += " " + comment.text
        else:
            if wanted_blank or comment.blank_before:
                blank()
            out.append(INDENT * indent + comment.text)
            state.after_opener = False
            wanted_blank = comment.blank_after
        state.ends_in_line_comment = comment.is_line_comment
        return wanted_blank

    next_anchors = _next_anchors(lines)
    for index, line in enumerate(lines):
        wanted_blank = line.blank_before
        if line.anchor is not None:
            indent = line.indent + 1 if line.closes else line.indent
            while next_comment < len(pending) and pending[next_comment].span.start < line.anchor:
                wanted_blank = place(pending[next_comment], indent, wanted_blank)
                next_comment += 1
        if wanted_blank and not line.closes:
            blank()
        out.append(INDENT * line.indent + line.text)
        state.ends_in_line_comment = False
        state.after_opener = line.opens
        if line.anchor is None:
            continue
        # comments after code on this line's first source line, before the next anchored line
        while next_comment < len(pending):
            comment = pending[next_comment]
            if (comment.own_line or comment.span.line != line.source_line
                    or comment.span.start >= next_anchors[index]
                    or state.ends_in_line_comment):
                break
            place(comment, line.indent, False)
            next_comment += 1
    wanted_blank = False
    for comment in pending[next_comment:]:
        wanted_blank = place(comment, 0, wanted_blank)
    return "\n".join(out) + "\n" if out else ""


def _next_anchors(lines: Sequence[Line]) -> list[float]:
    """For each line, the anchor of the next anchored line after it (infinity at the end)."""
    out: list[float] = []
    following: float = float("inf")
    for line in reversed(lines):
        out.append(following)
        if line.anchor is not None:
            following = line.anchor
    return out[::-1]


class _State:
    def __init__(self) -> None:
        self.after_opener = True  # at the start of the file or of a block: no empty line
        self.ends_in_line_comment = False  # the last line ends in `// ...`: nothing may follow


__all__ = ["Comment", "Line", "comments_from_tokens", "weave"]
