"""`ebb run APP`: run a bundled app on the simulated machine with its contracts enforced.

    ebb run ping-pong --nodes 2 --cores 2 --seed 1 --contracts full --pcap run.pcap
    ebb run --list

The app's output and a summary (simulated time, events, contract checks, violations, frames)
go to standard output; a violation's report (the clause, its spec location, the last
observations and trace records) to standard error. Exit status: 0 clean, 1 a contract
violated, 2 usage errors. The same arguments give the same output and trace (docs/cli.md).
"""

from __future__ import annotations

import argparse
import re
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

from . import EXIT_USAGE

TIME_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000}
_TIME = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ns|us|µs|ms|s)\s*$")
MAX_NODES = 64
MAX_CORES = 64


def parse_time(text: str) -> int:
    """`10ms`, `2s`, `500us`, `1.5ms`, `250ns` -> whole nanoseconds (> 0)."""
    match = _TIME.match(text)
    if match is None:
        hint = "it has no unit" if re.fullmatch(r"\s*[\d.]+\s*", text) else "not a time"
        raise argparse.ArgumentTypeError(
            f"{text!r}: {hint}; write a number and a unit: ns, us, ms or s (e.g. 10ms, 2s, "
            "500us)")
    try:
        value = Decimal(match.group(1)) * TIME_UNITS[match.group(2)]
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise argparse.ArgumentTypeError(f"{text!r} is not a time") from None
    if value != value.to_integral_value():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of nanoseconds")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: the run needs a time > 0")
    return int(value)


def parse_contracts(text: str) -> Any:
    """`off`, `requires`, `full` or `sampled:N` -> an `ebbrt.verifier.Mode`."""
    from ..verifier import Mode
    named = {"off": Mode.OFF, "requires": Mode.REQUIRES, "full": Mode.FULL}
    if text in named:
        return named[text]
    kind, _, every = text.partition(":")
    if kind == "sampled" and every.isdigit() and int(every) >= 1:
        return Mode.SAMPLED(int(every))
    raise argparse.ArgumentTypeError(
        f"{text!r}: the contract mode is off, requires, full or sampled:N (N >= 1: check "
        "every N-th call of each operation)")


def _count(option: str, limit: int) -> Any:
    def parse(text: str) -> int:
        if not text.strip().isdigit() or not 1 <= int(text) <= limit:
            raise argparse.ArgumentTypeError(f"{text!r}: {option} is a whole number from 1 "
                                             f"to {limit}")
        return int(text)
    return parse


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "run", help="run a bundled app on the simulated machine, contracts enforced",
        description="Run a bundled app (ebb run --list) on a simulated cluster of N nodes "
                    "with C cores each, with the Ebbs' contracts enforced and their event "
                    "and temporal clauses monitored; print the app's output and a summary. A "
                    "violated contract stops the run and is reported with its clause, its spec "
                    "location and the events that led to it.",
        epilog="exit codes: 0 clean, 1 a contract violated (or an error no event caught), "
               "2 usage errors")
    parser.add_argument("app", nargs="?", metavar="APP", help="the app to run (see --list)")
    parser.add_argument("--list", action="store_true", help="list the bundled apps and exit")
    parser.add_argument("--nodes", type=_count("--nodes", MAX_NODES), default=2, metavar="N",
                        help="nodes in the cluster (default 2)")
    parser.add_argument("--cores", type=_count("--cores", MAX_CORES), default=2, metavar="C",
                        help="cores per node (default 2)")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="the simulation's seed (default 0): the same seed, the same run")
    parser.add_argument("--contracts", type=parse_contracts, default=None, metavar="MODE",
                        help="off, requires, full (the default) or sampled:N")
    parser.add_argument("--until", type=parse_time, default=1_000_000_000, metavar="TIME",
                        help="stop the run at this simulated time, with a unit: 500us, 10ms, "
                             "2s (default 1s)")
    parser.add_argument("--pcap", metavar="FILE", help="capture every frame to a pcap file")
    parser.add_argument("--trace", metavar="FILE",
                        help="write the machine's whole trace to FILE")
    # a deliberately broken Timer (runtime/_timer_variants.py), to see the contracts catch it
    parser.add_argument("--timer", metavar="VARIANT", help=argparse.SUPPRESS)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..machine import PcapWriter, Trace
    from ..runtime._apps import APPS, app_class, run_app
    from ..runtime._timer import Timer
    from ..runtime._timer_variants import TIMER_VARIANTS
    from ..verifier import Mode

    if args.list:
        width = max(map(len, APPS))
        for name in sorted(APPS):
            print(f"{name:<{width}}  {app_class(name).description}")
        return 0
    if args.app is None:
        return _usage("which app? give one, e.g. `ebb run hello`; `ebb run --list` lists them")
    if args.app not in APPS:
        return _usage(f"no app {args.app!r}; the bundled apps are {', '.join(sorted(APPS))} "
                      "(ebb run --list)")
    if args.timer is not None and args.timer not in TIMER_VARIANTS:
        return _usage(f"no Timer variant {args.timer!r}; there are "
                      f"{', '.join(sorted(TIMER_VARIANTS))}")
    app = app_class(args.app)
    if args.nodes < app.min_nodes:
        return _usage(f"{args.app} needs at least {app.min_nodes} nodes; got --nodes "
                      f"{args.nodes}")
    capture = None
    if args.pcap:
        try:
            capture = PcapWriter(args.pcap)
        except OSError as exc:
            return _usage(f"cannot write the capture `{args.pcap}`: {exc.strerror or exc}")
    trace = Trace() if args.trace else None
    try:
        result = run_app(args.app, nodes=args.nodes, cores=args.cores, seed=args.seed,
                         mode=args.contracts or Mode.FULL, until=args.until,
                         timer=TIMER_VARIANTS.get(args.timer, Timer), capture=capture,
                         trace=trace)
    finally:
        if capture is not None:
            capture.close()
    print("\n".join(result.lines))
    if args.trace:
        try:
            with open(args.trace, "w", encoding="utf-8") as out:
                out.write(result.trace.text())
        except OSError as exc:
            print(f"ebb run: cannot write the trace `{args.trace}`: {exc.strerror or exc}",
                  file=sys.stderr)
            return EXIT_USAGE
    if result.report is not None:
        print(result.report, file=sys.stderr)
    return result.status


def _usage(message: str) -> int:
    print(f"ebb run: {message}", file=sys.stderr)
    return EXIT_USAGE


__all__ = ["add_parser", "parse_contracts", "parse_time", "run"]
