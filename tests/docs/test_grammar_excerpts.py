"""The grammar excerpts quoted in docs/language.md are the grammar: every rule line quoted in
an unlabelled code block there must appear, whitespace aside, in spec/grammar.lark."""

from __future__ import annotations

import re
from pathlib import Path

from ebbrt.spec._parser import grammar_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "language.md"
_RULE_START = re.compile(r"^[?!]?[a-z_]+(\.\d+)?:\s")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _unlabelled_blocks(text: str) -> list[str]:
    """The bodies of fenced code blocks that have no language label."""
    blocks: list[str] = []
    body: list[str] | None = None
    label = ""
    for line in text.splitlines():
        if line.startswith("```"):
            if body is None:
                body, label = [], line[3:].strip()
            else:
                if not label:
                    blocks.append("\n".join(body))
                body = None
        elif body is not None:
            body.append(line)
    return blocks


def _quoted_rules() -> list[str]:
    rules: list[str] = []
    for block in _unlabelled_blocks(DOC.read_text(encoding="utf-8")):
        current: list[str] = []
        for line in block.splitlines():
            if _RULE_START.match(line):
                if current:
                    rules.append(" ".join(current))
                current = [line]
            elif current and line.startswith((" ", "\t")) and line.strip().startswith("|"):
                current.append(line)
            else:
                if current:
                    rules.append(" ".join(current))
                current = []
        if current:
            rules.append(" ".join(current))
    return rules


def test_language_reference_quotes_the_real_grammar() -> None:
    grammar = _squash(re.sub(r"//[^\n]*", "", grammar_text()))
    rules = _quoted_rules()
    assert len(rules) > 20, "expected the reference to quote the grammar's rules"
    stale = [r for r in rules if _squash(r) not in grammar]
    assert not stale, "docs/language.md quotes rules that grammar.lark does not have:\n" + \
        "\n".join(stale)
