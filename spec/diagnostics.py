"""Diagnostics: records with a stable code, a span, a message and a hint, and their rendering.

    timer.ebb:12:5: error: unknown name `armd` [E200]
       12 |     requires hook !in armd
          |                       ^~~~
      hint: did you mean `armed`?
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from . import _codes
from ._span import Span


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    hint: str | None = None
    severity: str = ""  # error or warning; derived from the code when left empty

    def __post_init__(self) -> None:
        if not self.severity:
            object.__setattr__(self, "severity", "warning" if self.code.startswith("W") else "error")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def effective_hint(self) -> str:
        return self.hint or _codes.lookup(self.code).hint

    def headline(self) -> str:
        return f"{self.span}: {self.severity}: {self.message} [{self.code}]"

    def render(self, source: str | None = None) -> str:
        """The headline, the source line with a `^~~~` underline, and the hint."""
        lines = [self.headline()]
        if source is not None and self.span.line >= 1:
            src_lines = source.splitlines()
            if self.span.line <= len(src_lines):
                text = src_lines[self.span.line - 1].expandtabs(1)
                shown = text if len(text) <= 200 else text[:200] + "…"
                gutter = f"{self.span.line:>5} | "
                lines.append(gutter + shown)
                start = max(self.span.column - 1, 0)
                if self.span.end_line == self.span.line:
                    width = max(self.span.end_column - self.span.column, 1)
                else:
                    width = max(len(text) - start, 1)
                start = min(start, len(shown))
                width = max(min(width, len(shown) - start), 1)
                lines.append(" " * 5 + " | " + " " * start + "^" + "~" * (width - 1))
        lines.append(f"  hint: {self.effective_hint}")
        return "\n".join(lines)


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.span.file, d.span.line, d.span.column, d.code)


def render_all(diagnostics: Iterable[Diagnostic], sources: Mapping[str, str]) -> str:
    """All diagnostics in file/line order, each with its source excerpt, then a count."""
    ds = sorted(set(diagnostics), key=sort_key)
    parts = [d.render(sources.get(d.span.file)) for d in ds]
    errors = sum(d.is_error for d in ds)
    warnings = len(ds) - errors
    if ds:
        parts.append(f"{errors} error{'s' * (errors != 1)}, "
                     f"{warnings} warning{'s' * (warnings != 1)}")
    return "\n".join(parts)


def error(code: str, message: str, span: Span, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, message, span, hint)
