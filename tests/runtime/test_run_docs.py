"""The `pycon` examples of docs/runtime.md from its "Contracts at run time" section to the end
(contracts at run time, the Messenger, `ebb run`) run, in order, in one namespace, and print
what the page says."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "runtime.md"
PYCON = re.compile(r"^```pycon\n(.*?)^```[ \t]*$", re.S | re.M)


def run_sections() -> str:
    text = PAGE.read_text(encoding="utf-8")
    return text[text.index("## Contracts at run time\n"):]


def test_run_sections_examples_run() -> None:
    blocks = PYCON.findall(run_sections())
    assert len(blocks) == 3, "the contracts, Messenger and ebb run sections each have one"
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, "docs/runtime.md",
                                               str(PAGE), 0)
    result = doctest.DocTestRunner().run(test)
    assert result.attempted > 20
    assert result.failed == 0, (f"{result.failed} of {result.attempted} doc example lines"
                                " failed (see the captured output)")
