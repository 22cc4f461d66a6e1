"""`ebb prove` of the bundled library, cold (empty cache) vs warm (every result cached).

    python benchmarks/bench_prove_cache.py [PATH...] [-j N] [--budget N] [--subprocess]

Both runs are measured in this one run, against a fresh temporary cache folder, and the ratio
is printed (DESIGN.md's goal: warm at least 20x faster than cold). By default `ebb prove` runs
in this process (what is measured is the command: checking the specs, collecting the
obligations, the cache or the solver, and writing the report); `--subprocess` runs the real
`ebb` command instead, interpreter start-up included. Not a test: numbers, not verdicts; it
does check that the warm run was served entirely from the cache and agreed with the cold one.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ebbrt.cli import main as ebb_main


def run_prove(args: list[str], subprocess_mode: bool) -> tuple[float, int]:
    """Seconds taken by `ebb prove ARGS`, and its exit status."""
    start = time.perf_counter()
    if subprocess_mode:
        status = subprocess.run([sys.executable, "-c", "from ebbrt.cli import entry; entry()",
                                 "prove", *args], stdout=subprocess.DEVNULL).returncode
    else:
        with contextlib.redirect_stdout(io.StringIO()):
            status = ebb_main(["prove", *args])
    return time.perf_counter() - start, status


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", metavar="PATH", help="specs (default: the library)")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--budget", type=int, default=None, help="rlimit per obligation")
    ap.add_argument("--subprocess", action="store_true",
                    help="run the `ebb` command in a new interpreter each time")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ebb-bench-") as tmp:
        reports = [Path(tmp) / "cold.json", Path(tmp) / "warm.json"]
        common = [*args.paths, "-j", str(args.jobs), "--format", "json",
                  "--cache-dir", str(Path(tmp) / "cache")]
        if args.budget is not None:
            common += ["--budget", str(args.budget)]
        cold_s, cold_status = run_prove([*common, "-o", str(reports[0])], args.subprocess)
        warm_s, warm_status = run_prove([*common, "-o", str(reports[1])], args.subprocess)
        cold, warm = (json.loads(p.read_text(encoding="utf-8")) for p in reports)
    n = cold["summary"]["obligations"]
    strip = [{k: v for k, v in r.items() if k != "cached"} for r in cold["results"]]
    assert warm["summary"]["from_cache"] == n, "the warm run was not served from the cache"
    assert strip == [{k: v for k, v in r.items() if k != "cached"} for r in warm["results"]]
    assert cold_status == warm_status
    mode = "in a new interpreter" if args.subprocess else "in-process"
    print(f"ebb prove ({mode}, -j {args.jobs}, budget {cold['budget']}): {n} obligations, "
          f"exit status {cold_status}")
    print(f"cold (empty cache):   {cold_s:8.3f} s")
    print(f"warm (all {warm['summary']['from_cache']} cached): {warm_s:8.3f} s")
    print(f"warm is {cold_s / warm_s:.1f}x faster than cold")


if __name__ == "__main__":
    main()
