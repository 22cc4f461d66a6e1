"""The exceptions the runtime raises. All are `EbbrtError`s and also the closest builtin.

The Futures Ebb's own exceptions (`PromiseAlreadySatisfied`, `FutureFailed`) and the caller-bug
error `InvalidArgument` are the classes the bundled specs name (ebbrt/ebbs/_errors.py), so the
runtime and the model implementations raise the same types and contracts match them by name.
"""

from __future__ import annotations

from ..ebbs._errors import FutureFailed, InvalidArgument, PromiseAlreadySatisfied
from ..errors import EbbrtError

__all__ = ["EbbNotFound", "FutureFailed", "IdSpaceExhausted", "InvalidArgument",
           "NodeBoundary", "NotOnCore", "PromiseAlreadySatisfied", "RuntimeFault"]


class RuntimeFault(EbbrtError, RuntimeError):
    """Root of the runtime's own errors: the Ebb model was used in a way it cannot support."""


class NotOnCore(RuntimeFault):
    """Something that needs a running core (a call through an `EbbRef`, a continuation, a
    remote spawn) was done from outside any core's event."""


class NodeBoundary(RuntimeFault):
    """Work crossed from one node to another without a message: nodes share no memory, so a
    future fulfilled on one node cannot wake an event blocked on another."""


class EbbNotFound(RuntimeFault, LookupError):
    """A translation fault found no representative and nothing to build one from."""


class IdSpaceExhausted(RuntimeFault):
    """A node has allocated every id of its local or global id range."""
