"""Common syntax mistakes, each named by a few bad examples (lark's `match_examples` idea).

When a parse fails in the same parser state as one of a mistake's examples (or with the same
*signature*, see `example_table`), and, for mistakes that say so, on the same kind of token,
the mistake's message, code and hint describe the error. Token-filtered mistakes come first
so that they win over a state-level one on a shared state.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from lark import Token, Tree
from lark.exceptions import UnexpectedInput, UnexpectedToken

from . import _codes as C


@dataclass(frozen=True)
class Mistake:
    """A common mistake: its code, message and fix, and bad snippets that fail where it does.

    `message` may say `{found}` (the bad token, e.g. "name `x`") and `{after}` (the token before
    it). With `tokens`, the mistake applies only when the bad token is of one of those terminal
    types; without, to any token that fails in an example's parser state."""

    code: str
    message: str
    hint: str
    examples: tuple[str, ...]
    tokens: frozenset[str] | None = None


def _m(code: str, message: str, hint: str, *examples: str,
       tokens: Iterable[str] | None = None) -> Mistake:
    return Mistake(code, message, hint, examples, frozenset(tokens) if tokens else None)

MISTAKES: tuple[Mistake, ...] = (
    _m(C.UNEXPECTED_TOKEN, "unmatched `}`: no `{` is open here",
       "remove the `}`, or add the `{` it was meant to close",
       "}", "ebb T shared {} }", "record R {} }", tokens=["RBRACE"]),
    _m(C.UNEXPECTED_TOKEN, "a second doc string: a declaration has at most one, found {found}",
       "join the two strings into one doc string",
       'ebb T shared { "a" "b" }', 'ebb T shared { model x: int "a" "b" }',
       'ebb T shared { op f() "a" "b" }', 'ebb T shared { op f() requires x "a" "b" }',
       'record R { "a" "b" }', 'handle H "a" "b"', tokens=["STRING"]),
    _m(C.NO_SCOPE, "missing representative scope after the Ebb's name, found {found}",
       "write one of per_core, per_node, shared or distributed after the name, "
       "e.g. `ebb Timer per_core {`",
       "ebb Timer {", "ebb Timer<K> {", "ebb Timer<K> sharde {"),
    _m(C.MISSING_TYPE, "missing type after `:`, found {found}",
       "write `name: type`, e.g. `count: nat` or `elems: set<K>`",
       "ebb T shared { model x: }", "ebb T shared { op f(x: ) }", "record R { a: }",
       "message M { a: = 1 }", "ebb T shared { op f() -> (a: ) }",
       "ebb T shared { op f() -> r: }"),
    _m(C.MISSING_TYPE, "missing result type after `->`, found {found}",
       "write the result type, e.g. `-> bool`, `-> found: bool` or `-> (pos: Iter<K>, ok: bool)`",
       "ebb T shared { op f() -> }", "func f() -> = 1"),
    _m(C.MISSING_TYPE, "missing type after `=` in a type alias, found {found}",
       "write `type NAME = TYPE`, e.g. `type Pfn = nat`", "type A = }"),
    _m(C.MISSING_TYPE, "missing `:` between a name and its type, found {found}",
       "write `name: type`, e.g. `count: nat`",
       "ebb T shared { model x int }", "record R { a int }", "ebb T shared { op f(x int) }",
       "ebb T shared { op f(x) }", "message M { a int = 1 }"),
    _m(C.UNEXPECTED_TOKEN, "an operation's parameters follow its name in parentheses, "
       "found {found}", "write `op NAME(PARAMS)`, e.g. `op stop(hook: Hook)` or `op size()`",
       "ebb T shared { op f requires true }", "ebb T shared { event e on core(0) }",
       "func f -> int"),
    _m(C.UNEXPECTED_TOKEN, "`cases` needs at least one arm inside its braces, found {found}",
       "write `cases { case NAME when CONDITION ensures ... }`",
       "ebb T shared { op f() cases { } }", "ebb T shared { op f() cases complete { } }"),
    _m(C.UNEXPECTED_TOKEN, "a case is written `case NAME when CONDITION`, found {found}",
       "name the case, then give its condition with `when`",
       "ebb T shared { op f() cases { case when true } }",
       "ebb T shared { op f() cases { case a ensures true } }"),
    _m(C.UNEXPECTED_TOKEN, "an event says on which core it runs, found {found}",
       "write `event NAME(PARAMS) on core(EXPR)`, optionally followed by `when CONDITION`",
       "ebb T shared { event e() when true }", "ebb T shared { event e() }"),
    _m(C.UNEXPECTED_TOKEN, "a protocol transition is written `State -operation-> State`, "
       "found {found}", "label the arrow with an operation or event: `Idle -start-> Armed`",
       "ebb T shared { protocol H { A -> B } }", "ebb T shared { protocol H { A - B } }",
       "ebb T shared { protocol H { A -b B } }", "ebb T shared { protocol H { A -b-> } }"),
    _m(C.UNEXPECTED_TOKEN, "a protocol needs at least one transition, found {found}",
       "write transitions such as `Idle -start-> Armed` inside the braces",
       "ebb T shared { protocol H { } }", "ebb T shared { protocol H { initial A } }"),
    _m(C.UNEXPECTED_TOKEN, "a complexity bound is written `average O(...)`, `worst O(...)` or "
       "`amortized O(...)`, found {found}", "e.g. `complexity worst O(size(elems)) in steps`",
       "ebb T shared { op f() complexity O(1) in steps }",
       "ebb T shared { op f() complexity worst 1 in steps }"),
    _m(C.UNEXPECTED_TOKEN, "a complexity clause ends with its measure, found {found}",
       "add `in steps`, `in allocations` or `in calls(f)` after the bounds",
       "ebb T shared { op f() complexity worst O(1) }"),
    _m(C.UNEXPECTED_TOKEN, "`throws` names an exception and the condition that raises it, "
       "found {found}", "write `throws E when CONDITION`, e.g. `throws OutOfMemory when n == 0`",
       "ebb T shared { op f() throws E }", "ebb T shared { op f() throws when true }"),
    _m(C.UNEXPECTED_TOKEN, "`checked` is followed by `requires`, found {found}",
       "write `checked requires CONDITION throws E`", "ebb T shared { op f() checked x }"),
    _m(C.UNEXPECTED_TOKEN, "`modifies` lists model fields, found {found}",
       "write `modifies a, b` with the model fields the operation may change",
       "ebb T shared { op f() modifies }"),
    _m(C.UNEXPECTED_TOKEN, "`sync` is followed by `local`, `atomic` or `remote`, found {found}",
       "e.g. `sync atomic` or `sync remote on core(target)`", "ebb T shared { op f() sync }"),
    _m(C.UNEXPECTED_TOKEN, "a quantifier is written `forall x in COLLECTION: P`, found {found}",
       "bind each variable with `in` over a set, map or sequence, then `:` and the condition",
       "ebb T shared { invariant forall x: true }",
       "ebb T shared { invariant forall x in s true }"),
    _m(C.UNEXPECTED_TOKEN, "enum members are separated by commas, found {found}",
       "write `enum Color { Red, Green }`", "enum E { A B }"),
    _m(C.UNEXPECTED_TOKEN, "an enum needs at least one member, found {found}",
       "write `enum Color { Red, Green }`", "enum E { }"),
    _m(C.UNEXPECTED_TOKEN, "an import names a file in double quotes, found {found}",
       'write `import "timer.ebb"` or `from "timer.ebb" import Timer`',
       "import foo", "from foo import A"),
    _m(C.UNEXPECTED_TOKEN, "a temporal property is `always P`, `never a(x) before b(x)` or "
       "`a(x) leads_to b(x) within [LOW, HIGH]`, found {found}",
       "see the temporal section of docs/language.md",
       "ebb T shared { temporal }", "ebb T shared { temporal p: }"),
    _m(C.UNEXPECTED_TOKEN, "`never` is written `never a(x) before b(x)`, found {found}",
       "name the event that must come first after `before`",
       "ebb T shared { temporal never a(x) }"),
    _m(C.UNEXPECTED_TOKEN, "a `leads_to` property needs its time window, found {found}",
       "write `a(x) leads_to b(x) within [LOW, HIGH]`",
       "ebb T shared { temporal a(x) leads_to b(x) }"),
    _m(C.UNEXPECTED_TOKEN, "expected a declaration, found {found}",
       "top-level declarations are `ebb`, `record`, `enum`, `handle`, `type`, `func`, "
       "`message`, `exception` and `import`", "foo", "ebb T shared {} foo"),
)



@lru_cache(maxsize=1)
def example_table() -> dict[Any, Mistake]:
    """Where each example fails -> its mistake.

    Keys are (parser state, token type) and parser state, as lark's `match_examples` matches,
    and also the *signature* of the failure: what the parser accepts there and the kind of the
    last symbol it read. LALR gives `event e()` and `event e(x: T)` different states (lark
    expands optional parts into separate rules), but both fail on the same signature, so one
    example covers both. An example that does not fail (the grammar changed under it) is
    skipped; the test suite checks that each example fails where its label says."""
    table: dict[Any, Mistake] = {}
    for mistake in MISTAKES:
        for example in mistake.examples:
            exc = first_error(example)
            if not isinstance(exc, UnexpectedToken) or exc.state is None:
                continue
            places = [("state", exc.state.position),
                      ("signature", _signature(exception_accepts(exc), exc.state.value_stack))]
            token_types: Iterable[str | None] = mistake.tokens or [None]
            for place in places:
                for token_type in token_types:
                    table.setdefault((*place, token_type), mistake)
    return table


def _signature(accepts: frozenset[str], values: list[Any]) -> tuple[frozenset[str], str]:
    top = values[-1] if values else None
    if isinstance(top, Token):
        kind = top.type
    elif isinstance(top, Tree):
        kind = str(top.data)
    else:
        kind = type(top).__name__
    return accepts, kind


def first_error(text: str) -> UnexpectedInput | None:
    from ._parser import comments_ignored, parser

    with comments_ignored():
        try:
            parser().parse(text)
        except UnexpectedInput as exc:
            return exc
    return None


def match_mistake(position: Any, accepts: frozenset[str], values: list[Any],
                  token_type: str) -> Mistake | None:
    """The mistake whose examples fail like this: same state, else same signature; a mistake
    for this token type first."""
    table = example_table()
    signature = _signature(accepts, values)
    for key in (("state", position, token_type), ("signature", signature, token_type),
                ("state", position, None), ("signature", signature, None)):
        mistake = table.get(key)
        if mistake is not None:
            return mistake
    return None


def exception_accepts(exc: UnexpectedInput) -> frozenset[str]:
    """The terminals the parser would have taken where `exc` happened."""
    accepts = None
    if isinstance(exc, UnexpectedToken) and exc.interactive_parser is not None:
        accepts = exc.accepts
    if not accepts:
        accepts = getattr(exc, "expected", None) or set()
    return frozenset(accepts)


__all__ = ["MISTAKES", "Mistake", "example_table", "exception_accepts", "first_error",
           "match_mistake"]
