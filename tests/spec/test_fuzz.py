"""Fuzzing the front end: whatever the text, `parse_text`, the formatter and `check_text` give
diagnostics, never an exception. Every diagnostic about the text points inside it and says how
to fix the problem, and every text that parses survives the formatter.

Inputs are (a) random text, from arbitrary characters to soups of the language's tokens, and
(b) mutations (deletions, insertions, duplications, swaps) of real specs: the bundled library
and a sample below. The suite's Hypothesis profile is derandomized, so these runs are the same
every time; set EBB_HYPOTHESIS_PROFILE=explore to search further.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import ebbrt.spec as spec
from ebbrt.ebbs import library_specs
from ebbrt.spec import Diagnostic, format_module, parse_text, parse_text_with_comments

# Another part of the front end provides check_text; without it, the fuzz covers the rest.
check_text = getattr(spec, "check_text", None)

FILE = "fuzz.ebb"

SAMPLE = '''// A sample with a bit of everything, for mutation.
import "iterator.ebb"

record Arm { due: time "when", period: duration }
enum Mode { Once, Every "repeats", }

ebb Timer<K> per_core refines Base<K> via { armed = keys(table) } {
  "Fires hooks."
  model table: map<K, Arm> = {} /* the hooks */
  invariant forall h in table: table[h].period >= 0us

  op start(h: K, t: duration, repeat: bool) -> ok: bool
    requires h !in table && t > 0ms "fresh"
    checked requires t < 10s throws InvalidArgument
    modifies table
    ensures table == old(table)[h := Arm{due: now + t, period: repeat ? t : 0us}]
    cases complete disjoint {
      case first when size(old(table)) == 0 ensures ok
      case more when size(old(table)) > 0 returns true
    }
    sync local
    complexity worst O(log(size(table))) in steps

  event fire(h: K) on core(0) when h in table && now >= table[h].due
    modifies table

  protocol K { initial Idle  Idle -start-> Armed  Armed -fire-> Idle }
  temporal never fire(h) before start(h, t, _) + t
  assume start(h, t, _) leads_to fire(h) within [t, t + 1ms] unless stop(h)
}
'''

BASES = [p.read_text(encoding="utf-8") for p in library_specs()] + [SAMPLE]

VOCABULARY = [
    "ebb", "op", "model", "record", "enum", "event", "protocol", "temporal", "requires",
    "ensures", "modifies", "returns", "cases", "case", "when", "forall", "exists", "old", "in",
    "!in", "shared", "per_core", "{", "}", "(", ")", "[", "]", "<", ">", ":", ",", "=", "==",
    "->", "-", "+", "&&", "||", "!", "?", ":=", "..", ".", "x", "K", "0", "0x1f", "010", "5ms",
    '"doc"', '"open', 'b"x"', "//", "/*", "*/", "\n", " ", "\t", "\x00", "\x7f", "\ufeff",
    "\u00e9", "\u2028", ";", "@", "#", "$", "\\",
]

# any characters at all, or a soup of the language's tokens
RANDOM_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=()), max_size=80),
    st.lists(st.sampled_from(VOCABULARY), max_size=60).map("".join),
    st.lists(st.sampled_from(VOCABULARY), max_size=60).map(" ".join),
)


@st.composite
def mutated_spec(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(BASES))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "duplicate", "swap"]))
        if kind == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 12)):]
        elif kind == "insert":
            text = text[:pos] + draw(st.sampled_from(VOCABULARY)) + text[pos:]
        else:
            other = draw(st.integers(0, len(text)))
            size = draw(st.integers(1, 40))
            lo, hi = sorted((pos, other))
            if kind == "duplicate":
                text = text[:pos] + text[other:other + size] + text[pos:]
            elif hi - lo >= 2 * size:  # swap two slices that do not overlap
                text = (text[:lo] + text[hi:hi + size] + text[lo + size:hi]
                        + text[lo:lo + size] + text[hi + size:])
    return text


def _assert_good_diagnostics(diagnostics: list[Diagnostic], text: str) -> None:
    lines = text.count("\n") + 1
    for d in diagnostics:
        assert isinstance(d, Diagnostic), d
        assert d.effective_hint.strip(), d
        assert d.message.strip(), d
        if d.span.file == FILE:
            assert 1 <= d.span.line <= lines + 1, (d, lines)
            assert d.span.column >= 1, d


def _exercise(text: str) -> None:
    module, diagnostics, comments = parse_text_with_comments(text, FILE)
    _assert_good_diagnostics(diagnostics, text)
    assert (module is None) == bool(diagnostics)
    assert parse_text(text, FILE) == (module, diagnostics)
    if module is not None:
        formatted = format_module(module, comments)
        again, diagnostics_again, comments_again = parse_text_with_comments(formatted, FILE)
        assert again == module, formatted
        assert [c.text for c in comments_again] == [c.text for c in comments]
        assert format_module(again, comments_again) == formatted
    else:
        formatted, diagnostics_again = spec.format_text(text, FILE)
        assert formatted is None and diagnostics_again == diagnostics
    if check_text is not None:
        _assert_good_diagnostics(check_text(text, FILE).diagnostics, text)


def _examples(count: int) -> int:
    """`count` in the suite's profile; more when a profile asks for more (explore)."""
    return max(count, settings().max_examples)


@settings(max_examples=_examples(250))
@given(RANDOM_TEXT)
@example("")
@example("\x00")
@example("(" * 10_000)
@example('ebb T shared { op f() requires x == "never closed')
@example("ebb T shared { /* never closed")
@example("ebb T shared { model x: int = 010 }")
def test_random_text(text: str) -> None:
    _exercise(text)


@settings(max_examples=_examples(100))
@given(mutated_spec())
def test_mutated_specs(text: str) -> None:
    _exercise(text)


def test_bases_are_valid_specs() -> None:
    for base in BASES:
        module, diagnostics = parse_text(base, FILE)
        assert module is not None, [d.render(base) for d in diagnostics]


@pytest.mark.parametrize("prefix, suffix", [("-", ""), ("!", ""), ("f(", ")"), ("[", "]")],
                         ids=["minus", "not", "calls", "sequences"])
def test_deep_nesting_is_e106_not_a_recursion_error(prefix: str, suffix: str) -> None:
    text = "ebb T shared {\n  invariant " + prefix * 10_000 + "x" + suffix * 10_000 + "\n}\n"
    module, diagnostics = parse_text(text, FILE)
    assert module is None
    assert [(d.code, d.span.line) for d in diagnostics] == [("E106", 2)]
    if check_text is not None and prefix == "-":
        assert [d.code for d in check_text(text, FILE).diagnostics] == ["E106"]


def test_long_flat_files_format_without_recursion() -> None:
    text = "ebb T shared {\n" + "".join(f"  model m{i}: int // {i}\n" for i in range(3000)) + "}\n"
    module, _, comments = parse_text_with_comments(text, FILE)
    assert module is not None
    assert format_module(module, comments) == text


def test_leading_zeros_are_not_a_traceback() -> None:
    _exercise("ebb T shared {\n  model x: int = 010\n  invariant x == 007\n}\n")


def test_the_fuzz_reaches_check_text() -> None:
    if check_text is None:
        pytest.skip("ebbrt.spec.check_text is not available")
    result = check_text("ebb T shared { model x: nat = 1 }", FILE)
    assert not re.search(r"E1\d\d", " ".join(d.code for d in result.diagnostics))
