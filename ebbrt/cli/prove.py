"""`ebb prove [PATH...]`: prove every obligation of the specs with z3.

The specs are checked first; if any has an error, its diagnostics are printed and nothing is
proved (exit 1). Otherwise each obligation is answered from the cache or discharged by the
solver (in `-j N` worker processes), and the report is printed: as text (a summary table and
every obligation that is not proved, with its location and counterexample; a progress bar on a
terminal), or as JSON, SARIF 2.1.0 or JUnit XML. Diagnostics and notes go to stderr.

`--bounded N` and `--tested PATTERN` are the escape hatches where a proof is out of reach: an
undecided obligation is searched for counterexamples among small states (docs/prover.md).

Exit status: 0 every obligation proved or tested (warnings allowed), 1 some obligation refuted (or the
specs have errors), 3 nothing refuted but some obligation unknown or skipped, 2 usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import IO, Any, Callable

from ..ebbs import library_dir
from ..spec import check_paths
from . import EXIT_SPEC_ERRORS, EXIT_USAGE
from ._output import emit_report

FORMATS = ("text", "json", "sarif", "junit")


def _positive(what: str, allow_zero: bool = False) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number, not `{text}`")
        if value < 0 or (value == 0 and not allow_zero):
            least = "0" if allow_zero else "1"
            raise argparse.ArgumentTypeError(f"{what} must be at least {least}, not {value}")
        return value
    return parse


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "prove", help="prove the specs' obligations with z3",
        description="Prove every obligation of the Ebb specs (invariants preserved, operations "
                    "feasible, cases complete and disjoint, frames, refinements, protocols) "
                    "with z3. A directory stands for every *.ebb file below it; without paths, "
                    "the bundled library is proved. Results are cached by obligation.",
        epilog="exit codes: 0 all proved or tested (warnings allowed), 1 some obligation refuted or the "
               "specs have errors, 2 usage errors, 3 only unknown or skipped obligations remain")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="spec files or directories")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="report format (default: text)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the report to FILE instead of standard output")
    parser.add_argument("-j", "--jobs", type=_positive("-j", allow_zero=True), default=1,
                        metavar="N", help="prove in N worker processes (0: one per CPU; "
                                          "default 1, in this process)")
    parser.add_argument("--budget", type=_positive("--budget"), default=None, metavar="N",
                        help="the z3 resource limit (rlimit) of each obligation; a larger "
                             "budget settles more, and more slowly (default: the prover's "
                             "DEFAULT_BUDGET, see docs/prover.md)")
    parser.add_argument("--bounded", type=_positive("--bounded"), default=0, metavar="N",
                        help="when a proof is undecided, search every state whose sets and "
                             "maps have at most N entries for a counterexample; none found is "
                             "reported as tested (not proved) and accepted by the exit status")
    parser.add_argument("--tested", action="append", default=[], metavar="PATTERN",
                        help="mark the obligations whose id matches PATTERN (fnmatch, e.g. "
                             "'PageAllocator.free.*') as tested: when undecided they get the "
                             "bounded check (with --bounded's N, else 3 entries); repeatable")
    parser.add_argument("--no-cache", action="store_true",
                        help="prove everything anew, neither reading nor writing the cache")
    parser.add_argument("--cache-dir", metavar="DIR",
                        help="the cache folder (default: $EBB_CACHE_DIR, else .ebb-cache)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..verifier._cache import ResultCache
    from ..verifier._runner import ProverError, prove

    paths = [Path(p) for p in args.paths] or [library_dir()]
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        print(f"ebb prove: no such file or directory: {path}", file=sys.stderr)
    if missing:
        return EXIT_USAGE
    if args.output and Path(args.output).is_dir():
        print(f"ebb prove: the output `{args.output}` is a folder; give a file name",
              file=sys.stderr)
        return EXIT_USAGE
    result = check_paths(paths)
    if result.diagnostics:
        print(result.render(), file=sys.stderr)
    if not result.ok:
        print("ebb prove: the specs have errors; nothing proved", file=sys.stderr)
        return EXIT_SPEC_ERRORS
    cache = None if args.no_cache else ResultCache(args.cache_dir)
    jobs = args.jobs or os.cpu_count() or 1
    to_terminal = args.format == "text" and not args.output and sys.stdout.isatty()
    progress = _progress_bar() if to_terminal else None
    try:
        report = prove(result, budget=args.budget, jobs=jobs, cache=cache, progress=progress,
                       bounded=args.bounded, tested=args.tested)
    except ProverError as exc:
        print(f"ebb prove: {exc}", file=sys.stderr)
        return EXIT_SPEC_ERRORS
    return emit_report(
        "ebb prove", args.output,
        lambda out, terminal: _write(report, args.format, out, result.sources, terminal),
        lambda: _summary(report), report.exit_status)


def _progress_bar() -> Any:
    from ..verifier._report_text import ProgressBar, console_for
    return ProgressBar(console_for(sys.stdout))


def _write(report: Any, fmt: str, out: IO[str], sources: dict[str, str],
           terminal: bool | None) -> None:
    from ..verifier import _report_json, _report_junit, _report_sarif, _report_text
    if fmt == "text":
        _report_text.write_report(report, out, sources, terminal=terminal)
    else:
        render = {"json": _report_json.render_json, "sarif": _report_sarif.render_sarif,
                  "junit": _report_junit.render_junit}[fmt]
        out.write(render(report))


def _summary(report: Any) -> str:
    from ..verifier._report_text import summary_line
    return summary_line(report)


__all__ = ["FORMATS", "add_parser", "run"]
