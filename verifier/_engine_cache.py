"""The cache of implementation checks (CrossHair and Hypothesis runs) for `ebb verify`.

One entry per (implementation, engine, options): the list of results the engine gave. The key
hashes everything the run depends on: the spec's text and its imports, the Python source of the
implementation (every module file in its class's folder, and the file of each class in its
MRO), the code of ebbrt's front end and verifier, the engine's version and its options. An
unchanged library is served from here, as `ebb prove` serves proofs from `_cache`.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from ..spec._span import Span
from ._binding import Binding
from ._cache import ResultCache, code_fingerprint
from ._result import Counterexample, Result, Verdict

ENTRY_FORMAT = 1


def implementation_key(binding: Binding, engine: str, options: dict[str, object]) -> str:
    h = hashlib.sha256()
    for part in (f"ebb-verify engine entry {ENTRY_FORMAT}", code_fingerprint(), engine,
                 _version(engine), json.dumps(options, sort_keys=True, default=str),
                 binding.cls.__qualname__, binding.cls.__module__, binding.ebb.name):
        h.update(f"{len(part)}:{part}".encode())
    for name, text in sorted(binding.result.sources.items()):
        h.update(f"spec {name}\0{text}\0".encode())
    for path in _source_files(binding.cls):
        h.update(f"py {path.name}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _version(engine: str) -> str:
    package = {"crosshair": "crosshair-tool", "hypothesis": "hypothesis"}.get(engine)
    if package is None:
        return ""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def _source_files(cls: type) -> list[Path]:
    files: set[Path] = set()
    for klass in cls.__mro__:
        module = sys.modules.get(klass.__module__)
        path = getattr(module, "__file__", None)
        if path:
            files.add(Path(path).resolve())
    for path in list(files):
        files.update(p.resolve() for p in path.parent.glob("*.py"))
    return sorted(f for f in files if f.is_file())


class EngineCache:
    """Lists of results by implementation key, in the `ebb prove` cache folder."""

    def __init__(self, cache: ResultCache) -> None:
        self.directory = cache.directory / "engines"
        self.write_errors = 0

    def get(self, key: str) -> list[Result] | None:
        try:
            data = json.loads((self.directory / f"{key}.json").read_text(encoding="utf-8"))
            if data.get("format") != ENTRY_FORMAT or data.get("key") != key:
                return None
            return [replace(_result(item), cached=True) for item in data["results"]]
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def put(self, key: str, results: Iterable[Result]) -> None:
        text = json.dumps({"format": ENTRY_FORMAT, "key": key,
                           "results": [_entry(r) for r in results]}, ensure_ascii=False)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temp, self.directory / f"{key}.json")
        except OSError:
            self.write_errors += 1


def _entry(r: Result) -> dict[str, Any]:
    data = r.as_dict()
    s = r.span
    data["span"] = [s.file, s.line, s.column, s.end_line, s.end_column, s.start, s.end]
    data["details"] = [list(pair) for pair in r.details]
    return data


def _result(item: dict[str, Any]) -> Result:
    cex = item.get("counterexample")
    return Result(
        obligation=item["obligation"], kind=item["kind"], ebb=item["ebb"],
        subject=item["subject"], span=_span(item["span"]), verdict=Verdict[item["verdict"]],
        engine=item["engine"], message=item["message"], reason=item.get("reason", ""),
        counterexample=None if cex is None else Counterexample(
            **{part: tuple(tuple(p) for p in cex[part].items()) for part in cex}),
        details=tuple(tuple(pair) for pair in item.get("details", [])),
        severity=item.get("severity", "error"))


def _span(parts: list[Any]) -> Span:
    file, line, column, end_line, end_column, start, end = parts
    return Span(str(file), int(line), int(column), int(end_line), int(end_column), int(start),
                int(end))


__all__ = ["EngineCache", "implementation_key"]
