"""Prove every obligation of checked specs: from the cache when it knows the answer, else with
the solver, in this process or in a pool of worker processes.

Nothing unpicklable crosses a process boundary: a worker is told which files to check (the same
roots, from the same folder) and then only obligation ids; it checks the files and collects the
obligations once, then discharges each id it is sent and returns the `Result`. Workers confirm
that they read the very texts the parent checked, so a file edited during a run is an error, not
a silently mixed report. Results come back in the order of `collect_obligations`, whatever the
number of workers, and the solver's budget is deterministic (an rlimit, never a timeout), so the
report does not depend on `jobs` either.
"""

from __future__ import annotations

import fnmatch
import hashlib
import multiprocessing
import os
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Protocol, Sequence

from ..errors import EbbrtError
from ..spec import CheckResult, check_paths, check_text
from ..spec._span import Span
from ._cache import ResultCache, SourceKeys
from ._result import Result, Verdict

# Exit status of `ebb prove` (docs/cli.md)
EXIT_PROVED = 0      # every obligation proved (warnings allowed)
EXIT_REFUTED = 1     # some obligation refuted
EXIT_UNDECIDED = 3   # nothing refuted, but some obligation unknown or skipped

OUTCOMES = ("proved", "tested", "refuted", "unknown", "skipped", "warnings")


class Obligation(Protocol):
    """What the runner needs of an obligation (the prover's `Obligation` has this shape)."""

    id: str
    kind: str
    ebb: str
    subject: str
    span: Span
    severity: str

    def key(self, budget: int) -> str: ...


Collect = Callable[[CheckResult], Sequence[Obligation]]
Discharge = Callable[[Obligation, int], Result]


class Progress(Protocol):
    """Told how a run goes: the number of obligations and how many the cache answered, then
    each result the solver gives, as it is known."""

    def start(self, total: int, done: int) -> None: ...

    def advance(self, result: Result) -> None: ...

    def finish(self) -> None: ...


class ProverError(EbbrtError, RuntimeError):
    """The run could not be completed (a worker failed, or the files changed meanwhile)."""


def outcome(result: Result) -> str:
    """The summary column a result counts in: a warning-severity obligation that does not
    hold is a warning; everything else counts by its verdict. TESTED (the bounded check found
    no counterexample) is accepted like a proof by the exit status, and listed apart."""
    if result.severity == "warning" and result.verdict not in (Verdict.PROVED, Verdict.TESTED):
        return "warnings"
    return result.verdict.name.lower()


@dataclass(frozen=True)
class ProveReport:
    """The results of one run, in obligation order, and how they were obtained."""

    results: tuple[Result, ...]
    budget: int
    jobs: int = 1
    from_cache: int = 0
    cache_dir: str | None = None       # None when the cache was not used
    cache_write_errors: int = 0
    internal_errors: int = 0           # obligations whose discharge raised (a bug in ebb)

    @property
    def counts(self) -> dict[str, int]:
        """How many results fall in each outcome column (`OUTCOMES`)."""
        found = Counter(outcome(r) for r in self.results)
        return {name: found.get(name, 0) for name in OUTCOMES}

    def by_ebb(self) -> dict[str, dict[str, int]]:
        """Outcome counts per Ebb, Ebbs in order of first appearance."""
        table: dict[str, Counter[str]] = {}
        for r in self.results:
            table.setdefault(r.ebb, Counter())[outcome(r)] += 1
        return {ebb: {name: c.get(name, 0) for name in OUTCOMES} for ebb, c in table.items()}

    @property
    def problems(self) -> list[Result]:
        """Every result that is not a proof, in obligation order."""
        return [r for r in self.results if outcome(r) != "proved"]

    @property
    def exit_status(self) -> int:
        counts = self.counts
        if counts["refuted"]:
            return EXIT_REFUTED
        if counts["unknown"] or counts["skipped"]:
            return EXIT_UNDECIDED
        return EXIT_PROVED


def prove(result: CheckResult, budget: int | None = None, jobs: int = 1,
          cache: ResultCache | None = None, progress: Progress | None = None, *,
          bounded: int = 0, tested: Sequence[str] = (),
          collect: Collect | None = None, discharge: Discharge | None = None) -> ProveReport:
    """Prove the obligations of a checked spec (`result.ok` must hold).

    `jobs` > 1 discharges in that many worker processes; `cache` None proves everything anew.
    An obligation left unknown gets the bounded check (`_bounded`) when `bounded` > 0 (with
    collections of at most `bounded` entries) or when its id matches one of the `tested`
    patterns (fnmatch, e.g. `PageAllocator.free.*`; with `DEFAULT_BOUND` entries).
    `collect` and `discharge` default to the z3 prover's (tests pass others; for `jobs` > 1
    they must be module-level functions, since workers import them by name)."""
    if not result.ok:
        raise ValueError("the specs have errors: check them before proving")
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    collect, discharge = _engine(collect, discharge)
    budget = _default_budget() if budget is None else budget
    if budget < 1:
        raise ValueError(f"the budget must be at least 1, not {budget}")
    obligations = list(collect(result))
    duplicates = sorted(i for i, n in Counter(ob.id for ob in obligations).items() if n > 1)
    if duplicates:
        raise ProverError(f"obligation ids are not unique (a bug in ebb): {duplicates[:3]}")
    known: dict[str, Result] = {}
    keys: dict[str, list[str]] = {}  # obligation id -> the keys to file its result under
    if cache is not None:
        source_keys = SourceKeys(result)
        for ob in obligations:
            hit, keys[ob.id] = _look_up(cache, source_keys.key(ob, budget), ob, budget)
            if hit is not None:
                known[ob.id] = hit
    todo = [ob for ob in obligations if ob.id not in known]
    if progress is not None:
        progress.start(len(obligations), len(known))

    def finished(ob: Obligation, res: Result) -> None:
        known[ob.id] = res
        if cache is not None and not _is_internal_error(res):
            for key in keys[ob.id]:
                cache.put(key, res)
        if progress is not None:
            progress.advance(res)

    workers = min(jobs, len(todo))
    try:
        if workers > 1:
            _discharge_in_pool(result, todo, budget, workers, collect, discharge, finished)
        else:
            for ob in todo:
                finished(ob, discharge_safely(discharge, ob, budget))
    finally:
        if progress is not None:
            progress.finish()
    if bounded or tested:
        _check_bounded(obligations, known, budget, cache, bounded, tested)
    ordered = tuple(known[ob.id] for ob in obligations)
    return ProveReport(
        results=ordered, budget=budget, jobs=jobs,
        from_cache=sum(r.cached for r in ordered),
        cache_dir=str(cache.directory) if cache is not None else None,
        cache_write_errors=cache.write_errors if cache is not None else 0,
        internal_errors=sum(_is_internal_error(r) for r in ordered))


def marked(obligation_id: str, patterns: Sequence[str]) -> bool:
    """Whether the obligation is marked as tested by one of `patterns` (fnmatch on its id)."""
    return any(fnmatch.fnmatchcase(obligation_id, p) for p in patterns)


def _check_bounded(obligations: list[Obligation], known: dict[str, Result], budget: int,
                   cache: ResultCache | None, bounded: int, tested: Sequence[str]) -> None:
    """Replace the unknown results of the selected obligations by their bounded check's."""
    from ._bounded import DEFAULT_BOUND, bounded_check
    for ob in obligations:
        unknown = known[ob.id]
        if unknown.verdict is not Verdict.UNKNOWN or _is_internal_error(unknown):
            continue
        if not bounded and not marked(ob.id, tested):
            continue
        size = bounded or DEFAULT_BOUND
        try:
            key = hashlib.sha256(f"{ob.key(budget)}|bounded {size}".encode()).hexdigest()
        except Exception:  # noqa: BLE001 - a query that cannot be built: bounded_check says so
            key = None
        hit = cache.get(key, ob) if cache is not None and key is not None else None
        if hit is not None:
            known[ob.id] = hit
            continue
        known[ob.id] = bounded_check(ob, unknown, size, budget)
        if cache is not None and key is not None:
            cache.put(key, known[ob.id])


def _look_up(cache: ResultCache, source_key: str, ob: Obligation,
             budget: int) -> tuple[Result | None, list[str]]:
    """The cached result of `ob`, by source key, else by query key (then also filed under the
    source key); and the keys a new result must be filed under."""
    hit = cache.get(source_key, ob)
    if hit is not None:
        return hit, []
    try:
        query_key = ob.key(budget)
    except Exception:  # noqa: BLE001 - a query that cannot be built fails again in discharge
        return None, [source_key]
    hit = cache.get(query_key, ob)
    if hit is not None:
        cache.put(source_key, replace(hit, cached=False))
        return hit, []
    return None, [source_key, query_key]


def _engine(collect: Collect | None, discharge: Discharge | None) -> tuple[Collect, Discharge]:
    if collect is None or discharge is None:
        from . import _discharge, _obligations
        collect = collect or _obligations.collect_obligations
        discharge = discharge or _discharge.discharge
    return collect, discharge


def _default_budget() -> int:
    from ._discharge import DEFAULT_BUDGET
    return DEFAULT_BUDGET


# ------------------------------------------------------------------------------ one obligation

INTERNAL_ERROR = "internal_error"  # the `details` entry of a result whose discharge raised


def discharge_safely(discharge: Discharge, ob: Obligation, budget: int) -> Result:
    """`discharge(ob, budget)`, with an exception turned into an UNKNOWN result that says it is
    a bug in ebb (and is never cached), so one bad obligation does not lose the whole report.
    Set EBB_TRACEBACK=1 to let the exception through instead."""
    try:
        return discharge(ob, budget)
    except Exception as exc:  # noqa: BLE001 - reported, see the docstring
        if os.environ.get("EBB_TRACEBACK"):
            raise
        what = f"{type(exc).__name__}: {exc}"
        return Result(
            obligation=ob.id, kind=ob.kind, ebb=ob.ebb, subject=ob.subject, span=ob.span,
            verdict=Verdict.UNKNOWN, engine="z3", severity=ob.severity,
            message=f"the prover failed on `{ob.id}` (a bug in ebb, not in the spec)",
            reason=f"internal error: {what}", details=((INTERNAL_ERROR, what),))


def _is_internal_error(result: Result) -> bool:
    return any(name == INTERNAL_ERROR for name, _ in result.details)


# ------------------------------------------------------------------------------ worker pool

@dataclass(frozen=True)
class _Sources:
    """How a worker re-creates the parent's check result: the same roots from the same folder
    (texts only for roots that are not files, e.g. from `check_text`), and a digest of every
    text the parent read."""

    cwd: str
    roots: tuple[str, ...]
    texts: dict[str, str] = field(default_factory=dict)
    digest: str = ""


def _digest(sources: dict[str, str]) -> str:
    h = hashlib.sha256()
    for key in sorted(sources):
        h.update(f"{len(key)}:{key}{len(sources[key])}:".encode())
        h.update(sources[key].encode())
    return h.hexdigest()


def _sources_of(result: CheckResult) -> _Sources:
    non_files = {root: result.sources[root] for root in result.roots
                 if not Path(root).is_file()}
    if non_files and len(result.roots) > 1:
        raise ProverError("cannot prove in worker processes: the specs were not all read from "
                          "files; use jobs=1")
    return _Sources(os.getcwd(), tuple(result.roots), non_files, _digest(result.sources))


def recheck(sources: _Sources) -> CheckResult:
    """The check result a worker proves from: the parent's, re-created in this process."""
    if sources.texts:
        (root, text), = sources.texts.items()
        result = check_text(text, root)
    else:
        result = check_paths([Path(root) for root in sources.roots])
    if _digest(result.sources) != sources.digest:
        raise ProverError("the spec files changed while they were being proved; run again")
    return result


_worker: dict[str, object] = {}


def _init_worker(sources: _Sources, collect: Collect, discharge: Discharge) -> None:
    os.chdir(sources.cwd)
    try:
        result = recheck(sources)
        _worker["obligations"] = {ob.id: ob for ob in collect(result)}
    except Exception as exc:  # noqa: BLE001 - raised again with each task, in the parent
        _worker["error"] = exc
    _worker["discharge"] = discharge


def _work(obligation_id: str, budget: int) -> Result:
    if "error" in _worker:
        raise _worker["error"]  # type: ignore[misc]
    obligations: dict[str, Obligation] = _worker["obligations"]  # type: ignore[assignment]
    if obligation_id not in obligations:
        raise ProverError(f"a worker found no obligation `{obligation_id}` in the specs it "
                          "checked (a bug in ebb: obligation ids must be deterministic)")
    discharge: Discharge = _worker["discharge"]  # type: ignore[assignment]
    return discharge_safely(discharge, obligations[obligation_id], budget)


def _discharge_in_pool(result: CheckResult, todo: list[Obligation], budget: int, workers: int,
                       collect: Collect, discharge: Discharge,
                       finished: Callable[[Obligation, Result], None]) -> None:
    sources = _sources_of(result)
    # spawn: the same on every platform, and z3's native state is not safe to fork
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                             initargs=(sources, collect, discharge)) as pool:
        submitted = {pool.submit(_work, ob.id, budget): ob for ob in todo}
        order = {ob.id: i for i, ob in enumerate(todo)}
        pending: set[Future[Result]] = set(submitted)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: order[submitted[f].id]):
                    finished(submitted[future], _resolved(future))
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def _resolved(future: Future[Result]) -> Result:
    try:
        return future.result()
    except ProverError:
        raise
    except Exception as exc:  # a worker died or could not start
        raise ProverError(f"a prover worker failed: {type(exc).__name__}: {exc}") from exc


__all__ = ["EXIT_PROVED", "EXIT_REFUTED", "EXIT_UNDECIDED", "OUTCOMES", "Obligation",
           "Progress", "ProveReport", "ProverError", "discharge_safely", "outcome", "prove",
           "recheck"]
