"""Values in violations, shown with their spec type: `5us` for a duration, `12ns` for a time.

Times and durations are plain ints at run time; a violation knows the type of every name it
shows (model fields, parameters, results, `now`), so it wraps them for `show` to print units,
down through collections, options and records.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..spec._symbols import EbbSymbol
from ..spec._types import (DurationType, MapType, OptionType, RecordType, SeqType, SetType,
                           TimeType, Type, TypeParam, substitute)
from ._values import Duration, FrozenMap, RecordValue, Some, Time

BUILTIN_TYPES: dict[str, Type] = {"now": TimeType()}  # the built-in values with a unit


def for_display(value: Any, t: Type | None) -> Any:
    """`value` with its times and durations wrapped (unchanged if it does not fit `t`)."""
    try:
        return _wrap(value, t)
    except Exception:  # a value of the wrong shape: shown as it is
        return value


def _wrap(value: Any, t: Type | None) -> Any:
    if t is None or isinstance(value, bool):
        return value
    if isinstance(t, DurationType) and isinstance(value, int):
        return Duration(value)
    if isinstance(t, TimeType) and isinstance(value, int):
        return Time(value)
    if isinstance(t, SetType) and isinstance(value, frozenset):
        return frozenset(_wrap(x, t.elem) for x in value)
    if isinstance(t, SeqType) and isinstance(value, tuple):
        return tuple(_wrap(x, t.elem) for x in value)
    if isinstance(t, MapType) and isinstance(value, FrozenMap):
        return FrozenMap({_wrap(k, t.key): _wrap(v, t.value) for k, v in value.items()})
    if isinstance(t, OptionType) and isinstance(value, Some):
        return Some(_wrap(value.value, t.elem))
    if isinstance(t, RecordType) and isinstance(value, RecordValue):
        types = t.field_types()
        return RecordValue(value.type_name, tuple((f, _wrap(v, types.get(f)))
                                                  for f, v in value.fields))
    return value


def name_types(ebb: EbbSymbol, bound: Mapping[str, Type]) -> dict[str, dict[str, Type]]:
    """For each op and event (and "" for invariants): the type of each name a clause may show,
    with the Ebb's type parameters bound as given."""
    mapping = {p: bound[p.name] for p in ebb.type_params
               if p.name in bound and not isinstance(bound[p.name], TypeParam)}
    common = {name: var.type for name, var in ebb.model.items()}
    common.update(BUILTIN_TYPES)
    table = {"": common}
    for member in [*ebb.ops.values(), *ebb.events.values()]:
        names = dict(common)
        for var in (*member.params, *getattr(member, "results", ())):
            names[var.name] = var.type
        table[member.name] = names
    return {op: {n: substitute(t, mapping) for n, t in names.items()}
            for op, names in table.items()}


def typed_values(values: Mapping[str, Any], types: Mapping[str, Type]) -> dict[str, Any]:
    """`values` (by shown name: `x`, `old(x)`) ready for `show`."""
    shown = {}
    for name, value in values.items():
        bare = name[4:-1] if name.startswith("old(") and name.endswith(")") else name
        shown[name] = for_display(value, types.get(bare))
    return shown


__all__ = ["for_display", "name_types", "typed_values"]
