"""Questions about lark's LALR parse table, answered without touching a live parser.

Used to name syntax errors (what would the parser have accepted here?) and to recover from
them (which part of the stack can take this keyword?). A parser's state is its stack of LR
states; these functions read a prefix of it and never copy or change it.
"""

from __future__ import annotations

from copy import copy
from functools import lru_cache
from typing import Any, Sequence

from lark.exceptions import UnexpectedInput
from lark.parsers.lalr_analysis import Shift
from lark.utils import TextSlice

ParseTable = dict[Any, dict[str, Any]]


@lru_cache(maxsize=1)
def parse_table() -> ParseTable:
    """The spec grammar's LALR table: state -> {symbol: (action, argument)}."""
    from ._parser import parser

    return parser().parser.parser.parser.parse_table.states  # type: ignore[no-any-return]


def start_state() -> Any:
    from ._parser import parser

    return parser().parser.parser.parser.parse_table.start_states["start"]


def advance(text: str, start: int, end: int, states: Sequence[Any], values: Sequence[Any]
            ) -> tuple[list[Any], list[Any]] | None:
    """The parser's stacks after reading `text[start:end]` from the state `states`/`values`
    (None when that text has a syntax error). Builds no trees: the values it adds are plain
    lists, and the stacks passed in are not changed."""
    from ._parser import comments_ignored, parser

    with comments_ignored():
        try:
            ip = parser().parse_interactive(TextSlice(text, start, end))
            state = ip.parser_state
            state.state_stack = list(states)
            state.value_stack = list(values)
            conf = copy(state.parse_conf)
            conf.callbacks = {}
            state.parse_conf = conf
            ip.exhaust_lexer()
        except UnexpectedInput:
            return None
    return state.state_stack, state.value_stack


def shifts(table: ParseTable, states: Sequence[Any], k: int, terminal: str) -> bool:
    """Whether the parser whose state stack is `states[:k]` would shift `terminal` (after the
    reductions it triggers). Simulated on the side: the reductions pop into an overlay."""
    base = k
    pushed: list[Any] = []
    for _ in range(10_000):  # reductions are finite; the bound only guards against a bug
        top = pushed[-1] if pushed else states[base - 1]
        action = table[top].get(terminal)
        if action is None:
            return False
        kind, rule = action
        if kind is Shift:
            return True
        size = len(rule.expansion)
        if size <= len(pushed):
            del pushed[len(pushed) - size:]
        else:
            base -= size - len(pushed)
            pushed.clear()
            if base < 1:
                return False
        top = pushed[-1] if pushed else states[base - 1]
        goto = table[top].get(rule.origin.name)
        if goto is None:
            return False
        pushed.append(goto[1])
    return False


def accepted_terminals(table: ParseTable, states: Sequence[Any]) -> frozenset[str]:
    """The terminals the parser with state stack `states` would shift next."""
    if not states:
        return frozenset()
    candidates = [t for t in table[states[-1]] if t.isupper()]
    return frozenset(t for t in candidates if shifts(table, states, len(states), t))


__all__ = ["ParseTable", "accepted_terminals", "advance", "parse_table", "shifts", "start_state"]
