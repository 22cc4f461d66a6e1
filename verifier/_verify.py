"""`ebb verify`: every engine that applies to each spec and its implementations, one report.

- **prove** (z3) decides the spec's own obligations (`_runner.prove`);
- **crosshair** checks each implementation's operations symbolically against the compiled
  contracts (`_crosshair_engine`);
- **hypothesis** drives each implementation with a state machine built from its spec
  (`_hypothesis_engine`).

Implementations are found beside the specs (`_discover`). Each engine run on an implementation
is cached (`_engine_cache`) like proofs are. The report keeps every engine's results, and for
each clause of an implementation, how it was established: *proved* (z3), *symbolically
checked* (CrossHair), *tested with N examples* (Hypothesis), or *failed* with a counterexample.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from ..spec import CheckResult
from ._binding import Binding
from ._cache import ResultCache
from ._discover import discover
from ._engine_cache import EngineCache, implementation_key
from ._result import Result, Verdict, combine
from ._runner import OUTCOMES, ProveReport, Progress, outcome, prove

ENGINES = ("prove", "crosshair", "hypothesis")
IMPLEMENTATION_ENGINES = ("crosshair", "hypothesis")


@dataclass(frozen=True)
class VerifyOptions:
    engines: tuple[str, ...] = ENGINES
    budget: int | None = None        # z3 rlimit per obligation (None: the prover's default)
    jobs: int = 1
    examples: int = 100              # Hypothesis examples (state-machine runs) per Ebb
    steps: int = 20                  # steps per state-machine run
    seed: int = 0
    crosshair_iterations: int = 60   # CrossHair paths per condition
    backend: str = "hypothesis"      # or "crosshair": Hypothesis on the hypothesis-crosshair backend

    def engine_options(self, engine: str) -> dict[str, object]:
        if engine == "hypothesis":
            return {"examples": self.examples, "steps": self.steps, "seed": self.seed,
                    "backend": self.backend}
        return {"iterations": self.crosshair_iterations}


@dataclass(frozen=True)
class ClauseRow:
    """One clause of an implementation's spec and every engine's result on it."""
    ebb: str
    subject: str
    kind: str
    span: object
    results: tuple[Result, ...]

    @property
    def verdict(self) -> Verdict:
        return combine(self.results)

    @property
    def label(self) -> str:
        """The clause's id without its Ebb: `insert.case.fresh`, `inc.ensures.1`."""
        oid = self.results[0].obligation
        return oid[len(self.ebb) + 1:] if oid.startswith(self.ebb + ".") else oid

    def how(self) -> str:
        """`symbolically checked, tested with 120 examples` or `failed (hypothesis)`."""
        failed = [r.engine for r in self.results if r.verdict is Verdict.REFUTED]
        if failed:
            return "failed (" + ", ".join(dict.fromkeys(failed)) + ")"
        parts = [established(r) for r in self.results]
        return ", ".join(p for p in dict.fromkeys(parts) if p) or "not established"


def established(result: Result) -> str:
    """How one result establishes its clause, in words."""
    if result.verdict is Verdict.PROVED:
        return "symbolically checked" if result.engine == "crosshair" else "proved"
    if result.verdict is Verdict.TESTED:
        examples = dict(result.details).get("examples")
        return f"tested with {examples} examples" if examples else "tested"
    if result.verdict is Verdict.UNKNOWN:
        return f"unknown ({result.engine})"
    if result.verdict is Verdict.SKIPPED:
        return f"skipped ({result.engine})"
    return f"failed ({result.engine})"


@dataclass(frozen=True)
class ImplementationReport:
    name: str            # module.Class
    ebb: str
    spec: str            # the spec file
    results: tuple[Result, ...]

    def clauses(self) -> list[ClauseRow]:
        """The results grouped by clause: its kind and its place in the spec (an invariant
        that CrossHair checks per operation and Hypothesis after every step is one clause)."""
        groups: dict[tuple[str, str, str], list[Result]] = {}
        for r in self.results:
            key = (r.ebb, r.kind, f"{r.span}")
            groups.setdefault(key, []).append(r)
        return [ClauseRow(rs[0].ebb, rs[0].subject, rs[0].kind, rs[0].span, tuple(rs))
                for rs in groups.values()]


@dataclass(frozen=True)
class VerifyReport:
    prove: ProveReport | None
    implementations: tuple[ImplementationReport, ...]
    import_problems: tuple[str, ...] = ()
    engines: tuple[str, ...] = ENGINES
    from_cache: int = 0
    cache_dir: str | None = None
    specs_without_implementation: tuple[str, ...] = field(default=())

    @property
    def results(self) -> tuple[Result, ...]:
        proved = self.prove.results if self.prove is not None else ()
        return (*proved, *(r for impl in self.implementations for r in impl.results))

    def as_prove_report(self) -> ProveReport:
        """Every result as one `ProveReport`, for the report formats `ebb prove` shares."""
        base = self.prove
        return ProveReport(results=self.results, budget=base.budget if base else 0,
                           jobs=base.jobs if base else 1,
                           from_cache=sum(r.cached for r in self.results),
                           cache_dir=self.cache_dir,
                           cache_write_errors=base.cache_write_errors if base else 0,
                           internal_errors=base.internal_errors if base else 0)

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(outcome(r) for r in self.results)
        return {name: found.get(name, 0) for name in OUTCOMES}

    def clause_counts(self) -> dict[str, int]:
        """Implementation clauses by combined verdict: established (proved, symbolically
        checked or tested by some engine), failed (refuted by one), undecided (neither)."""
        found = Counter(_standing(row.verdict) for impl in self.implementations
                        for row in impl.clauses())
        return {name: found.get(name, 0) for name in ("established", "failed", "undecided")}

    @property
    def exit_status(self) -> int:
        """1 when a spec obligation or an implementation clause failed (or a module did not
        import), 3 when something is undecided, else 0. A clause counts once, by the verdict
        its engines reach together: tested by Hypothesis and undecided by CrossHair is
        established."""
        proved = self.prove.exit_status if self.prove is not None else 0
        clauses = self.clause_counts()
        if proved == 1 or clauses["failed"] or self.import_problems:
            return 1
        if proved == 3 or clauses["undecided"]:
            return 3
        return 0


def _standing(verdict: Verdict) -> str:
    if verdict is Verdict.REFUTED:
        return "failed"
    return "established" if verdict in (Verdict.PROVED, Verdict.TESTED) else "undecided"


Engine = Callable[[Binding, VerifyOptions], list[Result]]


def _run_crosshair(binding: Binding, options: VerifyOptions) -> list[Result]:
    from ._crosshair_isolation import run_crosshair
    return run_crosshair(binding, max_iterations=options.crosshair_iterations)


def _run_hypothesis(binding: Binding, options: VerifyOptions) -> list[Result]:
    from ._hypothesis_engine import run_hypothesis
    return run_hypothesis(binding, max_examples=options.examples,
                          stateful_step_count=options.steps, seed=options.seed,
                          backend=options.backend)


RUNNERS: dict[str, Engine] = {"crosshair": _run_crosshair, "hypothesis": _run_hypothesis}


def verify(checked: CheckResult, spec_files: Sequence[Path], *,
           python_files: Sequence[Path] = (), options: VerifyOptions = VerifyOptions(),
           cache: ResultCache | None = None, progress: Progress | None = None,
           on_engine: Callable[[str, str], None] | None = None) -> VerifyReport:
    """Run the chosen engines on the specs (`checked`, read from `spec_files`) and on every
    implementation of them that `_discover` finds (plus those in `python_files`)."""
    proved = None
    if "prove" in options.engines:
        proved = prove(checked, budget=options.budget, jobs=options.jobs, cache=cache,
                       progress=progress)
    found = discover(list(spec_files), list(python_files))
    engine_cache = EngineCache(cache) if cache is not None else None
    reports = []
    for binding in found.bindings:
        results: list[Result] = []
        for engine in IMPLEMENTATION_ENGINES:
            if engine not in options.engines:
                continue
            if on_engine is not None:
                on_engine(_name(binding), engine)
            results += _cached_run(binding, engine, options, engine_cache)
        results += disagreements(results)
        reports.append(ImplementationReport(_name(binding), binding.ebb.name,
                                            binding.spec_path, tuple(results)))
    bound = {b.spec_path for b in found.bindings}
    lonely = tuple(str(p) for p in spec_files if str(Path(p).resolve()) not in bound)
    return VerifyReport(proved, tuple(reports), tuple(str(p) for p in found.problems),
                        options.engines, cache_dir=str(cache.directory) if cache else None,
                        specs_without_implementation=lonely)


VERIFIER_BUG = "verifier_bug"


def disagreements(results: Sequence[Result]) -> list[Result]:
    """One result per clause that one engine established for every input (proved,
    symbolically confirmed) while another refuted it with a concrete counterexample: a bug in
    ebb's verifier, never hidden. The counterexample stands (the clause counts as failed)."""
    by_clause: dict[tuple[str, str, str, str], list[Result]] = {}
    for r in results:
        by_clause.setdefault((r.ebb, r.subject, r.kind, f"{r.span}"), []).append(r)
    found = []
    for rs in by_clause.values():
        sure = [r for r in rs if r.verdict is Verdict.PROVED]
        refuted = [r for r in rs if r.verdict is Verdict.REFUTED]
        if not (sure and refuted):
            continue
        first = refuted[0]
        found.append(Result(
            obligation=f"{first.obligation}.disagreement", kind=first.kind, ebb=first.ebb,
            subject=first.subject, span=first.span, verdict=Verdict.UNKNOWN,
            engine="cross-check",
            message=f"verifier disagreement: {sure[0].engine} established this clause for every "
                    f"input, but {first.engine} refuted it with a concrete counterexample (a bug "
                    "in ebb's verifier; the counterexample stands)",
            reason=f"{VERIFIER_BUG}: {sure[0].engine} vs {first.engine}",
            details=((VERIFIER_BUG, f"{sure[0].engine} vs {first.engine}"),)))
    return found


def _cached_run(binding: Binding, engine: str, options: VerifyOptions,
                cache: EngineCache | None) -> list[Result]:
    key = implementation_key(binding, engine, options.engine_options(engine)) \
        if cache is not None else ""
    if cache is not None:
        hit = cache.get(key)
        if hit is not None:
            return hit
    try:
        results = RUNNERS[engine](binding, options)
    except Exception as exc:  # noqa: BLE001 - one engine's bug must not lose the report
        return [_engine_failure(binding, engine, exc)]
    if cache is not None:
        cache.put(key, results)
    return results


def _engine_failure(binding: Binding, engine: str, exc: Exception) -> Result:
    return Result(obligation=f"{binding.ebb.name}.{engine}", kind="engine", ebb=binding.ebb.name,
                  subject=binding.ebb.name, span=binding.ebb.decl.span, verdict=Verdict.UNKNOWN,
                  engine=engine, message=f"the {engine} engine failed on `{_name(binding)}` "
                  "(a bug in ebb, not in the implementation)",
                  reason=f"internal error: {type(exc).__name__}: {exc}")


def _name(binding: Binding) -> str:
    return f"{binding.cls.__module__}.{binding.cls.__qualname__}"


__all__ = ["ENGINES", "VERIFIER_BUG", "disagreements", "ClauseRow", "ImplementationReport", "VerifyOptions", "VerifyReport",
           "established", "verify"]
