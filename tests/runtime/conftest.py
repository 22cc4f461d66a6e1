"""Fixtures for the runtime tests (helpers live in runtime_helpers.py)."""

from __future__ import annotations

import pytest
from runtime_helpers import make_runtime

from ebbrt.runtime import Runtime


@pytest.fixture
def rt() -> Runtime:
    """One node of two cores, with the default cost model."""
    return make_runtime()
