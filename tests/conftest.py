"""Test-suite settings: Hypothesis runs derandomized and without its example database, so the
suite gives the same result on every run and in every checkout (a local `.hypothesis/` folder
would replay examples a clean clone does not have). Set EBB_HYPOTHESIS_PROFILE=explore to
search with fresh randomness."""

import doctest
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("EBB_HYPOTHESIS_PROFILE", "ci"))


# ------------------------------------------------------------------ the docs' runnable examples

PYCON_BLOCK = re.compile(r"^```pycon\n(.*?)^```[ \t]*$", re.S | re.M)


def _run_pycon(text: str, page: Path, optionflags: int = doctest.ELLIPSIS
               ) -> tuple[list[str], doctest.TestResults]:
    """Every ```pycon block of `text` (a page of docs, or a part of one), run as ONE doctest,
    so later examples see the names earlier ones made; the blocks, and the doctest's result
    (failures are printed to the captured output)."""
    blocks = PYCON_BLOCK.findall(text)
    name = f"docs/{page.name}"
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, name, str(page), 0)
    return blocks, doctest.DocTestRunner(optionflags=optionflags).run(test)


@pytest.fixture
def run_pycon():
    """`run_pycon(text, page)`: see `_run_pycon`."""
    return _run_pycon
