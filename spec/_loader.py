"""Files to a checked result: read, parse, follow imports, check.

Module keys. Every loaded file is known by one string, used as `Module.path`, as the file of
every span in it, and as the key of `CheckResult.modules` and `.sources`: the file's resolved
path, relative to the working directory when it lies below it (so messages stay short), else
absolute. One file reached by two routes (a root and an import, `a/../b.ebb`) is loaded once.

Imports. `import "f.ebb"` is looked up relative to the importing file's folder, then in the
bundled library (`ebbrt.ebbs.library_dir()`). A file in an import cycle is still loaded (imports
are not transitive, so its names are well defined), and the import closing the cycle is E204.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..ebbs import library_dir
from . import _codes as C
from . import ast as A
from ._parser import parse_text
from ._report import Reporter
from ._span import Span
from ._typecheck import Checked, check_modules
from .diagnostics import Diagnostic, render_all, sort_key


@dataclass
class CheckResult:
    """Everything a check run produced; `checked` holds the symbols and node annotations."""
    modules: dict[str, A.Module] = field(default_factory=dict)  # every parsed file, by key
    roots: list[str] = field(default_factory=list)  # the files asked for (not their imports)
    sources: dict[str, str] = field(default_factory=dict)  # the text of every file read
    diagnostics: list[Diagnostic] = field(default_factory=list)  # sorted, without duplicates
    checked: Checked = field(default_factory=Checked)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    def render(self) -> str:
        """Every diagnostic with its source line and underline, then the counts."""
        return render_all(self.diagnostics, self.sources)


def module_key(path: Path) -> str:
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(resolved)


class _Loader:
    def __init__(self) -> None:
        self.report = Reporter()
        self.result = CheckResult()
        self.imports: dict[int, str | None] = {}  # id(Import) -> key of the imported module
        self.state: dict[str, str] = {}  # key -> loading, done or failed
        self.stack: list[str] = []  # files being loaded, outermost first (for cycle messages)

    def load_file(self, path: Path) -> str:
        key = module_key(path)
        if key in self.state:
            return key
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.state[key] = "failed"
            self.report.error(C.FILE_UNREADABLE, f"cannot read `{key}`: "
                              f"{exc.strerror or exc}", Span(key, 1, 1, 1, 1))
            return key
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.state[key] = "failed"
            line = data.count(b"\n", 0, exc.start) + 1
            column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            self.report.error(C.NOT_UTF8, f"byte 0x{data[exc.start]:02x} at offset {exc.start} "
                              "is not UTF-8", Span(key, line, column, line, column + 1))
            return key
        self.load_text(key, text, path.parent)
        return key

    def load_text(self, key: str, text: str, folder: Path) -> None:
        self.result.sources[key] = text
        module, diagnostics = parse_text(text, key)
        self.report.diagnostics.extend(diagnostics)
        if module is None:
            self.state[key] = "failed"
            return
        self.result.modules[key] = module
        self.state[key] = "loading"
        self.stack.append(key)
        for item in module.items:
            if isinstance(item, A.Import):
                self.imports[id(item)] = self._import(item, key, folder)
        self.stack.pop()
        self.state[key] = "done"

    def _import(self, item: A.Import, importer: str, folder: Path) -> str | None:
        candidates = [folder / item.path, library_dir() / item.path]
        found = next((p for p in candidates if p.is_file()), None)
        if found is None:
            where = " or ".join(f"`{p.parent}`" for p in candidates)
            self.report.error(C.IMPORT_NOT_FOUND, f"cannot find \"{item.path}\"", item.span,
                              f"looked in {where}; paths are relative to the importing file")
            return None
        key = module_key(found)
        if self.state.get(key) == "loading":
            cycle = self.stack[self.stack.index(key):] + [key]
            self.report.error(C.IMPORT_CYCLE, "import cycle: " + " -> ".join(cycle), item.span)
            return key
        if key not in self.state:
            self.load_file(found)
        return key if self.state.get(key) == "done" else None

    def finish(self, roots: list[str]) -> CheckResult:
        result = self.result
        result.roots = roots
        result.checked = check_modules(result.modules, self.imports, self.report)
        result.diagnostics = sorted(set(self.report.diagnostics), key=sort_key)
        return result


def check_paths(paths: Iterable[str | Path]) -> CheckResult:
    """Check spec files; a directory stands for every `*.ebb` below it, in sorted order.
    A path that does not exist is reported as E100 (the CLI treats it as a usage error)."""
    loader = _Loader()
    roots: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.ebb") if p.is_file())
        elif path.exists():
            files = [path]
        else:
            loader.report.error(C.FILE_UNREADABLE, f"no such file or directory: `{raw}`",
                                Span(str(raw), 1, 1, 1, 1))
            continue
        for file in files:
            key = loader.load_file(file)
            if key in loader.result.sources and key not in roots:
                roots.append(key)
    return loader.finish(roots)


def check_text(text: str, file: str = "<input>") -> CheckResult:
    """Check one spec given as text; its imports are found relative to `file`'s folder."""
    loader = _Loader()
    loader.load_text(file, text, Path(file).parent)
    return loader.finish([file])


__all__ = ["CheckResult", "check_paths", "check_text", "module_key"]
