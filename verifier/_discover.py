"""Finding the Python classes that implement the specs `ebb verify` and `ebb test` are given.

An implementation lives beside its spec (DESIGN.md: "each Ebb is a spec beside its
implementation"): for every folder holding one of the specs, each Python module in that folder
is imported and every class in it bound to one of the specs (`@implements`, or a subclass of a
bound class, such as a deliberately broken variant) is an implementation. Python files given
on the command line are imported too, wherever they are. Importing runs the user's own module
code, as pytest does; a module that fails to import is reported with its error and skipped.

A module inside a package is imported under its package's dotted name (found by walking up
through `__init__.py` files), so its relative imports work; the bundled library's modules are
imported as `ebbrt.ebbs.<name>` whether it is installed or used in place.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from ..ebbs import library_dir
from ._binding import BINDING_ATTRIBUTE, Binding, binding_of

SKIPPED_MODULES = ("__init__", "conftest", "setup")


@dataclass(frozen=True)
class ImportProblem:
    path: str
    error: str

    def __str__(self) -> str:
        return f"{self.path}: cannot import: {self.error}"


@dataclass
class Discovery:
    """The implementations found, in a stable order, and the modules that failed."""
    bindings: list[Binding] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


def discover(spec_files: list[Path], python_files: list[Path] = ()) -> Discovery:
    """The implementations of `spec_files` among the modules beside them and `python_files`."""
    specs = {str(p.resolve()) for p in spec_files}
    folders = sorted({p.resolve().parent for p in spec_files})
    candidates: list[Path] = []
    for folder in folders:
        candidates += sorted(p for p in folder.glob("*.py") if p.stem not in SKIPPED_MODULES
                             and not p.stem.startswith("test_"))
    candidates += [p.resolve() for p in python_files]
    found = Discovery()
    seen: set[tuple[str, str]] = set()
    for path in dict.fromkeys(candidates):  # in order, once
        try:
            module = import_file(path)
        except Exception as exc:  # noqa: BLE001 - the user's module: report and go on
            found.problems.append(ImportProblem(str(path), f"{type(exc).__name__}: {exc}"
                                                + _import_hint(exc)))
            continue
        for binding in bound_classes(module):
            key = (binding.cls.__module__, binding.cls.__qualname__)
            if binding.spec_path in specs and key not in seen:
                seen.add(key)
                found.bindings.append(binding)
    return found


def bound_classes(module: ModuleType) -> list[Binding]:
    """The classes defined in `module` that are bound to a spec, in source order."""
    classes = [obj for _, obj in vars(module).items()
               if inspect.isclass(obj) and obj.__module__ == module.__name__
               and getattr(obj, BINDING_ATTRIBUTE, None) is not None]
    classes.sort(key=_source_line)
    return [binding_of(cls) for cls in classes]


def _source_line(cls: type) -> int:
    try:
        return inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):
        return 0


def import_file(path: Path) -> ModuleType:
    """Import the Python file `path` under its dotted package name (see the module doc)."""
    path = path.resolve()
    name = module_name(path)
    loaded = sys.modules.get(name)
    if loaded is not None:
        if _file_of(loaded) == path:
            return loaded
        # another file of the same name was imported before (another project's folder)
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            del sys.modules[key]
    root = path.parent
    for _ in name.split(".")[1:]:
        root = root.parent
    if not name.startswith("ebbrt."):
        if str(root) in sys.path:
            sys.path.remove(str(root))
        sys.path.insert(0, str(root))
        importlib.invalidate_caches()
    module = importlib.import_module(name)
    if _file_of(module) != path:
        raise ImportError(f"`{name}` resolves to {_file_of(module)}, not to this file")
    return module


def _import_hint(exc: Exception) -> str:
    """What to do about an import error discovery can explain."""
    if isinstance(exc, ImportError) and "beyond top-level package" in str(exc):
        return ("; hint: the file imports from above its top-level package (as the bundled "
                "library's files do when used from a checkout that is not installed); give "
                "the installed package's files instead, or install the checkout "
                "(`pip install -e .`)")
    return ""


def _file_of(module: ModuleType) -> Path | None:
    file = getattr(module, "__file__", None)
    return Path(file).resolve() if file else None


def module_name(path: Path) -> str:
    """`ebbrt.ebbs.timer` for the bundled library's files; else the dotted name through the
    `__init__.py` files above `path`."""
    library = library_dir().resolve()
    if path.parent == library:
        return f"ebbrt.ebbs.{path.stem}"
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists() and folder.parent != folder:
        parts.append(folder.name)
        folder = folder.parent
    return ".".join(reversed(parts))


__all__ = ["Discovery", "ImportProblem", "bound_classes", "discover", "import_file",
           "module_name"]
