"""`ebb check [PATH...]`: parse, resolve and type-check specs.

Diagnostics go to stderr, each with its source line and underline; a one-line summary goes to
stdout. Exit 0 when there is no error (warnings allowed), 1 on any error, 2 when a path does
not exist. Without paths, the bundled library is checked.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..ebbs import library_dir
from ..spec import CheckResult, check_paths
from . import EXIT_OK, EXIT_SPEC_ERRORS, EXIT_USAGE


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "check", help="parse, resolve and type-check specs",
        description="Parse, resolve and type-check Ebb specs. A directory stands for every "
                    "*.ebb file below it; without paths, the bundled library is checked.",
        epilog="exit codes: 0 no errors (warnings allowed), 1 errors, 2 usage errors")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="spec files or directories")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths] or [library_dir()]
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        print(f"ebb check: no such file or directory: {path}", file=sys.stderr)
    if missing:
        return EXIT_USAGE
    result = check_paths(paths)
    for diagnostic in result.diagnostics:
        print(diagnostic.render(result.sources.get(diagnostic.span.file)), file=sys.stderr)
    print(summary(result))
    return EXIT_OK if result.ok else EXIT_SPEC_ERRORS


def summary(result: CheckResult) -> str:
    """`checked 7 files, 9 ebbs: no errors` or `...: 2 errors, 1 warning`."""
    files = len(result.sources)
    ebbs = sum(len(m.ebbs) for m in result.modules.values())
    errors, warnings = len(result.errors), len(result.warnings)
    if errors == 0 and warnings == 0:
        verdict = "no errors"
    else:
        verdict = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    return f"checked {_plural(files, 'file')}, {_plural(ebbs, 'ebb')}: {verdict}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


__all__ = ["add_parser", "run", "summary"]
