"""`ebb verify [PATH...]` and `ebb test [PATH...]`: check implementations against their specs.

`verify` runs every engine that applies: z3 on the specs' obligations (as `ebb prove`), and on
every implementation found beside the specs (or in the Python files given), CrossHair and
Hypothesis. `test` runs only the Hypothesis engine. One report: for each clause, how it was
established (docs/contracts.md). Exit status as `ebb prove`: 0 everything established, 1 a
failure (or specs with errors, or a module that does not import), 3 only unknowns remain,
2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO, Any

from ..ebbs import library_dir
from ..spec import check_paths
from . import EXIT_SPEC_ERRORS, EXIT_USAGE
from ._output import emit_report
from .prove import FORMATS, _positive

DEFAULT_EXAMPLES = 100


def add_parser(sub: Any) -> None:
    verify = sub.add_parser(
        "verify", help="prove the specs and check their implementations (z3, CrossHair, "
                       "Hypothesis)",
        description="Prove the specs' obligations with z3, then check every implementation "
                    "found beside the specs (or in the Python files given) with CrossHair and "
                    "with Hypothesis. Without paths, the bundled library is verified.",
        epilog="exit codes: 0 every result established, 1 a failure (or spec errors, or a "
               "module that does not import), 2 usage errors, 3 only unknown or skipped "
               "results remain")
    _common(verify)
    verify.add_argument("--engine", action="append", choices=("prove", "crosshair", "hypothesis"),
                        metavar="NAME", help="run only this engine (prove, crosshair, "
                                             "hypothesis); repeatable (default: all)")
    verify.add_argument("--budget", type=_positive("--budget"), default=None, metavar="N",
                        help="the z3 rlimit of each obligation (as for ebb prove)")
    verify.add_argument("-j", "--jobs", type=_positive("-j", allow_zero=True), default=1,
                        metavar="N", help="prove in N worker processes (0: one per CPU)")
    verify.add_argument("--crosshair-iterations", type=_positive("--crosshair-iterations"),
                        default=60, metavar="N",
                        help="paths CrossHair explores per condition (default 60)")
    verify.set_defaults(run=run, engines=None)
    test = sub.add_parser(
        "test", help="property-test implementations against their specs (Hypothesis)",
        description="Drive every implementation found beside the specs (or in the Python files "
                    "given) with a Hypothesis state machine built from its spec: a rule per "
                    "operation, requires as preconditions, invariants after every step, ensures "
                    "against the pre-state. A failure prints as a replayable script.",
        epilog="exit codes: 0 every clause tested, 1 a failure, 2 usage errors, 3 some clause "
               "never exercised")
    _common(test)
    test.set_defaults(run=run, engines=("hypothesis",), engine=None, budget=None, jobs=1,
                      crosshair_iterations=60)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="spec files, folders, or Python files holding implementations")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="report format (default: text)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the report to FILE instead of standard output")
    parser.add_argument("--examples", type=_positive("--examples"), default=DEFAULT_EXAMPLES,
                        metavar="N", help="Hypothesis state-machine runs per implementation "
                                          f"(default {DEFAULT_EXAMPLES})")
    parser.add_argument("--steps", type=_positive("--steps"), default=20, metavar="N",
                        help="steps per state-machine run (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default 0)")
    parser.add_argument("--backend", choices=("hypothesis", "crosshair"), default="hypothesis",
                        help="Hypothesis's backend: its own, or hypothesis-crosshair")
    parser.add_argument("--no-cache", action="store_true",
                        help="run everything anew, neither reading nor writing the cache")
    parser.add_argument("--cache-dir", metavar="DIR",
                        help="the cache folder (default: $EBB_CACHE_DIR, else .ebb-cache)")


def run(args: argparse.Namespace) -> int:
    from ..verifier._cache import ResultCache
    from ..verifier._runner import ProverError
    from ..verifier._verify import ENGINES, VerifyOptions, verify

    command = "ebb test" if args.engines == ("hypothesis",) else "ebb verify"
    given = [Path(p) for p in args.paths] or [library_dir()]
    missing = [p for p in given if not p.exists()]
    for path in missing:
        print(f"{command}: no such file or directory: {path}", file=sys.stderr)
    wrong = [p for p in given if p.is_file() and p.suffix not in (".ebb", ".py")]
    for path in wrong:
        print(f"{command}: `{path}` is neither a spec (.ebb) nor a Python file (.py)",
              file=sys.stderr)
    if missing or wrong:
        return EXIT_USAGE
    python_files = [p for p in given if p.suffix == ".py"]
    spec_roots = [p for p in given if p.suffix != ".py"]
    spec_files = sorted({f for p in spec_roots for f in ([p] if p.is_file() else p.rglob("*.ebb"))})
    spec_files += _specs_of(python_files, spec_files)
    if not spec_files:
        print(f"{command}: no spec (*.ebb) found in {', '.join(map(str, given))}",
              file=sys.stderr)
        return EXIT_USAGE
    result = check_paths(spec_files)
    if result.diagnostics:
        print(result.render(), file=sys.stderr)
    if not result.ok:
        print(f"{command}: the specs have errors; nothing verified", file=sys.stderr)
        return EXIT_SPEC_ERRORS
    engines = tuple(args.engines or args.engine or ENGINES)
    options = VerifyOptions(engines=tuple(e for e in ENGINES if e in engines),
                            budget=args.budget, jobs=args.jobs or 1, examples=args.examples,
                            steps=args.steps, seed=args.seed,
                            crosshair_iterations=args.crosshair_iterations, backend=args.backend)
    cache = None if args.no_cache else ResultCache(args.cache_dir)

    def announce(name: str, engine: str) -> None:
        print(f"{command}: {engine}: {name}", file=sys.stderr, flush=True)

    try:
        report = verify(result, spec_files, python_files=python_files, options=options,
                        cache=cache, on_engine=announce)
    except ProverError as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return EXIT_SPEC_ERRORS
    from ..verifier._report_verify import verify_summary_line
    return emit_report(
        command, args.output,
        lambda out, terminal: _write(report, args.format, out, result.sources, terminal),
        lambda: verify_summary_line(report), report.exit_status)


def _specs_of(python_files: list[Path], known: list[Path]) -> list[Path]:
    """The specs that the classes in `python_files` are bound to (imported to find out)."""
    if not python_files:
        return []
    from ..verifier._discover import bound_classes, import_file
    found: list[Path] = []
    for path in python_files:
        try:
            module = import_file(path)
        except Exception:  # noqa: BLE001 - reported by `verify` itself, with the error
            continue
        for binding in bound_classes(module):
            spec = Path(binding.spec_path)
            if spec not in found and spec.resolve() not in {k.resolve() for k in known}:
                found.append(spec)
    return found


def _write(report: Any, fmt: str, out: IO[str], sources: dict[str, str],
           terminal: bool | None) -> None:
    from ..verifier import _report_junit, _report_sarif, _report_verify
    if fmt == "text":
        _report_verify.write_verify_report(report, out, sources, terminal=terminal)
    elif fmt == "json":
        out.write(_report_verify.render_verify_json(report))
    else:
        render = {"sarif": _report_sarif.render_sarif, "junit": _report_junit.render_junit}[fmt]
        out.write(render(report.as_prove_report()))


__all__ = ["add_parser", "run"]
