"""How the CrossHair engine builds `self`: a bounded history of spec calls, from plain inputs.

CrossHair creates symbolic values for a function's parameters, but it cannot invent a hash
table, a buddy allocator's free lists or a future: their concrete state has invariants of its
own that a symbolic object would break. So the engine never asks for a symbolic `self`. Each
operation is checked through a function whose parameters are integers and booleans only:

    check_insert(s0, s0_i0, s1, s1_i0, t)

`s<i>` picks the i-th step of the history (idle, or an op or event of the Ebb), the
`s<i>_i<k>` and `s<i>_b<k>` slots give the chosen member's k-th integer or boolean argument
(members share a step's slots, so a step costs as many slots as its widest member), then come
the arguments of the operation under check (and, when the spec reads them, `dt` slots that
advance `now` and `core` slots that pick `this_core`). `History.run` decodes the slots into
spec values, builds a fresh instance with `binding.create`, replays the steps through an
`Executor`, and returns the instance ready for the call. The same decoding serves the
concrete replay of a counterexample (`ebbrt.verifier` never trusts a symbolic verdict alone).

Decoding is total where it can be: every integer maps onto the type's values, so CrossHair
never spends a path on an out-of-range input, and a slot branches only when its step uses it
(CrossHair forks an int lazily; an enum parameter would fork up front, unused or not). A step
that is not enabled, or a handle the history has not made yet, makes the path invalid, which
the engine turns into a precondition. Decoding never formats a slot's value (CrossHair would
realize it).

| spec type | slot | value |
|---|---|---|
| `bool` | bool | itself |
| `int` | int | itself |
| `nat`, `int[a..]`, `time`, `duration` | int | `x` if `x >= 0` else `-1 - x`, from the bound |
| `int[a..b]`, `uN`, `core` | int | `a + x % (b - a + 1)` |
| enum | int | member number `x % members` |
| handle or type parameter an op returns (a future) | int | the `x % depth`-th one made so far |
| other handles and type parameters | int | `PoolHandle(name, x % HANDLE_POOL)` |

Other parameter types (records, options, collections, bytes) have no decoder: an op taking
one is reported SKIPPED, and an op or event taking one is left out of histories.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Sequence

from ..spec import ast as A
from ..spec._symbols import EbbSymbol, EventSymbol, OpSymbol
from ..spec._types import (BitVecType, BoolType, CoreType, DurationType, EnumType, HandleType,
                           IntType, TimeType, Type, TypeParam)
from ._binding import Binding, Context
from ._values import EnumValue, Handle

HANDLE_POOL = 3        # distinct opaque handles of each type: enough to collide, few paths
DEFAULT_DEPTH = 2      # history steps before the call under check
DEFAULT_NCORES = 2

Member = OpSymbol | EventSymbol


class Invalid(Exception):
    """The slots do not decode to a valid call (a step not enabled, a handle not yet made)."""


@dataclass(frozen=True)
class Slot:
    """One parameter of a check function."""
    name: str
    annotation: type   # int or bool: all CrossHair has to make


Decode = Callable[[Any, "Run"], Any]


@dataclass(frozen=True)
class Param:
    """A spec parameter, its slot and its decoder."""
    name: str
    type: Type
    slot: Slot
    decode: Decode


@dataclass(frozen=True)
class Call:
    """A member of the Ebb as the harness calls it."""
    member: Member
    params: tuple[Param, ...]

    @property
    def name(self) -> str:
        return self.member.name


@dataclass
class Run:
    """One path's concrete (or symbolic) state while the history is replayed."""
    context: Context
    produced: dict[str, list[Any]] = field(default_factory=dict)  # type key -> handles made
    steps: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)  # what was called


class Executor(Protocol):
    """How the history's steps run: the symbolic check calls the implementation directly; the
    concrete replay runs them through the reference `Monitor`."""

    def create(self, context: Context) -> Any: ...

    def enabled(self, instance: Any, call: Call, args: tuple[Any, ...]) -> bool: ...

    def call(self, instance: Any, call: Call, args: tuple[Any, ...]) -> Any: ...


class History:
    """The check-function layout of one Ebb, and the replay of a history from its slots."""

    def __init__(self, binding: Binding, *, depth: int = DEFAULT_DEPTH,
                 ncores: int = DEFAULT_NCORES) -> None:
        if depth < 0:
            raise ValueError(f"the history depth must be at least 0, not {depth}")
        self.binding = binding
        self.ebb: EbbSymbol = binding.ebb
        self.depth = depth
        self.ncores = ncores
        reads = builtins_read(self.ebb)
        self.moves_time = "now" in reads
        self.moves_core = "this_core" in reads and ncores > 1
        self.produced_keys = _produced_types(binding)
        members: list[Member] = sorted([*self.ebb.ops.values(), *self.ebb.events.values()],
                                       key=lambda m: (m.decl.span.start, m.name))
        self.unsupported: dict[str, str] = {}
        self.history_members: list[Member] = []
        for member in members:
            problem = self._problem(member)
            if problem:
                self.unsupported[member.name] = problem
            else:
                self.history_members.append(member)
        self.steps: list[list[Call]] = [
            [self._call(m, f"s{i}_", shared=True) for m in self.history_members]
            for i in range(depth)]
        self._arg_slots = [self._shared_slots(i) for i in range(depth)]
        # member -> (result position, type key) of the handles it returns
        self._produces: dict[str, list[tuple[int, str]]] = {}
        for op in self.ebb.ops.values():
            made = [(i, str(binding.instantiate(var.type))) for i, var in enumerate(op.results)]
            self._produces[op.name] = [(i, k) for i, k in made if k in self.produced_keys]

    # ------------------------------------------------------------------ layout
    def target(self, name: str) -> Call:
        """The call under check (raises KeyError for a member with unsupported parameters)."""
        if name in self.unsupported:
            raise KeyError(self.unsupported[name])
        member = self.ebb.ops.get(name) or self.ebb.events[name]
        return self._call(member, "", shared=False)

    def slots(self, target: Call) -> list[Slot]:
        """Every parameter of the check function for `target`, in order."""
        out: list[Slot] = []
        for i in range(self.depth):
            out.append(Slot(f"s{i}", int))
            out += self._env_slots(f"s{i}_")
            out += self._arg_slots[i]
        out += self._env_slots("")
        out += [p.slot for p in target.params]
        return out

    def _env_slots(self, prefix: str) -> list[Slot]:
        out = []
        if self.moves_time:
            out.append(Slot(f"{prefix}dt", int))
        if self.moves_core:
            out.append(Slot(f"{prefix}core", int))
        return out

    def _shared_slots(self, i: int) -> list[Slot]:
        """Step i's argument slots: as many ints and booleans as its widest member needs."""
        slots: dict[str, Slot] = {}
        for call in self.steps[i]:
            for p in call.params:
                slots.setdefault(p.slot.name, p.slot)
        return sorted(slots.values(), key=lambda s: s.name)

    def describe_step(self, values: dict[str, Any], i: int) -> str:
        """What step i's selector picks, for messages (concrete values only)."""
        index = pick(values[f"s{i}"], len(self.history_members) + 1)
        return "idle" if index == 0 else self.history_members[index - 1].name

    # ------------------------------------------------------------------ replay
    def run(self, values: dict[str, Any], target: Call, executor: Executor
            ) -> tuple[Any, Run, tuple[Any, ...]]:
        """Build the pre-state from `values` (slot name -> value): a fresh instance, then each
        history step. Returns the instance, the run and the decoded arguments of `target`;
        raises `Invalid` when a step is not enabled or a handle was not made."""
        run = Run(Context(now=0, this_core=0, ncores=self.ncores))
        instance = executor.create(run.context)
        for i in range(self.depth):
            index = pick(values[f"s{i}"], len(self.history_members) + 1)
            if index == 0:
                continue
            step = self.steps[i][index - 1]
            self._move(values, f"s{i}_", run)
            args = self._decode(step, values, run)
            if not executor.enabled(instance, step, args):
                raise Invalid(f"step {i}: {step.name} is not enabled")
            self._record(run, step, args, executor.call(instance, step, args))
        self._move(values, "", run)
        return instance, run, self._decode(target, values, run)

    def _record(self, run: Run, call: Call, args: tuple[Any, ...], result: Any) -> None:
        run.steps.append((call.name, args))
        produced = self._produces.get(call.name)
        if not produced:
            return
        count = len(call.member.results)  # type: ignore[union-attr]
        values = result if count > 1 else (result,)
        if not isinstance(values, (tuple, list)) or len(values) != count:
            return
        for index, key in produced:
            run.produced.setdefault(key, []).append(values[index])

    def _move(self, values: dict[str, Any], prefix: str, run: Run) -> None:
        if self.moves_time:
            run.context.now = run.context.now + _natural(values[f"{prefix}dt"])
        if self.moves_core:
            run.context.this_core = pick(values[f"{prefix}core"], self.ncores)

    def _decode(self, call: Call, values: dict[str, Any], run: Run) -> tuple[Any, ...]:
        return tuple(p.decode(values[p.slot.name], run) for p in call.params)

    # ------------------------------------------------------------------ members
    def _call(self, member: Member, prefix: str, *, shared: bool) -> Call:
        """`member`'s parameters with their slots: named after the parameter for the call
        under check; for a history step, the step's shared slots `s<i>_i<k>` / `s<i>_b<k>`
        (the k-th integer or boolean parameter)."""
        params = []
        counts: dict[type, int] = {}
        for var in member.params:
            t = self.binding.instantiate(var.type)
            made = self._decoder(t)
            assert made is not None  # _problem rejected the member otherwise
            annotation, decode = made
            if shared:
                k = counts[annotation] = counts.get(annotation, -1) + 1
                name = f"{prefix}{'b' if annotation is bool else 'i'}{k}"
            else:
                name = slot_name(prefix + var.name)
            params.append(Param(var.name, t, Slot(name, annotation), decode))
        return Call(member, tuple(params))

    def _problem(self, member: Member) -> str:
        for var in member.params:
            t = self.binding.instantiate(var.type)
            if self._decoder(t) is None:
                return (f"parameter `{var.name}: {t}` has a type the CrossHair harness does not "
                        "generate (it makes booleans, integers, enums and handles)")
        return ""

    def _decoder(self, t: Type) -> tuple[type, Decode] | None:
        if isinstance(t, BoolType):
            return bool, _identity
        if isinstance(t, IntType):
            return int, _integer(t.low, t.high)
        if isinstance(t, BitVecType):
            return int, _integer(0, (1 << t.width) - 1)
        if isinstance(t, CoreType):
            return int, _integer(0, self.ncores - 1)
        if isinstance(t, (TimeType, DurationType)):
            return int, _integer(0, None)
        if isinstance(t, EnumType):
            name = t.symbol.name
            return int, _among([EnumValue(name, m) for m in t.symbol.members])
        if isinstance(t, (HandleType, TypeParam)):
            key = str(t)
            if key in self.produced_keys:
                return int, _produced(key, max(self.depth, 1))
            name = t.symbol.name if isinstance(t, HandleType) else t.name
            return int, _among([PoolHandle(name, i) for i in range(HANDLE_POOL)])
        return None


@dataclass(frozen=True, eq=False)
class PoolHandle(Handle):
    """A `Handle` from the harness's pool. It hashes by its index alone, so sets of handles
    iterate in the same order in every process (a `str` hash changes with PYTHONHASHSEED, and
    CrossHair's paths follow iteration order)."""

    def __hash__(self) -> int:
        return hash(self.index)


# ---------------------------------------------------------------------------- decoders

def pick(value: int, n: int) -> int:
    """`value % n` as a concrete number: one branch per possible index, taken only when the
    index is used, so a symbolic `value` forks into exactly the `n` valid choices."""
    index = value % n
    for i in range(n - 1):
        if index == i:
            return i
    return n - 1


def _natural(value: int) -> int:
    """Every integer onto 0, 1, 2, ... (`-1 - x` for a negative `x`: no two collide)."""
    return value if value >= 0 else -1 - value


def _identity(value: Any, run: Run) -> Any:
    return value


def _integer(low: int | None, high: int | None) -> Decode:
    if low is not None and high is not None:
        span = high - low + 1
        return lambda value, run: low + value % span
    if low is not None:
        return lambda value, run: low + _natural(value)
    if high is not None:
        return lambda value, run: high - _natural(value)
    return _identity


def _among(choices: list[Any]) -> Decode:
    return lambda value, run: choices[pick(value, len(choices))]


def _produced(key: str, most: int) -> Decode:
    def decode(value: int, run: Run) -> Any:
        made = run.produced.get(key, [])
        index = pick(value, most)
        if index >= len(made):
            raise Invalid(f"no such `{key}` was made before")
        return made[index]
    return decode


def slot_name(text: str) -> str:
    """A Python identifier for a slot (spec names are identifiers; keywords get a `_`)."""
    return text + "_" if keyword.iskeyword(text) else text


def _produced_types(binding: Binding) -> frozenset[str]:
    """The handle and type-parameter types some op returns: their values come from the
    implementation (a future `make_promise` made), not from a pool."""
    keys = set()
    for op in binding.ebb.ops.values():
        for var in op.results:
            t = binding.instantiate(var.type)
            if isinstance(t, (HandleType, TypeParam)):
                keys.add(str(t))
    return frozenset(keys)


def builtins_read(ebb: EbbSymbol) -> frozenset[str]:
    """Which of `now`, `this_core`, `ncores` the Ebb's declarations mention."""
    found: set[str] = set()
    stack: list[object] = [ebb.decl]
    while stack:
        node = stack.pop()
        if isinstance(node, A.Name) and node.id in ("now", "this_core", "ncores"):
            found.add(node.id)
        for name in getattr(node, "__dataclass_fields__", {}):
            if name == "span":
                continue
            value = getattr(node, name)
            for item in value if isinstance(value, tuple) else (value,):
                if hasattr(item, "__dataclass_fields__"):
                    stack.append(item)
    return frozenset(found)


def decoded_values(slots: Sequence[Slot], args: Sequence[Any]) -> dict[str, Any]:
    """Slot name -> value, for a call of the check function with positional `args`."""
    return {slot.name: value for slot, value in zip(slots, args)}


__all__ = ["DEFAULT_DEPTH", "DEFAULT_NCORES", "HANDLE_POOL", "Call", "Executor", "History",
           "Invalid", "Param", "PoolHandle", "Run", "Slot", "builtins_read", "decoded_values",
           "pick", "slot_name"]
