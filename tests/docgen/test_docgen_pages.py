"""What the pages say: each clause in the standard's words, in the standard's order, with its
note beside it, and type names linked to their definitions."""

from __future__ import annotations

from pathlib import Path

import pytest
from docgen_helpers import Node, elements, parse_html

import ebbrt.docgen
from ebbrt.docgen import build_pages, generate_docs
from ebbrt.spec import ast as A
from ebbrt.spec import parse_text


def page(site: Path, name: str) -> Node:
    return parse_html((site / "html" / f"{name}.html").read_text(encoding="utf-8"))


def markdown(site: Path, name: str) -> str:
    return (site / "md" / f"{name}.md").read_text(encoding="utf-8")


def op_elements(site: Path, ebb: str, anchor: str) -> dict[str, str]:
    return dict(elements(page(site, ebb).by_id(anchor)))


def test_public_api() -> None:
    assert sorted(ebbrt.docgen.__all__) == ["FORMATS", "build_pages", "generate_docs",
                                            "render_site"]


# ---------------------------------------------------------------------------- operations

def test_timer_start_paragraphs(sample_site: Path) -> None:
    start = op_elements(sample_site, "Timer", "op-start")
    assert list(start) == ["Preconditions", "Effects", "Synchronization", "Complexity"]
    assert start["Preconditions"] == ("Preconditions: hook !in armed — a hook is armed at most "
                                      "once timeout >= 0us")
    assert start["Effects"].startswith("Effects: Modifies armed. Ensures armed == old(armed)"
                                       "[hook := Arm{due: now + timeout,")
    assert start["Complexity"] == "Complexity: Worst O(log(size(armed))) in steps."
    assert start["Synchronization"].endswith("— the hook fires on this core")
    heading = page(sample_site, "Timer").by_id("op-start").find_all(lambda n: n.tag == "h3")[0]
    assert heading.text().startswith("Timer::start(hook: Hook, timeout: duration, repeat: bool)")


def test_timer_start_in_markdown(sample_site: Path) -> None:
    text = markdown(sample_site, "Timer")
    assert ("### <a id=\"op-start\"></a>`Timer::start(hook: `[`Hook`](Hook.md)"
            "`, timeout: duration, repeat: bool)`") in text
    assert "*Preconditions:*\n\n- `hook !in armed` — a hook is armed at most once\n" in text
    assert "*Complexity:* Worst `O(log(size(armed)))` in `steps`." in text


def test_unordered_set_insert_cases(sample_site: Path) -> None:
    insert = op_elements(sample_site, "UnorderedSet", "op-insert")
    assert insert["Effects"] == (
        "Effects: Modifies elems. Exactly one of these cases applies (they are complete and "
        "disjoint): fresh when t !in old(elems); ensures elems == old(elems) + {t} && inserted "
        "— a new key duplicate when t in old(elems); ensures elems == old(elems) && !inserted. "
        "Ensures deref(pos) == t.")
    assert insert["Complexity"] == ("Complexity: Average O(1), worst O(size(elems)) in "
                                    "calls(hash) + calls(eq).")
    erase = op_elements(sample_site, "UnorderedSet", "op-erase")
    assert "At least one of these cases applies (they are complete;" in erase["Effects"]
    assert "present when k in old(elems); returns 1." in erase["Effects"]
    assert erase["Complexity"] == "Complexity: Amortized O(1) in steps."


def test_case_flags_in_words(sample_site: Path) -> None:
    effects = op_elements(sample_site, "Store", "op-pick")["Effects"]
    assert "At most one of these cases applies (they are disjoint;" in effects
    effects = op_elements(sample_site, "Store", "op-pick_any")["Effects"]
    assert "Each case whose condition holds applies (they are declared neither" in effects


def test_standard_order_and_names(sample_site: Path) -> None:
    put = op_elements(sample_site, "Store", "op-put")
    assert list(put) == ["Preconditions", "Effects", "Throws", "Synchronization", "Complexity"]
    get = op_elements(sample_site, "Store", "op-get")
    assert list(get) == ["Preconditions", "Effects", "Returns", "Synchronization", "Remarks"]


def test_checked_preconditions_and_throws(sample_site: Path) -> None:
    put = op_elements(sample_site, "Store", "op-put")
    assert ("used(slots) < capacity || slot in slots; otherwise throws Overflow — the store "
            "checks for room") in put["Preconditions"]
    assert "slot < 16; otherwise throws InvalidArgument" in put["Preconditions"]
    assert ("Stale when size(log) > 100; then ensures slots == old(slots) — a stale leader "
            "stores nothing") in put["Throws"]
    assert "InvalidArgument when capacity == 0; the model is left as it was." in put["Throws"]
    assert ("Overflow when the precondition used(slots) < capacity || slot in slots does not "
            "hold") in put["Throws"]


def test_frame_sync_complexity_remarks(sample_site: Path) -> None:
    put = op_elements(sample_site, "Store", "op-put")
    assert put["Effects"].startswith("Effects: Modifies slots and log.")
    assert put["Synchronization"] == ("Synchronization: Remote: runs on core(0); synchronizes "
                                      "with replicate — the write happens on core 0")
    assert put["Complexity"] == ("Complexity: Worst O(1), amortized O(1) in allocations — one "
                                 "allocation per write")
    stop = op_elements(sample_site, "Timer", "op-stop")
    assert stop["Effects"].startswith("Effects: Modifies armed — only this hook's entry")
    contains = op_elements(sample_site, "UnorderedSet", "op-contains")
    assert contains["Effects"] == "Effects: Modifies nothing."
    assert contains["Remarks"].startswith("Remarks: Pure: changes no model state")
    assert contains["Remarks"].endswith("— reads only")
    get = op_elements(sample_site, "Store", "op-get")
    assert get["Synchronization"].startswith("Synchronization: Atomic: linearizable")


def test_events(sample_site: Path) -> None:
    fire = op_elements(sample_site, "Timer", "event-fire")
    assert list(fire) == ["Runs on", "When", "Effects"]
    assert fire["Runs on"] == "Runs on: core(armed[hook].core)."
    assert fire["When"] == "When: hook in armed && now >= armed[hook].due."
    heartbeat = op_elements(sample_site, "Store", "event-heartbeat")
    assert list(heartbeat) == ["Runs on", "Effects"]


# ---------------------------------------------------------------------------- other parts

def test_title_scope_and_synopsis(sample_site: Path) -> None:
    timer = page(sample_site, "Timer")
    h1 = timer.find_all(lambda n: n.tag == "h1")[0]
    assert h1.text() == "Timer per_core"
    synopsis = timer.by_id("synopsis").text()
    assert "ebb Timer per_core {" in synopsis
    assert "op start(hook: Hook, timeout: duration, repeat: bool)" in synopsis
    assert "event fire(hook: Hook) on core(armed[hook].core)" in synopsis
    assert "model armed: map<Hook, Arm> = {}" in synopsis


def test_model_state_and_invariants(sample_site: Path) -> None:
    store = page(sample_site, "Store")
    mode = store.by_id("model-mode").text()
    assert mode == "mode Mode any value satisfying the invariants"
    assert store.by_id("model-weights").text() == ("weights map<nat, nat> {0 -> 1, 1 -> 2} "
                                                   "Weights by slot.")
    invariants = page(sample_site, "Timer").by_id("invariants").text()
    assert ("positive_periods: forall h in armed: armed[h].period >= 0us — periods are never "
            "negative") in invariants
    assert "forall h in armed: armed[h].core < ncores" in invariants


def test_member_types(sample_site: Path) -> None:
    store = page(sample_site, "Store")
    assert store.by_id("type-Put").text() == (
        "message Put§ Replicates one write. Number Field Type Description "
        "1 slot Slot 2 entry Entry")
    assert store.by_id("type-Mode").text().endswith("Leader accepts writes Follower")
    assert "Thrown by: Store::put" in store.by_id("type-Stale").text()
    assert store.by_id("type-Slot").text().startswith("type Slot = nat[0..15]")
    assert "Uninterpreted: only its signature is known." in store.by_id("func-score").text()
    assert "Definition: size(s)" in store.by_id("func-used").text()


def test_protocol_section(sample_site: Path) -> None:
    section = page(sample_site, "Timer").by_id("protocol-Hook")
    assert section.find_all(lambda n: n.tag == "svg")
    assert "Its initial state is Idle." in section.text()
    assert "Armed fire Armed a repeating hook stays armed" in section.text()
    store = page(sample_site, "Store").by_id("protocol-Ticket").text()
    assert "Its initial state is Issued (the source of the first transition)." in store
    assert "![State diagram of protocol Hook](../html/Timer-Hook.svg)" in markdown(
        sample_site, "Timer")
    hook = page(sample_site, "Hook").find_all(lambda n: n.has_class("protocol"))[0]
    assert _links(hook) == {"Timer::Hook": "Timer.html#protocol-Hook"}


def test_temporal_properties_and_assumptions(sample_site: Path) -> None:
    timer = page(sample_site, "Timer")
    temporal = timer.by_id("temporal").text()
    assert ("no_early: never fire(h) before start(h, t, _) + t Never before its timeout. No "
            "fire(h) occurs earlier than t after a matching start(h, t, _).") in temporal
    assert "No fire(h) occurs before a matching start(h, _, _) has occurred." in temporal
    assumptions = timer.by_id("assumptions").text()
    assert ("Every start(h, t, _) is followed by a matching fire(h) no sooner than t and no "
            "later than t + 1ms after it, unless a matching stop(h) occurs first.") in assumptions
    assert "In every state, used(slots) <= capacity holds." in page(
        sample_site, "Store").by_id("temporal").text()


def test_refinement(sample_site: Path) -> None:
    keyset = page(sample_site, "KeySet")
    section = keyset.by_id("refinement")
    assert section.text().startswith("Refinement§ Refines UnorderedSet<K>")
    links = {a.text(): a.attrs["href"] for a in section.find_all(lambda n: n.tag == "a")}
    assert links["elems"] == "UnorderedSet.html#model-elems"
    assert links["UnorderedSet"] == "UnorderedSet.html"


def test_index_lists_ebbs_and_types(sample_site: Path) -> None:
    index = page(sample_site, "index")
    ebbs = index.by_id("ebbs").text()
    assert "Timer per_core Fires a hook after a timeout, once or every period," in ebbs
    assert "UnorderedSet<K> shared A set of unique keys." in ebbs
    assert "Organised in buckets" not in ebbs  # the first sentence only
    types = index.by_id("types").text()
    for name in ("Arm", "Color", "Entry", "Hook", "Iter", "Mode", "Overflow", "Pair", "Ping",
                 "Put", "Slot", "Small", "Stale", "Ticket", "Unused"):
        assert f" {name} " in f" {types} ", name
    assert "twice" in index.by_id("functions").text()


# ---------------------------------------------------------------------------- links

def _links(node: Node) -> dict[str, str]:
    return {a.text(): a.attrs["href"] for a in node.find_all(lambda n: n.tag == "a")}


def test_types_link_to_definitions(sample_site: Path) -> None:
    timer = page(sample_site, "Timer")
    armed = _links(timer.by_id("model-armed"))
    assert armed == {"Hook": "Hook.html", "Arm": "#type-Arm"}  # map<...> is built in
    start = _links(timer.by_id("op-start").find_all(lambda n: n.tag == "h3")[0])
    assert start["Hook"] == "Hook.html"
    assert "duration" not in start and "bool" not in start
    store = page(sample_site, "Store")
    last = _links(store.by_id("model-last"))
    assert last == {"Pair": "Pair.html", "Slot": "#type-Slot", "Color": "Color.html"}
    insert = _links(page(sample_site, "UnorderedSet").by_id("op-insert")
                    .find_all(lambda n: n.tag == "h3")[0])
    assert insert["Iter"] == "Iter.html" and "K" not in insert  # type parameters are not linked
    pair = page(sample_site, "Pair")
    assert "A" not in _links(pair.find_all(lambda n: n.tag == "main")[0])
    assert _links(store.by_id("op-put"))["replicate"] == "#event-replicate"


def test_cross_module_links_follow_imports(tmp_path: Path) -> None:
    """Two files declare `Key`; each Ebb links to the one its own file imports."""
    texts = {
        "a.ebb": 'handle Key "a key"\n',
        "b.ebb": 'handle Key "another key"\n',
        "user.ebb": 'import "b.ebb"\nebb User shared { "u" model keys: set<Key> = {} "k" }\n',
    }
    modules = []
    for name, text in texts.items():
        module, diagnostics = parse_text(text, f"specs/{name}")
        assert module is not None and not diagnostics
        modules.append(module)
    generate_docs(modules, tmp_path, formats=("html",))
    user = parse_html((tmp_path / "html" / "User.html").read_text(encoding="utf-8"))
    key_page = _links(user.by_id("model-keys"))["Key"]
    assert "another key" in (tmp_path / "html" / key_page).read_text(encoding="utf-8")


def test_html_escapes_expressions(sample_site: Path) -> None:
    raw = (sample_site / "html" / "Store.html").read_text(encoding="utf-8")
    assert "used(slots) &lt;= capacity" in raw
    assert "<= capacity" not in raw
    assert "-k &lt; 1" in raw


def test_pages_are_built_from_the_ast(sample_modules: list[A.Module]) -> None:
    pages = build_pages(sample_modules)
    stems = [p.stem for p in pages]
    assert stems[0] == "index"
    assert {"Timer", "UnorderedSet", "KeySet", "Store", "Counter", "Hook", "Iter"} <= set(stems)
    assert len(stems) == len({s.lower() for s in stems})


@pytest.mark.parametrize("names", [("Thing", "thing"), ("index", "Index")])
def test_page_names_never_collide(tmp_path: Path, names: tuple[str, str]) -> None:
    """Pages differing only in case, or named like the index, get distinct files."""
    text = "\n".join(f'handle {n} "h"' for n in names) + "\n"
    module, _ = parse_text(text, "h.ebb")
    assert module is not None
    written = generate_docs([module], tmp_path, formats=("md",))
    stems = [p.stem.lower() for p in written if p.suffix == ".md"]
    assert len(stems) == len(set(stems)) == 3
