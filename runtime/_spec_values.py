"""Runtime values as the monitors see them: spec values, with the opaque ones numbered.

A hook handed to the Timer is any Python object; its `repr` may hold a memory address, which
differs from run to run. The monitors only need opaque values (handles, values of type
parameters) to be equal when they are the same object, so `OpaqueValues` gives each one a
`Handle(type_name, n)`, numbered by first appearance in the run: what a violation prints (`h3`)
is then the same for the same seed. `convert(value, type)` walks a spec value of a spec type
and replaces every opaque part (a map's keys, a record's fields, ...) that way.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable

from ..spec._types import (HandleType, MapType, OptionType, RecordType, SeqType, SetType,
                           Type, TypeParam, children)
from ..verifier._values import FrozenMap, Handle, RecordValue, Some

__all__ = ["OpaqueValues", "has_opaque"]


def _opaque_name(t: Type) -> str | None:
    if isinstance(t, HandleType):
        return t.symbol.name
    if isinstance(t, TypeParam):
        return t.name
    return None


def has_opaque(t: Type, _records: frozenset[int] = frozenset()) -> bool:
    """Whether values of `t` contain opaque parts (handles, values of type parameters)."""
    if _opaque_name(t) is not None:
        return True
    if isinstance(t, RecordType):
        if id(t.symbol) in _records:    # a record that contains itself: seen on the way in
            return False
        inner = _records | {id(t.symbol)}
        return any(has_opaque(f, inner) for f in t.field_types().values())
    return any(has_opaque(c, _records) for c in children(t))


class OpaqueValues:
    """Numbers the opaque values of one run, per type name, in order of first appearance."""

    def __init__(self) -> None:
        self._handles: dict[Any, Handle] = {}   # keeps the objects alive: ids never recycle
        self._counts: Counter[str] = Counter()
        self._converters: dict[Type, Callable[[Any], Any] | None] = {}

    def describe(self, handle: Handle) -> str | None:
        """What `handle` stands for: the object's repr, unless that shows a memory address
        (it would differ from run to run); None for a handle this run never numbered."""
        for value, found in self._handles.items():
            if found == handle:
                text = repr(value)
                return f"a {type(value).__qualname__}" if " at 0x" in text else text
        return None

    def handle(self, value: Any, type_name: str) -> Any:
        if isinstance(value, Handle):
            return value
        try:
            found = self._handles.get(value)
        except TypeError:        # unhashable: cannot be told apart by the monitors anyway
            return value
        if found is None:
            found = self._handles[value] = Handle(type_name, self._counts[type_name])
            self._counts[type_name] += 1
        return found

    def convert(self, value: Any, t: Type) -> Any:
        """`value`, a spec value of type `t`, with its opaque parts numbered."""
        convert = self.converter(t)
        return value if convert is None else convert(value)

    def converter(self, t: Type) -> Callable[[Any], Any] | None:
        """The conversion `convert` applies to values of `t`, built once per type; None when
        `t` has no opaque parts (nothing to convert)."""
        try:
            return self._converters[t]
        except KeyError:
            pass
        except TypeError:            # an unhashable type object: build it every time
            return self._build(t)
        built: list[Callable[[Any], Any]] = []   # a record that contains itself finds this
        self._converters[t] = lambda value: built[0](value)
        made = self._converters[t] = self._build(t)
        if made is not None:
            built.append(made)
        return made

    def _build(self, t: Type) -> Callable[[Any], Any] | None:
        if not has_opaque(t):
            return None
        name = _opaque_name(t)
        if name is not None:
            return lambda value: self.handle(value, name)
        if isinstance(t, MapType):
            key, item = self.converter(t.key), self.converter(t.value)
            same = _same
            k, v = key or same, item or same
            return lambda value: FrozenMap({k(x): v(y) for x, y in value.items()}) \
                if isinstance(value, FrozenMap) else value
        if isinstance(t, (SetType, SeqType)):
            elem = self.converter(t.elem) or _same
            kind = frozenset if isinstance(t, SetType) else tuple
            return lambda value: kind(elem(x) for x in value) \
                if isinstance(value, kind) else value
        if isinstance(t, OptionType):
            inner = self.converter(t.elem) or _same
            return lambda value: Some(inner(value.value)) if isinstance(value, Some) else value
        if isinstance(t, RecordType):
            fields = {k: c for k, f in t.field_types().items()
                      if (c := self.converter(f)) is not None}
            return lambda value: RecordValue(value.type_name, tuple(
                (k, fields[k](x) if k in fields else x) for k, x in value.fields)) \
                if isinstance(value, RecordValue) else value
        return None


def _same(value: Any) -> Any:
    return value
