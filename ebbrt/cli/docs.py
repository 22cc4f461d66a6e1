"""`ebb docs [PATH...] -o DIR [--format md|html|both]`: generate the reference docs.

The specs are checked first; with any error, the diagnostics go to stderr and nothing is
written (exit 1). Otherwise the pages are written under DIR (`md/`, `html/`) and one line says
where. A path that does not exist, or an output path that is not a folder, is a usage error
(exit 2). Without paths, the bundled library is documented.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..docgen import generate_docs
from ..ebbs import library_specs
from ..spec import check_paths, render_all
from . import EXIT_OK, EXIT_SPEC_ERRORS, EXIT_USAGE

# --format value -> the formats generate_docs writes
FORMAT_CHOICES = {"md": ("md",), "html": ("html",), "both": ("md", "html")}


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "docs", help="generate reference docs (Markdown and a static HTML site)",
        description="Check Ebb specs, then write one reference page per Ebb in the shape of the "
                    "C++ standard's library clauses: Markdown under DIR/md, a static HTML site "
                    "(no script, works offline) under DIR/html, with a state diagram per "
                    "protocol. A directory stands for every *.ebb file below it; without paths, "
                    "the bundled library is documented.",
        epilog="exit codes: 0 written, 1 errors in specs (nothing written), 2 usage errors")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="spec files or directories")
    parser.add_argument("-o", "--output", default="site", metavar="DIR",
                        help="folder to write into (default: site)")
    parser.add_argument("--format", choices=tuple(FORMAT_CHOICES), default="both",
                        help="md, html or both (default: both)")
    parser.add_argument("--results", metavar="REPORT.json",
                        help="show each clause's verdict (proved, symbolically checked, tested "
                             "with N examples, failed) from an `ebb verify --format json` report")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths] or library_specs()
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        print(f"ebb docs: no such file or directory: {path}", file=sys.stderr)
    if missing:
        return EXIT_USAGE
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        print(f"ebb docs: output path {out} exists and is not a folder; choose another with -o",
              file=sys.stderr)
        return EXIT_USAGE
    result = check_paths(paths)
    if result.diagnostics:
        print(render_all(result.diagnostics, result.sources), file=sys.stderr)
    if not result.ok:
        print("ebb docs: the specs have errors; no docs written", file=sys.stderr)
        return EXIT_SPEC_ERRORS
    formats = FORMAT_CHOICES[args.format]
    verdicts = None
    if args.results:
        from ..docgen._verdicts import ResultsError, load_verdicts
        try:
            verdicts = load_verdicts(Path(args.results))
        except ResultsError as exc:
            print(f"ebb docs: {exc}", file=sys.stderr)
            return EXIT_USAGE
    try:
        written = generate_docs(result.modules, out, formats=formats, verdicts=verdicts)
    except OSError as exc:
        print(f"ebb docs: cannot write under {out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(summary(written, out, formats))
    return EXIT_OK


def summary(written: list[Path], out: Path, formats: tuple[str, ...]) -> str:
    """`wrote 27 pages to site/ (index: site/html/index.html)`."""
    pages = len({p.stem for p in written if p.suffix in (".md", ".html")})
    index = out / ("html/index.html" if "html" in formats else "md/index.md")
    folder = out.as_posix().rstrip("/") + "/"
    return f"wrote {pages} page{'s' * (pages != 1)} to {folder} (index: {index.as_posix()})"


__all__ = ["FORMAT_CHOICES", "add_parser", "run", "summary"]
