"""A cache of prover results on disk, so re-proving an unchanged library is fast.

An entry is one JSON file named after the obligation's key (`Obligation.key(budget)`: a hash of
the normalized solver query, the budget, the z3 version and the encoding's format version) and
its id. The key makes the cache sound: any change to what the solver would be asked, or to how
hard it may try, is a different entry. The id is in the name too because the result's message
names the spec's operations and invariants, which the query need not mention. The entry keeps
only what the solver decided (verdict, message, reason, counterexample); where the obligation
stands in its file comes from the current spec, so moving a clause keeps its entry.

Entries are written to a temporary file and renamed over the old one, so two runs sharing a
cache never see half an entry. An entry that cannot be read or does not look right is ignored
(the obligation is proved again and the entry rewritten).

Two keys find an entry. Building an obligation's query (to hash it) costs about as much as a
fast proof, so a run first looks for the obligation's *source key*: a hash of the text of its
Ebb's file and every file that file imports, of the code of the front end and the prover, the
z3 version, the budget and the id. An unchanged library is served on source keys alone, without
building a single query. When a file changed, its obligations fall back to the query key, so an
edit that leaves an obligation's query as it was (a comment, a doc string, a clause elsewhere)
still reuses its result; the result is then filed under the new source key too.

Layout: `DIR/v1/ab/abcdef....json`, with a `CACHEDIR.TAG` and a `.gitignore` of `*` at the top
so backup tools and git leave it alone.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import z3

from ..ebbs import library_dir
from ..spec import ast as A
from ..spec._loader import CheckResult, module_key
from ..spec._span import Span
from ._result import Counterexample, Result, Verdict

CACHE_ENV = "EBB_CACHE_DIR"
DEFAULT_CACHE_DIR = ".ebb-cache"
ENTRY_FORMAT = 1  # bump when the entry layout changes; old entries are then ignored

_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
        "# This folder is a cache of `ebb prove` results; it can be deleted at any time.\n")


class CacheableObligation(Protocol):
    """What the cache needs of an obligation."""

    id: str
    kind: str
    ebb: str
    subject: str
    span: Span
    severity: str


def default_cache_dir() -> Path:
    """`$EBB_CACHE_DIR` when set, else `.ebb-cache` in the current folder."""
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR)


class ResultCache:
    """Results by obligation key, as JSON files under `directory`."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.write_errors = 0  # entries that could not be saved (read-only folder, full disk)

    def _entry_path(self, key: str, obligation_id: str) -> Path:
        name = hashlib.sha256(f"{key}\0{obligation_id}".encode()).hexdigest()
        return self.directory / f"v{ENTRY_FORMAT}" / name[:2] / f"{name}.json"

    def get(self, key: str, obligation: CacheableObligation) -> Result | None:
        """The stored result for `obligation` under `key`, marked `cached`, or None."""
        try:
            data = json.loads(self._entry_path(key, obligation.id).read_text(encoding="utf-8"))
            return result_from_entry(data, key, obligation)
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def put(self, key: str, result: Result) -> bool:
        """Store `result` under `key`; False (and counted) when the cache cannot be written."""
        path = self._entry_path(key, result.obligation)
        try:
            self._prepare()
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(entry_of(key, result), sort_keys=True, ensure_ascii=False)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(text)
                os.replace(temp, path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError:
            self.write_errors += 1
            return False
        return True

    def _prepare(self) -> None:
        if (self.directory / "CACHEDIR.TAG").is_file():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "CACHEDIR.TAG").write_text(_TAG, encoding="utf-8")
        (self.directory / ".gitignore").write_text("# created by ebb prove\n*\n", encoding="utf-8")


# ------------------------------------------------------------------------------ source keys

SOURCE_KEY_FORMAT = "ebb-prove source key 1"


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of the code that turns spec text into solver queries and results: every module
    of the front end and of the prover, and the grammar. Any change to them (a new version of
    ebb, or an edit in a development checkout) makes every source key new."""
    h = hashlib.sha256()
    for package in ("ebbrt.spec", "ebbrt.verifier"):
        folder = Path(str(resources.files(package)))
        for path in sorted([*folder.glob("*.py"), *folder.glob("*.lark")]):
            h.update(f"{package}/{path.name}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


class SourceKeys:
    """Source keys for the obligations of one check result (see the module docstring)."""

    def __init__(self, result: CheckResult) -> None:
        self.result = result
        self._text_digests = {key: hashlib.sha256(text.encode()).hexdigest()
                              for key, text in result.sources.items()}
        self._closures: dict[str, frozenset[str] | None] = {}

    def key(self, obligation: CacheableObligation, budget: int) -> str:
        h = hashlib.sha256()
        for part in (SOURCE_KEY_FORMAT, code_fingerprint(), z3.get_version_string(), str(budget),
                     obligation.id, obligation.kind, obligation.severity,
                     *sorted(self._text_digests[m] for m in self._files_of(obligation))):
            h.update(part.encode())
            h.update(b"\0")
        return h.hexdigest()

    def _files_of(self, obligation: CacheableObligation) -> frozenset[str]:
        """The files the obligation's query can depend on: those declaring its Ebb (and holding
        its span), with everything they import; every file read, if that is not clear."""
        starts = {e.module for e in self.result.checked.ebbs if e.name == obligation.ebb}
        starts.add(obligation.span.file)
        files: set[str] = set()
        for start in starts:
            closure = self._closure(start)
            if closure is None:
                return frozenset(self._text_digests)
            files |= closure
        return frozenset(files)

    def _closure(self, start: str) -> frozenset[str] | None:
        if start not in self._closures:
            self._closures[start] = self._imports_of(start)
        return self._closures[start]

    def _imports_of(self, start: str) -> frozenset[str] | None:
        """`start` and every file it imports, directly or not, found as the loader finds them;
        None when one is not among the files read."""
        seen, todo = {start}, [start]
        while todo:
            key = todo.pop()
            module = self.result.modules.get(key)
            if module is None or key not in self._text_digests:
                return None
            for item in module.items:
                if not isinstance(item, A.Import):
                    continue
                candidates = [Path(key).parent / item.path, library_dir() / item.path]
                found = next((p for p in candidates if p.is_file()), None)
                if found is None:
                    return None
                imported = module_key(found)
                if imported not in seen:
                    seen.add(imported)
                    todo.append(imported)
        return frozenset(seen)


# ------------------------------------------------------------------------------ entries

def entry_of(key: str, result: Result) -> dict[str, Any]:
    """The JSON object stored for `result`: what the solver decided, not where the spec is."""
    cex = result.counterexample
    return {
        "format": ENTRY_FORMAT, "key": key, "obligation": result.obligation,
        "verdict": result.verdict.name, "engine": result.engine, "message": result.message,
        "reason": result.reason,
        "counterexample": None if cex is None else {
            part: [list(pair) for pair in getattr(cex, part)]
            for part in ("args", "pre", "post", "env")},
        "details": [list(pair) for pair in result.details],
    }


def result_from_entry(data: Any, key: str, obligation: CacheableObligation) -> Result | None:
    """The result an entry stands for, placed at `obligation`'s current span; None when the
    entry is not one of ours for this key and obligation."""
    if not isinstance(data, dict) or data.get("format") != ENTRY_FORMAT:
        return None
    if data.get("key") != key or data.get("obligation") != obligation.id:
        return None
    verdict = Verdict[_text(data["verdict"])]
    cex_data = data["counterexample"]
    counterexample = None
    if cex_data is not None:
        if not isinstance(cex_data, dict):
            return None
        counterexample = Counterexample(**{part: _pairs(cex_data[part])
                                           for part in ("args", "pre", "post", "env")})
    result = Result(
        obligation=obligation.id, kind=obligation.kind, ebb=obligation.ebb,
        subject=obligation.subject, span=obligation.span, verdict=verdict,
        engine=_text(data["engine"]), message=_text(data["message"]),
        reason=_text(data["reason"]), counterexample=counterexample,
        details=_pairs(data["details"]), severity=obligation.severity)
    return replace(result, cached=True)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        raise TypeError("expected a list of pairs")
    pairs = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 2):
            raise TypeError("expected a pair")
        pairs.append((_text(item[0]), _text(item[1])))
    return tuple(pairs)


__all__ = ["CACHE_ENV", "DEFAULT_CACHE_DIR", "ResultCache", "SourceKeys", "code_fingerprint",
           "default_cache_dir", "entry_of", "result_from_entry"]
