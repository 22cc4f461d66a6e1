"""The `pycon` examples of the "Monitors" section of docs/runtime.md run, in order, in one
namespace, and print what the page says; the printed violation it shows is the real one."""

from __future__ import annotations

import re
from pathlib import Path

from ebbrt.ebbs import library_dir
from ebbrt.runtime import MonitorViolation, Observation, compile_monitors
from ebbrt.spec import check_paths
from ebbrt.verifier._values import Handle

PAGE = Path(__file__).resolve().parents[2] / "docs" / "runtime.md"
TEXT = re.compile(r"^```text\n(.*?)^```[ \t]*$", re.S | re.M)


def monitors_section() -> str:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index("## Monitors\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def test_monitors_examples_run(run_pycon) -> None:
    blocks, result = run_pycon(monitors_section(), PAGE)
    assert blocks, "the Monitors section of docs/runtime.md has no ```pycon example"
    assert result.failed == 0, (f"{result.failed} of {result.attempted} doc example lines"
                                " failed (see the captured output)")


def test_the_printed_violation_is_what_the_monitors_print() -> None:
    [shown] = TEXT.findall(monitors_section())
    checked = check_paths([library_dir() / "timer.ebb"]).checked
    monitors = compile_monitors(checked, "Timer")
    hook = Handle("Hook", 0)
    start = {"hook": hook, "timeout": 5_000_000, "repeat": False}
    monitors.observe(Observation(0, 0, 0, "Timer", "call", "start", start))
    monitors.observe(Observation(0, 0, 0, "Timer", "return", "start", start))
    try:
        monitors.observe(Observation(4_000_000, 0, 0, "Timer", "event", "fire", {"hook": hook}))
    except MonitorViolation as violation:
        printed = str(violation)
    else:
        raise AssertionError("the early fire was not caught")
    # the spec's path depends on the working directory; its name, line and column must match
    doc_location, doc_rest = shown.rstrip("\n").split(": ", 1)
    location, rest = printed.split(": ", 1)
    assert rest == doc_rest
    assert location.endswith(doc_location.rsplit("/", 1)[-1])
