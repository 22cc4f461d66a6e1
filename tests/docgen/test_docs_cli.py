"""`ebb docs`: checks the specs first, writes nothing when they have errors, says where it wrote."""

from __future__ import annotations

from pathlib import Path

import pytest
from docgen_helpers import SAMPLES

from ebbrt.cli import EXIT_OK, EXIT_SPEC_ERRORS, EXIT_USAGE, main


def ebb_docs(*argv: str) -> int:
    """Run `ebb docs ARGV` as the `ebb` command does."""
    return main(["docs", *argv])


def test_samples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "site"
    assert ebb_docs(str(SAMPLES), "-o", str(out)) == EXIT_OK
    captured = capsys.readouterr()
    pages = len(list((out / "html").glob("*.html")))
    assert captured.out == (f"wrote {pages} pages to {out.as_posix()}/ "
                            f"(index: {out.as_posix()}/html/index.html)\n")
    assert "W401" in captured.err  # warnings are shown, and do not stop the docs
    assert (out / "md" / "Timer.md").is_file() and (out / "html" / "Timer-Hook.svg").is_file()


def test_bundled_library_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert ebb_docs() == EXIT_OK
    assert capsys.readouterr().out.startswith("wrote ")
    assert (tmp_path / "site" / "html" / "Timer.html").is_file()
    assert (tmp_path / "site" / "md" / "UnorderedSet.md").is_file()


@pytest.mark.parametrize("fmt, present, absent", [
    ("md", "md/index.md", "html/index.html"),
    ("html", "html/index.html", "md/index.md"),
])
def test_format(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, present: str,
                absent: str) -> None:
    assert ebb_docs(str(SAMPLES), "-o", str(tmp_path), "--format", fmt) == EXIT_OK
    assert (tmp_path / present).is_file() and not (tmp_path / absent).exists()
    assert capsys.readouterr().out.endswith(f"(index: {(tmp_path / present).as_posix()})\n")


def test_spec_errors_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "bad.ebb"
    spec.write_text('ebb Bad per_core {\n  "b"\n  model m: Nope = {} "m"\n}\n', encoding="utf-8")
    out = tmp_path / "site"
    assert ebb_docs(str(spec), "-o", str(out)) == EXIT_SPEC_ERRORS
    captured = capsys.readouterr()
    assert "bad.ebb:3:12: error: unknown type `Nope` [E202]" in captured.err
    assert "no docs written" in captured.err and captured.out == ""
    assert not out.exists()


def test_syntax_errors_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "broken.ebb"
    spec.write_text("ebb Broken {\n", encoding="utf-8")
    assert ebb_docs(str(spec), "-o", str(tmp_path / "site")) == EXIT_SPEC_ERRORS
    assert "broken.ebb:1:" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nothere.ebb"
    assert ebb_docs(str(missing), "-o", str(tmp_path / "site")) == EXIT_USAGE
    assert capsys.readouterr().err == f"ebb docs: no such file or directory: {missing}\n"
    assert not (tmp_path / "site").exists()


def test_output_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "taken"
    out.write_text("", encoding="utf-8")
    assert ebb_docs(str(SAMPLES), "-o", str(out)) == EXIT_USAGE
    assert "is not a folder" in capsys.readouterr().err


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        ebb_docs("--format", "pdf")
    assert exit_info.value.code == EXIT_USAGE
    assert "invalid choice: 'pdf'" in capsys.readouterr().err
