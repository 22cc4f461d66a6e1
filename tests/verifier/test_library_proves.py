"""Every obligation of the bundled Ebb library is proved with the default budget.

A warning-severity obligation (such as `ensures_trivial`) that does not hold may be accepted
only by listing its id in ACCEPTED_WARNINGS with the reason; an accepted warning that no longer
fires must be taken off the list.
"""

from __future__ import annotations

import pytest

from ebbrt.ebbs import library_specs
from ebbrt.spec import check_paths
from ebbrt.verifier import (DEFAULT_BUDGET, Obligation, Verdict, collect_obligations,
                             discharge)

# obligation id -> why the warning is accepted
ACCEPTED_WARNINGS: dict[str, str] = {}

LIBRARY = check_paths(library_specs())
EBBS = sorted(ebb.name for ebb in LIBRARY.checked.ebbs)


@pytest.fixture(scope="module")
def obligations() -> list[Obligation]:
    assert LIBRARY.ok, LIBRARY.render()
    return collect_obligations(LIBRARY)


def test_every_library_ebb_has_obligations(obligations: list[Obligation]) -> None:
    ids = [ob.id for ob in obligations]
    assert len(ids) == len(set(ids)), "obligation ids are not unique"
    with_obligations = {ob.ebb for ob in obligations}
    every_ebb = set(EBBS)
    assert every_ebb <= with_obligations, f"no obligations for {every_ebb - with_obligations}"
    unknown = set(ACCEPTED_WARNINGS) - set(ids)
    assert not unknown, f"ACCEPTED_WARNINGS names obligations that do not exist: {unknown}"


def test_the_library_has_ebbs() -> None:
    assert len(EBBS) >= 8


@pytest.mark.parametrize("ebb", EBBS)
def test_library_ebb_proves(obligations: list[Obligation], ebb: str) -> None:
    mine = [ob for ob in obligations if ob.ebb == ebb]
    assert mine, f"no obligations for {ebb}"
    failures = []
    for ob in mine:
        result = discharge(ob, DEFAULT_BUDGET)
        if ob.id in ACCEPTED_WARNINGS:
            assert result.severity == "warning", f"{ob.id} is accepted as a warning but is not one"
            assert result.verdict is not Verdict.PROVED, \
                f"{ob.id} now proves: take it off ACCEPTED_WARNINGS"
            continue
        if result.verdict is not Verdict.PROVED:
            failures.append(f"{result.verdict.name} {ob.id}: {result.message}"
                            + (f" [{result.reason}]" if result.reason else "")
                            + (f"\n    {result.counterexample.as_dict()}"
                               if result.counterexample else ""))
    assert not failures, f"{ebb}:\n" + "\n".join(failures)
