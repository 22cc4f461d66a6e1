"""Each broken variant really breaks its spec: on its hand-written sequence the reference
evaluator finds the clause the registry names violated, while the good implementation keeps
every clause on the same sequence. (`ebb verify` over these variants comes later.)"""

from __future__ import annotations

from collections import Counter

import pytest
from broken import BUG_KINDS, VARIANTS, BrokenVariant
from broken.oracle import Oracle

from ebbrt.verifier import Context
from ebbrt.verifier._binding import binding_of

GOOD_CLASSES = {v.good_class for v in VARIANTS}


def _run(cls: type, variant: BrokenVariant):
    return Oracle(cls, context=Context(ncores=variant.ncores)).run(variant.sequence)


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_variant_breaks_the_named_clause(variant: BrokenVariant) -> None:
    run = _run(variant.broken_class, variant)
    assert run.violations, f"{variant.name} kept its spec on {variant.sequence}"
    matching = [v for v in run.violations if v.kind == variant.clause_kind
                and variant.clause_fragment in v.clause]
    assert matching, (f"{variant.name} broke other clauses than "
                      f"{variant.expected_clause_hint!r}: {[str(v) for v in run.violations]}")


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_good_class_keeps_the_spec_on_the_same_sequence(variant: BrokenVariant) -> None:
    assert _run(variant.good_class, variant).violations == []


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_variant_is_bound_to_the_good_class_spec(variant: BrokenVariant) -> None:
    good, broken = binding_of(variant.good_class), binding_of(variant.broken_class)
    assert broken.cls is variant.broken_class
    assert (broken.spec_path, broken.ebb.name) == (good.spec_path, good.ebb.name)


def test_at_least_five_variants_per_implementation_and_every_required_kind() -> None:
    per_class = Counter(v.good_class.__name__ for v in VARIANTS)
    assert len(per_class) == 6 and min(per_class.values()) >= 5, per_class
    kinds = {v.bug_kind for v in VARIANTS}
    assert {"off_by_one", "wrong_frame", "missing_case", "stale_state",
            "wrong_exception"} <= kinds <= set(BUG_KINDS)
    assert len({v.name for v in VARIANTS}) == len(VARIANTS)
    assert all(v.name == v.broken_class.__name__ for v in VARIANTS)
