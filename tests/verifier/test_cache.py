"""The prover's result cache: what it stores, what it gives back, what it refuses."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from ebbrt.spec import Span
from ebbrt.verifier._cache import (CACHE_ENV, DEFAULT_CACHE_DIR, ResultCache, default_cache_dir,
                                   entry_of)
from ebbrt.verifier._result import Counterexample, Result, Verdict

SPAN = Span("a.ebb", 3, 5, 3, 12, 40, 47)


@dataclass(frozen=True)
class Ob:
    id: str = "Counter.add.invariant_preserved.bounded"
    kind: str = "invariant_preserved"
    ebb: str = "Counter"
    subject: str = "add"
    span: Span = SPAN
    severity: str = "error"


def refuted(ob: Ob = Ob()) -> Result:
    return Result(
        obligation=ob.id, kind=ob.kind, ebb=ob.ebb, subject=ob.subject, span=ob.span,
        verdict=Verdict.REFUTED, engine="z3", message="`add` breaks invariant `bounded`",
        counterexample=Counterexample(args=(("n", "1"),), pre=(("count", "10"),),
                                      post=(("count", "11"),), env=(("now", "0us"),)),
        details=(("rlimit", "1234"),))


def test_a_stored_result_comes_back_marked_cached(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "c")
    assert cache.get("k1", Ob()) is None
    assert cache.put("k1", refuted())
    hit = cache.get("k1", Ob())
    assert hit == replace(refuted(), cached=True)
    assert hit is not None and hit.cached


def test_every_verdict_and_field_survives_the_round_trip(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    for verdict in Verdict:
        result = replace(refuted(), verdict=verdict, reason=f"why {verdict.name}",
                         counterexample=None if verdict is Verdict.PROVED else
                         refuted().counterexample)
        cache.put(f"key-{verdict.name}", result)
        assert cache.get(f"key-{verdict.name}", Ob()) == replace(result, cached=True)


def test_another_key_or_another_obligation_misses(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    cache.put("k1", refuted())
    assert cache.get("k2", Ob()) is None
    assert cache.get("k1", Ob(id="Counter.add.invariant_preserved.other")) is None


def test_where_the_obligation_stands_comes_from_the_current_spec(tmp_path: Path) -> None:
    """A clause moved down the file keeps its entry (same query) and is reported where it is now."""
    cache = ResultCache(tmp_path)
    cache.put("k1", refuted())
    moved = Ob(span=Span("a.ebb", 9, 5, 9, 12, 140, 147), severity="error")
    hit = cache.get("k1", moved)
    assert hit is not None and hit.span == moved.span
    assert hit.message == refuted().message and hit.counterexample == refuted().counterexample


@pytest.mark.parametrize("damage", [
    "not json {",
    "[]",
    json.dumps({"format": 99}),
    "TRUNCATE",
    "VERDICT",
    "PAIRS",
    "CEX",
    "MISSING",
])
def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path: Path, damage: str) -> None:
    cache = ResultCache(tmp_path)
    cache.put("k1", refuted())
    [path] = list(tmp_path.rglob("*.json"))
    entry = json.loads(path.read_text())
    if damage == "TRUNCATE":
        text = path.read_text()[:30]
    elif damage == "VERDICT":
        text = json.dumps({**entry, "verdict": "MAYBE"})
    elif damage == "PAIRS":
        text = json.dumps({**entry, "details": [["only one"]]})
    elif damage == "CEX":
        text = json.dumps({**entry, "counterexample": {"args": [[1, 2]], "pre": [], "post": [],
                                                      "env": []}})
    elif damage == "MISSING":
        text = json.dumps({k: v for k, v in entry.items() if k != "message"})
    else:
        text = damage
    path.write_text(text)
    assert cache.get("k1", Ob()) is None
    assert cache.put("k1", refuted())
    assert cache.get("k1", Ob()) == replace(refuted(), cached=True)


def test_an_entry_records_its_key_and_no_location(tmp_path: Path) -> None:
    entry = entry_of("k1", refuted())
    assert entry["key"] == "k1" and entry["obligation"] == Ob().id
    assert "span" not in entry and "location" not in entry
    assert json.loads(json.dumps(entry)) == entry


def test_the_folder_is_tagged_and_ignored_by_git(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "deep" / "cache")
    cache.put("k1", refuted())
    assert (tmp_path / "deep" / "cache" / "CACHEDIR.TAG").read_text().startswith(
        "Signature: 8a477f597d28d172789f06886806bc55")
    assert (tmp_path / "deep" / "cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not list((tmp_path / "deep" / "cache").rglob(".tmp-*")), "temporary files left"


def test_a_cache_path_that_is_a_file_counts_errors_instead_of_failing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ResultCache(blocker)
    assert not cache.put("k1", refuted())
    assert cache.write_errors == 1
    assert cache.get("k1", Ob()) is None


def test_the_default_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    assert default_cache_dir() == Path(DEFAULT_CACHE_DIR)
    assert ResultCache().directory == Path(".ebb-cache")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "env"))
    assert ResultCache().directory == tmp_path / "env"
    assert ResultCache(tmp_path / "given").directory == tmp_path / "given"
