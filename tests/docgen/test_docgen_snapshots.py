"""Snapshot tests: the Markdown pages (and protocol SVGs) of the sample specs in `samples/`
must equal the files committed under `snapshots/`.

After an intended change to the generated docs, regenerate the snapshots and review the diff:

    EBB_UPDATE_SNAPSHOTS=1 pytest tests/docgen/test_docgen_snapshots.py
    git diff tests/docgen/snapshots
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from docgen_helpers import SNAPSHOTS

from ebbrt.docgen import generate_docs
from ebbrt.spec import ast as A

UPDATE = os.environ.get("EBB_UPDATE_SNAPSHOTS") == "1"


def _generated(modules: list[A.Module], out: Path) -> dict[str, bytes]:
    """The snapshot files: md/*.md and html/*.svg, by path relative to the output folder."""
    generate_docs(modules, out)
    files = sorted(out.glob("md/*.md")) + sorted(out.glob("html/*.svg"))
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in files}


def _committed() -> dict[str, bytes]:
    files = sorted(SNAPSHOTS.glob("md/*.md")) + sorted(SNAPSHOTS.glob("html/*.svg"))
    return {p.relative_to(SNAPSHOTS).as_posix(): p.read_bytes() for p in files}


def test_snapshots(tmp_path: Path, sample_modules: list[A.Module]) -> None:
    generated = _generated(sample_modules, tmp_path)
    if UPDATE:
        for stale in set(_committed()) - set(generated):
            (SNAPSHOTS / stale).unlink()
        for name, data in generated.items():
            (SNAPSHOTS / name).parent.mkdir(parents=True, exist_ok=True)
            (SNAPSHOTS / name).write_bytes(data)
    committed = _committed()
    assert sorted(generated) == sorted(committed), (
        "generated files differ from tests/docgen/snapshots; regenerate with "
        "EBB_UPDATE_SNAPSHOTS=1 and review the diff")
    for name in generated:
        assert generated[name].decode() == committed[name].decode(), (
            f"{name} differs from its snapshot; if intended, regenerate with "
            "EBB_UPDATE_SNAPSHOTS=1 and review the diff")


def _walk(node: object) -> list[object]:
    """Every AST node below `node`, itself included."""
    found, stack = [], [node]
    while stack:
        n = stack.pop()
        if isinstance(n, (list, tuple)):
            stack.extend(n)
        elif dataclasses.is_dataclass(n):
            found.append(n)
            stack.extend(getattr(n, f.name) for f in dataclasses.fields(n) if f.name != "span")
    return found


def test_samples_cover_every_construct(sample_modules: list[A.Module]) -> None:
    """The snapshots are only as good as the samples: each AST node type, each scope, each kind
    of sync, bound, result, case flags and temporal clause occurs in them."""
    nodes = _walk(sample_modules)
    seen = {type(n).__name__ for n in nodes}
    every = {name for name, cls in vars(A).items() if isinstance(cls, type)
             and dataclasses.is_dataclass(cls) and cls.__module__ == A.__name__}
    # `b"..."` lexes today as the name `b` and a doc string (grammar.lark: BYTES needs a priority
    # above NAME), so no sample can hold a bytes literal yet
    missing_nodes = every - seen
    assert not missing_nodes, f"no sample uses {sorted(missing_nodes)}"

    def values(cls: type, attr: str) -> set[object]:
        return {getattr(n, attr) for n in nodes if isinstance(n, cls)}

    assert values(A.EbbDecl, "scope") == {"per_core", "per_node", "shared", "distributed"}
    assert values(A.Sync, "kind") == {"local", "atomic", "remote"}
    assert values(A.Bound, "kind") == {"average", "worst", "amortized"}
    assert values(A.Results, "kind") == {"anon", "named", "tuple"}
    assert values(A.TemporalDecl, "kind") == {"temporal", "assume"}
    assert {(c.complete, c.disjoint) for c in nodes if isinstance(c, A.Cases)} == {
        (True, True), (True, False), (False, True), (False, False)}
    assert values(A.ProtocolDecl, "initial") - {None} and None in values(A.ProtocolDecl, "initial")
    assert any(isinstance(c, A.CheckedRequires) and c.exception is None for c in nodes)
    assert any(isinstance(c, A.Throws) and c.ensures is None for c in nodes)
    assert any(isinstance(i, A.Import) and i.names for i in nodes)
