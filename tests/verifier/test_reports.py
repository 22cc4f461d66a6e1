"""The reporters: text, JSON (validated against our schema), SARIF 2.1.0 (validated against the
subset schema we ship) and JUnit XML, on a report holding every kind of outcome. The reports of
real prover runs are validated the same way in test_prove_cli.py."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from ebbrt.spec import Span
from ebbrt.verifier._report_json import SCHEMA as JSON_SCHEMA
from ebbrt.verifier._report_json import render_json, report_dict
from ebbrt.verifier._report_junit import render_junit
from ebbrt.verifier._report_sarif import KIND_RULES, SCHEMA as SARIF_SCHEMA
from ebbrt.verifier._report_sarif import artifact_location, render_sarif, rule_name
from ebbrt.verifier._report_text import (ProgressBar, console_for, excerpt, summary_line,
                                         write_report)
from ebbrt.verifier._result import Counterexample, Result, Verdict
from ebbrt.verifier._runner import ProveReport

SOURCE = """ebb Counter shared {
  "Counts."
  model count: nat = 0 "the count"
  invariant small: count < 10
  op add(n: nat) "Adds." modifies count ensures count == old(count) + n
}
"""
FILE = "counter.ebb"
OP_SPAN = Span(FILE, 5, 3, 5, 72)
INV_SPAN = Span(FILE, 4, 3, 4, 30)
CEX = Counterexample(args=(("n", "10"),), pre=(("count", "0"),), post=(("count", "10"),),
                     env=(("now", "0us"), ("this_core", "0")))


def result(verdict: Verdict, kind: str = "invariant_preserved", subject: str = "add",
           ebb: str = "Counter", **extra: object) -> Result:
    fields: dict[str, object] = dict(
        obligation=f"{ebb}.{subject}.{kind}", kind=kind, ebb=ebb, subject=subject,
        span=OP_SPAN, verdict=verdict, engine="z3", message=f"`{subject}` judged {verdict.name}")
    fields.update(extra)
    return Result(**fields)  # type: ignore[arg-type]


RESULTS = (
    result(Verdict.PROVED, "op_feasible"),
    result(Verdict.REFUTED, message="`add` breaks invariant `small`", counterexample=CEX),
    result(Verdict.UNKNOWN, "cases_complete", reason="budget exhausted (rlimit 10)"),
    result(Verdict.SKIPPED, "frame", reason="`seq` slices are not supported"),
    result(Verdict.REFUTED, "ensures_trivial", severity="warning",
           message="an ensures of `add` holds whatever `add` does"),
    result(Verdict.PROVED, "invariant_initial", subject="small", span=INV_SPAN, cached=True),
    result(Verdict.PROVED, "requires_satisfiable", ebb="Other", subject="x",
           span=Span("/abs/other.ebb", 2, 1, 2, 9)),
)
REPORT = ProveReport(RESULTS, budget=10, jobs=1, from_cache=1, cache_dir=".ebb-cache")


def schema(name: str) -> dict:
    text = resources.files("ebbrt.verifier").joinpath("schemas", name).read_text("utf-8")
    return json.loads(text)


def text_of(report: ProveReport = REPORT) -> str:
    out = io.StringIO()
    write_report(report, out, {FILE: SOURCE}, terminal=False)
    return out.getvalue()


# ------------------------------------------------------------------------------ text

def test_text_shows_each_problem_with_location_source_and_counterexample() -> None:
    text = text_of()
    assert ("counter.ebb:5:3: refuted: `add` breaks invariant `small` [invariant_preserved]\n"
            "    5 |   op add(n: nat) \"Adds.\" modifies count ensures count == old(count) + n\n"
            "      |   ^" + "~" * 68 + "\n"
            "  obligation: Counter.add.invariant_preserved\n"
            "  counterexample:\n"
            "    n = 10\n"
            "    now = 0us, this_core = 0\n") in text
    before_after = [line.split() for line in text.splitlines()
                    if line.split()[:1] in (["before"], ["count"])]
    assert before_after == [["before", "after"], ["count", "0", "10"]]
    assert "counter.ebb:5:3: unknown: `add` judged UNKNOWN [cases_complete]" in text
    assert "  reason: budget exhausted (rlimit 10)" in text
    assert "counter.ebb:5:3: skipped: `add` judged SKIPPED [frame]" in text
    assert "counter.ebb:5:3: warning: an ensures of `add` holds whatever" in text
    assert "judged PROVED" not in text, "proved obligations are only counted"


def test_text_has_a_table_per_ebb_and_a_summary_line() -> None:
    lines = text_of().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("ebb "))
    assert lines[header].split() == ["ebb", "proved", "refuted", "unknown", "skipped", "warnings"]
    rows = [line.split() for line in lines[header + 1:] if line and line[0] not in "─"]
    assert rows[:3] == [["Counter", "2", "1", "1", "1", "1"], ["Other", "1", "0", "0", "0", "0"],
                        ["total", "3", "1", "1", "1", "1"]]
    assert lines[-1] == ("7 obligations: 3 proved, 1 refuted, 1 unknown, 1 skipped, 1 warning "
                         "(1 from the cache)")
    assert all(line == line.rstrip() for line in lines), "no trailing blanks"


def test_the_summary_line_without_a_cache_and_without_problems() -> None:
    clean = ProveReport(RESULTS[:1], budget=10)
    assert summary_line(clean) == "1 obligation: 1 proved"
    assert text_of(clean).splitlines()[0].split() == ["ebb", "proved", "refuted", "unknown",
                                                      "skipped", "warnings"]


def test_spec_text_is_not_read_as_markup() -> None:
    odd = result(Verdict.REFUTED, message="`m[k := v]` is [bold]not[/bold] equal",
                 counterexample=Counterexample(pre=(("m", "{[1] -> [red]}"),)))
    text = text_of(ProveReport((odd,), budget=1))
    assert "`m[k := v]` is [bold]not[/bold] equal" in text and "{[1] -> [red]}" in text


def test_text_notes_cache_write_errors_and_internal_errors() -> None:
    report = ProveReport(RESULTS, budget=10, cache_dir="/ro", cache_write_errors=2,
                         internal_errors=1)
    text = text_of(report)
    assert "note: the cache folder `/ro` could not be written; 2 result(s) not saved" in text
    assert "note: the prover failed on 1 obligation(s): a bug in ebb" in text


def test_excerpt_handles_spans_outside_the_source() -> None:
    assert excerpt(Span(FILE, 0, 0, 0, 0), SOURCE) == []
    assert excerpt(Span(FILE, 99, 1, 99, 2), SOURCE) == []
    assert excerpt(OP_SPAN, None) == []
    assert excerpt(Span(FILE, 4, 3, 6, 1), SOURCE)[1].endswith("   ^" + "~" * 26)


def test_the_progress_bar_shows_only_on_a_terminal_for_long_runs() -> None:
    plain = ProgressBar(console_for(io.StringIO(), terminal=False), minimum=1)
    plain.start(50, 0)
    assert plain._progress is None
    out = io.StringIO()
    tty = ProgressBar(console_for(out, terminal=True), minimum=10)
    tty.start(15, 10)
    assert tty._progress is None, "five left to prove is not a long run"
    tty.start(30, 10)
    assert tty._progress is not None
    tty.advance(RESULTS[0])
    assert tty._progress.tasks[0].completed == 11
    tty.finish()
    assert tty._progress is None


# ------------------------------------------------------------------------------ JSON

def test_json_validates_against_the_shipped_schema() -> None:
    data = json.loads(render_json(REPORT))
    jsonschema.Draft202012Validator.check_schema(schema(JSON_SCHEMA))
    jsonschema.validate(data, schema(JSON_SCHEMA), cls=jsonschema.Draft202012Validator)
    assert data["summary"] == {"obligations": 7, "proved": 3, "tested": 0, "refuted": 1, "unknown": 1,
                               "skipped": 1, "warnings": 1, "from_cache": 1}
    assert data["exit_status"] == 1 and data["budget"] == 10
    assert [r["verdict"] for r in data["results"]] == [r.verdict.name for r in RESULTS]
    assert data["results"][1]["counterexample"]["post"] == {"count": "10"}
    assert data["results"][5]["cached"] is True


def test_the_json_schema_rejects_what_is_not_a_report() -> None:
    data = report_dict(REPORT)
    validator = jsonschema.Draft202012Validator(schema(JSON_SCHEMA))
    for broken in ({**data, "version": 2}, {**data, "summary": {**data["summary"], "proved": -1}},
                   {**data, "results": [{**data["results"][0], "verdict": "FINE"}]},
                   {**data, "extra": 1}):
        assert not validator.is_valid(broken)


# ------------------------------------------------------------------------------ SARIF

def sarif_validator() -> jsonschema.Draft7Validator:
    subset = schema(SARIF_SCHEMA)
    jsonschema.Draft7Validator.check_schema(subset)
    return jsonschema.Draft7Validator(subset, format_checker=jsonschema.FormatChecker())


def test_sarif_validates_against_the_subset_schema(tmp_path: Path) -> None:
    data = json.loads(render_sarif(REPORT, root=tmp_path))
    sarif_validator().validate(data)
    assert data["version"] == "2.1.0"
    [run] = data["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(KIND_RULES)
    assert rules[[r["id"] for r in rules].index("ensures_trivial")]["defaultConfiguration"] == {
        "level": "warning"}
    levels = [(r["ruleId"], r["level"]) for r in run["results"]]
    assert levels == [("invariant_preserved", "error"), ("cases_complete", "warning"),
                      ("frame", "note"), ("ensures_trivial", "warning")]
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert "kind" not in res, "only kind `fail` (the default) allows these levels"
    first = run["results"][0]
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "counter.ebb", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 5, "startColumn": 3, "endLine": 5, "endColumn": 72}}
    assert first["partialFingerprints"] == {"ebbObligation/v1": "Counter.add.invariant_preserved"}
    assert "after: count = 10" in first["message"]["text"]
    assert first["properties"]["counterexample"]["pre"] == {"count": "0"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"


def test_the_sarif_subset_schema_enforces_sarifs_rules() -> None:
    data = json.loads(render_sarif(REPORT, root="/"))
    validator = sarif_validator()
    run = data["runs"][0]
    res = run["results"][0]
    for broken in ({**data, "version": "2.0.0"},
                   {**data, "runs": [{**run, "results": [{**res, "level": "fatal"}]}]},
                   {**data, "runs": [{**run, "results": [{**res, "message": {}}]}]},
                   {**data, "runs": [{**run, "tool": {}}]},
                   {**data, "runs": [{**run, "results": [{**res, "ruleIndex": -2}]}]}):
        assert not validator.is_valid(broken)


def test_sarif_locations(tmp_path: Path) -> None:
    assert artifact_location("ebbs/timer.ebb", tmp_path) == {
        "uri": "ebbs/timer.ebb", "uriBaseId": "%SRCROOT%"}
    assert artifact_location(str(tmp_path / "a" / "b.ebb"), tmp_path) == {
        "uri": "a/b.ebb", "uriBaseId": "%SRCROOT%"}
    assert artifact_location("/elsewhere/x y.ebb", tmp_path) == {
        "uri": "file:///elsewhere/x%20y.ebb"}
    assert rule_name("invariant_preserved") == "InvariantPreserved"


def test_a_result_without_a_position_has_no_region() -> None:
    nowhere = result(Verdict.REFUTED, span=Span("<builtin>", 0, 0, 0, 0))
    data = json.loads(render_sarif(ProveReport((nowhere,), budget=1), root="/"))
    sarif_validator().validate(data)
    assert "region" not in data["runs"][0]["results"][0]["locations"][0]["physicalLocation"]


# ------------------------------------------------------------------------------ JUnit

def test_junit_has_one_testcase_per_obligation() -> None:
    root = ET.fromstring(render_junit(REPORT))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped"), root.get("errors")) == (
        "7", "1", "2", "0")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["Counter", "Other"]
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(RESULTS)
    assert [(c.get("classname"), c.get("name")) for c in cases][:2] == [
        ("Counter", "add.op_feasible"), ("Counter", "add.invariant_preserved")]
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("type") == "refuted"
    assert failure.get("message") == "`add` breaks invariant `small`"
    assert "after: count = 10" in (failure.text or "")
    assert cases[1].get("file") == FILE and cases[1].get("line") == "5"
    skipped = [c.find("skipped") for c in cases[2:4]]
    assert [s.get("message") for s in skipped if s is not None] == [
        "unknown: budget exhausted (rlimit 10)", "skipped: `seq` slices are not supported"]
    warning = cases[4]
    assert warning.find("failure") is None and warning.find("skipped") is None
    assert (warning.findtext("system-out") or "").startswith("warning: ")
    assert all(c.find("failure") is None and c.find("skipped") is None
               for c in (cases[0], cases[5], cases[6]))


@pytest.mark.parametrize("nasty", ["<&>\"'", "\x00\x07 control", "]]> end of CDATA"])
def test_junit_escapes_spec_text(nasty: str) -> None:
    odd = result(Verdict.REFUTED, message=nasty, counterexample=Counterexample(pre=(("s", nasty),)))
    root = ET.fromstring(render_junit(ProveReport((odd,), budget=1)))
    failure = root.find("./testsuite/testcase/failure")
    assert failure is not None
    assert "control" in (failure.get("message") or "") or failure.get("message") == nasty


def test_every_obligation_kind_has_a_rule_and_a_row_in_the_docs() -> None:
    from ebbrt.verifier import KINDS

    assert set(KIND_RULES) == set(KINDS)
    page = (Path(__file__).resolve().parents[2] / "docs" / "prover.md").read_text("utf-8")
    rows = {line.split("|")[1].strip().strip("`") for line in page.splitlines()
            if line.startswith("| `")}
    assert set(KINDS) <= rows, f"docs/prover.md lacks {set(KINDS) - rows}"
    assert {kind for kind, (severity, _) in KIND_RULES.items() if severity == "warning"} == {
        "ensures_trivial"}
