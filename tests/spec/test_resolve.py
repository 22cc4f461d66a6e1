"""Loading and name resolution: paths, module keys, imports, scopes, duplicates, the
`ebb check` command's exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

import ebbrt.spec as spec
from ebbrt.cli import main
from ebbrt.ebbs import library_dir
from ebbrt.spec import check_paths, check_text


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def found(result: spec.CheckResult) -> list[spec.Diagnostic]:
    """The diagnostics less W401: these short specs leave out doc strings on purpose
    (test_missing_doc_strings_warn covers W401)."""
    return [d for d in result.diagnostics if d.code != "W401"]


def codes(result: spec.CheckResult) -> list[tuple[str, int, str]]:
    return [(Path(d.span.file).name, d.span.line, d.code) for d in found(result)]


def test_public_api() -> None:
    for name in ("check_paths", "check_text", "CheckResult", "Checked", "Type", "IntType",
                 "MapType", "RecordType", "TypeParam", "EbbSymbol", "OpSymbol", "VarSymbol"):
        assert name in spec.__all__ and hasattr(spec, name)


def test_directories_expand_to_sorted_spec_files(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"b.ebb": "handle B", "sub/a.ebb": 'import "../lib/l.ebb"\nrecord A { l: L }',
                     "lib/l.ebb": "handle L", "notes.txt": "not a spec"})
    result = check_paths(["sub", "b.ebb"])
    assert result.ok, result.render()
    assert result.roots == ["sub/a.ebb", "b.ebb"]
    assert set(result.modules) == set(result.sources) == {"sub/a.ebb", "lib/l.ebb", "b.ebb"}
    assert all(m.path == key for key, m in result.modules.items())


def test_one_file_reached_twice_is_loaded_once(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"l.ebb": "handle L", "a.ebb": 'import "l.ebb"\nrecord A { l: L }'})
    result = check_paths(["a.ebb", "./l.ebb", str(tmp_path / "sub" / ".." / "l.ebb")])
    assert result.roots == ["a.ebb", "l.ebb"] and len(result.modules) == 2


def test_files_outside_the_working_directory_keep_absolute_keys(tmp_path: Path) -> None:
    write(tmp_path, {"x.ebb": "handle X"})
    result = check_paths([tmp_path / "x.ebb"])
    assert result.roots == [str((tmp_path / "x.ebb").resolve())]


def test_import_is_relative_to_the_importing_file_then_the_library(tmp_path: Path) -> None:
    write(tmp_path, {"deep/user.ebb": 'import "iterator.ebb"\nfunc f(i: Iter<nat>) -> bool = '
                                      'is_end(i)'})
    result = check_paths([tmp_path / "deep" / "user.ebb"])
    assert result.ok, result.render()
    imported = [k for k in result.modules if k.endswith("iterator.ebb")]
    assert imported and Path(imported[0]).resolve() == (library_dir() / "iterator.ebb").resolve()
    write(tmp_path, {"deep/iterator.ebb": "handle Iter<T>\nfunc is_end<T>(i: Iter<T>) -> bool"})
    result = check_paths([tmp_path / "deep" / "user.ebb"])
    assert result.ok and any(k.endswith("deep/iterator.ebb") for k in result.modules)


def test_missing_import(tmp_path: Path) -> None:
    write(tmp_path, {"a.ebb": 'import "nowhere.ebb"\nrecord R { x: Whatever }'})
    result = check_paths([tmp_path / "a.ebb"])
    (d,) = found(result)  # the unknown type is not reported: it may come from nowhere.ebb
    assert (d.code, d.span.line, d.span.column) == ("E203", 1, 1)
    assert "nowhere.ebb" in d.message and str(library_dir()) in (d.hint or "")


def test_import_cycle_points_at_the_import_and_keeps_names(tmp_path: Path) -> None:
    write(tmp_path, {"a.ebb": 'import "b.ebb"\nrecord A { b: B }',
                     "b.ebb": 'record B { n: nat }\nimport "a.ebb"\nrecord C { a: A }'})
    result = check_paths([tmp_path / "a.ebb"])
    assert codes(result) == [("b.ebb", 2, "E204")]
    assert "a.ebb -> " in found(result)[0].message
    assert found(check_paths([tmp_path / "b.ebb"]))[0].span.file.endswith("a.ebb")


def test_self_import_is_a_cycle(tmp_path: Path) -> None:
    write(tmp_path, {"a.ebb": 'import "a.ebb"\nhandle H'})
    assert codes(check_paths([tmp_path / "a.ebb"])) == [("a.ebb", 1, "E204"), ("a.ebb", 1, "W400")]


def test_from_import_checks_names(tmp_path: Path) -> None:
    write(tmp_path, {"lib.ebb": "handle Hook\nrecord Pair { a: int }",
                     "a.ebb": 'from "lib.ebb" import Hook, Piar\nrecord R { h: Hook, p: Piar }'})
    result = check_paths([tmp_path / "a.ebb"])
    (d,) = found(result)  # no cascade for the use of Piar
    assert (d.code, d.span.column, d.hint) == ("E205", 29, "did you mean `Pair`?")


def test_imports_are_not_transitive(tmp_path: Path) -> None:
    write(tmp_path, {"c.ebb": "handle C", "b.ebb": 'import "c.ebb"\nrecord B { c: C }',
                     "a.ebb": 'import "b.ebb"\nrecord A { b: B, c: C }'})
    assert codes(check_paths([tmp_path / "a.ebb"])) == [("a.ebb", 2, "E202")]


def test_a_syntax_error_in_an_import_is_reported_there_once(tmp_path: Path) -> None:
    write(tmp_path, {"bad.ebb": "record {", "a.ebb": 'import "bad.ebb"\nrecord A { x: X }'})
    result = check_paths([tmp_path / "a.ebb"])
    assert [(Path(f).name, c) for f, _, c in
            ((d.span.file, d.span.line, d.code) for d in found(result))] == [
        ("bad.ebb", found(result)[0].code)]
    assert found(result)[0].code.startswith("E1")


def test_unused_imports_warn_but_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"lib.ebb": 'handle H "h"\nhandle G "g"', "a.ebb":
                     'import "lib.ebb"\nfrom "lib.ebb" import G\nhandle X "x"'})
    result = check_paths([tmp_path / "a.ebb"])
    assert codes(result) == [("a.ebb", 1, "W400"), ("a.ebb", 2, "W400")] and result.ok
    assert main(["check", str(tmp_path / "a.ebb")]) == 0
    assert capsys.readouterr().out == "checked 2 files, 0 ebbs: 0 errors, 2 warnings\n"


def test_missing_path_is_e100_for_the_api_and_exit_2_for_the_cli(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.ebb"
    result = check_paths([missing])
    assert [d.code for d in found(result)] == ["E100"] and str(missing) in \
        found(result)[0].message
    assert main(["check", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "bin.ebb").write_bytes(b"handle H\nhandle \xff\n")
    (d,) = found(check_paths([tmp_path / "bin.ebb"]))
    assert (d.code, d.span.line, d.span.column) == ("E101", 2, 8)


def test_check_text_finds_imports_beside_its_file(tmp_path: Path) -> None:
    write(tmp_path, {"lib.ebb": "handle H"})
    result = check_text('import "lib.ebb"\nrecord R { h: H }', str(tmp_path / "main.ebb"))
    assert result.ok and result.roots == [str(tmp_path / "main.ebb")]
    assert check_text("handle H").roots == ["<input>"]


def test_diagnostics_are_sorted_and_unique() -> None:
    result = check_text("ebb T shared { op f() requires zz && zz ensures yy }\nrecord R { a: Q }")
    keys = [(d.span.line, d.span.column) for d in found(result)]
    assert keys == sorted(keys) and len(set(found(result))) == len(found(result))
    assert [d.code for d in found(result)] == ["E200", "E200", "E200", "E202"]


def test_duplicate_hint_names_the_first_line() -> None:
    (d,) = found(check_text("handle H\n\nrecord H { }"))
    assert (d.code, d.span.line) == ("E201", 3)
    assert d.hint == "the first declaration of `H` is on line 1; rename one of them"


SCOPES = [
    # a func body sees its parameters, and the model only when declared inside the Ebb
    ("func f(x: nat) -> nat = x + count\nebb T shared { model count: nat }", ["E200"]),
    ("ebb T shared { model count: nat  func f(x: nat) -> nat = x + count }", []),
    ("ebb T shared { model count: nat  op g(y: nat)  func f(x: nat) -> nat = y }", ["E200"]),
    # member types and type parameters are visible inside the Ebb only
    ("ebb T<K> shared { record R { k: K }  model r: R }\nrecord S { r: R, k: K }",
     ["E202", "E202"]),
    # an Ebb member may shadow a top-level name
    ("record R { a: int }\nebb T shared { record R { b: int }  model r: R  invariant r.b == 1 }",
     []),
    # result names only in postconditions; parameters everywhere in the op
    ("ebb T shared { op f(x: nat) -> r: nat requires x > 0 && r > 0 ensures r == x }",
     ["E302"]),
    # `now` and `this_core` in operations and events, not in invariants
    ("ebb T shared { model t: time  invariant t <= now\n"
     "op f() ensures t <= now  event e() on core(this_core) when t <= now }", ["E310"]),
    # enum members through their enum only
    ("enum Color { Red }\nebb T shared { model c: Color  invariant c == Red }", ["E200"]),
]


@pytest.mark.parametrize("text, expected", SCOPES, ids=[str(i) for i in range(len(SCOPES))])
def test_scopes(text: str, expected: list[str]) -> None:
    assert [d.code for d in found(check_text(text))] == expected


def test_missing_doc_strings_warn() -> None:
    result = check_text('handle H "documented"\nrecord R { a: int }\nebb T shared {\n'
                        '  "An Ebb."\n  model m: nat\n  op f() "Does nothing."\n'
                        '  event e() on core(0)\n  invariant m >= 0\n}')
    assert [(d.code, d.span.line, d.message) for d in result.diagnostics] == [
        ("W401", 2, "record `R` has no doc string"),
        ("W401", 5, "model field `m` has no doc string"),
        ("W401", 7, "event `e` has no doc string")]
    assert result.ok
