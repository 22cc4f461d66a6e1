"""The bundled Ebb library: each Ebb is a spec (`*.ebb`) beside its implementation."""

from importlib import resources
from pathlib import Path


def library_dir() -> Path:
    """The folder holding the bundled `*.ebb` specs."""
    return Path(str(resources.files(__package__)))


def library_specs() -> list[Path]:
    """Every bundled spec file, sorted by name."""
    return sorted(library_dir().glob("*.ebb"))


__all__ = ["library_dir", "library_specs"]
