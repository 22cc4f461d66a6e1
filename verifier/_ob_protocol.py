"""Protocol well-formedness, decided without the solver: every transition is labelled by an
operation or event of the Ebb that takes a handle of the protocol's type (so the label can move
a handle at all), and every state can be reached from the initial state.
"""

from __future__ import annotations

from ..spec._symbols import EbbSymbol, EventSymbol, OpSymbol, ProtocolSymbol
from ..spec._types import HandleType, Type
from ._ob_query import Query
from ._result import Verdict


def _takes(member: OpSymbol | EventSymbol, protocol: ProtocolSymbol) -> bool:
    return any(_mentions(p.type, protocol) for p in member.params)


def _mentions(t: Type, protocol: ProtocolSymbol) -> bool:
    if isinstance(t, HandleType) and t.symbol is protocol.handle:
        return True
    return False


def _describe(ebb: EbbSymbol, protocol: ProtocolSymbol) -> str:
    lines = [f"protocol {protocol.handle.name} of {ebb.name}, initial {_initial(protocol)}"]
    for source, member, target in protocol.transitions:
        params = ", ".join(str(p.type) for p in member.params)
        own = ebb.ops.get(member.name) is member or ebb.events.get(member.name) is member
        lines.append(f"{source} -{member.name}({params}) own={own}-> {target}")
    lines.append("states " + " ".join(protocol.states))
    return "\n".join(lines)


def _initial(protocol: ProtocolSymbol) -> str | None:
    if protocol.initial is not None:
        return protocol.initial
    return protocol.transitions[0][0] if protocol.transitions else None


def protocol_labels(ebb: EbbSymbol, protocol: ProtocolSymbol) -> Query:
    name = protocol.handle.name
    bad = []
    for source, member, target in protocol.transitions:
        own = ebb.ops.get(member.name) is member or ebb.events.get(member.name) is member
        if not own or not _takes(member, protocol):
            bad.append(f"`{source} -{member.name}-> {target}`")
    q = Query("decided", description=_describe(ebb, protocol))
    q.holds = (f"every transition of protocol `{name}` is an operation or event of "
               f"`{ebb.name}` taking a `{name}`")
    q.fails = (f"protocol `{name}` has transitions that cannot move a `{name}`: "
               + ", ".join(bad))
    q.decided = (Verdict.REFUTED, q.fails) if bad else (Verdict.PROVED, q.holds)
    return q


def protocol_reachable(ebb: EbbSymbol, protocol: ProtocolSymbol) -> Query:
    name = protocol.handle.name
    start = _initial(protocol)
    reached: list[str] = [start] if start is not None else []
    i = 0
    while i < len(reached):
        for source, _, target in protocol.transitions:
            if source == reached[i] and target not in reached:
                reached.append(target)
        i += 1
    missing = [s for s in protocol.states if s not in reached]
    q = Query("decided", description=_describe(ebb, protocol))
    q.holds = f"every state of protocol `{name}` is reachable from `{start}`"
    q.fails = (f"protocol `{name}` has states no run reaches from `{start}`: "
               + ", ".join(f"`{s}`" for s in missing))
    q.decided = (Verdict.REFUTED, q.fails) if missing else (Verdict.PROVED, q.holds)
    return q


__all__ = ["protocol_labels", "protocol_reachable"]
