"""docs/diagnostics.md and the code registry (spec/_codes.py) list the same codes.

Each code has a section `### CODE · title` (the registry's title) with an anchor
`<a id="code">` that other pages link to; a section's ```ebb-error example must produce its own
code (test_doc_examples.py checks that the example really does).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ebbrt.spec._codes import all_codes

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGE = DOCS / "diagnostics.md"
HEADING = re.compile(r"^### ([EW]\d{3}) · (.+)$", re.M)
ANCHOR = re.compile(r'^<a id="([ew]\d{3})"></a>$', re.M)
LINK = re.compile(r"diagnostics\.md#([a-z]\d{3})")
ERROR_FENCE = re.compile(r"^```ebb-error([^\n]*)$", re.M)

REGISTERED = {c.code: c.title for c in all_codes()}


def _text() -> str:
    return PAGE.read_text(encoding="utf-8")


def _sections() -> dict[str, str]:
    """Code -> the text of its section (up to the next heading of any level)."""
    text = _text()
    heads = list(re.finditer(r"^#{1,3} .*$", text, re.M))
    sections = {}
    for i, h in enumerate(heads):
        m = HEADING.match(h.group(0))
        if m:
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            sections[m.group(1)] = text[h.end():end]
    return sections


def test_every_registered_code_is_documented() -> None:
    documented = {m.group(1) for m in HEADING.finditer(_text())}
    missing = sorted(set(REGISTERED) - documented)
    assert not missing, f"codes registered in spec/_codes.py but not in {PAGE.name}: {missing}"


def test_every_documented_code_is_registered() -> None:
    documented = [m.group(1) for m in HEADING.finditer(_text())]
    unknown = sorted(set(documented) - set(REGISTERED))
    assert not unknown, f"{PAGE.name} documents codes the registry does not have: {unknown}"
    assert len(documented) == len(set(documented)), "a code is documented twice"


@pytest.mark.parametrize("code", sorted(REGISTERED))
def test_documented_title_is_the_registered_title(code: str) -> None:
    titles = {m.group(1): m.group(2).strip() for m in HEADING.finditer(_text())}
    if code in titles:  # a missing section is reported by the test above
        assert titles[code] == REGISTERED[code]


def test_codes_are_documented_in_order() -> None:
    documented = [m.group(1) for m in HEADING.finditer(_text())]
    assert documented == sorted(documented)


def test_every_section_has_its_anchor() -> None:
    text = _text()
    for m in HEADING.finditer(text):
        before = text[:m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        anchor = ANCHOR.match(before)
        assert anchor and anchor.group(1) == m.group(1).lower(), (
            f'{m.group(1)}: put <a id="{m.group(1).lower()}"></a> on the line above its heading')


@pytest.mark.parametrize("code", sorted(REGISTERED))
def test_section_examples_show_their_own_code(code: str) -> None:
    body = _sections().get(code, "")
    for fence in ERROR_FENCE.finditer(body):
        assert code in fence.group(1).split(), (
            f"{code}: its ```ebb-error example must list {code}")


def test_links_to_codes_point_at_registered_codes() -> None:
    for page in sorted(DOCS.glob("*.md")):
        for m in LINK.finditer(page.read_text(encoding="utf-8")):
            assert m.group(1).upper() in REGISTERED, f"{page.name} links to unknown code {m.group(1)}"
