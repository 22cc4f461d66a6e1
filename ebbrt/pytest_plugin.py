"""The pytest plugin (entry point `pytest11: ebbrt`): `pytest --ebb` collects `*.ebb` files.

Each spec file becomes a collector with one test item per z3 obligation of its Ebbs and, for
every implementation found beside it (as `ebb verify` finds them), one item per clause and
engine (CrossHair, Hypothesis). So a project's CI runs the verifier with the rest of its tests:

    pytest --ebb                       # tests, plus every *.ebb below the test paths
    pytest --ebb specs/ --ebb-engine hypothesis

An item passes when its result is proved or tested, fails with the counterexample when it is
refuted, and is skipped with the reason when it is unknown or skipped. Without `--ebb`, `*.ebb`
files are ignored, so installing ebbrt changes nothing for other projects. Engine runs and
proofs are cached in `.ebb-cache` (as for `ebb verify`) unless `--ebb-no-cache` is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

ENGINES = ("prove", "crosshair", "hypothesis")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ebb", "ebbrt spec verification")
    group.addoption("--ebb", action="store_true", default=False,
                    help="collect *.ebb files: one test per obligation and engine")
    group.addoption("--ebb-engine", action="append", choices=ENGINES, default=None,
                    help="run only this engine (repeatable; default: all)")
    group.addoption("--ebb-examples", type=int, default=100,
                    help="Hypothesis state-machine runs per implementation (default 100)")
    group.addoption("--ebb-no-cache", action="store_true", default=False,
                    help="neither read nor write the ebb cache")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".ebb" and parent.config.getoption("ebb"):
        return SpecFile.from_parent(parent, path=file_path)
    return None


class SpecFile(pytest.File):
    """One spec file: its obligations, then its implementations' clauses."""

    def collect(self) -> Iterator[pytest.Item]:
        return _collect(self)


def _collect(self: SpecFile) -> Iterator[pytest.Item]:
    from .spec import check_paths
    from .verifier._obligations import collect_obligations
    from .verifier._verify import VerifyOptions, verify

    result = check_paths([self.path])
    if not result.ok:
        yield SpecErrors.from_parent(self, name="check", text=result.render())
        return
    engines = tuple(self.config.getoption("ebb_engine") or ENGINES)
    cache = _cache(self.config)
    if "prove" in engines:
        for ob in collect_obligations(result):
            yield ObligationItem.from_parent(self, name=f"{ob.id}[z3]", obligation=ob,
                                             cache=cache)
    implementation_engines = tuple(e for e in engines if e != "prove")
    if not implementation_engines:
        return
    options = VerifyOptions(engines=implementation_engines,
                            examples=self.config.getoption("ebb_examples"))
    report = verify(result, [self.path], options=options, cache=cache)
    for problem in report.import_problems:
        yield SpecErrors.from_parent(self, name="import", text=problem)
    for impl in report.implementations:
        for r in impl.results:
            yield ResultItem.from_parent(self, name=f"{impl.name}::{r.obligation}[{r.engine}]",
                                         result=r)


def _cache(config: pytest.Config) -> Any:
    if config.getoption("ebb_no_cache"):
        return None
    from .verifier._cache import ResultCache
    return ResultCache(Path(str(config.rootpath)) / ".ebb-cache")


class EbbFailure(Exception):
    """A refuted obligation or clause; its text is the report's."""


class SpecErrors(pytest.Item):
    def __init__(self, *, text: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = text

    def runtest(self) -> None:
        raise EbbFailure(self.text)

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        return str(excinfo.value) if isinstance(excinfo.value, EbbFailure) else \
            super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.path.name}::{self.name}"


class ResultItem(SpecErrors):
    """One engine's result on one clause (already computed at collection, and cached)."""

    def __init__(self, *, result: Any, **kwargs: Any) -> None:
        super().__init__(text="", **kwargs)
        self.result = result

    def runtest(self) -> None:
        _judge(self.result, self.path)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, max(self.result.span.line - 1, 0), f"{self.path.name}::{self.name}"


class ObligationItem(SpecErrors):
    """One z3 obligation, discharged when the item runs (or served from the cache)."""

    def __init__(self, *, obligation: Any, cache: Any, **kwargs: Any) -> None:
        super().__init__(text="", **kwargs)
        self.obligation = obligation
        self.cache = cache

    def runtest(self) -> None:
        from .verifier._discharge import DEFAULT_BUDGET, discharge
        ob = self.obligation
        key = None
        if self.cache is not None:
            try:
                key = ob.key(DEFAULT_BUDGET)
            except Exception:  # noqa: BLE001 - discharge reports a query it cannot build
                key = None
        hit = self.cache.get(key, ob) if key is not None else None
        result = hit if hit is not None else discharge(ob, DEFAULT_BUDGET)
        if hit is None and key is not None:
            self.cache.put(key, result)
        _judge(result, self.path)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, max(self.obligation.span.line - 1, 0), f"{self.path.name}::{self.name}"


def _judge(result: Any, path: Path) -> None:
    from .verifier._report_text import render_text
    from .verifier._result import Verdict
    from .verifier._runner import ProveReport
    if result.verdict in (Verdict.PROVED, Verdict.TESTED):
        return
    if result.verdict in (Verdict.UNKNOWN, Verdict.SKIPPED):
        pytest.skip(f"{result.verdict.name.lower()}: {result.message}"
                    + (f" ({result.reason})" if result.reason else ""))
    if result.severity == "warning":
        return
    sources = {str(path): path.read_text(encoding="utf-8")} if path.is_file() else {}
    raise EbbFailure(render_text(ProveReport(results=(result,), budget=0), sources))


__all__ = ["ObligationItem", "ResultItem", "SpecFile", "pytest_addoption",
           "pytest_collect_file"]
