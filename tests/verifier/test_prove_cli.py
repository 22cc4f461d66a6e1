"""`ebb prove` end to end, with the real prover: the bundled library proves, a wrong spec is
refuted with a counterexample, the cache serves a second run, every output format validates,
and the exit status says what happened."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from ebbrt.cli import COMMANDS, main
from ebbrt.ebbs import library_dir

WRONG = '''ebb Counter shared {
  "Counts up to ten."
  model count: nat = 0 "the count"
  invariant at_most_ten: count <= 10 "never more than ten"
  op add() "Adds one." modifies count ensures count == old(count) + 1
}
'''
RIGHT = WRONG.replace('op add() "Adds one."', 'op add() "Adds one." requires count < 10')
BROKEN = 'ebb Counter shared {\n  "c"\n  model count: nat = true "the count"\n}\n'


def ebb(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `ebb ARGS` in this process: the exit status, stdout and stderr."""
    try:
        status = main(list(args))
    except SystemExit as exc:  # argparse's usage errors
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def schema(name: str) -> dict:
    return json.loads(resources.files("ebbrt.verifier").joinpath("schemas", name)
                      .read_text(encoding="utf-8"))


def validate_json(text: str) -> dict:
    data = json.loads(text)
    jsonschema.validate(data, schema("ebb-prove-report.schema.json"),
                        cls=jsonschema.Draft202012Validator)
    return data


def validate_sarif(text: str) -> dict:
    data = json.loads(text)
    jsonschema.Draft7Validator(schema("sarif-2.1.0-subset.schema.json"),
                               format_checker=jsonschema.FormatChecker()).validate(data)
    return data


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working folder holding wrong.ebb, right.ebb and broken.ebb; the cache defaults
    to `.ebb-cache` in it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EBB_CACHE_DIR", raising=False)
    for name, text in (("wrong.ebb", WRONG), ("right.ebb", RIGHT), ("broken.ebb", BROKEN)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


# ------------------------------------------------------------------------------ usage

def test_prove_is_a_command() -> None:
    assert COMMANDS["prove"] == "prove"


@pytest.mark.parametrize("args", [
    ["nowhere.ebb"], ["-j", "-1"], ["-j", "two"], ["--budget", "0"], ["--budget", "lots"],
    ["--format", "xml"], ["-o", "."],
])
def test_usage_errors_exit_2(folder: Path, capsys: pytest.CaptureFixture[str],
                             args: list[str]) -> None:
    status, out, err = ebb(capsys, "prove", "right.ebb", *args)
    assert status == 2, out + err
    assert "Traceback" not in err
    assert not (folder / ".ebb-cache").exists()


def test_a_spec_with_errors_is_diagnosed_and_nothing_is_proved(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = ebb(capsys, "prove", "broken.ebb", "right.ebb", "--format", "json")
    assert status == 1
    assert "broken.ebb:3:" in err and "[E3" in err
    assert err.rstrip().endswith("ebb prove: the specs have errors; nothing proved")
    assert out == "" and not (folder / ".ebb-cache").exists()


# ------------------------------------------------------------------------------ a small spec

def test_a_wrong_spec_is_refuted_with_a_counterexample(folder: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = ebb(capsys, "prove", "wrong.ebb")
    assert status == 1, out + err
    problem = next(line for line in out.splitlines() if ": refuted: " in line)
    assert problem.startswith("wrong.ebb:") and problem.endswith("[invariant_preserved]")
    assert "`add`" in problem and "`at_most_ten`" in problem
    assert "  obligation: Counter.add.invariant_preserved.at_most_ten" in out
    rows = [line.split() for line in out.splitlines()]
    assert ["before", "after"] in rows and ["count", "10", "11"] in rows
    header = next(r for r in rows if r[:1] == ["ebb"])
    counter_row = dict(zip(header, next(r for r in rows if r[:1] == ["Counter"])))
    assert counter_row["refuted"] == "1" and int(counter_row["proved"]) >= 1
    assert "(0 from the cache)" in out.splitlines()[-1]


def test_a_right_spec_proves(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = ebb(capsys, "prove", "right.ebb")
    assert status == 0, out + err
    assert ": refuted: " not in out
    last = out.splitlines()[-1]
    assert last.endswith(" proved (0 from the cache)") and "refuted" not in last


def test_the_second_run_is_served_from_the_cache(folder: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    cold = validate_json(ebb(capsys, "prove", "wrong.ebb", "--format", "json")[1])
    assert (folder / ".ebb-cache" / "CACHEDIR.TAG").is_file()
    warm = validate_json(ebb(capsys, "prove", "wrong.ebb", "--format", "json")[1])
    n = cold["summary"]["obligations"]
    assert cold["summary"]["from_cache"] == 0 and warm["summary"]["from_cache"] == n > 0
    assert all(r["cached"] for r in warm["results"])
    strip = [{k: v for k, v in r.items() if k != "cached"} for r in cold["results"]]
    assert strip == [{k: v for k, v in r.items() if k != "cached"} for r in warm["results"]]
    text = ebb(capsys, "prove", "wrong.ebb")[1]
    assert text.splitlines()[-1].endswith(f"({n} from the cache)")
    other_budget = validate_json(ebb(capsys, "prove", "wrong.ebb", "--format", "json",
                                     "--budget", str(cold["budget"] + 1))[1])
    assert other_budget["summary"]["from_cache"] == 0
    (folder / "wrong.ebb").write_text(WRONG.replace("+ 1", "+ 2"), encoding="utf-8")
    edited = validate_json(ebb(capsys, "prove", "wrong.ebb", "--format", "json")[1])
    assert edited["summary"]["from_cache"] < n
    refuted = next(r for r in edited["results"] if r["verdict"] == "REFUTED")
    assert not refuted["cached"]


def test_no_cache_and_cache_dir(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = ebb(capsys, "prove", "right.ebb", "--no-cache")
    assert status == 0 and "from the cache" not in out
    assert not (folder / ".ebb-cache").exists()
    ebb(capsys, "prove", "right.ebb", "--cache-dir", "elsewhere")
    assert (folder / "elsewhere" / "CACHEDIR.TAG").is_file()
    assert not (folder / ".ebb-cache").exists()


def test_the_cache_folder_from_the_environment(folder: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EBB_CACHE_DIR", str(folder / "from-env"))
    ebb(capsys, "prove", "right.ebb")
    assert (folder / "from-env" / "CACHEDIR.TAG").is_file()


def test_a_tiny_budget_leaves_obligations_unknown(folder: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = ebb(capsys, "prove", "right.ebb", "--budget", "1", "--no-cache")
    assert status == 3, out
    assert ": unknown: " in out and "  reason: " in out


def test_workers_report_exactly_what_one_process_reports(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = ebb(capsys, "prove", "wrong.ebb", "right.ebb", "--no-cache", "--format", "json")
    two = ebb(capsys, "prove", "wrong.ebb", "right.ebb", "--no-cache", "--format", "json",
              "-j", "2")
    assert one[0] == two[0] == 1
    assert one[1] == two[1]


def test_every_format_of_a_refutation(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = validate_json(ebb(capsys, "prove", "wrong.ebb", "--format", "json")[1])
    assert data["exit_status"] == 1
    refuted = [r for r in data["results"] if r["verdict"] == "REFUTED"]
    assert [r["obligation"] for r in refuted] == ["Counter.add.invariant_preserved.at_most_ten"]
    assert refuted[0]["counterexample"]["pre"] == {"count": "10"}
    assert refuted[0]["counterexample"]["post"] == {"count": "11"}

    sarif = validate_sarif(ebb(capsys, "prove", "wrong.ebb", "--format", "sarif")[1])
    [result] = [r for r in sarif["runs"][0]["results"] if r["level"] == "error"]
    assert result["ruleId"] == "invariant_preserved"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "wrong.ebb", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == refuted[0]["location"]["line"]

    status, out, err = ebb(capsys, "prove", "wrong.ebb", "--format", "junit", "-o", "r.xml")
    assert status == 1 and out == ""
    assert err.startswith(f"{len(data['results'])} obligations: ")
    root = ET.parse(folder / "r.xml").getroot()
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(data["results"])
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["add.invariant_preserved.at_most_ten"]


# ------------------------------------------------------------------------------ the library

@pytest.fixture(scope="module")
def library_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    """`ebb prove` of the bundled library: cold with two workers, then warm in every format."""
    cache = tmp_path_factory.mktemp("library-cache")
    out = tmp_path_factory.mktemp("library-reports")
    runs = {}
    for name, args in (("cold", ["--format", "json", "-j", "2"]), ("json", ["--format", "json"]),
                       ("text", []), ("sarif", ["--format", "sarif"]),
                       ("junit", ["--format", "junit"])):
        target = out / f"{name}.out"
        status = main(["prove", "--cache-dir", str(cache), "-o", str(target), *args])
        runs[name] = (status, target.read_text(encoding="utf-8"))
    return runs


def test_the_library_proves(library_runs: dict[str, tuple[int, str]]) -> None:
    status, text = library_runs["cold"]
    data = validate_json(text)
    not_proved = [(r["obligation"], r["verdict"], r["message"]) for r in data["results"]
                  if r["verdict"] != "PROVED" and r["severity"] == "error"]
    assert status == 0 and not not_proved, not_proved
    assert data["summary"]["obligations"] > 100 and data["summary"]["from_cache"] == 0
    files = {Path(r["location"]["file"]).name for r in data["results"]}
    assert files >= {p.name for p in library_dir().glob("*.ebb")} - {"iterator.ebb"}


def test_the_library_is_served_from_the_cache_the_second_time(
        library_runs: dict[str, tuple[int, str]]) -> None:
    cold = validate_json(library_runs["cold"][1])
    warm = validate_json(library_runs["json"][1])
    assert warm["summary"]["from_cache"] == warm["summary"]["obligations"]
    assert [r["verdict"] for r in warm["results"]] == [r["verdict"] for r in cold["results"]]
    status, text = library_runs["text"]
    n, warnings = cold["summary"]["obligations"], cold["summary"]["warnings"]
    last = text.splitlines()[-1]
    assert status == 0 and last.startswith(f"{n} obligations: {n - warnings} proved")
    assert last.endswith(f"({n} from the cache)")


def test_the_library_in_sarif_and_junit(library_runs: dict[str, tuple[int, str]]) -> None:
    n = validate_json(library_runs["cold"][1])["summary"]["obligations"]
    sarif = validate_sarif(library_runs["sarif"][1])
    assert all(r["level"] == "warning" for r in sarif["runs"][0]["results"])
    root = ET.fromstring(library_runs["junit"][1])
    assert len(root.findall("./testsuite/testcase")) == n
    assert root.get("failures") == "0" and root.get("skipped") == "0"


def test_the_docs_give_the_default_budget() -> None:
    from ebbrt.verifier import DEFAULT_BUDGET

    page = Path(__file__).resolve().parents[2] / "docs" / "prover.md"
    assert f"default {DEFAULT_BUDGET:,} per solver call" in page.read_text(encoding="utf-8")
