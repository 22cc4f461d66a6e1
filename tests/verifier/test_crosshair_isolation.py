"""Importing and running the CrossHair engine leaves icontract's and deal's checks as they
were: CrossHair switches them off for the whole process when it is imported."""

from __future__ import annotations

import deal
import icontract
import pytest

import ebbrt.verifier._crosshair_engine  # noqa: F401 - the import is what is tested
from ebbrt.verifier._crosshair_isolation import crosshair_owns_checkers


@icontract.require(lambda x: x > 0)
def _icontract_positive(x: int) -> int:
    return x


@deal.pre(lambda x: x > 0)
def _deal_positive(x: int) -> int:
    return x


def _both_check() -> None:
    with pytest.raises(icontract.ViolationError):
        _icontract_positive(-1)
    with pytest.raises(deal.PreContractError):
        _deal_positive(-1)


def test_after_importing_the_engine_other_contracts_still_run() -> None:
    _both_check()


def test_crosshair_owns_the_checkers_only_during_an_analysis() -> None:
    with crosshair_owns_checkers():
        assert _icontract_positive(-1) == -1 and _deal_positive(-1) == -1
    _both_check()
