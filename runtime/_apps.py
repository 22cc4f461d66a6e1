"""The bundled apps of `ebb run`, and the runner that runs one with its contracts enforced.

    result = run_app("ping-pong", nodes=2, cores=2, seed=1, mode=Mode.FULL)
    print("\\n".join(result.lines))        # the app's output, then the summary
    result.status                         # 0 clean, 1 a contract violated (result.report)

An app is a class with a `name`, a one-line `description`, `min_nodes`, `start(run)` (spawn
its first events; `run` is the `AppRun`) and `summary()` (its own lines for the summary).
`APPS` maps each name to the module holding it (as `APP`), imported when it is run.

The runner builds a `Simulator(seed)` with a `Trace`, a `Network`, a `Runtime` of `nodes` x
`cores` (with the given Timer class) and a `RunContracts` in `mode`; runs until nothing is left
to do or the clock reaches `until`; then judges the obligations still open. A violation stops
the run: the result holds its report (the clause, its location, the last observations and
trace records) and status 1. Everything is deterministic: the same arguments give the same
lines and the same trace.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import EbbrtError
from ..machine import Network, PcapWriter, Simulator, Trace
from ..verifier import Mode
from ._contracts import RunContracts, Violation
from ._observations import format_us
from ._runtime import Runtime
from ._timer import Timer

__all__ = ["APPS", "App", "AppResult", "AppRun", "app_class", "format_ns", "run_app"]

APPS: dict[str, str] = {
    "hello": "_app_hello",
    "ping-pong": "_app_ping_pong",
    "timer-storm": "_app_timer_storm",
}
"""App name -> its module in ebbrt.runtime (which defines `APP`, the app's class)."""

SECOND = 1_000_000_000
TRACE_TAIL = 12           # trace records a violation report shows


@dataclass
class AppRun:
    """What an app is given: the runtime and its network, `say(line)` to print, `rng` (its
    own seeded stream, `app.<name>`), and the run's shape."""
    runtime: Runtime
    network: Network
    say: Callable[[str], None]
    rng: random.Random
    nodes: int
    cores: int


class App:
    """The base of the bundled apps (see the module's docstring)."""
    name = ""
    description = ""
    min_nodes = 1

    def start(self, run: AppRun) -> None:
        raise NotImplementedError

    def summary(self) -> list[str]:
        return []


@dataclass
class AppResult:
    """A finished run: `lines` printed (the app's, then the summary), `status` (0 clean, 1 a
    violation, or an error an event raised and nothing caught), `report` (what stopped the
    run, or None), `counters`, the `trace`, and `violation` (the exception that stopped it)."""
    lines: list[str]
    status: int
    report: str | None
    counters: dict[str, int]
    trace: Trace
    violation: Any = None


def app_class(name: str) -> type[App]:
    """The app called `name` (a KeyError if there is none)."""
    module = importlib.import_module(f"{__package__}.{APPS[name]}")
    return module.APP  # type: ignore[no-any-return]


def format_ns(ns: int) -> str:
    """A simulated time for people, exact: `1.234567ms` from a millisecond up, else
    `12.500us`."""
    if ns >= 1_000_000:
        return f"{ns // 1_000_000}.{ns % 1_000_000:06d}ms"
    return format_us(ns)


def run_app(name: str, *, nodes: int = 2, cores: int = 2, seed: int = 0,
            mode: Mode = Mode.FULL, until: int = SECOND, timer: type[Timer] = Timer,
            capture: PcapWriter | None = None, trace: Trace | None = None) -> AppResult:
    """Run the bundled app `name` (see the module's docstring)."""
    app = app_class(name)()
    if nodes < app.min_nodes:
        raise ValueError(f"{name} needs at least {app.min_nodes} nodes, got {nodes}")
    trace = trace if trace is not None else Trace(limit=200)
    sim = Simulator(seed=seed, instrument=trace)
    network = Network(sim)
    if capture is not None:
        network.capture(capture)
    runtime = Runtime(sim, nodes=nodes, cores=cores, network=network, timer=timer)
    contracts = RunContracts(runtime, mode).install()
    lines: list[str] = [f"ebb run {name}: {nodes} node{'s' * (nodes != 1)} x {cores} "
                        f"core{'s' * (cores != 1)}, seed {seed}, contracts {_mode_text(mode)}"
                        + ("" if timer is Timer else f", timer {timer.__name__}")]
    run = AppRun(runtime, network, lines.append, sim.rng(f"app.{name}"), nodes, cores)
    violation: Any = None
    aborted: EbbrtError | None = None
    try:
        app.start(run)
        _run(sim, until)
        contracts.finish()
    except Violation as caught:
        violation = caught
    except EbbrtError as error:    # an event raised it and nothing caught it: EbbRT aborts
        aborted = error
    if violation is None and contracts.violations:   # raised, then caught inside the app
        violation = contracts.violations[0]
    report = None
    if violation is not None:
        report = contracts.report(violation, trace.tail(TRACE_TAIL))
    elif aborted is not None:
        report = "\n".join([f"the run stopped at {format_ns(sim.now)}: an event raised "
                            f"{type(aborted).__name__} and nothing caught it", f"  {aborted}",
                            f"  the last {TRACE_TAIL} trace records, oldest first:"]
                           + [f"    {line}" for line in trace.tail(TRACE_TAIL)])
    lines += app.summary() if report is None else []
    counters = {**runtime.counters(), **contracts.counters(), **_frames(network)}
    end = contracts.stopped_at(violation)[0] if violation is not None else _end_time(runtime)
    lines += _summary(end, counters)
    return AppResult(lines, 0 if report is None else 1, report, counters, trace,
                     violation or aborted)


def _run(sim: Simulator, until: int) -> None:
    """Run every event up to `until`; the clock stops at the last one when nothing is left."""
    while (next_time := sim.next_time) is not None and next_time <= until:
        sim.run_until(next_time)
    if sim.next_time is not None:
        sim.run_until(until)


def _end_time(runtime: Runtime) -> int:
    """When the run ended: at `until` if work was left, else when the last core finished."""
    sim = runtime.sim
    if sim.next_time is not None:
        return sim.now
    return max([sim.now] + [core.busy_until for node in runtime.nodes for core in node.cores])


def _frames(network: Network) -> dict[str, int]:
    counts = network.counters()
    return {"frames_sent": counts["sent"], "frames_delivered": counts["delivered"],
            "frames_dropped": counts["dropped"], "frames_duplicated": counts["duplicated"]}


def _summary(now: int, c: dict[str, int]) -> list[str]:
    return [
        f"simulated time   {format_ns(now)}",
        f"events           {c['events']} (simulator events {c['sim_events']})",
        f"contract checks  {c['contract_checks']} (compiled clauses {c['compiled_checks']}, "
        f"monitor evaluations {c['monitor_checks']})",
        f"violations       {c['violations']}",
        f"frames           sent {c['frames_sent']}, delivered {c['frames_delivered']}, "
        f"dropped {c['frames_dropped']}, duplicated {c['frames_duplicated']}",
    ]


def _mode_text(mode: Mode) -> str:
    return f"sampled:{mode.every}" if mode.kind == "sampled" else mode.kind
