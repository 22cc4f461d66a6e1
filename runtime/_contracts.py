"""Contracts enforced at run time: one run's call gate, its compiled checks and its monitors.

    contracts = RunContracts(runtime, Mode.FULL)
    contracts.install()          # runtime.call_gate = contracts.gate
    runtime.run_until(10 * MS)   # a violation stops the run: it propagates out of run_until
    contracts.finish()           # judges what is still open at the end (overdue obligations)
    contracts.counters()         # {'contract_checks': ..., 'violations': ...}

Every call through an `EbbRef` comes to `gate`. When the representative's class is bound to a
spec (`@implements`; the runtime's `Timer` is bound to ebbs/timer.ebb here), a call of one of
the spec's operations runs through `ebbrt.verifier.enforce(cls, mode)`'s checked method, and
the Timer hands its `fire` events to the same gate (runtime/_timer.py, `_fire_due`), so the
event's guard, core and `ensures` are checked before the hook's callback runs. `Mode.SAMPLED(n)`
is sampled here, per run: the n-th, 2n-th, ... call of each operation of each class goes
through the fully checked method, the others through the plain one (a count per run, so the
same seed checks the same calls).

Alongside, the monitors of each bound Ebb's event and temporal clauses (`compile_monitors`)
see the run as docs/runtime.md's Monitors section says: a `call` and a `return` per operation,
an `event` just before an event's method runs; `model_of(node, core)` is the union of the
node's representatives' models (a per-core Ebb's maps and sets); `advance` runs just after each
`next_deadline()`, so an overdue obligation stops the run on time.

Time order. A monitor's stream must never go back in time, but the cores of a node overlap in
simulated time: an event's local clock (`core.now`) runs ahead of the simulator's by what the
event has been charged, and another core's event may start meanwhile. One core's clock never
goes back, though. So a per-core Ebb (Timer) has one monitor set per core, fed with that core's
observations stamped with the core's clock, the clock its compiled contracts read as `now`
(the model is still the node's union, so a callback on the wrong core is judged against the
core that armed it). Other Ebbs have one monitor set per run, stamped with the simulator's
clock (the start of the event the observation happens in).

A violation (`ContractViolation` or `MonitorViolation`) is kept (`violations`) and raised; it
stops the run. `report(violation, trace)` prints it with the last trace records and the last
observations.
"""

from __future__ import annotations

import inspect
import textwrap
from collections import deque
from typing import Any, Callable

from ..verifier import ContractViolation, Mode, binding_of, enforce, implements
from ..verifier._binding import BINDING_ATTRIBUTE, Binding
from ..verifier._hyp_values import show_typed
from ..verifier._values import FrozenMap, Handle, show
from ._cpu import CPU
from ._monitor_violation import MonitorViolation
from ._monitors import MonitorSet, compile_monitors
from ._observations import Observation, format_us
from ._spec_values import OpaqueValues, has_opaque
from ._timer import Timer

__all__ = ["RunContracts", "Violation"]

Violation = (ContractViolation, MonitorViolation)
"""What stops a run: a compiled clause or a monitored one."""

HISTORY = 20          # observations kept for a report (and each monitor's trail)
REQUIRES_KINDS = frozenset({"requires", "checked requires", "when", "on core"})


def bind_runtime_timer() -> None:
    """Bind the runtime's `Timer` to ebbs/timer.ebb (once; subclasses inherit it)."""
    if Timer.__dict__.get(BINDING_ATTRIBUTE) is None:
        implements(*Timer.SPEC)(Timer)


class _Member:
    """One operation or event of a bound class, as the gate runs it."""

    __slots__ = ("name", "is_event", "plain", "checked", "clauses", "py_params", "spec_params",
                 "param_types", "result_types", "types", "signature", "calls", "compiled")

    def __init__(self, binding: Binding, enforced: type | None, mode: Mode, name: str) -> None:
        compiled = binding.compiled.member(name)
        symbol = binding.ebb.ops.get(name) or binding.ebb.events[name]
        py = binding.methods[name]
        self.name = name
        self.compiled = compiled
        self.is_event = compiled.is_event
        self.plain = getattr(binding.cls, py)
        self.checked = getattr(enforced, py) if enforced is not None else self.plain
        if mode.kind == "requires":
            self.clauses = sum(c.kind in REQUIRES_KINDS for c in compiled.clauses)
        else:
            self.clauses = len(compiled.clauses) + len(binding.compiled.invariants)
        self.spec_params = tuple(p.name for p in symbol.params)
        self.param_types = tuple(_opaque_type(binding, p.type) for p in symbol.params)
        self.result_types = tuple(_opaque_type(binding, r.type)
                                  for r in getattr(symbol, "results", ()))
        self.types = {p.name: binding.instantiate(p.type) for p in symbol.params}
        results = getattr(symbol, "results", ())
        if len(results) == 1:
            self.types["result"] = binding.instantiate(results[0].type)
        self.signature = inspect.signature(self.plain)
        self.py_params = tuple(self.signature.parameters)[1:1 + len(self.spec_params)]
        self.calls = 0


class _Bound:
    """A class bound to a spec, as the gate runs it: its members and its Ebb's monitors."""

    __slots__ = ("binding", "key", "ebb", "per_core", "members", "model_types")

    def __init__(self, binding: Binding, mode: Mode) -> None:
        enforced = None if mode.kind == "off" else enforce(
            binding.cls, Mode.REQUIRES if mode.kind == "requires" else Mode.FULL)
        self.binding = binding
        self.key = (binding.spec_path, binding.ebb.name)
        self.ebb = binding.ebb.name
        self.per_core = binding.ebb.scope_kind == "per_core"
        self.members = {binding.methods[name]: _Member(binding, enforced, mode, name)
                        for name in (*binding.ebb.ops, *binding.ebb.events)}
        self.model_types = {name: _opaque_type(binding, var.type)
                            for name, var in binding.ebb.model.items()}


class RunContracts:
    """The contracts of one run of `runtime` in `mode` (`Mode.OFF` checks nothing and installs
    no gate). `history`: observations kept for a report; `latency_slack` (ns) is added to every
    `leads_to` deadline."""

    def __init__(self, runtime: Any, mode: Mode = Mode.FULL, *, history: int = HISTORY,
                 latency_slack: int = 0) -> None:
        if not isinstance(mode, Mode):
            raise TypeError(f"mode must be a Mode (Mode.FULL, Mode.SAMPLED(10), ...), not "
                            f"{mode!r}")
        bind_runtime_timer()
        self.runtime = runtime
        self.mode = mode
        self.compiled_checks = 0
        self.violations: list[ContractViolation | MonitorViolation] = []
        self._where: list[tuple[int, str]] = []    # per violation: (time, core name)
        self.history: deque[Observation] = deque(maxlen=max(history, 1))
        self._history_size = history
        self._latency_slack = latency_slack
        self._every = mode.every if mode.kind == "sampled" else 1
        self._bound: dict[type, _Bound | None] = {}
        self._monitors: dict[tuple[Any, ...], MonitorSet] = {}  # (spec, ebb[, node, core])
        # (spec, ebb), node -> the node's representatives by core (a reboot starts anew)
        self._reps: dict[tuple[tuple[str, str], int], dict[int, Any]] = {}
        self._boots: dict[tuple[tuple[str, str], int], int] = {}
        self._fresh: dict[int, dict[str, Any]] = {}   # id(rep) -> its model (reps kept alive)
        self._opaque = OpaqueValues()
        self._check: Any = None   # the scheduled deadline check (a simulator event)
        self._deadlines: dict[int, int | None] = {}   # id(monitor set) -> its next deadline

    # ------------------------------------------------------------------ setup and results
    def install(self) -> RunContracts:
        """Route every call through `EbbRef`s of the runtime (and Timer `fire`s) to `gate`."""
        if self.mode.kind != "off":
            self.runtime.call_gate = self.gate
        return self

    @property
    def monitor_sets(self) -> list[MonitorSet]:
        return list(self._monitors.values())

    @property
    def monitor_checks(self) -> int:
        return sum(m.checks for m in self._monitors.values())

    @property
    def checks(self) -> int:
        """Contract checks done: clauses judged by compiled checks plus monitor evaluations."""
        return self.compiled_checks + self.monitor_checks

    def counters(self) -> dict[str, int]:
        return {"contract_checks": self.checks, "compiled_checks": self.compiled_checks,
                "monitor_checks": self.monitor_checks, "violations": len(self.violations)}

    def finish(self) -> None:
        """The run is over: judge the obligations due by now (raises the first violation)."""
        if self._check is not None:
            self._check.cancel()
            self._check = None
        self._advance(self.runtime.sim.now)

    # ------------------------------------------------------------------ the gate
    def gate(self, ref: Any, rep: Any, method: str, args: tuple, kwargs: dict) -> Any:
        """The runtime's call gate: a call of a bound Ebb's operation or event is checked
        and observed; anything else is only made."""
        cls = type(rep)
        try:
            bound = self._bound[cls]
        except KeyError:
            bound = self._bound[cls] = self._learn(cls)
        member = bound.members.get(method) if bound is not None else None
        if member is None:
            return getattr(rep, method)(*args, **kwargs)
        assert bound is not None
        em = CPU.em
        node, core = (em.node_rt.node.id, em.index) if em is not None else (0, 0)
        self._note_rep(bound, node, core, rep, em)
        self._fresh.pop(id(rep), None)       # the call may change its model
        member.calls += 1
        if member.calls % self._every == 0:
            function = member.checked
            self.compiled_checks += member.clauses
        else:
            function = member.plain
        monitors = self._monitor_set(bound, node, core)
        clock = em.core if bound.per_core and em is not None else self.runtime.sim
        named = self._arguments(member, args, kwargs)
        if member.is_event:
            self._observe(monitors, Observation(clock.now, node, core, bound.ebb, "event",
                                                member.name, named))
            return self._call(function, rep, args, kwargs)
        called = clock.now
        self._observe(monitors, Observation(called, node, core, bound.ebb, "call",
                                            member.name, named))
        try:
            result = self._call(function, rep, args, kwargs)
        except Violation:
            raise
        except Exception as error:   # it raised: it did not occur (the monitors' reading)
            self._observe(monitors, Observation(max(called, monitors.now), node, core,
                                                bound.ebb, "return", member.name, named, error))
            raise
        # the operation takes effect at the `now` its contract reads, its call's time (what
        # the operation charges, e.g. programming a timer device, does not move it later)
        self._observe(monitors, Observation(max(called, monitors.now), node, core, bound.ebb,
                                            "return", member.name, named,
                                            self._result(member, result)))
        return result

    def _note_rep(self, bound: _Bound, node: int, core: int, rep: Any, em: Any) -> None:
        where = (bound.key, node)
        generation = em.core.node.generation if em is not None else 0
        if self._boots.get(where) != generation:       # first seen, or the node rebooted
            self._boots[where] = generation
            self._reps[where] = {}
        self._reps[where][core] = rep

    def _call(self, function: Callable[..., Any], rep: Any, args: tuple, kwargs: dict) -> Any:
        try:
            return function(rep, *args, **kwargs)
        except ContractViolation as violation:
            self._stop(violation)
            raise
        finally:
            self._fresh.pop(id(rep), None)

    def _learn(self, cls: type) -> _Bound | None:
        if getattr(cls, BINDING_ATTRIBUTE, None) is None:
            return None          # not bound to a spec: its calls are only made
        return _Bound(binding_of(cls), self.mode)

    def _monitor_set(self, bound: _Bound, node: int, core: int) -> MonitorSet:
        """The monitors judging `bound`'s observations on that core: its own for a per-core
        Ebb, else one for the run."""
        key = (*bound.key, node, core) if bound.per_core else bound.key
        monitors = self._monitors.get(key)
        if monitors is None:
            ncores = len(self.runtime.nodes[0].cores)
            monitors = self._monitors[key] = compile_monitors(
                bound.binding.result, bound.binding.ebb, model_of=self._model_of(bound.key),
                ncores=ncores, history=self._history_size, latency_slack=self._latency_slack)
        return monitors

    # ------------------------------------------------------------------ observations
    def _arguments(self, member: _Member, args: tuple, kwargs: dict) -> dict[str, Any]:
        """The call's arguments by spec parameter name, as spec values."""
        if len(args) < len(member.py_params) or kwargs:
            bound = member.signature.bind(None, *args, **kwargs)
            bound.apply_defaults()
            values = [bound.arguments[p] for p in member.py_params]
        else:
            values = list(args[:len(member.py_params)])
        convert = self._opaque.convert
        return {name: value if t is None else convert(value, t)
                for name, value, t in zip(member.spec_params, values, member.param_types)}

    def _result(self, member: _Member, raw: Any) -> Any:
        if not member.result_types:
            return None
        values = list(member.compiled.result_values(raw).values())
        converted = [v if t is None else self._opaque.convert(v, t)
                     for v, t in zip(values, member.result_types)]
        return converted[0] if len(converted) == 1 else tuple(converted)

    def _observe(self, monitors: MonitorSet, obs: Observation) -> None:
        self.history.append(obs)
        try:
            monitors.observe(obs)
        except MonitorViolation as violation:
            self._stop(violation)
            raise
        self._deadlines[id(monitors)] = monitors.next_deadline()   # only this set moved
        self._schedule_deadline()

    def _model_of(self, key: tuple[str, str]) -> Callable[[int, int], dict[str, Any]]:
        """The model an observation on (node, core) is judged in: the node's representatives'
        models, a per-core Ebb's maps and sets joined (the monitors' rule)."""
        def model_of(node: int, core: int) -> dict[str, Any]:
            reps = self._reps.get((key, node), {})
            if not reps:
                return {}
            bound = self._bound[type(next(iter(reps.values())))]
            assert bound is not None
            mine = reps.get(core)
            chosen = [reps[c] for c in sorted(reps)] if bound.per_core else \
                [mine if mine is not None else next(iter(reps.values()))]
            models = [self._model(bound, rep) for rep in dict.fromkeys(chosen)]
            own = self._model(bound, mine) if mine is not None else models[0]   # cached
            return {name: _join([m[name] for m in models], own[name]) for name in own}
        return model_of

    def _names(self, observations: list[Observation], values: Any) -> list[str]:
        """`h3 = storm(n0.c1.7)` for each numbered opaque value the report shows."""
        handles: dict[Handle, None] = {}
        for value in [*values, *(v for obs in observations for v in obs.args.values())]:
            if isinstance(value, Handle):
                handles[value] = None
        described = ((h, self._opaque.describe(h)) for h in handles)
        return [f"{show(h)} = {text}" for h, text in described if text is not None]

    def _shown(self, obs: Observation) -> Callable[[str, Any], str]:
        """How `obs`'s arguments print: with their spec types (durations with a unit)."""
        types: dict[str, Any] = {}
        for bound in self._bound.values():
            if bound is not None and bound.ebb == obs.ebb:
                member = next((m for m in bound.members.values() if m.name == obs.name), None)
                if member is not None:
                    types = member.types
                break
        return lambda name, value: show_typed(value, types.get(name))

    def _model(self, bound: _Bound, rep: Any) -> dict[str, Any]:
        """`rep`'s model as the monitors see it; kept until a call through the gate to `rep`
        (only operations and events change a model)."""
        found = self._fresh.get(id(rep))
        if found is not None:
            return found
        model = binding_of(type(rep)).model(rep)
        types = bound.model_types
        convert = self._opaque.convert
        found = self._fresh[id(rep)] = {
            name: value if types[name] is None else convert(value, types[name])
            for name, value in model.items()}
        return found

    # ------------------------------------------------------------------ the clock
    def _schedule_deadline(self) -> None:
        """Keep one check scheduled just after the earliest deadline of an open obligation
        (none when nothing is open, so a finished run drains)."""
        deadlines = [d for d in self._deadlines.values() if d is not None]
        sim = self.runtime.sim
        due = max(min(deadlines) + 1, sim.now) if deadlines else None
        if self._check is not None:
            if self._check.time == due:
                return
            self._check.cancel()
            self._check = None
        if due is not None:
            self._check = sim.schedule_at(due, self._on_deadline, label="monitors.deadline")

    def _on_deadline(self) -> None:
        self._check = None
        self._advance(self.runtime.sim.now)
        self._deadlines = {id(m): m.next_deadline() for m in self._monitors.values()}
        self._schedule_deadline()

    def _advance(self, now: int) -> None:
        for monitors in self._monitors.values():
            try:
                monitors.advance(max(now, monitors.now))   # a core's clock may be ahead
            except MonitorViolation as violation:
                self._stop(violation)
                raise

    def _stop(self, violation: ContractViolation | MonitorViolation) -> None:
        """Keep the violation (once), with when and on which core the run met it."""
        if not any(violation is v for v in self.violations):
            self.violations.append(violation)
            em = CPU.em       # on a core: its clock, the one its contracts and monitors read
            self._where.append((em.core.now, em.core.name) if em is not None
                               else (self.runtime.sim.now, ""))

    # ------------------------------------------------------------------ reporting
    def stopped_at(self, violation: ContractViolation | MonitorViolation) -> tuple[int, str]:
        """When (on the core's clock) and on which core the run met `violation`."""
        for seen, where in zip(self.violations, self._where):
            if seen is violation:
                return where
        return self.runtime.sim.now, ""

    def report(self, violation: ContractViolation | MonitorViolation,
               trace_tail: list[str] | tuple[str, ...] = ()) -> str:
        """The violation, where the spec states the clause, and what led to it: the last
        trace records of the machine and, for a compiled clause, the last observations."""
        now, core = self.stopped_at(violation)
        where = f" on {core}" if core else ""
        kind = "contract" if isinstance(violation, ContractViolation) else "monitor"
        lines = [f"{kind} violation at {format_us(now)}{where}: the run stopped",
                 str(violation)]
        if isinstance(violation, ContractViolation):
            lines[1:] = [_elide(line) for line in str(violation).splitlines()]
            if self.history:
                count = len(self.history)
                lines.append(f"  the last {count} observation{'s' * (count != 1)}, in the "
                             "order they happened:")
                lines += [f"    {obs.text(self._shown(obs))}" for obs in self.history]
        shown = list(self.history) if isinstance(violation, ContractViolation) else \
            list(violation.observations)
        named = self._names(shown, getattr(violation, "bindings", {}).values())
        if named:   # wrapped between entries, never inside one (\xa0 does not break)
            wrapped = textwrap.wrap(", ".join(n.replace(" ", "\xa0") for n in named), 96,
                                    initial_indent="  where ", subsequent_indent="    ",
                                    break_on_hyphens=False)
            lines += [line.replace("\xa0", " ") for line in wrapped]
        if trace_tail:
            lines.append(f"  the last {len(trace_tail)} trace records, oldest first:")
            lines += [f"    {line}" for line in trace_tail]
        return "\n".join(lines)


def _elide(line: str, keep: int = 240) -> str:
    """A report line cut to `keep` characters (a model value can be very long)."""
    if len(line) <= keep:
        return line
    return f"{line[:keep]} ... ({len(line) - keep} more characters)"


def _opaque_type(binding: Binding, t: Any) -> Any:
    """`t` with the bound types substituted, when its values have opaque parts; else None
    (nothing to convert)."""
    t = binding.instantiate(t)
    return t if has_opaque(t) else None


def _join(values: list[Any], own: Any) -> Any:
    """Several representatives' values of one model field, as one: maps and sets joined;
    anything else is the observing core's own."""
    if len(values) == 1:
        return values[0]
    if all(isinstance(v, FrozenMap) for v in values):
        return FrozenMap({k: x for v in values for k, x in v.items()})
    if all(isinstance(v, frozenset) for v in values):
        return frozenset().union(*values)
    return own
