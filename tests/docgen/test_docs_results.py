"""`ebb docs --results REPORT.json`: each clause's verdict beside the clause."""

from __future__ import annotations

import json
from pathlib import Path

from ebbrt.cli import main

SPEC = '''ebb Counter shared {
  "Counts."
  model count: nat = 0 "the count"
  invariant small: count <= 10 "at most ten"
  op add(n: nat)
    "Adds."
    requires count + n <= 10
    modifies count
    ensures count == old(count) + n
}
'''


def _result(line: int, column: int, verdict: str, engine: str, **details: str) -> dict:
    return {"obligation": f"x{line}.{engine}", "kind": "ensures", "ebb": "Counter",
            "subject": "add", "verdict": verdict, "engine": engine, "message": "m",
            "severity": "error", "cached": False, "details": details,
            "location": {"file": "/elsewhere/ci/counter.ebb", "line": line, "column": column,
                         "end_line": line, "end_column": column + 5}}


def test_verdicts_appear_beside_their_clauses(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "counter.ebb"
    spec.write_text(SPEC)
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"format": "ebb-verify", "results": [
        _result(9, 5, "TESTED", "hypothesis", examples="120"),
        _result(9, 5, "PROVED", "crosshair"),
        _result(7, 5, "PROVED", "z3"),
        _result(4, 3, "REFUTED", "hypothesis")]}))
    status = main(["docs", "--results", str(report), "-o", str(tmp_path / "site"),
                   str(spec)])
    assert status == 0, capsys.readouterr()
    md = (tmp_path / "site/md/Counter.md").read_text()
    assert "Ensures `count == old(count) + n`. *tested with 120 examples, symbolically " \
           "checked*" in md
    assert "`count + n <= 10` *proved*" in md
    assert "at most ten *failed (hypothesis)*" in md
    html = (tmp_path / "site/html/Counter.html").read_text()
    assert '<span class="tag">tested with 120 examples, symbolically checked</span>' in html


def test_a_bad_results_file_is_a_usage_error(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "counter.ebb"
    spec.write_text(SPEC)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["docs", "--results", str(bad), "-o", str(tmp_path / "s"), str(spec)]) == 2
    assert "is not JSON" in capsys.readouterr().err
    bad.write_text('{"format": "something"}')
    assert main(["docs", "--results", str(bad), "-o", str(tmp_path / "s"), str(spec)]) == 2
    assert "not an ebb report" in capsys.readouterr().err
    assert main(["docs", "--results", str(tmp_path / "none.json"), str(spec)]) == 2
    assert "cannot read" in capsys.readouterr().err
