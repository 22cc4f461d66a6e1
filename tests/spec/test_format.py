"""The formatter: canonical layout, round trip to an equal AST, idempotence, comments kept, and
the `ebb fmt` command (in place, --check, --diff)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ebbrt.cli import main
from ebbrt.ebbs import library_specs
from ebbrt.spec import ast as A
from ebbrt.spec import format_module, format_text, parse_text, parse_text_with_comments
from ebbrt.spec._format import quote
from ebbrt.spec._parser import parser
from ebbrt.spec._printer import format_expr

SAMPLES = sorted((Path(__file__).parent / "samples").glob("*.ebb"))
FILES = library_specs() + SAMPLES


def _round_trip(text: str, file: str = "t.ebb") -> str:
    """Format `text`; check the result parses to an equal AST with the same comments and is a
    fixed point of the formatter. Returns the formatted text."""
    module, diagnostics, comments = parse_text_with_comments(text, file)
    assert module is not None, [d.render(text) for d in diagnostics]
    formatted = format_module(module, comments)
    again, diagnostics, comments_again = parse_text_with_comments(formatted, file)
    assert again is not None, [d.render(formatted) for d in diagnostics]
    assert again == module
    assert [c.text for c in comments_again] == [c.text for c in comments]
    assert format_module(again, comments_again) == formatted
    return formatted


def test_the_library_has_specs() -> None:
    assert library_specs(), "no bundled specs to round-trip"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_round_trip(path: Path) -> None:
    _round_trip(path.read_text(encoding="utf-8"), str(path))


def test_format_text_matches_format_module() -> None:
    text = SAMPLES[0].read_text(encoding="utf-8")
    module, _, comments = parse_text_with_comments(text, "s.ebb")
    assert format_text(text, "s.ebb") == (format_module(module, comments), [])


def test_format_text_refuses_a_file_with_syntax_errors() -> None:
    formatted, diagnostics = format_text("ebb T {\n}\n", "t.ebb")
    assert formatted is None and [d.code for d in diagnostics] == ["E110"]


MESSY = '''import "a.ebb"   from "b.ebb" import X,Y
handle H<T> "A handle."   handle G
exception Oops
record R { a: int, b: set<int> "the b", }
enum E { A, B "bee", }
func f(x: int) -> int = (x + 1) * 2
ebb   T<K>   shared refines U<K> via { s = keys(m), } { "An ebb."
model m: map<K, bool> = {}   model n: nat
invariant all: forall k in m: m[k]
op put(k: K) -> ok: bool "Puts." requires k !in m modifies m ensures m == old(m)[k := true] returns !(k in old(m))
cases complete { case a when true ensures true case b when false }
event e(k: K) on core(0) when k in m ensures true
protocol H { initial A A -put-> B }
temporal t: never e(k) before put(k) + 1ms
}'''

CANONICAL = '''import "a.ebb"
from "b.ebb" import X, Y

handle H<T> "A handle."
handle G

exception Oops

record R {
  a: int
  b: set<int> "the b"
}

enum E {
  A,
  B "bee"
}

func f(x: int) -> int = (x + 1) * 2

ebb T<K> shared refines U<K> via { s = keys(m) } {
  "An ebb."

  model m: map<K, bool> = {}
  model n: nat

  invariant all: forall k in m: m[k]

  op put(k: K) -> ok: bool
    "Puts."
    requires k !in m
    modifies m
    ensures m == old(m)[k := true]
    returns !(k in old(m))
    cases complete {
      case a when true
        ensures true
      case b when false
    }

  event e(k: K) on core(0) when k in m
    ensures true

  protocol H {
    initial A
    A -put-> B
  }

  temporal t: never e(k) before put(k) + 1ms
}
'''


def test_canonical_layout() -> None:
    assert _round_trip(MESSY) == CANONICAL
    assert _round_trip(CANONICAL) == CANONICAL


def test_long_refines_mappings_get_a_line_each() -> None:
    maps = ", ".join(f"field_number_{i} = some_function(argument_{i})" for i in range(3))
    text = f"ebb T shared refines U via {{ {maps} }} {{\n}}\n"
    assert _round_trip(text).splitlines()[:3] == [
        "ebb T shared refines U via {",
        "  field_number_0 = some_function(argument_0),",
        "  field_number_1 = some_function(argument_1),"]


def test_empty_declarations() -> None:
    assert _round_trip("record R {}  ebb T per_core {}  message M {}") == (
        "record R {}\n\nebb T per_core {\n}\n\nmessage M {}\n")
    assert _round_trip("") == ""


def test_doc_strings_are_quoted_back() -> None:
    text = 'handle H "tab\\t, quote \\", backslash \\\\, newline \\n, \\u00e9 and é"\n'
    assert _round_trip(text) == text.replace("\\u00e9", "é")


@settings(max_examples=150)
@given(st.text(max_size=20))
def test_any_doc_string_survives(doc: str) -> None:
    module, _ = parse_text(f"handle H {quote(doc)}\n", "t.ebb")
    assert module is not None and module.items[0].doc == doc


def test_lone_surrogates_and_controls_are_escaped() -> None:
    doc = "\ud800\x00\x7f\u2028"
    assert quote(doc) == '"\\ud800\\x00\\x7f\\u2028"'
    module, _ = parse_text(f"handle H {quote(doc)}", "t.ebb")
    assert module is not None and module.items[0].doc == doc


# ---------------------------------------------------------------------------------- comments

def test_comments_keep_their_places() -> None:
    text = (
        "// header\n"
        "\n"
        "ebb T shared { // after the brace\n"
        "  \"Doc.\"\n"
        "  // leads the model\n"
        "  model m: int   // trails the model\n"
        "  op f(a: int,  // on the header line\n"
        "       b: int)\n"
        "    requires a > 0 /* inline */ && b > 0\n"
        "    // before the closing brace\n"
        "}   // after the ebb\n"
        "// at the end\n")
    assert _round_trip(text) == (
        "// header\n"
        "\n"
        "ebb T shared { // after the brace\n"
        "  \"Doc.\"\n"
        "\n"
        "  // leads the model\n"
        "  model m: int // trails the model\n"
        "\n"
        "  op f(a: int, b: int) // on the header line\n"
        "    requires a > 0 && b > 0 /* inline */\n"
        "  // before the closing brace\n"
        "} // after the ebb\n"
        "// at the end\n")


def test_blank_lines_around_comments_are_kept_once() -> None:
    text = "// a\n\n\n\n// b\nhandle H\n\n\n// c\n"
    assert _round_trip(text) == "// a\n\n// b\nhandle H\n\n// c\n"


def test_a_comment_never_swallows_code_or_another_comment() -> None:
    text = "ebb T shared {\n  op f(a: int, // one\n       b: int) /* two */\n    pure\n}\n"
    formatted = _round_trip(text)
    assert "  op f(a: int, b: int) // one\n    /* two */\n    pure\n" in formatted


def test_multi_line_block_comments_are_kept_verbatim() -> None:
    text = "/* one\n     two\n*/\nhandle H /* x\n y */\n"
    assert _round_trip(text) == text


def test_crlf_sources_format_to_lf() -> None:
    formatted = _round_trip("handle H // c\r\nhandle G\r\n")
    assert formatted == "handle H // c\nhandle G\n"


def _token_ends(text: str) -> list[int]:
    """Offsets where a comment may go: the start of the text and the end of each token."""
    ip = parser().parse_interactive(text)
    return [0] + [tok.end_pos for tok in ip.iter_parse()]


_SMALL = sorted(FILES, key=lambda p: p.stat().st_size)[:4]
_TEXTS = [p.read_text(encoding="utf-8") for p in _SMALL]
_ENDS = [_token_ends(t) for t in _TEXTS]
_COMMENT_FORMS = [" // c{n}\n", " /* c{n} */ ", "/* c{n}\n   more */", "\n// c{n}\n",
                  "\n\n  // c{n}\n\n", "\n/* c{n} */ // d{n}\n"]


@settings(max_examples=60)
@given(st.data())
def test_comments_anywhere_survive_formatting(data: st.DataObject) -> None:
    which = data.draw(st.integers(0, len(_TEXTS) - 1), label="file")
    text = _TEXTS[which]
    inserts = data.draw(st.lists(st.tuples(st.sampled_from(_ENDS[which]),
                                           st.sampled_from(_COMMENT_FORMS)), max_size=6))
    pieces, last = [], 0
    for n, (pos, form) in enumerate(sorted(inserts, key=lambda i: i[0])):
        pieces += [text[last:pos], form.format(n=n)]
        last = pos
    _round_trip("".join(pieces) + text[last:])


# ---------------------------------------------------------------------------------- coverage

def _grammar_rule_names() -> set[str]:
    names = set()
    for rule in parser().rules:
        origin = str(rule.origin.name)
        if origin.startswith("_"):
            continue
        if rule.alias:
            names.add(str(rule.alias))
        elif not rule.options.expand1:
            names.add(origin)
    return names


def test_samples_cover_every_grammar_rule() -> None:
    seen: set[str] = set()
    for path in SAMPLES:
        tree = parser().parse(path.read_text(encoding="utf-8"))
        seen |= {str(t.data) for t in tree.iter_subtrees()}
    assert _grammar_rule_names() - seen == set()


def _node_types(node: object, seen: set[str]) -> None:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            seen.add(type(item).__name__)
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item)
                         if f.name != "span")


def test_samples_cover_every_ast_node() -> None:
    seen: set[str] = set()
    for path in SAMPLES:
        module, _ = parse_text(path.read_text(encoding="utf-8"), str(path))
        _node_types(module, seen)
    nodes = {name for name, value in vars(A).items() if isinstance(value, type)
             and dataclasses.is_dataclass(value) and value.__module__ == A.__name__}
    assert nodes - seen == set()


def test_bytes_literals_are_not_a_name_and_a_doc_string() -> None:
    text = 'ebb T shared {\n  invariant x == b"GET" && y == b "doc"\n}\n'
    module, _ = parse_text(text, "t.ebb")
    assert module is not None
    invariant = module.items[0].members[0]
    assert invariant.doc == "doc"
    assert invariant.expr.left.operands[1] == A.BytesLit('b"GET"')
    assert _round_trip(text) == text


# ---------------------------------------------------------------------------------- printer

_NAMES = st.sampled_from(["a", "b", "xs"]).map(A.Name)
_LEAVES = st.one_of(
    _NAMES, st.integers(0, 99).map(lambda n: A.IntLit(n, str(n))),
    st.sampled_from(["ns", "us", "ms", "s"]).map(lambda u: A.DurationLit(5, u)),
    st.booleans().map(A.BoolLit), st.just(A.NoneLit()), st.just(A.EmptyLit()))


def _compound(e: st.SearchStrategy[A.Expr]) -> st.SearchStrategy[A.Expr]:
    some = st.lists(e, min_size=1, max_size=3).map(tuple)
    return st.one_of(
        e.map(A.Old),
        st.builds(A.Call, st.just(A.Ident("f")), st.lists(e, max_size=2).map(tuple)),
        st.builds(A.RecordLit, st.just(A.Ident("R")),
                  st.lists(st.builds(A.FieldInit, st.just(A.Ident("x")), e), max_size=2)
                  .map(tuple)),
        some.map(A.SetLit), st.lists(e, max_size=2).map(lambda xs: A.SeqLit(tuple(xs))),
        st.lists(st.builds(A.MapEntry, e, e), min_size=1, max_size=2)
        .map(lambda xs: A.MapLit(tuple(xs))),
        st.builds(A.FieldAccess, e, st.just(A.Ident("y"))), st.builds(A.Index, e, e),
        st.builds(A.Update, e, e, e), st.builds(A.Unary, st.sampled_from(["-", "!"]), e),
        st.builds(A.Binary, st.sampled_from(["+", "-", "|", "^", "*", "/", "%", "&", "&&", "||",
                                             "==>", "<==>"]), e, e),
        st.integers(1, 2).flatmap(lambda n: st.builds(
            A.Compare, st.lists(e, min_size=n + 1, max_size=n + 1).map(tuple),
            st.lists(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "!in"]),
                     min_size=n, max_size=n).map(tuple))),
        st.builds(A.Conditional, e, e, e),
        st.builds(A.Quantifier, st.sampled_from(["forall", "exists"]),
                  st.lists(st.builds(A.Binding, st.just(A.Ident("v")), e), min_size=1,
                           max_size=2).map(tuple), e))


@settings(max_examples=300)
@given(st.recursive(_LEAVES, _compound, max_leaves=10))
def test_printed_expressions_parse_back(expr: A.Expr) -> None:
    text = format_expr(expr)
    module, diagnostics = parse_text(f"ebb T shared {{ invariant {text} }}", "t.ebb")
    assert module is not None, (text, [d.message for d in diagnostics])
    assert module.items[0].members[0].expr == expr, text


def test_never_before_offsets_keep_their_parentheses() -> None:
    text = "ebb T shared {\n  temporal never a(x) before b(x) + (c ? 1ms : 2ms)\n}\n"
    assert _round_trip(text) == text


# ---------------------------------------------------------------------------------- ebb fmt

def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_fmt_rewrites_only_files_that_change(tmp_path: Path, capsys) -> None:
    messy = _write(tmp_path / "messy.ebb", MESSY)
    clean = _write(tmp_path / "clean.ebb", CANONICAL)
    os.chmod(messy, 0o640)
    os.utime(clean, ns=(1_000_000_000, 1_000_000_000))
    assert main(["fmt", str(tmp_path)]) == 0
    assert messy.read_text() == CANONICAL
    assert clean.stat().st_mtime_ns == 1_000_000_000
    assert (messy.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.ebb", "messy.ebb"]  # no temps
    out = capsys.readouterr().out
    assert f"reformatted {messy}" in out and "2 files: 1 reformatted, 1 unchanged" in out


def test_fmt_check_changes_nothing(tmp_path: Path, capsys) -> None:
    messy = _write(tmp_path / "messy.ebb", MESSY)
    clean = _write(tmp_path / "clean.ebb", CANONICAL)
    assert main(["fmt", "--check", str(messy), str(clean)]) == 1
    assert messy.read_text() == MESSY
    out = capsys.readouterr().out
    assert f"would reformat {messy}" in out and out.count("would reformat") == 1
    assert main(["fmt", "--check", str(clean)]) == 0


def test_fmt_diff_prints_a_unified_diff(tmp_path: Path, capsys) -> None:
    messy = _write(tmp_path / "messy.ebb", "handle   H\n")
    assert main(["fmt", "--diff", str(messy)]) == 0
    captured = capsys.readouterr()
    assert captured.out == (f"--- {messy}\n+++ {messy} (formatted)\n@@ -1 +1 @@\n"
                            "-handle   H\n+handle H\n")
    assert "1 would be reformatted" in captured.err
    assert messy.read_text() == "handle   H\n"
    assert main(["fmt", "--diff", "--check", str(messy)]) == 1


def test_fmt_leaves_files_with_syntax_errors_alone(tmp_path: Path, capsys) -> None:
    bad = _write(tmp_path / "bad.ebb", "ebb T shared {\n  model x:\n}\n   handle   H\n")
    messy = _write(tmp_path / "messy.ebb", "handle   H\n")
    assert main(["fmt", str(tmp_path)]) == 1
    assert bad.read_text() == "ebb T shared {\n  model x:\n}\n   handle   H\n"
    assert messy.read_text() == "handle H\n"
    captured = capsys.readouterr()
    assert f"{bad}:3:1: error: missing type after `:`" in captured.err
    assert "2 files: 1 reformatted, 0 unchanged, 1 with errors" in captured.out


def test_fmt_reports_unreadable_files(tmp_path: Path, capsys) -> None:
    _write(tmp_path / "latin1.ebb", "")
    (tmp_path / "latin1.ebb").write_bytes(b"handle H \"caf\xe9\"\n")
    assert main(["fmt", str(tmp_path / "latin1.ebb")]) == 1
    err = capsys.readouterr().err
    assert "latin1.ebb:1:14: error: byte 0xe9 at offset 13 is not UTF-8 [E101]" in err


def test_fmt_missing_path_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["fmt", str(tmp_path / "nope.ebb")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_fmt_walks_folders_but_not_hidden_ones_or_venvs(tmp_path: Path, monkeypatch,
                                                         capsys) -> None:
    found = _write(tmp_path / "specs" / "deep" / "a.ebb", "handle   A\n")
    hidden = _write(tmp_path / ".git" / "b.ebb", "handle   B\n")
    venv = _write(tmp_path / "env" / "lib" / "c.ebb", "handle   C\n")
    _write(tmp_path / "env" / "pyvenv.cfg", "home = /usr\n")
    other = _write(tmp_path / "notes.txt", "handle   D\n")
    monkeypatch.chdir(tmp_path)
    assert main(["fmt"]) == 0  # no PATH: the current folder
    assert found.read_text() == "handle A\n"
    assert hidden.read_text() == "handle   B\n" and venv.read_text() == "handle   C\n"
    assert other.read_text() == "handle   D\n"
    assert "1 file: 1 reformatted, 0 unchanged" in capsys.readouterr().out


def test_format_module_needs_no_source() -> None:
    module = A.Module("m.ebb", (
        A.HandleDecl(A.Ident("Hook"), doc="A hook."),
        A.EbbDecl(A.Ident("T"), (), "shared", None, (
            A.ModelDecl(A.Ident("n"), A.NamedType(A.Ident("nat")), A.IntLit(0, "0")),
            A.OpDecl(A.Ident("bump"), (), None, (
                A.Modifies((A.Ident("n"),)),
                A.Ensures(A.Compare((A.Name("n"), A.Binary("+", A.Old(A.Name("n")),
                                                           A.IntLit(1, "1"))), ("==",))))),
        )),
    ))
    assert format_module(module) == (
        'handle Hook "A hook."\n\nebb T shared {\n  model n: nat = 0\n\n  op bump()\n'
        "    modifies n\n    ensures n == old(n) + 1\n}\n")
