"""The one root of the exceptions ebbrt raises on purpose.

User errors (a bad spec path, a class that does not match its spec, a broken contract) also
subclass the closest builtin, so `except TypeError` and friends keep working. Anything that is
not an `EbbrtError` escaping to the CLI is a bug in ebbrt and is reported as one (exit 70).
"""

from __future__ import annotations


class EbbrtError(Exception):
    """Root of every exception ebbrt raises deliberately."""
