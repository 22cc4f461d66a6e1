"""The `pycon` examples of docs/runtime.md above its "Monitors" section run, in order, in one
namespace, and print what the page says they print (the Monitors section's examples are
tested by test_monitors_docs.py)."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "runtime.md"
PYCON = re.compile(r"^```pycon\n(.*?)^```[ \t]*$", re.S | re.M)


def runtime_sections() -> str:
    text = PAGE.read_text(encoding="utf-8")
    end = text.find("\n## Monitors\n")
    return text if end < 0 else text[:end]


def test_runtime_page_examples_run() -> None:
    blocks = PYCON.findall(runtime_sections())
    assert len(blocks) >= 6, f"{PAGE} lost its runtime examples"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    test = parser.get_doctest("\n".join(blocks), {}, "docs/runtime.md", str(PAGE), 0)
    result = runner.run(test)
    assert result.failed == 0, (f"{result.failed} of {result.attempted} doc example lines"
                                " failed (see the captured output)")
