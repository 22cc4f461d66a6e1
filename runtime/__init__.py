"""The Ebb runtime (issue 5): Ebb ids, `EbbRef`, per-core translation tables and faults,
representative scopes, the event manager, futures, and the Timer and Clock Ebbs, running on
the simulated machine of `ebbrt.machine`. See docs/runtime.md."""

from __future__ import annotations

from ._errors import (EbbNotFound, FutureFailed, IdSpaceExhausted, InvalidArgument,
                      NodeBoundary, NotOnCore, PromiseAlreadySatisfied, RuntimeFault)
from ._ids import (CLOCK_ID, EVENT_MANAGER_ID, FIRST_FREE_LOCAL_ID, ID_SPACE_BITS, MAX_NODES,
                   TIMER_ID, EbbId, IdAllocator, global_id_range, home_node, is_global)
from ._cpu import current_core, current_event_manager
from ._ebbref import CallGate, EbbRef
from ._table import GlobalIdMap, IdEntry, LocalIdMap, cache_ref
from ._reps import DistributedEbb, MulticoreEbb, SharedEbb
from ._futures import Future, Promise, make_failed_future, make_ready_future, when_all
from ._clock import CLOCK, Clock, CoreContext
from ._timer import TIMER, Timer
from ._blocking import sleep
from ._events import EVENT_MANAGER, SPAWN_VECTOR, EventManager, spawn_local, spawn_remote
from ._node import NodeRuntime
from ._runtime import Runtime, direct_gate
# monitors of event and temporal clauses (monitors helper)
from ._monitors import MonitorSet, compile_monitors
from ._monitor_violation import MonitorViolation
from ._observations import Observation
# contracts enforced at run time, the messenger, the bundled apps of `ebb run` (run helper)
from ._contracts import RunContracts
from ._messenger import Datagram, MalformedDatagram, Messenger, MessengerConfig
from ._timer_variants import TIMER_VARIANTS
from ._apps import APPS, AppResult, run_app

__all__ = [
    # ids and references
    "CLOCK_ID", "EVENT_MANAGER_ID", "FIRST_FREE_LOCAL_ID", "ID_SPACE_BITS", "MAX_NODES",
    "TIMER_ID", "EbbId", "IdAllocator", "global_id_range", "home_node", "is_global",
    "CallGate", "EbbRef", "GlobalIdMap", "IdEntry", "LocalIdMap", "cache_ref",
    "DistributedEbb", "MulticoreEbb", "SharedEbb",
    # events and futures
    "EVENT_MANAGER", "EventManager", "SPAWN_VECTOR", "spawn_local", "spawn_remote",
    "current_core", "current_event_manager",
    "Future", "Promise", "make_failed_future", "make_ready_future", "sleep", "when_all",
    # time
    "CLOCK", "Clock", "CoreContext", "TIMER", "Timer",
    # the runtime
    "NodeRuntime", "Runtime", "direct_gate",
    # errors
    "EbbNotFound", "FutureFailed", "IdSpaceExhausted", "InvalidArgument", "NodeBoundary",
    "NotOnCore", "PromiseAlreadySatisfied", "RuntimeFault",
    # monitors of event and temporal clauses (monitors helper)
    "MonitorSet", "MonitorViolation", "Observation", "compile_monitors",
    # contracts at run time, the messenger, `ebb run`'s apps (run helper)
    "RunContracts", "Datagram", "MalformedDatagram", "Messenger", "MessengerConfig",
    "TIMER_VARIANTS", "APPS", "AppResult", "run_app",
]
