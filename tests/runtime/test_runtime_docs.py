"""The `pycon` examples of docs/runtime.md above its "Monitors" section run, in order, in one
namespace, and print what the page says they print (the Monitors section's examples are
tested by test_monitors_docs.py)."""

from __future__ import annotations

from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "runtime.md"


def runtime_sections() -> str:
    text = PAGE.read_text(encoding="utf-8")
    end = text.find("\n## Monitors\n")
    return text if end < 0 else text[:end]


def test_runtime_page_examples_run(run_pycon) -> None:
    blocks, result = run_pycon(runtime_sections(), PAGE)
    assert len(blocks) >= 6, f"{PAGE} lost its runtime examples"
    assert result.failed == 0, (f"{result.failed} of {result.attempted} doc example lines"
                                " failed (see the captured output)")
