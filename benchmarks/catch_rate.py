"""Catch rate of the verifier's engines on the deliberately broken implementations.

    python benchmarks/catch_rate.py [--engines hypothesis,crosshair] [--examples N] [--steps N]
                                    [--crosshair-iterations N] [--seed N] [--seeds N]
                                    [--only NAME ...]
                                    [--save FILE.json] [--merge FILE.json ...]

Runs each engine on each variant of `tests/ebbs/broken` (issue 4, point 8) with the stated
budgets, and prints a Markdown table: the variant, its implementation, the kind of bug, the
clause it is expected to break, whether each engine caught it (a REFUTED result, with the clause
it refuted) and the seconds each engine took; then the catch rate per engine and combined.

A variant counts as caught by an engine when the engine returns at least one REFUTED result
(a counterexample). CrossHair over every variant takes about ten minutes on two cores: run it
once with `--engines crosshair --save ch.json`, then `--engines hypothesis --merge ch.json`
puts the saved CrossHair rows beside a fresh Hypothesis run. Not a test: numbers, not
verdicts (tests/ebbs/test_variants_caught.py is the test).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the variants live in the test tree

from ebbrt.verifier import Result, Verdict, run_hypothesis  # noqa: E402
from tests.ebbs.broken import VARIANTS, BrokenVariant  # noqa: E402

ENGINES = ("hypothesis", "crosshair")


@dataclass
class Outcome:
    """One engine's run on one variant."""
    caught: bool
    clauses: list[str]   # the refuted clauses' obligation ids
    seconds: float
    error: str = ""      # the engine raised instead of answering


@dataclass
class Row:
    variant: BrokenVariant
    outcomes: dict[str, Outcome] = field(default_factory=dict)


def refuted_clauses(results: list[Result]) -> list[str]:
    """The clauses an engine refuted, by obligation id (in spec order)."""
    return [r.obligation for r in results if r.verdict is Verdict.REFUTED]


def engine_runners(args: argparse.Namespace) -> dict[str, Callable[[BrokenVariant], list[Result]]]:
    """Each engine as a function of a variant, with the budgets of the command line."""
    def hypothesis(v: BrokenVariant) -> list[Result]:
        # seeds tried in turn until one run refutes: a larger budget in deterministic pieces
        for seed in range(args.seed, args.seed + args.seeds):
            results = run_hypothesis(v.broken_class, max_examples=args.examples,
                                     stateful_step_count=args.steps, seed=seed,
                                     ncores=max(2, v.ncores))
            if refuted_clauses(results):
                break
        return results

    def crosshair(v: BrokenVariant) -> list[Result]:
        from ebbrt.verifier import run_crosshair  # imported on use: CrossHair is slow to load
        return run_crosshair(v.broken_class, max_iterations=args.crosshair_iterations,
                             ncores=max(2, v.ncores))
    return {"hypothesis": hypothesis, "crosshair": crosshair}


def run_engine(runner: Callable[[BrokenVariant], list[Result]], v: BrokenVariant) -> Outcome:
    start = time.perf_counter()
    try:
        clauses = refuted_clauses(runner(v))
        error = ""
    except Exception as exc:  # an engine crash is reported in the table, not fatal to the run
        clauses, error = [], f"{type(exc).__name__}: {exc}"
    return Outcome(bool(clauses), clauses, time.perf_counter() - start, error)


def cell(outcome: Outcome | None) -> str:
    if outcome is None:
        return "-"
    if outcome.error:
        return f"error ({outcome.error[:60]})"
    if not outcome.caught:
        return "**missed**"
    more = f" (+{len(outcome.clauses) - 1})" if len(outcome.clauses) > 1 else ""
    return f"yes: `{outcome.clauses[0]}`{more}"


def markdown_table(rows: list[Row], engines: list[str]) -> str:
    head = ["variant", "implementation", "bug kind", "clause hint"]
    head += [f"{e}" for e in engines] + [f"{e} s" for e in engines]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        v = row.variant
        cells = [v.name, v.good_class.__name__, v.bug_kind, f"`{v.expected_clause_hint}`"]
        cells += [cell(row.outcomes.get(e)) for e in engines]
        cells += [f"{row.outcomes[e].seconds:.1f}" if e in row.outcomes else "-"
                  for e in engines]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def rates(rows: list[Row], engines: list[str]) -> str:
    n = len(rows)
    lines = []
    for e in engines:
        ran = [r for r in rows if e in r.outcomes]
        caught = sum(r.outcomes[e].caught for r in ran)
        total = sum(r.outcomes[e].seconds for r in ran)
        lines.append(f"- {e}: {caught}/{len(ran)} caught ({100 * caught / max(1, len(ran)):.0f}%),"
                     f" {total:.0f} s in all")
    combined = sum(any(o.caught for o in r.outcomes.values()) for r in rows)
    lines.append(f"- combined ({' or '.join(engines)}): {combined}/{n} caught "
                 f"({100 * combined / max(1, n):.0f}%)")
    missed = [r.variant.name for r in rows if not any(o.caught for o in r.outcomes.values())]
    if missed:
        lines.append(f"- missed by every engine: {', '.join(missed)}")
    return "\n".join(lines)


def save(rows: list[Row], path: Path, header: dict[str, object]) -> None:
    data = {"header": header,
            "rows": {r.variant.name: {e: vars(o) for e, o in r.outcomes.items()} for r in rows}}
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def merge(rows: list[Row], path: Path, engines: list[str]) -> None:
    """Adds the outcomes saved in `path` for engines this run did not run."""
    data = json.loads(path.read_text(encoding="utf-8"))
    print(f"<!-- merged from {path.name}: {data['header']} -->")
    for row in rows:
        for engine, outcome in data["rows"].get(row.variant.name, {}).items():
            if engine not in row.outcomes:
                row.outcomes[engine] = Outcome(**outcome)
                if engine not in engines:
                    engines.append(engine)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", default=",".join(ENGINES),
                    help="comma-separated, from: " + ", ".join(ENGINES))
    ap.add_argument("--examples", type=int, default=100, help="Hypothesis examples (100)")
    ap.add_argument("--steps", type=int, default=50, help="Hypothesis steps per example (50)")
    ap.add_argument("--seed", type=int, default=0, help="Hypothesis seed (0)")
    ap.add_argument("--seeds", type=int, default=1,
                    help="Hypothesis runs per variant, seeds SEED.., until one refutes (1)")
    ap.add_argument("--crosshair-iterations", type=int, default=25,
                    help="CrossHair paths per operation (25, the engine's default)")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="only this variant (repeatable)")
    ap.add_argument("--save", type=Path, help="also write the outcomes as JSON")
    ap.add_argument("--merge", type=Path, action="append", default=[],
                    help="add the outcomes of other engines saved by --save")
    args = ap.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown:
        ap.error(f"unknown engine(s): {', '.join(unknown)}")
    names = {v.name for v in VARIANTS}
    if set(args.only) - names:
        ap.error(f"unknown variant(s): {', '.join(sorted(set(args.only) - names))}")
    variants = [v for v in VARIANTS if not args.only or v.name in args.only]
    runners = engine_runners(args)
    rows = []
    for v in variants:
        row = Row(v)
        for e in engines:
            row.outcomes[e] = run_engine(runners[e], v)
            print(f"{v.name}: {e} {'caught' if row.outcomes[e].caught else 'MISSED'}"
                  f" in {row.outcomes[e].seconds:.1f} s", file=sys.stderr, flush=True)
        rows.append(row)
    header = {"date": datetime.date.today().isoformat(), "engines": engines,
              "hypothesis": f"{args.examples} examples x {args.steps} steps, seeds "
                            f"{args.seed}..{args.seed + args.seeds - 1} until caught",
              "crosshair": f"max_iterations={args.crosshair_iterations}"}
    if args.save:
        save(rows, args.save, header)
    for path in args.merge:
        merge(rows, path, engines)
    print(f"Run {header['date']}; budgets: "
          + "; ".join(f"{e}: {header[e]}" for e in engines if e in header) + "\n")
    print(markdown_table(rows, engines))
    print()
    print(rates(rows, engines))


if __name__ == "__main__":
    main()
