"""`ebb fmt [PATH...] [--check] [--diff]`: rewrite specs in the canonical layout.

Without options, each file whose layout differs is rewritten in place (through a temporary
file renamed over it, so a crash never leaves half a file). `--check` changes nothing and
lists the files that would change; `--diff` changes nothing and prints a unified diff. A file
with syntax errors is left alone and its diagnostics go to stderr.

A folder stands for every `*.ebb` file below it, except in hidden folders and virtual
environments; without paths, the current folder. Exit 0 when all is well, 1 when a file has
syntax errors or (with `--check`) would change, 2 when a path does not exist.
"""

from __future__ import annotations

import argparse
import difflib
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

from ..spec import Diagnostic, Span, format_text
from ..spec import _codes as C
from . import EXIT_OK, EXIT_SPEC_ERRORS, EXIT_USAGE


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "fmt", help="rewrite specs in the canonical layout",
        description="Rewrite Ebb specs in the canonical layout, keeping comments. A directory "
                    "stands for every *.ebb file below it; without paths, the current directory.",
        epilog="exit codes: 0 clean, 1 syntax errors (or, with --check, files that would "
               "change), 2 usage errors")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="spec files or directories")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; list the files that would change and exit 1 if any")
    parser.add_argument("--diff", action="store_true",
                        help="change nothing; print a unified diff of what would change")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths] or [Path(".")]
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        print(f"ebb fmt: no such file or directory: {path}", file=sys.stderr)
    if missing:
        return EXIT_USAGE
    dry_run = args.check or args.diff
    report = sys.stderr if args.diff else sys.stdout  # keep a diff on stdout clean for `patch`
    changed = unchanged = broken = 0
    for path in spec_files(paths):
        outcome = _format_file(path, dry_run, args.diff)
        if outcome == "broken":
            broken += 1
        elif outcome == "unchanged":
            unchanged += 1
        else:
            changed += 1
            if not args.diff:
                print(f"{'would reformat' if dry_run else 'reformatted'} {path}", file=report)
    print(_summary(changed, unchanged, broken, dry_run), file=report)
    if broken or (args.check and changed):
        return EXIT_SPEC_ERRORS
    return EXIT_OK


def spec_files(paths: list[Path]) -> Iterator[Path]:
    """Every spec file the paths stand for, each once, folders walked in sorted order."""
    seen: set[Path] = set()
    for path in paths:
        for file in ([path] if not path.is_dir() else _walk(path)):
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield file


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and not (Path(root, d) / "pyvenv.cfg").exists())
        for name in sorted(files):
            if name.endswith(".ebb"):
                yield Path(root, name)


def _format_file(path: Path, dry_run: bool, diff: bool) -> str:
    """Format one file; returns `broken`, `unchanged` or `changed`."""
    text = _read(path)
    if text is None:
        return "broken"
    formatted, diagnostics = format_text(text, str(path))
    if formatted is None:
        _print_diagnostics(diagnostics, text)
        return "broken"
    if formatted == text:
        return "unchanged"
    if diff:
        sys.stdout.writelines(difflib.unified_diff(
            text.splitlines(keepends=True), formatted.splitlines(keepends=True),
            f"{path}", f"{path} (formatted)"))
    if not dry_run:
        try:
            write_atomically(path, formatted)
        except OSError as exc:
            _print_diagnostics([Diagnostic(C.FILE_UNREADABLE, f"cannot write `{path}`: "
                                           f"{exc.strerror or exc}", Span(str(path), 1, 1, 1, 1),
                                           "check the file's and its folder's permissions")])
            return "broken"
    return "changed"


def _read(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        _print_diagnostics([Diagnostic(C.FILE_UNREADABLE, f"cannot read `{path}`: "
                                       f"{exc.strerror or exc}", Span(str(path), 1, 1, 1, 1))])
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        _print_diagnostics([Diagnostic(C.NOT_UTF8, f"byte 0x{data[exc.start]:02x} at offset "
                                       f"{exc.start} is not UTF-8",
                                       Span(str(path), line, column, line, column + 1))])
        return None


def write_atomically(path: Path, text: str) -> None:
    """Replace `path`'s content: write a temporary file beside it, then rename it over."""
    mode = stat.S_IMODE(path.stat().st_mode)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _print_diagnostics(diagnostics: list[Diagnostic], source: str | None = None) -> None:
    for diagnostic in diagnostics:
        print(diagnostic.render(source), file=sys.stderr)


def _summary(changed: int, unchanged: int, broken: int, dry_run: bool) -> str:
    total = changed + unchanged + broken
    parts = [f"{changed} {'would be reformatted' if dry_run else 'reformatted'}",
             f"{unchanged} unchanged"]
    if broken:
        parts.append(f"{broken} with errors")
    return f"{total} file{'s' * (total != 1)}: " + ", ".join(parts)


__all__ = ["add_parser", "run", "spec_files", "write_atomically"]
