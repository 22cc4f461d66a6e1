"""Golden specs: every file under golden/bad must give exactly the diagnostics its comments
announce (and make `ebb check` exit 1 without a traceback); every file under golden/good must
check clean (exit 0); so must the bundled library.

Expectations are written inline, in `//` comments, on the line they are about:

    op f() requires x > 0      // error: E200
    op g() requires y + z      // error: E200 E200          (two diagnostics on this line)
    model m: map<int>          // error: E206:14            (starting at column 14)
    // error@+1: E201                                        (on the next line; @-2: two above)
    import "unused.ebb"        // warning: W400

A marker names the severity (`error` or `warning`), then one or more codes, each optionally
followed by `:COLUMN`. Files whose name starts with `_` are helpers: they are not checked on
their own, but when a golden file imports one, the helper's markers count too.

W401 (a declaration without a doc string) is compared only in files that expect it somewhere,
so the bad specs can stay short; good specs must be free of it like of everything else.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

import pytest

from ebbrt.cli import check as check_cli
from ebbrt.ebbs import library_dir
from ebbrt.spec import CheckResult, check_paths

GOLDEN = Path(__file__).parent / "golden"
BAD = sorted(p for p in (GOLDEN / "bad").glob("*.ebb") if not p.name.startswith("_"))
GOOD = sorted(p for p in (GOLDEN / "good").glob("*.ebb") if not p.name.startswith("_"))

MARKER = re.compile(r"//\s*(error|warning)(?:@([+-]\d+))?\s*:\s*((?:[EW]\d{3}(?::\d+)?\s*)+)")
CODE = re.compile(r"([EW]\d{3})(?::(\d+))?")

Expected = tuple[str, int, str, "int | None"]  # file, line, code, column (None: any)


def expectations(file: str, text: str) -> list[Expected]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for marker in MARKER.finditer(line):
            severity, offset, codes = marker.groups()
            target = number + int(offset or 0)
            for code, column in CODE.findall(codes):
                assert code.startswith("E" if severity == "error" else "W"), (
                    f"{file}:{number}: {code} is not an {severity}")
                found.append((file, target, code, int(column) if column else None))
    return found


def compare(result: CheckResult) -> list[str]:
    """Mismatches between the markers of every loaded file and the actual diagnostics."""
    expected = [e for f, text in result.sources.items() for e in expectations(f, text)]
    wants_docs = {file for file, _, code, _ in expected if code == "W401"}
    actual = Counter((d.span.file, d.span.line, d.code, d.span.column)
                     for d in result.diagnostics
                     if d.code != "W401" or d.span.file in wants_docs)
    problems = []
    for file, line, code, column in sorted(expected, key=lambda e: (e[0], e[1], e[2], e[3] or 0)):
        match = next((a for a in actual if actual[a] and a[:3] == (file, line, code)
                      and column in (None, a[3])), None)
        if match is None:
            where = f"{file}:{line}" + (f":{column}" if column else "")
            problems.append(f"missing {code} at {where}")
        else:
            actual[match] -= 1
    for (file, line, code, column), count in sorted(actual.items()):
        problems.extend([f"unexpected {code} at {file}:{line}:{column}"] * count)
    return problems


def run_cli(paths: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="ebb")
    check_cli.add_parser(parser.add_subparsers())
    code = check_cli.run(parser.parse_args(["check", *paths]))
    out, err = capsys.readouterr()
    return code, out, err


def test_golden_files_exist() -> None:
    assert len(BAD) >= 10 and GOOD


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_spec_gives_exactly_its_diagnostics(path: Path) -> None:
    result = check_paths([path])
    assert not result.ok
    problems = compare(result)
    rendered = result.render()
    assert not problems, "\n".join(problems) + "\n\n" + rendered


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_spec_fails_ebb_check(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli([str(path)], capsys)
    assert code == 1
    assert "Traceback" not in err
    assert re.fullmatch(r"checked \d+ files?, \d+ ebbs?: \d+ errors?, \d+ warnings?\n", out)
    for d in check_paths([path]).diagnostics:
        assert f"{d.span}: {d.severity}: {d.message} [{d.code}]" in err
    assert "|" in err and "^" in err and "hint:" in err  # source line, underline, hint


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_spec_checks_clean(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = check_paths([path])
    assert result.diagnostics == [], result.render()
    code, out, err = run_cli([str(path)], capsys)
    assert (code, err) == (0, "")
    assert out.endswith(": no errors\n")


def test_bundled_library_checks_clean(capsys: pytest.CaptureFixture[str]) -> None:
    result = check_paths([library_dir()])
    assert result.roots, "the bundled library has no specs"
    assert result.ok, result.render()
    code, out, _ = run_cli([], capsys)
    assert code == 0
    assert out.startswith(f"checked {len(result.sources)} files, ")


def test_markers_are_read() -> None:
    text = "a // error: E200 E300:5\n// error@+1: E201\nb // warning: W400\n"
    assert expectations("f", text) == [("f", 1, "E200", None), ("f", 1, "E300", 5),
                                       ("f", 3, "E201", None), ("f", 3, "W400", None)]


def test_compare_reports_missing_and_unexpected_diagnostics() -> None:
    from ebbrt.spec import check_text

    result = check_text("record R { a: Q }  // error: E200\nhandle H  // error: E202:8\n")
    assert compare(result) == ["missing E200 at <input>:1", "missing E202 at <input>:2:8",
                               "unexpected E202 at <input>:1:15"]
