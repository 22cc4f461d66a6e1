"""The `pycon` examples in docs/machine.md run, in order, in one namespace, and print what the
page says they print."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "machine.md"
PYCON = re.compile(r"^```pycon\n(.*?)^```[ \t]*$", re.S | re.M)


def test_machine_page_examples_run() -> None:
    text = PAGE.read_text(encoding="utf-8")
    blocks = PYCON.findall(text)
    assert blocks, f"{PAGE} has no ```pycon examples"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    # one doctest for the whole page, so later examples see the names earlier ones made
    test = parser.get_doctest("\n".join(blocks), {}, "docs/machine.md", str(PAGE), 0)
    result = runner.run(test)
    assert result.failed == 0, (f"{result.failed} of {result.attempted} doc example lines"
                                " failed (see the captured output)")
