"""The `pycon` examples in docs/machine.md run, in order, in one namespace, and print what the
page says they print."""

from __future__ import annotations

from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "machine.md"


def test_machine_page_examples_run(run_pycon) -> None:
    blocks, result = run_pycon(PAGE.read_text(encoding="utf-8"), PAGE)
    assert blocks, f"{PAGE} has no ```pycon examples"
    assert result.failed == 0, (f"{result.failed} of {result.attempted} doc example lines"
                                " failed (see the captured output)")
