"""Fixtures for the docs tests: sites generated once per session from the sample specs and from
the bundled library."""

from __future__ import annotations

from pathlib import Path

import pytest
from docgen_helpers import parse_samples

from ebbrt.docgen import generate_docs
from ebbrt.ebbs import library_specs
from ebbrt.spec import ast as A
from ebbrt.spec import parse_text


@pytest.fixture(scope="session")
def sample_modules() -> list[A.Module]:
    return parse_samples()


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory, sample_modules: list[A.Module]) -> Path:
    out = tmp_path_factory.mktemp("sample-site")
    generate_docs(sample_modules, out)
    return out


@pytest.fixture(scope="session")
def library_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    modules = []
    for path in library_specs():
        module, _ = parse_text(path.read_text(encoding="utf-8"), path.name)
        assert module is not None, f"bundled spec {path.name} does not parse"
        modules.append(module)
    out = tmp_path_factory.mktemp("library-site")
    generate_docs(modules, out)
    return out
