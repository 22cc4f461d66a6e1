"""Syntax errors: named messages with their own codes, exact locations, several per file.

Each labelled mistake (spec/_mistakes.py) must give its own message for each of its examples;
each structural rule (spec/_errors.py) is pinned by a case below with its line and column.
"""

from __future__ import annotations

import pytest

from ebbrt.cli import main
from ebbrt.spec import Diagnostic, parse_text
from ebbrt.spec._errors import syntax_diagnostics
from ebbrt.spec._mistakes import MISTAKES, first_error
from ebbrt.spec._recovery import MAX_ERRORS


def _errors(text: str) -> list[Diagnostic]:
    module, diagnostics = parse_text(text, "t.ebb")
    assert module is None, "a file with syntax errors must give no module"
    assert diagnostics
    return diagnostics


@pytest.mark.parametrize("mistake, example", [(m, e) for m in MISTAKES for e in m.examples],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_each_example_gets_its_own_message(mistake, example) -> None:
    first = _errors(example)[0]
    assert first.code == mistake.code
    assert first.message.startswith(mistake.message.split("{found}")[0])
    assert first.hint == mistake.hint


def test_every_example_fails_on_a_token() -> None:
    for mistake in MISTAKES:
        for example in mistake.examples:
            assert first_error(example) is not None, f"{example!r} parses: the label is stale"


# text, code, a fragment of the message, line, column
NAMED = [
    # E107: a `}` missing at the end of the file, or before the next top-level declaration
    ("ebb Q shared {\n  model items: seq<int>\n", "E107",
     "the `{` opened at line 1 (`ebb Q shared {`)",
     3, 1),
    ("ebb Q shared {\n  op f()\n    ensures true", "E107", "is not closed at the end of the file",
     3, 17),
    ("ebb A shared {\n  model x: int\n\nebb B shared {}\n", "E107", "missing `}` before `ebb`",
     4, 1),
    ("ebb A shared {\n  record R {\n    a: int\n\nebb B shared {}\n", "E107",
     "the `{` opened at line 2 (`record R {`)", 5, 1),
    ('ebb A shared {\n  model x: int\nimport "b.ebb"\n', "E107", "missing `}` before `import`",
     3, 1),
    # E104: the file ends inside parentheses or brackets
    ("ebb Q shared {\n  op f()\n    ensures f(x", "E104", "the file ends inside the `(` opened at "
     "line 3, column 14", 3, 16),
    # E103: a bracket left open before the next clause or declaration
    ("ebb T shared {\n  op f(x: int\n  op g()\n}\n", "E103", "missing `)` before `op`", 3, 3),
    ("ebb T shared {\n  op f() requires g(x\n    ensures y\n}\n", "E103",
     "missing `)` before `ensures`: the `(` opened at line 2, column 20", 3, 5),
    # E108: clauses outside an operation
    ("ebb T shared {\n  model x: int\n  requires x > 0\n}\n", "E108",
     "`requires` outside an operation", 3, 3),
    ("ebb T shared {\n  ensures true\n}\n", "E108", "`ensures` outside an operation", 2, 3),
    ("requires true\n", "E108", "`requires` outside an operation", 1, 1),
    ("ebb T shared {\n  event e() on core(0) requires x\n}\n", "E108",
     "an event takes only `modifies` and `ensures` clauses, found `requires`", 2, 24),
    ("ebb T shared {\n  op f()\n    cases {\n      case a when x requires y\n    }\n}\n", "E108",
     "a case takes only `ensures` and `returns` effects", 4, 21),
    # E109: missing types
    ("ebb T shared {\n  model x:\n}\n", "E109", "missing type after `:`, found `}`", 3, 1),
    ("ebb T shared {\n  op f(a: int, b: ) -> bool\n}\n", "E109", "missing type after `:`", 2, 19),
    ("record R {\n  a int\n}\n", "E109", "missing `:` between a name and its type", 2, 5),
    ("ebb T shared {\n  op f() ->\n}\n", "E109", "missing result type after `->`", 3, 1),
    # E110: missing scope, with a suggestion for a misspelt one
    ("ebb Timer {\n}\n", "E110", "missing representative scope after the Ebb's name, found `{`",
     1, 11),
    ("ebb Timer<K> per_cor {\n}\n", "E110", "did you mean `per_core`?", 1, 14),
    # E111: keywords where a name is needed
    ("ebb T shared {\n  op f(old: int) requires old > 0\n}\n", "E111",
     "`old` is a keyword and cannot be a name here (found `>` after it)", 2, 27),
    ("ebb T shared {\n  temporal always: true\n}\n", "E111", "`always` is a keyword", 2, 12),
    ("ebb T shared {\n  protocol P {\n    initial -a-> B\n  }\n}\n", "E111",
     "`initial` is a keyword",
     3, 5),
    # E113: missing expressions, also when the next line's keyword was read as a name
    ("ebb T shared {\n  op f() requires\n}\n", "E113",
     "expected an expression after `requires`, found `}`", 3, 1),
    ("ebb T shared {\n  invariant ok: x + \n}\n", "E113", "expected an expression after `+`", 3, 1),
    ("ebb T shared {\n  op f() requires x >\n  op g()\n}\n", "E113",
     "expected an expression after `>`, found keyword `op`", 3, 3),
    # E115: declarations that belong inside an Ebb
    ("model x: int\n", "E115", "`model` outside an Ebb", 1, 1),
    ("ebb T shared {}\nop f()\n", "E115", "`op` outside an Ebb", 2, 1),
    # E114 / E105 / E102: lexical mistakes
    ("ebb T shared {\n  /* never closed\n}\n", "E114", "block comment is not closed", 2, 3),
    ("ebb T shared {\n  op f() requires x /* never closed\n}\n", "E114",
     "block comment is not closed", 2, 21),
    ('ebb T shared {\n  "Waiting items,\n   oldest first."\n}\n', "E105",
     "string is not closed on its line", 2, 3),
    ("ebb T shared {\n  invariant size(items) <= 10;\n}\n", "E102", "unexpected character `;`",
     2, 30),
    ("ebb T shared {\n  model x: int @\n}\n", "E102", "unexpected character `@`", 2, 16),
    ("ebb T shared {\n  model caf\u00e9: int\n}\n", "E102", "names are ASCII letters", 2, 12),
    ("ebb T shared {\n  model x: int\v\n}\n", "E102", "unexpected character '\\x0b'", 2, 15),
    # E103 with names
    ("ebb Q shared {\n  op push(x: int)\n    ensures items = old(items) + [x]\n}\n", "E103",
     "to compare, write `==`", 3, 19),
    ("ebb T shared {\n  op f() requires a and b\n}\n", "E103",
     "`and` is not an operator: write `&&`",
     2, 21),
    ("ebb T shared {\n  op f() requirs x\n}\n", "E103", "did you mean `requires`?", 2, 10),
    ("ebb T shared {}\n}\n", "E103", "unmatched `}`", 2, 1),
    ("ebb T shared {\n  event fire(h: Hook) when true\n}\n", "E103",
     "an event says on which core it runs, found keyword `when`", 2, 23),
    ("ebb T shared {\n  op f() complexity O(1) in steps\n}\n", "E103",
     "a complexity bound is written", 2, 21),
]


@pytest.mark.parametrize("text, code, fragment, line, column", NAMED,
                         ids=[f"{c[1]}-{i}" for i, c in enumerate(NAMED)])
def test_named_syntax_errors(text: str, code: str, fragment: str, line: int, column: int) -> None:
    first = _errors(text)[0]
    where = (first.code, first.span.line, first.span.column)
    assert where == (code, line, column), first.render(text)
    assert fragment in first.message, first.message
    assert first.effective_hint


def test_messages_name_the_bad_token() -> None:
    first = _errors("ebb T shared {\n  op f() requires x ) \n}\n")[0]
    assert first.code == "E103"
    assert "`)`" in first.message and first.hint and "expected" in first.hint


def test_end_of_file_points_past_the_last_character() -> None:
    first = _errors("ebb T shared { op f(x: int) requires (")[0]
    assert (first.span.line, first.span.column) == (1, 39)


def test_several_errors_are_reported() -> None:
    text = (
        "ebb T shared {\n"             # 1
        "  model a: \n"                # 2
        "  op f(x: int) -> bool\n"      # 3: `op` is read as a type name; E109 points here
        "    requires x >\n"           # 4
        "  op g()\n"                   # 5: E113 (an expression is missing before `op`)
        "    ensures = 1\n"            # 6: E113
        "  op h() requires x = 1\n"    # 7: E103 (= for ==)
        "}\n"
        "ebb U {\n"                    # 9: E110
        "  model m: int\n"
        "}\n")
    diagnostics = _errors(text)
    assert [(d.code, d.span.line) for d in diagnostics] == [
        ("E109", 3), ("E113", 5), ("E113", 6), ("E103", 7), ("E110", 9)]


def test_a_broken_header_skips_its_body_without_cascades() -> None:
    body = "".join(f"  op f{i}(x: int)\n    requires x > {i}\n    ensures true\n"
                   for i in range(20))
    text = "ebb Broken {\n" + body + "}\n\nebb Fine shared {\n  op g() requires\n}\n"
    diagnostics = _errors(text)
    assert [d.code for d in diagnostics] == ["E110", "E113"]


def test_errors_are_capped() -> None:
    text = "ebb T shared {\n" + "".join(f"  op f{i}() requires\n" for i in range(40)) + "}\n"
    diagnostics = _errors(text)
    assert len(diagnostics) == MAX_ERRORS
    assert all(d.code == "E113" for d in diagnostics)
    assert [d.span.line for d in diagnostics] == list(range(3, 3 + MAX_ERRORS))


def test_nothing_is_reported_after_an_unclosed_block_comment() -> None:
    text = "ebb T shared {\n  op f() requires\n  op g()\n  /* open\n  op h() requires\n}\n"
    assert [(d.code, d.span.line) for d in _errors(text)] == [("E113", 3), ("E114", 4)]


def test_one_stray_character_per_declaration() -> None:
    text = "ebb T shared {\n  model a: int;\n  model b: int;\n  model c: int\n}\n"
    assert [(d.code, d.span.line) for d in _errors(text)] == [("E102", 2), ("E102", 3)]


def test_syntax_diagnostics_keeps_the_one_error_interface() -> None:
    text = "ebb T {\n}\n"
    exc = first_error(text)
    assert exc is not None
    [diagnostic] = syntax_diagnostics(exc, text, "t.ebb")
    assert diagnostic.code == "E110" and str(diagnostic.span) == "t.ebb:1:7"


def test_deep_unclosed_nesting_is_one_error() -> None:
    diagnostics = _errors("ebb T shared { invariant " + "(" * 10_000)
    assert [d.code for d in diagnostics] == ["E104"]


def test_ebb_fmt_exits_1_on_syntax_errors_and_prints_them(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.ebb"
    text = "ebb T {\n}\n"
    bad.write_text(text)
    assert main(["fmt", "--check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:1:7: error: missing representative scope" in err and "[E110]" in err
    assert bad.read_text() == text
