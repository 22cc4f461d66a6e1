"""Every bundled implementation binds to its spec and abstracts to exactly its model fields,
with the initial state the spec declares (where the spec's initial value can hold)."""

from __future__ import annotations

import pytest
from broken.oracle import Oracle

import ebbrt.ebbs as library
from ebbrt.verifier import Context, evaluate
from ebbrt.verifier._binding import binding_of

BOUND = {  # class -> (spec file, Ebb, types)
    "UnorderedSet": ("unordered_set.ebb", "UnorderedSet", {"K": "int"}),
    "UnorderedMap": ("unordered_map.ebb", "UnorderedMap", {"K": "int", "V": "int"}),
    "Futures": ("future.ebb", "Futures", {"T": "int"}),
    "Timer": ("timer.ebb", "Timer", {}),
    "PageAllocator": ("page_allocator.ebb", "PageAllocator", {}),
    "SlabAllocator": ("slab_allocator.ebb", "SlabAllocator", {}),
}

# Model fields whose declared initial value an allocator with memory cannot have: the spec
# starts with no free memory at all (reported to the lead; see the issue-4 report).
MEMORY_GIVEN_AT_CONSTRUCTION = {("PageAllocator", "free_pages"), ("SlabAllocator", "available")}


@pytest.mark.parametrize("name", sorted(BOUND))
def test_binds_to_its_spec(name: str) -> None:
    spec, ebb, types = BOUND[name]
    binding = binding_of(getattr(library, name))
    assert binding.spec_path.endswith(spec) and binding.ebb.name == ebb
    assert binding.type_text == types
    model = binding.model(binding.create(Context()))
    assert set(model) == set(binding.ebb.model)


@pytest.mark.parametrize("name", sorted(BOUND))
def test_initial_state_is_the_specs(name: str) -> None:
    binding = binding_of(getattr(library, name))
    model = binding.model(binding.create(Context()))
    for field, var in binding.ebb.model.items():
        if (name, field) in MEMORY_GIVEN_AT_CONSTRUCTION or var.decl.init is None:
            continue
        assert model[field] == evaluate(var.decl.init, {}, binding.checked), field


@pytest.mark.parametrize("name", sorted(BOUND))
def test_initial_state_keeps_the_invariants(name: str) -> None:
    oracle = Oracle(getattr(library, name), context=Context(ncores=2))
    assert oracle.invariant_violations(-1, oracle.model()) == []


def test_library_exports_the_implementations_lazily() -> None:
    for name in ("UnorderedSet", "UnorderedMap", "Futures", "Future", "Promise", "Timer",
                 "PageAllocator", "SlabAllocator", "OutOfRange", "OutOfMemory",
                 "PromiseAlreadySatisfied", "FutureFailed", "InvalidArgument"):
        assert name in library.__all__ and getattr(library, name).__name__ == name
    with pytest.raises(AttributeError):
        library.NoSuchEbb  # noqa: B018 - the lookup itself is the test


def test_spec_exceptions_sit_under_the_project_root() -> None:
    from ebbrt import EbbrtError
    for name in ("OutOfRange", "OutOfMemory", "PromiseAlreadySatisfied", "FutureFailed",
                 "InvalidArgument"):
        assert issubclass(getattr(library, name), EbbrtError)
