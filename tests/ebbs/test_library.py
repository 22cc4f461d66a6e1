"""The bundled Ebb library: it checks clean, and it says what EbbRT's semantics say.

These tests read the specs' clauses back (as printed by the formatter's expression printer), so
an edit that weakens a pinned-down fact fails here, not silently in the generated docs."""

from __future__ import annotations

import pytest

from ebbrt.ebbs import library_specs
from ebbrt.spec import ast as A
from ebbrt.spec import check_paths
from ebbrt.spec._printer import format_expr, format_type


@pytest.fixture(scope="module")
def library():
    result = check_paths(library_specs())
    return result


def _ebb(library, name: str) -> A.EbbDecl:
    for module in library.modules.values():
        for ebb in module.ebbs:
            if ebb.name.text == name:
                return ebb
    raise AssertionError(f"no Ebb {name} in the bundled library")


def _member(ebb: A.EbbDecl, kind: type, name: str):
    for m in ebb.members:
        if isinstance(m, kind) and m.name is not None and m.name.text == name:
            return m
    raise AssertionError(f"{ebb.name.text} has no {kind.__name__} {name}")


def _clauses(op, kind: type) -> list[str]:
    return [format_expr(c.expr) for c in op.clauses if isinstance(c, kind)]


def test_library_checks_clean_without_warnings(library) -> None:
    assert library.diagnostics == []
    names = {e.name.text for m in library.modules.values() for e in m.ebbs}
    assert {"Timer", "EventManager", "Futures", "UnorderedSet", "UnorderedMap",
            "PageAllocator", "SlabAllocator", "KeySet"} <= names


def test_timer_fires_on_the_core_that_started_it(library) -> None:
    timer = _ebb(library, "Timer")
    assert timer.scope == "per_core"
    start = _member(timer, A.OpDecl, "start")
    (ensures,) = _clauses(start, A.Ensures)
    assert "core: this_core" in ensures and "due: now + timeout" in ensures
    fire = _member(timer, A.EventDecl, "fire")
    assert format_expr(fire.core) == "armed[hook].core"
    assert "now >= armed[hook].due" in format_expr(fire.guard)


def test_timer_stop_from_another_core_is_a_caller_bug(library) -> None:
    stop = _member(_ebb(library, "Timer"), A.OpDecl, "stop")
    assert _clauses(stop, A.Requires) == ["hook in armed && armed[hook].core == this_core"]


def test_timer_repeating_hook_is_rearmed_by_fire(library) -> None:
    fire = _member(_ebb(library, "Timer"), A.EventDecl, "fire")
    ensures = [format_expr(c.expr) for c in fire.clauses if isinstance(c, A.Ensures)]
    assert any(e.startswith("old(armed)[hook].period > 0us ==> armed == old(armed)[hook := ")
               for e in ensures)
    assert "old(armed)[hook].period == 0us ==> armed == old(armed) - {hook}" in ensures


def test_timer_never_fires_early(library) -> None:
    timer = _ebb(library, "Timer")
    no_early = _member(timer, A.TemporalDecl, "no_early")
    formula = no_early.formula
    assert isinstance(formula, A.NeverBefore)
    assert formula.event.name.text == "fire" and formula.before.name.text == "start"
    assert format_expr(formula.offset) == "t"


def test_unordered_set_insert_has_the_standard_shape(library) -> None:
    insert = _member(_ebb(library, "UnorderedSet"), A.OpDecl, "insert")
    (cases,) = [c for c in insert.clauses if isinstance(c, A.Cases)]
    assert cases.complete and cases.disjoint
    assert [arm.name.text for arm in cases.arms] == ["fresh", "duplicate"]
    (complexity,) = [c for c in insert.clauses if isinstance(c, A.Complexity)]
    assert [(b.kind, format_expr(b.expr)) for b in complexity.bounds] == [
        ("average", "1"), ("worst", "size(elems)")]
    assert format_expr(complexity.measure) == "calls(hash) + calls(eq)"


def test_unordered_map_at_is_checked(library) -> None:
    at = _member(_ebb(library, "UnorderedMap"), A.OpDecl, "at")
    (checked,) = [c for c in at.clauses if isinstance(c, A.CheckedRequires)]
    assert format_expr(checked.expr) == "k in entries" and checked.exception.text == "OutOfRange"


def test_blocked_event_resumes_where_it_blocked(library) -> None:
    em = _ebb(library, "EventManager")
    unblock = _member(em, A.OpDecl, "unblock")
    assert "ready == old(ready)[e := old(blocked)[e]]" in _clauses(unblock, A.Ensures)
    resume = _member(em, A.EventDecl, "resume")
    assert format_expr(resume.core) == "ready[e]"
    spawn_local = _member(em, A.OpDecl, "spawn_local")
    (cases,) = [c for c in spawn_local.clauses if isinstance(c, A.Cases)]
    assert [format_expr(a.when) for a in cases.arms] == ["!force_async", "force_async"]


def test_continuation_runs_on_the_fulfilling_core(library) -> None:
    futures = _ebb(library, "Futures")
    run = _member(futures, A.EventDecl, "run_continuation")
    assert format_expr(run.core) == "cells[f].fulfilled_on.value"
    then = _member(futures, A.OpDecl, "then")
    assert "cells[f].continuation == none" in _clauses(then, A.Requires)


def test_page_allocator_orders_are_0_to_11(library) -> None:
    for module in library.modules.values():
        for item in module.items:
            if isinstance(item, A.AliasDecl) and item.name.text == "Order":
                assert format_type(item.type) == "nat[0..11]"
                return
    raise AssertionError("no Order type")
