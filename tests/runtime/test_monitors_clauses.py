"""The monitors on a small inline spec: `always` over the model (a property and an assumption),
leads_to with a positive lower bound and `unless`, `never` without an offset, a pattern that
repeats a binder, windows the monitors cannot know in advance, and how observations print."""

from __future__ import annotations

import pytest

from ebbrt.runtime._monitors import compile_monitors
from ebbrt.runtime._monitor_violation import MonitorViolation
from ebbrt.runtime._observations import MonitorError, Observation, format_us
from ebbrt.spec import check_text
from ebbrt.verifier._values import FrozenMap, Handle

US, MS = 1_000, 1_000_000
R0, R1, R2, R3 = (Handle("Req", i) for i in range(4))

SERVER = '''
handle Req "a request"

ebb Server per_node {
  "Answers requests."
  model open: map<Req, core> = {}   "requests received and not answered"
  model limit: nat = 2              "how many may be open"

  op receive(r: Req) "A request arrives." modifies open ensures open == old(open)[r := this_core]
  op cancel(r: Req) "The client gives up." modifies open ensures open == old(open) - {r}
  op pair(a: Req, b: Req) "Pairs two requests." pure
  event answer(r: Req) on core(open[r]) when r in open
    "Answers `r`."
    modifies open
    ensures open == old(open) - {r}

  temporal bounded: always size(open) <= limit "never more than `limit` open"
  assume calm: always size(open) <= 3          "clients keep at most 3 requests open"
  temporal never answer(r) before receive(r)
  temporal prompt: receive(r) leads_to answer(r) within [1us, 10ms] unless cancel(r)
  temporal self_paired: never answer(r) before pair(r, r)
}
'''


@pytest.fixture(scope="module")
def checked():
    result = check_text(SERVER, "server.ebb")
    assert result.ok, result.render()
    return result.checked


class ServerRun:
    """A node's Server model, kept by hand, every step observed (on core 0)."""

    def __init__(self, checked, only: tuple[str, ...] = (), **options) -> None:
        self.open: dict[Handle, int] = {}
        self.now = 0
        self.monitors = compile_monitors(checked, "Server", model_of=self.model, **options)
        self.only = only

    def model(self, node: int, core: int) -> dict:
        return {"open": FrozenMap(self.open), "limit": 2}

    def op(self, name: str, **args) -> list[MonitorViolation]:
        found = self.monitors.observe(Observation(self.now, 0, 0, "Server", "call", name, args))
        if name == "receive":
            self.open[args["r"]] = 0
        if name == "cancel":
            self.open.pop(args["r"], None)
        return found + self.monitors.observe(
            Observation(self.now, 0, 0, "Server", "return", name, args))

    def answer(self, r: Handle) -> list[MonitorViolation]:
        found = self.monitors.observe(Observation(self.now, 0, 0, "Server", "event", "answer",
                                                  {"r": r}))
        self.open.pop(r, None)
        return found

    def labels(self, violations: list[MonitorViolation]) -> list[str]:
        return [v.label or v.clause for v in violations if not self.only or v.label in self.only]


def test_always_is_checked_after_every_observation_and_reported_once_per_lapse(checked) -> None:
    run = ServerRun(checked, stop_on_violation=False, only=("bounded", "calm"))
    run.op("receive", r=R0)
    run.op("receive", r=R1)
    assert run.monitors.violations == []
    found = run.op("receive", r=R2)  # 3 open > limit: reported at the return, once
    assert run.labels(found) == ["bounded"]
    [v] = found
    assert v.kind == "property" and v.location == "server.ebb:17:3"
    assert v.clause == "temporal bounded: always size(open) <= limit"
    assert v.problem == "`size(open) <= limit` is false after return receive on node 0 core 0"
    assert run.labels(run.op("pair", a=R0, b=R1)) == []  # still failing: not reported again
    run.now = 2 * US
    run.answer(R2)
    run.op("pair", a=R0, b=R1)  # holds again
    assert run.labels(run.op("receive", r=R3)) == ["bounded"]  # a new lapse


def test_a_broken_assumption_is_the_environment_s_and_voids_later_guarantees(checked) -> None:
    run = ServerRun(checked, stop_on_violation=False, only=("bounded", "calm"))
    for r in (R0, R1, R2):
        run.op("receive", r=r)
    found = run.op("receive", r=R3)
    assert run.labels(found) == ["calm"]
    [calm] = found
    assert calm.kind == "assumption"
    assert str(calm).startswith("server.ebb:18:3: the environment broke assumption `calm` of "
                                "Server at 0.000us")
    assert run.monitors.assumptions_broken
    run.open.clear()
    run.op("pair", a=R0, b=R1)
    run.open.update({R0: 0, R1: 0, R2: 0})
    [bounded] = [v for v in run.op("pair", a=R0, b=R1) if v.label == "bounded"]
    assert "the environment broke assumption `calm` earlier (at 0.000us)" in bounded.note
    assert "Server's guarantees are void" in str(bounded)


def test_leads_to_too_early_too_late_and_unless(checked) -> None:
    run = ServerRun(checked, stop_on_violation=False, only=("prompt",))
    run.op("receive", r=R0)
    early = run.answer(R0)  # at 0us, but the window opens at 1us
    assert run.labels(early) == ["prompt"]
    assert early[0].problem.startswith("answer came 1.000us too early: the receive at 0.000us "
                                       "asks for one within [1.000us, 10000.000us]")
    run.op("receive", r=R1)
    run.now = 5 * MS
    run.op("cancel", r=R1)
    run.op("receive", r=R2)
    run.now = 5 * MS + 1 * US
    assert run.labels(run.answer(R2)) == []
    run.op("receive", r=R3)
    assert run.labels(run.monitors.advance(15 * MS + 1 * US)) == []
    late = run.monitors.advance(15 * MS + 1 * US + 1)
    assert run.labels(late) == ["prompt"]
    assert late[0].bindings == {"r": R3}


def test_never_without_offset_needs_an_earlier_matching_occurrence(checked) -> None:
    run = ServerRun(checked, stop_on_violation=False)
    run.open[R0] = 0  # the model says it is open, but no receive(r0) was observed
    found = run.answer(R0)
    texts = [v.clause for v in found]
    assert "temporal never answer(r) before receive(r)" in texts
    [v] = [v for v in found if v.clause == "temporal never answer(r) before receive(r)"]
    assert v.problem == "answer occurred with no matching receive before it"
    assert v.location == "server.ebb:19:3" and v.bindings == {"r": R0}


def test_a_binder_repeated_in_one_pattern_matches_equal_arguments_only(checked) -> None:
    run = ServerRun(checked, stop_on_violation=False)
    run.op("receive", r=R0)
    run.op("pair", a=R0, b=R1)  # not pair(r0, r0)
    run.now = 2 * US
    assert [v.label for v in run.answer(R0)] == ["self_paired"]
    run.op("receive", r=R1)
    run.op("pair", a=R1, b=R1)
    run.now = 3 * US
    assert run.answer(R1) == []


def test_the_first_violation_is_raised_by_default(checked) -> None:
    run = ServerRun(checked)
    run.open[R0] = 0
    with pytest.raises(MonitorViolation) as info:
        run.answer(R0)
    assert isinstance(info.value, AssertionError)
    assert len(run.monitors.violations) == 2  # never and self_paired, both recorded


def test_a_window_over_what_only_the_response_binds_cannot_be_monitored() -> None:
    src = '''
handle Req "a request"
ebb Slow per_node {
  "Slow answers."
  op ask(r: Req, d: duration) "Asks." pure
  event answer(r: Req, d: duration) on core(0) "Answers."
  temporal odd: ask(r, _) leads_to answer(r, d) within [0us, d]
}
'''
    result = check_text(src, "slow.ebb")
    assert result.ok, result.render()
    with pytest.raises(MonitorError, match="its bound reads d, which ask does not bind"):
        compile_monitors(result.checked, "Slow")


def test_windows_and_offsets_are_spec_expressions_over_the_bound_values() -> None:
    src = '''
handle Req "a request"
ebb Paced per_node {
  "Answers after the asked delay, within twice it."
  op ask(r: Req, d: duration) "Asks." pure
  event answer(r: Req) on core(0) "Answers."
  temporal not_before: never answer(r) before ask(r, d) + d / 2
  temporal in_time: ask(r, d) leads_to answer(r) within [d, 2 * d]
}
'''
    result = check_text(src, "paced.ebb")
    assert result.ok, result.render()
    monitors = compile_monitors(result.checked, "Paced", model_of=lambda n, c: {},
                                stop_on_violation=False)
    monitors.observe(Observation(0, 0, 0, "Paced", "return", "ask", {"r": R0, "d": 4 * MS}))
    found = monitors.observe(Observation(3 * MS, 0, 0, "Paced", "event", "answer", {"r": R0}))
    assert [v.label for v in found] == ["in_time"]  # 3ms >= 4ms / 2, but < 4ms
    assert monitors.advance(100 * MS) == []
    monitors.observe(Observation(100 * MS, 0, 0, "Paced", "return", "ask", {"r": R1, "d": MS}))
    found = monitors.observe(Observation(100 * MS + 400 * US, 0, 0, "Paced", "event", "answer",
                                         {"r": R1}))
    assert sorted(v.label for v in found) == ["in_time", "not_before"]
    assert monitors.checks == 3 + 3  # per answer: not_before, in_time, its `on core(0)`


def test_a_monitor_set_accepts_a_check_result_and_rejects_anything_else(checked) -> None:
    result = check_text(SERVER, "server.ebb")
    assert compile_monitors(result, "Server").ebb.name == "Server"
    with pytest.raises(MonitorError, match="needs a checked spec"):
        compile_monitors("server.ebb", "Server")
    with pytest.raises(MonitorError, match="no Ebb named 'Client' \\(it has: Server\\)"):
        compile_monitors(checked, "Client")
    broken = check_text(SERVER.replace("size(open) <= limit", "size(open) <= nothing"), "s.ebb")
    with pytest.raises(MonitorError, match="the spec has errors"):
        compile_monitors(broken, "Server")


def test_observations_print_one_per_line_with_times_in_microseconds() -> None:
    assert format_us(0) == "0.000us" and format_us(1_234_567) == "1234.567us"
    obs = Observation(1_500, 2, 3, "Server", "return", "pair", {"a": R0, "b": R1}, True)
    assert obs.text() == "       1.500us  node 2 core 3  return  Server.pair(a=r0, b=r1) -> true"
    failed = Observation(0, 0, 0, "Server", "return", "cancel", {"r": R0}, KeyError("r0"))
    assert failed.raised and failed.text().endswith("raised KeyError: 'r0'")
    with pytest.raises(MonitorError, match="not 'enter'"):
        Observation(0, 0, 0, "Server", "enter", "pair")
