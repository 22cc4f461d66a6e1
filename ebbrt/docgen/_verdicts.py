"""Verdicts beside clauses: `ebb docs --results REPORT.json` reads an `ebb verify` (or
`ebb prove`) JSON report and shows, after each clause, how it was established — proved,
symbolically checked, tested with N examples, or failed.

Results are matched to clauses by the file's name, line and column of their span, so a report
made from another folder (CI's checkout) still applies. The lookup is a context variable set
while pages are built, so the page builders need no extra parameter.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..errors import EbbrtError
from ..spec._span import Span
from ._model import Tag

Key = tuple[str, int, int]
_VERDICTS: ContextVar[Mapping[Key, str]] = ContextVar("clause_verdicts", default={})


class ResultsError(EbbrtError, ValueError):
    """The results file cannot be read or is not an ebb JSON report."""


def load_verdicts(path: Path) -> dict[Key, str]:
    """Each clause's verdict, in words, from an `ebb verify`/`ebb prove` JSON report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ResultsError(f"cannot read `{path}`: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise ResultsError(f"`{path}` is not JSON ({exc}); give the file written by "
                           "`ebb verify --format json -o FILE`") from exc
    if not isinstance(data, dict) or data.get("format") not in ("ebb-verify", "ebb-prove"):
        raise ResultsError(f"`{path}` is not an ebb report: write one with "
                           "`ebb verify --format json -o FILE`")
    grouped: dict[Key, list[dict[str, Any]]] = {}
    try:
        for r in data["results"]:
            loc = r["location"]
            key = (Path(loc["file"]).name, int(loc["line"]), int(loc["column"]))
            grouped.setdefault(key, []).append(r)
    except (KeyError, TypeError, ValueError) as exc:
        raise ResultsError(f"`{path}` has a malformed result ({exc!r})") from exc
    return {key: _words(results) for key, results in grouped.items()}


def _words(results: list[dict[str, Any]]) -> str:
    failed = [r["engine"] for r in results if r.get("verdict") == "REFUTED"
              and r.get("severity") != "warning"]
    if failed:
        return "failed (" + ", ".join(dict.fromkeys(failed)) + ")"
    words = []
    for r in results:
        verdict, engine = r.get("verdict"), r.get("engine", "")
        if verdict == "PROVED":
            words.append("symbolically checked" if engine == "crosshair" else "proved")
        elif verdict == "TESTED":
            examples = (r.get("details") or {}).get("examples")
            words.append(f"tested with {examples} examples" if examples else "tested")
        elif verdict in ("UNKNOWN", "SKIPPED"):
            words.append(f"{verdict.lower()} ({engine})")
    return ", ".join(dict.fromkeys(words)) or "not established"


@contextmanager
def clause_verdicts(verdicts: Mapping[Key, str]) -> Iterator[None]:
    token = _VERDICTS.set(verdicts)
    try:
        yield
    finally:
        _VERDICTS.reset(token)


def verdict_tag(span: Span) -> tuple[Tag, ...]:
    """`(Tag("proved, tested with 100 examples"),)` for a clause with results, else `()`."""
    words = _VERDICTS.get().get((Path(span.file).name, span.line, span.column))
    return (Tag(words),) if words else ()


__all__ = ["ResultsError", "clause_verdicts", "load_verdicts", "verdict_tag"]
