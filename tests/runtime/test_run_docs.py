"""The `pycon` examples of docs/runtime.md from its "Contracts at run time" section to the end
(contracts at run time, the Messenger, `ebb run`) run, in order, in one namespace, and print
what the page says."""

from __future__ import annotations

from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "runtime.md"


def run_sections() -> str:
    text = PAGE.read_text(encoding="utf-8")
    return text[text.index("## Contracts at run time\n"):]


def test_run_sections_examples_run(run_pycon) -> None:
    blocks, result = run_pycon(run_sections(), PAGE, optionflags=0)
    assert len(blocks) == 3, "the contracts, Messenger and ebb run sections each have one"
    assert result.attempted > 20
    assert result.failed == 0, (f"{result.failed} of {result.attempted} doc example lines"
                                " failed (see the captured output)")
