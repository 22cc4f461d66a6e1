"""`ebb verify`, `ebb test` and `pytest --ebb` on a small project: a spec, a correct
implementation beside it, and (in one test) a broken subclass that must be caught."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from ebbrt.cli import main

SPEC = '''ebb Counter shared {
  "Counts up to a limit."
  model count: nat = 0 "the count"
  model limit: nat = 5 "the largest count"
  invariant below: count <= limit "never past the limit"
  op inc() -> nat
    "Adds one and returns the new count."
    requires count < limit
    modifies count
    ensures count == old(count) + 1
    returns count
  op reset()
    "Back to zero."
    modifies count
    ensures count == 0
}
'''

GOOD = '''from ebbrt.verifier import implements


@implements("counter.ebb", "Counter")
class Counter:
    def __init__(self):
        self.n = 0

    def abstraction(self):
        return {"count": self.n, "limit": 5}

    def inc(self):
        self.n += 1
        return self.n

    def reset(self):
        self.n = 0
'''

BROKEN = '''

class SkippingCounter(Counter):
    """Off by one: adds two once the count reaches 2."""

    def inc(self):
        self.n += 2 if self.n >= 2 else 1
        return self.n
'''


def _project(tmp_path: Path, broken: bool) -> Path:
    folder = tmp_path / f"proj_{'broken' if broken else 'good'}"
    folder.mkdir()
    (folder / "counter.ebb").write_text(SPEC)
    (folder / "counter_impl.py").write_text(GOOD + (BROKEN if broken else ""))
    return folder


def _run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_ebb_test_establishes_every_clause_of_a_correct_implementation(tmp_path, capsys) -> None:
    folder = _project(tmp_path, broken=False)
    status, out, err = _run(capsys, "test", "--no-cache", "--examples", "30", str(folder))
    assert status == 0, out + err
    assert "counter_impl.Counter implements Counter (counter.ebb)" in out
    assert "tested with" in out and "failed (" not in out
    assert "11 clauses, 11 established, 0 failed, 0 undecided" in out
    assert "hypothesis: counter_impl.Counter" in err  # progress, on stderr


def test_a_broken_variant_is_caught_with_a_replayable_script(tmp_path, capsys) -> None:
    folder = _project(tmp_path, broken=True)
    status, out, err = _run(capsys, "test", "--no-cache", "--examples", "50", str(folder))
    assert status == 1, out + err
    assert "counter_impl.SkippingCounter implements Counter" in out
    assert "failed (hypothesis)" in out
    assert "    from counter_impl import SkippingCounter" in out  # the replayable script


def test_verify_json_validates_and_a_second_run_comes_from_the_cache(tmp_path, capsys) -> None:
    folder = _project(tmp_path, broken=False)
    cache = tmp_path / "cache"
    args = ("verify", "--engine", "prove", "--engine", "hypothesis", "--examples", "20",
            "--cache-dir", str(cache), "--format", "json", str(folder))
    status, out, err = _run(capsys, *args)
    assert status == 0, out + err
    data = json.loads(out)
    schema = json.loads(resources.files("ebbrt.verifier").joinpath(
        "schemas/ebb-verify-report.schema.json").read_text())
    jsonschema.validate(data, schema)
    assert data["format"] == "ebb-verify" and data["engines"] == ["prove", "hypothesis"]
    engines = {r["engine"] for r in data["results"]}
    assert "hypothesis" in engines and "z3" in engines
    (impl,) = data["implementations"]
    assert all(c["verdict"] in ("PROVED", "TESTED") for c in impl["clauses"])
    assert data["summary"]["from_cache"] == 0
    status, out, _ = _run(capsys, *args)
    again = json.loads(out)
    assert again["summary"]["from_cache"] == len(again["results"])
    assert [r["verdict"] for r in again["results"]] == [r["verdict"] for r in data["results"]]


def test_usage_errors(tmp_path, capsys) -> None:
    status, _, err = _run(capsys, "test", str(tmp_path / "missing"))
    assert status == 2 and "no such file or directory" in err
    (tmp_path / "notes.txt").write_text("x")
    status, _, err = _run(capsys, "verify", str(tmp_path / "notes.txt"))
    assert status == 2 and "neither a spec" in err


def test_a_module_that_cannot_be_imported_is_reported_with_a_hint(tmp_path, capsys) -> None:
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "counter.ebb").write_text(SPEC)
    (folder / "counter_impl.py").write_text("from ..elsewhere import helper\n" + GOOD)
    status, out, err = _run(capsys, "test", str(folder / "counter.ebb"))
    assert status == 1
    shown = out + err
    assert "counter_impl.py: cannot import: ImportError" in shown
    assert "hint: the file imports from above its top-level package" in shown


def test_pytest_collects_obligations_and_clauses_as_items(tmp_path) -> None:
    folder = _project(tmp_path, broken=True)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--ebb", "--ebb-no-cache",
         "--ebb-engine", "prove", "--ebb-engine", "hypothesis", "--ebb-examples", "40",
         "-q", "-rA", str(folder / "counter.ebb")],
        cwd=folder, capture_output=True, text=True, timeout=600)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "counter.ebb::Counter.inc.invariant_preserved.below[z3]" in out
    assert "PASSED counter.ebb::counter_impl.Counter::" in out
    assert "FAILED counter.ebb::counter_impl.SkippingCounter::" in out
    assert "[hypothesis]" in out


def test_without_the_flag_spec_files_are_not_collected(tmp_path) -> None:
    folder = _project(tmp_path, broken=True)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                           str(folder / "counter.ebb")],
                          cwd=folder, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 4 or "no tests ran" in proc.stdout, proc.stdout


def test_engines_that_disagree_are_reported_as_a_verifier_bug() -> None:
    from ebbrt.spec import Span
    from ebbrt.verifier._result import Result, Verdict
    from ebbrt.verifier._verify import VERIFIER_BUG, ClauseRow, disagreements

    span = Span("c.ebb", 9, 5, 9, 30)

    def result(engine: str, verdict: Verdict) -> Result:
        return Result(obligation="Counter.inc.ensures.1", kind="ensures", ebb="Counter",
                      subject="inc", span=span, verdict=verdict, engine=engine, message="m")

    agreeing = [result("crosshair", Verdict.PROVED), result("hypothesis", Verdict.TESTED)]
    assert disagreements(agreeing) == []
    split = [result("crosshair", Verdict.PROVED), result("hypothesis", Verdict.REFUTED)]
    (bug,) = disagreements(split)
    assert bug.engine == "cross-check" and "verifier disagreement" in bug.message
    assert dict(bug.details)[VERIFIER_BUG] == "crosshair vs hypothesis"
    row = ClauseRow("Counter", "inc", "ensures", span, (*split, bug))
    assert row.verdict is Verdict.REFUTED and row.how() == "failed (hypothesis)"
