"""`EbbRef[T]`: an Ebb id you can call, resolved in the running core's translation table.

    ref = Counter.create(Counter(0))       # an EbbRef[Counter]
    ref.add(5)                             # this core's representative's add(5)

A call looks `ref.id` up in `CPU.table`, the running core's translation table (see _cpu.py):
the fast path is that one dict lookup and then the representative's method. A miss takes the
slow path (`_slow_call`): outside any core it is an error; otherwise a translation fault calls
the Ebb type's `handle_fault(id)`, which finds or builds the representative and caches it in
this core's table (so the next call on this core hits), and the call proceeds. With a call
gate set on the runtime, events read the core's *gated* table instead, which maps each id to
a stand-in whose methods hand the call to the gate: the fast path never tests for a gate.

`EbbRef[T]` is a class generated once per Ebb type `T`, with one small method per public
method of `T` that does exactly the above (its parameters copied from `T`'s method, so a call
passes its arguments straight on). A plain `EbbRef(id)` has no such methods: call through it
with `ref().method(...)`. `ref()` is the representative itself (EbbRT's `*ref`), for calls in a
loop or to attributes; it is valid only during the current event, on the current core.
"""

from __future__ import annotations

import inspect
from types import FunctionType
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar

from ._cpu import CPU, current_event_manager
from ._errors import EbbNotFound

if TYPE_CHECKING:
    from ._events import EventManager

__all__ = ["CallGate", "EbbRef"]

T = TypeVar("T")

CallGate = Callable[["EbbRef[Any]", Any, str, tuple, dict], Any]
"""`gate(ref, rep, method, args, kwargs)`: runs (or refuses) one call through an `EbbRef`; it
must return what `getattr(rep, method)(*args, **kwargs)` returns, normally by calling it."""

_ID_LIMIT = 1 << 32


class EbbRef(Generic[T]):
    """A reference to the Ebb with id `id`: the same value names it on every core and, for a
    global id, on every node. Equal refs have equal ids."""

    __slots__ = ("id",)
    _ebb_type: type | None = None  # set on the generated EbbRef[T] classes

    def __init__(self, ebb_id: int) -> None:
        if type(ebb_id) is not int or not 0 < ebb_id < _ID_LIMIT:
            raise ValueError(f"an Ebb id is an int in 1..{_ID_LIMIT - 1} (0 is the null id), "
                             f"got {ebb_id!r}")
        self.id = ebb_id

    def __class_getitem__(cls, item: Any) -> Any:
        if isinstance(item, type):
            return typed_ref_class(item)
        return super().__class_getitem__(item)  # type: ignore[misc]  # EbbRef[T] in hints

    def __call__(self) -> T:
        """This core's representative (faulting it in if needed); with a call gate set, its
        stand-in, whose method calls go through the gate."""
        try:
            return CPU.table[self.id]
        except KeyError:
            em = CPU.em or current_event_manager(f"dereferencing {self!r}")
            rep = _representative(self, em)
            if em.runtime.call_gate is None:
                return rep
            return _stand_in(self, rep, em)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EbbRef) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __int__(self) -> int:
        return self.id

    def __repr__(self) -> str:
        name = self._ebb_type.__qualname__ if self._ebb_type is not None else ""
        return f"EbbRef[{name}]({self.id:#x})" if name else f"EbbRef({self.id:#x})"

    if TYPE_CHECKING:  # the generated methods, for type checkers
        def __getattr__(self, name: str) -> Any: ...


# --------------------------------------------------------------------------- the slow path

def _representative(ref: EbbRef[Any], em: EventManager) -> Any:
    """`ref`'s representative on `em`'s core: from its table, else by a translation fault."""
    rep = em.table.get(ref.id)
    if rep is not None:
        return rep
    ebb_type = ref._ebb_type or em.node_rt.ebb_type_of(ref.id)
    em.faults += 1
    sim = em.core.sim
    if sim.instrument is not None:
        sim.record(em.core.name, "ebb.fault", f"id={ref.id:#x} type={ebb_type.__qualname__}")
    return ebb_type.handle_fault(ref.id)  # type: ignore[attr-defined]


def _slow_call(ref: EbbRef[Any], name: str, args: tuple, kwargs: dict) -> Any:
    """A call that missed `CPU.table`: fault the representative in, then call it, through its
    gated stand-in if a call gate is set."""
    em = CPU.em or current_event_manager(f"calling {ref!r}.{name}()")
    rep = _representative(ref, em)
    if em.runtime.call_gate is not None:
        rep = _stand_in(ref, rep, em)
    return getattr(rep, name)(*args, **kwargs)


def _stand_in(ref: EbbRef[Any], rep: Any, em: EventManager) -> _Gated:
    """`rep`'s stand-in on `em`'s core, made once and kept in the core's gated table."""
    stand_in = _Gated(ref, rep, em)
    em.gated_table[ref.id] = stand_in
    return stand_in


class _Gated:
    """A representative as calls see it while a call gate is set: the core's gated table maps
    the id to this stand-in, whose methods hand each call to the gate (`gated_calls` counts
    them). A method is wrapped on first use and kept, so a gated call is a table hit, a
    wrapper and the gate; attributes that are not methods are read from the representative."""

    __slots__ = ("_ref", "_rep", "_em", "__dict__")

    def __init__(self, ref: EbbRef[Any], rep: Any, em: EventManager) -> None:
        self._ref, self._rep, self._em = ref, rep, em

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._rep, name)
        if not callable(method):
            return method
        ref, rep, em = self._ref, self._rep, self._em
        runtime = em.runtime

        def gated(*args: Any, **kwargs: Any) -> Any:
            gate = runtime.call_gate
            if gate is None:     # the gate was taken away during this event
                return method(*args, **kwargs)
            em.gated_calls += 1
            return gate(ref, rep, name, args, kwargs)
        gated.__name__ = gated.__qualname__ = name
        self.__dict__[name] = gated
        return gated

    def __repr__(self) -> str:
        return f"<gated {self._rep!r}>"


# --------------------------------------------------------------------------- EbbRef[T]

_TYPED: dict[type, type] = {}
_RESERVED = frozenset(vars(EbbRef)) | {"id"}


def typed_ref_class(ebb_type: type) -> type:
    """The `EbbRef[ebb_type]` class: made on first use, then the same object every time."""
    cls = _TYPED.get(ebb_type)
    if cls is None:
        namespace: dict[str, Any] = {"__slots__": ("__dict__",), "_ebb_type": ebb_type,
                                     "__module__": __name__,
                                     "__qualname__": f"EbbRef[{ebb_type.__qualname__}]"}
        for name, function in _public_methods(ebb_type):
            proxy = _proxy(ebb_type, name, function)
            if proxy is not None:
                namespace[name] = proxy
        cls = type(f"EbbRef[{ebb_type.__name__}]", (EbbRef,), namespace)
        _TYPED[ebb_type] = cls
    return cls


def _public_methods(ebb_type: type) -> list[tuple[str, FunctionType]]:
    """Plain functions of `ebb_type` and its bases, by name, subclasses winning; no
    `_private` names, classmethods, staticmethods or properties."""
    methods: dict[str, FunctionType] = {}
    for klass in reversed(ebb_type.__mro__):
        for name, value in vars(klass).items():
            if name.startswith("_") or name in _RESERVED:
                continue
            if isinstance(value, FunctionType):
                methods[name] = value
            else:
                methods.pop(name, None)  # shadowed by something that is not a method
    return sorted(methods.items())


class _Default:
    """Stands for a parameter's default value in the generated source (its repr is a name)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_KIND = inspect.Parameter


def _proxy(ebb_type: type, name: str, function: FunctionType) -> FunctionType | None:
    """The method `name` of `EbbRef[ebb_type]`: the fast path inline, the rest in `_slow_call`.

    Generated from the method's signature (never from spec text), e.g. for `add(self, n=1)`:

        def add(self, n=_ebbref_d1):
            try:
                _ebbref_m = _ebbref_cpu.table[self.id].add
            except KeyError:
                return _ebbref_slow(self, 'add', (n, ), {})
            self.__dict__['add'] = _ebbref_m
            _ebbref_cached.append(self)
            return _ebbref_m(n)

    It caches the bound method in the ref's instance dict, where the next `ref.add` finds it
    before the class's method: a call is then an attribute read and the representative's own
    call, nothing in between. The cache is per core and per event: every switch of
    `CPU.table` (an event starting or ending, `on_core`) and every `cache_ref` forgets it
    (`CPU.cached` lists the refs holding one), so no call reaches another core's, or a
    replaced, representative.
    """
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    params = list(signature.parameters.values())
    if not params or params[0].kind not in (_KIND.POSITIONAL_ONLY, _KIND.POSITIONAL_OR_KEYWORD):
        return None
    namespace: dict[str, Any] = {"_ebbref_cpu": CPU, "_ebbref_slow": _slow_call,
                                 "_ebbref_cached": CPU.cached}
    header = []
    for index, param in enumerate(params):
        if param.default is not param.empty:
            namespace[f"_ebbref_d{index}"] = param.default
            param = param.replace(default=_Default(f"_ebbref_d{index}"))
        header.append(param.replace(annotation=param.empty))
    positional: list[str] = []   # the slow path's args tuple
    keywords: list[str] = []     # ... and its kwargs dict
    call: list[str] = []         # the fast path's argument list
    for param in params[1:]:
        n = param.name
        if param.kind in (_KIND.POSITIONAL_ONLY, _KIND.POSITIONAL_OR_KEYWORD):
            positional.append(n)
            call.append(n)
        elif param.kind is _KIND.VAR_POSITIONAL:
            positional.append(f"*{n}")
            call.append(f"*{n}")
        elif param.kind is _KIND.KEYWORD_ONLY:
            keywords.append(f"{n!r}: {n}")
            call.append(f"{n}={n}")
        else:
            keywords.append(f"**{n}")
            call.append(f"**{n}")
    this = params[0].name
    args = "(" + "".join(f"{p}, " for p in positional) + ")"
    header_text = signature.replace(parameters=header, return_annotation=signature.empty)
    source = (f"def {name}{header_text}:\n"
              f"    try:\n"
              f"        _ebbref_m = _ebbref_cpu.table[{this}.id].{name}\n"
              f"    except KeyError:\n"
              f"        return _ebbref_slow({this}, {name!r}, {args}, {{{', '.join(keywords)}}})\n"
              f"    {this}.__dict__[{name!r}] = _ebbref_m\n"
              f"    _ebbref_cached.append({this})\n"
              f"    return _ebbref_m({', '.join(call)})\n")
    exec(compile(source, f"<EbbRef[{ebb_type.__qualname__}].{name}>", "exec"), namespace)
    proxy: FunctionType = namespace[name]
    proxy.__qualname__ = f"EbbRef[{ebb_type.__qualname__}].{name}"
    proxy.__module__ = __name__
    proxy.__doc__ = function.__doc__
    return proxy


def ebb_not_found(ebb_id: int, where: str) -> EbbNotFound:
    return EbbNotFound(f"Ebb {ebb_id:#x} has no representative on {where} and nothing to build "
                       "one from: create it on this node (SharedEbb/MulticoreEbb.create), or "
                       "make it a DistributedEbb with a global id")
