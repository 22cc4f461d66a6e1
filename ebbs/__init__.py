"""The bundled Ebb library: each Ebb is a spec (`*.ebb`) beside its implementation."""

from importlib import import_module, resources
from pathlib import Path
from typing import Any


def library_dir() -> Path:
    """The folder holding the bundled `*.ebb` specs."""
    return Path(str(resources.files(__package__)))


def library_specs() -> list[Path]:
    """Every bundled spec file, sorted by name."""
    return sorted(library_dir().glob("*.ebb"))


# The implementations, imported on first use: binding a class loads its spec, and the spec
# loader imports this package (for `library_dir`), so an eager import here would be a cycle.
_IMPLEMENTATIONS = {
    "UnorderedSet": "unordered_set", "UnorderedMap": "unordered_map", "Position": "_hash_table",
    "HashTable": "_hash_table", "Futures": "future", "Future": "future", "Promise": "future",
    "Status": "future", "Timer": "timer", "PageAllocator": "page_allocator",
    "SlabAllocator": "slab_allocator", "OutOfRange": "_errors", "OutOfMemory": "_errors",
    "InvalidArgument": "_errors", "PromiseAlreadySatisfied": "_errors",
    "FutureFailed": "_errors",
}


def __getattr__(name: str) -> Any:
    module = _IMPLEMENTATIONS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = ["library_dir", "library_specs", *_IMPLEMENTATIONS]
