"""Several syntax errors per file, without cascades (lark LALR `on_error`).

After an error the parser skips to a *synchronising point*: a declaration keyword (`op`,
`model`, `record`, ..., or `ebb`, `import`, `from` at the top level) that starts a line and is
not used as a name. It pops its stack back to a state that accepts that keyword inside the
same number of open braces as the keyword sits in the text, moves the lexer there, and goes on.
Declarations between the error and that point are skipped whole, so one mistake gives one
diagnostic; a file gives at most MAX_ERRORS; after an unclosed block comment nothing more.

Recovery is best effort on top of lark's internals: if it cannot find a point, or anything in
it fails, parsing stops with the diagnostics found so far.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ._errors import diagnose, is_fatal
from ._lr import ParseTable, advance, shifts, start_state
from .diagnostics import Diagnostic

MAX_ERRORS = 10

MEMBER_WORDS = ("model", "invariant", "op", "event", "protocol", "temporal", "assume", "record",
                "enum", "handle", "type", "func", "message", "exception")
TOP_LEVEL_WORDS = ("ebb", "import", "from")

# a string, a comment, a word or one other character: enough to find keywords and braces
_TOKEN = re.compile(r'b?"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?\*/|[A-Za-z_][A-Za-z0-9_]*|\S', re.S)
# after a keyword, these mean it is a name (`op: int` is a field called op)
_NAME_FOLLOWERS = frozenset(":=,)]}.-")


@dataclass(frozen=True)
class SyncPoint:
    pos: int
    terminal: str  # the keyword's terminal, e.g. OP
    depth: int  # `{` open around it in the text
    top_level: bool  # `ebb`, `import`, `from`: valid only outside every brace


class Recovery:
    """Collects the diagnostics of one parse; `on_error` is lark's error callback."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        self._points: list[SyncPoint] | None = None
        self._floor = -1  # each resynchronisation moves strictly forward: no loops
        # (offset, state stack, value stack) where parsing (re)started: the start of the file,
        # then each resynchronisation; `state_at` re-reads the text from the nearest one
        self._restarts: list[tuple[int, list[Any], list[Any]]] = [(0, [start_state()], [])]

    def on_error(self, exc: UnexpectedInput) -> bool:
        diagnostic = diagnose(exc, self.text, self.file, self.state_at)
        self.diagnostics.append(diagnostic)
        if is_fatal(diagnostic) or len(self.diagnostics) >= MAX_ERRORS:
            return False
        if isinstance(exc, UnexpectedToken) and exc.token.type == "$END":
            return False
        try:
            return self._resynchronise(exc, diagnostic)
        except Exception:  # noqa: BLE001 - recovery is optional; the diagnostics so far stand
            return False

    def stopped(self, exc: UnexpectedInput) -> None:
        """The error that ended the parse: already reported, unless lark raised it itself."""
        if not self.diagnostics:
            self.diagnostics.append(diagnose(exc, self.text, self.file, self.state_at))

    def state_at(self, pos: int) -> tuple[list[Any], list[Any]] | None:
        """The parser's stacks just before offset `pos`, read again from the last restart."""
        start, states, values = max((r for r in self._restarts if r[0] <= pos),
                                    key=lambda r: r[0])
        return advance(self.text, start, pos, states, values)

    # -- internals --------------------------------------------------------------------
    def _resynchronise(self, exc: UnexpectedInput, diagnostic: Diagnostic) -> bool:
        ip = getattr(exc, "interactive_parser", None)
        if ip is None:
            return False
        state = ip.parser_state
        if isinstance(exc, UnexpectedCharacters):
            bad = exc.pos_in_stream
        else:
            assert isinstance(exc, UnexpectedToken)
            bad = exc.token.start_pos or 0
        # a diagnostic may point before the bad token (a keyword the lexer read as a name)
        bad = max(min(bad, diagnostic.span.start), self._floor + 1)
        depths = _brace_depths(state.value_stack)
        table = state.parse_conf.parse_table.states
        for point in self._sync_points():
            if point.pos < bad:
                continue
            cut = _cut_for(point, state.state_stack, depths, table)
            if cut is None:
                continue
            del state.state_stack[cut:]
            del state.value_stack[cut - 1:]
            _move_lexer(ip.lexer_thread.state, self.text, point.pos)
            self._floor = point.pos
            self._restarts.append((point.pos, list(state.state_stack), list(state.value_stack)))
            return True
        return False

    def _sync_points(self) -> list[SyncPoint]:
        if self._points is None:
            self._points = find_sync_points(self.text)
        return self._points


def find_sync_points(text: str) -> list[SyncPoint]:
    """Every declaration keyword that starts a line and is followed by what a declaration has."""
    terminals = _keyword_terminals()
    tokens = [(m.start(), m.group()) for m in _TOKEN.finditer(text)
              if not m.group().startswith(("//", "/*"))]
    points = []
    depth = 0
    for i, (pos, word) in enumerate(tokens):
        if word == "{":
            depth += 1
        elif word == "}":
            depth = max(depth - 1, 0)
        elif word in terminals and _starts_line(text, pos):
            following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
            if following in _NAME_FOLLOWERS:
                continue
            top_level = word in TOP_LEVEL_WORDS
            if word == "ebb":
                depth = 0  # a new Ebb starts at the top level, whatever came before
            points.append(SyncPoint(pos, terminals[word], depth, top_level))
    return points


@lru_cache(maxsize=1)
def _keyword_terminals() -> dict[str, str]:
    from ._parser import parser

    words = set(MEMBER_WORDS) | set(TOP_LEVEL_WORDS)
    return {t.pattern.value: t.name for t in parser().terminals
            if t.pattern.type == "str" and t.pattern.value in words}


def _starts_line(text: str, pos: int) -> bool:
    start = text.rfind("\n", 0, pos) + 1
    return not text[start:pos].strip()


def _brace_depths(values: list[Any]) -> list[int]:
    """depths[k]: the `{` left open by the first k values of the parser's stack."""
    depths = [0]
    for value in values:
        depth = depths[-1]
        if isinstance(value, Token):
            if value.type == "LBRACE":
                depth += 1
            elif value.type == "RBRACE":
                depth -= 1
        depths.append(depth)
    return depths


def _cut_for(point: SyncPoint, states: list[Any], depths: list[int],
             table: ParseTable) -> int | None:
    """The longest prefix of the state stack that accepts `point`'s keyword at its depth."""
    wanted = 0 if point.top_level else point.depth
    for k in range(len(states), 0, -1):
        if depths[k - 1] == wanted and shifts(table, states, k, point.terminal):
            return k
    return None


def _move_lexer(lexer_state: Any, text: str, pos: int) -> None:
    """Make the lexer continue at offset `pos` (forwards or back)."""
    counter = lexer_state.line_ctr
    line_start = text.rfind("\n", 0, pos) + 1
    counter.char_pos = pos
    counter.line = text.count("\n", 0, pos) + 1
    counter.line_start_pos = line_start
    counter.column = pos - line_start + 1


__all__ = ["MAX_ERRORS", "Recovery", "SyncPoint", "find_sync_points"]
