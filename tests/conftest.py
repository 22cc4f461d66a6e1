"""Test-suite settings: Hypothesis runs derandomized and without its example database, so the
suite gives the same result on every run and in every checkout (a local `.hypothesis/` folder
would replay examples a clean clone does not have). Set EBB_HYPOTHESIS_PROFILE=explore to
search with fresh randomness."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("EBB_HYPOTHESIS_PROFILE", "ci"))
